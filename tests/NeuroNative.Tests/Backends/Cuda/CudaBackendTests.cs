using System.Runtime.InteropServices;
using NeuroNative.Backends.Cuda;
using NeuroNative.Tests.Cli;
using NeuroNative.Tests.Interop;
using NeuroNative.Tests.Models;
using Xunit;

namespace NeuroNative.Tests.Backends.Cuda;

/// <summary>The GPU backend's points that need no GPU: loading the CUDA libraries and its failures, statuses by
/// name, the kernel argument layout, cache keys and the disk cache, the event buffer's overflow plan.</summary>
public class CudaBackendTests
{
    private static bool DriverPresent()
    {
        if (!NativeLibrary.TryLoad("libcuda.so.1", out IntPtr h)) return false;
        NativeLibrary.Free(h);
        return true;
    }

    [SkippableFact]
    public void CudaBackendWithoutTheDriverFailsWithTheReason()
    {
        Skip.If(DriverPresent(), "this machine has the CUDA driver");
        var model = ReferenceScenario.Get("lif_refractory_euler").Model;
        var e = Assert.Throws<GpuUnavailableException>(() => CompiledModel.Compile(model, new CompileOptions { Backend = Backend.Cuda }));
        Assert.Contains("libcuda.so.1", e.Message);
        Assert.Contains("NVIDIA", e.Message);
    }

    [SkippableFact]
    public void CliBackendCudaWithoutTheDriverSaysSo()
    {
        Skip.If(DriverPresent(), "this machine has the CUDA driver");
        using var h = new CliHarness();
        string file = Path.Combine(ConventionTests.RepoRoot(), "examples", "hh_exploration.yaml");
        var (code, _, error) = CliHarness.Invoke("run", file, "--out", h.Path("out"), "--backend", "cuda");
        Assert.Equal(NeuroNative.Cli.CliApp.ExitRuntimeError, code);
        Assert.Contains("libcuda.so.1", error);
        Assert.DoesNotContain("internal error", error);
    }

    [Fact]
    public void AutoStaysOnTheCpu()
    {
        var model = ReferenceScenario.Get("lif_refractory_euler").Model;
        using var compiled = CompiledModel.Compile(model, new CompileOptions { Backend = Backend.Auto, ExpectedNeuronSteps = 1e12 });
        Assert.Contains(compiled.BackendName, new[] { "interpreted", "compiled" });
        Assert.DoesNotContain("CUDA", compiled.BackendWarning ?? "", StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void NvrtcIsLookedForNewestFirstOrWhereTheVariableSays()
    {
        Assert.Equal(["libnvrtc.so.13", "libnvrtc.so.12"], CudaLibraries.Candidates(null).Take(2));
        Assert.Equal(["/opt/cuda/lib64/libnvrtc.so.13"], CudaLibraries.Candidates("/opt/cuda/lib64/libnvrtc.so.13"));
        var e = Assert.Throws<GpuUnavailableException>(() => CudaLibraries.LoadFirst(["/nonexistent/libnvrtc.so.99", "libnvrtc-missing.so.1"], out _));
        Assert.Contains("/nonexistent/libnvrtc.so.99, libnvrtc-missing.so.1", e.Message);
        Assert.Contains("NEURONATIVE_NVRTC", e.Message);
    }

    [Fact]
    public void StatusesAreReportedByName()
    {
        var e = Assert.Throws<CudaException>(() => CudaDevice.Check(CUresult.CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc(8 bytes)"));
        Assert.StartsWith("cuMemAlloc(8 bytes) failed: CUDA_ERROR_OUT_OF_MEMORY", e.Message);
        Assert.Equal(2, e.StatusCode);
        Assert.StartsWith("CUresult 12345", CudaDevice.Describe((CUresult)12345)[..14]);
        var n = Assert.Throws<CudaException>(() => Nvrtc.Check(nvrtcResult.NVRTC_ERROR_INVALID_OPTION, "nvrtcCompileProgram"));
        Assert.StartsWith("nvrtcCompileProgram failed: NVRTC_ERROR_INVALID_OPTION", n.Message);
        CudaDevice.Check(CUresult.CUDA_SUCCESS, "cuInit");
    }

    [Fact]
    public void KernelArgumentsHaveTheLayoutOfTheHeader()
    {
        // native/include/neuronative/gpu.hpp static_asserts the same offsets (compiled by CudaPtxTests and the emulation).
        Assert.Equal(GpuArgs.Size, Marshal.SizeOf<GpuArgs>());
        Assert.Equal(112, (int)Marshal.OffsetOf<GpuArgs>(nameof(GpuArgs.N)));
        Assert.Equal(152, (int)Marshal.OffsetOf<GpuArgs>(nameof(GpuArgs.K0)));
        Assert.Equal(168, (int)Marshal.OffsetOf<GpuArgs>(nameof(GpuArgs.Seed)));
        Assert.Equal(192, (int)Marshal.OffsetOf<GpuArgs>(nameof(GpuArgs.NOperations)));
        Assert.Equal(GpuReducerDesc.Size, Marshal.SizeOf<GpuReducerDesc>());
        Assert.Equal(56, (int)Marshal.OffsetOf<GpuReducerDesc>(nameof(GpuReducerDesc.Acc)));
        Assert.Equal(40, Marshal.SizeOf<GpuInput>());
        Assert.Equal(16, Marshal.SizeOf<GpuOperation>());
    }

    [Fact]
    public void CacheKeyCoversSourceHeadersArchitectureAndNvrtc()
    {
        (string, string)[] headers = [("neuronative/gpu.hpp", "a"), ("stdint.h", "b")];
        string[] options = Nvrtc.Options(90);
        string key = GpuKernelCache.Key("code", headers, 90, "13.0", options);
        Assert.Equal(key, GpuKernelCache.Key("code", headers, 90, "13.0", options));
        Assert.NotEqual(key, GpuKernelCache.Key("code2", headers, 90, "13.0", options));
        Assert.NotEqual(key, GpuKernelCache.Key("code", [("neuronative/gpu.hpp", "a2"), ("stdint.h", "b")], 90, "13.0", options));
        Assert.NotEqual(key, GpuKernelCache.Key("code", headers, 80, "13.0", Nvrtc.Options(90)));
        Assert.NotEqual(key, GpuKernelCache.Key("code", headers, 90, "12.8", options));
        Assert.NotEqual(key, GpuKernelCache.Key("code", headers, 90, "13.0", Nvrtc.Options(80)));
        Assert.Contains("--fmad=false", options);
        Assert.Contains("--gpu-architecture=sm_90", options);
    }

    [Fact]
    public void DiskCacheServesWholeImagesAndRecompilesDamagedOnes()
    {
        string dir = Directory.CreateTempSubdirectory("nn-gpu-cache").FullName;
        try
        {
            var cache = new GpuKernelCache(dir);
            string key = GpuKernelCache.Key(Guid.NewGuid().ToString(), [], 90, "13.0", Nvrtc.Options(90));
            int compiles = 0;
            byte[] Compile() { compiles++; return [1, 2, 3, (byte)compiles]; }
            var (first, cached) = cache.GetOrCompile(key, Compile);
            Assert.False(cached);
            Assert.Equal(1, compiles);
            Assert.True(cache.GetOrCompile(key, Compile).Cached); // memory
            GpuKernelCache.ClearMemory();
            var (again, fromDisk) = cache.GetOrCompile(key, Compile);
            Assert.True(fromDisk);
            Assert.Equal(first, again);
            GpuKernelCache.ClearMemory();
            File.WriteAllBytes(Path.Combine(cache.Directory, key + ".cubin"), [1, 2]); // truncated
            var (rebuilt, hit) = cache.GetOrCompile(key, Compile);
            Assert.False(hit);
            Assert.Equal(2, compiles);
            Assert.Equal([1, 2, 3, 2], rebuilt);
            Assert.Empty(Directory.GetFiles(cache.Directory, "*.tmp"));
        }
        finally
        {
            GpuKernelCache.ClearMemory();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void EventBufferOverflowGrowsToTheCountAndRunsAgain()
    {
        Assert.Equal(new EventBufferPlan(true, 16), EventBufferPlan.After(16, 16));
        Assert.Equal(new EventBufferPlan(true, 16), EventBufferPlan.After(0, 16));
        Assert.Equal(new EventBufferPlan(false, 32), EventBufferPlan.After(17, 16));
        Assert.Equal(new EventBufferPlan(false, 1L << 20), EventBufferPlan.After((1 << 19) + 1, 4));
        Assert.Throws<InvalidOperationException>(() => EventBufferPlan.After(-1, 4));
        Assert.Throws<InvalidOperationException>(() => EventBufferPlan.After(1L << 40, 4));
    }
}
