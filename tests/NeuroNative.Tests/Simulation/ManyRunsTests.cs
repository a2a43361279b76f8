using NeuroNative.Models;
using NeuroNative.Tests.Backends;
using NeuroNative.Tests.Models;
using Xunit;

namespace NeuroNative.Tests.Simulation;

/// <summary>
/// One model, many runs: slices of a population with global neuron offsets, reset-and-rerun,
/// snapshots, and the native reducers — each checked bit for bit against the plain single run.
/// </summary>
public class ManyRunsTests
{
    /// <summary>The HH exploration model with membrane noise (Euler–Maruyama), a current that depends on
    /// i and N, and a random reset of m: every source of per-neuron numbers at once.</summary>
    internal static readonly ModelDefinition NoisyHh = new(
        ReferenceScenario.HhExplorationEquations.Replace("+ I)/Cm : volt", "+ I*(1 + i/N))/Cm + sigma*xi*ms**-0.5 : volt",
            StringComparison.Ordinal))
    {
        Namespace = new Dictionary<string, NamespaceValue>(ReferenceScenario.HhExplorationNamespace) { ["sigma"] = "1*mV" },
        Threshold = "v > -20*mV",
        Refractory = "v > -20*mV",
        Reset = "m = 0.05*rand()",
        Method = "euler",
    };

    /// <summary>A leaky integrate-and-fire model without noise, with i in the drive and a refractory period.</summary>
    internal static readonly ModelDefinition Lif = new("""
        dv/dt = (El - v + R*I*(1 + 0.5*i/N))/tau : volt (unless refractory)
        I : amp (constant)
        """)
    {
        Namespace = new Dictionary<string, NamespaceValue> { ["El"] = "-70*mV", ["R"] = "100*Mohm", ["tau"] = "10*ms" },
        Threshold = "v > -50*mV",
        Reset = "v = -70*mV",
        Refractory = "5*ms",
        Method = "exact",
    };

    private static void SetUp(NeuronGroup g, ModelDefinition model)
    {
        var global = Enumerable.Range(0, g.N).Select(j => (double)(g.Settings.FirstNeuron + j)).ToArray();
        if (model == NoisyHh)
        {
            g.Set("I", global.Select(x => 0.3e-9 + 0.4e-9 * (x % 97) / 97).ToArray());
            g.Set("g_na", global.Select(x => 1e-6 * (60 + 40 * (x % 13) / 13)).ToArray());
            g.Set("v", "El + 5*mV*rand()");
        }
        else
        {
            g.Set("I", global.Select(x => 0.1e-9 + 0.3e-9 * (x % 50) / 50).ToArray());
            g.Set("v", "El");
        }
    }

    internal sealed record Outputs(long[] Counts, long[] SpikeIndices, double[] SpikeTimes, double[][] V, double[][] Mse, long Step)
    {
        public void AssertIdentical(Outputs other)
        {
            Assert.Equal(Counts, other.Counts);
            Assert.Equal(SpikeIndices, other.SpikeIndices);
            Assert.Equal(SpikeTimes, other.SpikeTimes);
            Assert.Equal(Step, other.Step);
            Assert.Equal(V.Length, other.V.Length);
            for (int k = 0; k < V.Length; k++) Assert.Equal(V[k], other.V[k]);
            for (int k = 0; k < Mse.Length; k++) Assert.Equal(Mse[k], other.Mse[k]);
        }
    }

    private static double[] FlatTarget(int samples) => Enumerable.Range(0, samples).Select(k => -0.065 + 1e-4 * k).ToArray();

    /// <summary>Spikes, a v monitor on a few neurons, the final v and an MSE reducer of one group.</summary>
    private static (Outputs Result, NeuronGroup Group) Run(CompiledModel model, ModelDefinition def, int n, long first, long total,
        long steps, Action<NeuronGroup>? midway = null, long midwayStep = 0)
    {
        var g = model.CreateGroup(n, new GroupOptions { Dt = def == NoisyHh ? 1e-5 : 1e-4, Seed = 7, Threads = 2, FirstNeuron = first, TotalNeurons = total });
        SetUp(g, def);
        var spikes = g.RecordSpikes();
        var monitor = g.Record(["v"], [0, n / 2, n - 1], every: 7);
        var mse = g.MeanSquaredError("v", [FlatTarget((int)steps / 3 + 1)], every: 3);
        if (midway is not null)
        {
            g.RunSteps(midwayStep);
            midway(g);
            g.RunSteps(steps - g.Step);
        }
        else g.RunSteps(steps);
        var (indices, times) = spikes.Spikes;
        return (new Outputs(spikes.Count, indices, times, [.. monitor["v"].Values, g.Get("v")], [mse.Values], g.Step), g);
    }

    public static TheoryData<string, Backend> Cases() => new()
    {
        { "noisy_hh", Backend.Interpreted }, { "lif", Backend.Interpreted }, { "noisy_hh", Backend.Compiled }, { "lif", Backend.Compiled },
    };

    private static (CompiledModel Model, ModelDefinition Definition) Compile(string @case, Backend backend)
    {
        if (backend == Backend.Compiled) CompiledKernelTests.SkipWithoutCompiler();
        var def = @case == "noisy_hh" ? NoisyHh : Lif;
        var options = backend == Backend.Compiled
            ? new CompileOptions { Backend = Backend.Compiled, KernelCacheDirectory = CompiledKernelTests.Compiled.KernelCacheDirectory }
            : new CompileOptions { Backend = Backend.Interpreted };
        return (CompiledModel.Compile(def, options), def);
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void SlicesWithOffsetsReproduceTheWholePopulation(string @case, Backend backend)
    {
        var (model, def) = Compile(@case, backend);
        using var _ = model;
        const int n = 10_000;
        long steps = def == NoisyHh ? 600 : 2000;
        var (whole, g0) = Run(model, def, n, 0, 0, steps);
        var (a, g1) = Run(model, def, n / 2, 0, n, steps);
        var (b, g2) = Run(model, def, n / 2, n / 2, n, steps);
        using (g0) using (g1) using (g2)
        {
            Assert.True(whole.Counts.Sum() > 100, $"only {whole.Counts.Sum()} spikes: the test would not see spike differences");
            Assert.Equal(whole.Counts, a.Counts.Concat(b.Counts));
            Assert.Equal(whole.V[^1], a.V[^1].Concat(b.V[^1]));
            Assert.Equal(whole.Mse[0], a.Mse[0].Concat(b.Mse[0]));
            var merged = a.SpikeIndices.Select((x, k) => (a.SpikeTimes[k], x))
                .Concat(b.SpikeIndices.Select((x, k) => (b.SpikeTimes[k], x + n / 2))).OrderBy(s => s).ToList();
            Assert.Equal(whole.SpikeTimes, merged.Select(s => s.Item1));
            Assert.Equal(whole.SpikeIndices, merged.Select(s => s.Item2));
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ResetAndRerunEqualsAFreshGroup(string @case, Backend backend)
    {
        var (model, def) = Compile(@case, backend);
        using var _ = model;
        const int n = 2000;
        var (fresh, g0) = Run(model, def, n, 0, 0, 900);
        using (g0)
        {
            // A first batch with other parameters, then reset, set up as the fresh group was, rerun.
            var (_, g) = Run(model, def, n, 0, 0, 400);
            using (g)
            {
                g.Set("I", 0.9e-9);
                g.RunSteps(100);
                g.Reset();
                Assert.Equal(0, g.Step);
                SetUp(g, def);
                g.RunSteps(900);
                var spikes = g.RecordSpikes().Spikes;
                Assert.Equal(fresh.SpikeIndices, spikes.Indices);
                Assert.Equal(fresh.SpikeTimes, spikes.Times);
                Assert.Equal(fresh.V[^1], g.Get("v"));
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void SnapshotAndRestoreContinueBitForBit(string @case, Backend backend)
    {
        var (model, def) = Compile(@case, backend);
        using var _ = model;
        const int n = 1000;
        const long steps = 1200;
        long stop = new Random(@case.Length).Next(1, (int)steps);
        var (whole, g0) = Run(model, def, n, 0, 0, steps);
        byte[]? blob = null;
        var (_, g1) = Run(model, def, n, 0, 0, steps, g => blob = g.Snapshot(), stop);
        g1.Dispose();
        // A new group set up the same way (its own random initial values are overwritten by the snapshot).
        var (resumed, g2) = Run(model, def, n, 0, 0, steps, g => g.Restore(blob), 0);
        using (g0) using (g2) resumed.AssertIdentical(whole);
    }

    [Fact]
    public void RestoreRefusesAnotherModelNeuronCountOrMonitors()
    {
        using var lif = CompiledModel.Compile(Lif, new CompileOptions { Backend = Backend.Interpreted });
        using var hh = CompiledModel.Compile(NoisyHh, new CompileOptions { Backend = Backend.Interpreted });
        using var a = lif.CreateGroup(10);
        a.RunSteps(5);
        var blob = a.Snapshot();
        using var other = hh.CreateGroup(10);
        Assert.Contains("another model", Assert.Throws<ArgumentException>(() => other.Restore(blob)).Message);
        using var bigger = lif.CreateGroup(11);
        Assert.Contains("neurons [0, 10) of 10", Assert.Throws<ArgumentException>(() => bigger.Restore(blob)).Message);
        using var monitored = lif.CreateGroup(10);
        monitored.Record(["v"]);
        Assert.Contains("state monitors", Assert.Throws<ArgumentException>(() => monitored.Restore(blob)).Message);
        var damaged = (byte[])blob.Clone();
        damaged[^20] ^= 1;
        using var same = lif.CreateGroup(10);
        Assert.Contains("checksum", Assert.Throws<ArgumentException>(() => same.Restore(damaged)).Message);
        Assert.Contains("GRP1", Assert.Throws<ArgumentException>(() => same.Restore(new byte[3])).Message);
        same.Restore(blob);
        Assert.Equal(5, same.Step);
    }

    [Fact]
    public void AMonitorTurnedOffSkipsItsStepsAndASnapshotCarriesTheSwitch()
    {
        using var lif = CompiledModel.Compile(Lif, new CompileOptions { Backend = Backend.Interpreted });
        using var g = lif.CreateGroup(3);
        var m = g.Record(["v"], every: 2);
        g.RunSteps(5);             // samples at steps 0, 2, 4
        m.Enabled = false;
        g.RunSteps(4);             // none at 6, 8
        m.Enabled = true;
        g.RunSteps(3);             // 10
        Assert.Equal([0, 2, 4, 10], m.Times.Select(t => Math.Round(t / 1e-4)));
        Assert.Equal(4, m["v"].Values[2].Length);

        m.Enabled = false;
        var blob = g.Snapshot();
        using var on = lif.CreateGroup(3);
        on.Record(["v"], every: 2);
        Assert.Contains("is off in the snapshot but on in this simulation", Assert.Throws<ArgumentException>(() => on.Restore(blob)).Message);
        using var off = lif.CreateGroup(3);
        off.Record(["v"], every: 2).Enabled = false;
        off.Restore(blob);
        Assert.Equal(12, off.Step);
    }

    [SkippableTheory]
    [InlineData(Backend.Interpreted)]
    [InlineData(Backend.Compiled)]
    public void ReducersEqualWhatTheFullTracesGive(Backend backend)
    {
        if (backend == Backend.Compiled) CompiledKernelTests.SkipWithoutCompiler();
        var options = backend == Backend.Compiled ? CompiledKernelTests.Compiled : new SimulationOptions { Backend = Backend.Interpreted };
        const int n = 300, steps = 3000, every = 4;
        using var g = new NeuronGroup(n, Lif, options with { Threads = 2 });
        SetUp(g, Lif);
        var window = new TimeWindow(0.05, 0.25);
        long start = g.StepsFor(0.05), end = g.StepsFor(0.25);
        var spikes = g.RecordSpikes();
        var trace = g.Record(["v"], null, 1);
        var target = Enumerable.Range(0, 3).Select(r => Enumerable.Range(0, 1000).Select(k => -0.06 - 0.001 * r + 1e-6 * k).ToArray()).ToList();
        var count = g.ReduceSpikes(Reduction.SpikeCount, window);
        var rate = g.ReduceSpikes(Reduction.SpikeRate, window);
        var first = g.ReduceSpikes(Reduction.FirstSpike, window);
        var times = g.ReduceSpikes(Reduction.SpikeTimes, window, capacity: 3);
        var min = g.Reduce(Reduction.Min, "v", window, every);
        var max = g.Reduce(Reduction.Max, "v", window, every);
        var mean = g.Reduce(Reduction.Mean, "v", window, every);
        var variance = g.Reduce(Reduction.Variance, "v", window, every);
        var samples = g.Reduce(Reduction.Samples, "v", window, 100, capacity: 5);
        var mse = g.MeanSquaredError("v", target, new TimeWindow(0.05), every);
        g.RunSteps(steps);

        var v = trace["v"].Values;
        var trains = spikes.SpikeTrains();
        for (int i = 0; i < n; i++)
        {
            var inWindow = trains[i].Where(t => Math.Round(t / g.Dt) >= start && Math.Round(t / g.Dt) < end).ToList();
            Assert.Equal(inWindow.Count, count.Values[i]);
            Assert.Equal(inWindow.Count / ((end - start) * g.Dt), rate.Values[i], 12);
            Assert.Equal(inWindow.Count > 0 ? inWindow[0] : double.NaN, first.Values[i]);
            Assert.Equal(inWindow.Take(3).Concat(Enumerable.Repeat(double.NaN, Math.Max(0, 3 - inWindow.Count))), times.Rows[i]);
            var xs = Enumerable.Range(0, (int)(end - start)).Where(k => k % every == 0).Select(k => v[i][start + k]).ToList();
            Assert.Equal(xs.Min(), min.Values[i]);
            Assert.Equal(xs.Max(), max.Values[i]);
            Assert.Equal(xs.Average(), mean.Values[i], 1e-15);
            double m = xs.Average();
            Assert.Equal(xs.Sum(x => (x - m) * (x - m)) / xs.Count, variance.Values[i], 1e-18);
            Assert.Equal(Enumerable.Range(0, 5).Select(k => v[i][start + 100 * k]), samples.Rows[i]);
            // The window ends with the target traces: 1000 samples every 4 steps from step 500.
            var row = target[i % 3];
            double se = 0;
            for (int k = 0; k < 1000 && start + every * k < steps; k++) se += Math.Pow(v[i][start + every * k] - row[k], 2);
            int taken = (int)Math.Min(1000, (steps - start + every - 1) / every);
            Assert.Equal(se / taken, mse.Values[i], 1e-15);
        }
        Assert.True(count.Values.Sum() > 50, "the window should hold spikes");
    }

    [Fact]
    public void ReducerArgumentsAreChecked()
    {
        using var g = new NeuronGroup(4, Lif, new SimulationOptions { Backend = Backend.Interpreted });
        Assert.Contains("no variable 'vv'", Assert.Throws<ArgumentException>(() => g.Reduce(Reduction.Mean, "vv")).Message);
        Assert.Contains("reduces spikes", Assert.Throws<ArgumentException>(() => g.Reduce(Reduction.SpikeCount, "v")).Message);
        Assert.Contains("capacity", Assert.Throws<ArgumentException>(() => g.ReduceSpikes(Reduction.SpikeTimes)).Message);
        Assert.Contains("end_step", Assert.Throws<ArgumentException>(() => g.Reduce(Reduction.Max, "v", new TimeWindow(0.2, 0.1))).Message);
        g.RunSteps(10);
        Assert.Contains("already at step 10", Assert.Throws<ArgumentException>(() => g.Reduce(Reduction.Max, "v")).Message);
        Assert.All(g.Reduce(Reduction.Max, "v", new TimeWindow(0.5)).Values, x => Assert.True(double.IsNaN(x)));
    }

    /// <summary>Both backends compute the same numbers from the same description, so a snapshot taken on
    /// one continues on the other.</summary>
    [SkippableFact]
    public void ASnapshotMovesBetweenTheInterpreterAndTheCompiledBackend()
    {
        var (interpreted, def) = Compile("noisy_hh", Backend.Interpreted);
        var (compiled, _) = Compile("noisy_hh", Backend.Compiled);
        using (interpreted) using (compiled)
        {
            var (whole, g0) = Run(interpreted, def, 300, 0, 0, 800);
            byte[]? blob = null;
            var (_, g1) = Run(interpreted, def, 300, 0, 0, 800, g => blob = g.Snapshot(), 333);
            var (resumed, g2) = Run(compiled, def, 300, 0, 0, 800, g => g.Restore(blob), 0);
            using (g0) using (g1) using (g2) resumed.AssertIdentical(whole);
        }
    }

    /// <summary>Subexpressions are read and reduced natively, with the values a monitor records.</summary>
    [Fact]
    public void SubexpressionsCanBeReadAndReduced()
    {
        using var g = new NeuronGroup(50, NoisyHh, new SimulationOptions { Backend = Backend.Interpreted, Dt = 1e-5 });
        SetUp(g, NoisyHh);
        var monitor = g.Record(["alpha_m"], null, 5);
        var max = g.Reduce(Reduction.Max, "alpha_m", every: 5);
        g.RunSteps(400);
        var trace = monitor["alpha_m"].Values;
        Assert.Equal(trace.Select(t => t.Max()), max.Values);
        var now = g.Get("alpha_m");
        Assert.All(now, x => Assert.True(x > 0));
        Assert.Contains("subexpression", Assert.Throws<ArgumentException>(() => g.Set("alpha_m", 1.0)).Message);
    }
}
