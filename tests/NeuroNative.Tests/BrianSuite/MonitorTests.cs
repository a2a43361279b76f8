using NeuroNative.Models;
using NeuroNative.Models.Units;
using Xunit;
using static NeuroNative.Tests.BrianSuite.BrianSuite;

namespace NeuroNative.Tests.BrianSuite;

/// <summary>Brian 2.5.1 brian2/tests/test_monitor.py and test_network.py, single group.</summary>
public class MonitorTests
{
    // test_state_monitor_bigger_dt: a monitor every 5 steps samples steps 0, 5, 10.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void StateMonitorBiggerDt(Backend backend)
    {
        using var g = Group(backend, 1, "dv/dt = -v/(5*ms) : 1", method: "exact");
        g.Set("v", 1);
        var mon = g.Record(["v"]);
        var slow = g.Record(["v"], every: 5);
        g.RunSteps(11);
        Assert.Equal(11, mon.Times.Length);
        Assert.Equal(3, slow.Times.Length);
        foreach (int k in new[] { 0, 5, 10 })
        {
            Assert.Equal(mon.Times[k], slow.Times[k / 5]);
            Assert.Equal(mon["v"].Values[0][k], slow["v"].Values[0][k / 5]);
        }
    }

    // test_runtime_rounding: 250 steps of an awkward dt record 250 rows.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void RuntimeRounding(Backend backend)
    {
        const double dt = 20.000000000020002e-6;
        using var g = Group(backend, 1, "v:1", dt: dt);
        var mon = g.Record(["v"]);
        g.Run(dt * 250);
        Assert.Equal(250, mon.Times.Length);
    }

    // test_small_runs: one long run and many short ones give the same trace.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void SmallRuns(Backend backend)
    {
        (double[] Times, double[][] V) Trace(bool pieces)
        {
            using var g = Group(backend, 10, "dv/dt = -v / (10*ms) : 1");
            g.Set("v", "(i + 1) / N");
            var mon = g.Record(["v"]);
            if (!pieces) g.Run(1.0);
            for (double runtime = 1e-3; pieces && g.Time < 1.0;)
            {
                runtime = Math.Min(runtime * 3, 1.0 - g.Time);
                g.Run(runtime);
            }
            return (mon.Times, mon["v"].Values);
        }
        var (t1, v1) = Trace(false);
        var (t2, v2) = Trace(true);
        AllClose(t1, t2, 1e-12);
        Assert.Equal(v1, v2);
    }

    // test_continuation: runs shorter than dt continue where the last one stopped.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void Continuation(Backend backend)
    {
        (double[] Times, double[] V) Trace(params double[] runs)
        {
            using var g = Group(backend, 1, "dv/dt = -v / (10*ms) : 1", dt: 1e-3);
            g.Set("v", 1);
            var mon = g.Record(["v"]);
            foreach (var run in runs) g.Run(run);
            return (mon.Times, mon["v"].Values[0]);
        }
        var (t1, v1) = Trace(2e-3);
        var (t2, v2) = Trace(0.5e-3, 1.5e-3);
        Assert.Equal(t1, t2);
        Assert.Equal(v1, v2);
    }

    // test_spike_monitor_variables and test_spike_monitor_get_states: prev_spikes at each spike, recorded after the
    // threshold (before the reset increments it) and at 'after_resets'; Brian's numbers.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void SpikeMonitorVariables(Backend backend)
    {
        using var g = Group(backend, 3, "dv/dt = rate : 1\nrate : Hz\nprev_spikes : integer", threshold: "v>1",
            reset: "v=0; prev_spikes += 1");
        g.Set("rate", [101, 0, 1001]);
        var mon1 = g.RecordSpikes(["prev_spikes"]);
        var mon2 = g.RecordSpikes(["prev_spikes"], when: "after_resets");
        g.Run(10e-3);
        var values = mon1.Values("prev_spikes");
        Assert.Equal([0.0], values[0]);
        Assert.Empty(values[1]);
        Assert.Equal(Enumerable.Range(0, 10).Select(k => (double)k), values[2]);
        var after = mon2.Values("prev_spikes");
        Assert.Equal([1.0], after[0]);
        Assert.Empty(after[1]);
        Assert.Equal(Enumerable.Range(1, 10).Select(k => (double)k), after[2]);
        Assert.Equal(("thresholds", 1, "after_resets", 0), (mon1.When, mon1.Order, mon2.When, mon2.Order));

        var brian = Case("spike_monitor_variables");
        var (i, t) = mon1.Spikes;
        Assert.Equal(Vector(brian.GetProperty("i")), i.Select(x => (double)x));
        AllClose(Vector(brian.GetProperty("t")), t, 1e-15);
        Assert.Equal(Vector(brian.GetProperty("prev_spikes")), mon1["prev_spikes"]);
        Assert.Equal(Vector(brian.GetProperty("after_i")), mon2.Spikes.Indices.Select(x => (double)x));
        Assert.Equal(Vector(brian.GetProperty("after_prev_spikes")), mon2["prev_spikes"]);
        // get_states: count, i, t, prev_spikes and N agree with each other
        Assert.Equal(Vector(brian.GetProperty("count")), mon1.Count.Select(x => (double)x));
        Assert.Equal(mon1.Count.Sum(), mon1.NumSpikes);
        Assert.Equal(mon1.NumSpikes, mon1["prev_spikes"].Length);
        var (ownI, ownT) = g.RecordSpikes().Spikes; // the group's own monitor saw the same spikes
        Assert.Equal(ownI, i);
        Assert.Equal(ownT, t);
    }

    // Spike and event monitors with variables beside refractoriness and operations around the spike monitor (Brian's
    // numbers): a run_regularly at ('thresholds', 1) runs before the spike monitor, one at ('thresholds', 2) after it;
    // a subexpression, lastspike and not_refractory at each spike; event monitors at their default point and at 'end'.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void SpikeAndEventMonitorVariables(Backend backend)
    {
        using var g = RunRegularlyTests.Group(backend, 3, "dv/dt = (1.2 - v)/(4*ms) : 1 (unless refractory)\nw : 1\nc : integer\n" +
            "s = 2*v + w : 1", [new("w += 0.25", When: "thresholds", Order: 1), new("w *= 0.5", When: "thresholds", Order: 2)],
            threshold: "v > 1", reset: "v = 0.1*c; c += 1", refractory: "0.5*ms", method: "euler",
            events: [new CustomEvent("up", "v > 0.6", "w -= 0.1")]);
        g.Set("v", "0.35*i");
        var spikes = g.RecordSpikes(["v", "w", "c", "s", "lastspike", "not_refractory"]);
        var after = g.RecordSpikes(["v", "c", "s"], when: "after_resets");
        var up = g.RecordEvents("up", variables: ["v", "w", "s"]);
        var late = g.RecordEvents("up", when: "end", variables: ["v", "w"]);
        g.Run(15e-3);
        var brian = Case("monitor_variables");
        void Same(string key, (long[] Indices, double[] Times) events, Func<string, double[]> values, params string[] variables)
        {
            var expected = brian.GetProperty(key);
            Assert.Equal(Vector(expected.GetProperty("i")), events.Indices.Select(x => (double)x));
            AllClose(Vector(expected.GetProperty("t")), events.Times, 1e-15);
            foreach (var v in variables) AllClose(Vector(expected.GetProperty(v)), values(v), 1e-12);
        }
        Assert.True(spikes.NumSpikes > 5);
        Same("spikes", spikes.Spikes, v => spikes[v], "v", "w", "c", "s", "lastspike", "not_refractory");
        Same("after", after.Spikes, v => after[v], "v", "c", "s");
        Same("up", up.Events, v => up[v], "v", "w", "s");
        Same("late", late.Events, v => late[v], "v", "w");
        Assert.Equal(Dimension.Time, spikes.UnitOf("lastspike"));
    }

    // What a monitor with variables refuses: the spikes before the threshold, unknown names, expressions, a variable it
    // does not record; the group's own spike monitor records none.
    [Fact]
    public void MonitorVariablesAreChecked()
    {
        using var g = Group(Backend.Interpreted, 2, "dv/dt = 100*Hz : 1\nw : 1", threshold: "v > 1", reset: "v = 0");
        Assert.Contains("would run before the threshold in Brian's schedule",
            Assert.Throws<ArgumentException>(() => g.RecordSpikes(["v"], when: "start")).Message);
        Assert.Contains("would run before the threshold",
            Assert.Throws<ArgumentException>(() => g.RecordEvents("spike", when: "before_thresholds", variables: ["v"])).Message);
        Assert.Contains("'vv'", Assert.Throws<ModelException>(() => g.RecordSpikes(["vv"])).Message);
        Assert.Contains("is an expression", Assert.Throws<ArgumentException>(() => g.RecordSpikes(["v + w"])).Message);
        var mon = g.RecordSpikes(["v"], when: "thresholds", order: 0); // after the thresholder ('spikemonitor' sorts after it)
        Assert.Contains("'w' is not recorded by this monitor (recorded: v)", Assert.Throws<ArgumentException>(() => mon["w"]).Message);
        Assert.Contains("the group's monitor of spikes alone", Assert.Throws<ArgumentException>(() => g.RecordSpikes()["v"]).Message);
        Assert.Contains("give when together with order", Assert.Throws<ArgumentException>(() => g.RecordSpikes(["v"], order: 2)).Message);
        using var quiet = Group(Backend.Interpreted, 1, "v : 1");
        Assert.Throws<InvalidOperationException>(() => quiet.RecordSpikes(["v"]));
        Assert.Contains("the model has no threshold, so no 'spike' event",
            Assert.Throws<ArgumentException>(() => quiet.RecordEvents("spike")).Message);
    }

    // test_state_monitor_record_single_timestep: refused before a run; after one, the final state as one more sample;
    // and again after a second run, whose first sample is that step once more (Brian's numbers).
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void StateMonitorRecordSingleTimestep(Backend backend)
    {
        using var g = Group(backend, 1, "dv/dt = -v/(5*ms) : 1");
        g.Set("v", 1);
        var mon = g.Record(["v"]);
        Assert.Throws<InvalidOperationException>(mon.RecordSingleTimestep);
        g.Run(0.5e-3);
        mon.RecordSingleTimestep();
        Assert.Equal(0, mon.Times[0]);
        Assert.Equal(1, mon["v"].Values[0][0]);
        Assert.Equal(0.5e-3, mon.Times[^1], 1e-15);
        Assert.Equal(6, mon.Times.Length);
        Assert.Equal(g.Get("v")[0], mon["v"].Values[0][^1]);
        g.Run(0.3e-3);
        mon.RecordSingleTimestep();
        var brian = Case("record_single_timestep");
        AllClose(Vector(brian.GetProperty("t")), mon.Times, 1e-15);
        AllClose(Vector(brian.GetProperty("v")), mon["v"].Values[0], 1e-15);
        Assert.Equal(brian.GetProperty("v_end").GetDouble(), g.Get("v")[0], 1e-15);
        var late = g.Record(["v"]); // made after the runs: it has not run yet
        Assert.Throws<InvalidOperationException>(late.RecordSingleTimestep);
        late.Enabled = false;
        g.Run(0);
        late.RecordSingleTimestep(); // a run of 0 s suffices, and an inactive monitor records it too
        Assert.Equal([0.8e-3], late.Times);
    }
}
