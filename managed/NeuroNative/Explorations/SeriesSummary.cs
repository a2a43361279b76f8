using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace NeuroNative.Explorations;

/// <summary>The per-condition summary of a sampled series (docs/explorations.md, "Summaries").</summary>
public static class SeriesSummary
{
    /// <summary>Min, max, mean, peak-to-peak amplitude and dominant frequency of <paramref name="x"/>, sampled
    /// every <paramref name="sampleStep"/> time units. A series with a NaN gives NaN everywhere.</summary>
    public static OutputSummary Of(ReadOnlySpan<double> x, double sampleStep)
    {
        if (x.Length == 0) return new OutputSummary(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        foreach (double v in x)
        {
            if (double.IsNaN(v)) return new OutputSummary(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
        }
        double mean = sum / x.Length;
        return new OutputSummary(min, max, mean, max - min, max > min ? DominantFrequency(x, mean, sampleStep) : 0);
    }

    /// <summary>k*/(M ds), k* the DFT bin 1..floor(M/2) of largest magnitude of the mean-removed series
    /// (the lowest such bin on ties): the frequency of the strongest oscillation, at a resolution of 1/(M ds).</summary>
    public static double DominantFrequency(ReadOnlySpan<double> x, double mean, double sampleStep)
    {
        int m = x.Length;
        if (m < 2) return 0;
        var spectrum = new Complex[m];
        for (int j = 0; j < m; j++) spectrum[j] = new Complex(x[j] - mean, 0);
        Fourier.Forward(spectrum, FourierOptions.NoScaling);
        int best = 1;
        double bestMagnitude = -1;
        for (int k = 1; k <= m / 2; k++)
        {
            double magnitude = spectrum[k].Magnitude;
            if (magnitude > bestMagnitude)
            {
                bestMagnitude = magnitude;
                best = k;
            }
        }
        return best / (m * sampleStep);
    }
}
