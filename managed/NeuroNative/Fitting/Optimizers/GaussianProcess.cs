using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuroNative.Fitting.Optimizers;

/// <summary>
/// A GP posterior for <see cref="BayesianOptimization"/>: y ~ GP(0, s² (k(x, x') + g δ)) with k the Matérn 5/2
/// correlation of per-dimension length scales ℓ, held as the Cholesky factor L of R = K + g I (row-major, rows
/// reserved for the points a round appends), u = L⁻¹ y and α = L⁻ᵀ u. The posterior mean at x is r(x)·α, O(n), and the
/// latent variance s² (1 − |v|²) with v = L⁻¹ r(x), O(n²); appending a point (hyperparameters kept) adds one row of L
/// and one element of u and solves α again, O(n²).
/// </summary>
internal sealed class GaussianProcess
{
    private static readonly double[] LengthGrid = Enumerable.Range(0, 12).Select(i => 0.02 * Math.Pow(250, i / 11.0)).ToArray();
    private static readonly double[] NoiseGrid = [1e-10, 1e-7, 1e-4, 1e-2, 0.1, 1];

    private readonly int _d, _stride;
    private readonly double[] _x, _l, _u, _alpha, _inverseLength;
    private readonly double _noise;
    private double _uu;

    private GaussianProcess(IReadOnlyList<double[]> x, double[] y, double[] length, double noise, double[] l, int capacity)
    {
        int n = x.Count;
        (_d, _stride, _noise, Count) = (length.Length, capacity, noise, n);
        _inverseLength = length.Select(v => 1 / v).ToArray();
        _x = new double[capacity * _d];
        for (int i = 0; i < n; i++) x[i].CopyTo(_x, i * _d);
        _l = new double[capacity * capacity];
        for (int i = 0; i < n; i++) Array.Copy(l, i * n, _l, i * capacity, i + 1);
        _u = new double[capacity];
        _alpha = new double[capacity];
        for (int i = 0; i < n; i++) Push(i, y[i]);
        SolveAlpha();
        MinY = y.Min();
    }

    /// <summary>The points the posterior is conditioned on.</summary>
    public int Count { get; private set; }

    /// <summary>The lowest observation.</summary>
    public double MinY { get; private set; }

    /// <summary>The signal variance at its likelihood maximum, yᵀR⁻¹y / n = |u|² / n.</summary>
    public double SignalVariance => Math.Max(_uu / Count, 1e-12);

    /// <summary>
    /// Maximizes the marginal likelihood: a shared length scale over <see cref="LengthGrid"/> times the noise ratios of
    /// <see cref="NoiseGrid"/>, then each length scale by factors 2 and √2 in turn. The grid's lengths are independent
    /// and run in parallel; the winner is picked in grid order afterwards, so the thread count does not change it.
    /// <paramref name="capacity"/> rows are reserved for <see cref="Append"/>.
    /// </summary>
    public static GaussianProcess Fit(IReadOnlyList<double[]> x, double[] y, int capacity)
    {
        int n = x.Count, d = x[0].Length;
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
        double[] Likelihoods(double[] length, double[] noises, (double[] R, double[] L) buffers)
        {
            CorrelationMatrix(diff2, length, n, buffers.R);
            return noises.Select(g => Factor(buffers.R, g, n, buffers.L) ? LogLikelihood(buffers.L, n, y) : double.NegativeInfinity).ToArray();
        }
        (double[], double[]) NewBuffers() => (new double[n * n], new double[n * n]);

        var grid = new double[LengthGrid.Length][];
        Parallel.For(0, LengthGrid.Length, NewBuffers, (i, _, buffers) =>
        {
            grid[i] = Likelihoods(Enumerable.Repeat(LengthGrid[i], d).ToArray(), NoiseGrid, buffers);
            return buffers;
        }, _ => { });
        (double[] Length, double Noise, double Lml) best = (Enumerable.Repeat(1.0, d).ToArray(), NoiseGrid[^1], double.NegativeInfinity);
        for (int i = 0; i < LengthGrid.Length; i++)
            for (int k = 0; k < NoiseGrid.Length; k++)
                if (grid[i][k] > best.Lml) best = (Enumerable.Repeat(LengthGrid[i], d).ToArray(), NoiseGrid[k], grid[i][k]);

        // Up then down from the same best: the down step is only taken where the up step did not improve.
        var pair = new[] { NewBuffers(), NewBuffers() };
        foreach (double factor in (double[])[2, Math.Sqrt(2)])
            for (int j = 0; j < d; j++)
            {
                var tried = new (double[] Length, double Lml)[2];
                Parallel.For(0, 2, s =>
                {
                    var length = (double[])best.Length.Clone();
                    length[j] *= s == 0 ? factor : 1 / factor;
                    tried[s] = (length, Likelihoods(length, [best.Noise], pair[s])[0]);
                });
                foreach (var t in tried)
                    if (t.Lml > best.Lml)
                    {
                        best = (t.Length, best.Noise, t.Lml);
                        break;
                    }
            }
        // Cannot fail: the grid's largest noise, 1, keeps every eigenvalue of R + gI at least 1.
        var (r, l) = pair[0];
        CorrelationMatrix(diff2, best.Length, n, r);
        Factor(r, best.Noise, n, l);
        return new GaussianProcess(x, y, best.Length, best.Noise, l, capacity);
    }

    /// <summary>Adds an observation without refitting the hyperparameters: one new row of L and element of u.</summary>
    public void Append(ReadOnlySpan<double> x, double y)
    {
        if (Count == _stride) throw new InvalidOperationException($"The GP holds its capacity of {_stride} points.");
        int n = Count;
        x.CopyTo(_x.AsSpan(n * _d, _d));
        var row = _l.AsSpan(n * _stride, n + 1);
        double explained = 0;
        for (int i = 0; i < n; i++)
        {
            row[i] = (Correlation(i, x) - Dot(_l.AsSpan(i * _stride, i), row[..i])) / _l[i * _stride + i];
            explained += row[i] * row[i];
        }
        row[n] = Math.Sqrt(Math.Max(1 + _noise - explained, _noise * 1e-3));
        Push(n, y);
        SolveAlpha();
        MinY = Math.Min(MinY, y);
    }

    /// <summary>
    /// Posterior mean and latent standard deviation at x; <paramref name="v"/> (Count long) is scratch. The mean comes
    /// first; then <paramref name="hopeless"/> is asked with the mean and a bound on σ, and a true answer ends the
    /// prediction with null. The bound is the variance given the most correlated data point alone, r²/(1 + g) explained
    /// (more data never explains less), and every 16 rows of the solve for v, what those rows explain (|v|² only grows):
    /// the acquisition's search drops most of its points that way before their n²/2 are spent.
    /// </summary>
    public (double Mean, double Sd)? Predict(ReadOnlySpan<double> x, Span<double> v, Func<double, double, bool>? hopeless = null)
    {
        int n = Count;
        double mean = Mean(x, v), explained = 0, nearest = 0;
        for (int i = 0; i < n; i++) nearest = Math.Max(nearest, v[i] * v[i]);
        nearest /= 1 + _noise;
        if (hopeless?.Invoke(mean, Sd(nearest)) == true) return null;
        for (int i = 0; i < n; i++)
        {
            v[i] = (v[i] - Dot(_l.AsSpan(i * _stride, i), v[..i])) / _l[i * _stride + i];
            explained += v[i] * v[i];
            if ((i & 15) == 15 && hopeless?.Invoke(mean, Sd(Math.Max(explained, nearest))) == true) return null;
        }
        return (mean, Sd(explained));
    }

    /// <summary>The posterior mean r(x)·α; <paramref name="r"/> (Count long) receives r(x).</summary>
    public double Mean(ReadOnlySpan<double> x, Span<double> r)
    {
        int n = Count, i = 0;
        for (; i < n; i++)
        {
            var xi = _x.AsSpan(i * _d, _d);
            double r2 = 0;
            for (int j = 0; j < _d; j++)
            {
                double t = (xi[j] - x[j]) * _inverseLength[j];
                r2 += t * t;
            }
            r[i] = r2;
        }
        // Matérn 5/2 four at a time: the exponentials are most of this O(n) step, run for every candidate.
        ref double rr = ref MemoryMarshal.GetReference(r);
        for (i = 0; i + 4 <= n; i += 4)
        {
            var r2 = Vector256.LoadUnsafe(ref rr, (nuint)i);
            var sr = Vector256.Sqrt(r2 * 5.0);
            ((Vector256<double>.One + sr + r2 * (5.0 / 3)) * Vector256.Exp(-sr)).StoreUnsafe(ref rr, (nuint)i);
        }
        for (; i < n; i++) r[i] = Matern52(r[i]);
        return Dot(r[..n], _alpha.AsSpan(0, n));
    }

    /// <summary>The latent standard deviation where |v|² = <paramref name="explained"/>.</summary>
    public double Sd(double explained) => Math.Sqrt(SignalVariance * Math.Max(1 - explained, 0));

    /// <summary>The Matérn correlation of data point <paramref name="i"/> with x.</summary>
    public double Correlation(int i, ReadOnlySpan<double> x)
    {
        var xi = _x.AsSpan(i * _d, _d);
        double r2 = 0;
        for (int j = 0; j < _d; j++)
        {
            double t = (xi[j] - x[j]) * _inverseLength[j];
            r2 += t * t;
        }
        return Matern52(r2);
    }

    private void Push(int i, double y)
    {
        _u[i] = (y - Dot(_l.AsSpan(i * _stride, i), _u.AsSpan(0, i))) / _l[i * _stride + i];
        _uu += _u[i] * _u[i];
        Count = i + 1;
    }

    /// <summary>α = L⁻ᵀ u by back substitution along L's rows.</summary>
    private void SolveAlpha()
    {
        int n = Count;
        var w = _u.AsSpan(0, n).ToArray();
        for (int i = n - 1; i >= 0; i--)
        {
            double a = _alpha[i] = w[i] / _l[i * _stride + i];
            var row = _l.AsSpan(i * _stride, i);
            for (int k = 0; k < i; k++) w[k] -= a * row[k];
        }
    }

    /// <summary>log p(y | ℓ, g) up to a constant, from the Cholesky factor L of R + gI, with the variance s² at its
    /// maximum yᵀ(R + gI)⁻¹y / n = |L⁻¹y|² / n.</summary>
    private static double LogLikelihood(double[] l, int n, double[] y)
    {
        var z = new double[n];
        double quadratic = 0, logDet = 0;
        for (int i = 0; i < n; i++)
        {
            z[i] = (y[i] - Dot(l.AsSpan(i * n, i), z.AsSpan(0, i))) / l[i * n + i];
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

    /// <summary>
    /// The lower Cholesky factor of R + gI (R's lower triangle, unit diagonal) into l, row by row; false where rounding
    /// makes it indefinite. Rows go in blocks of four that share each earlier row's loads (<see cref="Dot4"/>): the
    /// factor of 1000 points is 4 MB, beyond the caches, and a row at a time would read it n/4 times more.
    /// </summary>
    private static bool Factor(double[] r, double noise, int n, double[] l)
    {
        for (int i0 = 0; i0 < n; i0 += 4)
        {
            int b = Math.Min(4, n - i0);
            if (b == 4)
                for (int j = 0; j < i0; j++)
                {
                    var (s0, s1, s2, s3) = Dot4(l.AsSpan(j * n, j), l.AsSpan(i0 * n, j), l.AsSpan((i0 + 1) * n, j),
                        l.AsSpan((i0 + 2) * n, j), l.AsSpan((i0 + 3) * n, j));
                    double diagonal = l[j * n + j];
                    l[i0 * n + j] = (r[i0 * n + j] - s0) / diagonal;
                    l[(i0 + 1) * n + j] = (r[(i0 + 1) * n + j] - s1) / diagonal;
                    l[(i0 + 2) * n + j] = (r[(i0 + 2) * n + j] - s2) / diagonal;
                    l[(i0 + 3) * n + j] = (r[(i0 + 3) * n + j] - s3) / diagonal;
                }
            for (int i = i0; i < i0 + b; i++)
                for (int j = b == 4 ? i0 : 0; j <= i; j++)
                {
                    double s = (i == j ? 1 + noise : r[i * n + j]) - Dot(l.AsSpan(i * n, j), l.AsSpan(j * n, j));
                    if (i != j) l[i * n + j] = s / l[j * n + j];
                    else if (s > 0) l[i * n + i] = Math.Sqrt(s);
                    else return false;
                }
        }
        return true;
    }

    /// <summary>Matérn 5/2 of the squared length-scaled distance r²: (1 + √5 r + 5r²/3) exp(−√5 r).</summary>
    private static double Matern52(double r2)
    {
        double sr = Math.Sqrt(5 * r2);
        return (1 + sr + 5 * r2 / 3) * Math.Exp(-sr);
    }

    /// <summary>a·b in 256-bit lanes (emulated where the hardware lacks them, with the same sums), then the tail.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        ref double ra = ref MemoryMarshal.GetReference(a), rb = ref MemoryMarshal.GetReference(b);
        int n = a.Length, k = 0;
        Vector256<double> acc0 = Vector256<double>.Zero, acc1 = Vector256<double>.Zero;
        for (; k + 8 <= n; k += 8)
        {
            acc0 += Vector256.LoadUnsafe(ref ra, (nuint)k) * Vector256.LoadUnsafe(ref rb, (nuint)k);
            acc1 += Vector256.LoadUnsafe(ref ra, (nuint)(k + 4)) * Vector256.LoadUnsafe(ref rb, (nuint)(k + 4));
        }
        if (k + 4 <= n)
        {
            acc0 += Vector256.LoadUnsafe(ref ra, (nuint)k) * Vector256.LoadUnsafe(ref rb, (nuint)k);
            k += 4;
        }
        double s = Vector256.Sum(acc0 + acc1);
        for (; k < n; k++) s += Unsafe.Add(ref ra, k) * Unsafe.Add(ref rb, k);
        return s;
    }

    /// <summary>The dot products of <paramref name="shared"/> with four vectors of its length, in one pass over it.</summary>
    public static (double, double, double, double) Dot4(ReadOnlySpan<double> shared, ReadOnlySpan<double> a0, ReadOnlySpan<double> a1,
        ReadOnlySpan<double> a2, ReadOnlySpan<double> a3)
    {
        ref double rs = ref MemoryMarshal.GetReference(shared);
        ref double r0 = ref MemoryMarshal.GetReference(a0), r1 = ref MemoryMarshal.GetReference(a1);
        ref double r2 = ref MemoryMarshal.GetReference(a2), r3 = ref MemoryMarshal.GetReference(a3);
        int n = shared.Length, k = 0;
        Vector256<double> c0 = Vector256<double>.Zero, c1 = c0, c2 = c0, c3 = c0;
        for (; k + 4 <= n; k += 4)
        {
            var s = Vector256.LoadUnsafe(ref rs, (nuint)k);
            c0 += s * Vector256.LoadUnsafe(ref r0, (nuint)k);
            c1 += s * Vector256.LoadUnsafe(ref r1, (nuint)k);
            c2 += s * Vector256.LoadUnsafe(ref r2, (nuint)k);
            c3 += s * Vector256.LoadUnsafe(ref r3, (nuint)k);
        }
        double d0 = Vector256.Sum(c0), d1 = Vector256.Sum(c1), d2 = Vector256.Sum(c2), d3 = Vector256.Sum(c3);
        for (; k < n; k++)
        {
            double s = Unsafe.Add(ref rs, k);
            d0 += s * Unsafe.Add(ref r0, k);
            d1 += s * Unsafe.Add(ref r1, k);
            d2 += s * Unsafe.Add(ref r2, k);
            d3 += s * Unsafe.Add(ref r3, k);
        }
        return (d0, d1, d2, d3);
    }
}
