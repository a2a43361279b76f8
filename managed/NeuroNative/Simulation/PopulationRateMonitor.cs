using NeuroNative.Interop;

namespace NeuroNative;

/// <summary>The predefined windows of <see cref="PopulationRateMonitor.SmoothRate(RateWindow, double)"/>.</summary>
public enum RateWindow { Gaussian, Flat }

/// <summary>
/// Brian's PopulationRateMonitor of neurons [<see cref="Start"/>, <see cref="Stop"/>) of a group (the whole group,
/// or Brian's subgroup <c>G[start:stop]</c>): for every step since the monitor was created, the spikes of that
/// step over (Stop − Start)·dt, in Hz. Read from the native core's spike record when asked for, so it covers
/// every run so far.
/// </summary>
public sealed class PopulationRateMonitor
{
    private readonly NeuronGroup _group;
    private readonly long _firstStep;

    internal PopulationRateMonitor(NeuronGroup group, int start, int stop)
    {
        if (start < 0 || stop > group.N || start >= stop)
            throw new ArgumentOutOfRangeException(nameof(start), $"neurons [{start}, {stop}) are not a non-empty range of 0..{group.N}");
        _group = group;
        Start = start;
        Stop = stop;
        _firstStep = group.Step;
    }

    public int Start { get; }
    public int Stop { get; }

    /// <summary>The time of each rate sample (Brian's <c>t</c>): k·dt for the steps recorded.</summary>
    public double[] T
    {
        get
        {
            long steps = _group.Step - _firstStep;
            var t = new double[steps];
            for (long k = 0; k < steps; k++) t[k] = (_firstStep + k) * _group.Dt;
            return t;
        }
    }

    /// <summary>The rate of each recorded step in Hz (Brian's <c>rate</c>).</summary>
    public double[] Rate
    {
        get
        {
            long[] counts;
            if (Start == 0 && Stop == _group.N) counts = Native.GetStepSpikeCounts(_group.Handle)[(int)_firstStep..];
            else
            {
                // A subgroup: its spikes binned by step (a spike's time is its step times dt).
                counts = new long[_group.Step - _firstStep];
                var (indices, times) = Native.GetSpikes(_group.Handle);
                for (int k = 0; k < indices.Length; k++)
                {
                    long step = (long)Math.Round(times[k] / _group.Dt) - _firstStep;
                    if (indices[k] >= Start && indices[k] < Stop && step >= 0) counts[step]++;
                }
            }
            double scale = 1.0 / ((Stop - Start) * _group.Dt);
            return counts.Select(c => c * scale).ToArray();
        }
    }

    /// <summary>Brian's <c>smooth_rate(window, width)</c>: a Gaussian of standard deviation <paramref name="width"/>
    /// over ±round(2·width/dt) steps, or a flat window of trunc(width/2/dt)·2 + 1 steps (the nearest odd number
    /// of steps), normalised and convolved with <see cref="Rate"/> as numpy's <c>convolve(mode='same')</c>.</summary>
    public double[] SmoothRate(RateWindow window, double width)
    {
        if (!(width > 0) || double.IsInfinity(width))
            throw new ArgumentOutOfRangeException(nameof(width), width, "the width of a window is a positive duration in seconds");
        double dt = _group.Dt;
        double[] weights;
        if (window == RateWindow.Gaussian)
        {
            // Rounded for the size of the window only, not for the standard deviation (as Brian does).
            int half = (int)Math.Round(2 * width / dt, MidpointRounding.ToEven);
            double sigma = width / dt;
            weights = Enumerable.Range(-half, 2 * half + 1).Select(k => Math.Exp(-(double)k * k * 1.0 / (2 * sigma * sigma))).ToArray();
        }
        else weights = Enumerable.Repeat(1.0, (int)(width / 2 / dt) * 2 + 1).ToArray();
        return Convolve(Rate, weights);
    }

    /// <summary>Brian's <c>smooth_rate(window=array)</c>: any window of an odd number of values, normalised to sum 1.</summary>
    public double[] SmoothRate(IReadOnlyList<double> window)
    {
        if (window.Count % 2 != 1)
            throw new ArgumentException($"the window has to have an odd number of values, not {window.Count}", nameof(window));
        return Convolve(Rate, [.. window]);
    }

    /// <summary>numpy's <c>convolve(x, w/sum(w), mode='same')</c>: the full convolution's centred max(n, m) values.</summary>
    private static double[] Convolve(double[] x, double[] window)
    {
        double sum = window.Sum();
        var w = window.Select(v => v * 1.0 / sum).ToArray();
        int n = x.Length, m = w.Length;
        if (n == 0) return [];
        int length = Math.Max(n, m), offset = (Math.Min(n, m) - 1) / 2;
        var result = new double[length];
        for (int j = 0; j < length; j++)
        {
            int full = j + offset;
            double acc = 0;
            for (int k = Math.Max(0, full - m + 1); k <= Math.Min(n - 1, full); k++) acc += x[k] * w[full - k];
            result[j] = acc;
        }
        return result;
    }
}
