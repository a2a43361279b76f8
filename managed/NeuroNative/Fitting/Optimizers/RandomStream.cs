using NeuroNative.Backends.Reference;

namespace NeuroNative.Fitting.Optimizers;

/// <summary>
/// The optimizers' seeded random numbers: the k-th draw is Philox4x32-10 keyed by the seed at counter k,
/// the generator the simulations use. Integer arithmetic only up to the 53-bit uniform, so the sequence is
/// the same on every machine and .NET version (System.Random's is not promised to be); normal deviates add
/// Box–Muller's log, sqrt and cos.
/// </summary>
internal sealed class RandomStream(ulong seed)
{
    private long _counter;

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => Philox.Uniform(seed, _counter++, 0, 0);

    /// <summary>Standard normal.</summary>
    public double NextGaussian() => Philox.Normal(seed, _counter++, 0, 0);

    /// <summary>Uniform integer in [0, n); the bias of flooring a 53-bit uniform is below 2^-53 · n.</summary>
    public int NextInt(int n) => (int)(NextDouble() * n);

    /// <summary>A Latin hypercube sample of n points in [0, 1]^d: each coordinate has exactly one point in each
    /// of its n strata, which covers the box more evenly than n independent uniforms.</summary>
    public double[][] LatinHypercube(int n, int d)
    {
        var points = new double[n][];
        for (int i = 0; i < n; i++) points[i] = new double[d];
        var strata = new int[n];
        for (int j = 0; j < d; j++)
        {
            for (int i = 0; i < n; i++) strata[i] = i;
            for (int i = n - 1; i > 0; i--) // Fisher–Yates
            {
                int k = NextInt(i + 1);
                (strata[i], strata[k]) = (strata[k], strata[i]);
            }
            for (int i = 0; i < n; i++) points[i][j] = (strata[i] + NextDouble()) / n;
        }
        return points;
    }
}
