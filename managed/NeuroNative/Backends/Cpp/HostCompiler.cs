using System.Runtime.Intrinsics.X86;
using System.Collections.Concurrent;

namespace NeuroNative.Backends.Cpp;

/// <summary>
/// The C++ compiler of this machine that builds compiled kernels: <c>CXX</c> (or an explicit path),
/// else the first of clang++-14, clang++, g++ on the PATH. Kernels are optimised for the host CPU
/// without -ffast-math and without FMA contraction, so that they compute what the interpreter does.
/// </summary>
internal sealed class HostCompiler
{
    private static readonly string[] Candidates = ["clang++-14", "clang++", "g++"];
    private static readonly ConcurrentDictionary<string, HostCompiler> s_identified = new();

    private HostCompiler(string path, string version)
    {
        ExecutablePath = path;
        Version = version;
        IsClang = version.Contains("clang", StringComparison.OrdinalIgnoreCase);
    }

    public string ExecutablePath { get; }
    /// <summary>The compiler's <c>--version</c> output (part of the cache key).</summary>
    public string Version { get; }
    public bool IsClang { get; }

    /// <summary>Code-generation flags (part of the cache key), then the vectorisation report's.</summary>
    public IReadOnlyList<string> Flags =>
    [
        "-std=c++20", "-O3", "-march=native", "-fno-math-errno", "-ffp-contract=off", "-fPIC", "-shared",
        "-fvisibility=hidden", "-fopenmp-simd", .. VectorWidth,
        .. IsClang ? new[] { "-Rpass=loop-vectorize", "-Rpass-missed=loop-vectorize" } : ["-fopt-info-vec-optimized"],
    ];

    /// <summary>On AVX-512 hosts, 512-bit vectors (and 16 float lanes): the compilers' default of 256 bits for
    /// CPUs they do not know leaves half of a full-width FMA unit idle (the seed-000 HH kernel: +10-25 % on a
    /// 5th-generation Xeon, neutral on Zen 4). Lanes are independent, so results do not change.</summary>
    private static string[] VectorWidth => Avx512F.IsSupported ? ["-mprefer-vector-width=512", "-DNN_FLOAT_SIMDLEN=16"] : [];

    /// <summary>Finds and identifies the compiler (once per process and path).</summary>
    /// <param name="requested">A path or command name; null: <c>CXX</c>, else the candidates.</param>
    public static HostCompiler Find(string? requested)
    {
        string? chosen = requested ?? NullIfEmpty(Environment.GetEnvironmentVariable("CXX"));
        string path;
        if (chosen is not null)
        {
            path = Resolve(chosen) ?? throw new KernelCompilationException(
                $"the C++ compiler '{chosen}' ({(requested is not null ? "SimulationOptions.Compiler" : "from CXX")}) was not found");
        }
        else
        {
            path = Candidates.Select(Resolve).FirstOrDefault(p => p is not null) ?? throw new KernelCompilationException(
                $"no C++ compiler found (looked for {string.Join(", ", Candidates)} on the PATH; set CXX to choose one)");
        }
        return s_identified.GetOrAdd(path, p =>
        {
            var (code, output) = RunProcess(p, ["--version"]);
            if (code != 0) throw new KernelCompilationException($"the C++ compiler '{p}' failed to run (--version, exit code {code}):\n{output}");
            return new HostCompiler(p, output.Trim());
        });
    }

    /// <summary>Builds <paramref name="sourceFile"/> into the shared library <paramref name="output"/>;
    /// returns the compiler's log (warnings and the vectorisation report).</summary>
    public string Compile(string sourceFile, string output, string includeDirectory)
    {
        var args = new List<string>(Flags) { "-I", includeDirectory, "-o", output, sourceFile };
        var (code, log) = RunProcess(ExecutablePath, args);
        if (code != 0)
            throw new KernelCompilationException(
                $"compiling the kernel {sourceFile} failed ({ExecutablePath} exited with code {code}):\n{log}");
        return log;
    }

    /// <summary>The shared headers of the integrator templates: <c>NEURONATIVE_INCLUDE</c>, else the
    /// include/ folder the build puts next to the assembly, else the one a NuGet package puts beside
    /// the native library (runtimes/&lt;rid&gt;/native/include).</summary>
    public static string IncludeDirectory()
    {
        string? env = NullIfEmpty(Environment.GetEnvironmentVariable("NEURONATIVE_INCLUDE"));
        string assemblyDir = Path.GetDirectoryName(typeof(HostCompiler).Assembly.Location) ?? AppContext.BaseDirectory;
        string[] candidates = env is not null
            ? [env]
            : [Path.Combine(assemblyDir, "include"), Path.Combine(assemblyDir, "runtimes", Interop.Native.PortableRid, "native", "include")];
        foreach (var dir in candidates)
            if (File.Exists(Path.Combine(dir, "neuronative", "kernel.hpp"))) return dir;
        throw new KernelCompilationException(
            $"the NeuroNative headers are missing: no neuronative/kernel.hpp in {string.Join(" or ", candidates)} " +
            (env is not null ? "(NEURONATIVE_INCLUDE)" : "(the build copies native/include next to the assembly; set NEURONATIVE_INCLUDE to point elsewhere)"));
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static string? Resolve(string command)
    {
        if (command.Contains(Path.DirectorySeparatorChar) || command.Contains(Path.AltDirectorySeparatorChar))
            return File.Exists(command) ? Path.GetFullPath(command) : null;
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, command);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static (int ExitCode, string Output) RunProcess(string file, IEnumerable<string> args)
    {
        try
        {
            return ChildProcess.Run(file, args);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new KernelCompilationException($"cannot run the C++ compiler '{file}': {e.Message}");
        }
    }
}
