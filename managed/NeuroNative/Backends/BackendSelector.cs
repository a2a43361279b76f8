using System.Diagnostics;
using System.Globalization;
using NeuroNative.Backends.Cpp;
using NeuroNative.Backends.Interpreter;
using NeuroNative.Interop;
using NeuroNative.Models.Integrators;

namespace NeuroNative.Backends;

/// <summary>The native model of a compiled model and how it came about (<see cref="Backend"/> resolved).</summary>
internal sealed record BackendChoice(ModelHandle Model, string Name, string Reason, string? Warning, double CompileSeconds);

/// <summary>
/// Chooses between the interpreter and a compiled kernel and creates the native model:
/// generate C++, look it up in the kernel cache (compiling on a miss), load it. Under
/// <see cref="Backend.Auto"/> a kernel is compiled only when the expected work pays for the compile
/// (or the cache already holds it); a missing or failing compiler then falls back to the interpreter
/// with a warning, where <see cref="Backend.Compiled"/> throws <see cref="KernelCompilationException"/>.
/// </summary>
internal static class BackendSelector
{
    // Rough throughputs per thread (HH, neuron-steps/s) and the cost of a cold compile, for Auto.
    private const double InterpretedRate = 2.5e7, CompiledRate = 1e8, CompileSeconds = 2.0;

    public static BackendChoice Create(StepProgram program, CompileOptions options)
    {
        if (options.Backend == Backend.Cuda)
        {
            // GpuUnavailableException where there is no GPU; the runs of a native model stay on the CPU.
            string gpu = Cuda.GpuAvailability.Require();
            throw new NotSupportedException($"the GPU ({gpu}) runs groups through GpuSimulation (docs/gpu.md); " +
                "experiments, fits and NeuronGroup.Run do not run on it yet: use --backend auto, compiled or interpreted");
        }
        if (options.Backend == Backend.Interpreted)
        {
            if (options.Precision != Precision.Float64)
                throw new ArgumentException("float32 precision needs the compiled backend (the interpreter computes in float64)", nameof(options));
            return Interpreted(program, "requested", null);
        }
        bool auto = options.Backend == Backend.Auto;
        try
        {
            var compiler = HostCompiler.Find(options.Compiler);
            string include = HostCompiler.IncludeDirectory();
            var source = CppCodeGenerator.Generate(program, options.Precision);
            var cache = new KernelCache(options.KernelCacheDirectory ?? KernelCache.DefaultDirectory());
            string key = KernelCache.Key(source, compiler, include, HostCpu.Identity);
            bool cached = !options.ForceRebuild && cache.IsValid(key);
            string reason;
            if (!auto) reason = "requested";
            else if (cached) reason = "auto: the kernel is in the cache";
            else if (!PaysForCompile(options, out reason))
                return Interpreted(program, reason, null);

            // The kernel library holds the code: the description only says which sections exist.
            var description = BytecodeCompiler.Compile(program, withCode: false) with { ModelHash = source.ModelHash };
            var watch = Stopwatch.StartNew();
            var (library, built) = cache.GetOrBuild(key, source, compiler, include, options.ForceRebuild);
            ModelHandle model;
            try
            {
                model = Native.ModelCreate(description, (library, source.ModelHash));
            }
            catch (KernelCompilationException) when (!built)
            {
                // A cached library that is whole but not this model's kernel (copied in, or of another
                // kernel ABI): rebuilt, never used.
                (library, _) = cache.GetOrBuild(key, source, compiler, include, rebuild: true);
                model = Native.ModelCreate(description, (library, source.ModelHash));
            }
            string how = built ? $"compiled with {Path.GetFileName(compiler.ExecutablePath)}" : "loaded from the cache";
            return new BackendChoice(model, "compiled", $"{reason}; {how} ({library})", null, watch.Elapsed.TotalSeconds);
        }
        catch (KernelCompilationException e) when (auto)
        {
            return Interpreted(program, "auto: the compiled backend is unavailable, using the interpreter", e.Message);
        }
    }

    /// <summary>The interpreter's model; its hash is the float64 kernel's, which computes the same numbers
    /// (so a snapshot moves between the two backends).</summary>
    private static BackendChoice Interpreted(StepProgram program, string reason, string? warning)
    {
        var description = BytecodeCompiler.Compile(program) with
        {
            ModelHash = CppCodeGenerator.Generate(program, Precision.Float64).ModelHash,
        };
        return new(Native.ModelCreate(description), "interpreted", reason, warning, 0);
    }

    /// <summary>Whether compiling is expected to finish the run sooner than interpreting it.</summary>
    private static bool PaysForCompile(CompileOptions options, out string reason)
    {
        if (options.ExpectedNeuronSteps is not { } work)
        {
            reason = "auto: the amount of work is unknown (CompileOptions.ExpectedNeuronSteps) and the kernel is not cached";
            return false;
        }
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        double interpreted = work / (InterpretedRate * threads), compiled = CompileSeconds + work / (CompiledRate * threads);
        bool pays = compiled < interpreted;
        reason = string.Create(CultureInfo.InvariantCulture,
            $"auto: {work:0.##e+00} neuron-steps, estimated {interpreted:0.##} s interpreted vs {compiled:0.##} s compiled including the compile");
        if (!pays) reason += " (too short to pay for compiling)";
        return pays;
    }
}
