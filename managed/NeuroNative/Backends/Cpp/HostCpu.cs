using System.Runtime.InteropServices;
using Arm = System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NeuroNative.Backends.Cpp;

/// <summary>
/// The CPU that <c>-march=native</c> compiles kernels for, as part of the kernel cache key: a cache
/// shared between machines (a network home, a copied folder) must never hand a kernel built with
/// instructions of one CPU to another. On x86-64 it is the vendor, family/model/stepping (what
/// <c>-mtune=native</c> reads) and every cpuid feature word the compilers' <c>-march=native</c>
/// consult; per-core fields (APIC ids) are left out, so every core of a machine agrees.
/// </summary>
internal static class HostCpu
{
    public static string Identity { get; } = Describe();

    private static string Describe()
    {
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        if (X86Base.IsSupported)
        {
            var words = new List<int>();
            (int maxLeaf, int vendor1, int vendor3, int vendor2) = X86Base.CpuId(0, 0);
            words.AddRange([vendor1, vendor2, vendor3]);
            (int signature, _, int features1c, int features1d) = X86Base.CpuId(1, 0);
            words.AddRange([signature, features1c, features1d]);
            if (maxLeaf >= 7)
            {
                (int maxSub7, int f7b, int f7c, int f7d) = X86Base.CpuId(7, 0);
                words.AddRange([f7b, f7c, f7d]);
                if (maxSub7 >= 1) words.Add(X86Base.CpuId(7, 1).Eax);
            }
            if (maxLeaf >= 0xD) words.Add(X86Base.CpuId(0xD, 1).Eax); // XSAVE variants
            int maxExtended = X86Base.CpuId(unchecked((int)0x80000000), 0).Eax;
            if (unchecked((uint)maxExtended) >= 0x80000001)
            {
                (_, _, int e1c, int e1d) = X86Base.CpuId(unchecked((int)0x80000001), 0);
                words.AddRange([e1c, e1d]);
            }
            return $"{arch} cpuid {string.Join(' ', words.Select(w => w.ToString("x8")))}";
        }
        if (Arm.AdvSimd.IsSupported)
            return $"{arch} advsimd aes={Arm.Aes.IsSupported} crc32={Arm.Crc32.IsSupported} dp={Arm.Dp.IsSupported} "
                + $"rdm={Arm.Rdm.IsSupported} sha1={Arm.Sha1.IsSupported} sha256={Arm.Sha256.IsSupported}";
        return arch;
    }
}
