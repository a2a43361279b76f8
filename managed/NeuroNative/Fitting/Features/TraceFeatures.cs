using NeuroNative.Models.Units;

namespace NeuroNative.Fitting.Features;

/// <summary>
/// One voltage trace read for features: sample k is the value at t = k·dt (SI), the stimulus on over
/// [<see cref="StimulusStart"/>, <see cref="StimulusEnd"/>). Spikes are the upward crossings of
/// <see cref="SpikeThreshold"/> inside the stimulus window (sample k − 1 below, sample k at or above), each with its
/// time (linearly interpolated between the two samples), its peak (the largest sample from the crossing until the trace
/// falls below the threshold again), its onset (going back from the crossing, the last sample whose rise from the
/// sample before is below <see cref="OnsetSlope"/>) and its trough (the smallest sample from the peak to the next
/// crossing, or to the stimulus end for the last spike). docs/fitting.md lists the features computed from these.
/// </summary>
public sealed class TraceAnalysis
{
    private readonly double[] _trace;
    private List<(double Time, int Onset, int Peak, int Trough)>? _spikes;

    public TraceAnalysis(IReadOnlyList<double> trace, double dt, double stimulusStart, double stimulusEnd,
        double spikeThreshold = -20e-3, double onsetSlope = 10)
    {
        ArgumentNullException.ThrowIfNull(trace);
        if (!(dt > 0)) throw new FitException($"dt: must be a positive time, not {dt}");
        if (!(stimulusStart >= 0) || !(stimulusEnd > stimulusStart))
            throw new FitException($"stim_times: [{stimulusStart}, {stimulusEnd}] s must have 0 <= start < end");
        _trace = [.. trace];
        Dt = dt;
        StimulusStart = stimulusStart;
        StimulusEnd = Math.Min(stimulusEnd, _trace.Length * dt);
        SpikeThreshold = spikeThreshold;
        OnsetSlope = onsetSlope;
    }

    public IReadOnlyList<double> Trace => _trace;
    public double Dt { get; }
    public double StimulusStart { get; }
    /// <summary>The stimulus end, at most the trace's end.</summary>
    public double StimulusEnd { get; }
    /// <summary>The spike detection threshold (V; eFEL's default −20 mV).</summary>
    public double SpikeThreshold { get; }
    /// <summary>The rise rate that marks a spike's onset (V/s; eFEL's default 10 mV/ms).</summary>
    public double OnsetSlope { get; }

    private int First => (int)Math.Ceiling(StimulusStart / Dt - 1e-9);
    private int End => Math.Min(_trace.Length, (int)Math.Ceiling(StimulusEnd / Dt - 1e-9));

    /// <summary>The mean of the samples before the stimulus; NaN when it starts at 0.</summary>
    public double Rest => First == 0 ? double.NaN : _trace.AsSpan(0, Math.Min(First, _trace.Length)).ToArray().Average();

    /// <summary>The mean over the last 10 % of the stimulus window (at least one sample).</summary>
    public double SteadyState
    {
        get
        {
            int end = End, start = Math.Max(First, end - Math.Max(1, (end - First) / 10));
            return start >= end ? double.NaN : _trace[start..end].Average();
        }
    }

    public IReadOnlyList<double> SpikeTimes => [.. Spikes.Select(s => s.Time)];
    public IReadOnlyList<double> Peaks => [.. Spikes.Select(s => _trace[s.Peak])];
    public IReadOnlyList<double> Onsets => [.. Spikes.Select(s => _trace[s.Onset])];
    public IReadOnlyList<double> Troughs => [.. Spikes.Select(s => _trace[s.Trough])];
    public IReadOnlyList<double> Intervals => [.. SpikeTimes.Zip(SpikeTimes.Skip(1), (a, b) => b - a)];

    private List<(double Time, int Onset, int Peak, int Trough)> Spikes => _spikes ??= Detect();

    private List<(double Time, int Onset, int Peak, int Trough)> Detect()
    {
        var crossings = new List<int>();
        for (int k = Math.Max(First, 1); k < End; k++)
            if (_trace[k - 1] < SpikeThreshold && _trace[k] >= SpikeThreshold) crossings.Add(k);
        var spikes = new List<(double, int, int, int)>(crossings.Count);
        for (int c = 0; c < crossings.Count; c++)
        {
            int k = crossings[c];
            double time = (k - 1 + (SpikeThreshold - _trace[k - 1]) / (_trace[k] - _trace[k - 1])) * Dt;
            int peak = k;
            for (int j = k; j < _trace.Length && _trace[j] >= SpikeThreshold; j++)
                if (_trace[j] > _trace[peak]) peak = j;
            int onset = k - 1;
            while (onset > 0 && (_trace[onset] - _trace[onset - 1]) / Dt >= OnsetSlope) onset--;
            int stop = c + 1 < crossings.Count ? crossings[c + 1] : End;
            int trough = peak;
            for (int j = peak; j < Math.Max(stop, peak + 1) && j < _trace.Length; j++)
                if (_trace[j] < _trace[trough]) trough = j;
            spikes.Add((time, onset, peak, trough));
        }
        return spikes;
    }
}

/// <summary>A single-valued feature of a trace: its name, unit, what it measures, and how it is computed (NaN where it
/// is undefined, e.g. the time to the first spike of a trace without one).</summary>
public sealed record TraceFeature(string Name, Dimension Unit, string Description, Func<TraceAnalysis, double> Compute);

/// <summary>The features NeuroNative defines (docs/fitting.md, "Features"), for FeatureMetric and for summary
/// statistics of simulation-based inference; look one up with <see cref="Get"/>.</summary>
public static class TraceFeatures
{
    private static readonly Dimension Volt = Dimension.Mass * Dimension.Length.Pow(2) / (Dimension.Time.Pow(3) * Dimension.Current);

    private static double Mean(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Average();

    public static TraceFeature RestingPotential { get; } = new("resting_potential", Volt,
        "mean of the trace before the stimulus starts", a => a.Rest);
    public static TraceFeature SteadyStateVoltage { get; } = new("steady_state_voltage", Volt,
        "mean of the trace over the last 10 % of the stimulus window", a => a.SteadyState);
    public static TraceFeature VoltageDeflection { get; } = new("voltage_deflection", Volt,
        "steady_state_voltage − resting_potential", a => a.SteadyState - a.Rest);
    public static TraceFeature SpikeCount { get; } = new("spike_count", Dimension.Dimensionless,
        "upward crossings of the spike threshold during the stimulus", a => a.SpikeTimes.Count);
    public static TraceFeature TimeToFirstSpike { get; } = new("time_to_first_spike", Dimension.Time,
        "first spike time (interpolated crossing) − stimulus start", a => a.SpikeTimes.Count == 0 ? double.NaN : a.SpikeTimes[0] - a.StimulusStart);
    public static TraceFeature MeanFrequency { get; } = new("mean_frequency", Dimension.Time.Pow(-1),
        "spike_count / the stimulus window's length", a => a.SpikeTimes.Count / (a.StimulusEnd - a.StimulusStart));
    public static TraceFeature IsiCv { get; } = new("isi_cv", Dimension.Dimensionless,
        "standard deviation (n − 1) / mean of the interspike intervals; needs 3 spikes", a =>
        {
            var isi = a.Intervals;
            if (isi.Count < 2) return double.NaN;
            double mean = isi.Average();
            return Math.Sqrt(isi.Sum(x => (x - mean) * (x - mean)) / (isi.Count - 1)) / mean;
        });
    public static TraceFeature AdaptationIndex { get; } = new("adaptation_index", Dimension.Dimensionless,
        "mean over consecutive intervals of (ISI[n+1] − ISI[n]) / (ISI[n+1] + ISI[n]); > 0 slowing; needs 3 spikes", a =>
        {
            var isi = a.Intervals;
            return isi.Count < 2 ? double.NaN : isi.Zip(isi.Skip(1), (x, y) => (y - x) / (y + x)).Average();
        });
    public static TraceFeature APPeak { get; } = new("ap_peak", Volt, "mean over the spikes of the peak", a => Mean(a.Peaks));
    public static TraceFeature APAmplitude { get; } = new("ap_amplitude", Volt,
        "mean over the spikes of peak − onset (the last sample before the crossing rising slower than 10 V/s)",
        a => a.SpikeTimes.Count == 0 ? double.NaN : a.Peaks.Zip(a.Onsets, (p, o) => p - o).Average());
    public static TraceFeature AHPMinimum { get; } = new("ahp_min", Volt,
        "mean over the spikes of the trough after the peak (to the next spike, or the stimulus end)", a => Mean(a.Troughs));
    public static TraceFeature AHPDepth { get; } = new("ahp_depth", Volt,
        "resting_potential − ahp_min (positive when the troughs lie below rest)", a => a.Rest - Mean(a.Troughs));

    /// <summary>Every feature above, in this order.</summary>
    public static IReadOnlyList<TraceFeature> Default { get; } =
    [
        RestingPotential, SteadyStateVoltage, VoltageDeflection, SpikeCount, TimeToFirstSpike, MeanFrequency, IsiCv,
        AdaptationIndex, APPeak, APAmplitude, AHPMinimum, AHPDepth,
    ];

    /// <summary>The feature of that name (case-sensitive, as in <see cref="Default"/>).</summary>
    public static TraceFeature Get(string name) => Default.FirstOrDefault(f => f.Name == name)
        ?? throw new FitException($"feature '{name}': not a known feature (known: {string.Join(", ", Default.Select(f => f.Name))})");
}
