using NeuroNative.Interop;

namespace NeuroNative;

/// <summary>All spikes of a group (Brian's SpikeMonitor): times in seconds, ordered by time then index.
/// Values are read from the native core when asked for, so they include every run so far.</summary>
public sealed class SpikeMonitor
{
    private readonly NeuronGroup _group;

    internal SpikeMonitor(NeuronGroup group) => _group = group;

    public long NumSpikes => Native.GetSpikeTotal(_group.Handle);

    /// <summary>Spikes per neuron (Brian's <c>count</c>).</summary>
    public long[] Count => Native.GetSpikeCounts(_group.Handle, _group.N);

    /// <summary>(i, t) of every spike, in time order (Brian's <c>i</c> and <c>t</c>).</summary>
    public (long[] Indices, double[] Times) Spikes => Native.GetSpikes(_group.Handle);

    /// <summary>Spike times per neuron (Brian's <c>spike_trains()</c>).</summary>
    public IReadOnlyList<double[]> SpikeTrains() => Trains(Spikes, _group.N);

    /// <summary>Times per neuron of (i, t) pairs in time order.</summary>
    internal static IReadOnlyList<double[]> Trains((long[] Indices, double[] Times) events, int n)
    {
        var trains = new List<double>[n];
        for (int k = 0; k < trains.Length; k++) trains[k] = [];
        for (int k = 0; k < events.Indices.Length; k++) trains[events.Indices[k]].Add(events.Times[k]);
        return trains.Select(t => t.ToArray()).ToList();
    }
}
