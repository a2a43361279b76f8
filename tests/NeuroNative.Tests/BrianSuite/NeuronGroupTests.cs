using NeuroNative.Models;
using Xunit;
using static NeuroNative.Tests.BrianSuite.BrianSuite;

namespace NeuroNative.Tests.BrianSuite;

/// <summary>Brian 2.5.1 brian2/tests/test_neurongroup.py and test_stateupdaters.py, single group.</summary>
public class NeuronGroupTests
{
    // test_threshold_reset
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void ThresholdReset(Backend backend)
    {
        using var g = Group(backend, 3, "dv/dt = 0 / second : 1", threshold: "v > 1", reset: "v=0.5");
        g.Set("v", [0, 1, 2]);
        g.RunSteps(1);
        Assert.Equal([0, 1, 0.5], g.Get("v"));
    }

    // test_integer_variables_and_mod: integer subexpressions of i, and % on floats.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void IntegerVariablesAndMod(Backend backend)
    {
        using var g = Group(backend, 100, """
            dv/dt = (a+b+j+k)/second : 1
            j = i%n : integer
            k = i//n : integer
            a = v%(i+1) : 1
            b = v%(2*v) : 1
            """, ns: new() { ["n"] = 10 });
        g.Set("v", "rand()");
        g.Run(1e-3);
        var v = g.Get("v");
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (double)(i % 10)), g.Get("j"));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (double)(i / 10)), g.Get("k"));
        Assert.Equal(v.Select((x, i) => x % (i + 1)), g.Get("a"));
    }

    // `: integer` on a subexpression truncates toward zero wherever it is used (Brian's generated
    // code holds it in an int32_t; references from cpp_standalone).
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void IntegerSubexpressionTruncates(Backend backend)
    {
        var brian = Case("integer_subexpression");
        using var g = Group(backend, 4, "x : 1\ny = x/2 : integer\nz = y*1.5 : 1\ndv/dt = y/ms : 1", method: "euler");
        g.Set("x", Vector(brian.GetProperty("x")));
        var mon = g.Record(["y", "z", "v"]);
        g.RunSteps(3);
        foreach (var name in new[] { "y", "z", "v" })
            AllClose(Matrix(brian.GetProperty(name)).SelectMany(r => r), mon[name].Values.SelectMany(r => r), 1e-15);
    }

    // test_sim_with_scalar_variable: a shared parameter.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void SimWithScalarVariable(Backend backend)
    {
        using var g = Group(backend, 10, "tau : second (shared)\ndv/dt = -v/tau : 1", method: "exact");
        g.Set("tau", 10e-3);
        g.Set("v", "1.0*i/N");
        g.Run(1e-3);
        AllClose(Enumerable.Range(0, 10).Select(i => Math.Exp(-0.1) * i / 10), g.Get("v"), 1e-12);
    }

    // test_no_code: a model of one parameter, and the empty model, run.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void ModelsWithNothingToIntegrateRun(Backend backend)
    {
        using (var g = Group(backend, 10, "v: 1", threshold: "False", refractory: "2*ms"))
        {
            g.Set("v", "i");
            g.RunSteps(3);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => (double)i), g.Get("v"));
        }
        using var empty = Group(backend, 3, "");
        var spikes = empty.RecordSpikes();
        empty.RunSteps(3);
        Assert.Equal(0, spikes.NumSpikes);
    }

    // A model of parameters, a subexpression and a TimedArray only (Brian's values), recorded.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void NoDifferentialEquation(Backend backend)
    {
        var ta = new TimedArray([1.0, 2.5, -3.0, 4.0], 1, 2e-4, NeuroNative.Models.Units.Dimension.Dimensionless);
        using var g = Group(backend, 3, "x : 1\ny = 2*x + ta(t) : 1", ns: new() { ["ta"] = ta });
        g.Set("x", [1, 3, 5]);
        var mon = g.Record(["y"]);
        g.Run(1e-3);
        Assert.Equal(Matrix(Case("no_differential_equation").GetProperty("y")), mon["y"].Values);
    }

    // test_subexpressions_basic (euler) and test_subexpressions (the other methods): a right-hand side written
    // with a subexpression integrates bit for bit like the one written out.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void SubexpressionsBasic(Backend backend) => SubexpressionIntegratesAsWrittenOut(backend, "euler");

    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void Subexpressions(Backend backend)
    {
        foreach (var method in new[] { "exponential_euler", "rk2", "rk4" }) SubexpressionIntegratesAsWrittenOut(backend, method);
    }

    private static void SubexpressionIntegratesAsWrittenOut(Backend backend, string method)
    {
        double[] Trace(string equations)
        {
            using var g = Group(backend, 1, equations, method: method);
            g.Set("v", 1);
            var mon = g.Record(["v"]);
            g.Run(0.01);
            return mon["v"].Values[0];
        }
        Assert.Equal(Trace("dv/dt = (-v + sin(2*pi*100*Hz*t)) / (10*ms) : 1"),
            Trace("dv/dt = I / (10*ms) : 1\nI = -v + sin(2*pi*100*Hz*t): 1"));
    }

    // test_constant_variable_subexpression, the part without the flag: subexpressions are inserted into the
    // right-hand side, so v3 and v4 integrate as v1 does (Brian's final values under rk2).
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void VariableSubexpressionsAreInserted(Backend backend)
    {
        using var g = Group(backend, 10, """
            dv1/dt = -v1**2 / (10*ms) : 1
            dv3/dt = -v_var**2 / (10*ms) : 1
            dv4/dt = -v_noflag**2 / (10*ms) : 1
            v_var = v3 : 1
            v_noflag = v4 : 1
            """, method: "rk2");
        foreach (var name in new[] { "v1", "v3", "v4" }) g.Set(name, "1.0*i/N");
        g.Run(0.01);
        var brian = Case("constant_variable_subexpression");
        foreach (var name in new[] { "v1", "v3", "v4" }) AllClose(Vector(brian.GetProperty(name)), g.Get(name), 1e-12);
    }

    // test_constants_values
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void ConstantsValues(Backend backend)
    {
        using var g = Group(backend, 1, "a : 1\nb : 1\nc : 1");
        g.Set("a", "pi");
        g.Set("b", "e");
        g.Set("c", "inf");
        g.RunSteps(0);
        Assert.Equal([Math.PI, Math.E, double.PositiveInfinity], [g.Get("a")[0], g.Get("b")[0], g.Get("c")[0]]);
    }

    // test_subexpression: a subexpression read from the group before any run.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void Subexpression(Backend backend)
    {
        using var g = Group(backend, 10, "dv/dt = freq : 1\nfreq : Hz\narray : 1\nexpr = 2*freq + array*Hz : Hz");
        g.Set("freq", "10*i*Hz");
        g.Set("array", 5);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 2 * 10.0 * i + 5), g.Get("expr"));
    }

    // test_stochastic_variable and test_stochastic_variable_multiplicative: they run.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void StochasticVariables(Backend backend)
    {
        var tau = new Dictionary<string, NamespaceValue> { ["tau"] = "10*ms" };
        using var additive = Group(backend, 1, "dv/dt = -v/tau + xi*tau**-0.5: 1", ns: tau);
        additive.RunSteps(1);
        using var multiplicative = Group(backend, 1, "dv/dt = -v/tau + v*xi*tau**-0.5: 1", ns: tau);
        multiplicative.RunSteps(1);
        Assert.True(double.IsFinite(additive.Get("v")[0]) && double.IsFinite(multiplicative.Get("v")[0]));
    }
}
