using NeuroNative.Interop;

namespace NeuroNative;

/// <summary>The neurons and times of a custom event (Brian's EventMonitor): recorded where in the step it was placed
/// (by default just after the event's condition is checked), ordered by time then index. Values are read from the
/// native core when asked for, so they include every run so far.</summary>
public sealed class EventMonitor
{
    private readonly NeuronGroup _group;
    private readonly int _monitor;

    internal EventMonitor(NeuronGroup group, string eventName, string? when, int? order)
    {
        var model = group.Model;
        var (defaultWhen, defaultOrder) = model.EventMonitorDefault(eventName); // checks the name
        if (when is null && order is not null)
            throw new ArgumentException("give when together with order (Brian: 'Cannot specify order if when is not specified')", nameof(order));
        (When, Order) = when is null ? (defaultWhen, defaultOrder) : (when, order ?? 0);
        var (slot, after) = model.MonitorPoint(When, Order);
        _group = group;
        Event = eventName;
        _monitor = Native.AddEventMonitor(group.Handle, model.EventSpaceIndex(eventName), slot, after);
    }

    public string Event { get; }
    public string When { get; }
    public int Order { get; }

    public long NumEvents => Native.GetEventTotal(_group.Handle, _monitor);

    /// <summary>(i, t) of every event, in time order (Brian's <c>i</c> and <c>t</c>).</summary>
    public (long[] Indices, double[] Times) Events => Native.GetEvents(_group.Handle, _monitor);

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
    public IReadOnlyList<double[]> EventTrains() => SpikeMonitor.Trains(Events, _group.N);
}
