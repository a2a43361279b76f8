namespace NeuroNative.Backends.Reference;

/// <summary>
/// Philox4x32-10 (Salmon et al., SC'11), the counter-based generator every backend uses: a random
/// number is a pure function of (seed, neuron, step, stream), so results do not depend on threads,
/// blocks or backends. Key = seed; counter = (neuron bits 0-31, neuron bits 32-47 | step bits 32-47 &lt;&lt; 16,
/// step bits 0-31, stream), exactly as native/include/neuronative/philox.hpp.
/// </summary>
public static class Philox
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    public static (uint, uint, uint, uint) Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int round = 0; round < 10; round++)
        {
            if (round > 0)
            {
                k0 += W0;
                k1 += W1;
            }
            ulong p0 = (ulong)M0 * c0;
            ulong p1 = (ulong)M1 * c2;
            (c0, c1, c2, c3) = ((uint)(p1 >> 32) ^ c1 ^ k0, (uint)p1, (uint)(p0 >> 32) ^ c3 ^ k1, (uint)p0);
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>The stream of noise term j; rand()/randn() calls in model code use streams below 2^31.</summary>
    public static uint NoiseStream(int term) => 0x80000000u + (uint)term;

    /// <summary>Block <paramref name="block"/> (0..255, in bits 8-15 of counter word 1, neuron bits 40-47 that no
    /// simulation uses) of the counter (seed, neuron, step, stream).</summary>
    private static (uint, uint, uint, uint) Draw(ulong seed, long neuron, long step, uint stream, uint block = 0)
    {
        ulong i = (ulong)neuron, k = (ulong)step;
        return Block((uint)i, (uint)((i >> 32) & 0xFFFF) | (uint)(((k >> 32) & 0xFFFF) << 16) | ((block & 0xFF) << 8), (uint)k,
            stream, (uint)seed, (uint)(seed >> 32));
    }

    /// <summary>53-bit uniform in [0, 1) from the first two words.</summary>
    public static double Uniform(ulong seed, long neuron, long step, uint stream)
    {
        var (x0, x1, _, _) = Draw(seed, neuron, step, stream);
        return ToUnit(x0, x1);
    }

    /// <summary>Standard normal by Box–Muller from the four words of one block.</summary>
    public static double Normal(ulong seed, long neuron, long step, uint stream)
    {
        var (x0, x1, x2, x3) = Draw(seed, neuron, step, stream);
        double u1 = 1.0 - ToUnit(x0, x1); // (0, 1]: log stays finite
        double u2 = ToUnit(x2, x3);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static double ToUnit(uint hi, uint lo) => (((ulong)hi << 21) | (lo >> 11)) * (1.0 / 9007199254740992.0);

    /// <summary>The uniforms of a call site that draws several, as nn::Uniforms: draw j is words 0-1 (j even) or 2-3
    /// of block j/2; after 512 they repeat.</summary>
    private struct Uniforms(ulong seed, long neuron, long step, uint stream)
    {
        private uint _j;
        private (uint, uint, uint, uint) _r;

        public double Next()
        {
            if (_j % 2 == 0) _r = Draw(seed, neuron, step, stream, (_j / 2) & 0xFF);
            double u = _j % 2 == 0 ? ToUnit(_r.Item1, _r.Item2) : ToUnit(_r.Item3, _r.Item4);
            _j = (_j + 1) & 0x1FF;
            return u;
        }
    }

    /// <summary>Brian's poisson(lam) as nn::poisson (native/include/neuronative/distributions.hpp).</summary>
    public static double Poisson(ulong seed, long neuron, long step, uint stream, double lam)
    {
        var u = new Uniforms(seed, neuron, step, stream);
        if (lam >= 10)
        {
            double slam = Math.Sqrt(lam), loglam = Math.Log(lam);
            double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
            double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
            while (true)
            {
                double U = u.Next() - 0.5, V = u.Next();
                double us = 0.5 - Math.Abs(U);
                double k = Math.Floor((2 * a / us + b) * U + lam + 0.43);
                if (us >= 0.07 && V <= vr) return k;
                if (k < 0 || (us < 0.013 && V > us)) continue;
                if (Math.Log(V) + Math.Log(invalpha) - Math.Log(a / (us * us) + b) <= -lam + k * loglam - LogGamma(k + 1)) return k;
            }
        }
        if (lam == 0) return 0;
        double enlam = Math.Exp(-lam), x = 0, prod = 1;
        while (true)
        {
            prod *= u.Next();
            if (!(prod > enlam)) return x;
            x += 1;
        }
    }

    /// <summary>BinomialFunction(n, p, approximate=False)'s inversion as nn::binomial.</summary>
    public static double Binomial(ulong seed, long neuron, long step, uint stream, double n, double p)
    {
        bool reverse = p > 0.5;
        double P = reverse ? 1 - p : p, q = 1 - P;
        double qn = Math.Exp(n * Math.Log(q));
        if (!(n >= 0 && n == Math.Floor(n) && p >= 0 && p <= 1 && qn > 0)) return double.NaN;
        double bound = Math.Min(n, n * P + 10 * Math.Sqrt(n * P * q + 1));
        var u = new Uniforms(seed, neuron, step, stream);
        double x = 0, px = qn, U = u.Next();
        while (U > px)
        {
            x += 1;
            if (x > bound)
            {
                x = 0;
                px = qn;
                U = u.Next();
            }
            else
            {
                U -= px;
                px = (n - x + 1) * P * px / (x * q);
            }
        }
        return reverse ? n - x : x;
    }

    /// <summary>numpy's loggam, as nn::detail::loggam.</summary>
    private static double LogGamma(double x)
    {
        ReadOnlySpan<double> a = [8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04, -5.952380952380952e-04,
            8.417508417508418e-04, -1.917526917526918e-03, 6.410256410256410e-03, -2.955065359477124e-02, 1.796443723688307e-01,
            -1.39243221690590e+00];
        if (x == 1 || x == 2) return 0;
        double x0 = x;
        int n = 0;
        if (x <= 7)
        {
            n = (int)(7 - x);
            x0 = x + n;
        }
        double x2 = 1 / (x0 * x0), gl0 = a[9];
        for (int k = 8; k >= 0; k--) gl0 = gl0 * x2 + a[k];
        double gl = gl0 / x0 + 0.5 * Math.Log(2 * Math.PI) + (x0 - 0.5) * Math.Log(x0) - x0;
        for (int k = 1; k <= n; k++)
        {
            gl -= Math.Log(x0 - 1);
            x0 -= 1;
        }
        return gl;
    }
}
