using NeuroNative.Models;

namespace NeuroNative.Fitting;

/// <summary>Which brian2modelfitting fitter a fit file asks for.</summary>
public enum FitterKind { Trace, Spike, Online }

/// <summary>What <c>metric:</c> asks for: its type (MSE, Gamma, Feature) and options in SI, as read.</summary>
public sealed record MetricSpec(string Type, IReadOnlyDictionary<string, object> Options);

/// <summary>A fit's optional least-squares refinement after the rounds (<see cref="TraceFitter.Refine"/>).</summary>
public sealed record RefineSpec(bool Gradient, int MaxIterations);

/// <summary>
/// A fit file read and checked (<see cref="FitFile"/>; the format is in docs/fitting.md): the model as written (its input
/// variables undefined), the data in SI, and how to fit. <see cref="FitRunner"/> runs it.
/// </summary>
public sealed record FitJob
{
    public required string Source { get; init; }
    public required ModelDefinition Model { get; init; }
    public required double Dt { get; init; }
    public required FitterKind Fitter { get; init; }
    public required IReadOnlyDictionary<string, Traces> Input { get; init; }
    /// <summary>Recorded traces by variable (trace and online fitters).</summary>
    public IReadOnlyDictionary<string, Traces> Output { get; init; } = new Dictionary<string, Traces>();
    /// <summary>Recorded spike times (s) of each trace, in trace order (spike fitter).</summary>
    public IReadOnlyList<double[]>? OutputSpikes { get; init; }
    public required int NSamples { get; init; }
    public required int NRounds { get; init; }
    public required string OptimizerMethod { get; init; }
    public IReadOnlyDictionary<string, object?> OptimizerOptions { get; init; } = new Dictionary<string, object?>();
    public required MetricSpec Metric { get; init; }
    /// <summary>[lower, upper] in SI by parameter, in the file's order.</summary>
    public required IReadOnlyList<KeyValuePair<string, (double Lower, double Upper)>> Bounds { get; init; }
    public IReadOnlyDictionary<string, string> ParamInit { get; init; } = new Dictionary<string, string>();
    public string? Penalty { get; init; }
    public RefineSpec? Refine { get; init; }
    public ulong Seed { get; init; } = 1;
}
