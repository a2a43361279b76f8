using NeuroNative.Models;
using Xunit;
using static NeuroNative.Tests.BrianSuite.BrianSuite;

namespace NeuroNative.Tests.BrianSuite;

/// <summary>Brian 2.5.1's tests of run_regularly and of (constant over dt) subexpressions (test_neurongroup.py,
/// test_network.py), and Brian's numbers for every slot of its schedule.</summary>
public class RunRegularlyTests
{
    /// <summary>A group of a model with operations and custom events (BrianSuite.Group has neither).</summary>
    internal static NeuronGroup Group(Backend backend, int n, string equations, IReadOnlyList<RunRegularly> operations,
        string? threshold = null, string? reset = null, string? refractory = null, string? method = null,
        IReadOnlyList<CustomEvent>? events = null) =>
        new(n, new ModelDefinition(equations)
        {
            Threshold = threshold, Reset = reset, Refractory = refractory, Method = method, RunRegularly = operations,
            CustomEvents = events ?? [],
        }, Options(backend));

    // test_run_regularly_scheduling: 'start' (the default), 'end' and 'before_start' over two steps.
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void RunRegularlyScheduling(Backend backend)
    {
        using var g = Group(backend, 1, "v1 : 1\nv2 : 1\nv3 : 1",
            [new("v1 += 1"), new("v2 = v1", When: "end"), new("v3 = v1", When: "before_start")]);
        g.Run(2e-4);
        Assert.Equal([2.0, 2.0, 1.0], [g.Get("v1")[0], g.Get("v2")[0], g.Get("v3")[0]]);
    }

    // test_run_regularly_scheduling_2: operations and monitors in one slot, ordered by `order`.
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void RunRegularlySchedulingByOrder(Backend backend)
    {
        using var g = Group(backend, 1, "v1 : 1\nv2 : 1\nv3 : 1",
            [new("v3 = v1", Order: 0), new("v1 += 1", Order: 2), new("v2 = v1", Order: 5)]);
        var mon1 = g.Record(["v1"], order: 1);
        var mon2 = g.Record(["v1"], order: 3);
        var mon3 = g.Record(["v2"], order: 4);
        var mon4 = g.Record(["v2"], order: 6);
        g.Run(2e-4);
        Assert.Equal([2.0, 2.0, 1.0], [g.Get("v1")[0], g.Get("v2")[0], g.Get("v3")[0]]);
        Assert.Equal([0.0, 1.0], mon1["v1"].Values[0]);
        Assert.Equal([1.0, 2.0], mon2["v1"].Values[0]);
        Assert.Equal([0.0, 1.0], mon3["v2"].Values[0]);
        Assert.Equal([1.0, 2.0], mon4["v2"].Values[0]);
    }

    // test_run_regularly_dt: on a clock of 2 steps, seen by a monitor at 'end'.
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void RunRegularlyDt(Backend backend)
    {
        using var g = Group(backend, 1, "v : 1", [new("v += 1", Dt: 2e-4)]);
        var mon = g.Record(["v"], when: "end");
        g.Run(10e-4);
        Assert.Equal(5.0, g.Get("v")[0]);
        var v = mon["v"].Values[0];
        Assert.Equal([0, 1, 0, 1, 0, 1, 0, 1, 0], v.Zip(v.Skip(1), (a, b) => b - a));
    }

    // test_run_regularly_shared: shared and per-neuron parameters of every type, assigned on every step.
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void RunRegularlyShared(Backend backend)
    {
        using var g = Group(backend, 10, """
            individual_var : 1
            shared_var : 1 (shared)
            individual_var_i : integer
            shared_var_i : integer (shared)
            individual_var_b : boolean
            shared_var_b : boolean (shared)
            """, [new("""
                shared_var = 1.0
                shared_var_i = 2
                shared_var_b = True
                individual_var = 1.0
                individual_var_i = 2
                individual_var_b = True
                """, Dt: 1e-4)]);
        g.Run(1e-4);
        foreach (var (name, value) in new[] { ("shared_var", 1.0), ("individual_var", 1.0), ("shared_var_i", 2.0),
                     ("individual_var_i", 2.0), ("shared_var_b", 1.0), ("individual_var_b", 1.0) })
            Assert.Equal(Enumerable.Repeat(value, 10), g.Get(name));
    }

    // test_aliasing_in_statements: each statement sees the ones before it.
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void AliasingInStatements(Backend backend)
    {
        using var g = Group(backend, 1, "x_0 : 1\nx_1 : 1", [new("x_1 = x_0\nx_0 = -1")]);
        g.Run(1e-4);
        Assert.Equal([-1.0, 0.0], [g.Get("x_0")[0], g.Get("x_1")[0]]);
    }

    // test_semantics_floor_division, test_semantics_floating_point_division and test_semantics_mod: Python's
    // semantics (floor, true division, the sign of the divisor) for integers and floats.
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void SemanticsOfDivisionAndModulo(Backend backend)
    {
        using var g = Group(backend, 11, """
            a : integer
            b : integer
            x : 1
            y : 1
            m : integer
            z : 1
            fvalue : 1
            ivalue : integer
            """, [new("a = ivalue//3\nx = fvalue//3\nb = ivalue/3\ny = fvalue/3\nm = ivalue % 3\nz = fvalue % 3")]);
        var values = Enumerable.Range(-5, 11).Select(k => (double)k).ToArray();
        g.Set("ivalue", values);
        g.Set("fvalue", values);
        g.Run(1e-4);
        var floor = values.Select(v => Math.Floor(v / 3)).ToArray();
        var mod = values.Select(v => v - 3 * Math.Floor(v / 3)).ToArray();
        Assert.Equal(floor, g.Get("a"));
        Assert.Equal(floor, g.Get("x"));
        // true division, as numpy's within its assert_allclose (the IR multiplies by the reciprocal of a constant)
        AllClose(values.Select(v => v / 3), g.Get("b"), 1e-15);
        AllClose(values.Select(v => v / 3), g.Get("y"), 1e-15);
        Assert.Equal(mod, g.Get("m"));
        Assert.Equal(mod, g.Get("z"));
    }

    // Brian's conditional write: run_regularly changes an (unless refractory) variable only where not_refractory
    // holds, the others everywhere (Brian's traces).
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void UnlessRefractoryVariablesAreWrittenOnlyWhenNotRefractory(Backend backend)
    {
        using var g = Group(backend, 2, "dv/dt = (1.5 - v)/(2*ms) : 1 (unless refractory)\ndw/dt = -w/(5*ms) : 1",
            [new("v += 0.05\nw += 0.1", When: "end")], threshold: "v > 1", reset: "v = 0", refractory: "1*ms", method: "euler");
        g.Set("v", "0.5*i");
        var mon = g.Record(["v", "w"]);
        g.Run(4e-3);
        var brian = Case("run_regularly_unless_refractory");
        for (int i = 0; i < 2; i++)
        {
            AllClose(Matrix(brian.GetProperty("v"))[i], mon["v"].Values[i], 1e-12);
            AllClose(Matrix(brian.GetProperty("w"))[i], mon["w"].Values[i], 1e-12);
        }
    }

    // test_scalar_subexpression: a shared subexpression of shared parameters is one value; one of a per-neuron
    // parameter, or of rand() (which a run_regularly would otherwise draw per neuron), is refused.
    [Fact, Trait("Category", "CodegenIndependent")]
    public void ScalarSubexpression()
    {
        using var g = new NeuronGroup(10, new ModelDefinition(
            "dv/dt = freq : 1\nfreq : Hz (shared)\nnumber : 1 (shared)\narray : 1\nsub = freq + number*Hz : Hz (shared)"),
            new SimulationOptions { Backend = Backend.Interpreted });
        g.Set("freq", 100);
        g.Set("number", 50);
        Assert.All(g.Get("sub"), x => Assert.Equal(150.0, x));
        static ModelException Refused(ModelDefinition m) => Assert.Throws<ModelException>(() =>
            CompiledModel.Compile(m, new CompileOptions { Backend = Backend.Interpreted }));
        Assert.Contains("subexpression 'sub' is shared (one value for the group) but 'freq + array*Hz' differs between neurons",
            Refused(new("dv/dt = freq : 1\nfreq : Hz (shared)\narray : 1\nsub = freq + array*Hz : Hz (shared)")).Message);
        Assert.Contains("subexpression 'sub' is shared",
            Refused(new("x : 1\nsub = rand() : 1 (shared)") { RunRegularly = [new("x = sub")] }).Message);
    }

    // test_network.test_both_equal: 'v = 2*v' every 20 ms on an exact integration (Brian's trace).
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void BothEqual(Backend backend)
    {
        using var g = Group(backend, 1, "dv/dt = (1-v)/(10*ms) : 1", [new("v = 2*v", Dt: 20e-3)], method: "exact");
        var mon = g.Record(["v"]);
        g.Run(0.1);
        var brian = Vector(Case("run_regularly_both_equal").GetProperty("v"));
        var ours = mon["v"].Values[0];
        AllClose(brian, ours, 1e-12);
    }

    // Every slot of Brian's schedule, with a threshold, reset and refractoriness: three operations in the slot
    // (orders -1, 0, 1; one on a clock of 3 steps, one reading not_refractory and lastspike), a monitor at 'start'
    // and one in the slot itself; Brian's traces and spikes.
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void EverySlotOfTheSchedule(Backend backend)
    {
        var cases = Case("run_regularly_slots").EnumerateArray().ToList();
        Assert.Equal(18, cases.Count);
        foreach (var c in cases)
        {
            string when = c.GetProperty("when").GetString()!;
            using var g = Group(backend, 3, "dv/dt = (1.2 - v)/(4*ms) : 1\nc : 1\nw : 1",
            [
                new("c += int(not_refractory) + 0.5*int(t == lastspike)", when, -1),
                new("v += 0.02*c", when, 0),
                new("w = 2*v\nv *= 0.995", when, 1, Dt: 0.3e-3),
            ], threshold: "v > 1", reset: "v = 0.1*c", refractory: "0.7*ms", method: "euler");
            g.Set("v", "0.35*i");
            var start = g.Record(["v", "c", "w"]);
            var at = g.Record(["v", "c", "w"], when: when, order: 2);
            var spikes = g.RecordSpikes();
            g.Run(4e-3);
            foreach (var name in new[] { "v", "c", "w" })
                for (int i = 0; i < 3; i++)
                {
                    Assert.True(Close(Matrix(c.GetProperty(name))[i], start[name].Values[i]), $"{when}: {name} of neuron {i} at 'start'");
                    Assert.True(Close(Matrix(c.GetProperty("at_" + name))[i], at[name].Values[i]), $"{when}: {name} of neuron {i} at '{when}'");
                }
            var (indices, times) = spikes.Spikes;
            Assert.Equal(Vector(c.GetProperty("spike_i")), indices.Select(i => (double)i));
            AllClose(Vector(c.GetProperty("spike_t")), times, 1e-12);
        }
    }

    private static bool Close(double[] expected, double[] actual) =>
        expected.Length == actual.Length && expected.Zip(actual).All(p => Math.Abs(p.First - p.Second) <= 1e-12);

    // test_constant_variable_subexpression, the (constant over dt) copy under rk2: evaluated once per step,
    // before its start, and held through the stages (Brian's final values).
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void ConstantOverDtUnderMultiStageMethods(Backend backend)
    {
        using var g = Group(backend, 10, "dv2/dt = -v_const**2 / (10*ms) : 1\nv_const = v2 : 1 (constant over dt)", [],
            method: "rk2");
        g.Set("v2", "1.0*i/N");
        g.Run(0.01);
        AllClose(Vector(Case("constant_variable_subexpression").GetProperty("v2")), g.Get("v2"), 1e-12);

        using var timed = Group(backend, 1, "dv/dt = (s - v)/(10*ms) : 1\ns = t/ms : 1 (constant over dt)", [], method: "rk4");
        var mon = timed.Record(["v", "s"]);
        timed.Run(1e-3);
        var brian = Case("constant_over_dt_rk4");
        AllClose(Vector(brian.GetProperty("v")), mon["v"].Values[0], 1e-12);
        AllClose(Vector(brian.GetProperty("s")), mon["s"].Values[0], 1e-12);
    }

    // (constant over dt) as Brian's parameter set at 'before_start': the threshold and reset read the value of
    // the step's start, and a run_regularly at 'start' changes v after it was computed (rk4; Brian's numbers).
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void ConstantOverDtIsSetBeforeTheStart(Backend backend)
    {
        using var g = Group(backend, 2, "dv/dt = (s - v)/(3*ms) : 1\ns = 1.5*v + 0.5 + t/ms : 1 (constant over dt)",
            [new("v += 0.01")], threshold: "s > 3", reset: "v = -s/4", method: "rk4");
        g.Set("v", "0.5*i");
        var mon = g.Record(["v", "s"]);
        var spikes = g.RecordSpikes();
        g.Run(2e-3);
        var brian = Case("constant_over_dt_schedule");
        for (int i = 0; i < 2; i++)
        {
            AllClose(Matrix(brian.GetProperty("v"))[i], mon["v"].Values[i], 1e-12);
            AllClose(Matrix(brian.GetProperty("s"))[i], mon["s"].Values[i], 1e-12);
        }
        var (indices, times) = spikes.Spikes;
        Assert.Equal(Vector(brian.GetProperty("spike_i")), indices.Select(i => (double)i));
        AllClose(Vector(brian.GetProperty("spike_t")), times, 1e-12);
    }

    // Operations' clocks follow the step, so a snapshot taken between two of their ticks continues bit for bit;
    // a monitor's place in the step is part of what a restore checks.
    [Theory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void SnapshotsContinueOperationsOnTheirClock(Backend backend)
    {
        NeuronGroup Make() => Group(backend, 4, "dv/dt = -v/(3*ms) : 1\nc : 1\ns = c + v : 1 (constant over dt)",
            [new("v += 0.1*(i + 1)", Dt: 3e-4), new("c += s", When: "after_resets")], threshold: "v > 0.5", reset: "v = 0",
            method: "rk2");
        using var whole = Make();
        var wholeMon = whole.Record(["v", "c", "s"], when: "thresholds");
        whole.RunSteps(20);
        using var first = Make();
        first.Record(["v", "c", "s"], when: "thresholds");
        first.RunSteps(7);
        var blob = first.Snapshot();
        using var second = Make();
        var mon = second.Record(["v", "c", "s"], when: "thresholds");
        second.Restore(blob);
        second.RunSteps(13);
        foreach (var name in new[] { "v", "c", "s" })
            Assert.Equal(wholeMon[name].Values, mon[name].Values);
        using var elsewhere = Make();
        elsewhere.Record(["v", "c", "s"], when: "end");
        Assert.Throws<ArgumentException>(() => elsewhere.Restore(blob));
    }

    [Fact, Trait("Category", "CodegenIndependent")]
    public void BadOperationsAreRefusedWithTheReason()
    {
        static ModelException Refused(RunRegularly r) => Assert.Throws<ModelException>(() =>
            CompiledModel.Compile(new ModelDefinition("v : 1") { RunRegularly = [r] }, new CompileOptions { Backend = Backend.Interpreted }));
        Assert.Contains("when is 'middle'; expected one of before_start, start", Refused(new("v = 1", When: "middle")).Message);
        Assert.Contains("'u'", Refused(new("u = 1")).Message);
        Assert.Contains("dt is -0.001 s", Refused(new("v = 1", Dt: -1e-3)).Message);
        Assert.Contains("no statements", Refused(new("  ")).Message);
        using var model = CompiledModel.Compile(new ModelDefinition("v : 1") { RunRegularly = [new("v += 1", Dt: 2.5e-4)] },
            new CompileOptions { Backend = Backend.Interpreted });
        var e = Assert.Throws<ArgumentException>(() => model.CreateGroup(1));
        Assert.Contains("run_regularly 0 has dt 0.00025 s, which is not a whole multiple of the group's dt 0.0001 s", e.Message);
    }
}
