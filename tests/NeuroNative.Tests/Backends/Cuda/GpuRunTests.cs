using NeuroNative.Backends.Cuda;
using NeuroNative.Experiments;
using NeuroNative.Tests.Cli;
using NeuroNative.Tests.Interop;
using NeuroNative.Tests.Runs;
using Xunit;

namespace NeuroNative.Tests.Backends.Cuda;

/// <summary>
/// <c>neuronative run --backend cuda</c> through the host emulation of the kernel (NEURONATIVE_CUDA_EMULATE=1, in a
/// process of its own so that no other test sees the variable): the files equal the CPU run's byte for byte, and
/// what the device does not record is refused with its reason.
/// </summary>
public class GpuRunTests
{
    // ChunkedRunTests's: noise, random initial values, a sweep, spikes, traces of some neurons and final values.
    private const string Experiment = ChunkedRunTests.Experiment;

    [SkippableFact]
    public void TheEmulatedGpuRunWritesTheCpuRunsFiles()
    {
        CompiledKernelTests.SkipWithoutCompiler();
        using var h = new CliHarness();
        string file = h.Write("e.yaml", Experiment);
        Assert.Equal(0, CliHarness.Invoke("run", file, "--out", h.Path("cpu"), "--backend", "interpreted", "--chunk-size", "128").Code);
        var (code, stdout, stderr) = Emulated(h, "run", file, "--out", h.Path("gpu"), "--backend", "cuda", "--chunk-size", "128");
        Assert.True(code == 0, stderr);
        Assert.Contains("on cuda", stdout);
        var files = ChunkedRunTests.DataFiles(h.Path("cpu"));
        Assert.Contains("spikes_index.npy", files);
        Assert.Contains("state_v.npy", files);
        Assert.Contains("final_v.npy", files);
        Assert.Equal(files, ChunkedRunTests.DataFiles(h.Path("gpu")));
        AssertSameBytes(h.Path("cpu"), h.Path("gpu"), files);
    }

    [SkippableFact]
    public void TheEmulatedGpuRunsAnExplorationFileAsTheCpu()
    {
        CompiledKernelTests.SkipWithoutCompiler();
        using var h = new CliHarness();
        string file = Path.Combine(ConventionTests.RepoRoot(), "examples", "vanderpol_mu.yaml");
        Assert.Equal(0, CliHarness.Invoke("run", file, "--out", h.Path("cpu"), "--backend", "interpreted").Code);
        var (code, stdout, stderr) = Emulated(h, "run", file, "--out", h.Path("gpu"), "--backend", "cuda");
        Assert.True(code == 0, stderr);
        Assert.Contains("on cuda", stdout);
        string dir = Path.Combine(h.Path("cpu"), "mu_sweep");
        var files = ChunkedRunTests.DataFiles(dir);
        Assert.NotEmpty(files);
        Assert.Equal(files, ChunkedRunTests.DataFiles(Path.Combine(h.Path("gpu"), "mu_sweep")));
        AssertSameBytes(dir, Path.Combine(h.Path("gpu"), "mu_sweep"), files); // the RK4 time series of every condition
    }

    internal static void AssertSameBytes(string expected, string actual, IEnumerable<string> files)
    {
        foreach (var f in files)
            Assert.True(File.ReadAllBytes(Path.Combine(expected, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, f))), $"{f} differs");
    }

    /// <summary>The CLI in a process of its own with the emulation selected by the environment.</summary>
    internal static (int Code, string Out, string Err) Emulated(CliHarness h, params string[] args)
    {
        using var process = CliHarness.Start(new Dictionary<string, string>
        {
            [GpuOptions.EmulateVariable] = "1", ["NEURONATIVE_CACHE"] = h.Path("cache"),
        }, args);
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }

    [Theory]
    [InlineData("final: [v]", "final: [I]", "record.final asks for 'I', not a state variable")]
    [InlineData("final: [v]", "population_rate: {neurons: [0, 4]}", "population rate monitor")]
    [InlineData("neurons: [0, 5, 333, 699]}", "neurons: [0], when: end}", "samples when 'end'")]
    public void WhatTheDeviceDoesNotRecordIsRefused(string from, string to, string reason)
    {
        using var h = new CliHarness();
        string file = h.Write("e.yaml", Experiment.Replace(from, to));
        var experiment = ExperimentFile.Load(file);
        var e = Assert.Throws<NotSupportedException>(() => ExperimentRunner.Compile(experiment, new RunSettings { Backend = Backend.Cuda }));
        Assert.Contains(reason, e.Message);
        Assert.Contains("GPU backend does not run", e.Message);
    }
}
