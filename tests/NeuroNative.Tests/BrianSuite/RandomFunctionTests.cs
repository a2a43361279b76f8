using NeuroNative.Backends.Reference;
using NeuroNative.Models;
using Xunit;
using static NeuroNative.Tests.BrianSuite.BrianSuite;

namespace NeuroNative.Tests.BrianSuite;

/// <summary>Brian 2.5.1's test_binomial and test_poisson (test_functions.py). Our random numbers are not Brian's
/// (counter-based Philox streams per neuron, step and call site), so beyond Brian's asserts the draws are checked as
/// distributions — moments of large samples within 5 standard errors — and as exact functions of the seed, the same on
/// both backends and for any thread count.</summary>
public class RandomFunctionTests
{
    private static NeuronGroup Group(Backend backend, int n, string equations, string code, string? functions = null,
        ulong seed = 0, int threads = 1) =>
        new(n, new ModelDefinition(equations) { RunRegularly = [new(code)], Functions = functions },
            Options(backend) with { Seed = seed, Threads = threads });

    private const string Binomials = """
        binomial_f_approximated = BinomialFunction(100, 0.1, approximate=True)
        binomial_f = BinomialFunction(100, 0.1, approximate=False)
        """;

    // test_binomial: both forms produce values that vary; the exact one whole numbers of 0..n, the normal
    // approximation (n p = 10 and n (1 - p) = 90 are above 5) real numbers.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void Binomial(Backend backend)
    {
        using var g = Group(backend, 1, "x : 1\ny : 1", "x = binomial_f_approximated()\ny = binomial_f()", Binomials);
        var mon = g.Record(["x", "y"], neurons: [0]);
        g.Run(1e-3);
        double[] x = mon["x"].Values[0], y = mon["y"].Values[0];
        Assert.True(Variance(x) > 0);
        Assert.True(Variance(y) > 0);
        Assert.Contains(x, v => v != Math.Floor(v));
        Assert.All(y, v => Assert.True(v >= 0 && v <= 100 && v == Math.Floor(v)));
    }

    // test_poisson: poisson(l) per neuron (0 for l = 0), of a constant, and of 0.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void Poisson(Backend backend)
    {
        using var g = Group(backend, 5, "l : 1\nx : integer\ny : integer\nz : integer", "x = poisson(l)\ny = poisson(5)\nz = poisson(0)");
        g.Set("l", [0, 1, 5, 15, 25]);
        var mon = g.Record(["x", "y", "z"]);
        g.RunSteps(100);
        var x = mon["x"].Values;
        Assert.All(x[0], v => Assert.Equal(0, v));
        Assert.All(x[1..], row => Assert.True(Variance(row) > 0));
        Assert.All(mon["y"].Values, row => Assert.True(Variance(row) > 0));
        Assert.All(mon["z"].Values, row => Assert.All(row, v => Assert.Equal(0, v)));
    }

    // The draws' distributions: poisson() in both of Brian's regimes (multiplication below 10, PTRS from 10), the
    // exact binomial sampler on both sides of p = 1/2 and the normal approximation, over 4000 neurons x 10 steps.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void Distributions(Backend backend)
    {
        double[] lambdas = [0.7, 4, 12, 60];
        const int perValue = 1000;
        using var g = Group(backend, perValue * lambdas.Length, "l : 1\nx : integer\na : 1\nb : 1\nc : 1",
            "x = poisson(l)\na = exact_low()\nb = exact_high()\nc = approximated()", """
            exact_low = BinomialFunction(40, 0.15, approximate=False)
            exact_high = BinomialFunction(30, 0.8, approximate=False)
            approximated = BinomialFunction(n=200, p=0.3)
            """, seed: 7);
        g.Set("l", Enumerable.Range(0, g.N).Select(i => lambdas[i / perValue]).ToArray());
        var mon = g.Record(["x", "a", "b", "c"]);
        g.RunSteps(10);
        for (int k = 0; k < lambdas.Length; k++)
        {
            double l = lambdas[k];
            var x = mon["x"].Values.Skip(k * perValue).Take(perValue).SelectMany(r => r).ToArray();
            Moments(x, l, l, l + 3 * l * l);
            Assert.All(x, v => Assert.True(v >= 0 && v == Math.Floor(v)));
        }
        foreach (var (name, n, p, whole) in new[] { ("a", 40.0, 0.15, true), ("b", 30.0, 0.8, true), ("c", 200.0, 0.3, false) })
        {
            var values = mon[name].Values.SelectMany(r => r).ToArray();
            double variance = n * p * (1 - p);
            Moments(values, n * p, variance, whole ? variance * (1 + 3 * (n - 2) * p * (1 - p)) : 3 * variance * variance);
            if (whole) Assert.All(values, v => Assert.True(v >= 0 && v <= n && v == Math.Floor(v)));
            else Assert.Contains(values, v => v != Math.Floor(v));
        }
    }

    // Exact functions of the seed: the same numbers again, on the other backend and with more threads, other numbers
    // with another seed; the C# reference draws them too (initial values) and agrees with the native ones.
    [SkippableFact]
    public void DrawsAreReproducible()
    {
        const string functions = "b = BinomialFunction(50, 0.3, approximate=False)";
        double[] Run(Backend backend, ulong seed, int threads)
        {
            using var g = Group(backend, 600, "l : 1\nx : 1\ny : 1", "x = poisson(l)\ny = b()", functions, seed, threads);
            g.Set("l", "0.05*i");
            var mon = g.Record(["x", "y"]);
            g.RunSteps(4);
            return [.. mon["x"].Values.Concat(mon["y"].Values).SelectMany(r => r)];
        }
        var first = Run(Backend.Interpreted, 3, 1);
        Assert.Equal(first, Run(Backend.Interpreted, 3, 1));
        Assert.Equal(first, Run(Backend.Interpreted, 3, 2));
        Assert.NotEqual(first, Run(Backend.Interpreted, 4, 1));
        Assert.Equal(first, Run(Backend.Compiled, 3, 2));

        // run_regularly's first call site draws stream 0 at step 0: Philox.Poisson/Binomial give the same numbers.
        using var one = Group(Backend.Interpreted, 600, "l : 1\nx : 1\ny : 1", "x = poisson(l)\ny = b()", functions, seed: 3);
        one.Set("l", "0.05*i");
        one.RunSteps(1);
        var x = one.Get("x");
        var y = one.Get("y");
        for (int i = 0; i < 600; i++)
        {
            Assert.Equal(Philox.Poisson(3, i, 0, 0, 0.05 * i), x[i]);
            Assert.Equal(Philox.Binomial(3, i, 0, 1, 50, 0.3), y[i]);
        }
        one.Set("x", "poisson(3)"); // evaluated in C#, with streams of their own
        Moments(one.Get("x"), 3, 3, 3 + 27, sigmas: 6);
    }

    // BinomialFunction's declaration is Brian's Python line; what it cannot be is refused at its place.
    [Fact]
    public void BinomialFunctionDeclarations()
    {
        static string Refused(string functions, string equations = "x : 1", string code = "x = f()") =>
            Assert.Throws<ModelException>(() => CompiledModel.Compile(new ModelDefinition(equations)
            {
                Functions = functions, RunRegularly = [new(code)], Namespace = new Dictionary<string, NamespaceValue> { ["k"] = "3*mV" },
            }, new CompileOptions { Backend = Backend.Interpreted })).Message;
        Assert.Contains("BinomialFunction has no argument 'm'", Refused("f = BinomialFunction(10, 0.5, m=1)"));
        Assert.Contains("the function's name is the one before '='", Refused("f = BinomialFunction(10, 0.5, name=1)"));
        Assert.Contains("needs its argument 'p'", Refused("f = BinomialFunction(10)"));
        Assert.Contains("argument 'n' is given twice", Refused("f = BinomialFunction(10, 0.5, n=3)"));
        Assert.Contains("must be a whole number >= 0, not 10.5", Refused("f = BinomialFunction(10.5, 0.5)"));
        Assert.Contains("must be in [0, 1], not 1.5", Refused("f = BinomialFunction(10, 1.5)"));
        Assert.Contains("'approximate' is True or False", Refused("f = BinomialFunction(10, 0.5, approximate=1)"));
        Assert.Contains("must be dimensionless, but 'k' is", Refused("f = BinomialFunction(k, 0.5)"));
        Assert.Contains("'x' is not a namespace constant", Refused("f = BinomialFunction(10, x)"));
        Assert.Contains("is 0 in double precision", Refused("f = BinomialFunction(5000, 0.5, approximate=False)"));
        Assert.Contains("function 'f' is defined twice (first at line 1)",
            Refused("f = BinomialFunction(10, 0.5)\nf = BinomialFunction(10, 0.2)"));
        Assert.Contains("'f' cannot be used as a function name: it is a BinomialFunction",
            Refused("f = BinomialFunction(10, 0.5)\nf(a : 1) = a : 1"));
        Assert.Contains("'x' cannot be used as a function name: it is a variable of the equations", Refused("x = BinomialFunction(10, 0.5)"));
        Assert.Contains("expected Brian's BinomialFunction after 'f ='", Refused("f = Binomial(10, 0.5)"));
        Assert.Contains("takes 0 arguments, but 1 was given", Refused("f = BinomialFunction(10, 0.5)", code: "x = f(2)"));
        Assert.Contains("argument 1 of poisson must be dimensionless", Refused("", code: "x = poisson(3*mV)"));
        // A user function may call one (each call draws anew), and the model report shows how it samples.
        using var model = CompiledModel.Compile(new ModelDefinition("x : 1")
        {
            Functions = "f = BinomialFunction(100, 0.5)\ntwice() = f() + f() : 1",
            RunRegularly = [new("x = twice()")],
        }, new CompileOptions { Backend = Backend.Interpreted });
        var declared = Assert.Single(model.Program.Model.Functions, f => f.Name == "f");
        Assert.Equal("BinomialFunction(100, 0.5): randn()*5 + 50 (normal approximation)", declared.Expression);
    }

    private static double Variance(double[] x)
    {
        double mean = x.Average();
        return x.Sum(v => (v - mean) * (v - mean)) / x.Length;
    }

    /// <summary>Sample mean and variance within <paramref name="sigmas"/> standard errors of the distribution's
    /// (<paramref name="mu4"/>: its fourth central moment, for the error of the variance).</summary>
    private static void Moments(double[] x, double mean, double variance, double mu4, double sigmas = 5)
    {
        int n = x.Length;
        double m = x.Average(), v = x.Sum(t => (t - m) * (t - m)) / (n - 1);
        Assert.InRange(m, mean - sigmas * Math.Sqrt(variance / n), mean + sigmas * Math.Sqrt(variance / n));
        double e = sigmas * Math.Sqrt((mu4 - variance * variance) / n);
        Assert.InRange(v, variance - e, variance + e);
    }
}
