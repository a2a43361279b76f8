using NeuroNative.Interop;

namespace NeuroNative;

/// <summary>What a <see cref="Reducer"/> computes per neuron (nn_reducer_kind).</summary>
public enum Reduction
{
    /// <summary>Spikes in the window.</summary>
    SpikeCount = 0,
    /// <summary>Spikes per second of the window run so far (Hz).</summary>
    SpikeRate = 1,
    /// <summary>Time of the first spike in the window (s), NaN without one.</summary>
    FirstSpike = 2,
    /// <summary>The first <see cref="Reducer.Width"/> spike times (s), NaN-padded.</summary>
    SpikeTimes = 3,
    Min = 4,
    Max = 5,
    Mean = 6,
    /// <summary>Population variance (ddof 0) of the samples.</summary>
    Variance = 7,
    /// <summary>Mean over the samples of (x − target)², skipping samples whose target is NaN
    /// (brian2modelfitting's error, computed while the run goes).</summary>
    MeanSquaredError = 8,
    /// <summary>The first <see cref="Reducer.Width"/> samples, NaN until taken.</summary>
    Samples = 9,
}

/// <summary>A span of simulated time in seconds: [Start, End), End null for no end.</summary>
public readonly record struct TimeWindow(double Start = 0, double? End = null)
{
    public static readonly TimeWindow Always = new();
}

/// <summary>
/// A per-neuron result computed in the native core while the group runs, over a time window, in
/// memory independent of the run's length: spike counts, rates, first-spike times, capped spike
/// times, min/max/mean/variance of a variable, the mean squared error against target traces, or
/// samples at a coarser interval. Variables are sampled where monitors sample (at t_k, before the
/// step's update) every <see cref="EverySteps"/> steps from the window's start.
/// </summary>
public sealed class Reducer
{
    private readonly NeuronGroup _group;
    private readonly int _reducer;

    internal Reducer(NeuronGroup group, int reducer, Reduction kind, string? variable, long everySteps)
    {
        _group = group;
        _reducer = reducer;
        Kind = kind;
        Variable = variable;
        EverySteps = everySteps;
    }

    public Reduction Kind { get; }
    /// <summary>The reduced variable; null for spike reductions.</summary>
    public string? Variable { get; }
    public long EverySteps { get; }

    /// <summary>Values per neuron: 1, or the capacity of <see cref="Reduction.SpikeTimes"/> and <see cref="Reduction.Samples"/>.</summary>
    public long Width => Read().Width;

    /// <summary>One value per neuron (the first, for reductions of several values per neuron).</summary>
    public double[] Values
    {
        get
        {
            var (values, width) = Read();
            if (width == 1) return values;
            var first = new double[_group.N];
            for (int i = 0; i < first.Length; i++) first[i] = values[i * width];
            return first;
        }
    }

    /// <summary>Every value, per neuron.</summary>
    public double[][] Rows
    {
        get
        {
            var (values, width) = Read();
            var rows = new double[_group.N][];
            for (int i = 0; i < rows.Length; i++) rows[i] = values.AsSpan((int)(i * width), (int)width).ToArray();
            return rows;
        }
    }

    private (double[] Values, long Width) Read() => Native.GetReducerValues(_group.Handle, _reducer, _group.N);
}
