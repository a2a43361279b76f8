namespace NeuroNative.Fitting;

/// <summary>
/// A metric comparing simulated with recorded spike trains (brian2modelfitting's SpikeMetric): per simulated train an
/// error, averaged over the traces of a parameter set, then normalized for the optimizer. Implement it for a metric of
/// your own.
/// </summary>
public interface ISpikeMetric
{
    /// <summary>The error of each simulated train. <paramref name="simulated"/>[j] holds neuron j's first spike times (s)
    /// — the SPIKE_TIMES reducer's capacity — and <paramref name="counts"/>[j] its exact number of spikes, larger where
    /// the capacity was reached; neuron j is parameter set j / n_traces on trace j % n_traces, and
    /// <paramref name="target"/> has a train per trace.</summary>
    double[] PerTrace(IReadOnlyList<double[]> simulated, IReadOnlyList<long> counts, IReadOnlyList<double[]> target, double dt);

    /// <summary>The error the optimizer sees for a parameter set's mean error.</summary>
    double Normalize(double error);

    /// <summary>The error in the metric's own units, from what <see cref="Normalize"/> gave.</summary>
    double Unnormalized(double normalized);
}

/// <summary>
/// brian2modelfitting's GammaFactor (its metric.py, <c>get_gamma_factor</c>; Jolivet et al. 2008, with Clopath et al.
/// 2007's rate term): the error <c>rate_term − Γ</c>, clipped at 0, averaged over the traces; 0 for identical trains.
/// Spike times are rounded to steps of dt (half to even); each data spike is matched to its nearest model spike and
/// counts as a coincidence within <see cref="Delta"/> (rounded to steps);
/// Γ = (coincidences − 2·δ·n_data·r_data) / (½(1 − 2·r_data·δ)·(n_model + n_data)) with the rates r = n / <see cref="Time"/>;
/// rate_term = 1 + 2·|r_data − r_model| / r_data with <see cref="RateCorrection"/>, else 1. Only spikes after
/// <see cref="TStart"/> count (the rates still divide by Time, as there). Difference: brian2modelfitting multiplies
/// the error by 1/normalization twice; here the optimizer sees error / <see cref="Normalization"/> once.
/// A model train longer than the reducer's capacity has its exact count in the rates but only its first spikes matched.
/// </summary>
public sealed record GammaFactor : ISpikeMetric
{
    public GammaFactor(double delta, double time, double tStart = 0, double normalization = 1, bool rateCorrection = true)
    {
        if (!(delta > 0) || !double.IsFinite(delta)) throw new FitException($"delta: must be a positive time, not {delta}");
        if (!(time > 0) || !double.IsFinite(time)) throw new FitException($"time: must be a positive time (the experiment's length), not {time}");
        if (!(tStart >= 0) || !double.IsFinite(tStart)) throw new FitException($"t_start: must be a time of 0 or more, not {tStart}");
        if (!(normalization != 0) || !double.IsFinite(normalization)) throw new FitException($"normalization: must be a finite non-zero number, not {normalization}");
        Delta = delta;
        Time = time;
        TStart = tStart;
        Normalization = normalization;
        RateCorrection = rateCorrection;
    }

    public double Delta { get; }
    public double Time { get; }
    public double TStart { get; }
    public double Normalization { get; }
    public bool RateCorrection { get; }

    public double[] PerTrace(IReadOnlyList<double[]> simulated, IReadOnlyList<long> counts, IReadOnlyList<double[]> target, double dt)
    {
        var data = target.Select(t => t.Where(s => s > TStart).ToArray()).ToArray();
        var errors = new double[simulated.Count];
        for (int j = 0; j < errors.Length; j++)
        {
            var kept = simulated[j].Where(s => s > TStart).ToArray();
            long count = counts[j] - (simulated[j].Length - kept.Length);
            errors[j] = Error(kept, count, data[j % data.Length], dt);
        }
        return errors;
    }

    /// <summary>One model train (its first spikes and its exact count) against one data train.</summary>
    public double Error(IReadOnlyList<double> model, long modelCount, IReadOnlyList<double> data, double dt)
    {
        var m = model.Select(s => (long)Math.Round(s / dt, MidpointRounding.ToEven)).ToArray();
        long deltaSteps = (long)Math.Round(Delta / dt, MidpointRounding.ToEven);
        int coincidences = 0;
        foreach (double s in data)
        {
            long d = (long)Math.Round(s / dt, MidpointRounding.ToEven);
            if (m.Length == 0) break;
            // The nearest model spike; a data spike on the midpoint of two goes to the later (numpy's digitize).
            int hi = Array.BinarySearch(m, d);
            if (hi < 0) hi = ~hi;
            int nearest = hi == 0 ? 0 : hi == m.Length ? m.Length - 1 : d - m[hi - 1] < m[hi] - d ? hi - 1 : hi;
            if (Math.Abs(d - m[nearest]) <= deltaSteps) coincidences++;
        }
        double dataRate = data.Count / Time, modelRate = modelCount / Time;
        double expected = 2 * Delta * data.Count * dataRate;
        double norm = 0.5 * (1 - 2 * dataRate * Delta);
        double gamma = (coincidences - expected) / (norm * (modelCount + data.Count));
        double rateTerm = RateCorrection ? 1 + 2 * Math.Abs((dataRate - modelRate) / dataRate) : 1;
        return Math.Max(rateTerm - gamma, 0);
    }

    public double Normalize(double error) => error / Normalization;

    public double Unnormalized(double normalized) => normalized * Normalization;
}
