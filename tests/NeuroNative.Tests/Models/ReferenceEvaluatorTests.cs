using NeuroNative.Backends.Reference;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using Xunit;

namespace NeuroNative.Tests.Models;

/// <summary>
/// Issue acceptance: stepping the managed reference evaluator of the IR reproduces Brian 2's
/// deterministic reference results (same method and dt).
/// </summary>
[Trait("Category", "CodegenIndependent")]
public class ReferenceEvaluatorTests
{
    /// <summary>The managed evaluator is slow: on the 400-neuron HH grids it runs the traced neurons
    /// and every 9th other one (still covering silent, slow and fast neurons).</summary>
    internal static IReadOnlyList<int> NeuronsFor(ReferenceScenario s)
    {
        if (s.Neurons <= 50) return Enumerable.Range(0, s.Neurons).ToList();
        var traced = ReferenceComparison.TracedColumns(s).Select(c => c.Neuron);
        return traced.Concat(Enumerable.Range(0, s.Neurons).Where(i => i % 9 == 4)).Distinct().Order().ToList();
    }

    [Theory]
    [MemberData(nameof(ReferenceScenario.Cases), MemberType = typeof(ReferenceScenario))]
    public void ReproducesBrian2(string @case)
    {
        var s = ReferenceScenario.Get(@case);
        var result = Run(s, NeuronsFor(s));
        ReferenceComparison.AssertMatches(s, result);
    }

    internal static IScenarioResult Run(ReferenceScenario s, IReadOnlyList<int> neurons)
    {
        var program = IntegrationMethods.Derive(ModelAnalyzer.Analyze(s.Model));
        var sim = new ReferenceSimulator(program, neurons.Count, s.Dt);
        foreach (var (name, values) in s.PerNeuron)
        {
            var target = sim.ParameterArray(name);
            for (int k = 0; k < neurons.Count; k++) target[k] = values[neurons[k]];
        }
        foreach (var (name, expression) in s.Initial) sim.SetFromExpression(name, expression);

        var monitors = new Dictionary<(string, int), int>();
        foreach (var trace in s.Traces)
            foreach (var variable in ReferenceComparison.TracedColumns(s).Select(c => c.Variable).Distinct())
                monitors.TryAdd((variable, trace.Every), sim.Monitor(variable, Enumerable.Range(0, neurons.Count).ToList(), trace.Every));
        sim.Run(s.Steps);
        return new Result(sim, neurons, monitors);
    }

    private sealed class Result(ReferenceSimulator sim, IReadOnlyList<int> neurons,
        Dictionary<(string, int), int> monitors) : IScenarioResult
    {
        public IReadOnlyList<int> Neurons => neurons;

        public double[] Trace(string variable, int neuron, int every)
        {
            int k = IndexOf(neuron);
            return sim.MonitorData(monitors[(variable, every)]).Samples.Select(row => row[k]).ToArray();
        }

        public double Final(string variable, int neuron) => sim.Evaluate(variable)[IndexOf(neuron)];

        public long[] SpikeCounts =>
            neurons.Select((_, k) => (long)sim.Spikes.Count(sp => sp.Index == k)).ToArray();

        public IReadOnlyList<(long Index, double Time)> Spikes =>
            sim.Spikes.Select(sp => ((long)neurons[(int)sp.Index], sp.Time)).ToList();

        private int IndexOf(int neuron)
        {
            for (int k = 0; k < neurons.Count; k++)
                if (neurons[k] == neuron) return k;
            throw new ArgumentException($"neuron {neuron} was not simulated");
        }
    }
}
