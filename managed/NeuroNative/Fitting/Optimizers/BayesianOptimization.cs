using MathNet.Numerics;

namespace NeuroNative.Fitting.Optimizers;

/// <summary>scikit-optimize's acq_func values that <see cref="BayesianOptimization"/> has.</summary>
public enum Acquisition
{
    /// <summary>Expected improvement (Jones, Schonlau &amp; Welch 1998), with the margin ξ.</summary>
    EI,

    /// <summary>Lower confidence bound μ − κσ (the minimizing form of Srinivas et al. 2010's GP-UCB).</summary>
    LCB,
}

/// <summary>Options of <see cref="BayesianOptimization"/> (factory names as scikit-optimize's: popsize, n_initial_points,
/// acq_func, xi, kappa, n_points, n_restarts_optimizer).</summary>
/// <param name="PopSize">Points per round; null takes the fitter's request, else 1 (skopt's sequential ask).</param>
/// <param name="NInitialPoints">Latin hypercube points before the surrogate is used (skopt's 10), rounded up to whole rounds.</param>
/// <param name="AcqFunc">The acquisition function.</param>
/// <param name="Xi">EI's margin, in standard deviations of the errors seen. 0, where skopt has 0.01 in the errors' own
/// unit: any fixed margin on standardised errors soon exceeds the improvements left near the minimum, and the search
/// wanders off (0.01 left sphere d = 2 unconverged to 1e-2 after 80 evaluations, where 0 takes 14).</param>
/// <param name="Kappa">LCB's weight of σ (skopt's 1.96).</param>
/// <param name="NPoints">Random points the acquisition is evaluated at before local refinement.</param>
/// <param name="NRestartsOptimizer">How many of the best of those are refined by a compass search.</param>
public sealed record GPOptions(int? PopSize = null, int NInitialPoints = 10, Acquisition AcqFunc = Acquisition.EI, double Xi = 0,
    double Kappa = 1.96, int NPoints = 1000, int NRestartsOptimizer = 5);

/// <summary>
/// Bayesian optimisation with a Gaussian-process surrogate, as scikit-optimize's GP minimizer. The errors are
/// standardised (non-finite ones set to the worst finite error first) and modelled by a GP with a Matérn 5/2 kernel of
/// one length scale per parameter, signal variance and a noise term. Its hyperparameters maximize the marginal
/// likelihood: the variance in closed form, the noise and a shared length scale over a grid, then each length scale
/// refined by a coordinate search over factors of 2 and √2. A round of n points uses the constant liar (skopt's
/// "cl_min"): after each point is chosen it joins the data with the lowest error seen as its value, so the next one is
/// chosen elsewhere. The acquisition is minimized by scoring <c>NPoints</c> uniform random points and refining the
/// <c>NRestartsOptimizer</c> best by compass search down to steps of 1e-4 of the range. The GP is refitted from all
/// data each round, O(n³) in the evaluations n: the method is for budgets of a few hundred evaluations. The
/// likelihood grid and the compass restarts run in parallel (<see cref="GaussianProcess"/>), each
/// result taken in a fixed order, so a seed gives the same batches on any thread count.
/// </summary>
public sealed class BayesianOptimization : OptimizerBase
{
    private int _d, _designUsed;
    private double[][] _design = [];
    private readonly List<double[]> _x = [];
    private readonly List<double> _y = [];

    public BayesianOptimization(GPOptions? options = null)
    {
        var o = Options = options ?? new GPOptions();
        if (o.PopSize is < 1) throw new ArgumentOutOfRangeException(nameof(options), $"GP option popsize must be at least 1; got {o.PopSize}.");
        if (o.NInitialPoints < 1) throw new ArgumentOutOfRangeException(nameof(options), $"GP option n_initial_points must be at least 1; got {o.NInitialPoints}.");
        if (!Enum.IsDefined(o.AcqFunc)) throw new ArgumentOutOfRangeException(nameof(options), $"GP option acq_func {o.AcqFunc} is not EI or LCB.");
        if (!(o.Xi >= 0 && double.IsFinite(o.Xi))) throw new ArgumentOutOfRangeException(nameof(options), $"GP option xi must be finite and non-negative; got {o.Xi}.");
        if (!(o.Kappa >= 0 && double.IsFinite(o.Kappa))) throw new ArgumentOutOfRangeException(nameof(options), $"GP option kappa must be finite and non-negative; got {o.Kappa}.");
        if (o.NPoints < 1) throw new ArgumentOutOfRangeException(nameof(options), $"GP option n_points must be at least 1; got {o.NPoints}.");
        if (o.NRestartsOptimizer < 0) throw new ArgumentOutOfRangeException(nameof(options), $"GP option n_restarts_optimizer must be non-negative; got {o.NRestartsOptimizer}.");
    }

    /// <summary>The options this optimizer runs with.</summary>
    public GPOptions Options { get; }

    public override string Method => "GP";

    private protected override int Start(int dimension, int? requested)
    {
        _d = dimension;
        int n = PopulationOf(Options.PopSize, requested, 1, 1);
        _design = Random.LatinHypercube((Options.NInitialPoints + n - 1) / n * n, dimension);
        _designUsed = 0;
        _x.Clear();
        _y.Clear();
        return n;
    }

    private protected override double[][] Propose()
    {
        if (_designUsed < _design.Length) return _design[_designUsed..(_designUsed + PopulationSize)];

        double worst = _y.Where(double.IsFinite).DefaultIfEmpty(0).Max();
        var y = _y.Select(v => double.IsFinite(v) ? v : worst).ToArray();
        double mean = y.Average(), sd = Math.Sqrt(y.Sum(v => (v - mean) * (v - mean)) / y.Length);
        if (!(sd > 0)) sd = 1;
        int capacity = _x.Count + PopulationSize - 1;
        var gp = GaussianProcess.Fit(_x, y.Select(v => (v - mean) / sd).ToArray(), capacity);
        double lie = gp.MinY;
        var batch = new double[PopulationSize][];
        for (int k = 0; k < batch.Length; k++)
        {
            var candidates = new double[Options.NPoints][];
            for (int i = 0; i < candidates.Length; i++)
            {
                candidates[i] = new double[_d];
                for (int j = 0; j < _d; j++) candidates[i][j] = Random.NextDouble();
            }
            batch[k] = MinimizeAcquisition(gp, candidates);
            if (k + 1 < batch.Length) gp.Append(batch[k], lie);
        }
        return batch;
    }

    private protected override void Learn(double[][] batch, double[] errors)
    {
        if (_designUsed < _design.Length) _designUsed += batch.Length;
        _x.AddRange(batch);
        _y.AddRange(errors);
    }

    /// <summary>The acquisition as a value to minimize: −EI or LCB, in standardised error units, from the posterior
    /// mean μ and latent standard deviation σ and the lowest error f*.</summary>
    private double Score(double mu, double sigma, double best)
    {
        if (Options.AcqFunc == Acquisition.LCB) return mu - Options.Kappa * sigma;
        double improvement = best - mu - Options.Xi;
        if (!(sigma > 1e-12)) return -Math.Max(improvement, 0);
        double z = improvement / sigma;
        double cdf = 0.5 * SpecialFunctions.Erfc(-z / Math.Sqrt(2)), pdf = Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);
        return -(improvement * cdf + sigma * pdf);
    }

    /// <summary>
    /// The <c>NRestartsOptimizer</c> best candidates (ties in drawing order), each refined by compass search
    /// (independent, so in parallel, the best taken in rank order). Candidates are scored in the order of the bound
    /// their mean and the prior σ give; one whose bound, or a bound on the way through its solve, is above the k-th
    /// best score so far cannot be among the k best and is dropped, which leaves the k best exactly as scoring all.
    /// </summary>
    private double[] MinimizeAcquisition(GaussianProcess gp, double[][] candidates)
    {
        int keep = Math.Max(Options.NRestartsOptimizer, 1);
        var v = new double[gp.Count];
        double prior = gp.Sd(0);
        var order = Enumerable.Range(0, candidates.Length)
            .Select(c => (C: c, Bound: Score(gp.Mean(candidates[c], v), prior, gp.MinY)))
            .ToArray();
        var top = new List<(int C, double Score)>(keep + 1);
        double threshold = double.PositiveInfinity;
        foreach (var (c, bound) in order.OrderBy(o => o.Bound))
        {
            if (Above(bound, threshold)) break;
            var p = gp.Predict(candidates[c], v, (mu, sd) => Above(Score(mu, sd, gp.MinY), threshold));
            if (p is not { } prediction) continue;
            double score = Score(prediction.Mean, prediction.Sd, gp.MinY);
            int at = top.FindIndex(t => t.Score > score || (t.Score == score && t.C > c));
            top.Insert(at < 0 ? top.Count : at, (c, score));
            if (top.Count > keep) top.RemoveAt(keep);
            if (top.Count == keep) threshold = top[^1].Score;
        }
        if (Options.NRestartsOptimizer == 0) return (double[])candidates[top[0].C].Clone();
        var refined = new (double[] X, double Score)[top.Count];
        Parallel.For(0, top.Count, i => refined[i] = CompassSearch(gp, ((double[])candidates[top[i].C].Clone(), top[i].Score)));
        return refined.MinBy(s => s.Score).X;
    }

    /// <summary>Whether a lower bound on a score rules it out against the threshold, with a margin for rounding.</summary>
    private static bool Above(double bound, double threshold) => bound > threshold + 1e-12 * (1 + Math.Abs(threshold));

    /// <summary>Coordinate steps of ±h inside the box, taken while they lower the score; h halves when none does. The
    /// step back is not tried after a step forward was taken.</summary>
    private (double[] X, double Score) CompassSearch(GaussianProcess gp, (double[] X, double Score) start)
    {
        var (x, score) = start;
        var v = new double[gp.Count];
        for (double h = 0.05; h >= 1e-4; h /= 2)
        {
            bool improved = true;
            while (improved)
            {
                improved = false;
                for (int j = 0; j < _d; j++)
                {
                    foreach (double step in (double[])[h, -h])
                    {
                        double old = x[j];
                        x[j] = Math.Clamp(old + step, 0, 1);
                        var p = gp.Predict(x, v, (mu, sd) => Above(Score(mu, sd, gp.MinY), score));
                        double s = p is { } q ? Score(q.Mean, q.Sd, gp.MinY) : double.PositiveInfinity;
                        if (s < score)
                        {
                            score = s;
                            improved = true;
                            break;
                        }
                        x[j] = old;
                    }
                }
            }
        }
        return (x, score);
    }
}
