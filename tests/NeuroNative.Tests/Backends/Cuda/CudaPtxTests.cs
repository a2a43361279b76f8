using System.Diagnostics;
using NeuroNative.Backends.Cpp;
using NeuroNative.Backends.Cuda;
using NeuroNative.Experiments;
using NeuroNative.Explorations;
using NeuroNative.Fitting;
using NeuroNative.Synapses;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using NeuroNative.Tests.Cli;
using NeuroNative.Tests.Interop;
using NeuroNative.Tests.Models;
using Xunit;

namespace NeuroNative.Tests.Backends.Cuda;

/// <summary>
/// The CUDA kernel of every reference model and example compiles to PTX with Debian's clang 14 and no CUDA
/// toolkit (the command: <c>clang-14 -x cuda --cuda-device-only -nocudainc -nocudalib --cuda-gpu-arch=sm_80
/// -I native/include -S</c>), in float64 and float32, so that a codegen regression fails CI on machines without a GPU.
/// Skipped only where clang-14 is absent (CI has it: build.sh deps installs it).
/// </summary>
public class CudaPtxTests
{
    /// <summary>Every model the project ships: the Brian 2 reference cases and the examples (experiments, each
    /// exploration of the exploration files, the fit file's model with its inputs, the synapse files' rigs).</summary>
    internal static IReadOnlyDictionary<string, StepProgram> Programs() => s_programs.Value;

    private static readonly Lazy<IReadOnlyDictionary<string, StepProgram>> s_programs = new(() =>
    {
        var programs = new SortedDictionary<string, StepProgram>(StringComparer.Ordinal);
        foreach (var s in ReferenceScenario.All())
            programs[s.Case] = IntegrationMethods.Derive(ModelAnalyzer.Analyze(s.Model), s.Dt);
        foreach (string file in Directory.GetFiles(Path.Combine(ConventionTests.RepoRoot(), "examples"), "*.yaml"))
        {
            string name = "examples/" + Path.GetFileNameWithoutExtension(file);
            string text = File.ReadAllText(file);
            if (ExplorationFile.IsExplorationFile(file))
            {
                var se = ExplorationFile.Load(file);
                foreach (var exploration in se.Explorations)
                    programs[$"{name}:{exploration.Name}"] = ExplorationRunner.Prepare(se, exploration).Item2.Program;
            }
            else if (text.Contains("\nfit:", StringComparison.Ordinal))
            {
                // A fit file: its model with the input traces as TimedArrays, as the fitter simulates it.
                var job = FitFile.Load(file);
                using var simulator = new BatchedTraceSimulator(job.Model, job.Input,
                    new SimulationSettings { Dt = job.Dt, Backend = Backend.Interpreted }, job.Output);
                programs[name] = IntegrationMethods.Derive(ModelAnalyzer.Analyze(simulator.Model), job.Dt);
            }
            else if (text.Contains("\ninfer:", StringComparison.Ordinal))
            {
                // An inference file: its model with the input traces, as the Inferencer simulates it.
                var job = NeuroNative.Inference.InferFile.Load(file);
                using var simulator = new BatchedTraceSimulator(job.Model, job.Input,
                    new SimulationSettings { Dt = job.Dt, Backend = Backend.Interpreted });
                programs[name] = IntegrationMethods.Derive(ModelAnalyzer.Analyze(simulator.Model), job.Dt);
            }
            else if (text.Contains("\nprotocol:", StringComparison.Ordinal))
            {
                // A synapse file: the rig's cell, synapse and clamp as SynapseExperiment.Load builds them.
                var e = SynapseExperiment.Load(file);
                using var rig = new SynapseRig(e.Cell, e.Synapse, e.Protocol.Kind == "gap" ? new CurrentClamp() : e.Clamp,
                    e.Settings.Dt, Backend.Interpreted);
                programs[name] = IntegrationMethods.Derive(ModelAnalyzer.Analyze(rig.Definition), e.Settings.Dt);
            }
            else
            {
                programs[name] = ExperimentFile.Load(file).Program;
            }
        }
        return programs;
    });

    public static IEnumerable<object[]> Cases() =>
        Programs().Keys.SelectMany(name => new[] { new object[] { name, "float64" }, new object[] { name, "float32" } });

    internal static string? Clang14()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "clang-14"))) return Path.Combine(dir, "clang-14");
        return null;
    }

    /// <summary>Compiles a translation unit with the clang-14 command (optionally more flags); returns the PTX.</summary>
    internal static string CompileToPtx(string code, params string[] extra)
    {
        string clang = Clang14()!;
        string dir = Directory.CreateTempSubdirectory("nn-ptx").FullName;
        try
        {
            string cu = Path.Combine(dir, "kernel.cu"), ptx = Path.Combine(dir, "kernel.ptx");
            File.WriteAllText(cu, code);
            var info = new ProcessStartInfo(clang) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string a in (string[])["-x", "cuda", "--cuda-device-only", "-nocudainc", "-nocudalib", "--cuda-gpu-arch=sm_80",
                         "-I", Path.Combine(ConventionTests.RepoRoot(), "native", "include"), "-S", .. extra, "-o", ptx, cu])
                info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"clang-14 failed ({process.ExitCode}):\n{stderr.Result}");
            return File.ReadAllText(ptx);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void GeneratedKernelCompilesToPtx(string model, string precision)
    {
        Skip.If(Clang14() is null, "clang-14 is not on the PATH (./build.sh deps installs it)");
        var source = CudaCodeGenerator.Generate(Programs()[model], precision == "float32" ? Precision.Float32 : Precision.Float64);
        string ptx = CompileToPtx(source.Code);
        Assert.Contains($".visible .entry {CudaCodeGenerator.KernelName}(", ptx);
        Assert.Contains(".target sm_80", ptx);
    }

    /// <summary>What NVRTC declares without any header (the CUDA math API, intrinsics, built-in variables), as far as
    /// the headers' NVRTC branches use it.</summary>
    private const string NvrtcDeclarations = """
        #define __device__ __attribute__((device))
        #define __global__ __attribute__((global))
        struct nn_dim { unsigned x, y, z; };
        extern const __device__ nn_dim blockIdx, blockDim, threadIdx;
        extern "C" __device__ double trunc(double); extern "C" __device__ double floor(double); extern "C" __device__ double fabs(double);
        extern "C" __device__ double fma(double, double, double); extern "C" __device__ float fmaf(float, float, float);
        extern "C" __device__ double __longlong_as_double(long long); extern "C" __device__ float __int_as_float(int);
        extern "C" __device__ void* memcpy(void*, const void*, unsigned long);
        __device__ unsigned long long atomicAdd(unsigned long long*, unsigned long long);
        #define NN_RTC_MATH(n) extern "C" __device__ double n(double); extern "C" __device__ float n##f(float);
        NN_RTC_MATH(log) NN_RTC_MATH(log10) NN_RTC_MATH(log1p) NN_RTC_MATH(sqrt) NN_RTC_MATH(sin) NN_RTC_MATH(cos) NN_RTC_MATH(tan)
        NN_RTC_MATH(sinh) NN_RTC_MATH(cosh) NN_RTC_MATH(tanh) NN_RTC_MATH(asin) NN_RTC_MATH(acos) NN_RTC_MATH(atan) NN_RTC_MATH(ceil) NN_RTC_MATH(expm1)
        extern "C" __device__ float truncf(float); extern "C" __device__ float floorf(float); extern "C" __device__ float fabsf(float);
        extern "C" __device__ double pow(double, double); extern "C" __device__ float powf(float, float);
        extern "C" __device__ double fmod(double, double); extern "C" __device__ float fmodf(float, float);
        extern "C" __device__ double copysign(double, double); extern "C" __device__ float copysignf(float, float);
        """;

    /// <summary>The headers' NVRTC branches (<c>__CUDACC_RTC__</c>: the CUDA math API for libm and the GCC builtins,
    /// <c>atomicAdd</c>, <c>blockIdx</c>) compiled by clang with NVRTC's implicit declarations and without
    /// <c>__clang__</c>, so that they are at least valid code before a GPU machine's NVRTC sees them.</summary>
    [SkippableTheory]
    [MemberData(nameof(Float64Cases))]
    public void NvrtcBranchesCompile(string model)
    {
        Skip.If(Clang14() is null, "clang-14 is not on the PATH (./build.sh deps installs it)");
        string dir = Directory.CreateTempSubdirectory("nn-rtc").FullName;
        try
        {
            string prelude = Path.Combine(dir, "nvrtc.h");
            File.WriteAllText(prelude, NvrtcDeclarations);
            var source = CudaCodeGenerator.Generate(Programs()[model], Precision.Float64);
            string ptx = CompileToPtx(source.Code, "-U__clang__", "-D__CUDACC_RTC__", "-D__CUDACC__", "-std=c++17", "-include", prelude);
            Assert.Contains($".visible .entry {CudaCodeGenerator.KernelName}(", ptx);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The HH kernels keep a thread's state, parameters and workspace in registers: their PTX at -O3 has no
    /// local memory (an array indexed at run time would put it there).</summary>
    [SkippableTheory]
    [InlineData("examples/hh_exploration", "float64")]
    [InlineData("examples/hh_exploration", "float32")]
    [InlineData("hh_fitting_tutorial", "float64")]
    public void HhKernelKeepsItsStateInRegisters(string model, string precision)
    {
        Skip.If(Clang14() is null, "clang-14 is not on the PATH (./build.sh deps installs it)");
        var source = CudaCodeGenerator.Generate(Programs()[model], precision == "float32" ? Precision.Float32 : Precision.Float64);
        string ptx = CompileToPtx(source.Code, "-O3");
        Assert.DoesNotContain("ld.local", ptx);
        Assert.DoesNotContain("st.local", ptx);
    }

    public static IEnumerable<object[]> Float64Cases() => Programs().Keys.Select(name => new object[] { name });

    [SkippableFact]
    public void CodegenCommandPrintsTheTranslationUnitThatClangCompiles()
    {
        Skip.If(Clang14() is null, "clang-14 is not on the PATH (./build.sh deps installs it)");
        string file = Path.Combine(ConventionTests.RepoRoot(), "examples", "hh_exploration.yaml");
        var (code, cuda, error) = CliHarness.Invoke("codegen", file, "--target", "cuda");
        Assert.True(code == 0, error);
        Assert.Equal(CudaCodeGenerator.Generate(ExperimentFile.Load(file).Program, Precision.Float64).Code, cuda);
        Assert.Contains(".visible .entry nn_gpu_run(", CompileToPtx(cuda));
    }
}
