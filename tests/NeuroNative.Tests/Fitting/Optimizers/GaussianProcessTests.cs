using NeuroNative.Fitting.Optimizers;
using Xunit;

namespace NeuroNative.Tests.Fitting.Optimizers;

/// <summary>The GP maths behind <see cref="BayesianOptimization"/>: the vector kernels against plain sums, the
/// posterior against its defining properties, and batches that do not depend on the thread count.</summary>
public class GaussianProcessTests
{
    [Fact]
    public void DotProductsMatchPlainSumsAtEveryLength()
    {
        var stream = new RandomStream(3);
        for (int n = 0; n <= 19; n++)
        {
            var v = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, n).Select(_ => stream.NextDouble() - 0.5).ToArray()).ToArray();
            double Plain(int a) => v[0].Zip(v[a]).Sum(p => p.First * p.Second);
            Assert.Equal(Plain(1), GaussianProcess.Dot(v[0], v[1]), 1e-14);
            var (d1, d2, d3, d4) = GaussianProcess.Dot4(v[0], v[1], v[2], v[3], v[4]);
            Assert.Equal([Plain(1), Plain(2), Plain(3), Plain(4)], new[] { d1, d2, d3, d4 }, (a, b) => Math.Abs(a - b) < 1e-14);
        }
    }

    /// <summary>On a smooth deterministic function the likelihood picks a tiny noise, so the posterior interpolates: the
    /// mean reproduces each observation and the latent deviation vanishes there but not between the points. An appended
    /// point (constant liar) joins the interpolated data the same way.</summary>
    [Fact]
    public void PosteriorInterpolatesSmoothData()
    {
        var stream = new RandomStream(5);
        var x = Enumerable.Range(0, 40).Select(_ => new[] { stream.NextDouble(), stream.NextDouble() }).ToList();
        double F(double[] p) => Math.Sin(3 * p[0]) + Math.Cos(2 * p[1]);
        var y = x.Select(F).ToArray();
        var gp = GaussianProcess.Fit(x, y, 41);
        var v = new double[41];
        double[] away = [0.123, 0.987];
        var (awayMean, awaySd) = gp.Predict(away, v)!.Value;
        Assert.Equal(F(away), awayMean, 0.05);
        foreach (var (p, f) in x.Zip(y))
        {
            var (mean, sd) = gp.Predict(p, v)!.Value;
            Assert.Equal(f, mean, 1e-3);
            Assert.True(sd < awaySd / 10, $"sd {sd} at a data point, {awaySd} between");
        }
        gp.Append(away, -3);
        var (atLie, sdAtLie) = gp.Predict(away, v)!.Value;
        Assert.Equal(41, gp.Count);
        Assert.Equal(-3, gp.MinY);
        Assert.Equal(-3, atLie, 1e-2);
        double elsewhere = gp.Predict([0.871, 0.094], v)!.Value.Sd; // the signal variance grew with the outlier: compare after
        Assert.True(sdAtLie < elsewhere / 10, $"sd {sdAtLie} at the lie, {elsewhere} between the points");
    }

    /// <summary>The acquisition search drops a point on the bounds <see cref="GaussianProcess.Predict"/> offers on the
    /// way: each must be the final mean and at least the final σ, and a point dropped must return null.</summary>
    [Fact]
    public void PredictionBoundsHoldOnTheWay()
    {
        var stream = new RandomStream(8);
        var x = Enumerable.Range(0, 70).Select(_ => new[] { stream.NextDouble(), stream.NextDouble(), stream.NextDouble() }).ToList();
        var gp = GaussianProcess.Fit(x, x.Select(p => p.Sum(c => (c - 0.3) * (c - 0.3))).ToArray(), 70);
        var v = new double[70];
        for (int k = 0; k < 50; k++)
        {
            double[] p = [stream.NextDouble(), stream.NextDouble(), stream.NextDouble()];
            var seen = new List<(double Mean, double Sd)>();
            var (mean, sd) = gp.Predict(p, v, (m, s) => { seen.Add((m, s)); return false; })!.Value;
            Assert.True(seen.Count >= 70 / 16 + 1);
            Assert.All(seen, b => Assert.Equal(mean, b.Mean));
            Assert.All(seen, b => Assert.True(b.Sd >= sd * (1 - 1e-12), $"bound {b.Sd} below the final σ {sd}"));
            Assert.Null(gp.Predict(p, v, (_, s) => s < seen[^1].Sd * 2));
        }
    }

    /// <summary>The likelihood grid and the compass restarts run in parallel; run on one thread, a seed's batches must be
    /// the same to the bit.</summary>
    [Fact]
    public void BatchesDoNotDependOnTheThreadCount()
    {
        var f = TestFunction.Rosenbrock(2);
        double[][][] Run()
        {
            var gp = OptimizerFactory.Create("GP");
            int n = gp.Initialize(f.Space, 6, 11);
            var batches = new List<double[][]>();
            for (int used = 0; used < 36; used += n)
            {
                var batch = gp.Ask();
                batches.Add([.. batch]);
                gp.Tell(batch, batch.Select(f.F).ToArray());
            }
            return [.. batches];
        }
        var parallel = Run();
        var oneThread = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.None,
            new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler).Result;
        Assert.Equal(parallel.Length, oneThread.Length);
        for (int b = 0; b < parallel.Length; b++)
            for (int k = 0; k < parallel[b].Length; k++) Assert.Equal(parallel[b][k], oneThread[b][k]);
    }
}
