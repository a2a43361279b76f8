using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace NeuroNative.Backends.Cuda;

/// <summary>The CUDA driver and NVRTC are found at run time: <c>libcuda.so.1</c> (installed with the NVIDIA
/// driver) and the newest <c>libnvrtc.so.*</c> on the library path, <c>NEURONATIVE_NVRTC</c> (a path) first.
/// Without them the GPU backend is unavailable with a message naming what was looked for.</summary>
internal static class CudaLibraries
{
    public const string DriverName = "neuronative-cuda-driver";
    public const string NvrtcName = "neuronative-nvrtc";

    /// <summary>The NVRTC sonames tried, newest first (NVRTC's soname carries the CUDA major version).</summary>
    public static readonly IReadOnlyList<string> NvrtcCandidates = ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"];

    private static readonly Lock s_lock = new();
    private static IntPtr s_driver, s_nvrtc;
    private static string? s_nvrtcFile;

    /// <summary>Native.cs's resolver passes the GPU backend's logical library names here (one resolver per assembly).</summary>
    internal static IntPtr Resolve(string name) => name switch
    {
        DriverName => LoadDriver(),
        NvrtcName => LoadNvrtc(),
        _ => IntPtr.Zero,
    };

    /// <summary>The soname NVRTC was loaded from (after <see cref="LoadNvrtc"/>).</summary>
    public static string? NvrtcFile => s_nvrtcFile;

    /// <summary>Native's static constructor installs the assembly's one resolver, which these [LibraryImport]s need.</summary>
    public static void EnsureResolver() =>
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(Interop.Native).TypeHandle);

    public static IntPtr LoadDriver()
    {
        lock (s_lock)
        {
            if (s_driver != IntPtr.Zero) return s_driver;
            string file = Environment.GetEnvironmentVariable("NEURONATIVE_CUDA_DRIVER") is { Length: > 0 } env ? env : "libcuda.so.1";
            if (!NativeLibrary.TryLoad(file, out s_driver))
                throw new GpuUnavailableException($"the CUDA driver library '{file}' could not be loaded (it comes with the NVIDIA driver; " +
                    "is this a machine with an NVIDIA GPU?)");
            return s_driver;
        }
    }

    public static IntPtr LoadNvrtc()
    {
        lock (s_lock)
        {
            if (s_nvrtc != IntPtr.Zero) return s_nvrtc;
            s_nvrtc = LoadFirst(Candidates(Environment.GetEnvironmentVariable("NEURONATIVE_NVRTC")), out s_nvrtcFile);
            return s_nvrtc;
        }
    }

    /// <summary>The first of <paramref name="files"/> that loads; none: the exception lists them all.</summary>
    internal static IntPtr LoadFirst(IReadOnlyList<string> files, out string loaded)
    {
        foreach (string file in files)
        {
            if (!NativeLibrary.TryLoad(file, out IntPtr handle)) continue;
            loaded = file;
            return handle;
        }
        throw new GpuUnavailableException($"NVRTC (the CUDA runtime compiler) was not found: tried {string.Join(", ", files)}. " +
            "Install the CUDA toolkit's NVRTC library (e.g. the cuda-nvrtc package) or set NEURONATIVE_NVRTC to its path.");
    }

    /// <summary>The files tried for NVRTC: the explicit path, else the sonames newest first.</summary>
    internal static IReadOnlyList<string> Candidates(string? explicitPath) =>
        explicitPath is { Length: > 0 } ? [explicitPath] : NvrtcCandidates;

    /// <summary>A NUL-terminated C string owned by the library, as .NET text.</summary>
    internal static unsafe string Text(byte* s) => s == null ? "" : Marshal.PtrToStringUTF8((IntPtr)s) ?? "";

    /// <summary>The UTF-8 bytes of s with a terminating NUL.</summary>
    internal static byte[] Utf8z(string s) => Encoding.UTF8.GetBytes(s + "\0");
}
