using System.Diagnostics;
using System.Globalization;
using NeuroNative;
using NeuroNative.Backends.Cpp;
using NeuroNative.Backends.Cuda;
using NeuroNative.Tests.Models;
using NeuroNative.Tests.Simulation;

// The GPU test suite (docs/gpu.md), run by tests/gpu/run.sh on a machine with a GPU and no .NET:
//   GpuSuite check   every deterministic Brian 2 reference case on the GPU against the CPU interpreter
//   GpuSuite bench   the seed-000 HH benchmark (benchmarks/gpu/GpuBenchmark.cs)
// Exit code 0 when every check passed. --emulate runs the same code on the host emulation of the kernel (a dry run
// of the suite on a machine without a GPU: slow, and the benchmark then stops at 10^5 neurons).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
bool emulate = args.Contains("--emulate");
var positional = args.Where(a => a != "--emulate").ToArray();
string verb = positional.Length > 0 ? positional[0] : "check";
string cache = positional.Length > 1 ? positional[1] : Path.Combine(Path.GetTempPath(), "neuronative-gpu-suite");
try
{
    return verb switch
    {
        "check" => GpuChecks.Run(cache, emulate),
        "bench" => NeuroNative.Benchmarks.Gpu.GpuBenchmark.Run(cache, emulate),
        _ => Usage(),
    };
}
catch (GpuUnavailableException e)
{
    Console.Error.WriteLine($"GpuSuite: {e.Message}");
    return 3;
}

static int Usage()
{
    Console.Error.WriteLine("usage: GpuSuite check|bench [CACHE_DIR]");
    return 2;
}

internal static class GpuChecks
{
    /// <summary>Float64: identical spikes (neurons and steps) and counts, traces, final state and device reducers within
    /// 1e-9 of each variable's range (issue 13). Float32: the deviation is printed, not judged.</summary>
    public const double Tolerance = 1e-9;

    public static int Run(string cache, bool emulate)
    {
        Console.WriteLine($"GPU: {(emulate ? "host emulation" : GpuAvailability.Require())}");
        int failures = 0;
        Console.WriteLine();
        Console.WriteLine("| case | precision | neurons x steps | spikes (CPU / GPU) | max deviation / range | compile s | cached start s | GPU s | result |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var s in ReferenceScenario.All())
            foreach (var precision in new[] { Precision.Float64, Precision.Float32 })
            {
                try
                {
                    failures += Case(s, precision, cache, emulate) ? 0 : 1;
                }
                catch (Exception e) when (e is NeuroNativeException or InvalidOperationException or ArgumentException)
                {
                    failures++;
                    Console.WriteLine($"| {s.Case} | {precision} | | | | | | | FAIL: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")[..Math.Min(e.Message.Length, 400)]} |");
                }
            }
        Console.WriteLine();
        Console.WriteLine(failures == 0 ? "all GPU checks passed" : $"{failures} GPU checks FAILED");
        return failures == 0 ? 0 : 1;
    }

    private static bool Case(ReferenceScenario s, Precision precision, string cache, bool emulate)
    {
        long steps = Math.Min(s.Steps, 20000);
        var cpuOptions = new SimulationOptions { Backend = Backend.Interpreted };
        using var cpu = NativeReferenceTests.Build(s, cpuOptions);
        using var source = NativeReferenceTests.Build(s, cpuOptions);
        var names = cpu.Model.States.Select(x => x.Name).ToList();
        long[] traced = [0, s.Neurons / 2, s.Neurons - 1];
        traced = [.. traced.Distinct()];
        var spikes = cpu.RecordSpikes();
        var monitor = cpu.Record(names, traced, every: 1);
        var options = new GpuOptions { Precision = precision, KernelCacheDirectory = cache, StepsPerLaunch = 1000, EventCapacity = 64, Emulate = emulate };
        GpuKernelCache.ClearMemory();
        string fresh = Path.Combine(cache, "fresh-" + Guid.NewGuid().ToString("N"));
        double compile, cachedStart;
        using (var cold = GpuSimulation.FromGroup(source, options with { KernelCacheDirectory = fresh })) compile = cold.CompileSeconds;
        Directory.Delete(fresh, recursive: true);
        using var gpu = GpuSimulation.FromGroup(source, options);
        GpuKernelCache.ClearMemory();
        using (var again = GpuSimulation.FromGroup(source, options)) cachedStart = again.CompileSeconds;
        gpu.RecordState(traced, every: 1);
        // Reducers on the device: the mean and maximum of the first state variable, and the spike count where the model spikes.
        var reducers = new List<(Reducer Cpu, GpuReducer Gpu)>
        {
            (cpu.Reduce(Reduction.Mean, names[0]), gpu.Reduce(Reduction.Mean, names[0])),
            (cpu.Reduce(Reduction.Max, names[0], every: 3), gpu.Reduce(Reduction.Max, names[0], every: 3)),
        };
        if (cpu.Model.Threshold is not null) reducers.Add((cpu.ReduceSpikes(Reduction.SpikeCount), gpu.ReduceSpikes(Reduction.SpikeCount)));
        cpu.RunSteps(steps);
        var watch = Stopwatch.StartNew();
        gpu.RunSteps(steps);
        double gpuSeconds = watch.Elapsed.TotalSeconds;

        bool ok = true;
        var (indices, times) = spikes.Spikes;
        bool sameSpikes = indices.Length == gpu.Spikes.Count && spikes.Count.SequenceEqual(gpu.SpikeCounts());
        for (int j = 0; sameSpikes && j < indices.Length; j++)
            sameSpikes = indices[j] == gpu.Spikes[j].Neuron && Math.Round(times[j] / s.Dt) == gpu.Spikes[j].Step;
        double worst = 0;
        foreach (string name in names)
        {
            var trace = monitor[name];
            double[] expected = cpu.Get(name), actual = gpu.Get(name);
            double range = Math.Max(1e-300, trace.Values.SelectMany(v => v).Concat(expected).Max() - trace.Values.SelectMany(v => v).Concat(expected).Min());
            for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / range);
            for (int c = 0; c < traced.Length; c++)
            {
                var recorded = gpu.Trace(name, c);
                if (recorded.Length != trace.Values[c].Length) { worst = double.PositiveInfinity; continue; }
                for (int k = 0; k < recorded.Length; k++) worst = Math.Max(worst, Math.Abs(trace.Values[c][k] - recorded[k]) / range);
            }
        }
        // The emulation compiles with the host compiler on every start: its start time is not the GPU's.
        foreach (var (c, g) in reducers)
        {
            var (a, b) = (c.Values, g.Values);
            double range = Math.Max(1e-300, a.Max() - a.Min());
            for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, a[i] == b[i] ? 0 : Math.Abs(a[i] - b[i]) / range);
        }
        if (precision == Precision.Float64) ok = sameSpikes && worst <= Tolerance && (emulate || cachedStart < 0.1);
        string result = precision == Precision.Float32 ? "reported" : ok ? "PASS" : "FAIL";
        Console.WriteLine($"| {s.Case} | {precision} | {s.Neurons} x {steps} | {indices.Length} / {gpu.Spikes.Count}{(sameSpikes ? "" : " (differ)")} | " +
                          $"{worst:G3} | {compile:F3} | {cachedStart:F4} | {gpuSeconds:F3} | {result} |");
        return ok;
    }
}
