using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

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
/// (each error normalised by its target), by MathNet's Nelder–Mead simplex on the unit cube of the bounds (folded back
/// into it, so the search never leaves them), from the middle of the bounds or a seeded random point.
/// </summary>
public static class SynapseOptimizer
{
    public static readonly IReadOnlyList<string> TrainProperties = ["ppr", "induction", "recovery"];

    public static SynapseOptimizationResult Optimize(SynapseTuner tuner, IReadOnlyList<SynapseTarget> targets,
        IReadOnlyDictionary<string, (double Lower, double Upper)> bounds, bool randomStart = false, ulong seed = 1,
        int maxEvaluations = 200, double recoveryDelay = 0.25, CancellationToken cancellation = default)
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
        var names = bounds.Keys.ToList();
        var history = new List<SynapseEvaluation>();
        Dictionary<string, double> Parameters(Vector<double> x) => names.Select((n, j) =>
        {
            double u = Math.Abs(x[j] % 2); // fold onto [0, 1]: 1.2 -> 0.8, -0.3 -> 0.3
            u = u > 1 ? 2 - u : u;
            return (n, bounds[n].Lower + u * (bounds[n].Upper - bounds[n].Lower));
        }).ToDictionary(p => p.n, p => p.Item2);
        double Error(Vector<double> x)
        {
            cancellation.ThrowIfCancellationRequested();
            var p = Parameters(x);
            var achieved = Achieved(tuner, targets, p, recoveryDelay);
            double error = targets.Sum(t => t.Weight * Math.Pow((achieved[Key(t)] - t.Value) / t.Value, 2));
            history.Add(new SynapseEvaluation(p, achieved, error));
            return error;
        }
        var random = new Random((int)(seed % int.MaxValue));
        var start = Vector<double>.Build.Dense(names.Count, _ => randomStart ? random.NextDouble() : 0.5);
        try
        {
            new NelderMeadSimplex(1e-10, maxEvaluations).FindMinimum(ObjectiveFunction.Value(Error), start,
                Vector<double>.Build.Dense(names.Count, 0.1));
        }
        catch (MaximumIterationsException)
        {
            // the budget is spent: the best evaluation so far is the answer
        }
        var best = history.MinBy(h => h.Error)!;
        return new SynapseOptimizationResult(best.Parameters, best.Achieved, best.Error, history);
    }

    private static string Key(SynapseTarget t) => t.Frequency is { } f && TrainProperties.Contains(t.Property) ? $"{t.Property}@{f}Hz" : t.Property;

    private static Dictionary<string, double> Achieved(SynapseTuner tuner, IReadOnlyList<SynapseTarget> targets,
        IReadOnlyDictionary<string, double> parameters, double recoveryDelay)
    {
        var achieved = new Dictionary<string, double>();
        if (targets.Any(t => !TrainProperties.Contains(t.Property)))
        {
            var single = tuner.SingleEvent([parameters])[0].Properties;
            foreach (var t in targets.Where(t => !TrainProperties.Contains(t.Property))) achieved[t.Property] = single[t.Property];
        }
        var freqs = targets.Where(t => TrainProperties.Contains(t.Property)).Select(t => t.Frequency!.Value).Distinct().ToList();
        if (freqs.Count > 0)
        {
            var response = tuner.FrequencyResponse(freqs, recoveryDelay, [parameters]);
            foreach (var t in targets.Where(t => TrainProperties.Contains(t.Property)))
            {
                var train = response.Trains[0][freqs.IndexOf(t.Frequency!.Value)];
                achieved[Key(t)] = t.Property switch { "ppr" => train.Ppr, "induction" => train.Induction, _ => train.Recovery };
            }
        }
        return achieved;
    }
}
