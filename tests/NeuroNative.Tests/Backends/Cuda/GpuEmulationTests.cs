using NeuroNative.Backends.Cuda;
using NeuroNative.Tests.Models;
using NeuroNative.Tests.Simulation;
using Xunit;
using Xunit.Abstractions;

namespace NeuroNative.Tests.Backends.Cuda;

/// <summary>
/// The GPU backend's kernel and host logic without a GPU: the generated CUDA unit compiled for the host
/// (NN_GPU_EMULATION) runs the same per-thread code and GpuSimulation's launches, drains and event-buffer
/// overflows, and must reproduce the CPU backend (interpreter) on the reference cases: the same spikes
/// (neurons and steps, in order), the same counts, final state and traces within 1e-9 of each variable's range.
/// A two-spike event buffer makes every launch with more spikes overflow and run again.
/// </summary>
public class GpuEmulationTests(ITestOutputHelper output)
{
    private static readonly string SharedCache = Path.Combine(Path.GetTempPath(), $"neuronative-gpu-tests-{Environment.ProcessId}");

    internal static GpuOptions Emulated => new() { Emulate = true, KernelCacheDirectory = SharedCache, StepsPerLaunch = 333, EventCapacity = 2 };

    [SkippableTheory]
    [InlineData("lif_refractory_euler")]
    [InlineData("lif_refractory_exact")]
    [InlineData("hh_exploration_small")]
    [InlineData("hh_fitting_tutorial")]
    [InlineData("adex_dt0.1")]
    [InlineData("exact_biexp_lif")]
    [InlineData("vanderpol_rk4")]
    [InlineData("morris_lecar")]
    [InlineData("jansen_rit")]
    public void EmulatedKernelReproducesTheCpuBackend(string @case)
    {
        CompiledKernelTests.SkipWithoutCompiler();
        var s = ReferenceScenario.Get(@case);
        long steps = Math.Min(s.Steps, 4000);
        var cpuOptions = new SimulationOptions { Backend = Backend.Interpreted, Threads = 1 };
        using var cpu = NativeReferenceTests.Build(s, cpuOptions);
        using var source = NativeReferenceTests.Build(s, cpuOptions);
        var names = cpu.Model.States.Select(x => x.Name).ToList();
        long[] traced = [0, s.Neurons - 1];
        var spikes = cpu.RecordSpikes();
        var monitor = cpu.Record(names, traced, every: 7);
        using var gpu = GpuSimulation.FromGroup(source, Emulated);
        gpu.RecordState(traced, every: 7);
        cpu.RunSteps(steps);
        gpu.RunSteps(steps);

        Assert.Equal(spikes.Count, gpu.SpikeCounts());
        var (indices, times) = spikes.Spikes;
        Assert.Equal(indices.Length, gpu.Spikes.Count);
        for (int j = 0; j < indices.Length; j++)
        {
            Assert.Equal(indices[j], gpu.Spikes[j].Neuron);
            Assert.Equal(Math.Round(times[j] / s.Dt), gpu.Spikes[j].Step);
        }
        if (indices.Length > 2) Assert.True(gpu.Relaunches > 0, "the two-spike buffer never overflowed");
        Assert.Equal(steps, gpu.Step);

        double worst = 0;
        foreach (string name in names)
        {
            double[] expected = cpu.Get(name), actual = gpu.Get(name);
            var trace = monitor[name];
            double range = Math.Max(expected.Max() - expected.Min(), trace.Values.SelectMany(v => v).Max() - trace.Values.SelectMany(v => v).Min());
            range = Math.Max(range, 1e-300);
            for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / range);
            for (int c = 0; c < traced.Length; c++)
            {
                var recorded = gpu.Trace(name, c);
                Assert.Equal(trace.Values[c].Length, recorded.Length);
                for (int k = 0; k < recorded.Length; k++) worst = Math.Max(worst, Math.Abs(trace.Values[c][k] - recorded[k]) / range);
            }
        }
        output.WriteLine($"{@case}: {indices.Length} spikes, {gpu.Relaunches} relaunches, largest deviation {worst:G3} of the range");
        Assert.True(worst <= 1e-9, $"{@case}: the emulated GPU kernel deviates by {worst:G3} of the range");
    }

    [SkippableTheory]
    [InlineData("hh_exploration_small")]
    [InlineData("hh_fitting_tutorial")]
    [InlineData("lif_refractory_exact")]
    public void ReducersOnTheDeviceEqualTheCpuReducers(string @case)
    {
        CompiledKernelTests.SkipWithoutCompiler();
        var s = ReferenceScenario.Get(@case);
        long steps = Math.Min(s.Steps, 3000);
        var cpuOptions = new SimulationOptions { Backend = Backend.Interpreted, Threads = 1 };
        using var cpu = NativeReferenceTests.Build(s, cpuOptions);
        using var source = NativeReferenceTests.Build(s, cpuOptions);
        using var gpu = GpuSimulation.FromGroup(source, Emulated);
        var window = new TimeWindow(50 * s.Dt, 2500 * s.Dt);
        var targets = new[] { Enumerable.Range(0, 400).Select(k => -0.065 + 1e-5 * k).ToArray(), Enumerable.Repeat(-0.06, 400).ToArray() };
        targets[1][7] = double.NaN;
        var pairs = new List<(string, Reducer, GpuReducer)>();
        foreach (var kind in new[] { Reduction.SpikeCount, Reduction.SpikeRate, Reduction.FirstSpike })
            pairs.Add((kind.ToString(), cpu.ReduceSpikes(kind, window), gpu.ReduceSpikes(kind, window)));
        pairs.Add(("SpikeTimes", cpu.ReduceSpikes(Reduction.SpikeTimes, null, 5), gpu.ReduceSpikes(Reduction.SpikeTimes, null, 5)));
        foreach (var kind in new[] { Reduction.Min, Reduction.Max, Reduction.Mean, Reduction.Variance })
            pairs.Add((kind.ToString(), cpu.Reduce(kind, "v", window, 3), gpu.Reduce(kind, "v", window, 3)));
        pairs.Add(("Samples", cpu.Reduce(Reduction.Samples, "v", null, 97, 20), gpu.Reduce(Reduction.Samples, "v", null, 97, 20)));
        pairs.Add(("MSE", cpu.MeanSquaredError("v", targets, window, 2), gpu.MeanSquaredError("v", targets, window, 2)));
        // Added mid-run: initialised by the launch that follows.
        cpu.RunSteps(steps / 2);
        gpu.RunSteps(steps / 2);
        var late = new TimeWindow(cpu.Step * s.Dt);
        pairs.Add(("late Max", cpu.Reduce(Reduction.Max, "v", late), gpu.Reduce(Reduction.Max, "v", late)));
        Assert.Throws<ArgumentException>(() => gpu.Reduce(Reduction.Min, "v", new TimeWindow(0)));
        cpu.RunSteps(steps - steps / 2);
        gpu.RunSteps(steps - steps / 2);
        foreach (var (name, c, g) in pairs)
        {
            Assert.Equal(c.Width, g.Width);
            Assert.True(c.Rows.Zip(g.Rows).All(p => p.First.SequenceEqual(p.Second)), $"{@case}: {name} differs");
        }
        Assert.Contains(pairs[0].Item2.Values, count => count > 0);
    }

    [SkippableFact]
    public void LaunchLengthAndBufferSizeDoNotChangeTheResult()
    {
        CompiledKernelTests.SkipWithoutCompiler();
        var s = ReferenceScenario.Get("hh_exploration_small");
        (long[] Counts, IReadOnlyList<GpuSpike> Spikes, double[] V) Run(GpuOptions options)
        {
            using var group = NativeReferenceTests.Build(s, new SimulationOptions { Backend = Backend.Interpreted });
            using var gpu = GpuSimulation.FromGroup(group, options);
            gpu.RunSteps(3000);
            return (gpu.SpikeCounts(), [.. gpu.Spikes], gpu.Get("v"));
        }
        var a = Run(Emulated with { StepsPerLaunch = 3000, EventCapacity = 1 << 20 });
        var b = Run(Emulated with { StepsPerLaunch = 17, EventCapacity = 1 });
        Assert.Equal(a.Counts, b.Counts);
        Assert.Equal(a.Spikes, b.Spikes);
        Assert.Equal(a.V, b.V);
        Assert.NotEmpty(a.Spikes);
    }
}
