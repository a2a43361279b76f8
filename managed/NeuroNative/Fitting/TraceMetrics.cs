namespace NeuroNative.Fitting;

/// <summary>
/// A metric comparing simulated with recorded traces (brian2modelfitting's TraceMetric): per simulated trace an
/// error (<see cref="PerTrace"/>), averaged over the traces of a parameter set, then normalized for the optimizer.
/// Implement it for a metric of your own.
/// </summary>
public interface ITraceMetric
{
    /// <summary>The error of each simulated trace: <paramref name="simulated"/> has a row per neuron (neuron j is
    /// parameter set j / n_traces on trace j % n_traces), <paramref name="target"/> a row per trace.</summary>
    double[] PerTrace(IReadOnlyList<double[]> simulated, Traces target, double dt);

    /// <summary>The error the optimizer sees for a parameter set's mean error.</summary>
    double Normalize(double error);

    /// <summary>The error in the metric's own units, from what <see cref="Normalize"/> gave.</summary>
    double Unnormalized(double normalized);
}

/// <summary>
/// brian2modelfitting's MSEMetric: the mean over time of (simulated − recorded)², averaged over the traces, from
/// <see cref="TStart"/> on, or weighted per sample by <see cref="TimeWeights"/> (normalized to mean 1; exclusive with
/// TStart). The traces are divided by <see cref="Normalization"/> before squaring, so the optimizer sees
/// MSE / normalization². Without weights the error is computed in the native core while the run goes (the MSE
/// reducer), in memory independent of the traces' length.
/// </summary>
public sealed record MSEMetric : ITraceMetric
{
    public MSEMetric(double tStart = 0, IReadOnlyList<double>? timeWeights = null, double normalization = 1)
    {
        if (!(tStart >= 0) || !double.IsFinite(tStart)) throw new FitException($"t_start: must be a time of 0 or more, not {tStart}");
        if (timeWeights is not null && tStart != 0) throw new FitException("t_weights and t_start cannot be combined (as in brian2modelfitting)");
        if (!(normalization != 0) || !double.IsFinite(normalization)) throw new FitException($"normalization: must be a finite non-zero number, not {normalization}");
        if (timeWeights is not null)
        {
            if (timeWeights.Any(w => !(w >= 0) || !double.IsFinite(w))) throw new FitException("t_weights: every weight must be a finite number of 0 or more");
            double mean = timeWeights.Average();
            if (mean == 0) throw new FitException("t_weights: the weights cannot all be zero");
            TimeWeights = [.. timeWeights.Select(w => w / mean)];
        }
        TStart = tStart;
        Normalization = normalization;
    }

    public double TStart { get; }
    /// <summary>Normalized weights (mean 1), or null.</summary>
    public IReadOnlyList<double>? TimeWeights { get; }
    public double Normalization { get; }

    public double[] PerTrace(IReadOnlyList<double[]> simulated, Traces target, double dt)
    {
        int first = (int)Math.Round(TStart / dt);
        var errors = new double[simulated.Count];
        for (int j = 0; j < simulated.Count; j++)
        {
            var model = simulated[j];
            var data = target.Rows[j % target.Count];
            if (TimeWeights is not null && TimeWeights.Count != data.Length)
                throw new FitException($"t_weights: {TimeWeights.Count} weights for traces of {data.Length} samples");
            double sum = 0;
            for (int k = first; k < data.Length; k++)
            {
                double d = model[k] - data[k];
                sum += TimeWeights is null ? d * d : d * d * TimeWeights[k];
            }
            errors[j] = sum / (data.Length - first);
        }
        return errors;
    }

    public double Normalize(double error) => error / (Normalization * Normalization);

    public double Unnormalized(double normalized) => normalized * Normalization * Normalization;
}
