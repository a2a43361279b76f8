using NeuroNative.Models;
using Xunit;
using static NeuroNative.Tests.BrianSuite.BrianSuite;

namespace NeuroNative.Tests.BrianSuite;

/// <summary>Brian 2.5.1's tests of custom events (test_neurongroup.py) and of the EventMonitor (test_monitor.py),
/// and Brian's numbers for events beside a threshold, reset and refractoriness.</summary>
public class CustomEventTests
{
    private static NeuronGroup Group(Backend backend, int n, string equations, IReadOnlyList<CustomEvent> events,
        string? threshold = null, string? reset = null, string? refractory = null, string? method = null) =>
        RunRegularlyTests.Group(backend, n, equations, [], threshold, reset, refractory, method, events);

    // test_custom_events: two events, each with its code at the default 'after_resets'.
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void CustomEvents(Backend backend)
    {
        using var g = Group(backend, 2, "event_time1 : second\nevent_time2 : second",
        [
            new("event1", "t>=i*ms and t<i*ms+dt", "event_time1 = t"),
            new("event2", "t>=(i+1)*ms and t<(i+1)*ms+dt", "event_time2 = t"),
        ]);
        g.Run(2.1e-3);
        AllClose([0, 1e-3], g.Get("event_time1"), 1e-15);
        AllClose([1e-3, 2e-3], g.Get("event_time2"), 1e-15);
    }

    // test_custom_events_schedule: event2's code runs at 'resets', before event1 is checked at 'after_resets'
    // and its code runs there with order 1, in the same step.
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void CustomEventsSchedule(Backend backend)
    {
        using var g = Group(backend, 2, "x : 1\nevent_time : second",
        [
            new("event1", "x>0", "event_time = t\nx = 0") { ConditionWhen = "after_resets", When = "after_resets", Order = 1 },
            new("event2", "t>=(i+1)*ms and t<(i+1)*ms+dt", "x = 1") { When = "resets" },
        ]);
        g.Run(2.1e-3);
        AllClose([1e-3, 2e-3], g.Get("event_time"), 1e-15);
    }

    // test_incorrect_custom_event_definition, for what our API can get wrong.
    [Fact, Trait("Category", "CodegenIndependent")]
    public void IncorrectCustomEventDefinition()
    {
        static ModelException Refused(CustomEvent e, string? threshold = null) => Assert.Throws<ModelException>(() =>
            CompiledModel.Compile(new ModelDefinition("v : volt") { Threshold = threshold, CustomEvents = [e] },
                new CompileOptions { Backend = Backend.Interpreted }));
        Assert.Contains("'1event' cannot be used as an event name", Refused(new("1event", "True")).Message);
        Assert.Contains("'spike' is the event of the threshold", Refused(new("spike", "False"), threshold: "True").Message);
        Assert.Contains("is not a boolean expression", Refused(new("my_event", "10*mV")).Message);
        Assert.Contains("when is 'later'", Refused(new("my_event", "True", "v = 0*mV") { When = "later" }).Message);
        Assert.Contains("its condition's when is 'soon'", Refused(new("my_event", "True") { ConditionWhen = "soon" }).Message);
        Assert.Contains("'v' is", Refused(new("my_event", "True", "v = 1")).Message); // the code's units are checked
        var twice = Assert.Throws<ModelException>(() => CompiledModel.Compile(new ModelDefinition("v : volt")
            { CustomEvents = [new("e", "True"), new("e", "False")] }, new CompileOptions { Backend = Backend.Interpreted }));
        Assert.Contains("the event 'e' is defined twice", twice.Message);
        using var g = new NeuronGroup(1, new ModelDefinition("v : volt") { CustomEvents = [new("my_event", "True")] },
            new SimulationOptions { Backend = Backend.Interpreted });
        Assert.Contains("the model has no custom event 'another_event'; it has my_event",
            Assert.Throws<ArgumentException>(() => g.RecordEvents("another_event")).Message);
    }

    // test_event_monitor: an event with its code, recorded by an EventMonitor.
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void EventMonitor(Backend backend)
    {
        using var g = Group(backend, 3, "dv/dt = rate : 1\nrate : Hz", [new("my_event", "v>1", "v=0")]);
        g.Set("rate", [101, 0, 1001]);
        var mon = g.RecordEvents("my_event");
        g.Run(10e-3);
        var trains = mon.EventTrains();
        AllClose([9.9e-3], trains[0], 1e-12);
        Assert.Empty(trains[1]);
        AllClose(Enumerable.Range(0, 10).Select(k => k * 1e-3 + 0.9e-3), trains[2], 1e-12);
        Assert.Equal([1, 0, 10], mon.Count);
        var (i, t) = mon.Events;
        Assert.Equal(11, i.Length);
        Assert.Equal(t.Order(), t);
        Assert.Equal(("after_thresholds", 1), (mon.When, mon.Order));
    }

    // test_event_monitor_no_record: an event with the same condition as the threshold counts what it counts, and
    // monitors with a variable (Brian's variables='rate') hold one value per event.
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void EventMonitorCountsAsTheSpikeMonitor(Backend backend)
    {
        using var g = Group(backend, 3, "dv/dt = rate : 1\nrate : Hz", [new("my_event", "v>1")], threshold: "v>1", reset: "v=0");
        g.Set("rate", [101, 0, 1001]);
        var events = g.RecordEvents("my_event");
        var events2 = g.RecordEvents("my_event", variables: ["rate"]);
        var spikes = g.RecordSpikes();
        var spikes2 = g.RecordSpikes(["rate"]);
        g.Run(10e-3);
        Assert.Equal([1, 0, 10], events.Count);
        Assert.Equal(spikes.Count, events.Count);
        Assert.Equal(spikes.NumSpikes, spikes.Count.Sum());
        Assert.Equal(events.NumEvents, events.Count.Sum());
        Assert.Equal(spikes.NumSpikes, spikes2["rate"].Length);
        Assert.Equal(events.NumEvents, events2["rate"].Length);
        Assert.Equal(spikes.Spikes.Indices.Select(i => i == 0 ? 101.0 : 1001.0), spikes2["rate"]);
    }

    // Events beside a threshold, reset and refractoriness (Brian's numbers): 'up' is not gated by refractoriness,
    // 'early' is checked at 'before_groups' with not_refractory in its condition and its code runs at 'start' on
    // the neurons of the previous step's check; monitors at the default point and at 'end'.
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void CustomEventsBesideRefractoriness(Backend backend)
    {
        using var g = Group(backend, 3, "dv/dt = (1.2 - v)/(4*ms) : 1\nc : 1\nd : 1",
        [
            new("up", "v > 0.6", "c += 1"),
            new("early", "v > 0.3 and not_refractory", "d += v") { ConditionWhen = "before_groups", When = "start" },
        ], threshold: "v > 1", reset: "v = 0", refractory: "1*ms", method: "euler");
        g.Set("v", "0.4*i");
        var up = g.RecordEvents("up");
        var early = g.RecordEvents("early");
        var late = g.RecordEvents("up", when: "end", order: 0);
        var mon = g.Record(["v", "c", "d"]);
        g.Run(6e-3);
        var brian = Case("custom_events");
        foreach (var name in new[] { "v", "c", "d" })
            for (int i = 0; i < 3; i++) AllClose(Matrix(brian.GetProperty(name))[i], mon[name].Values[i], 1e-12);
        foreach (var (monitor, key) in new[] { (up, "up"), (early, "early"), (late, "late") })
        {
            var (indices, times) = monitor.Events;
            Assert.Equal(Vector(brian.GetProperty(key + "_i")), indices.Select(x => (double)x));
            AllClose(Vector(brian.GetProperty(key + "_t")), times, 1e-12);
        }
    }

    // The recorded events are part of a snapshot; an event monitor elsewhere in the step refuses it.
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void SnapshotsKeepTheEvents(Backend backend)
    {
        NeuronGroup Make() => Group(backend, 3, "dv/dt = rate : 1\nrate : Hz", [new("my_event", "v>1", "v=0")]);
        using var whole = Make();
        whole.Set("rate", [101, 0, 1001]);
        var wholeMon = whole.RecordEvents("my_event");
        whole.Run(10e-3);
        using var first = Make();
        first.Set("rate", [101, 0, 1001]);
        first.RecordEvents("my_event");
        first.Run(4e-3);
        var blob = first.Snapshot();
        using var second = Make();
        var mon = second.RecordEvents("my_event");
        second.Restore(blob);
        second.Run(6e-3);
        Assert.Equal(wholeMon.Events.Indices, mon.Events.Indices);
        Assert.Equal(wholeMon.Events.Times, mon.Events.Times);
        using var elsewhere = Make();
        elsewhere.RecordEvents("my_event", when: "end");
        Assert.Throws<ArgumentException>(() => elsewhere.Restore(blob));
    }
}
