using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using NeuroNative.Fitting.Optimizers;
using NeuroNative.Models;

namespace NeuroNative.Fitting;

/// <summary>
/// brian2modelfitting's TraceFitter: fits the constant parameters of a Brian model to recorded traces of one or more
/// output variables. The model uses the input variable without defining it; the fitter defines it from the input traces
/// (<see cref="BatchedTraceSimulator"/>), compiles the model once, and each round simulates the optimizer's whole batch
/// as one group of NSamples × n_traces neurons, reset between rounds. An MSE metric without weights is computed by the
/// native reducer while the run goes; other metrics get the recorded traces (docs/fitting.md).
/// </summary>
public sealed class TraceFitter : Fitter
{
    private readonly string[] _outputs;

    public TraceFitter(ModelDefinition model, IReadOnlyDictionary<string, Traces> input, IReadOnlyDictionary<string, Traces> output,
        FitterSettings settings) : base(model, input, Outputs(output), settings)
    {
        _outputs = [.. output.Keys];
        foreach (var (name, traces) in output)
        {
            var variable = Simulator.Analyzed.States.FirstOrDefault(s => s.Name == name);
            if (variable is null && Simulator.Analyzed.Subexpressions.All(s => s.Name != name))
            {
                Dispose();
                throw new FitException($"output.{name}: not a state variable or subexpression of the model (state variables: " +
                    $"{string.Join(", ", Simulator.Analyzed.States.Select(s => s.Name))})");
            }
            if (variable is not null && variable.Dimension != traces.Unit)
            {
                Dispose();
                throw new FitException($"output.{name}: the traces are in {BatchedTraceSimulator.UnitText(traces.Unit)} but '{name}' is in " +
                    BatchedTraceSimulator.UnitText(variable.Dimension));
            }
        }
    }

    private static IReadOnlyDictionary<string, Traces> Outputs(IReadOnlyDictionary<string, Traces> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.Count == 0) throw new FitException("output: give at least one output variable with its traces");
        return output;
    }

    public override IReadOnlyList<string> OutputNames => _outputs;

    /// <summary>Runs <paramref name="rounds"/> rounds with one <paramref name="metric"/> for every output. A later call
    /// continues the same search unless <paramref name="restart"/>; another optimizer or metric needs a restart.
    /// <paramref name="bounds"/>: [lower, upper] in SI of each fitted parameter (constant parameters of the model).
    /// <paramref name="callback"/> hears each round (<see cref="FitCallbacks"/>); returning false stops the fit after it.
    /// <paramref name="startIteration"/>: the <c>iteration</c> of the first round (default 0 for a new fit, else where the
    /// last call stopped); <paramref name="penalty"/>: overrides the settings' penalty.</summary>
    public FitResult Fit(IOptimizer optimizer, ITraceMetric metric, int rounds, IReadOnlyDictionary<string, (double Lower, double Upper)> bounds,
        Func<FitRound, bool>? callback = null, bool restart = false, ulong seed = 1, int? startIteration = null, string? penalty = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return Fit(optimizer, _outputs.ToDictionary(o => o, _ => metric), rounds, bounds, callback, restart, seed, startIteration, penalty, cancellation);
    }

    /// <summary>As the other <c>Fit</c>, with a metric per output (every output needs one).</summary>
    public FitResult Fit(IOptimizer optimizer, IReadOnlyDictionary<string, ITraceMetric> metrics, int rounds,
        IReadOnlyDictionary<string, (double Lower, double Upper)> bounds, Func<FitRound, bool>? callback = null, bool restart = false,
        ulong seed = 1, int? startIteration = null, string? penalty = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (string key in metrics.Keys.Where(k => !_outputs.Contains(k)))
            throw new FitException($"metric.{key}: not an output variable (outputs: {string.Join(", ", _outputs)})");
        var list = _outputs.Select(o => metrics.TryGetValue(o, out var m) && m is not null ? m
            : throw new FitException($"metric: output '{o}' has no metric; give one per output or one for all")).ToArray();
        for (int o = 0; o < list.Length; o++)
            if (list[o] is MSEMetric { TimeWeights: { } w } && w.Count != Simulator.Steps)
                throw new FitException($"metric.{_outputs[o]}: t_weights has {w.Count} weights for traces of {Simulator.Steps} samples");
        return FitRounds(optimizer, list, rounds, bounds, callback, restart, startIteration, penalty, seed, cancellation);
    }

    private IEnumerable<(string Output, ITraceMetric Metric)> Current() => _outputs.Zip(Metrics!.Cast<ITraceMetric>());

    private static bool Native(ITraceMetric metric) => metric is MSEMetric { TimeWeights: null };

    private protected override BatchRecording Recording(string? penalty) => new()
    {
        Traces = [.. Current().Where(c => !Native(c.Metric)).Select(c => c.Output)],
        MeanSquaredError = Current().Where(c => Native(c.Metric)).ToDictionary(c => c.Output, c => ((MSEMetric)c.Metric).TStart),
        Final = penalty is null ? [] : [penalty],
    };

    private protected override IReadOnlyList<(double[] Normalized, double[] Raw)> Objectives(BatchResult result) =>
        [.. Current().Select(c =>
        {
            var raw = PerSet(Native(c.Metric) ? result.MeanSquaredError[c.Output] : c.Metric.PerTrace(result.Traces[c.Output], Simulator.Targets[c.Output], Settings.Dt));
            return (raw.Select(c.Metric.Normalize).ToArray(), raw);
        })];

    /// <summary>
    /// brian2modelfitting's <c>refine</c>: least squares of the residuals (simulated − recorded of every output, from its
    /// metric's t_start, weighted by √t_weights, divided by its normalization) by Levenberg–Marquardt (MathNet.Numerics)
    /// with numerical derivatives, from the best parameters found (or <paramref name="start"/>) within the fit's bounds,
    /// at <c>iteration</c> = <paramref name="iteration"/>. Each evaluation is one run of n_traces neurons. The result's
    /// error is the fit's: the sum of the outputs' normalized errors. <paramref name="gradient"/>: the Jacobian from the
    /// model's sensitivity equations (<see cref="TraceSensitivities"/>, brian2modelfitting's calc_gradient) instead of
    /// finite differences, one run of the augmented model per point.
    /// </summary>
    public FitEvaluation Refine(IReadOnlyDictionary<string, double>? start = null, int maxIterations = 200, double iteration = 1e9,
        bool gradient = false)
    {
        if (Space is not { } space || Best is not { } best)
            throw new FitException("refine: no fit has run yet (it starts from the fit's best parameters, within its bounds)");
        if (Metrics!.FirstOrDefault(m => m is not MSEMetric) is { } other)
            throw new FitException($"refine: least squares refines fits of the MSE metric, not {other.GetType().Name}");
        var metrics = Metrics!.Cast<MSEMetric>().ToArray();
        var parameters = space.Parameters;
        var origin = parameters.Select(p => start is not null && start.TryGetValue(p.Name, out double v) ? v : best.Parameters[p.Name]).ToArray();
        // In units of the start point (or of a thousandth of the range where it is 0), so that one relative
        // derivative step suits conductances and capacitances alike.
        var scale = origin.Select((v, k) => v != 0 ? Math.Abs(v) : (parameters[k].Upper - parameters[k].Lower) * 1e-3).ToArray();
        int traces = Simulator.TraceCount, steps = (int)Simulator.Steps;
        var firsts = metrics.Select(m => (int)Math.Round(m.TStart / Settings.Dt)).ToArray();
        var observed = new List<double>();
        var weight = new List<double>();
        for (int o = 0; o < _outputs.Length; o++)
            for (int r = 0; r < traces; r++)
                for (int k = firsts[o]; k < steps; k++)
                {
                    observed.Add(Simulator.Targets[_outputs[o]].Rows[r][k] / metrics[o].Normalization);
                    weight.Add(metrics[o].TimeWeights is { } w ? w[k] : 1);
                }
        var names = parameters.Select(p => p.Name).ToArray();
        using var run = Simulator.CreateBatch(1, new BatchRecording { Traces = _outputs });
        using var sensitivities = gradient ? new TraceSensitivities(Simulator, names, _outputs) : null;
        int runs = 0;
        double[] Point(Vector<double> q) => [.. parameters.Select((p, k) => q[k] * scale[k])];
        Vector<double> Simulate(Vector<double> q, Vector<double> _)
        {
            runs++;
            var result = sensitivities is null ? run.Run(names, [Point(q)], iteration).Traces : sensitivities.Run(Point(q), iteration).Traces;
            var y = new double[observed.Count];
            int at = 0;
            for (int o = 0; o < _outputs.Length; o++)
                for (int r = 0; r < traces; r++)
                    for (int k = firsts[o]; k < steps; k++) y[at++] = result[_outputs[o]][r][k] / metrics[o].Normalization;
            return Vector<double>.Build.DenseOfArray(y);
        }
        // The rows of Simulate's samples, a column per parameter: d sample/d q = S·scale (0 where S is pruned).
        Matrix<double> Jacobian(Vector<double> q, Vector<double> _)
        {
            var derivatives = sensitivities!.Run(Point(q), iteration).Derivatives;
            var jacobian = Matrix<double>.Build.Dense(observed.Count, names.Length);
            for (int p = 0; p < names.Length; p++)
            {
                int at = 0;
                for (int o = 0; o < _outputs.Length; o++)
                    for (int r = 0; r < traces; r++)
                        for (int k = firsts[o]; k < steps; k++, at++)
                            if (derivatives[_outputs[o]][p] is { } s) jacobian[at, p] = s[r][k] * scale[p] / metrics[o].Normalization;
            }
            return jacobian;
        }
        var x = Vector<double>.Build.Dense(observed.Count, i => i);
        var objective = sensitivities is null
            ? ObjectiveFunction.NonlinearModel(Simulate, x, Vector<double>.Build.DenseOfEnumerable(observed), Vector<double>.Build.DenseOfEnumerable(weight))
            : ObjectiveFunction.NonlinearModel(Simulate, Jacobian, x, Vector<double>.Build.DenseOfEnumerable(observed), Vector<double>.Build.DenseOfEnumerable(weight));
        var minimum = new LevenbergMarquardtMinimizer(maximumIterations: maxIterations).FindMinimum(objective,
            Vector<double>.Build.DenseOfArray(origin.Select((v, k) => v / scale[k]).ToArray()),
            Vector<double>.Build.DenseOfArray(parameters.Select((p, k) => p.Lower / scale[k]).ToArray()),
            Vector<double>.Build.DenseOfArray(parameters.Select((p, k) => p.Upper / scale[k]).ToArray()));
        RefineSimulations = sensitivities?.Runs ?? runs;
        var refined = parameters.Select((p, k) => (p.Name, Value: Math.Clamp(minimum.MinimizingPoint[k] * scale[k], p.Lower, p.Upper)))
            .ToDictionary(x => x.Name, x => x.Value);
        var final = run.Run(names, [names.Select(n => refined[n]).ToArray()], iteration);
        var objectives = _outputs.Select((o, k) => (o, metrics[k].PerTrace(final.Traces[o], Simulator.Targets[o], Settings.Dt).Average()))
            .ToDictionary(x => x.o, x => x.Item2);
        return new FitEvaluation(RoundsRun, refined, _outputs.Select((o, k) => metrics[k].Normalize(objectives[o])).Sum()) { Objectives = objectives };
    }

    /// <summary>The simulations (runs of n_traces neurons) the last <see cref="Refine"/> took, its final error's not counted.</summary>
    public int RefineSimulations { get; private set; }
}
