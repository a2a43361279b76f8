using NeuroNative.Models;
using NeuroNative.Models.Units;
using Xunit;
using static NeuroNative.Tests.BrianSuite.BrianSuite;

namespace NeuroNative.Tests.BrianSuite;

/// <summary>Brian 2.5.1 brian2/tests/test_functions.py and test_timedarray.py, single group.</summary>
public class FunctionTests
{
    // test_clip: integer and float subexpressions (the integer ones truncated).
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void Clip(Backend backend)
    {
        using var g = Group(backend, 4, """
            clipexpr1 = clip(integer_var1, 0, 1) : integer
            clipexpr2 = clip(integer_var2, -0.5, 1.5) : integer
            clipexpr3 = clip(float_var1, 0, 1) : 1
            clipexpr4 = clip(float_var2, -0.5, 1.5) : 1
            integer_var1 : integer
            integer_var2 : integer
            float_var1 : 1
            float_var2 : 1
            """);
        foreach (var name in new[] { "integer_var1", "integer_var2", "float_var1", "float_var2" }) g.Set(name, [0, 1, -1, 2]);
        var mon = g.Record(["clipexpr1", "clipexpr2", "clipexpr3", "clipexpr4"]);
        g.RunSteps(1);
        Assert.Equal([0, 1, 0, 1], Flat(mon, "clipexpr1"));
        Assert.Equal([0, 1, 0, 1], Flat(mon, "clipexpr2"));
        Assert.Equal([0, 1, 0, 1], Flat(mon, "clipexpr3"));
        Assert.Equal([0, 1, -0.5, 1.5], Flat(mon, "clipexpr4"));
    }

    // test_bool_to_int
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void BoolToInt(Backend backend)
    {
        using var g = Group(backend, 2, """
            intexpr1 = int(bool_var) : integer
            intexpr2 = int(float_var > 1.0) : integer
            bool_var : boolean
            float_var : 1
            """);
        g.Set("bool_var", [1, 0]);
        g.Set("float_var", [2.0, 0.5]);
        var mon = g.Record(["intexpr1", "intexpr2"]);
        g.RunSteps(1);
        Assert.Equal([1, 0], Flat(mon, "intexpr1"));
        Assert.Equal([1, 0], Flat(mon, "intexpr2"));
    }

    // test_timestep_function_during_run
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void TimestepFunctionDuringRun(Backend backend)
    {
        using var g = Group(backend, 2, "ref_t : second\nts = timestep(ref_t, dt) + timestep(t, dt) : integer");
        g.Set("ref_t", [-1e4, 5e-4]);
        var mon = g.Record(["ts"]);
        g.RunSteps(5);
        Assert.All(mon["ts"].Values[0], ts => Assert.True(ts <= -1e4));
        Assert.Equal([5, 6, 7, 8, 9], mon["ts"].Values[1]);
    }

    // test_timedarray_semantics: sample k covers [k dt_ta, (k+1) dt_ta).
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void TimedArraySemantics(Backend backend)
    {
        var ta = new TimedArray([0, 1], 1, 0.4e-3, Dimension.Dimensionless);
        using var g = Group(backend, 1, "value = ta(t) : 1", ns: new() { ["ta"] = ta });
        var mon = g.Record(["value"]);
        g.Run(0.8e-3);
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1], mon["value"].Values[0]);
    }

    // test_timedarray_with_units
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void TimedArrayWithUnits(Backend backend)
    {
        var ta = new TimedArray(Enumerable.Range(0, 10).Select(k => k * 1e-9).ToArray(), 1, 1e-4, Dimension.Current);
        using var g = Group(backend, 1, "value = ta(t) + 2*nA : amp", ns: new() { ["ta"] = ta });
        var mon = g.Record(["value"]);
        g.Run(1.1e-3);
        AllClose(Enumerable.Range(0, 11).Select(k => (Math.Min(k, 9) + 2) * 1e-9), mon["value"].Values[0], 1e-24);
    }

    // test_timedarray_2d: one column per neuron, the last row held past the end.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void TimedArray2D(Backend backend)
    {
        var ta = new TimedArray(Enumerable.Range(0, 12).Select(k => (double)k).ToArray(), 3, 1e-4, Dimension.Dimensionless);
        using var g = Group(backend, 3, "value = ta2d(t, i) + 1: 1", ns: new() { ["ta2d"] = ta });
        var mon = g.Record(["value"]);
        g.Run(0.5e-3);
        for (int i = 0; i < 3; i++)
            Assert.Equal(new[] { 0, 3, 6, 9, 9 }.Select(x => x + i + 1.0), mon["value"].Values[i]);
    }

    // test_timedarray_no_upsampling: a monitor every 1 ms of an array sampled every 0.01 ms.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void TimedArrayNoUpsampling(Backend backend)
    {
        var ta = new TimedArray(Enumerable.Range(0, 10).Select(k => (double)k).ToArray(), 1, 1e-5, Dimension.Dimensionless);
        using var g = Group(backend, 1, "value = ta(t): 1", ns: new() { ["ta"] = ta });
        var mon = g.Record(["value"], every: 10);
        g.Run(2.1e-3);
        Assert.Equal([0, 9, 9], mon["value"].Values[0]);
    }

    // test_timedarray_repeated_use: a new array of the same name is not served from a kernel cache.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void TimedArrayRepeatedUse(Backend backend)
    {
        for (int run = 0; run < 2; run++)
        {
            var ta = new TimedArray([1.0 * (run + 1), 2.0 * (run + 1), 3.0 * (run + 1)], 1, 1e-4, Dimension.Dimensionless);
            using var g = Group(backend, 1, "dx/dt = ta(t)/dt : 1", ns: new() { ["ta"] = ta });
            g.RunSteps(3);
            Assert.Equal(6.0 * (run + 1), g.Get("x")[0], 12);
        }
    }

    // test_timedarray_no_units
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void TimedArrayNoUnits(Backend backend)
    {
        var ta = new TimedArray(Enumerable.Range(0, 10).Select(k => (double)k).ToArray(), 1, 1e-4, Dimension.Dimensionless);
        using var g = Group(backend, 1, "value = ta(t) + 1: 1", ns: new() { ["ta"] = ta });
        var mon = g.Record(["value"]);
        g.Run(1.1e-3);
        Assert.Equal(Enumerable.Range(0, 11).Select(k => Math.Clamp(k, 0, 9) + 1.0), mon["value"].Values[0]);
    }

    // test_timedarray_direct_use: the lookup clamps before the start and past the end.
    [Fact, Trait("Category", "CodegenIndependent")]
    public void TimedArrayDirectUse()
    {
        var ta = new TimedArray(Enumerable.Range(0, 11).Select(k => (double)k).ToArray(), 1, 1e-3, Dimension.Current);
        Assert.Equal([0, 5, 10, 10], new[] { -1e-3, 5e-3, 10e-3, 15e-3 }.Select(t => ta.Sample(t, 0, 1e-3)));
        var ta2d = new TimedArray(Enumerable.Range(0, 12).Select(k => (double)k).ToArray(), 3, 1e-3, Dimension.Current);
        Assert.Equal([0, 0, 1, 4], new[] { (-1e-3, 0), (0, 0), (0, 1), (1e-3, 1) }.Select(a => ta2d.Sample(a.Item1, a.Item2, 1e-3)));
        Assert.Equal([9, 10, 11], new[] { 0, 1, 2 }.Select(i => ta2d.Sample(15e-3, i, 1e-3)));
    }

    // test_timedarray_incorrect_use: the wrong number of arguments, or the array used as a value. (Brian
    // also refuses ta(t, i) on a 1-D array; our TimedArray does not tell one column from a 1-D array.)
    [Theory, Trait("Category", "CodegenIndependent")]
    [InlineData("ta2d(t)*amp")] [InlineData("ta()*amp")] [InlineData("ta*amp")]
    public void TimedArrayIncorrectUse(string expression)
    {
        var model = new ModelDefinition($"I = {expression} : amp")
        {
            Namespace = new Dictionary<string, NamespaceValue>
            {
                ["ta"] = new TimedArray(new double[11], 1, 1e-3, Dimension.Dimensionless),
                ["ta2d"] = new TimedArray(new double[12], 3, 1e-3, Dimension.Dimensionless),
            },
        };
        var e = Assert.Throws<ModelException>(() => NeuroNative.Models.Analysis.ModelAnalyzer.Analyze(model));
        Assert.Contains("ta", e.Message);
    }
}
