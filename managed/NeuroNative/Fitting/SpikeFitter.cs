using System.Globalization;
using NeuroNative.Fitting.Optimizers;
using NeuroNative.Models;

namespace NeuroNative.Fitting;

/// <summary>
/// brian2modelfitting's SpikeFitter: fits the constant parameters of a spiking model (a threshold is needed) to recorded
/// spike trains, one per input trace. Each round is one batched run of NSamples × n_traces neurons that records no
/// trace: the native SPIKE_TIMES reducer keeps each neuron's first spikes and a SPIKE_COUNT reducer its exact count
/// (memory independent of the run's length), which the metric (by default GammaFactor with delta 2 ms) compares with
/// the data.
/// </summary>
public sealed class SpikeFitter : Fitter
{
    private readonly double[][] _data;
    private readonly int _capacity;

    /// <param name="output">Spike times (s) per input trace, ascending.</param>
    /// <param name="spikeCapacity">Spike times kept per neuron and round; default 4 × the most spikes of a data train + 16
    /// (a train that reaches it fires at least 4 times too fast).</param>
    public SpikeFitter(ModelDefinition model, IReadOnlyDictionary<string, Traces> input, IReadOnlyList<double[]> output, FitterSettings settings,
        int? spikeCapacity = null) : base(model, input, new Dictionary<string, Traces>(), settings)
    {
        ArgumentNullException.ThrowIfNull(output);
        try
        {
            if (Simulator.Analyzed.Threshold is null) throw new FitException("threshold: the model has no threshold, so it cannot spike; give one");
            if (output.Count != Simulator.TraceCount)
                throw new FitException($"input has {Simulator.TraceCount} traces but output.spikes has {output.Count} spike trains; give one train per input trace");
            for (int r = 0; r < output.Count; r++)
            {
                var train = output[r] ?? throw new FitException($"output.spikes: train {r} is null");
                for (int k = 0; k < train.Length; k++)
                {
                    if (!double.IsFinite(train[k]) || train[k] < 0 || train[k] > Simulator.Duration)
                        throw new FitException(string.Create(CultureInfo.InvariantCulture,
                            $"output.spikes: train {r}, spike {k} is at {train[k]} s; expected a time within the input's {Simulator.Duration} s"));
                    if (k > 0 && !(train[k] > train[k - 1]))
                        throw new FitException(string.Create(CultureInfo.InvariantCulture,
                            $"output.spikes: train {r}, spike {k} ({train[k]} s) is not after spike {k - 1} ({train[k - 1]} s); give ascending times"));
                }
            }
            if (spikeCapacity is < 1) throw new FitException($"spike_capacity: must be 1 or more, not {spikeCapacity}");
        }
        catch
        {
            Dispose();
            throw;
        }
        _data = [.. output.Select(t => (double[])t.Clone())];
        _capacity = spikeCapacity ?? 4 * _data.Max(t => t.Length) + 16;
    }

    public override IReadOnlyList<string> OutputNames { get; } = ["spikes"];
    public IReadOnlyList<double[]> Data => _data;

    /// <summary>As TraceFitter's <c>Fit</c>; <paramref name="metric"/> null: GammaFactor(delta 2 ms, time the input's
    /// length), brian2modelfitting's default. A GammaFactor needs every data train to spike and its delta below the
    /// data's smallest interspike interval.</summary>
    public FitResult Fit(IOptimizer optimizer, ISpikeMetric? metric, int rounds, IReadOnlyDictionary<string, (double Lower, double Upper)> bounds,
        Func<FitRound, bool>? callback = null, bool restart = false, ulong seed = 1, int? startIteration = null, string? penalty = null,
        CancellationToken cancellation = default)
    {
        metric ??= Metrics?[0] as ISpikeMetric ?? new GammaFactor(2e-3, Simulator.Duration);
        if (metric is GammaFactor gamma)
        {
            for (int r = 0; r < _data.Length; r++)
                if (_data[r].Count(t => t > gamma.TStart) == 0)
                    throw new FitException($"output.spikes: train {r} has no spikes after t_start; the GammaFactor compares rates with the data's, so every train needs one");
            var (isi, train) = _data.SelectMany((t, r) => t.Zip(t.Skip(1), (a, b) => (b - a, r))).DefaultIfEmpty((double.PositiveInfinity, -1)).MinBy(x => x.Item1);
            if (!(gamma.Delta < isi))
                throw new FitException(string.Create(CultureInfo.InvariantCulture,
                    $"metric.delta: {gamma.Delta * 1e3} ms is not below the smallest interspike interval of the data ({isi * 1e3} ms, train {train}); a model spike could then coincide with two data spikes"));
        }
        return FitRounds(optimizer, [metric], rounds, bounds, callback, restart, startIteration, penalty, seed, cancellation);
    }

    private protected override BatchRecording Recording(string? penalty) =>
        new() { SpikeCapacity = _capacity, Final = penalty is null ? [] : [penalty] };

    private protected override IReadOnlyList<(double[] Normalized, double[] Raw)> Objectives(BatchResult result)
    {
        var metric = (ISpikeMetric)Metrics![0];
        var raw = PerSet(metric.PerTrace(result.Spikes!, result.SpikeCounts!, _data, Settings.Dt));
        return [(raw.Select(metric.Normalize).ToArray(), raw)];
    }
}
