using NeuroNative.Fitting.Optimizers;
using Xunit;

namespace NeuroNative.Tests.Fitting.Optimizers;

/// <summary>The ask/tell contract, for every method: population sizes, call order, reproducibility, bounds and
/// non-finite errors.</summary>
public class AskTellTests
{
    public static TheoryData<string> Methods => new(OptimizerFactory.Methods);

    private static readonly TestFunction Rosenbrock = TestFunction.Rosenbrock(2);

    [Theory]
    [InlineData("DE", 2, null, null, 30)]
    [InlineData("DE", 2, 2, null, 4)]
    [InlineData("DE", 2, 50, null, 50)]
    [InlineData("DE", 2, 50, 12, 12)]
    [InlineData("CMAES", 2, null, null, 6)]
    [InlineData("CMAES", 5, null, null, 8)]
    [InlineData("CMAES", 5, 20, null, 20)]
    [InlineData("PSO", 2, null, null, 40)]
    [InlineData("PSO", 2, 10, null, 10)]
    [InlineData("NelderMead", 2, null, null, 4)]
    [InlineData("NelderMead", 5, null, null, 6)]
    [InlineData("NelderMead", 5, 100, null, 8)]
    [InlineData("NelderMead", 10, 100, null, 20)]
    [InlineData("NelderMead", 10, 100, 4, 11)]
    [InlineData("GP", 2, null, null, 1)]
    [InlineData("GP", 2, 7, null, 7)]
    public void InitializeReturnsThePopulationEveryAskHas(string method, int d, int? requested, int? popsize, int expected)
    {
        var options = popsize is { } p ? new Dictionary<string, object?> { ["popsize"] = p } : null;
        var optimizer = OptimizerFactory.Create(method, options);
        var f = TestFunction.Sphere(d);
        Assert.Equal(expected, optimizer.Initialize(f.Space, requested, 3));
        for (int round = 0; round < 14; round++) // through GP's initial design and NelderMead's first simplex, moves and shrinks
        {
            var batch = optimizer.Ask();
            Assert.Equal(expected, batch.Count);
            optimizer.Tell(batch, batch.Select(f.F).ToArray());
        }
    }

    [Theory, MemberData(nameof(Methods))]
    public void TheSameSeedGivesTheSameAsksAndAnotherSeedOthers(string method)
    {
        var first = Run(OptimizerFactory.Create(method), 7);
        var optimizer = OptimizerFactory.Create(method);
        Run(optimizer, 99);
        var again = Run(optimizer, 7); // Initialize starts afresh, whatever came before
        var other = Run(OptimizerFactory.Create(method), 8);
        Assert.Equal(first.Count, again.Count);
        for (int i = 0; i < first.Count; i++) Assert.Equal(first[i], again[i]);
        Assert.Contains(Enumerable.Range(0, first.Count), i => !first[i].SequenceEqual(other[i]));

        static List<double[]> Run(IOptimizer optimizer, ulong seed)
        {
            optimizer.Initialize(Rosenbrock.Space, 4, seed);
            var asked = new List<double[]>();
            for (int round = 0; round < 6; round++)
            {
                var batch = optimizer.Ask();
                asked.AddRange(batch);
                optimizer.Tell(batch, batch.Select(Rosenbrock.F).ToArray());
            }
            return asked;
        }
    }

    /// <summary>Pins the generator and the initial design: a change here changes every user's fits.</summary>
    [Fact]
    public void TheFirstBatchOfASeedIsFixed()
    {
        var de = new DifferentialEvolution(new DEOptions(PopSize: 4));
        de.Initialize(new ParameterSpace(new Parameter("a", 0, 1), new Parameter("b", -1, 1)), null, 1);
        double[][] expected =
        [
            [0.4394066278494745, 0.638431240171125],
            [0.061940804628147356, -0.6905104535773565],
            [0.5400695543675438, 0.2079960716644198],
            [0.8613472870272366, -0.30117124796328165],
        ];
        Assert.Equal(expected, de.Ask());
    }

    /// <summary>A linear error whose minimum is the corner (−1, 7, 1e-9) of a box with a log-scale parameter: every asked
    /// vector stays inside the bounds, and every method gets to the corner.</summary>
    [Theory, MemberData(nameof(Methods))]
    public void AsksStayInsideTheBoundsAndReachACorner(string method)
    {
        var space = new ParameterSpace(new Parameter("x", -1, 2), new Parameter("y", 3, 7), new Parameter("g", 1e-9, 1e-7, LogScale: true));
        Func<double[], double> f = x => (x[0] + 1) + (7 - x[1]) + Math.Log(x[2] / 1e-9);
        var optimizer = OptimizerFactory.Create(method);
        int n = optimizer.Initialize(space, 8, 5);
        for (int used = 0; used < (method == "GP" ? 80 : 800); used += n)
        {
            var batch = optimizer.Ask();
            foreach (var x in batch)
                for (int j = 0; j < 3; j++)
                    Assert.InRange(x[j], space.Parameters[j].Lower, space.Parameters[j].Upper);
            optimizer.Tell(batch, batch.Select(f).ToArray());
        }
        var best = optimizer.Best!.Parameters;
        Assert.InRange(best[0], -1, -1 + 3e-3);
        Assert.InRange(best[1], 7 - 4e-3, 7);
        Assert.InRange(best[2], 1e-9, 1e-9 * 1.01);
    }

    /// <summary>Diverged simulations: a first round of NaN everywhere, then NaN, +∞ and −∞ on three sides of the
    /// sphere's minimum. They read as +∞ (Best included) and the search still converges.</summary>
    [Theory, MemberData(nameof(Methods))]
    public void NonFiniteErrorsCountAsWorstAndTheSearchGoesOn(string method)
    {
        var sphere = TestFunction.Sphere(2);
        var optimizer = OptimizerFactory.Create(method);
        int n = optimizer.Initialize(sphere.Space, null, 11), round = 0;
        double tolerance = method == "GP" ? 1e-2 : 1e-3;
        for (int used = 0; used < (method == "GP" ? 60 : 3000); used += n, round++)
        {
            var batch = optimizer.Ask();
            var errors = batch.Select(x =>
                round == 0 ? double.NaN :
                x[0] > 3 ? double.NaN :
                x[1] > 3 ? double.PositiveInfinity :
                x[0] < -2 ? double.NegativeInfinity :
                sphere.F(x)).ToArray();
            optimizer.Tell(batch, errors);
            if (round == 0) Assert.Equal(double.PositiveInfinity, optimizer.Best!.Error);
        }
        Assert.True(double.IsFinite(optimizer.Best!.Error));
        Assert.InRange(sphere.Distance(optimizer.Best.Parameters), 0, tolerance);
    }

    [Fact]
    public void LogScaleParametersAreSearchedInLogSpace()
    {
        var space = new ParameterSpace(new Parameter("g", 1e-9, 1e-7, LogScale: true), new Parameter("x", 0, 1e-7));
        var de = OptimizerFactory.Create("DE");
        int n = de.Initialize(space, null, 2);
        var batch = de.Ask();
        // A Latin hypercube has exactly one point per 1/30 of each unit axis: half of them lie below the geometric
        // middle of a log-scale range, 3 below a tenth of a linear one.
        Assert.Equal(n / 2, batch.Count(x => x[0] < 1e-8));
        Assert.Equal(3, batch.Count(x => x[1] < 1e-8));

        // The minimum 3e-9 of (ln g/3e-9)² + (x/1e-7 − 0.2)², found to a relative 1e-3.
        Func<double[], double> f = x => Math.Pow(Math.Log(x[0] / 3e-9), 2) + Math.Pow(x[1] / 1e-7 - 0.2, 2);
        for (int used = 0; used < 1500; used += n)
        {
            de.Tell(batch, batch.Select(f).ToArray());
            batch = de.Ask();
        }
        Assert.InRange(de.Best!.Parameters[0] / 3e-9, 1 - 1e-3, 1 + 1e-3);
    }

    [Theory, MemberData(nameof(Methods))]
    public void WrongUseIsRefusedWithAClearMessage(string method)
    {
        var optimizer = OptimizerFactory.Create(method);
        Assert.Contains("before Initialize", Assert.Throws<InvalidOperationException>(() => optimizer.Ask()).Message);
        Assert.Contains("before Initialize", Assert.Throws<InvalidOperationException>(() => optimizer.Tell([], [])).Message);
        Assert.Throws<ArgumentNullException>(() => optimizer.Initialize(null!, null, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.Initialize(Rosenbrock.Space, 0, 1));

        int n = optimizer.Initialize(Rosenbrock.Space, 6, 1);
        Assert.Contains("without a pending Ask", Assert.Throws<InvalidOperationException>(() => optimizer.Tell([], [])).Message);
        var batch = optimizer.Ask();
        Assert.Contains("Ask again", Assert.Throws<InvalidOperationException>(() => optimizer.Ask()).Message);
        var errors = batch.Select(Rosenbrock.F).ToArray();
        Assert.Contains($"a batch of {n - 1} vectors; the last Ask returned {n}",
            Assert.Throws<ArgumentException>(() => optimizer.Tell(batch.Skip(1).ToArray(), errors[1..])).Message);
        Assert.Contains($"{n - 1} errors for a batch of {n}", Assert.Throws<ArgumentException>(() => optimizer.Tell(batch, errors[1..])).Message);
        var changed = batch.Select(x => (double[])x.Clone()).ToArray();
        changed[n - 1][0] += 1e-3;
        Assert.Contains($"vector {n - 1} of the told batch is not the one", Assert.Throws<ArgumentException>(() => optimizer.Tell(changed, errors)).Message);

        optimizer.Tell(batch, errors); // the refused calls left the batch pending
        Assert.Contains("without a pending Ask", Assert.Throws<InvalidOperationException>(() => optimizer.Tell(batch, errors)).Message);
        Assert.Equal(n, optimizer.Ask().Count);
    }
}
