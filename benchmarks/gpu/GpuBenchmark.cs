using System.Diagnostics;
using NeuroNative.Backends.Cpp;
using NeuroNative.Backends.Cuda;
using NeuroNative.Experiments;

namespace NeuroNative.Benchmarks.Gpu;

/// <summary>
/// The seed-000 HH exploration model (examples/hh_exploration.yaml: exponential Euler, dt 0.1 ms) on the GPU at
/// 10^4 .. 10^7 neurons (the 100 x 100 grid of g_na and I tiled), float64 and float32: neuron-steps per second of the
/// kernel launches, each configuration run for about <see cref="SecondsPerConfiguration"/> (at least 1000 steps, at
/// most the full 10 s = 100,000 steps). Baseline in the same run: the CPU interpreter on every core of the machine
/// over the 10^4 grid. Also: the cold NVRTC compile and the cached start, and the 10,000-neuron sweep over its whole
/// 10 s on the GPU (compile included) against the interpreter. Compiled for the GPU machine by tests/gpu/run.sh.
/// </summary>
public static class GpuBenchmark
{
    private const double SecondsPerConfiguration = 4.0;

    /// <param name="emulate">The host emulation of the kernel (a dry run of this code without a GPU, up to 10^5 neurons).</param>
    public static int Run(string cache, bool emulate = false)
    {
        Console.WriteLine($"GPU: {(emulate ? "host emulation" : GpuAvailability.Require())}");
        string file = Path.Combine(AppContext.BaseDirectory, "examples", "hh_exploration.yaml");
        var experiment = ExperimentFile.Load(file);
        Console.WriteLine(CppCodeGenerator.Cost(experiment.Program).TrimStart('/', ' '));

        // Cold compile (empty cache) and cached start.
        GpuKernelCache.ClearMemory();
        string fresh = Path.Combine(cache, "bench-" + Guid.NewGuid().ToString("N"));
        using var compiled = CompiledModel.Compile(experiment.Program, new CompileOptions { Backend = Backend.Interpreted });
        double cold, warm;
        using (var group = Group(compiled, experiment, 10_000))
        {
            using (var g = GpuSimulation.FromGroup(group, new GpuOptions { KernelCacheDirectory = fresh, Emulate = emulate })) cold = g.CompileSeconds;
            GpuKernelCache.ClearMemory();
            using (var g = GpuSimulation.FromGroup(group, new GpuOptions { KernelCacheDirectory = fresh, Emulate = emulate })) warm = g.CompileSeconds;
        }
        Console.WriteLine($"NVRTC compile of the HH kernel (cold): {cold:F3} s; cached start: {warm:F4} s");

        // Baseline: the interpreter on all cores, 10^4 neurons, 2000 steps.
        double cpuRate;
        using (var group = Group(compiled, experiment, 10_000))
        {
            var watch = Stopwatch.StartNew();
            group.RunSteps(2000);
            cpuRate = 10_000.0 * 2000 / watch.Elapsed.TotalSeconds;
        }
        Console.WriteLine($"baseline: CPU interpreter, {Environment.ProcessorCount} threads: {cpuRate:0.00e+00} neuron-steps/s");
        Console.WriteLine();
        Console.WriteLine("| neurons | precision | steps | kernel s | neuron-steps/s | x CPU interpreter |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (int n in new[] { 10_000, 100_000, 1_000_000, 10_000_000 }.Where(n => !emulate || n <= 100_000))
            foreach (var precision in new[] { Precision.Float64, Precision.Float32 })
            {
                using var group = Group(compiled, experiment, n);
                using var gpu = GpuSimulation.FromGroup(group, new GpuOptions { Precision = precision, KernelCacheDirectory = cache, StepsPerLaunch = 1000, Emulate = emulate });
                gpu.RunSteps(1000); // warm-up and rate estimate
                double estimate = (double)n * 1000 / gpu.KernelSeconds;
                long steps = (long)Math.Clamp(SecondsPerConfiguration * estimate / n, 1000, 100_000) / 1000 * 1000;
                double before = gpu.KernelSeconds;
                gpu.RunSteps(steps);
                double seconds = gpu.KernelSeconds - before, rate = (double)n * steps / seconds;
                Console.WriteLine($"| {n:N0} | {precision} | {steps} | {seconds:F3} | {rate:0.00e+00} | {rate / cpuRate:F1} |");
            }

        // The whole 10 s sweep of 10^4 neurons: GPU (compile included) vs the interpreter.
        Console.WriteLine();
        long total = emulate ? 2000 : (long)Math.Round(experiment.Duration / experiment.Dt);
        double gpuSweep, cpuSweep;
        long gpuSpikes, cpuSpikes;
        GpuKernelCache.ClearMemory();
        using (var group = Group(compiled, experiment, experiment.N))
        {
            var watch = Stopwatch.StartNew();
            using var gpu = GpuSimulation.FromGroup(group, new GpuOptions { KernelCacheDirectory = fresh, StepsPerLaunch = 10_000, Emulate = emulate });
            gpu.RunSteps(total);
            gpuSpikes = gpu.SpikeCounts().Sum();
            gpuSweep = watch.Elapsed.TotalSeconds;
        }
        using (var group = Group(compiled, experiment, experiment.N))
        {
            var spikes = group.RecordSpikes();
            var watch = Stopwatch.StartNew();
            group.RunSteps(total);
            cpuSpikes = spikes.Count.Sum();
            cpuSweep = watch.Elapsed.TotalSeconds;
        }
        Console.WriteLine($"{total * experiment.Dt:G3} s sweep of {experiment.N} neurons: GPU {gpuSweep:F2} s (cached kernel, state copies included), " +
                          $"CPU interpreter {cpuSweep:F2} s ({cpuSweep / gpuSweep:F1}x); spikes {gpuSpikes} / {cpuSpikes}");
        Directory.Delete(fresh, recursive: true);
        return gpuSpikes == cpuSpikes ? 0 : 1;
    }

    /// <summary>n neurons of the experiment's sweep (the grid tiled), v = El.</summary>
    private static NeuronGroup Group(CompiledModel compiled, Experiment experiment, int n)
    {
        var group = compiled.CreateGroup(n, new GroupOptions { Dt = experiment.Dt, Seed = experiment.Seed });
        var sweep = experiment.Sweep!;
        var columns = sweep.Columns();
        for (int p = 0; p < columns.Count; p++)
            group.Set(sweep.Parameters[p].Name, Enumerable.Range(0, n).Select(i => columns[p][i % columns[p].Length]).ToArray());
        foreach (var initial in experiment.Initial) group.Set(initial.Variable, initial.Expression);
        return group;
    }
}
