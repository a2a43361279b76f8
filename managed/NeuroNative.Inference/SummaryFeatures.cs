using NeuroNative.Fitting;
using NeuroNative.Fitting.Features;

namespace NeuroNative.Inference;

/// <summary>A single-valued summary of one output trace (SI values, sample k at k·dt), brian2modelfitting's
/// feature callables.</summary>
public sealed record SummaryFeature(string Name, Func<double[], double> Compute);

/// <summary>Feature sets for the <see cref="Inferencer"/>.</summary>
public static class SummaryFeatures
{
    /// <summary>The stimulus window of an input trace: from its first to its last nonzero sample (s), as the SBI
    /// tutorial finds stim_start and stim_end.</summary>
    public static (double Start, double End) StimulusWindow(double[] input, double dt)
    {
        int first = Array.FindIndex(input, v => v != 0), last = Array.FindLastIndex(input, v => v != 0);
        if (first < 0) throw new InferenceException("input: the input trace is zero everywhere; the stimulus window is undefined");
        return (first * dt, last * dt);
    }

    /// <summary>The SBI tutorial's four voltage features: max, mean and standard deviation inside the stimulus window,
    /// and the mean between 0.1 and 0.9 of the stimulus start (the resting potential).</summary>
    public static IReadOnlyList<SummaryFeature> Tutorial(double dt, double start, double end)
    {
        double[] Window(double[] v, double from, double to) =>
            v.Where((_, k) => k * dt > from && k * dt < to).DefaultIfEmpty(double.NaN).ToArray();
        return
        [
            new("max", v => Window(v, start, end).Max()),
            new("mean", v => Window(v, start, end).Average()),
            new("std", v =>
            {
                var w = Window(v, start, end);
                double m = w.Average();
                return Math.Sqrt(w.Sum(x => (x - m) * (x - m)) / w.Length);
            }),
            new("rest", v => Window(v, 0.1 * start, 0.9 * start).Average()),
        ];
    }

    /// <summary>Features of the fitting module (<see cref="TraceFeatures"/>) on the stimulus window.</summary>
    public static IReadOnlyList<SummaryFeature> FromTraceFeatures(IEnumerable<TraceFeature> features, double dt, double start, double end) =>
        [.. features.Select(f => new SummaryFeature(f.Name, v => f.Compute(new TraceAnalysis(v, dt, start, end))))];

    /// <summary><c>features: default</c>: the tutorial's four and the spike count (<see cref="TraceFeatures.SpikeCount"/>),
    /// all defined on every trace, silent or not.</summary>
    public static IReadOnlyList<SummaryFeature> Default(double dt, double start, double end) =>
        [.. Tutorial(dt, start, end), .. FromTraceFeatures([TraceFeatures.SpikeCount], dt, start, end)];
}
