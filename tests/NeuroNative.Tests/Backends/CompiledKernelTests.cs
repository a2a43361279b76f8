using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using NeuroNative.Backends.Cpp;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using NeuroNative.Tests.Models;
using NeuroNative.Tests.Simulation;
using Xunit;

namespace NeuroNative.Tests.Backends;

/// <summary>
/// The compiled backend's cache and failure modes: hits without recompiling, damaged or foreign
/// entries rebuilt (never loaded), a missing or failing compiler reported with its log (under Auto:
/// the interpreter and a warning), concurrent builds of one kernel.
/// </summary>
public class CompiledKernelTests
{
    /// <summary>One cache folder for the whole test run, so that reference cases compile once.</summary>
    private static readonly string SharedCache = Path.Combine(Path.GetTempPath(), $"neuronative-tests-{Environment.ProcessId}");

    internal static SimulationOptions Compiled => new() { Backend = Backend.Compiled, KernelCacheDirectory = SharedCache };

    internal static void SkipWithoutCompiler()
    {
        string? reason = null;
        try
        {
            HostCompiler.Find(null);
        }
        catch (KernelCompilationException e)
        {
            reason = e.Message;
        }
        Skip.If(reason is not null, $"the compiled backend needs a C++ compiler: {reason}");
    }

    private static string FreshCache() => Path.Combine(Path.GetTempPath(), $"neuronative-cache-{Guid.NewGuid():N}");

    private static NeuronGroup Group(string @case, SimulationOptions options) =>
        NativeReferenceTests.Build(ReferenceScenario.Get(@case), options);

    private static double[] FinalV(NeuronGroup group)
    {
        group.Run(0.01);
        return group.Get("v");
    }

    [SkippableFact]
    public void SecondGroupLoadsTheCachedKernelWithoutCompiling()
    {
        SkipWithoutCompiler();
        var options = Compiled with { KernelCacheDirectory = FreshCache() };
        using (var first = Group("lif_refractory_euler", options))
            Assert.Contains("compiled with", first.BackendReason);
        using var second = Group("lif_refractory_euler", options);
        Assert.Equal("compiled", second.BackendName);
        Assert.Contains("loaded from the cache", second.BackendReason);
        Assert.True(second.CompileSeconds < 0.1, $"cached start took {second.CompileSeconds} s");
        using var auto = Group("lif_refractory_euler", options with { Backend = Backend.Auto });
        Assert.Equal("compiled", auto.BackendName);
        Assert.StartsWith("auto: the kernel is in the cache", auto.BackendReason);
    }

    [SkippableFact]
    public void DamagedLibraryIsRebuiltNotLoaded()
    {
        SkipWithoutCompiler();
        var options = Compiled with { KernelCacheDirectory = FreshCache() };
        double[] expected;
        using (var first = Group("lif_refractory_euler", options)) expected = FinalV(first);
        string library = Directory.GetFiles(options.KernelCacheDirectory!, "*.so").Single();
        var bytes = File.ReadAllBytes(library);
        File.WriteAllBytes(library, bytes[..(bytes.Length / 2)]); // truncated, as by a crash mid-write
        using var second = Group("lif_refractory_euler", options);
        Assert.Contains("compiled with", second.BackendReason);
        Assert.Equal(expected, FinalV(second));
    }

    [SkippableFact]
    public void ForeignLibraryUnderTheKeyIsRejected()
    {
        SkipWithoutCompiler();
        var options = Compiled with { KernelCacheDirectory = FreshCache() };
        double[] expected;
        using (var lif = Group("lif_refractory_euler", options)) expected = FinalV(lif);
        string lifLibrary = Directory.GetFiles(options.KernelCacheDirectory!, "*.so").Single();
        using (Group("adex_dt0.1", options)) { }
        string adexLibrary = Directory.GetFiles(options.KernelCacheDirectory!, "*.so").Single(f => f != lifLibrary);
        // Another model's library with a consistent sidecar: only the library's own model hash tells.
        File.Copy(adexLibrary, lifLibrary, overwrite: true);
        string key = Path.GetFileNameWithoutExtension(lifLibrary);
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(lifLibrary)));
        File.WriteAllText(Path.ChangeExtension(lifLibrary, ".sha256"), $"{sha} {new FileInfo(lifLibrary).Length} {key}\n");

        using var again = Group("lif_refractory_euler", options);
        Assert.Equal("compiled", again.BackendName);
        Assert.Equal(expected, FinalV(again));
    }

    [Fact]
    public void MissingCompilerIsAClearErrorOrTheInterpreterUnderAuto()
    {
        var options = new SimulationOptions
        {
            Backend = Backend.Compiled, Compiler = "/nonexistent/c++", KernelCacheDirectory = FreshCache(), ExpectedDuration = 100,
        };
        var e = Assert.Throws<KernelCompilationException>(() => Group("lif_refractory_euler", options));
        Assert.Contains("/nonexistent/c++", e.Message);
        using var auto = Group("lif_refractory_euler", options with { Backend = Backend.Auto });
        Assert.Equal("interpreted", auto.BackendName);
        Assert.Contains("unavailable", auto.BackendReason);
        Assert.Contains("/nonexistent/c++", auto.BackendWarning);
    }

    [SkippableFact]
    public void CompilerErrorCarriesTheCompilerLog()
    {
        Skip.If(OperatingSystem.IsWindows(), "the fake compiler is a shell script");
        string dir = FreshCache();
        Directory.CreateDirectory(dir);
        string fake = Path.Combine(dir, "fake-c++");
        File.WriteAllText(fake, "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'fake 1.0'; exit 0; fi\necho 'kernel.cpp:1:1: error: boom' >&2\nexit 1\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var options = new SimulationOptions { Backend = Backend.Compiled, Compiler = fake, KernelCacheDirectory = dir };
        var e = Assert.Throws<KernelCompilationException>(() => Group("lif_refractory_euler", options));
        Assert.Contains("error: boom", e.Message);
        Assert.Contains("exited with code 1", e.Message);
        Assert.Empty(Directory.GetFiles(dir, "*.so"));
    }

    [SkippableFact]
    public void ConcurrentBuildsOfOneKernelShareOneLibrary()
    {
        SkipWithoutCompiler();
        var options = Compiled with { KernelCacheDirectory = FreshCache() };
        var results = new double[2][];
        Parallel.For(0, 2, k =>
        {
            using var group = Group("adex_dt0.1", options);
            results[k] = FinalV(group);
        });
        Assert.Equal(results[0], results[1]);
        Assert.Single(Directory.GetFiles(options.KernelCacheDirectory!, "*.so"));
        Assert.Empty(Directory.GetFiles(options.KernelCacheDirectory!, "*.tmp-*"));
    }

    [Fact]
    public void GeneratedCodeInlinesTheRightHandSideIntoTheSharedTemplates()
    {
        var program = IntegrationMethods.Derive(ModelAnalyzer.Analyze(ReferenceScenario.Get("hh_exploration_small").Model));
        var source = CppCodeGenerator.Generate(program, Precision.Float64);
        Assert.Contains("nn::exponential_euler_step(rhs, a);", source.Code);
        Assert.Contains("nn::exp(", source.Code);
        Assert.Contains($"return \"{source.ModelHash}\";", source.Code);
        Assert.NotEqual(source.ModelHash, CppCodeGenerator.Generate(program, Precision.Float32).ModelHash);
    }

    [SkippableFact]
    public void CacheKeyNamesTheHostCpu()
    {
        SkipWithoutCompiler();
        var program = IntegrationMethods.Derive(ModelAnalyzer.Analyze(ReferenceScenario.Get("lif_refractory_exact").Model));
        var source = CppCodeGenerator.Generate(program, Precision.Float64);
        var compiler = HostCompiler.Find(null);
        string include = HostCompiler.IncludeDirectory();
        string here = KernelCache.Key(source, compiler, include, HostCpu.Identity);
        Assert.Equal(here, KernelCache.Key(source, compiler, include, HostCpu.Identity));
        // Another CPU (one more feature bit, say) never finds this machine's -march=native kernel.
        Assert.NotEqual(here, KernelCache.Key(source, compiler, include, HostCpu.Identity + " avx512fp16"));
    }

    [Fact]
    public void HostCpuIdentityHoldsTheCpuidFeatureWords()
    {
        if (!X86Base.IsSupported)
        {
            Assert.StartsWith(RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), HostCpu.Identity);
            return;
        }
        string[] fields = HostCpu.Identity.Split(' ');
        Assert.Equal("cpuid", fields[1]);
        // Words: vendor (3), then leaf 1's signature, ECX, EDX; ECX bit 20 is SSE4.2, bit 28 AVX.
        uint ecx1 = Convert.ToUInt32(fields[2 + 4], 16);
        Assert.Equal(Sse42.IsSupported, (ecx1 & (1u << 20)) != 0);
        Assert.Equal(Avx.IsSupported, (ecx1 & (1u << 28)) != 0);
    }
}
