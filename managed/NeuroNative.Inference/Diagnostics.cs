using MathNet.Numerics.Distributions;

namespace NeuroNative.Inference;

/// <summary>Simulation-based calibration (Talts et al. 2018; sbi's run_sbc): for each held-out (θ, x) from the prior,
/// the rank of θ among posterior draws at x, per parameter. Calibrated, the ranks are uniform on 0..Draws;
/// <see cref="PValues"/> is a χ² test of that per parameter over <see cref="Bins"/> equal bins.</summary>
public sealed record SbcResult(IReadOnlyList<string> Names, int[,] Ranks, int Draws, int Bins, double[] PValues)
{
    /// <summary>False when some parameter's p-value is below <paramref name="alpha"/> Bonferroni-corrected for the parameters.</summary>
    public bool Calibrated(double alpha = 0.01) => PValues.All(p => p >= alpha / PValues.Length);
}

public static class Diagnostics
{
    /// <summary>SBC of <paramref name="posterior"/> on held-out prior simulations θ [n, D], x [n, F].</summary>
    public static SbcResult Sbc(Posterior posterior, double[,] theta, double[,] x, int draws = 1000, int seed = 0,
                                IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        int n = theta.GetLength(0), d = theta.GetLength(1), f = x.GetLength(1);
        if (x.GetLength(0) != n) throw new InferenceException($"SBC: {n} parameter sets but {x.GetLength(0)} feature rows");
        if (n < 2) throw new InferenceException($"SBC needs at least 2 held-out simulations, not {n}");
        var ranks = new int[n, d];
        for (int i = 0; i < n; i++)
        {
            var xi = Enumerable.Range(0, f).Select(j => x[i, j]).ToArray();
            var s = posterior.Sample(draws, seed + i, xi, cancellationToken);
            for (int j = 0; j < d; j++)
            {
                int r = 0;
                for (int k = 0; k < draws; k++) if (s[k, j] < theta[i, j]) r++;
                ranks[i, j] = r;
            }
            progress?.Report(i + 1);
        }
        // About 10 simulations per bin or more keep the χ² approximation sound; 20 bins at most, as sbc_rank_plot's default.
        int bins = Math.Clamp(n / 10, 2, 20);
        var p = new double[d];
        for (int j = 0; j < d; j++)
        {
            var counts = new double[bins];
            for (int i = 0; i < n; i++) counts[Math.Min(bins - 1, ranks[i, j] * bins / (draws + 1))]++;
            double expected = (double)n / bins, chi2 = counts.Sum(c => (c - expected) * (c - expected) / expected);
            p[j] = 1 - ChiSquared.CDF(bins - 1, chi2);
        }
        return new SbcResult(posterior.ParameterNames, ranks, draws, bins, p);
    }

    /// <summary>The posterior density on a grid of each pair of parameters with the others fixed at
    /// <paramref name="condition"/> (sbi's conditional_pairplot and conditional_corrcoeff): per parameter its grid of
    /// <paramref name="resolution"/> points over the limits and the 1-D conditional density, per pair (i &lt; j) the
    /// 2-D one [i-grid, j-grid], each normalized to sum 1.</summary>
    public static ConditionalDensities Conditional(Posterior posterior, double[] condition, IReadOnlyList<(double Low, double High)> limits,
                                                  int resolution = 50, double[]? x = null)
    {
        int d = posterior.ParameterNames.Count;
        if (condition.Length != d || limits.Count != d) throw new InferenceException($"conditional: give {d} condition values and limits");
        var grids = limits.Select(l => Enumerable.Range(0, resolution).Select(k => l.Low + (l.High - l.Low) * (k + 0.5) / resolution).ToArray()).ToArray();
        double[] Density(double[,] points)
        {
            var lp = posterior.LogProb(points, x);
            double max = lp.Where(double.IsFinite).DefaultIfEmpty(0).Max();
            var p = lp.Select(v => double.IsFinite(v) ? Math.Exp(v - max) : 0).ToArray();
            double sum = p.Sum();
            return sum > 0 ? p.Select(v => v / sum).ToArray() : p;
        }
        var diagonal = new double[d][];
        for (int i = 0; i < d; i++)
        {
            var pts = new double[resolution, d];
            for (int k = 0; k < resolution; k++)
                for (int c = 0; c < d; c++) pts[k, c] = c == i ? grids[i][k] : condition[c];
            diagonal[i] = Density(pts);
        }
        var pairs = new Dictionary<(int, int), double[,]>();
        for (int i = 0; i < d; i++)
            for (int j = i + 1; j < d; j++)
            {
                var pts = new double[resolution * resolution, d];
                for (int a = 0; a < resolution; a++)
                    for (int b = 0; b < resolution; b++)
                        for (int c = 0; c < d; c++)
                            pts[a * resolution + b, c] = c == i ? grids[i][a] : c == j ? grids[j][b] : condition[c];
                var flat = Density(pts);
                var m = new double[resolution, resolution];
                Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(double));
                pairs[(i, j)] = m;
            }
        return new ConditionalDensities(posterior.ParameterNames, grids, diagonal, pairs);
    }
}

/// <summary>Conditional densities on grids (<see cref="Diagnostics.Conditional"/>).</summary>
public sealed record ConditionalDensities(IReadOnlyList<string> Names, double[][] Grids, double[][] Diagonal,
                                          IReadOnlyDictionary<(int I, int J), double[,]> Pairs)
{
    /// <summary>sbi's conditional correlation matrix: the correlation coefficient of each pair's 2-D conditional
    /// density (1 on the diagonal).</summary>
    public double[,] CorrelationMatrix()
    {
        int d = Names.Count;
        var r = new double[d, d];
        for (int i = 0; i < d; i++) r[i, i] = 1;
        foreach (var ((i, j), p) in Pairs)
        {
            double mi = 0, mj = 0;
            int n = Grids[i].Length, m = Grids[j].Length;
            for (int a = 0; a < n; a++) for (int b = 0; b < m; b++) { mi += p[a, b] * Grids[i][a]; mj += p[a, b] * Grids[j][b]; }
            double vi = 0, vj = 0, c = 0;
            for (int a = 0; a < n; a++)
                for (int b = 0; b < m; b++)
                {
                    double di = Grids[i][a] - mi, dj = Grids[j][b] - mj;
                    vi += p[a, b] * di * di; vj += p[a, b] * dj * dj; c += p[a, b] * di * dj;
                }
            r[i, j] = r[j, i] = vi > 0 && vj > 0 ? c / Math.Sqrt(vi * vj) : 0;
        }
        return r;
    }
}
