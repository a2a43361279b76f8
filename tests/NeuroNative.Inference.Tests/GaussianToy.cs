using NeuroNative.Inference;

namespace NeuroNative.Inference.Tests;

/// <summary>x = θ + N(0, σ² I) under a uniform prior far wider than σ: the posterior at x_o is N(x_o, σ² I)
/// (the prior's truncation beyond 8σ is negligible), the analytic truth the estimators are checked against.</summary>
internal static class GaussianToy
{
    public const double Sigma = 0.3;
    public static readonly double[] Observation = { 0.5, -0.4 };
    public static BoxUniformPrior Prior() => new(new[] { "a", "b" }, new[] { -3.0, -3.0 }, new[] { 3.0, 3.0 });

    public static (double[,] theta, double[,] x) Simulate(double[,] theta, int seed)
    {
        var rng = new Random(seed);
        int n = theta.GetLength(0);
        var x = new double[n, 2];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < 2; j++)
                x[i, j] = theta[i, j] + Sigma * Normal(rng);
        return (theta, x);
    }

    public static double[,] PriorDraws(int n, int seed)
    {
        var rng = new Random(seed);
        var t = new double[n, 2];
        for (int i = 0; i < n; i++) for (int j = 0; j < 2; j++) t[i, j] = -3 + 6 * rng.NextDouble();
        return t;
    }

    static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    /// <summary>Per column: mean and standard deviation of the draws.</summary>
    public static (double mean, double std)[] Moments(double[,] draws)
    {
        int n = draws.GetLength(0), d = draws.GetLength(1);
        var result = new (double, double)[d];
        for (int j = 0; j < d; j++)
        {
            double m = 0, s = 0;
            for (int i = 0; i < n; i++) m += draws[i, j];
            m /= n;
            for (int i = 0; i < n; i++) s += (draws[i, j] - m) * (draws[i, j] - m);
            result[j] = (m, Math.Sqrt(s / (n - 1)));
        }
        return result;
    }

    /// <summary>Trains one round on prior simulations and checks the posterior at x_o against N(x_o, σ² I).</summary>
    /// <summary>Smaller than sbi's defaults so that a test takes seconds; the defaults run in benchmarks/inference.</summary>
    public static readonly EstimatorOptions Small = new() { HiddenFeatures = 32, NumTransforms = 3, NumComponents = 4 };
    public static readonly TrainingOptions Quick = new() { MaxEpochs = 60, StopAfterEpochs = 10, BatchSize = 100, LearningRate = 2e-3 };

    public static Posterior Recover(InferenceMethod method, EstimatorKind kind, int simulations = 1500, int draws = 1000,
                                    double meanTol = 0.1, double stdTol = 0.25, TrainingOptions? training = null)
    {
        TorchRuntime.EnsureLoaded(2);
        var inference = new NeuralInference(method, kind, Prior(), seed: 3, Small, training ?? Quick);
        var (theta, x) = Simulate(PriorDraws(simulations, 1), 2);
        inference.AppendSimulations(theta, x);
        inference.Train();
        var posterior = inference.BuildPosterior(Observation, new McmcOptions { NumChains = 50, WarmupSteps = 50 });
        var m = Moments(posterior.Sample(draws, seed: 5));
        for (int j = 0; j < 2; j++)
        {
            Assert.True(Math.Abs(m[j].mean - Observation[j]) < meanTol,
                $"{method}/{kind}: mean[{j}] = {m[j].mean:F3}, expected {Observation[j]} ± {meanTol}");
            Assert.True(Math.Abs(m[j].std / Sigma - 1) < stdTol,
                $"{method}/{kind}: std[{j}] = {m[j].std:F3}, expected {Sigma} ± {stdTol:P0}");
        }
        return posterior;
    }
}
