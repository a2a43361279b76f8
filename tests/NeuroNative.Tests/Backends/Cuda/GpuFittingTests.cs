using NeuroNative.Backends.Cuda;
using NeuroNative.Fitting;
using NeuroNative.Fitting.Optimizers;
using NeuroNative.Tests.Cli;
using NeuroNative.Tests.Fitting;
using NeuroNative.Tests.Interop;
using Xunit;
using Xunit.Abstractions;

namespace NeuroNative.Tests.Backends.Cuda;

/// <summary>
/// Fitting rounds on the GPU backend through the host emulation of its kernel (no GPU needed): brian2modelfitting's
/// HH tutorial, the same batches as on the CPU interpreter. The kernel runs the CPU's integrator, TimedArray and
/// reducer code in the same order, so errors, traces, spike times and final values are equal bit for bit.
/// </summary>
public class GpuFittingTests(ITestOutputHelper output)
{
    private static FitterSettings Settings(Backend backend) => new()
    {
        Dt = 1e-5, NSamples = 12, Method = "exponential_euler", ParamInit = new Dictionary<string, string> { ["v"] = "-65*mV" },
        Backend = backend, Gpu = backend == Backend.Cuda ? GpuEmulationTests.Emulated : null, Threads = 1,
    };

    private static TraceFitter Fitter(FitterSettings settings)
    {
        var (input, recorded) = TraceFitterTests.Data();
        return new TraceFitter(TraceFitterTests.Tutorial(), new Dictionary<string, Traces> { ["I"] = input },
            new Dictionary<string, Traces> { ["v"] = recorded }, settings);
    }

    [SkippableFact]
    public void TwoDeRoundsOfTheTutorialGiveTheCpuErrorsBitForBit()
    {
        CompiledKernelTests.SkipWithoutCompiler();
        using var cpu = Fitter(Settings(Backend.Interpreted));
        using var gpu = Fitter(Settings(Backend.Cuda));
        var a = cpu.Fit(OptimizerFactory.Create("DE"), new MSEMetric(), 2, TraceFitterTests.Bounds, restart: true, seed: 3);
        var b = gpu.Fit(OptimizerFactory.Create("DE"), new MSEMetric(), 2, TraceFitterTests.Bounds, restart: true, seed: 3);
        output.WriteLine($"CPU best {a.BestError:R}, emulated GPU best {b.BestError:R}");
        Assert.Equal(24, cpu.Results.Count);
        Assert.Equal(cpu.Results.Count, gpu.Results.Count);
        for (int k = 0; k < cpu.Results.Count; k++)
        {
            Assert.Equal(cpu.Results[k].Parameters, gpu.Results[k].Parameters);
            Assert.Equal(cpu.Results[k].Error, gpu.Results[k].Error); // exact: same arithmetic in the same order
        }
        Assert.Equal(a.BestError, b.BestError);
        Assert.True(double.IsFinite(a.BestError) && a.BestError > 0);
    }

    [SkippableFact]
    public void ABatchRecordsTracesSpikesErrorsAndFinalValuesAsOnTheCpu()
    {
        CompiledKernelTests.SkipWithoutCompiler();
        var (input, recorded) = TraceFitterTests.Data();
        BatchedTraceSimulator Simulator(Backend backend) => new(TraceFitterTests.Tutorial(), new Dictionary<string, Traces> { ["I"] = input },
            Settings(backend) with { Threshold = "v > -20*mV", Refractory = "v > -20*mV" }, new Dictionary<string, Traces> { ["v"] = recorded }, 3);
        var recording = new BatchRecording
        {
            Traces = ["v", "m"], SpikeCapacity = 4, MeanSquaredError = new Dictionary<string, double> { ["v"] = 1e-3 }, Final = ["v", "h"],
        };
        IReadOnlyList<double>[] sets = [[1e-8, 1e-4, 2e-5], [5e-9, 5e-5, 6e-6], [2e-11, 3e-7, 1e-6]];
        string[] names = ["gl", "g_na", "g_kd"];
        using var cpuSimulator = Simulator(Backend.Interpreted);
        using var gpuSimulator = Simulator(Backend.Cuda);
        using var cpuBatch = cpuSimulator.CreateBatch(3, recording);
        using var gpuBatch = gpuSimulator.CreateBatch(3, recording);
        var cpu = cpuBatch.Run(names, sets, iteration: 1);
        var gpu = gpuBatch.Run(names, sets, iteration: 1);
        var again = gpuBatch.Run(names, sets, iteration: 1);

        foreach (var v in recording.Traces)
        {
            Assert.Equal(cpu.Traces[v].Length, gpu.Traces[v].Length);
            for (int j = 0; j < cpu.Traces[v].Length; j++) Assert.Equal(cpu.Traces[v][j], gpu.Traces[v][j]);
        }
        Assert.Equal(cpu.SpikeCounts, gpu.SpikeCounts);
        Assert.True(cpu.SpikeCounts!.Sum() > 0, "no neuron spiked: the spike reducer is untested");
        for (int j = 0; j < cpu.Spikes!.Count; j++) Assert.Equal(cpu.Spikes[j], gpu.Spikes![j]);
        Assert.Equal(cpu.MeanSquaredError["v"], gpu.MeanSquaredError["v"]);
        foreach (var v in recording.Final) Assert.Equal(cpu.Final[v], gpu.Final[v]);
        // Every run starts from the reset: the second, on the reloaded device simulation, repeats the first.
        Assert.Equal(gpu.MeanSquaredError["v"], again.MeanSquaredError["v"]);
        Assert.Equal(gpu.SpikeCounts, again.SpikeCounts);
        for (int j = 0; j < gpu.Traces["v"].Length; j++) Assert.Equal(gpu.Traces["v"][j], again.Traces["v"][j]);
        for (int j = 0; j < gpu.Spikes!.Count; j++) Assert.Equal(gpu.Spikes[j], again.Spikes![j]);
        output.WriteLine($"spikes {cpu.SpikeCounts!.Sum()}, MSE {string.Join(", ", cpu.MeanSquaredError["v"].Select(e => e.ToString("E3")))}");
    }

    [SkippableFact]
    public void TheFitCommandOnTheEmulatedGpuWritesTheCpuFitsFiles()
    {
        CompiledKernelTests.SkipWithoutCompiler();
        using var h = new CliHarness();
        string file = Path.Combine(ConventionTests.RepoRoot(), "examples", "hh_fit.yaml");
        Assert.Equal(0, CliHarness.Invoke("fit", file, "--out", h.Path("cpu"), "--backend", "interpreted").Code);
        var (code, _, stderr) = GpuRunTests.Emulated(h, "fit", file, "--out", h.Path("gpu"), "--backend", "cuda");
        Assert.True(code == 0, stderr);
        GpuRunTests.AssertSameBytes(h.Path("cpu"), h.Path("gpu"), ["history.csv", "best_traces.npy"]); // fit.json differs in its timings only
    }

    [SkippableFact]
    public void TheGpuRefusesToRecordWhatItCannot()
    {
        CompiledKernelTests.SkipWithoutCompiler();
        var (input, recorded) = TraceFitterTests.Data();
        using var simulator = new BatchedTraceSimulator(TraceFitterTests.Tutorial(), new Dictionary<string, Traces> { ["I"] = input },
            Settings(Backend.Cuda), new Dictionary<string, Traces> { ["v"] = recorded });
        var e = Assert.Throws<FitException>(() => simulator.CreateBatch(1, new BatchRecording { Final = ["gl"] }));
        Assert.Contains("output.gl", e.Message);
        Assert.Contains("only state variables", e.Message);
    }
}
