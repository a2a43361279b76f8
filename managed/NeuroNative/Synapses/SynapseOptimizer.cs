using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using NeuroNative.Fitting.Optimizers;

namespace NeuroNative.Synapses;

/// <summary>A property to hit: a single-event key (amp, rise_time, decay_time, half_width, latency, current_integral,
/// baseline) or a train measure (ppr, induction, recovery) at <see cref="Frequency"/> Hz; SI values.</summary>
public sealed record SynapseTarget(string Property, double Value, double Weight = 1, double? Frequency = null);

/// <summary>One evaluation: the parameters tried, the properties achieved and the error.</summary>
public sealed record SynapseEvaluation(IReadOnlyDictionary<string, double> Parameters, IReadOnlyDictionary<string, double> Achieved, double Error);

public sealed record SynapseOptimizationResult(IReadOnlyDictionary<string, double> Parameters, IReadOnlyDictionary<string, double> Achieved,
    double Error, IReadOnlyList<SynapseEvaluation> History);

/// <summary>
/// bmtool's SynapseOptimizer: synapse parameters within bounds that minimise Σ weight·((achieved − target)/target)²
/// (each error normalised by its target). By default MathNet's Nelder–Mead simplex on the unit cube of the bounds
/// (folded back into it, so the search never leaves them), one evaluation at a time, from the middle of the bounds or
/// a seeded random point (bmtool's two starts). With <c>method</c> one of the fitting optimizers (DE, CMAES, PSO,
/// NelderMead, ...; docs/optimizers.md) each of their batches is one batched run of the tuner instead. A parameter
/// set whose response cannot be measured (no response, no peak) gets an infinite error.
/// </summary>
public static class SynapseOptimizer
{
    public static readonly IReadOnlyList<string> TrainProperties = ["ppr", "induction", "recovery"];

    public static SynapseOptimizationResult Optimize(SynapseTuner tuner, IReadOnlyList<SynapseTarget> targets,
        IReadOnlyDictionary<string, (double Lower, double Upper)> bounds, bool randomStart = false, ulong seed = 1,
        int maxEvaluations = 200, double recoveryDelay = 0.25, string? method = null, int? populationSize = null,
        CancellationToken cancellation = default)
    {
        if (targets.Count == 0) throw new SynapseException("give at least one target");
        foreach (var t in targets)
        {
            bool train = TrainProperties.Contains(t.Property);
            if (!train && !SingleEventProperties.Keys.Contains(t.Property))
                throw new SynapseException($"no property '{t.Property}' to target; the properties are " +
                    $"{string.Join(", ", SingleEventProperties.Keys.Concat(TrainProperties))}");
            if (train && t.Frequency is not > 0) throw new SynapseException($"target '{t.Property}' needs a frequency (Hz) > 0");
            if (t.Value == 0 || !double.IsFinite(t.Value)) throw new SynapseException($"target '{t.Property}' = {t.Value}: a target must be finite and non-zero (errors are relative to it)");
            if (!(t.Weight > 0)) throw new SynapseException($"target '{t.Property}' has weight {t.Weight}; weights must be > 0");
        }
        if (bounds.Count == 0) throw new SynapseException("give the bounds of at least one parameter");
        foreach (var (name, (lo, hi)) in bounds)
        {
            if (!(lo < hi)) throw new SynapseException($"bounds of '{name}': lo {lo} must be < hi {hi}");
            if (!tuner.Rig.Definition.Namespace.ContainsKey(name))
                throw new SynapseException($"'{name}' is not a parameter of the rig; it has {string.Join(", ", tuner.Rig.Definition.Namespace.Keys)}");
        }
        if (maxEvaluations < 1) throw new SynapseException($"max_evaluations {maxEvaluations} must be >= 1");
        var names = bounds.Keys.ToList();
        var history = new List<SynapseEvaluation>();
        void Evaluate(IReadOnlyList<Dictionary<string, double>> batch)
        {
            cancellation.ThrowIfCancellationRequested();
            var achieved = Achieved(tuner, targets, batch, recoveryDelay);
            for (int i = 0; i < batch.Count; i++)
            {
                double error = achieved[i] is { } a ? targets.Sum(t => t.Weight * Math.Pow((a[Key(t)] - t.Value) / t.Value, 2)) : double.PositiveInfinity;
                history.Add(new SynapseEvaluation(batch[i], achieved[i] ?? new Dictionary<string, double>(), double.IsNaN(error) ? double.PositiveInfinity : error));
            }
        }
        if (method is null)
        {
            Dictionary<string, double> Parameters(Vector<double> x) => names.Select((n, j) =>
            {
                double u = Math.Abs(x[j] % 2); // fold onto [0, 1]: 1.2 -> 0.8, -0.3 -> 0.3
                u = u > 1 ? 2 - u : u;
                return (n, bounds[n].Lower + u * (bounds[n].Upper - bounds[n].Lower));
            }).ToDictionary(p => p.n, p => p.Item2);
            var random = new Random((int)(seed % int.MaxValue));
            var start = Vector<double>.Build.Dense(names.Count, _ => randomStart ? random.NextDouble() : 0.5);
            try
            {
                new NelderMeadSimplex(1e-10, maxEvaluations).FindMinimum(ObjectiveFunction.Value(x =>
                {
                    Evaluate([Parameters(x)]);
                    return history[^1].Error;
                }), start, Vector<double>.Build.Dense(names.Count, 0.1));
            }
            catch (MaximumIterationsException)
            {
                // the budget is spent: the best evaluation so far is the answer
            }
        }
        else
        {
            var optimizer = OptimizerFactory.Create(method);
            int n = optimizer.Initialize(new ParameterSpace(names.Select(k => new Parameter(k, bounds[k].Lower, bounds[k].Upper))), populationSize, seed);
            for (int round = 0; round < Math.Max(1, maxEvaluations / n); round++)
            {
                var batch = optimizer.Ask();
                int first = history.Count;
                Evaluate([.. batch.Select(x => names.Select((k, j) => (k, x[j])).ToDictionary(p => p.k, p => p.Item2))]);
                optimizer.Tell(batch, [.. history.Skip(first).Select(h => h.Error)]);
            }
        }
        var best = history.MinBy(h => h.Error)!;
        if (double.IsInfinity(best.Error))
            throw new SynapseException($"none of the {history.Count} parameter sets tried gave a measurable response; check the bounds");
        return new SynapseOptimizationResult(best.Parameters, best.Achieved, best.Error, history);
    }

    private static string Key(SynapseTarget t) => t.Frequency is { } f && TrainProperties.Contains(t.Property) ? $"{t.Property}@{f}Hz" : t.Property;

    /// <summary>The targeted properties of each set, measured in one batched run per protocol; null for a set whose
    /// response cannot be measured (the batch is then measured set by set to find which).</summary>
    private static Dictionary<string, double>?[] Achieved(SynapseTuner tuner, IReadOnlyList<SynapseTarget> targets,
        IReadOnlyList<Dictionary<string, double>> batch, double recoveryDelay)
    {
        var result = batch.Select(_ => (Dictionary<string, double>?)new Dictionary<string, double>()).ToArray();
        IReadOnlyList<T?> PerSet<T>(Func<IReadOnlyList<IReadOnlyDictionary<string, double>>, IReadOnlyList<T>> run) where T : class
        {
            try { return run(batch); }
            catch (SynapseException) when (batch.Count > 1)
            {
                return [.. batch.Select(set =>
                {
                    try { return run([set])[0]; }
                    catch (SynapseException) { return null; }
                })];
            }
            catch (SynapseException) { return [null]; }
        }
        var singles = targets.Where(t => !TrainProperties.Contains(t.Property)).ToList();
        if (singles.Count > 0)
        {
            var measured = PerSet(sets => tuner.SingleEvent(sets));
            for (int i = 0; i < batch.Count; i++)
                if (measured[i] is { } m) foreach (var t in singles) result[i]![t.Property] = m.Properties[t.Property];
                else result[i] = null;
        }
        var freqs = targets.Where(t => TrainProperties.Contains(t.Property)).Select(t => t.Frequency!.Value).Distinct().ToList();
        if (freqs.Count > 0)
        {
            var measured = PerSet(sets => tuner.FrequencyResponse(freqs, recoveryDelay, sets).Trains);
            for (int i = 0; i < batch.Count; i++)
            {
                if (measured[i] is not { } trains || result[i] is null) { result[i] = null; continue; }
                foreach (var t in targets.Where(t => TrainProperties.Contains(t.Property)))
                {
                    var train = trains[freqs.IndexOf(t.Frequency!.Value)];
                    result[i]![Key(t)] = t.Property switch { "ppr" => train.Ppr, "induction" => train.Induction, _ => train.Recovery };
                }
            }
        }
        return result;
    }
}
