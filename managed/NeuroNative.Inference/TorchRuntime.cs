using System.Runtime;
using System.Runtime.InteropServices;
using TorchSharp;

namespace NeuroNative.Inference;

/// <summary>Loads LibTorch once, with a clear error instead of TorchSharp's type-initializer failure, and fixes
/// the thread count: LibTorch's reductions split work by thread count, so the same seed gives the same numbers
/// only for the same count (docs/inference.md). Loading turns background garbage collection off for the process
/// (docs/inference.md, "Determinism").</summary>
public static class TorchRuntime
{
    internal static readonly object Gate = new();
    static bool _loaded;

    /// <summary>Threads LibTorch uses for its kernels (intra-op); default: the processor count.</summary>
    public static int Threads { get; private set; }

    /// <summary>Checks that LibTorch loads and sets its thread count (≤ 0: the processor count).</summary>
    public static void EnsureLoaded(int threads = 0)
    {
        lock (Gate)
        {
            if (!_loaded)
            {
                // A busy-waiting OpenMP pool competes with the simulations on a loaded machine.
                if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null)
                    Environment.SetEnvironmentVariable("OMP_WAIT_POLICY", "PASSIVE");
                try
                {
                    torch.InitializeDeviceType(DeviceType.CPU);
                }
                catch (Exception e)
                {
                    throw new InferenceException(Diagnose(e), e);
                }
                // TorchSharp passes the native handles of implicitly converted Scalars (x + 1e-3) without keeping the
                // Scalar alive through the call: a background GC can finalize it while LibTorch reads it ("Unknown
                // scalar type" aborts when training streamed 2 GB from disk; none with background GC off).
                GCSettings.LatencyMode = GCLatencyMode.Batch;
                _loaded = true;
            }
            int n = threads > 0 ? threads : Environment.ProcessorCount;
            if (n != Threads)
            {
                torch.set_num_threads(n);
                Threads = n;
            }
        }
    }

    /// <summary>TorchSharp reports any failure to load its shim as "package not restored"; loading the shim
    /// directly gives the loader's own reason (e.g. a missing GLIBCXX version).</summary>
    static string Diagnose(Exception e)
    {
        const string shim = "libLibTorchSharp.so";
        string baseDir = AppContext.BaseDirectory;
        string? path = new[] { Path.Combine(baseDir, shim), Path.Combine(baseDir, "runtimes", "linux-x64", "native", shim) }
            .FirstOrDefault(File.Exists);
        if (!OperatingSystem.IsLinux())
            return $"LibTorch could not be loaded ({e.Message}). NeuroNative.Inference ships LibTorch for linux-x64 only; " +
                   "on other systems add the libtorch-cpu package for your platform.";
        if (path is null)
            return $"LibTorch could not be loaded: {shim} is not in {baseDir} (nor runtimes/linux-x64/native/). " +
                   "Reference the NeuroNative.Inference package (it brings TorchSharp and libtorch-cpu-linux-x64 2.10.0) and restore.";
        string reason;
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            reason = e.InnerException?.Message ?? e.Message;
        }
        catch (Exception load)
        {
            reason = load.Message;
        }
        string fix = reason.Contains("GLIBCXX", StringComparison.Ordinal)
            ? " The system libstdc++ is older than the one LibTorchSharp was built with (GCC 13, GLIBCXX_3.4.32): build through " +
              "NeuroNative.Inference.csproj, which runs fix-libtorchsharp.sh on the restored package, run that script on " + path +
              ", or install libstdc++6 from GCC 13 or later."
            : " Check that the libtorch-cpu-linux-x64 2.10.0 libraries (libtorch_cpu.so, libc10.so) are next to it.";
        return $"LibTorch could not be loaded from {path}: {reason}.{fix}";
    }
}
