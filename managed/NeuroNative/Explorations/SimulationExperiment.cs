using NeuroNative.Experiments;
using NeuroNative.Runs;

namespace NeuroNative.Explorations;

public enum ParameterScale
{
    Linear,
    /// <summary>Evenly spaced exponents (numpy's geomspace); both bounds positive.</summary>
    Log,
}

/// <summary>The values an explored parameter takes: a range of n points or an explicit list.</summary>
public abstract record ParameterDomain
{
    public abstract double[] Values();

    /// <summary>TVB-O's Range(lo, hi, n): numpy's linspace (or geomspace with <see cref="ParameterScale.Log"/>).</summary>
    public static ParameterDomain Range(double lo, double hi, int n, ParameterScale scale = ParameterScale.Linear) =>
        new RangeDomain(lo, hi, n, scale);

    public static ParameterDomain List(params double[] values) => new ListDomain(values);
}

public sealed record RangeDomain(double Lo, double Hi, int N, ParameterScale Scale) : ParameterDomain
{
    public override double[] Values()
    {
        if (N < 1) throw new ArgumentException($"a range needs n >= 1 points, not {N}");
        if (!double.IsFinite(Lo) || !double.IsFinite(Hi)) throw new ArgumentException($"range bounds must be finite, not {Lo} and {Hi}");
        if (Scale == ParameterScale.Log && !(Lo > 0 && Hi > 0))
            throw new ArgumentException($"a log-scaled range needs positive bounds, not lo = {Lo}, hi = {Hi}");
        return Scale == ParameterScale.Log ? Grid.Geomspace(Lo, Hi, N) : Grid.Linspace(Lo, Hi, N);
    }
}

public sealed record ListDomain(IReadOnlyList<double> Items) : ParameterDomain
{
    public override double[] Values() => Items.Count > 0 ? [.. Items] : throw new ArgumentException("a list of values needs at least one value");
}

/// <summary>An explored parameter; with <see cref="Targets"/> one value drives several model parameters
/// (PyRates' param_map). Without, the parameter of that name.</summary>
public sealed record ExploredParameter(string Name, ParameterDomain Domain)
{
    public IReadOnlyList<string>? Targets { get; init; }
    public IReadOnlyList<string> TargetNames => Targets ?? [Name];
}

/// <summary>A named grid of conditions over one model: TVB-O's Exploration, PyRates' grid_search.</summary>
public sealed record Exploration(string Name, IReadOnlyList<ExploredParameter> Parameters, SweepMode Mode = SweepMode.Product)
{
    public string? Label { get; init; }
    public string? Description { get; init; }
}

/// <summary>How the dynamics are integrated; times in model units.</summary>
public sealed record Integration
{
    /// <summary>euler, heun (the deterministic predictor–corrector, as in PyRates and TVB-O), rk2, rk4, or
    /// another of the engine's methods by its Brian name.</summary>
    public string Method { get; init; } = "euler";
    public double StepSize { get; init; } = 0.01;
    public double Duration { get; init; } = 100;
}

/// <summary>An output: a variable (state or derived) or, with <see cref="Expression"/>, a named expression of them.</summary>
public sealed record OutputVariable(string Name, string? Expression = null);

/// <summary>What is kept of each condition: the variables, every <see cref="SamplingStep"/> (a multiple of the
/// step size; null: every step), without the samples before <see cref="Cutoff"/>.</summary>
public sealed record OutputSpec
{
    /// <summary>Empty: every state variable.</summary>
    public IReadOnlyList<OutputVariable> Variables { get; init; } = [];
    public double? SamplingStep { get; init; }
    public double Cutoff { get; init; }
}

/// <summary>A time-varying input: a name the equations use but do not declare.</summary>
public abstract record InputSignal;

/// <summary>One value per integration step (row) for all conditions (one column) or per condition.</summary>
public sealed record ArrayInput(double[] Values, int Columns) : InputSignal
{
    public int Steps => Columns == 0 ? 0 : Values.Length / Columns;
}

public enum NoiseKind
{
    /// <summary>Uniform in [A, B).</summary>
    Uniform,
    /// <summary>Normal with mean A and standard deviation B.</summary>
    Normal,
}

/// <summary>Generated noise, a new value every step from the experiment's seed: the same series for every
/// condition (PyRates' inputs of shape (steps, 1)) or, with <see cref="PerCondition"/>, one series each.</summary>
public sealed record NoiseInput(NoiseKind Kind, double A, double B, bool PerCondition = false) : InputSignal;

/// <summary>
/// TVB-O's SimulationExperiment: dynamics, integration, named explorations run one after another, outputs and
/// inputs. <see cref="Run"/> runs every exploration as one batch of a model compiled once (a condition per
/// neuron); without explorations, one condition with the default parameters, named "default".
/// </summary>
public sealed class SimulationExperiment(Dynamics dynamics)
{
    public const string DefaultExploration = "default";

    public Dynamics Dynamics { get; } = dynamics;
    public Integration Integration { get; set; } = new();
    public OutputSpec Outputs { get; set; } = new();
    /// <summary>In the order they run.</summary>
    public IList<Exploration> Explorations { get; } = new List<Exploration>();
    public IDictionary<string, InputSignal> Inputs { get; } = new Dictionary<string, InputSignal>(StringComparer.Ordinal);
    public ulong Seed { get; set; }
    /// <summary>Where the experiment came from (a file name), for messages and run.json.</summary>
    public string Source { get; set; } = "dynamics";

    /// <summary>Runs every exploration (a cancelled or diverged one keeps what it computed and ends the run).</summary>
    public SimulationResult Run(RunSettings? settings = null, IProgress<RunProgress>? progress = null,
        CancellationToken cancellation = default) =>
        ExplorationRunner.Run(this, settings ?? new RunSettings(), null, null, progress, cancellation);

    /// <summary>As <see cref="Run"/>, writing each exploration's files into <c>directory/&lt;name&gt;/</c> as it finishes.
    /// With <paramref name="chunking"/> each exploration is a chunked run (docs/long-runs.md): resumable after a kill by
    /// the same call, shardable, in bounded memory; its result then has the summaries, and its samples are in the files
    /// (<see cref="ExplorationFiles.Load"/>).</summary>
    public SimulationResult RunToDirectory(string directory, RunSettings? settings = null, IProgress<RunProgress>? progress = null,
        CancellationToken cancellation = default, ChunkOptions? chunking = null) =>
        ExplorationRunner.Run(this, settings ?? new RunSettings(), directory, chunking, progress, cancellation);
}

/// <summary>Every exploration's result, by name in run order, and its run (backend, timing, outcome).</summary>
public sealed record SimulationResult(IReadOnlyList<ExplorationResult> Explorations, IReadOnlyList<ExperimentResult> Runs)
{
    public ExplorationResult this[string name] => Explorations.FirstOrDefault(e => e.Name == name)
        ?? throw new KeyNotFoundException($"no exploration '{name}' (ran: {string.Join(", ", Explorations.Select(e => e.Name))})");

    /// <summary>Completed unless an exploration was cancelled or diverged (the last one run).</summary>
    public RunOutcome Outcome => Runs.Count == 0 ? RunOutcome.Completed : Runs[^1].Outcome;
}
