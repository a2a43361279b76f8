using NeuroNative.Interop;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Units;

namespace NeuroNative;

/// <summary>The neurons and times of an event (Brian's EventMonitor) — a custom event, or 'spike', the threshold's —
/// recorded where in the step it was placed (by default just after the event's condition is checked), ordered by time
/// then index, with the values of <see cref="Variables"/> there (Brian's <c>variables=</c>). Values are read from the
/// native core when asked for, so they include every run so far.</summary>
public sealed class EventMonitor
{
    private readonly NeuronGroup _group;
    private readonly int _monitor;
    private readonly Dictionary<string, (int Column, Dimension Unit)> _variables = new(StringComparer.Ordinal);

    internal EventMonitor(NeuronGroup group, string eventName, string? when, int? order, IReadOnlyList<string> variables)
    {
        var model = group.Model;
        var (defaultWhen, defaultOrder) = model.EventMonitorDefault(eventName); // checks the name
        if (when is null && order is not null)
            throw new ArgumentException("give when together with order (Brian: 'Cannot specify order if when is not specified')", nameof(order));
        (When, Order) = when is null ? (defaultWhen, defaultOrder) : (when, order ?? 0);
        int parameter = model.EventSpaceIndex(eventName);
        bool spikes = parameter < 0; // the threshold's event
        var (slot, after) = model.MonitorPoint(When, Order, spikes ? Schedule.SpikeMonitorName : Schedule.EventMonitorName);
        if (spikes && slot < (int)nn_slot.NN_SLOT_EVENTS)
            throw new ArgumentException($"a monitor of the spikes at when '{When}', order {Order} would run before the threshold in " +
                "Brian's schedule, where it sees the previous step's spikes; record them at 'thresholds' (order 0 or more) or later",
                nameof(when));
        var recorded = new List<NativeVariable>();
        foreach (var name in variables)
        {
            if (_variables.ContainsKey(name)) continue;
            var v = NativeVariable.Resolve(model, name, $"variable '{name}' recorded at each {eventName} event");
            _variables[name] = (recorded.Count, v.Unit);
            recorded.Add(v);
        }
        _group = group;
        Event = eventName;
        _monitor = Native.AddEventMonitor(group.Handle, spikes ? Native.SpikeEvents : parameter, slot, after,
            recorded.Select(r => r.Kind).ToArray(), recorded.Select(r => r.Index).ToArray());
    }

    public string Event { get; }
    public string When { get; }
    public int Order { get; }

    /// <summary>The variables recorded with each event (Brian's <c>record_variables</c> besides i and t).</summary>
    public IReadOnlyCollection<string> Variables => _variables.Keys;

    public long NumEvents => Native.GetEventTotal(_group.Handle, _monitor);

    /// <summary>(i, t) of every event, in time order (Brian's <c>i</c> and <c>t</c>).</summary>
    public (long[] Indices, double[] Times) Events => Native.GetEvents(_group.Handle, _monitor);

    /// <summary>A recorded variable's value at each event, in SI units and in the order of <see cref="Events"/>
    /// (Brian's <c>mon.v</c>).</summary>
    public double[] this[string variable] => Native.GetEventValues(_group.Handle, _monitor, Resolve(variable).Column);

    /// <summary>The unit of a recorded variable.</summary>
    public Dimension UnitOf(string variable) => Resolve(variable).Unit;

    /// <summary>A recorded variable's values at each neuron's events, in time order (Brian's <c>values(var)</c>).</summary>
    public IReadOnlyList<double[]> Values(string variable) => PerNeuron(Events.Indices, this[variable], _group.N);

    /// <summary>Events per neuron (Brian's <c>count</c>).</summary>
    public long[] Count
    {
        get
        {
            var counts = new long[_group.N];
            foreach (long i in Events.Indices) counts[i]++;
            return counts;
        }
    }

    /// <summary>Event times per neuron (Brian's <c>event_trains()</c>).</summary>
    public IReadOnlyList<double[]> EventTrains()
    {
        var (indices, times) = Events;
        return PerNeuron(indices, times, _group.N);
    }

    /// <summary>Values per neuron of events (i, value) in time order.</summary>
    internal static IReadOnlyList<double[]> PerNeuron(long[] indices, double[] values, int n)
    {
        var lists = new List<double>[n];
        for (int k = 0; k < lists.Length; k++) lists[k] = [];
        for (int k = 0; k < indices.Length; k++) lists[indices[k]].Add(values[k]);
        return lists.Select(t => t.ToArray()).ToList();
    }

    private (int Column, Dimension Unit) Resolve(string variable) => _variables.TryGetValue(variable, out var v) ? v
        : throw new ArgumentException($"'{variable}' is not recorded by this monitor (recorded: " +
            $"{(_variables.Count == 0 ? "none; give variables when creating it" : string.Join(", ", _variables.Keys))})", nameof(variable));
}
