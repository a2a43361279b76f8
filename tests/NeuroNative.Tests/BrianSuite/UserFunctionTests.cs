using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using Xunit;
using static NeuroNative.Tests.BrianSuite.BrianSuite;

namespace NeuroNative.Tests.BrianSuite;

/// <summary>Brian 2.5.1 brian2/tests/test_functions.py, user-defined functions: Brian's are Python functions with
/// check_units and per-target implementations; ours are written in the model language and inlined (same checks).</summary>
public class UserFunctionTests
{
    private static ModelException Refused(string equations, string functions, string? threshold = null,
        Dictionary<string, NamespaceValue>? ns = null) =>
        Assert.Throws<ModelException>(() => ModelAnalyzer.Analyze(new ModelDefinition(equations)
        {
            Functions = functions, Threshold = threshold, Namespace = ns ?? [],
        }));

    // test_user_defined_function and test_simple_user_defined_function: a function of a subexpression.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void UserDefinedFunction(Backend backend)
    {
        using var g = Group(backend, 4, "func = usersin(variable) : 1\nvariable : 1", functions: "usersin(x : 1) = sin(x) : 1");
        g.Set("variable", [0, 1, 2, 3]);
        var mon = g.Record(["func"]);
        g.RunSteps(1);
        AllClose(new double[] { 0, 1, 2, 3 }.Select(Math.Sin), Flat(mon, "func"), 1e-15);
    }

    // test_user_defined_function_units: a call in an assigned expression is checked against every declared unit.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void UserDefinedFunctionUnits(Backend backend)
    {
        const string functions = "all_specified(x : 1, y : second, z : second) = x*(y + z) : second";
        using var g = Group(backend, 1, "a : 1\nb : second\nc : second", functions: functions);
        g.Set("a", 2);
        g.Set("b", 3);
        g.RunSteps(1);
        g.Set("c", "all_specified(a, b, t)");
        Assert.Equal(2 * (3 + 1e-4), g.Get("c")[0], 15);
        var result = Assert.Throws<ModelException>(() => g.Set("a", "all_specified(a, b, t)"));
        Assert.Contains("is second (s) but 'a' is 1 (dimensionless)", result.Message);
        var argument = Assert.Throws<ModelException>(() => g.Set("a", "all_specified(b, a, t)"));
        Assert.Contains("argument 1 ('x') of all_specified(x : 1, y : second, z : second) : second must be 1 (dimensionless), " +
            "but 'b' is second (s)", argument.Message);
        // A unit left out (Brian: one_arg_missing, no_result_unit, nothing_specified) is a syntax error.
        Assert.Contains("expected ':' and the unit of argument 'y'", Refused("a : 1", "one_arg_missing(x : 1, y, z : second) = x*(y + z) : second").Message);
        Assert.Contains("expected ':' followed by the unit of the result", Refused("a : 1", "no_result_unit(x : 1, y : second, z : second) = x*(y + z)").Message);
        Assert.Contains("expected ':' and the unit of argument 'x'", Refused("a : 1", "nothing_specified(x, y, z) = x*(y + z)").Message);
    }

    // test_manual_user_defined_function: wrong argument units, a wrong result unit, then a run; the same with
    // the units discarded inside the function.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void ManualUserDefinedFunction(Backend backend)
    {
        const string foo = "foo(x : volt, y : volt) = x + y + 3*volt : volt";
        var arguments = Refused("dv/dt = foo(x, y)/ms : volt\nx : 1\ny : 1", foo);
        Assert.Equal((1, 13), (arguments.Line, arguments.Column));
        Assert.Equal("x", arguments.OffendingText);
        Assert.Contains("argument 1 ('x') of foo(x : volt, y : volt) : volt must be volt (m^2 kg s^-3 A^-1), but 'x' is 1 (dimensionless)",
            arguments.Message);
        var output = Refused("dv/dt = foo(x, y)/ms : 1\nx : volt\ny : volt", foo);
        Assert.Contains("inconsistent units in the differential equation for 'v'", output.Message);
        foreach (var functions in new[] { foo, "foo(x : volt, y : volt) = x + y + 3 : volt (discard units)" })
        {
            using var g = Group(backend, 1, "func = foo(x, y) : volt\nx : volt\ny : volt", functions: functions);
            g.Set("x", 1);
            g.Set("y", 2);
            var mon = g.Record(["func"]);
            g.RunSteps(1);
            Assert.Equal([6.0], Flat(mon, "func"));
        }
    }

    // test_user_defined_function_discarding_units and _2: inside a (discard units) function units and namespace
    // quantities are SI numbers (3*volt is 3), the result takes the declared unit.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void UserDefinedFunctionDiscardingUnits(Backend backend)
    {
        foreach (var body in new[] { "v + 3*volt", "v + 3*unit" })
        {
            using var g = Group(backend, 1, "x : volt\ny : volt", ns: new() { ["unit"] = "1*volt" },
                functions: $"foo(v : volt) = {body} : volt (discard units)");
            g.Set("x", 5);
            g.Set("y", "foo(x)");
            Assert.Equal(8.0, g.Get("y")[0]);
        }
        // Without the flag, the unitless 3 meets the volt of v ("this normally raises an error").
        Assert.Contains("combines values of different units", Refused("x : volt", "foo(v : volt) = v + 3 : volt").Message);
    }

    // test_function_dependencies_numpy, _cython and _cython_rename: run_regularly calls bar, which calls foo. Brian's three
    // differ only in how each target's implementation reaches foo (a Python reference, a Cython dependency, one under
    // another name); ours are one language, where a function calls another by its name, so one model covers all
    // three. Then the same with foo reading its argument, so the value passes through both calls.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void FunctionDependencies(Backend backend)
    {
        foreach (var (foo, expected) in new (string, double[])[]
        {
            ("foo(x : volt) = 42*mV : volt", [0.084, 0.084, 0.084, 0.084, 0.084]),
            ("foo(x : volt) = x + 42*mV : volt", [0.084, 0.086, 0.088, 0.090, 0.092]),
        })
        {
            using var g = new NeuronGroup(5, new ModelDefinition("v : volt")
            {
                Functions = foo + "\nbar(x : volt) = 2*foo(x) : volt",
                RunRegularly = [new("v = bar(v)")],
            }, Options(backend));
            g.Set("v", "i*mV");
            g.RunSteps(1);
            AllClose(expected, g.Get("v"), 1e-15);
        }
    }

    // test_repeated_function_dependencies: two BinomialFunctions in one expression (in Brian each added the same
    // dependency, #988); each call draws its own numbers. Both use the exact sampler (n p = 5 and n (1 - p) = 4 are
    // not above 5): whole numbers with mean 5 + 6 and variance 2.5 + 2.4.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void RepeatedFunctionDependencies(Backend backend)
    {
        const string functions = """
            bino_1 = BinomialFunction(10, 0.5)
            bino_2 = BinomialFunction(10, 0.6)
            """;
        using var g = Group(backend, 20000, "x : 1\ny : 1", functions: functions);
        g.Set("x", "bino_1() + bino_2()");
        g.Set("y", "bino_1() - bino_1()");
        g.RunSteps(0);
        double[] x = g.Get("x"), y = g.Get("y");
        Assert.InRange(x.Average(), 10.9, 11.1);
        Assert.InRange(x.Select(v => (v - 11) * (v - 11)).Average(), 4.6, 5.2);
        Assert.InRange(y.Select(v => v * v).Average(), 4.7, 5.3);
        Assert.All(x, v => Assert.Equal(Math.Floor(v), v));
    }

    // test_declare_types: integer and boolean arguments and results; non-float arguments are dimensionless by
    // construction (Brian's TypeError for an integer argument with volt cannot be written), an unknown type
    // is an unknown unit, and the argument types are checked at every call.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void DeclareTypes(Backend backend)
    {
        const string functions = """
            times(a : integer, b : volt) = a*b : volt
            half(n : integer) = n/2 : integer
            above(v : volt, on : boolean) = on and v > 1*volt : boolean
            """;
        using var g = Group(backend, 3, "v : volt\nn : integer\nw = times(n + 1, v) : volt\nh = half(n - 4) : integer\nflag : boolean",
            threshold: "above(v, flag)", reset: "v = times(2, v)", functions: functions);
        g.Set("v", [0.5, 2, 2]);
        g.Set("n", [0, 1, 2]);
        g.Set("flag", [1, 1, 0]);
        var mon = g.Record(["w", "h"]);
        var spikes = g.RecordSpikes();
        g.RunSteps(1);
        Assert.Equal([0.5, 4, 6], mon["w"].Values.Select(r => r[0]));
        Assert.Equal([-2, -1, -1], mon["h"].Values.Select(r => r[0]));
        Assert.Equal([1L], spikes.Spikes.Indices);
        Assert.Equal([0.5, 4, 2], g.Get("v"));

        Assert.Contains("unknown unit 'floating' for 'b'", Refused("v : volt", "f(a : 1, b : floating) = a*b : 1").Message);
        Assert.Contains("argument 1 ('a') of times(a : integer, b : volt) : volt is an integer, but 'v/volt' is not",
            Refused("v : volt\nw = times(v/volt, v) : volt", functions).Message);
        Assert.Contains("argument 2 ('on') of above(v : volt, on : boolean) : boolean is boolean, but 'v/volt' is not a condition",
            Refused("v : volt", functions, threshold: "above(v, v/volt)").Message);
        Assert.Contains("function 'f' is declared boolean but 'x' is not a condition", Refused("v : 1", "f(x : 1) = x : boolean").Message);
    }

    // Errors name the text, line, symbol and what was expected: unknown functions, arity, recursion, and names a
    // function cannot see.
    [Fact, Trait("Category", "CodegenIndependent")]
    public void DefinitionAndCallErrors()
    {
        const string f = "usersin(x : 1) = sin(x) : 1\ntwice(x : 1) = 2*usersin(x) : 1";
        var unknown = Refused("y = usersn(1) : 1", f);
        Assert.Equal("equations", unknown.Context);
        Assert.Contains("unknown function 'usersn' (did you mean 'usersin'?)", unknown.Message);
        var arity = Refused("y = twice(1, 2) : 1", f);
        Assert.Contains("function twice(x : 1) : 1 takes 1 argument, but 2 were given", arity.Message);
        var cycle = Refused("y : 1", "f(x : 1) = g(x) : 1\ng(x : 1) = 1 + f(x) : 1");
        Assert.Equal(("functions", 1), (cycle.Context, cycle.Line));
        Assert.Contains("functions cannot call themselves: f -> g -> f", cycle.Message);
        var self = Refused("y : 1", "f(x : 1) = f(x) : 1");
        Assert.Contains("f -> f", self.Message);
        var hidden = Refused("dv/dt = -v/tau : volt\ntau : second", "f(x : volt) = x/tau : hertz*volt");
        Assert.Equal(("functions", 1, "tau"), (hidden.Context, hidden.Line, hidden.OffendingText));
        Assert.Contains("function 'f' cannot read the model's 'tau'", hidden.Message);
        var result = Refused("y : 1", "\nf(x : volt) = x*2 : 1");
        Assert.Equal(2, result.Line);
        Assert.Contains("function 'f' is declared to return 1 (dimensionless) but 'x*2' is volt", result.Message);
        Assert.Contains("'sin' cannot be used as a function name: it is the name of a function", Refused("y : 1", "sin(x : 1) = x : 1").Message);
        Assert.Contains("'y' cannot be used as a function name: it is a variable of the equations", Refused("y : 1", "y(x : 1) = x : 1").Message);
        Assert.Contains("function 'f' has two arguments named 'x'", Refused("y : 1", "f(x : 1, x : 1) = x : 1").Message);
        Assert.Contains("'usersin' is a function; call it as usersin(x : 1) : 1", Refused("y = usersin : 1", f).Message);
        // A namespace constant is visible, also when made per-neuron for a sweep.
        var model = ModelAnalyzer.Analyze(new ModelDefinition("y = f(1) : second")
        {
            Functions = "f(x : 1) = x*tau : second", Namespace = new Dictionary<string, NamespaceValue> { ["tau"] = "10*ms" },
            PerNeuronConstants = ["tau"],
        });
        Assert.Equal("param[0]", model.Subexpressions[0].Node.ToString());
        Assert.Contains("| `f(x : 1) : second` | `x*tau` |  |", NeuroNative.Models.Reporting.ModelReport.Markdown(
            NeuroNative.Models.Integrators.IntegrationMethods.Derive(model)));
    }

    // A function in equations, subexpressions, threshold, reset and refractoriness, both backends.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void FunctionsWorkEverywhere(Backend backend)
    {
        const string functions = """
            leak(v : volt, tau : second) = -v/tau : volt/second
            crossed(v : volt) = v > 1*volt : boolean  # threshold
            halve(v : volt) = v/2 : volt
            halve_time(d : second) = d/2 : second
            """;
        using var g = Group(backend, 2, "dv/dt = leak(v - 2*volt, 10*ms) + drive : volt\ndrive = halve(1*volt)/ms : volt/second",
            threshold: "crossed(v)", reset: "v = halve(v) - 1*volt", refractory: "halve_time(2*ms)", functions: functions);
        g.Set("v", [0, 0.5]);
        var mon = g.Record(["v"]);
        var spikes = g.RecordSpikes();
        g.Run(5e-3);
        using var plain = Group(backend, 2, "dv/dt = -(v - 2*volt)/(10*ms) + drive : volt\ndrive = (1*volt/2)/ms : volt/second",
            threshold: "v > 1*volt", reset: "v = v/2 - 1*volt", refractory: "2*ms/2");
        plain.Set("v", [0, 0.5]);
        var plainMon = plain.Record(["v"]);
        var plainSpikes = plain.RecordSpikes();
        plain.Run(5e-3);
        Assert.NotEmpty(spikes.Spikes.Indices);
        Assert.Equal(plainSpikes.Spikes.Indices, spikes.Spikes.Indices);
        Assert.Equal(plainSpikes.Spikes.Times, spikes.Spikes.Times);
        Assert.Equal(plainMon["v"].Values[1], mon["v"].Values[1]);
    }
}
