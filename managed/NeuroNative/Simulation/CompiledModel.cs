using NeuroNative.Backends;
using NeuroNative.Backends.Cpp;
using NeuroNative.Interop;
using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;

namespace NeuroNative;

/// <summary>How a model is compiled: which backend, in which precision, with which compiler and cache.</summary>
public sealed record CompileOptions
{
    public Backend Backend { get; init; } = Backend.Auto;
    /// <summary>Arithmetic of the compiled backend's right-hand sides (Float32 needs the compiled backend).</summary>
    public Precision Precision { get; init; } = Precision.Float64;
    /// <summary>Neuron-steps the model will be run for in all (neurons × steps × runs): lets
    /// <see cref="Backend.Auto"/> weigh the compile. Null: unknown (Auto compiles only on a cache hit).</summary>
    public double? ExpectedNeuronSteps { get; init; }
    /// <summary>The time step of the groups, when known: with TimedArrays it decides whether 'exact' applies (Brian's
    /// choice at run time); a group of another dt is refused if its TimedArrays then change within a step.</summary>
    public double? Dt { get; init; }
    /// <summary>Threads the runs will use (0: all), for the same estimate.</summary>
    public int Threads { get; init; }
    /// <summary>Where compiled kernels are cached; null: NEURONATIVE_CACHE, XDG_CACHE_HOME/neuronative or ~/.cache/neuronative.</summary>
    public string? KernelCacheDirectory { get; init; }
    /// <summary>The C++ compiler (path or command); null: CXX, else clang++-14, clang++ or g++ from the PATH.</summary>
    public string? Compiler { get; init; }
    /// <summary>Compile the kernel even when the cache holds it.</summary>
    public bool ForceRebuild { get; init; }
}

/// <summary>
/// How one group of a compiled model is simulated: <see cref="Dt"/> in seconds (Brian's default 0.1 ms),
/// the seed, threads (0: all hardware threads), and which slice of a larger population it is:
/// neuron j of the group is neuron <see cref="FirstNeuron"/> + j of a population of
/// <see cref="TotalNeurons"/> (0: just the group), with that neuron's <c>i</c>, <c>N</c> and random numbers.
/// </summary>
public sealed record GroupOptions
{
    public double Dt { get; init; } = 1e-4;
    public ulong Seed { get; init; }
    public int Threads { get; init; }
    public long FirstNeuron { get; init; }
    public long TotalNeurons { get; init; }
}

/// <summary>
/// A model analysed, integrated and built into a native kernel once (interpreter bytecode or a
/// compiled library), immutable, from which any number of <see cref="NeuronGroup"/>s are created
/// cheaply: no analysis, no compile and no kernel validation after the first time.
/// </summary>
public sealed class CompiledModel : IDisposable
{
    private readonly ModelHandle _handle;

    private CompiledModel(StepProgram program, CompileOptions options)
    {
        Program = program;
        Options = options;
        var choice = BackendSelector.Create(program, options);
        _handle = choice.Model;
        BackendName = choice.Name;
        BackendReason = choice.Reason;
        BackendWarning = choice.Warning;
        CompileSeconds = choice.CompileSeconds;
    }

    /// <summary>Analyses the model (a <see cref="ModelException"/> names what is wrong), derives its step
    /// program and builds the kernel.</summary>
    public static CompiledModel Compile(ModelDefinition model, CompileOptions? options = null) =>
        new(IntegrationMethods.Derive(ModelAnalyzer.Analyze(model), options?.Dt), options ?? new CompileOptions());

    /// <summary>Builds the kernel of an already derived step program (e.g. an experiment's).</summary>
    public static CompiledModel Compile(StepProgram program, CompileOptions? options = null) =>
        new(program, options ?? new CompileOptions());

    public StepProgram Program { get; }
    public AnalyzedModel Model => Program.Model;
    public CompileOptions Options { get; }
    public string BackendName { get; }
    /// <summary>Why <see cref="BackendName"/> was chosen.</summary>
    public string BackendReason { get; }
    /// <summary>Why the backend that <see cref="Backend.Auto"/> preferred could not be used (e.g. the compiler's error), else null.</summary>
    public string? BackendWarning { get; }
    /// <summary>Seconds spent compiling (or loading a cached) kernel; 0 for the interpreter.</summary>
    public double CompileSeconds { get; }

    internal ModelHandle Handle => _handle;

    /// <summary>A new group of <paramref name="n"/> neurons of this model, at step 0 with the model's defaults.</summary>
    public NeuronGroup CreateGroup(int n, GroupOptions? options = null) => new(this, n, options ?? new GroupOptions(), ownsModel: false);

    /// <summary>The groups created keep the native model alive; disposing it only releases this reference.</summary>
    public void Dispose() => _handle.Dispose();
}
