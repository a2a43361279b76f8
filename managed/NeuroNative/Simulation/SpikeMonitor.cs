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
    public IReadOnlyList<double[]> SpikeTrains()
    {
        var (indices, times) = Spikes;
        var trains = new List<double>[_group.N];
        for (int k = 0; k < trains.Length; k++) trains[k] = [];
        for (int k = 0; k < indices.Length; k++) trains[indices[k]].Add(times[k]);
        return trains.Select(t => t.ToArray()).ToList();
    }
}
