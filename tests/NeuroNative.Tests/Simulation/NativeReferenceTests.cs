using NeuroNative.Models;
using NeuroNative.Tests.Backends;
using NeuroNative.Tests.Models;
using NeuroNative.Tests.Reference;
using Xunit;

namespace NeuroNative.Tests.Simulation;

/// <summary>
/// Issue acceptance for the native core through the C# API: every Brian 2 reference case with
/// identical spike counts and traces within 1e-6 of each variable's range, thread-count and seed
/// determinism, and the OU process's moments.
/// </summary>
public class NativeReferenceTests
{
    internal static NeuronGroup Build(ReferenceScenario s, SimulationOptions? options = null)
    {
        var group = new NeuronGroup(s.Neurons, s.Model, (options ?? new SimulationOptions()) with { Dt = s.Dt });
        foreach (var (name, values) in s.PerNeuron) group.Set(name, values);
        foreach (var (name, expression) in s.Initial) group.Set(name, expression);
        return group;
    }

    internal static IScenarioResult Run(ReferenceScenario s, SimulationOptions? options = null)
    {
        var group = Build(s, options);
        var spikes = group.RecordSpikes();
        var variables = ReferenceComparison.TracedColumns(s).Select(c => c.Variable).Distinct().ToList();
        var monitors = s.Traces.Select(t => t.Every).Distinct()
            .ToDictionary(every => every, every => group.Record(variables, null, every));
        group.Run(s.Steps * s.Dt);
        return new Result(group, spikes, monitors);
    }

    [Theory]
    [MemberData(nameof(ReferenceScenario.Cases), MemberType = typeof(ReferenceScenario))]
    public void ReproducesBrian2(string @case)
    {
        var s = ReferenceScenario.Get(@case);
        ReferenceComparison.AssertMatches(s, Run(s, new SimulationOptions { Threads = 2 }));
    }

    /// <summary>Every case on the compiled backend (the kernels are cached in a folder of this test run).</summary>
    [SkippableTheory]
    [MemberData(nameof(ReferenceScenario.Cases), MemberType = typeof(ReferenceScenario))]
    public void CompiledBackendReproducesBrian2(string @case)
    {
        CompiledKernelTests.SkipWithoutCompiler();
        var s = ReferenceScenario.Get(@case);
        ReferenceComparison.AssertMatches(s, Run(s, CompiledKernelTests.Compiled with { Threads = 2 }));
    }

    /// <summary>Compiled kernels compute the interpreter's numbers bit for bit (same IR, same operation order).</summary>
    [SkippableTheory]
    [InlineData("hh_exploration_small_nA")]
    [InlineData("adex_dt0.1")]
    [InlineData("lif_refractory_euler")]
    [InlineData("vanderpol_rk4")]
    [InlineData("jansen_rit")]
    [InlineData("exact_biexp_lif")]
    public void CompiledIsBitIdenticalWithTheInterpreter(string @case)
    {
        CompiledKernelTests.SkipWithoutCompiler();
        var s = ReferenceScenario.Get(@case);
        AssertBitIdentical(s, Run(s, new SimulationOptions { Backend = Backend.Interpreted }), Run(s, CompiledKernelTests.Compiled));
    }

    [Theory]
    [InlineData("hh_exploration_small_nA", Backend.Interpreted)]
    [InlineData("adex_dt0.1", Backend.Interpreted)]
    [InlineData("jansen_rit", Backend.Interpreted)]
    [InlineData("hh_exploration_small_nA", Backend.Compiled)]
    [InlineData("adex_dt0.1", Backend.Compiled)]
    public void OneAndTwoThreadsAreBitIdentical(string @case, Backend backend)
    {
        if (backend == Backend.Compiled) CompiledKernelTests.SkipWithoutCompiler();
        var s = ReferenceScenario.Get(@case);
        var options = backend == Backend.Compiled ? CompiledKernelTests.Compiled : new SimulationOptions { Backend = backend };
        AssertBitIdentical(s, Run(s, options with { Threads = 1 }), Run(s, options with { Threads = 2 }));
    }

    private static void AssertBitIdentical(ReferenceScenario s, IScenarioResult one, IScenarioResult two)
    {
        Assert.Equal(one.SpikeCounts, two.SpikeCounts);
        Assert.Equal(one.Spikes, two.Spikes);
        foreach (var (variable, neuron) in ReferenceComparison.TracedColumns(s))
        {
            Assert.Equal(one.Trace(variable, neuron, s.Traces[0].Every), two.Trace(variable, neuron, s.Traces[0].Every));
            Assert.Equal(BitConverter.DoubleToInt64Bits(one.Final(variable, neuron)), BitConverter.DoubleToInt64Bits(two.Final(variable, neuron)));
        }
    }

    private static ModelDefinition Ou => new(ModelLanguageTests.OrnsteinUhlenbeck)
    {
        Namespace = ModelLanguageTests.OuNamespace,
        Method = "euler",
    };

    /// <summary>
    /// OU process, 10000 realisations, Euler–Maruyama, dt 0.1 ms, 200 ms: sample mean and variance at
    /// every ms within 5 standard errors of the scheme's exact expectations (reference ou_process):
    /// |mean - m| &lt; 5 sqrt(s/N), |var - s| &lt; 5 s sqrt(2/(N-1)). A check of statistics, not paths.
    /// </summary>
    [Fact]
    public void OrnsteinUhlenbeckMomentsMatchTheEulerMaruyamaExpectation()
    {
        var moments = ReferenceCase.Load("ou_process").ReadCsv("moments.csv");
        var expectedMean = moments.Column("mean_em_expected");
        var expectedVar = moments.Column("var_em_expected");
        const int n = 10000;
        using var group = new NeuronGroup(n, Ou, new SimulationOptions { Seed = 42, Threads = 2 });
        var monitor = group.Record(["v"], null, every: 10);
        group.Run(0.2);
        var trace = monitor["v"];
        int samples = trace.Times.Length;
        Assert.Equal(200, samples);
        for (int s = 1; s < samples; s++)
        {
            double mean = 0, sq = 0;
            for (int i = 0; i < n; i++) mean += trace.Values[i][s];
            mean /= n;
            for (int i = 0; i < n; i++) sq += (trace.Values[i][s] - mean) * (trace.Values[i][s] - mean);
            double variance = sq / n;
            Assert.True(Math.Abs(mean - expectedMean[s]) < 5 * Math.Sqrt(expectedVar[s] / n),
                $"t = {trace.Times[s]}: mean {mean}, expected {expectedMean[s]}");
            Assert.True(Math.Abs(variance - expectedVar[s]) < 5 * expectedVar[s] * Math.Sqrt(2.0 / (n - 1)),
                $"t = {trace.Times[s]}: variance {variance}, expected {expectedVar[s]}");
        }
    }

    [Fact]
    public void OneSeedGivesTheSameNumbersTwiceAndOnEveryThreadCount()
    {
        double[] Final(int threads, ulong seed)
        {
            using var group = new NeuronGroup(1000, Ou, new SimulationOptions { Seed = seed, Threads = threads });
            group.Run(0.02);
            return group.Get("v");
        }
        var a = Final(1, 7);
        Assert.Equal(a, Final(2, 7));
        Assert.Equal(a, Final(1, 7));
        Assert.NotEqual(a, Final(1, 8));
    }

    [Fact]
    public void RunCanBeContinued()
    {
        var s = ReferenceScenario.Get("adex_dt0.1");
        using var once = Build(s);
        var spikesOnce = once.RecordSpikes();
        once.Run(0.5);
        using var twice = Build(s);
        var spikesTwice = twice.RecordSpikes();
        twice.Run(0.2);
        twice.Run(0.3);
        Assert.Equal(spikesOnce.Count, spikesTwice.Count);
        Assert.Equal(once.Get("v"), twice.Get("v"));
        Assert.Equal(5000, twice.Step);
    }

    private sealed class Result(NeuronGroup group, SpikeMonitor spikes, Dictionary<int, StateMonitor> monitors) : IScenarioResult
    {
        public IReadOnlyList<int> Neurons { get; } = Enumerable.Range(0, group.N).ToList();

        public double[] Trace(string variable, int neuron, int every) => monitors[every][variable].Values[neuron];

        public double Final(string variable, int neuron) =>
            group.EvaluatePerNeuron(group.Model.CompileExpression(variable, "final value").Node)[neuron];

        public long[] SpikeCounts => spikes.Count;

        public IReadOnlyList<(long Index, double Time)> Spikes
        {
            get
            {
                var (indices, times) = spikes.Spikes;
                return indices.Zip(times).ToList();
            }
        }
    }
}
