using MathNet.Numerics;

namespace NeuroNative.Synapses;

/// <summary>A synapse protocol or its measurement failed (no response, a property that does not exist, bounds, ...).</summary>
public sealed class SynapseException(string message) : Exception(message);

/// <summary>How the properties are measured (docs/synapses.md). <see cref="BmtoolCompatible"/> reproduces bmtool's
/// SynapseTuner numbers, including its off-by-the-start-index half width, its sample-count rise time and its
/// baseline from the one sample at the event.</summary>
public sealed record MetricOptions
{
    /// <summary>bmtool's <c>rise_interval</c>: the fractions of the peak between which the rise time is measured.</summary>
    public (double Low, double High) RiseInterval { get; init; } = (0.2, 0.8);
    /// <summary>The baseline is the mean over this many seconds before the stimulus (fewer when the run is shorter).</summary>
    public double BaselineWindow { get; init; } = 5e-3;
    public bool BmtoolCompatible { get; init; }
}

/// <summary>
/// bmtool's single-event properties of a signal, SI: <see cref="Baseline"/> (signal units), <see cref="Sign"/> of the
/// response, <see cref="Latency"/> (s from the event to the first sample that rises), <see cref="Amplitude"/> (the
/// peak of Sign·(signal − baseline), ≥ 0), <see cref="RiseTime"/> (between the rise-interval fractions),
/// <see cref="DecayTime"/> (time constant of an exponential fitted from the peak), <see cref="HalfWidth"/>,
/// <see cref="CurrentIntegral"/> (signal − baseline integrated over the record, signal units · s; bmtool's pA·ms
/// for a current). Also the peak time, the 10 % latency and the rise-interval crossing times.
/// </summary>
public sealed record SingleEventProperties(double Baseline, int Sign, double Latency, double Amplitude, double RiseTime,
    double DecayTime, double HalfWidth, double CurrentIntegral)
{
    public double PeakTime { get; init; }
    public double Latency10 { get; init; }
    public double DecayFitAmplitude { get; init; }

    /// <summary>The value of one of bmtool's keys (baseline, sign, latency, amp, rise_time, decay_time, half_width,
    /// current_integral).</summary>
    public double this[string key] => key switch
    {
        "baseline" => Baseline,
        "sign" => Sign,
        "latency" => Latency,
        "amp" => Amplitude,
        "rise_time" => RiseTime,
        "decay_time" => DecayTime,
        "half_width" => HalfWidth,
        "current_integral" => CurrentIntegral,
        _ => throw new SynapseException($"no single-event property '{key}'; the properties are {string.Join(", ", Keys)}"),
    };

    public static IReadOnlyList<string> Keys { get; } =
        ["baseline", "sign", "latency", "amp", "rise_time", "decay_time", "half_width", "current_integral"];
}

/// <summary>Per-pulse amplitudes of a train and bmtool's short-term plasticity measures of them.</summary>
public sealed record TrainProperties(IReadOnlyList<double> Amplitudes)
{
    /// <summary>Paired-pulse ratio A2/A1.</summary>
    public double Ppr => Amplitudes[1] / Amplitudes[0];
    /// <summary>(mean A6..A8 − A1)/max A.</summary>
    public double Induction => (Mean(5, 8) - Amplitudes[0]) / Amplitudes.Max();
    /// <summary>(mean A9..A12 − mean A1..A4)/max A.</summary>
    public double Recovery => (Mean(8, 12) - Mean(0, 4)) / Amplitudes.Max();

    private double Mean(int from, int to)
    {
        if (Amplitudes.Count < to)
            throw new SynapseException($"the measure needs {to} pulse amplitudes; the train has {Amplitudes.Count}");
        return Amplitudes.Skip(from).Take(to - from).Average();
    }
}

/// <summary>The measurements of docs/synapses.md on sampled signals (sample k at t = k·dt).</summary>
public static class SynapseMetrics
{
    /// <summary>The baseline before the event at <paramref name="stimulus"/>: the mean over the baseline window
    /// before it, or bmtool's sample at floor(stimulus/dt).</summary>
    public static double Baseline(ReadOnlySpan<double> y, double dt, double stimulus, MetricOptions options)
    {
        int ks = StimulusIndex(dt, stimulus, options, y.Length);
        if (options.BmtoolCompatible) return y[ks];
        int from = Math.Max(0, (int)Math.Ceiling((stimulus - options.BaselineWindow) / dt - 1e-9));
        if (ks <= from) throw new SynapseException($"no samples before the event at {stimulus} s to take a baseline from; start it later");
        double sum = 0;
        for (int k = from; k < ks; k++) sum += y[k];
        return sum / (ks - from);
    }

    /// <summary>The first sample at or after the stimulus (bmtool: floor(stimulus/dt)).</summary>
    private static int StimulusIndex(double dt, double stimulus, MetricOptions options, int length)
    {
        double exact = stimulus / dt;
        int k = options.BmtoolCompatible ? (int)Math.Floor(exact + 1e-9) : (int)Math.Ceiling(exact - 1e-9);
        if (k < 0 || k >= length - 2)
            throw new SynapseException($"the event at {stimulus} s is outside the record of {length} samples of {dt} s");
        return k;
    }

    /// <summary>bmtool's single-event properties of signal <paramref name="y"/> for an event at <paramref name="stimulus"/>;
    /// <paramref name="integrated"/> (default: y) is the signal whose baseline-subtracted integral is reported
    /// (bmtool integrates the synaptic current with the clamp current's baseline).</summary>
    public static SingleEventProperties SingleEvent(ReadOnlySpan<double> y, double dt, double stimulus, MetricOptions? options = null,
        double[]? integrated = null)
    {
        options ??= new MetricOptions();
        var (r0, r1) = options.RiseInterval;
        if (!(r0 > 0 && r0 < r1 && r1 < 1))
            throw new SynapseException($"rise_interval [{r0}, {r1}] must be two fractions with 0 < low < high < 1");
        bool bm = options.BmtoolCompatible;
        int ks = StimulusIndex(dt, stimulus, options, y.Length);
        double baseline = Baseline(y, dt, stimulus, options);
        int n = y.Length - ks;
        var s = new double[n];
        int kmax = 0;
        for (int k = 0; k < n; k++)
        {
            s[k] = y[ks + k] - baseline;
            if (Math.Abs(s[k]) > Math.Abs(s[kmax])) kmax = k;
        }
        if (!(Math.Abs(s[kmax]) > 0) || double.IsNaN(s[kmax]))
            throw new SynapseException($"no response after the event at {stimulus} s: the signal stays at its baseline {baseline:G6}");
        int sign = Math.Sign(s[kmax]);
        for (int k = 0; k < n; k++) s[k] *= sign;
        // bmtool takes scipy's first local maximum; ours the largest value after the event (the same for one event
        // without noise, but a ripple in the rise cannot pass for the peak).
        int kp = bm ? FirstLocalMaximum(s) : kmax;
        if (kp < 0) throw new SynapseException($"no peak in the response after the event at {stimulus} s (it rises to the end of the run)");
        double peak = s[kp];
        int istart = 0;
        while (istart < kp && !(s[istart + 1] > s[istart])) istart++;
        double latency = dt * (istart + 1) + (ks * dt - stimulus);
        // the decay window: from the peak to the last sample before the signal rises again (bmtool's)
        int iend = kp;
        while (iend + 1 < n && !(s[iend + 1] > s[iend])) iend++;
        var (tau, amplitude) = FitExponential(s.AsSpan(kp, iend - kp + 1), dt, bm ? dt * (iend - kp + 1) / 2 : 5e-3);
        double riseTime, halfWidth, latency10;
        if (bm)
        {
            int rt1 = FirstAbove(s, istart, kp, r0 * peak), rt2 = FirstAbove(s, istart, kp, r1 * peak);
            riseTime = (rt2 - rt1) * dt;
            int hw1 = FirstAbove(s, istart, kp, 0.5 * peak);
            int hw2 = kp;
            while (hw2 < n && !(s[hw2] < 0.5 * peak)) hw2++;
            halfWidth = dt * (hw2 - hw1); // bmtool: hw1 counts from istart, hw2 from the event (its off-by-istart bug)
            latency10 = dt * FirstAbove(s, istart, kp, 0.1 * peak);
        }
        else
        {
            double Rising(double level) => ks * dt + Crossing(s, dt, level * peak, 0, kp, rising: true) - stimulus;
            riseTime = Rising(r1) - Rising(r0);
            double falling = Crossing(s, dt, 0.5 * peak, kp, n - 1, rising: false);
            if (double.IsNaN(falling))
                throw new SynapseException($"the response to the event at {stimulus} s does not fall below half its peak before the end of the run; run longer (tdur)");
            halfWidth = falling - Crossing(s, dt, 0.5 * peak, 0, kp, rising: true);
            latency10 = Rising(0.1);
        }
        var ints = integrated ?? y.ToArray();
        double integral = 0;
        for (int k = bm ? 1 : ks + 1; k < ints.Length; k++) integral += 0.5 * dt * (ints[k] + ints[k - 1] - 2 * baseline);
        return new SingleEventProperties(baseline, sign, latency, peak, riseTime, tau, halfWidth, integral)
        {
            PeakTime = (ks + kp) * dt,
            Latency10 = latency10,
            DecayFitAmplitude = amplitude,
        };
    }

    private static int FirstLocalMaximum(double[] s)
    {
        for (int k = 1; k + 1 < s.Length; k++)
        {
            if (!(s[k] > s[k - 1])) continue;
            int j = k; // a flat top counts once (scipy's find_peaks takes plateaus)
            while (j + 1 < s.Length && s[j + 1] == s[k]) j++;
            if (j + 1 < s.Length && s[j + 1] < s[k]) return (k + j) / 2;
        }
        return -1;
    }

    private static int FirstAbove(double[] s, int from, int to, double level)
    {
        for (int k = from; k <= to; k++) if (s[k] > level) return k - from;
        return to - from;
    }

    /// <summary>The time (from sample 0 of <paramref name="s"/>) where it first crosses <paramref name="level"/> in
    /// [from, to], rising (s[k−1] &lt; L ≤ s[k]) or falling (s[k−1] &gt; L ≥ s[k]), linearly interpolated; NaN if never.</summary>
    private static double Crossing(double[] s, double dt, double level, int from, int to, bool rising)
    {
        for (int k = Math.Max(from, 1); k <= to; k++)
        {
            double a = s[k - 1], b = s[k];
            if (rising ? a < level && level <= b : a > level && level >= b)
                return dt * (k - 1 + (level - a) / (b - a));
        }
        return double.NaN;
    }

    /// <summary>Least squares of A·exp(−t/tau) to samples dt apart: A is linear given tau, so tau minimises the
    /// projected residual (the optimum scipy's curve_fit converges to), found by a scan and a golden-section search on log tau.</summary>
    public static (double Tau, double Amplitude) FitExponential(ReadOnlySpan<double> y, double dt, double guess)
    {
        if (y.Length < 3) throw new SynapseException($"the decay has {y.Length} samples; an exponential fit needs at least 3 (run longer)");
        var samples = y.ToArray();
        (double Residual, double A) Project(double tau)
        {
            double se = 0, ee = 0, ss = 0;
            for (int k = 0; k < samples.Length; k++)
            {
                double e = Math.Exp(-k * dt / tau);
                se += samples[k] * e;
                ee += e * e;
                ss += samples[k] * samples[k];
            }
            return (ss - se * se / ee, se / ee);
        }
        double lo = Math.Log(dt / 100), hi = Math.Log(Math.Max(100 * dt * samples.Length, 10 * guess));
        // scan for the bracket first: the residual can be flat far from the optimum
        int best = 0;
        const int grid = 64;
        var values = new double[grid + 1];
        for (int j = 0; j <= grid; j++)
        {
            values[j] = Project(Math.Exp(lo + (hi - lo) * j / grid)).Residual;
            if (values[j] < values[best]) best = j;
        }
        double a = lo + (hi - lo) * Math.Max(0, best - 1) / grid, b = lo + (hi - lo) * Math.Min(grid, best + 1) / grid;
        double x = FindMinimum.OfScalarFunctionConstrained(z => Project(Math.Exp(z)).Residual, a, b, 1e-12, 10000);
        double tau = Math.Exp(x);
        return (tau, Project(tau).A);
    }

    /// <summary>bmtool's per-pulse amplitudes: the largest sign·(y − baseline) from each event's sample (floor((t + delay)/dt))
    /// to the next one's, the last to the end of the record.</summary>
    public static double[] PulseAmplitudes(ReadOnlySpan<double> y, double dt, IReadOnlyList<double> eventTimes, double baseline, int sign)
    {
        var starts = eventTimes.Select(t => (int)Math.Floor(t / dt + 1e-9)).Append(y.Length).ToArray();
        var amps = new double[eventTimes.Count];
        for (int i = 0; i < amps.Length; i++)
        {
            if (starts[i] >= starts[i + 1]) throw new SynapseException($"pulse {i + 1} at {eventTimes[i]} s has no samples before the next one or the end of the run");
            double best = double.NegativeInfinity;
            for (int k = starts[i]; k < starts[i + 1]; k++) best = Math.Max(best, sign * (y[k] - baseline));
            amps[i] = best;
        }
        return amps;
    }
}
