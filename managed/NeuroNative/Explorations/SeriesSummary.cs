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

    /// <summary>k*/(N ds): the series minus its mean, zero-padded to N, the least power of two >= M, transformed
    /// (radix 2, MathNet); k* the bin 1..N/2 of largest magnitude (the lowest on ties). The frequency of the
    /// strongest oscillation, on a grid of 1/(N ds) (padding interpolates the M-point spectrum; a power of two keeps
    /// 20,000 series of 9,000 samples to seconds, where MathNet's arbitrary-length transform takes minutes).</summary>
    public static double DominantFrequency(ReadOnlySpan<double> x, double mean, double sampleStep)
    {
        int m = x.Length;
        if (m < 2) return 0;
        int n = 1;
        while (n < m) n <<= 1;
        // Conditions are summarised in parallel: one buffer per thread and length.
        var spectrum = t_buffer is { } b && b.Length == n ? b : t_buffer = new Complex[n];
        for (int j = 0; j < m; j++) spectrum[j] = new Complex(x[j] - mean, 0);
        Array.Clear(spectrum, m, n - m);
        Fourier.Forward(spectrum, FourierOptions.NoScaling);
        int best = 1;
        double bestMagnitude = -1;
        for (int k = 1; k <= n / 2; k++)
        {
            double magnitude = spectrum[k].Magnitude;
            if (magnitude > bestMagnitude)
            {
                bestMagnitude = magnitude;
                best = k;
            }
        }
        return best / (n * sampleStep);
    }

    [ThreadStatic] private static Complex[]? t_buffer;
}
