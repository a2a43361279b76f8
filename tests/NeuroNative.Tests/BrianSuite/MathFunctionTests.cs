using System.Globalization;
using System.Text.Json;
using Xunit;
using static NeuroNative.Tests.BrianSuite.BrianSuite;

namespace NeuroNative.Tests.BrianSuite;

/// <summary>Brian 2.5.1 brian2/tests/test_functions.py: test_math_functions and test_math_operators, with Brian's
/// numbers (tests/data/brian_suite, cases math_functions and math_operators; generate.py checks them against numpy's).</summary>
public class MathFunctionTests
{
    /// <summary>Brian's assert_allclose: numpy's allclose with rtol = 4.5e8 machine epsilons (1e-7) and no atol;
    /// NaN matches NaN, an infinity only the same infinity.</summary>
    internal static void BrianAllClose(double[] expected, double[] actual, string what)
    {
        const double rtol = 4.5e8 * 2.220446049250313e-16;
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            double e = expected[k], a = actual[k];
            bool close = double.IsNaN(e) ? double.IsNaN(a)
                : double.IsInfinity(e) ? a == e
                : Math.Abs(a - e) <= rtol * Math.Abs(e);
            Assert.True(close, $"{what}, element {k}: Brian {e:R}, ours {a:R}");
        }
    }

    /// <summary>A list of numbers where NaN and the infinities are strings ("NaN", "Infinity", "-Infinity").</summary>
    internal static double[] Numbers(JsonElement e) => e.EnumerateArray()
        .Select(x => x.ValueKind == JsonValueKind.String ? double.Parse(x.GetString()!, CultureInfo.InvariantCulture) : x.GetDouble())
        .ToArray();

    public static TheoryData<Backend, string> FunctionCases()
    {
        var data = new TheoryData<Backend, string>();
        foreach (var backend in new[] { Backend.Interpreted, Backend.Compiled })
            foreach (var f in Case("math_functions").GetProperty("functions").EnumerateObject()) data.Add(backend, f.Name);
        return data;
    }

    // test_math_functions: func = f(variable) : 1 on Brian's inputs [-1, -0.5, 0, 0.5, 1] and five more, one step;
    // Brian's list (cos ... int) and sin and abs, the rest of our one-argument functions.
    [SkippableTheory, MemberData(nameof(FunctionCases))]
    public void MathFunctions(Backend backend, string function)
    {
        var c = Case("math_functions");
        double[] inputs = Vector(c.GetProperty("inputs"));
        using var g = Group(backend, inputs.Length, $"func = {function}(variable) : 1\nvariable : 1");
        g.Set("variable", inputs);
        var mon = g.Record(["func"]);
        g.RunSteps(1);
        BrianAllClose(Numbers(c.GetProperty("functions").GetProperty(function).GetProperty("brian")), Flat(mon, "func"), function);
    }

    // Every function of our language is in the data, so a new one cannot go untested here.
    [Fact, Trait("Category", "CodegenIndependent")]
    public void EveryOneArgumentFunctionIsCompared()
    {
        var compared = Case("math_functions").GetProperty("functions").EnumerateObject().Select(f => f.Name).ToHashSet();
        var ours = NeuroNative.Models.Analysis.BuiltIns.Functions.Keys.Except(["clip", "rand", "randn", "poisson", "timestep"]); // random draws: RandomFunctionTests
        Assert.Empty(ours.Except(compared));
    }

    // test_math_operators (x ** 3 and x % 3 with the scalar in the namespace), extended to +, -, *, /, // as well, to a
    // variable second operand (no constant folding: the general power, floor division and Python's modulo of
    // negative operands) and to integers.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void MathOperators(Backend backend)
    {
        var c = Case("math_operators");
        var operators = new Dictionary<string, string>
        {
            ["add"] = "+", ["sub"] = "-", ["mul"] = "*", ["div"] = "/", ["floordiv"] = "//", ["mod"] = "%", ["pow"] = "**",
        };
        var results = c.GetProperty("results");
        var lines = new List<string> { "x : 1", "y : 1", "a : integer", "b : integer" };
        foreach (var (name, op) in operators)
        {
            lines.Add($"{name}_scalar = x {op} scalar : 1");
            lines.Add($"{name}_variable = x {op} y : 1");
            if (results.TryGetProperty(name + "_integer", out _)) lines.Add($"{name}_integer = a {op} b : integer");
        }
        double[] x = Vector(c.GetProperty("x"));
        using var g = Group(backend, x.Length, string.Join("\n", lines), ns: new() { ["scalar"] = c.GetProperty("scalar").GetDouble() });
        g.Set("x", x);
        g.Set("y", Vector(c.GetProperty("y")));
        g.Set("a", Vector(c.GetProperty("a")));
        g.Set("b", Vector(c.GetProperty("b")));
        var names = results.EnumerateObject().Select(r => r.Name).ToArray();
        Assert.Equal(19, names.Length);
        var mon = g.Record(names);
        g.RunSteps(1);
        foreach (var r in results.EnumerateObject())
            BrianAllClose(Numbers(r.Value.GetProperty("brian")), Flat(mon, r.Name), r.Name);
    }
}
