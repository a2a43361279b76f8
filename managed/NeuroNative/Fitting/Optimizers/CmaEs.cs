using MathNet.Numerics.LinearAlgebra;

namespace NeuroNative.Fitting.Optimizers;

/// <summary>Options of <see cref="CmaEs"/> (factory names: popsize, sigma0, tolx, pycma's).</summary>
/// <param name="PopSize">λ; null takes the fitter's request, else 4 + ⌊3 ln d⌋ (Hansen's default). At least 2.</param>
/// <param name="Sigma0">Initial step size in the unit cube, about a third of the box (Hansen: a quarter to a third of the range).</param>
/// <param name="TolX">The search restarts once σ times the largest axis of C is below this, in the unit cube.</param>
public sealed record CMAESOptions(int? PopSize = null, double Sigma0 = 0.3, double TolX = 1e-8);

/// <summary>
/// The (μ/μ_w, λ) covariance matrix adaptation evolution strategy with rank-one and rank-μ updates of C and
/// cumulative step-size adaptation, every constant as in Hansen's tutorial (2016, table 1, positive weights only):
/// μ = ⌊λ/2⌋, w_i ∝ ln((λ+1)/2) − ln i, c_σ, d_σ, c_c, c_1, c_μ from μ_eff and d, h_σ stalling p_c. The mean starts
/// at the centre of the box. Bounds: the distribution lives unbounded, and a sample is evaluated at its mirror image
/// in [0, 1]^d (a periodic reflection, a transformation of the search space like pycma's), while the update uses
/// the sample itself, so repaired points do not bias the distribution. When the distribution has shrunk below
/// <c>TolX</c> the search restarts from a uniform random mean with σ0 and C = I, keeping λ (the batch size): a
/// fitter's remaining rounds become another attempt instead of re-evaluating one point, which on multimodal errors
/// finds other basins. docs/optimizers.md has the references and measured convergence.
/// </summary>
public sealed class CmaEs : OptimizerBase
{
    private int _d, _mu, _generation;
    private double[] _weights = [];
    private double _muEff, _cSigma, _dSigma, _cc, _c1, _cMu, _chiN;
    private double _sigma;
    private double[] _mean = [], _pSigma = [], _pc = [];
    private Matrix<double> _c = null!, _b = null!;
    private double[] _eigen = []; // D: square roots of C's eigenvalues
    private double[][] _samples = [];

    public CmaEs(CMAESOptions? options = null)
    {
        Options = options ?? new CMAESOptions();
        if (Options.PopSize is < 2) throw new ArgumentOutOfRangeException(nameof(options), $"CMAES option popsize must be at least 2; got {Options.PopSize}.");
        if (!(Options.Sigma0 > 0 && Options.Sigma0 <= 1)) throw new ArgumentOutOfRangeException(nameof(options), $"CMAES option sigma0 must be in (0, 1]; got {Options.Sigma0}.");
        if (!(Options.TolX > 0 && Options.TolX < Options.Sigma0)) throw new ArgumentOutOfRangeException(nameof(options), $"CMAES option tolx must be in (0, sigma0); got {Options.TolX}.");
    }

    /// <summary>The options this optimizer runs with.</summary>
    public CMAESOptions Options { get; }

    public override string Method => "CMAES";

    private protected override int Start(int dimension, int? requested)
    {
        int d = _d = dimension;
        int lambda = PopulationOf(Options.PopSize, requested, 4 + (int)Math.Floor(3 * Math.Log(d)), 2);
        _mu = lambda / 2;
        var w = Enumerable.Range(1, _mu).Select(i => Math.Log((lambda + 1) / 2.0) - Math.Log(i)).ToArray();
        double sum = w.Sum();
        _weights = w.Select(x => x / sum).ToArray();
        _muEff = 1 / _weights.Sum(x => x * x);
        _cSigma = (_muEff + 2) / (d + _muEff + 5);
        _dSigma = 1 + 2 * Math.Max(0, Math.Sqrt((_muEff - 1) / (d + 1)) - 1) + _cSigma;
        _cc = (4 + _muEff / d) / (d + 4 + 2 * _muEff / d);
        _c1 = 2 / ((d + 1.3) * (d + 1.3) + _muEff);
        _cMu = Math.Min(1 - _c1, 2 * (0.25 + _muEff + 1 / _muEff - 2) / ((d + 2) * (d + 2) + _muEff));
        _chiN = Math.Sqrt(d) * (1 - 1.0 / (4 * d) + 1.0 / (21.0 * d * d));
        Restart(Enumerable.Repeat(0.5, d).ToArray());
        return lambda;
    }

    private void Restart(double[] mean)
    {
        _generation = 0;
        _sigma = Options.Sigma0;
        _mean = mean;
        _pSigma = new double[_d];
        _pc = new double[_d];
        _c = Matrix<double>.Build.DenseIdentity(_d);
        _b = Matrix<double>.Build.DenseIdentity(_d);
        _eigen = Enumerable.Repeat(1.0, _d).ToArray();
    }

    private protected override double[][] Propose()
    {
        _samples = new double[PopulationSize][];
        var batch = new double[PopulationSize][];
        var z = new double[_d];
        for (int k = 0; k < PopulationSize; k++)
        {
            for (int j = 0; j < _d; j++) z[j] = _eigen[j] * Random.NextGaussian();
            var x = new double[_d];
            for (int i = 0; i < _d; i++)
            {
                double y = 0;
                for (int j = 0; j < _d; j++) y += _b[i, j] * z[j];
                x[i] = _mean[i] + _sigma * y;
            }
            _samples[k] = x;
            batch[k] = x.Select(Reflect).ToArray();
        }
        return batch;
    }

    private protected override void Learn(double[][] batch, double[] errors)
    {
        int d = _d;
        // Rank by error; ties (the +∞ of diverged runs among them) keep the sampling order, so the ranking is deterministic.
        var order = Enumerable.Range(0, errors.Length).OrderBy(k => errors[k]).ThenBy(k => k).ToArray();
        var old = _mean;
        _mean = new double[d];
        for (int r = 0; r < _mu; r++)
            for (int i = 0; i < d; i++) _mean[i] += _weights[r] * _samples[order[r]][i];
        var step = new double[d];
        for (int i = 0; i < d; i++) step[i] = (_mean[i] - old[i]) / _sigma;

        // p_σ ← (1 − c_σ) p_σ + √(c_σ (2 − c_σ) μ_eff) C^(−1/2) (m' − m) / σ, with C^(−1/2) = B D⁻¹ Bᵀ.
        var bt = new double[d];
        for (int j = 0; j < d; j++)
        {
            double s = 0;
            for (int i = 0; i < d; i++) s += _b[i, j] * step[i];
            bt[j] = s / _eigen[j];
        }
        double ks = Math.Sqrt(_cSigma * (2 - _cSigma) * _muEff);
        for (int i = 0; i < d; i++)
        {
            double s = 0;
            for (int j = 0; j < d; j++) s += _b[i, j] * bt[j];
            _pSigma[i] = (1 - _cSigma) * _pSigma[i] + ks * s;
        }
        _generation++;
        double pSigmaNorm = Math.Sqrt(_pSigma.Sum(x => x * x));
        bool hSigma = pSigmaNorm / Math.Sqrt(1 - Math.Pow(1 - _cSigma, 2 * _generation)) < (1.4 + 2.0 / (d + 1)) * _chiN;
        double kc = Math.Sqrt(_cc * (2 - _cc) * _muEff);
        for (int i = 0; i < d; i++) _pc[i] = (1 - _cc) * _pc[i] + (hSigma ? kc * step[i] : 0);

        // C ← (1 + c_1 δ(h_σ) − c_1 − c_μ) C + c_1 p_c p_cᵀ + c_μ Σ w_i y_i y_iᵀ, y_i = (x_i − m) / σ.
        double keep = 1 + (hSigma ? 0 : _c1 * _cc * (2 - _cc)) - _c1 - _cMu;
        var y = _samples.Select(x => x.Select((xi, i) => (xi - old[i]) / _sigma).ToArray()).ToArray();
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double rankMu = 0;
                for (int r = 0; r < _mu; r++) rankMu += _weights[r] * y[order[r]][i] * y[order[r]][j];
                double c = keep * _c[i, j] + _c1 * _pc[i] * _pc[j] + _cMu * rankMu;
                _c[i, j] = c;
                _c[j, i] = c;
            }
        }
        _sigma *= Math.Exp(_cSigma / _dSigma * (pSigmaNorm / _chiN - 1));

        var evd = _c.Evd(Symmetricity.Symmetric);
        _b = evd.EigenVectors;
        // Rounding can leave a tiny negative eigenvalue once C is very ill-conditioned; keep D real and positive.
        _eigen = evd.EigenValues.Select(l => Math.Sqrt(Math.Max(l.Real, 1e-300))).ToArray();

        if (_sigma * _eigen.Max() < Options.TolX)
            Restart(Enumerable.Range(0, d).Select(_ => Random.NextDouble()).ToArray());
    }

    /// <summary>The periodic mirror image of a coordinate in [0, 1]: the triangle wave of period 2.</summary>
    private static double Reflect(double x)
    {
        double t = x - 2 * Math.Floor(x / 2);
        return t <= 1 ? t : 2 - t;
    }
}
