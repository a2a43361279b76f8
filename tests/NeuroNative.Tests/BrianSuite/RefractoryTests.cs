using Xunit;
using static NeuroNative.Tests.BrianSuite.BrianSuite;

namespace NeuroNative.Tests.BrianSuite;

/// <summary>Brian 2.5.1 brian2/tests/test_refractory.py, and test_refractory of test_stateupdaters.py.</summary>
public class RefractoryTests
{
    private const string Ramp = "dv/dt = 99.999*Hz : 1 (unless refractory)\ndw/dt = 99.999*Hz : 1\n";

    // test_refractoriness_basic: v is held during the 5 ms after the spike at 10 ms, w keeps integrating.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void RefractorinessBasic(Backend backend)
    {
        using var g = Group(backend, 1, Ramp, threshold: "v>1", reset: "v=0;w=0", refractory: "5*ms");
        var mon = g.Record(["v", "w"]);
        g.Run(0.02);
        var brian = Case("refractoriness_basic");
        AllClose(Vector(brian.GetProperty("v")[0]), mon["v"].Values[0], 1e-12);
        AllClose(Vector(brian.GetProperty("w")[0]), mon["w"].Values[0], 1e-12);
        Assert.All(mon["v"].Values[0][101..151], v => Assert.Equal(0.0, v));
    }

    // test_refractoriness_variables: a duration, a parameter (with and without unit), a condition and a
    // boolean subexpression as the refractory argument all give Brian's spikes and trace.
    public static TheoryData<Backend, int> RefractoryArguments()
    {
        var data = new TheoryData<Backend, int>();
        for (int k = 0; k < Case("refractoriness_variables").GetArrayLength(); k++) data.Add(Backend.Interpreted, k);
        data.Add(Backend.Compiled, 2); // a condition on a subexpression of lastspike
        data.Add(Backend.Compiled, 3); // a boolean subexpression
        return data;
    }

    [SkippableTheory, MemberData(nameof(RefractoryArguments))]
    public void RefractorinessVariables(Backend backend, int argument)
    {
        var brian = Case("refractoriness_variables")[argument];
        using var g = Group(backend, 1, Ramp + """
            ref : second
            ref_no_unit : 1
            time_since_spike = (t - lastspike) +1e-3*dt : second
            ref_subexpression = (t - lastspike + 1e-3*dt) < ref : boolean
            """, threshold: "v>1", reset: "v=0;w=0", refractory: brian.GetProperty("refractory").GetString());
        g.Set("ref", 5e-3);
        g.Set("ref_no_unit", 5);
        var spikes = g.RecordSpikes();
        var mon = g.Record(["v"]);
        g.Run(0.02);
        AllClose(Vector(brian.GetProperty("spikes")), spikes.Spikes.Times, 1e-15);
        AllClose(Vector(brian.GetProperty("v")), mon["v"].Values[0], 1e-12);
    }

    // test_refractoriness_threshold_basic and test_refractoriness_threshold: the threshold is ignored
    // while refractory, whichever way the 10 ms are written.
    [SkippableTheory]
    [InlineData(Backend.Interpreted, "10*ms")] [InlineData(Backend.Compiled, "10*ms")]
    [InlineData(Backend.Interpreted, "timestep(t-lastspike, dt) < timestep(10*ms, dt)")]
    [InlineData(Backend.Compiled, "timestep(t-lastspike, dt) < timestep(ref, dt)")]
    [InlineData(Backend.Interpreted, "ref")] [InlineData(Backend.Interpreted, "ref_no_unit*ms")]
    public void RefractorinessThreshold(Backend backend, string refractory)
    {
        using var g = Group(backend, 1, "dv/dt = 199.999*Hz : 1\nref : second\nref_no_unit : 1",
            threshold: "v > 1", reset: "v=0", refractory: refractory);
        g.Set("ref", 10e-3);
        g.Set("ref_no_unit", 10);
        var spikes = g.RecordSpikes();
        g.Run(0.016);
        AllClose([5e-3, 15e-3], spikes.Spikes.Times, 1e-12);
    }

    // test_refractoriness_repeated: an empty model with threshold True spikes at 0 and every 10 steps.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void RefractorinessRepeated(Backend backend)
    {
        using var g = Group(backend, 1, "", threshold: "True", refractory: "10*dt");
        var spikes = g.RecordSpikes();
        g.RunSteps(10000);
        var steps = spikes.Spikes.Times.Select(t => (long)Math.Round(t / 1e-4)).ToArray();
        Assert.Equal(Enumerable.Range(0, 1000).Select(k => 10L * k), steps);
    }

    // test_stateupdaters.test_refractory: a neuron that never spikes integrates the same with and
    // without (unless refractory), for every method.
    [SkippableTheory]
    [InlineData(Backend.Interpreted, new[] { "linear", "exact", "euler", "exponential_euler", "rk2", "rk4" })]
    [InlineData(Backend.Compiled, new[] { "exact", "rk4" })] // the two integrator templates
    public void UnlessRefractoryWithoutSpikesChangesNothing(Backend backend, string[] methods)
    {
        foreach (var method in methods)
        {
            double[] Final(string flag, string? refractory)
            {
                using var g = Group(backend, 10, "dv/dt = -v/(10*ms) : 1" + flag, refractory: refractory, method: method);
                g.Set("v", "(i+1)/11.");
                g.Run(0.01);
                return g.Get("v");
            }
            Assert.Equal(Final("", null), Final(" (unless refractory)", "1*ms"));
        }
    }

    // Brian records not_refractory and lastspike like any variable.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void NotRefractoryAndLastspikeCanBeRecorded(Backend backend)
    {
        using var g = Group(backend, 2, "dv/dt = 0/second : 1", threshold: "v > 0.5", reset: "v = 0", refractory: "2*dt");
        g.Set("v", [1, 0]);
        var mon = g.Record(["not_refractory", "lastspike"]);
        g.RunSteps(4);
        Assert.Equal([1, 0, 0, 1], mon["not_refractory"].Values[0]);
        Assert.Equal([1, 1, 1, 1], mon["not_refractory"].Values[1]);
        Assert.Equal([-1e4, 0, 0, 0], mon["lastspike"].Values[0]);
        Assert.Equal([-1e4, -1e4, -1e4, -1e4], mon["lastspike"].Values[1]);
    }
}
