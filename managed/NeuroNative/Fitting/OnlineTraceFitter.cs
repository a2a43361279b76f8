using NeuroNative.Fitting.Optimizers;
using NeuroNative.Models;

namespace NeuroNative.Fitting;

/// <summary>
/// brian2modelfitting's OnlineTraceFitter: the mean squared error of one output variable against its traces from
/// <see cref="TStart"/> on, accumulated while the run goes (the native MSE reducer), so that a round records no trace
/// and its memory does not depend on the traces' length. It samples where TraceFitter's MSEMetric does (at each step's
/// start), so both find the same errors; brian2modelfitting's accumulates at each step's end, one step later.
/// </summary>
public sealed class OnlineTraceFitter : Fitter
{
    private readonly string _output;
    private readonly MSEMetric _metric;

    public OnlineTraceFitter(ModelDefinition model, IReadOnlyDictionary<string, Traces> input, IReadOnlyDictionary<string, Traces> output,
        FitterSettings settings, double tStart = 0) : base(model, input, One(output), settings)
    {
        _output = output.Keys.Single();
        _metric = new MSEMetric(tStart);
        var variable = Simulator.Analyzed.States.FirstOrDefault(s => s.Name == _output);
        if ((variable is null && Simulator.Analyzed.Subexpressions.All(s => s.Name != _output)) || (variable is not null && variable.Dimension != output[_output].Unit))
        {
            Dispose();
            throw new FitException(variable is null
                ? $"output.{_output}: not a state variable or subexpression of the model"
                : $"output.{_output}: the traces are in {BatchedTraceSimulator.UnitText(output[_output].Unit)} but '{_output}' is in {BatchedTraceSimulator.UnitText(variable.Dimension)}");
        }
    }

    private static IReadOnlyDictionary<string, Traces> One(IReadOnlyDictionary<string, Traces> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return output.Count == 1 ? output : throw new FitException($"output: the online fitter fits one output variable (got {output.Count})");
    }

    public double TStart => _metric.TStart;
    public override IReadOnlyList<string> OutputNames => [_output];

    /// <summary>As TraceFitter's <c>Fit</c>, the metric being the online mean squared error.</summary>
    public FitResult Fit(IOptimizer optimizer, int rounds, IReadOnlyDictionary<string, (double Lower, double Upper)> bounds,
        Func<FitRound, bool>? callback = null, bool restart = false, ulong seed = 1, int? startIteration = null, string? penalty = null,
        CancellationToken cancellation = default) =>
        FitRounds(optimizer, [_metric], rounds, bounds, callback, restart, startIteration, penalty, seed, cancellation);

    private protected override BatchRecording Recording(string? penalty) => new()
    {
        MeanSquaredError = new Dictionary<string, double> { [_output] = _metric.TStart },
        Final = penalty is null ? [] : [penalty],
    };

    private protected override IReadOnlyList<(double[] Normalized, double[] Raw)> Objectives(BatchResult result)
    {
        var raw = PerSet(result.MeanSquaredError[_output]);
        return [(raw, raw)];
    }
}
