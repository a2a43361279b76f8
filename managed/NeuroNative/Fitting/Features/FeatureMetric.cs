namespace NeuroNative.Fitting.Features;

/// <summary>
/// brian2modelfitting's FeatureMetric with NeuroNative's own features (<see cref="TraceFeatures"/>) in place of eFEL's:
/// per simulated trace the sum over the features of weight · combine(model value, data value), combine by default
/// |model − data| in SI (as there), averaged over the traces (brian2modelfitting sums them: the same optimum). A
/// feature undefined (NaN) in both traces adds 0; undefined in one of them adds weight · <see cref="MissingError"/>.
/// <see cref="StimulusTimes"/>: the stimulus window [start, end) (s) of every trace, or one for all.
/// </summary>
public sealed class FeatureMetric : ITraceMetric
{
    public FeatureMetric(IReadOnlyList<(double Start, double End)> stimulusTimes, IReadOnlyList<TraceFeature> features,
        IReadOnlyDictionary<string, double>? weights = null, Func<double, double, double>? combine = null, double missingError = 1,
        double spikeThreshold = -20e-3, double normalization = 1)
    {
        ArgumentNullException.ThrowIfNull(stimulusTimes);
        ArgumentNullException.ThrowIfNull(features);
        if (stimulusTimes.Count == 0) throw new FitException("stim_times: give the stimulus window of every trace, or one for all");
        if (features.Count == 0) throw new FitException("feat_list: give at least one feature");
        foreach (var (name, _) in (weights ?? new Dictionary<string, double>()).Where(w => features.All(f => f.Name != w.Key)))
            throw new FitException($"weights.{name}: not one of the metric's features ({string.Join(", ", features.Select(f => f.Name))})");
        if (weights?.FirstOrDefault(w => !double.IsFinite(w.Value) || w.Value < 0) is { Key: not null } bad)
            throw new FitException($"weights.{bad.Key}: must be a finite number of 0 or more, not {bad.Value}");
        if (!(missingError >= 0) || !double.IsFinite(missingError)) throw new FitException($"missing_error: must be a finite number of 0 or more, not {missingError}");
        if (!(normalization != 0) || !double.IsFinite(normalization)) throw new FitException($"normalization: must be a finite non-zero number, not {normalization}");
        StimulusTimes = stimulusTimes;
        Features = features;
        Weights = features.ToDictionary(f => f.Name, f => weights is not null && weights.TryGetValue(f.Name, out double w) ? w : 1);
        Combine = combine ?? ((x, y) => Math.Abs(x - y));
        MissingError = missingError;
        SpikeThreshold = spikeThreshold;
        Normalization = normalization;
    }

    /// <summary>The features by name from <see cref="TraceFeatures"/>.</summary>
    public FeatureMetric(IReadOnlyList<(double Start, double End)> stimulusTimes, IReadOnlyList<string> features,
        IReadOnlyDictionary<string, double>? weights = null) : this(stimulusTimes, [.. features.Select(TraceFeatures.Get)], weights) { }

    public IReadOnlyList<(double Start, double End)> StimulusTimes { get; }
    public IReadOnlyList<TraceFeature> Features { get; }
    public IReadOnlyDictionary<string, double> Weights { get; }
    public Func<double, double, double> Combine { get; }
    public double MissingError { get; }
    public double SpikeThreshold { get; }
    /// <summary>The optimizer sees error / normalization.</summary>
    public double Normalization { get; }

    /// <summary>The features of one trace of the trace index <paramref name="trace"/> (for its stimulus window).</summary>
    public double[] Values(IReadOnlyList<double> samples, int trace, double dt)
    {
        var (start, end) = StimulusTimes[StimulusTimes.Count == 1 ? 0 : trace];
        var analysis = new TraceAnalysis(samples, dt, start, end, SpikeThreshold);
        return [.. Features.Select(f => f.Compute(analysis))];
    }

    public double[] PerTrace(IReadOnlyList<double[]> simulated, Traces target, double dt)
    {
        if (StimulusTimes.Count != 1 && StimulusTimes.Count != target.Count)
            throw new FitException($"stim_times: {StimulusTimes.Count} stimulus windows for {target.Count} traces; give one per trace or one for all");
        var data = Enumerable.Range(0, target.Count).Select(r => Values(target.Rows[r], r, dt)).ToArray();
        var errors = new double[simulated.Count];
        for (int j = 0; j < errors.Length; j++)
        {
            int r = j % target.Count;
            var model = Values(simulated[j], r, dt);
            double sum = 0;
            for (int f = 0; f < model.Length; f++)
            {
                bool m = double.IsNaN(model[f]), d = double.IsNaN(data[r][f]);
                sum += Weights[Features[f].Name] * (m && d ? 0 : m || d ? MissingError : Combine(model[f], data[r][f]));
            }
            errors[j] = sum;
        }
        return errors;
    }

    public double Normalize(double error) => error / Normalization;

    public double Unnormalized(double normalized) => normalized * Normalization;
}
