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

    private static (uint, uint, uint, uint) Draw(ulong seed, long neuron, long step, uint stream)
    {
        ulong i = (ulong)neuron, k = (ulong)step;
        return Block((uint)i, (uint)((i >> 32) & 0xFFFF) | (uint)(((k >> 32) & 0xFFFF) << 16), (uint)k, stream,
            (uint)seed, (uint)(seed >> 32));
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
}
