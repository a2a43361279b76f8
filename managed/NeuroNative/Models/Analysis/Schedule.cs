namespace NeuroNative.Models.Analysis;

/// <summary>
/// Brian's schedule of one group's step (docs/brian2-semantics.md §6): every object runs at the position of its
/// <c>when</c> slot, then by its order, then by its name (ordinal). The group's own objects sit at fixed points of
/// the native step, so an operation's place is the native slot between them (nn_slot) and its rank among the
/// other operations.
/// </summary>
public static class Schedule
{
    /// <summary>Brian's default schedule; each slot also has a <c>before_</c> and an <c>after_</c> variant.</summary>
    public static readonly IReadOnlyList<string> Slots = ["start", "groups", "thresholds", "synapses", "resets", "end"];

    /// <summary>Every name <c>when</c> accepts, in the order the slots run.</summary>
    public static IEnumerable<string> SlotNames => Slots.SelectMany(s => new[] { $"before_{s}", s, $"after_{s}" });

    /// <summary>Brian's position of a slot: before_x at 3i, x at 3i + 1, after_x at 3i + 2; null for an unknown name.</summary>
    public static int? Position(string when)
    {
        int k = SlotNames.ToList().IndexOf(when);
        return k < 0 ? null : k;
    }

    /// <summary>The names Brian gives the objects of a group called 'neurongroup' and of its monitors.</summary>
    internal const string GroupName = "neurongroup";
    internal const string MonitorName = "statemonitor";
    internal const string SpikeMonitorName = "spikemonitor";
    internal const string EventMonitorName = "eventmonitor";

    /// <summary>Where an object runs: Brian's sort key.</summary>
    internal readonly record struct Key(int When, int Order, string Name) : IComparable<Key>
    {
        public int CompareTo(Key other) =>
            When != other.When ? When.CompareTo(other.When)
            : Order != other.Order ? Order.CompareTo(other.Order)
            : string.CompareOrdinal(Name, other.Name);
    }

    /// <summary>The group's objects at the fixed points of the native step, in step order: the state updater
    /// (refractoriness and integration), the thresholder, the scheduled input events (a synaptic pathway's
    /// 'pre' code, at 'synapses' with order -1) and the resetter. nn_slot s lies after the first s of them.</summary>
    private static readonly Key[] Fixed =
    [
        new(1 * 3 + 1, 0, $"{GroupName}_stateupdater"),
        new(2 * 3 + 1, 0, $"{GroupName}_spike_thresholder"),
        new(3 * 3 + 1, -1, "synapses_pre"),
        new(4 * 3 + 1, 0, $"{GroupName}_spike_resetter"),
    ];

    /// <summary>The native slot (nn_slot) of an object with this key.</summary>
    internal static int SlotOf(Key key) => Fixed.Count(f => f.CompareTo(key) < 0);
}
