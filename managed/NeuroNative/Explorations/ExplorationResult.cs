using NeuroNative.Experiments;

namespace NeuroNative.Explorations;

/// <summary>One explored parameter: its name, the values it takes (in the unit named by
/// <see cref="Unit"/>; "" for unitless dynamics) and the model variables it is assigned to.</summary>
public sealed record ExplorationAxis(string Name, IReadOnlyList<double> ExploredValues, string Unit, IReadOnlyList<string> Targets);

/// <summary>Per output variable of one condition, over the steady-state window (the samples after the cutoff).</summary>
/// <param name="DominantFrequency">In cycles per unit of model time (Hz for Brian models); docs/explorations.md
/// defines it; 0 for a constant series.</param>
public sealed record OutputSummary(double Min, double Max, double Mean, double PeakToPeak, double DominantFrequency);

/// <summary>What one condition did: <see cref="Outputs"/> for recorded variables, spike count and rate (per unit
/// of model time) for spiking models.</summary>
public sealed record ConditionSummary(int Condition, IReadOnlyDictionary<string, OutputSummary> Outputs, long? SpikeCount, double? Rate);

/// <summary>
/// The result of one exploration, as TVB-O's ExplorationResult and PyRates' grid_search give it: the axes, the
/// sampled time series of every condition (<c>Results[cond, time, var]</c>), the condition ↔ parameter
/// values map and a summary per condition.
/// </summary>
public sealed class ExplorationResult
{
    public required string Name { get; init; }
    public required IReadOnlyList<ExplorationAxis> Axes { get; init; }
    public required SweepMode Mode { get; init; }
    /// <summary>The recorded variables or output expressions, in <see cref="Results"/>' last index order.</summary>
    public required IReadOnlyList<string> OutputNames { get; init; }
    /// <summary>The sampling step, in model time units (seconds for Brian models).</summary>
    public required double Dt { get; init; }
    /// <summary>"" for unitless dynamics, "s" for Brian models.</summary>
    public required string TimeUnit { get; init; }
    /// <summary>The time of each sample kept (the cutoff dropped).</summary>
    public required double[] Time { get; init; }
    /// <summary>Per output, its samples condition by condition: [cond * Samples + sample].</summary>
    public required IReadOnlyList<double[]> Series { get; init; }
    /// <summary>Per condition, each axis' value (PyRates' results_map).</summary>
    public required IReadOnlyList<IReadOnlyDictionary<string, double>> ConditionValues { get; init; }
    public required IReadOnlyList<ConditionSummary> Summaries { get; init; }

    public int Conditions => ConditionValues.Count;
    public int Samples => Time.Length;

    /// <summary>The time series as one [cond, time, var] array view.</summary>
    public ResultsView Results => new(this);

    /// <summary>Output <paramref name="output"/> of condition <paramref name="condition"/> over time.</summary>
    public ReadOnlySpan<double> TimeSeries(int condition, string output)
    {
        int k = OutputIndex(output);
        return Series[k].AsSpan(condition * Samples, Samples);
    }

    public int OutputIndex(string output)
    {
        for (int k = 0; k < OutputNames.Count; k++)
            if (OutputNames[k] == output) return k;
        throw new ArgumentException($"'{output}' is not an output of exploration '{Name}' (outputs: {string.Join(", ", OutputNames)})", nameof(output));
    }

    public override string ToString() =>
        $"ExplorationResult(name='{Name}', grid={string.Join("x", Axes.Select(a => a.ExploredValues.Count))}, timeseries=({Conditions}, {Samples}, {OutputNames.Count}))";

    /// <summary><c>Results[cond, time, var]</c> without copying.</summary>
    public readonly struct ResultsView(ExplorationResult result)
    {
        public double this[int condition, int sample, int output] => result.Series[output][condition * result.Samples + sample];
        /// <summary>(conditions, samples, outputs).</summary>
        public (int, int, int) Shape => (result.Conditions, result.Samples, result.OutputNames.Count);
    }
}
