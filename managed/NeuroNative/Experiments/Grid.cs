namespace NeuroNative.Experiments;

/// <summary>numpy's grids, reproduced operation for operation so that the values are bit-identical
/// to those of a Python script using <c>np.linspace</c> / <c>np.geomspace</c>.</summary>
public static class Grid
{
    /// <summary><c>np.linspace(lo, hi, n)</c>: lo + k*step with step = (hi-lo)/(n-1), the last point
    /// exactly hi; n = 1 gives [lo].</summary>
    public static double[] Linspace(double lo, double hi, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var y = new double[n];
        if (n == 0) return y;
        int div = n - 1;
        double delta = hi - lo;
        double step = div > 0 ? delta / div : double.NaN;
        for (int k = 0; k < n; k++)
        {
            // numpy divides first when the step underflows to zero (then (k/div)*delta keeps precision).
            y[k] = div == 0 ? lo : step == 0 ? k / (double)div * delta + lo : k * step + lo;
        }
        if (n > 1) y[^1] = hi;
        return y;
    }

    /// <summary><c>np.geomspace(lo, hi, n)</c>: 10**linspace(log10 lo, log10 hi, n) with both ends
    /// exact; lo and hi must be non-zero and of the same sign.</summary>
    public static double[] Geomspace(double lo, double hi, int n)
    {
        if (lo == 0 || hi == 0 || Math.Sign(lo) != Math.Sign(hi))
            throw new ArgumentException($"a geometric grid needs two non-zero bounds of the same sign, not {lo} and {hi}");
        double sign = Math.Sign(lo);
        var exponents = Linspace(Math.Log10(lo / sign), Math.Log10(hi / sign), n);
        var y = new double[n];
        for (int k = 0; k < n; k++) y[k] = sign * Math.Pow(10, exponents[k]);
        if (n > 0) y[0] = lo;
        if (n > 1) y[^1] = hi;
        return y;
    }
}
