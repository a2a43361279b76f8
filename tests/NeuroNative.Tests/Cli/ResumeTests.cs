using System.Diagnostics;
using NeuroNative.Cli;
using NeuroNative.Tests.Experiments;
using Xunit;

namespace NeuroNative.Tests.Cli;

/// <summary>
/// Issue acceptance: a noisy HH sweep of 10,000 neurons stopped at a random step, snapshotted, and
/// resumed by a fresh process writes files byte-identical to an uninterrupted run.
/// </summary>
public class ResumeTests
{
    /// <summary>The exploration's HH with membrane noise (Euler–Maruyama at 0.01 ms), random initial
    /// potentials, a 100 × 100 sweep, spikes and traces of a few neurons recorded.</summary>
    private static string NoisyHh => ExperimentFiles.Hh(0.01)
        .Replace("+ I)/Cm : volt", "+ I)/Cm + 2*mV*xi*ms**-0.5 : volt", StringComparison.Ordinal)
        .Replace("method: exponential_euler", "method: euler", StringComparison.Ordinal)
        .Replace("{v: El}", "{v: El + 10*mV*rand()}", StringComparison.Ordinal)
        .Replace("dt: 0.1*ms", "dt: 0.01*ms", StringComparison.Ordinal) + """
        seed: 42
        sweep:
          parameters:
            g_na: {lo: 10*msiemens*cm**-2*area, hi: 100*msiemens*cm**-2*area, n: 100}
            I: {lo: 0*nA, hi: 2*nA, n: 100}
        record:
          spikes: true
          state: {variables: [v, m, alpha_m], every: 0.1*ms, neurons: [0, 4321, 9999]}

        """;

    /// <summary>The CLI in a process of its own (the test host's copy of NeuroNative.Cli.dll).</summary>
    private static (int Exit, string Output) Cli(params string[] args)
    {
        using var process = CliHarness.Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }

    [SkippableTheory]
    [InlineData("interpreted")]
    [InlineData("compiled")]
    public void AResumedRunWritesTheFilesOfAnUninterruptedOne(string backend)
    {
        if (backend == "compiled") Backends.CompiledKernelTests.SkipWithoutCompiler();
        var dir = Directory.CreateTempSubdirectory("nn-resume");
        string file = Path.Combine(dir.FullName, "noisy_hh.yaml");
        File.WriteAllText(file, NoisyHh);
        string whole = Path.Combine(dir.FullName, "whole"), stopped = Path.Combine(dir.FullName, "stopped"), resumed = Path.Combine(dir.FullName, "resumed");
        string snapshot = Path.Combine(dir.FullName, "run.snapshot");
        long stop = new Random().Next(1, 1000); // of 1000 steps: any step must do
        string[] common = ["--backend", backend, "--threads", "2"];

        var a = Cli(["run", file, "--out", whole, .. common]);
        Assert.True(a.Exit == 0, a.Output);
        var b = Cli(["run", file, "--out", stopped, "--stop-at-step", stop.ToString(), "--snapshot", snapshot, .. common]);
        Assert.True(b.Exit == 0, b.Output);
        Assert.Contains($"stopped at step {stop} of 1000", b.Output);
        var c = Cli(["run", file, "--out", resumed, "--resume", snapshot, .. common]);
        Assert.True(c.Exit == 0, c.Output);

        var files = Directory.GetFiles(whole).Select(Path.GetFileName).Where(f => f != "run.json").Order().ToList();
        Assert.Contains("spikes_index.npy", files);
        Assert.Contains("state_alpha_m.npy", files);
        Assert.Equal(files, Directory.GetFiles(resumed).Select(Path.GetFileName).Where(f => f != "run.json").Order());
        foreach (var f in files)
            Assert.True(File.ReadAllBytes(Path.Combine(whole, f!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(resumed, f!))),
                $"{f} differs after resuming from step {stop}");
        Assert.True(new FileInfo(Path.Combine(whole, "spikes_index.npy")).Length > 1000, "the run should spike");
    }

    [Fact]
    public void ResumingFromAnotherExperimentSaysWhatDiffers()
    {
        var dir = Directory.CreateTempSubdirectory("nn-resume");
        string file = Path.Combine(dir.FullName, "a.yaml"), other = Path.Combine(dir.FullName, "b.yaml");
        File.WriteAllText(file, ExperimentFiles.Lif("exact") + "n: 10\n");
        File.WriteAllText(other, ExperimentFiles.Lif("exact") + "n: 11\n");
        string snapshot = Path.Combine(dir.FullName, "s");
        Assert.Equal(0, Cli(["run", file, "--out", Path.Combine(dir.FullName, "o1"), "--stop-at-step", "5", "--snapshot", snapshot]).Exit);
        var r = Cli(["run", other, "--out", Path.Combine(dir.FullName, "o2"), "--resume", snapshot]);
        Assert.Equal(CliApp.ExitRuntimeError, r.Exit);
        Assert.Contains("cannot resume from", r.Output);
        Assert.Contains("neurons [0, 10) of 10", r.Output);
        var usage = Cli(["run", file, "--out", Path.Combine(dir.FullName, "o3"), "--stop-at-step", "5"]);
        Assert.Equal(CliApp.ExitUsageError, usage.Exit);
        Assert.Contains("--stop-at-step needs --snapshot", usage.Output);
    }
}
