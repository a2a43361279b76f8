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
/// data each round, O(n³) in the evaluations n: the method is for budgets of a few hundred evaluations.
/// </summary>
public sealed class BayesianOptimization : OptimizerBase
{
    private static readonly double[] LengthGrid = Enumerable.Range(0, 12).Select(i => 0.02 * Math.Pow(250, i / 11.0)).ToArray();
    private static readonly double[] NoiseGrid = [1e-10, 1e-7, 1e-4, 1e-2, 0.1, 1];

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
        var gp = Surrogate.Fit(_x, y.Select(v => (v - mean) / sd).ToArray(), _d);

        double lie = gp.MinY;
        var batch = new double[PopulationSize][];
        for (int k = 0; k < batch.Length; k++)
        {
            batch[k] = MinimizeAcquisition(gp);
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

    /// <summary>The acquisition as a value to minimize: −EI or LCB, in standardised error units.</summary>
    private double Score(Surrogate gp, double[] x)
    {
        var (mu, sigma) = gp.Predict(x);
        if (Options.AcqFunc == Acquisition.LCB) return mu - Options.Kappa * sigma;
        double improvement = gp.MinY - mu - Options.Xi;
        if (!(sigma > 1e-12)) return -Math.Max(improvement, 0);
        double z = improvement / sigma;
        double cdf = 0.5 * SpecialFunctions.Erfc(-z / Math.Sqrt(2)), pdf = Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);
        return -(improvement * cdf + sigma * pdf);
    }

    private double[] MinimizeAcquisition(Surrogate gp)
    {
        var starts = new (double[] X, double Score)[Options.NPoints];
        for (int i = 0; i < starts.Length; i++)
        {
            var x = new double[_d];
            for (int j = 0; j < _d; j++) x[j] = Random.NextDouble();
            starts[i] = (x, Score(gp, x));
        }
        var ranked = starts.OrderBy(s => s.Score); // stable: ties keep the drawing order
        if (Options.NRestartsOptimizer == 0) return ranked.First().X;
        return ranked.Take(Options.NRestartsOptimizer).Select(s => CompassSearch(gp, s)).MinBy(s => s.Score).X;
    }

    /// <summary>Coordinate steps of ±h inside the box, taken while they lower the score; h halves when none does.</summary>
    private (double[] X, double Score) CompassSearch(Surrogate gp, (double[] X, double Score) start)
    {
        var (x, score) = ((double[])start.X.Clone(), start.Score);
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
                        double s = Score(gp, x);
                        if (s < score)
                        {
                            score = s;
                            improved = true;
                        }
                        else x[j] = old;
                    }
                }
            }
        }
        return (x, score);
    }

    /// <summary>
    /// A GP posterior: y ~ GP(0, s² (k(x, x') + g δ)) with k the Matérn 5/2 correlation of per-dimension length scales ℓ,
    /// held as the Cholesky factor L of R = K + g I and α = R⁻¹ y. Points can be appended with the hyperparameters kept.
    /// </summary>
    private sealed class Surrogate
    {
        private readonly List<double[]> _x;
        private readonly List<double> _y;
        private readonly double[] _inverseLength;
        private readonly double _noise;
        private readonly List<double[]> _l; // rows of the lower triangle
        private double[] _alpha = [], _v = [];
        private double _s2;

        private Surrogate(List<double[]> x, List<double> y, double[] length, double noise, List<double[]> l)
        {
            (_x, _y, _inverseLength, _noise, _l) = (x, y, length.Select(v => 1 / v).ToArray(), noise, l);
            Solve();
        }

        public double MinY { get; private set; }

        /// <summary>Maximizes the marginal likelihood over the grid and the coordinate refinement.</summary>
        public static Surrogate Fit(IReadOnlyList<double[]> x, double[] y, int d)
        {
            int n = x.Count;
            // The squared coordinate differences of every pair, once: each candidate ℓ only rescales them.
            var diff2 = new double[d][];
            for (int j = 0; j < d; j++)
            {
                diff2[j] = new double[n * n];
                for (int i = 0; i < n; i++)
                    for (int k = 0; k < i; k++)
                    {
                        double t = x[i][j] - x[k][j];
                        diff2[j][i * n + k] = t * t;
                    }
            }
            var r = new double[n * n];
            var l = new double[n * n];
            (double[] Length, double Noise, double Lml) best = (Enumerable.Repeat(1.0, d).ToArray(), NoiseGrid[^1], double.NegativeInfinity);
            void Consider(double[] length, IEnumerable<double> noises)
            {
                CorrelationMatrix(diff2, length, n, r);
                foreach (double g in noises)
                {
                    double lml = Factor(r, g, n, l) ? LogLikelihood(l, n, y) : double.NegativeInfinity;
                    if (lml > best.Lml) best = (length, g, lml);
                }
            }
            foreach (double length in LengthGrid) Consider(Enumerable.Repeat(length, d).ToArray(), NoiseGrid);
            foreach (double factor in (double[])[2, Math.Sqrt(2)])
                for (int j = 0; j < d; j++)
                    foreach (double f in (double[])[factor, 1 / factor])
                    {
                        var length = (double[])best.Length.Clone();
                        length[j] *= f;
                        Consider(length, [best.Noise]);
                    }
            // Cannot fail: the grid's largest noise, 1, keeps every eigenvalue of R + gI at least 1.
            CorrelationMatrix(diff2, best.Length, n, r);
            Factor(r, best.Noise, n, l);
            var rows = Enumerable.Range(0, n).Select(i => l.AsSpan(i * n, i + 1).ToArray()).ToList();
            return new Surrogate(x.ToList(), y.ToList(), best.Length, best.Noise, rows);
        }

        /// <summary>Adds an observation without refitting the hyperparameters: one new row of L, O(n²).</summary>
        public void Append(double[] x, double y)
        {
            var r = _x.Select(xi => Correlation(xi, x, _inverseLength)).ToArray();
            var row = new double[r.Length + 1];
            double diagonal = 1 + _noise;
            for (int i = 0; i < r.Length; i++)
            {
                double s = r[i];
                for (int j = 0; j < i; j++) s -= row[j] * _l[i][j];
                row[i] = s / _l[i][i];
                diagonal -= row[i] * row[i];
            }
            row[r.Length] = Math.Sqrt(Math.Max(diagonal, _noise * 1e-3));
            _l.Add(row);
            _x.Add(x);
            _y.Add(y);
            Solve();
        }

        /// <summary>Posterior mean and standard deviation of the latent function (without the noise term).</summary>
        public (double Mean, double Sd) Predict(double[] x)
        {
            int n = _x.Count;
            var v = _v; // L⁻¹ r, in a buffer reused across the many calls of an acquisition search
            double mean = 0, explained = 0;
            for (int i = 0; i < n; i++)
            {
                double r = Correlation(_x[i], x, _inverseLength);
                mean += r * _alpha[i];
                double s = r;
                var li = _l[i];
                for (int j = 0; j < i; j++) s -= li[j] * v[j];
                v[i] = s / li[i];
                explained += v[i] * v[i];
            }
            return (mean, Math.Sqrt(_s2 * Math.Max(1 - explained, 0)));
        }

        private void Solve()
        {
            _alpha = SolveCholesky(_l, _y);
            _v = new double[_y.Count];
            _s2 = Math.Max(Dot(_y, _alpha) / _y.Count, 1e-12);
            MinY = _y.Min();
        }

        /// <summary>log p(y | ℓ, g) up to a constant, from the Cholesky factor L of R + gI, with the variance s² at its
        /// maximum yᵀ(R + gI)⁻¹y / n = |L⁻¹y|² / n.</summary>
        private static double LogLikelihood(double[] l, int n, double[] y)
        {
            var z = new double[n];
            double quadratic = 0, logDet = 0;
            for (int i = 0; i < n; i++)
            {
                double s = y[i];
                for (int j = 0; j < i; j++) s -= l[i * n + j] * z[j];
                z[i] = s / l[i * n + i];
                quadratic += z[i] * z[i];
                logDet += Math.Log(l[i * n + i]);
            }
            return -0.5 * n * Math.Log(Math.Max(quadratic / n, 1e-300)) - logDet;
        }

        /// <summary>The Matérn correlations of every pair under <paramref name="length"/>, in the lower triangle of r.</summary>
        private static void CorrelationMatrix(double[][] diff2, double[] length, int n, double[] r)
        {
            var inverse2 = length.Select(v => 1 / (v * v)).ToArray();
            for (int i = 0; i < n; i++)
                for (int k = 0; k < i; k++)
                {
                    double r2 = 0;
                    for (int j = 0; j < inverse2.Length; j++) r2 += diff2[j][i * n + k] * inverse2[j];
                    r[i * n + k] = Matern52(r2);
                }
        }

        /// <summary>The lower Cholesky factor of R + gI (R's lower triangle, unit diagonal) into l; false where rounding
        /// makes it indefinite.</summary>
        private static bool Factor(double[] r, double noise, int n, double[] l)
        {
            for (int i = 0; i < n; i++)
                for (int j = 0; j <= i; j++)
                {
                    double s = i == j ? 1 + noise : r[i * n + j];
                    for (int k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
                    if (i != j) l[i * n + j] = s / l[j * n + j];
                    else if (s > 0) l[i * n + i] = Math.Sqrt(s);
                    else return false;
                }
            return true;
        }

        private static double[] SolveCholesky(List<double[]> l, IReadOnlyList<double> b)
        {
            int n = b.Count;
            var z = new double[n];
            for (int i = 0; i < n; i++)
            {
                double s = b[i];
                for (int j = 0; j < i; j++) s -= l[i][j] * z[j];
                z[i] = s / l[i][i];
            }
            for (int i = n - 1; i >= 0; i--)
            {
                double s = z[i];
                for (int j = i + 1; j < n; j++) s -= l[j][i] * z[j];
                z[i] = s / l[i][i];
            }
            return z;
        }

        private static double Correlation(double[] a, double[] b, double[] inverseLength)
        {
            double r2 = 0;
            for (int j = 0; j < a.Length; j++)
            {
                double t = (a[j] - b[j]) * inverseLength[j];
                r2 += t * t;
            }
            return Matern52(r2);
        }

        /// <summary>Matérn 5/2 of the squared length-scaled distance r²: (1 + √5 r + 5r²/3) exp(−√5 r).</summary>
        private static double Matern52(double r2)
        {
            double sr = Math.Sqrt(5 * r2);
            return (1 + sr + 5 * r2 / 3) * Math.Exp(-sr);
        }

        private static double Dot(IReadOnlyList<double> a, IReadOnlyList<double> b)
        {
            double s = 0;
            for (int i = 0; i < a.Count; i++) s += a[i] * b[i];
            return s;
        }
    }
}
