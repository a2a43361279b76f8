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
}
