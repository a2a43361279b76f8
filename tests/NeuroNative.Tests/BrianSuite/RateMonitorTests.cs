using Xunit;
using static NeuroNative.Tests.BrianSuite.BrianSuite;

namespace NeuroNative.Tests.BrianSuite;

/// <summary>Brian 2.5.1 brian2/tests/test_monitor.py, PopulationRateMonitor (subgroups are neuron ranges).</summary>
public class RateMonitorTests
{
    private const double Dt = 1e-4;

    // test_rate_monitor_1 and test_rate_monitor_get_states (rate, t and N): every neuron spikes every step.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void RateMonitor1(Backend backend)
    {
        using var g = Group(backend, 5, "v : 1", threshold: "v > 1");
        g.Set("v", 1.1);
        var rate = g.RecordPopulationRate();
        g.Run(10 * Dt);
        AllClose(Enumerable.Range(0, 10).Select(k => k * Dt), rate.T, 1e-18);
        AllClose(Enumerable.Repeat(1 / Dt, 10), rate.Rate, 1e-9);
        Assert.Equal(5, rate.Stop - rate.Start);
    }

    // test_rate_monitor_2: half of the neurons spike every step (no reset).
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void RateMonitor2(Backend backend)
    {
        using var g = Group(backend, 10, "v : 1", threshold: "v > 1");
        g.Set("v", "1.1*int(i < 5)");
        var rate = g.RecordPopulationRate();
        g.Run(10 * Dt);
        AllClose(Enumerable.Repeat(0.5 / Dt, 10), rate.Rate, 1e-9);
    }

    // test_rate_monitor_subgroups: regular firing at 100, 200, 400 and 800 Hz; each range's mean rate is its
    // neurons' mean rate.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void RateMonitorSubgroups(Backend backend)
    {
        using var g = Group(backend, 4, "dv/dt = rate : 1\nrate : hertz", threshold: "v > 0.999", reset: "v = 0", dt: 1e-5);
        double[] rates = [100, 200, 400, 800];
        g.Set("rate", rates);
        var all = g.RecordPopulationRate();
        var first = g.RecordPopulationRate(0, 2);
        var second = g.RecordPopulationRate(2, 4);
        g.Run(1);
        Assert.Equal(rates.Average(), all.Rate.Average(), 1e-7 * rates.Average());
        Assert.Equal(rates[..2].Average(), first.Rate.Average(), 1e-7 * rates[..2].Average());
        Assert.Equal(rates[2..].Average(), second.Rate.Average(), 1e-7 * rates[2..].Average());
    }

    // test_rate_monitor_subgroups_2: neurons 0, 4 and 5 spike every step.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void RateMonitorSubgroups2(Backend backend)
    {
        using var g = Group(backend, 6, "do_spike : boolean", threshold: "do_spike");
        g.Set("do_spike", [1, 0, 0, 0, 1, 1]);
        var all = g.RecordPopulationRate();
        var r1 = g.RecordPopulationRate(0, 2);
        var r2 = g.RecordPopulationRate(2, 4);
        var r3 = g.RecordPopulationRate(4, 6);
        g.Run(2 * Dt);
        AllClose([0.5 / Dt, 0.5 / Dt], all.Rate, 1e-9);
        AllClose([0.5 / Dt, 0.5 / Dt], r1.Rate, 1e-9);
        AllClose([0, 0], r2.Rate, 0);
        AllClose([1 / Dt, 1 / Dt], r3.Rate, 1e-9);
        Assert.Throws<ArgumentOutOfRangeException>(() => g.RecordPopulationRate(4, 7));
    }

    // test_rate_monitor_smoothed_rate (a single spike at 1 ms, from one neuron instead of a SpikeGeneratorGroup)
    // and test_rate_monitor_smoothed_rate_incorrect (an even window; the others are Python type errors).
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void RateMonitorSmoothedRate(Backend backend)
    {
        using var g = Group(backend, 1, "v : 1", threshold: "timestep(t, dt) == 10");
        var mon = g.RecordPopulationRate();
        g.Run(3e-3);
        const int index = 10;
        var rate = mon.Rate;
        Assert.Equal(30, rate.Length);
        Assert.All(rate.Where((_, k) => k != index), r => Assert.Equal(0, r));
        Assert.Equal(1 / Dt, rate[index], 1e-9);

        AllClose(rate, mon.SmoothRate(RateWindow.Flat, Dt), 1e-9);
        var flat = mon.SmoothRate(RateWindow.Flat, 5 * Dt);
        Assert.All(flat[..(index - 2)].Concat(flat[(index + 3)..]), r => Assert.Equal(0, r));
        AllClose(Enumerable.Repeat(0.2 / Dt, 5), flat[(index - 2)..(index + 3)], 1e-9);
        Assert.Equal(flat, mon.SmoothRate(RateWindow.Flat, 5.4 * Dt));

        const double width = 5 * Dt;
        var gaussian = mon.SmoothRate(RateWindow.Gaussian, width);
        Assert.All(gaussian[..(index - 10)].Concat(gaussian[(index + 11)..]), r => Assert.Equal(0, r));
        var t = mon.T;
        var bell = Enumerable.Range(index - 10, 21).Select(k => Math.Exp(-Math.Pow(t[k] - 1e-3, 2) / (2 * width * width))).ToArray();
        double sum = bell.Sum();
        AllClose(bell.Select(b => b / sum / Dt), gaussian[(index - 10)..(index + 11)], 1e-9);

        AllClose(flat, mon.SmoothRate([1, 1, 1, 1, 1]), 1e-9);
        Assert.Throws<ArgumentException>(() => mon.SmoothRate([1, 1, 1, 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => mon.SmoothRate(RateWindow.Flat, 0));
    }

    // Brian's numbers (tests/data/brian_suite, case population_rate): a subgroup's rate and smooth_rate with widths
    // that round, a window longer than the run and an asymmetric window.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void RateMonitorMatchesBrian(Backend backend)
    {
        using var g = Group(backend, 4, "v : 1", threshold: "timestep(t, dt) % (i + 2) == 0");
        var all = g.RecordPopulationRate();
        var sub = g.RecordPopulationRate(1, 4);
        g.Run(3e-3);
        var brian = Case("population_rate");
        AllClose(Vector(brian.GetProperty("t")), all.T, 1e-18);
        AllClose(Vector(brian.GetProperty("rate")), all.Rate, 1e-9);
        AllClose(Vector(brian.GetProperty("rate_1_4")), sub.Rate, 1e-9);
        AllClose(Vector(brian.GetProperty("gaussian")), all.SmoothRate(RateWindow.Gaussian, 2.3 * Dt), 1e-9);
        AllClose(Vector(brian.GetProperty("flat")), all.SmoothRate(RateWindow.Flat, 5.4 * Dt), 1e-9);
        AllClose(Vector(brian.GetProperty("gaussian_long")), all.SmoothRate(RateWindow.Gaussian, 2e-3), 1e-9);
        AllClose(Vector(brian.GetProperty("custom")), sub.SmoothRate([1.0, 2.0, 4.0]), 1e-9);
    }

    // A monitor started after a run records the later steps only, as Brian's does.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void RateMonitorStartsWhereItIsCreated(Backend backend)
    {
        using var g = Group(backend, 4, "v : 1", threshold: "v > 1");
        g.Set("v", [2, 0, 0, 0]);
        g.RunSteps(3);
        var whole = g.RecordPopulationRate();
        var part = g.RecordPopulationRate(0, 2);
        g.RunSteps(2);
        AllClose([3 * Dt, 4 * Dt], whole.T, 1e-18);
        AllClose([0.25 / Dt, 0.25 / Dt], whole.Rate, 1e-9);
        AllClose([0.5 / Dt, 0.5 / Dt], part.Rate, 1e-9);
    }
}
