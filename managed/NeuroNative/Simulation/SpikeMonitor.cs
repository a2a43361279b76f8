using NeuroNative.Interop;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Units;

namespace NeuroNative;

/// <summary>All spikes of a group (Brian's SpikeMonitor): times in seconds, ordered by time then index, and — for a
/// monitor made with variables (Brian's <c>variables=</c>) — their values at each spike where the monitor sits (by
/// default just after the threshold, before the reset). Values are read from the native core when asked for, so they
/// include every run so far.</summary>
public sealed class SpikeMonitor
{
    private readonly NeuronGroup _group;
    private readonly EventMonitor? _values; // with variables: an event monitor of the spikes

    /// <summary>The group's own monitor: the native core's list of spikes.</summary>
    internal SpikeMonitor(NeuronGroup group) => _group = group;

    internal SpikeMonitor(NeuronGroup group, IReadOnlyList<string> variables, string? when, int? order)
    {
        _group = group;
        _values = new EventMonitor(group, AnalyzedModel.SpikeEvent, when, order, variables);
    }

    /// <summary>Brian's <c>when</c> and <c>order</c>: where in the step the monitor records.</summary>
    public string When => _values?.When ?? "thresholds";
    public int Order => _values?.Order ?? 1;

    /// <summary>The variables recorded with each spike (none for the group's own monitor).</summary>
    public IReadOnlyCollection<string> Variables => _values?.Variables ?? [];

    public long NumSpikes => _values?.NumEvents ?? Native.GetSpikeTotal(_group.Handle);

    /// <summary>Spikes per neuron (Brian's <c>count</c>).</summary>
    public long[] Count => _values?.Count ?? Native.GetSpikeCounts(_group.Handle, _group.N);

    /// <summary>(i, t) of every spike, in time order (Brian's <c>i</c> and <c>t</c>).</summary>
    public (long[] Indices, double[] Times) Spikes => _values?.Events ?? Native.GetSpikes(_group.Handle);

    /// <summary>A recorded variable's value at each spike, in SI units and in the order of <see cref="Spikes"/>
    /// (Brian's <c>mon.v</c>).</summary>
    public double[] this[string variable] => Recorded(variable)[variable];

    /// <summary>The unit of a recorded variable.</summary>
    public Dimension UnitOf(string variable) => Recorded(variable).UnitOf(variable);

    /// <summary>A recorded variable's values at each neuron's spikes, in time order (Brian's <c>values(var)</c>).</summary>
    public IReadOnlyList<double[]> Values(string variable) => Recorded(variable).Values(variable);

    /// <summary>Spike times per neuron (Brian's <c>spike_trains()</c>).</summary>
    public IReadOnlyList<double[]> SpikeTrains()
    {
        var (indices, times) = Spikes;
        return EventMonitor.PerNeuron(indices, times, _group.N);
    }

    private EventMonitor Recorded(string variable) => _values ?? throw new ArgumentException(
        $"'{variable}' is not recorded: this is the group's monitor of spikes alone; record variables with " +
        "RecordSpikes(variables)", nameof(variable));
}
