using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using NeuroNative.Experiments;
using static NeuroNative.Backends.Cuda.NvrtcMethods;

namespace NeuroNative.Backends.Cuda;

/// <summary>
/// Compiles a generated CUDA translation unit with NVRTC to a CUBIN for one architecture, the package's headers
/// (neuronative/*.hpp, kernel_abi.h) handed over by name. Options: C++17, no FMA contraction (--fmad=false: the
/// shared numerics round every operation like the CPU backends; the explicit nn::detail::fma stays fused).
/// </summary>
internal static unsafe class Nvrtc
{
    /// <summary>NVRTC's fixed-width integers when it has no &lt;stdint.h&gt; of its own (the headers only need these).</summary>
    internal const string StdintHeader = """
        #pragma once
        typedef signed char int8_t; typedef short int16_t; typedef int int32_t; typedef long long int64_t;
        typedef unsigned char uint8_t; typedef unsigned short uint16_t; typedef unsigned int uint32_t; typedef unsigned long long uint64_t;
        #define INT32_MIN (-2147483647 - 1)
        #define INT32_MAX 2147483647
        #define INT64_MIN (-9223372036854775807LL - 1)
        #define INT64_MAX 9223372036854775807LL
        #define UINT64_MAX 18446744073709551615ULL
        """;

    public static void Check(nvrtcResult result, string call)
    {
        if (result != nvrtcResult.NVRTC_SUCCESS) throw new CudaException($"{call} failed: {Describe(result)}", (int)result);
    }

    /// <summary>"NVRTC_ERROR_COMPILATION (6)", with NVRTC's own text where the library is loaded.</summary>
    public static string Describe(nvrtcResult result)
    {
        string name = Enum.IsDefined(result) ? result.ToString() : $"nvrtcResult {(int)result}";
        try
        {
            return $"{name} ({CudaLibraries.Text(nvrtcGetErrorString(result))})";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or GpuUnavailableException)
        {
            return $"{name} ({(int)result})";
        }
    }

    /// <summary>"13.0": part of the cache key.</summary>
    public static string Version()
    {
        CudaLibraries.EnsureResolver();
        CudaLibraries.LoadNvrtc();
        int major, minor;
        Check(nvrtcVersion(&major, &minor), "nvrtcVersion");
        return $"{major}.{minor}";
    }

    /// <summary>The compile options for sm_<paramref name="arch"/> (part of the cache key).</summary>
    public static string[] Options(int arch) => [$"--gpu-architecture=sm_{arch}", "-std=c++17", "--fmad=false", "-default-device"];

    /// <summary>The headers NVRTC gets: every file under the include directory by its relative name, and stdint.h.</summary>
    public static IReadOnlyList<(string Name, string Text)> Headers(string includeDirectory) =>
    [
        .. Directory.GetFiles(includeDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(includeDirectory, f).Replace('\\', '/'), File.ReadAllText(f))),
        ("stdint.h", StdintHeader),
    ];

    /// <summary>The CUBIN of the kernel; a failed compile throws <see cref="KernelCompilationException"/> with NVRTC's log.</summary>
    public static byte[] Compile(string code, string name, IReadOnlyList<(string Name, string Text)> headers, IReadOnlyList<string> options)
    {
        CudaLibraries.EnsureResolver();
        CudaLibraries.LoadNvrtc();
        var pinned = new List<System.Runtime.InteropServices.GCHandle>();
        byte* Pin(string s)
        {
            var h = System.Runtime.InteropServices.GCHandle.Alloc(CudaLibraries.Utf8z(s), System.Runtime.InteropServices.GCHandleType.Pinned);
            pinned.Add(h);
            return (byte*)h.AddrOfPinnedObject();
        }
        IntPtr program = IntPtr.Zero;
        try
        {
            var contents = stackalloc byte*[headers.Count];
            var names = stackalloc byte*[headers.Count];
            for (int k = 0; k < headers.Count; k++)
            {
                contents[k] = Pin(headers[k].Text);
                names[k] = Pin(headers[k].Name);
            }
            Check(nvrtcCreateProgram(&program, Pin(code), Pin(name), headers.Count, contents, names), "nvrtcCreateProgram");
            var opts = stackalloc byte*[options.Count];
            for (int k = 0; k < options.Count; k++) opts[k] = Pin(options[k]);
            var result = nvrtcCompileProgram(program, options.Count, opts);
            nuint logSize;
            Check(nvrtcGetProgramLogSize(program, &logSize), "nvrtcGetProgramLogSize");
            var log = new byte[(int)logSize + 1];
            fixed (byte* l = log) Check(nvrtcGetProgramLog(program, l), "nvrtcGetProgramLog");
            if (result == nvrtcResult.NVRTC_ERROR_COMPILATION)
                throw new KernelCompilationException($"NVRTC could not compile {name} ({string.Join(' ', options)}):\n" +
                    Encoding.UTF8.GetString(log).TrimEnd('\0'));
            Check(result, "nvrtcCompileProgram");
            nuint size;
            Check(nvrtcGetCUBINSize(program, &size), "nvrtcGetCUBINSize");
            var cubin = new byte[(int)size];
            fixed (byte* c = cubin) Check(nvrtcGetCUBIN(program, c), "nvrtcGetCUBIN");
            return cubin;
        }
        finally
        {
            if (program != IntPtr.Zero) nvrtcDestroyProgram(&program);
            foreach (var h in pinned) h.Free();
        }
    }
}

/// <summary>
/// Compiled GPU kernels, by a key over everything the CUBIN depends on: the source, the headers, the
/// architecture, the NVRTC version and options. Kept in memory for the process and on disk as
/// <c>gpu/KEY.cubin</c> beside the compiled backend's kernels (written to a temporary name and renamed, so
/// a reader sees a whole file or none), with <c>KEY.sha256</c> checked before use.
/// </summary>
internal sealed class GpuKernelCache(string directory)
{
    private static readonly ConcurrentDictionary<string, byte[]> s_memory = new();

    public string Directory { get; } = Path.Combine(directory, "gpu");

    public static string Key(string code, IReadOnlyList<(string Name, string Text)> headers, int arch, string nvrtcVersion, IReadOnlyList<string> options)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => sha.AppendData(Encoding.UTF8.GetBytes(s + "\n\0"));
        Add($"sm_{arch}");
        Add($"nvrtc {nvrtcVersion}");
        Add(string.Join(' ', options));
        foreach (var (name, text) in headers)
        {
            Add(name);
            Add(text);
        }
        Add(code);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The image under the key, compiled by <paramref name="compile"/> on a miss; <c>Cached</c>: no compile happened.</summary>
    public (byte[] Image, bool Cached) GetOrCompile(string key, Func<byte[]> compile)
    {
        if (s_memory.TryGetValue(key, out var image)) return (image, true);
        string file = Path.Combine(Directory, key + ".cubin"), sidecar = Path.Combine(Directory, key + ".sha256");
        try
        {
            if (File.Exists(file) && File.Exists(sidecar))
            {
                var bytes = File.ReadAllBytes(file);
                if (File.ReadAllText(sidecar).Trim() == Convert.ToHexStringLower(SHA256.HashData(bytes)))
                    return (s_memory.GetOrAdd(key, bytes), true);
            }
        }
        catch (IOException)
        {
            // unreadable entry: compiled again below and replaced
        }
        image = compile();
        System.IO.Directory.CreateDirectory(Directory);
        string tmp = $".{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        ExperimentOutput.WriteAtomically(file, file + tmp, s => s.Write(image));
        ExperimentOutput.WriteAtomically(sidecar, sidecar + tmp, s => s.Write(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(image)) + "\n")));
        return (s_memory.GetOrAdd(key, image), false);
    }

    /// <summary>Forgets the in-memory entries (tests of the disk cache).</summary>
    internal static void ClearMemory() => s_memory.Clear();
}
