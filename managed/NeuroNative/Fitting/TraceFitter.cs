using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using NeuroNative.Fitting.Optimizers;
using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Parsing;
using NeuroNative.Models.Units;

namespace NeuroNative.Fitting;

/// <summary>Recorded traces of one variable: a row per trace (stimulus), equally long, SI values of <see cref="Unit"/>.</summary>
public sealed record Traces(IReadOnlyList<double[]> Rows, Dimension Unit)
{
    public int Count => Rows.Count;
    public int Samples => Rows.Count == 0 ? 0 : Rows[0].Length;
}

/// <summary>What a fitter is built with besides the model and the traces (brian2modelfitting's arguments).</summary>
public sealed record FitterSettings
{
    /// <summary>The sampling step of the traces, also the simulation's time step (s).</summary>
    public required double Dt { get; init; }
    /// <summary>Parameter sets simulated per round (one batched run of NSamples × traces neurons), for the fitter's life.</summary>
    public required int NSamples { get; init; }
    /// <summary>Brian's method; null: the model's (or Brian's default choice).</summary>
    public string? Method { get; init; }
    public string? Threshold { get; init; }
    public string? Reset { get; init; }
    public string? Refractory { get; init; }
    /// <summary>Initial values (expressions, <c>-65*mV</c>) of state variables, set before every run.</summary>
    public IReadOnlyDictionary<string, string> ParamInit { get; init; } = new Dictionary<string, string>();
    /// <summary>A variable whose value at the end of a run is added to the error (mean over the traces).</summary>
    public string? Penalty { get; init; }
    /// <summary>Search a parameter whose positive bounds span two decades or more on a log scale (conductances from
    /// pS to µS): the optimizer then samples every decade alike. False: every parameter linearly, as brian2modelfitting.</summary>
    public bool LogScale { get; init; } = true;
    public Backend Backend { get; init; } = Backend.Auto;
    /// <summary>0: every hardware thread.</summary>
    public int Threads { get; init; }
}

/// <summary>A bad fitter setup or call: the message names the argument (<c>bounds.gl</c>, <c>input.I</c>) and what was expected.</summary>
public sealed class FitException(string message) : Exception(message);

/// <summary>One evaluated parameter set (SI values by name) and its error (the metric's, unnormalized).</summary>
public sealed record FitEvaluation(int Round, IReadOnlyDictionary<string, double> Parameters, double Error);

/// <summary>What a round found: its best evaluation and the best so far.</summary>
public readonly record struct FitRound(int Round, FitEvaluation RoundBest, FitEvaluation Best);

/// <summary>The fit's outcome: the best parameters (SI, by name) and error after the rounds run.</summary>
public sealed record FitResult(IReadOnlyDictionary<string, double> BestParams, double BestError, int Rounds);

/// <summary>
/// brian2modelfitting's TraceFitter: fits the constant parameters of a Brian model to recorded traces. The model
/// uses the input variable without defining it; the fitter defines it as a TimedArray of the input traces
/// (<c>I = I_input(t, i % n_traces)</c>), compiles the model once, and each round simulates the optimizer's whole
/// batch as one group of NSamples × n_traces neurons (neuron j: sample j / n_traces, trace j % n_traces, as
/// brian2modelfitting lays them out), reset between rounds, with the error computed by a native reducer while the
/// run goes (docs/fitting.md).
/// </summary>
public sealed class TraceFitter : IDisposable
{
    private readonly ModelDefinition _model;
    private readonly string _output;
    private readonly Traces _target;
    private readonly FitterSettings _settings;
    private readonly CompiledModel _compiled;
    private NeuronGroup? _group;
    private readonly List<FitEvaluation> _results = [];
    private readonly long _steps;
    private IOptimizer? _optimizer;
    private ITraceMetric? _metric;
    private Reducer? _reducer;
    private StateMonitor? _monitor;
    private ParameterSpace? _space;
    private int _round;

    public TraceFitter(ModelDefinition model, IReadOnlyDictionary<string, Traces> input, IReadOnlyDictionary<string, Traces> output,
        FitterSettings settings)
    {
        if (input.Count != 1) throw new FitException($"input: give one input variable (got {input.Count})");
        if (output.Count != 1) throw new FitException($"output: give one output variable (got {output.Count}); several outputs are not supported yet");
        if (!(settings.Dt > 0) || !double.IsFinite(settings.Dt)) throw new FitException($"dt: must be a positive time, not {settings.Dt}");
        if (settings.NSamples < 1) throw new FitException($"n_samples: must be 1 or more, not {settings.NSamples}");
        var (inputName, inputTraces) = input.First();
        (_output, _target) = output.First();
        Check("input", inputName, inputTraces);
        Check("output", _output, _target);
        if (inputTraces.Count != _target.Count)
            throw new FitException($"input.{inputName} has {inputTraces.Count} traces but output.{_output} has {_target.Count}; give one output trace per input trace");
        if (inputTraces.Samples != _target.Samples)
            throw new FitException($"input.{inputName} traces have {inputTraces.Samples} samples but output.{_output} traces have {_target.Samples}; they must be equally long");
        var defined = ModelParser.ParseEquations(model.Equations).Equations.FirstOrDefault(e => e.Name == inputName);
        if (defined is not null)
            throw new FitException($"input.{inputName}: the model defines '{inputName}' (line '{defined.Span.Slice(model.Equations).Trim()}'); " +
                "the input variable must be used in the equations but not defined there (the fitter defines it from the input traces)");
        _settings = settings;
        _steps = _target.Samples;

        int traces = inputTraces.Count;
        var values = new double[_steps * traces];
        for (int k = 0; k < _steps; k++)
            for (int r = 0; r < traces; r++) values[k * traces + r] = inputTraces.Rows[r][k];
        string array = $"{inputName}_input_traces";
        var ns = new Dictionary<string, NamespaceValue>(model.Namespace) { [array] = new TimedArray(values, traces, settings.Dt, inputTraces.Unit) };
        _model = model with
        {
            Equations = $"{model.Equations.TrimEnd()}\n{inputName} = {array}(t, i % {traces}) : {UnitText(inputTraces.Unit)}\n",
            Namespace = ns,
            Method = settings.Method ?? model.Method,
            Threshold = settings.Threshold ?? model.Threshold,
            Reset = settings.Reset ?? model.Reset,
            Refractory = settings.Refractory ?? model.Refractory,
        };
        _compiled = CompiledModel.Compile(_model, new CompileOptions
        {
            Backend = settings.Backend, Threads = settings.Threads, Dt = settings.Dt,
            ExpectedNeuronSteps = (double)settings.NSamples * traces * _steps * 10,
        });
        var outputVariable = _compiled.Model.States.FirstOrDefault(s => s.Name == _output);
        if (outputVariable is null && _compiled.Model.Subexpressions.All(s => s.Name != _output))
            throw new FitException($"output.{_output}: not a state variable or subexpression of the model (state variables: " +
                $"{string.Join(", ", _compiled.Model.States.Select(s => s.Name))})");
        if (outputVariable is not null && outputVariable.Dimension != _target.Unit)
            throw new FitException($"output.{_output}: the traces are in {UnitText(_target.Unit)} but '{_output}' is in {UnitText(outputVariable.Dimension)}");
        foreach (string name in settings.ParamInit.Keys.Where(n => _compiled.Model.States.All(s => s.Name != n) && _compiled.Model.Parameters.All(p => p.Name != n)))
            throw new FitException($"param_init.{name}: not a variable of the model");
    }

    private static void Check(string role, string name, Traces traces)
    {
        if (traces.Count == 0) throw new FitException($"{role}.{name}: no traces");
        for (int r = 0; r < traces.Count; r++)
        {
            if (traces.Rows[r].Length != traces.Samples)
                throw new FitException($"{role}.{name}: trace {r} has {traces.Rows[r].Length} samples, trace 0 has {traces.Samples}; traces must be equally long");
            int bad = Array.FindIndex(traces.Rows[r], v => !double.IsFinite(v));
            if (bad >= 0) throw new FitException($"{role}.{name}: trace {r}, sample {bad} is {traces.Rows[r][bad]}; expected a finite number");
        }
    }

    private static string UnitText(Dimension d) => d == Dimension.Dimensionless ? "1" : d.ToBrianString();

    /// <summary>The model as simulated (with the input variable defined).</summary>
    public ModelDefinition Model => _model;
    /// <summary>Every evaluated parameter set with its error, in the order evaluated.</summary>
    public IReadOnlyList<FitEvaluation> Results => _results;
    public FitEvaluation? Best => _results.Count == 0 ? null : _results.MinBy(r => double.IsNaN(r.Error) ? double.PositiveInfinity : r.Error);
    public IReadOnlyDictionary<string, double>? BestParams => Best?.Parameters;
    public double BestError => Best?.Error ?? double.NaN;
    /// <summary>The population each round simulates (the optimizer may have changed NSamples).</summary>
    public int PopulationSize { get; private set; }

    /// <summary>Runs <paramref name="rounds"/> rounds of ask (one batch), simulate (one batched run), tell. A later call
    /// continues the same search unless <paramref name="restart"/>; another optimizer or metric needs a restart.
    /// <paramref name="bounds"/>: [lower, upper] in SI of each fitted parameter (constant parameters of the model).
    /// <paramref name="callback"/> hears each round; returning false stops the fit after it.</summary>
    public FitResult Fit(IOptimizer optimizer, ITraceMetric metric, int rounds, IReadOnlyDictionary<string, (double Lower, double Upper)> bounds,
        Func<FitRound, bool>? callback = null, bool restart = false, ulong seed = 1, CancellationToken cancellation = default)
    {
        if (rounds < 0) throw new FitException($"n_rounds: must be 0 or more, not {rounds}");
        if (!restart && _optimizer is not null && (!ReferenceEquals(optimizer, _optimizer) || !ReferenceEquals(metric, _metric)))
            throw new FitException("the optimizer or the metric differs from the last fit's; pass restart: true to start a new fit with them");
        if (restart || _optimizer is null)
        {
            _space = Space(bounds);
            PopulationSize = optimizer.Initialize(_space, _settings.NSamples, seed);
            if (PopulationSize != _settings.NSamples)
                throw new FitException($"{optimizer.Method} uses a population of {PopulationSize}, not n_samples = {_settings.NSamples}; " +
                    $"build the fitter with n_samples: {PopulationSize}");
            _optimizer = optimizer;
            _metric = metric;
            _results.Clear();
            _round = 0;
            Attach(metric);
        }
        else if (!bounds.Keys.ToHashSet().SetEquals(_space!.Parameters.Select(p => p.Name)))
            throw new FitException("bounds: a continued fit needs the same parameters as before; pass restart: true to change them");
        for (int r = 0; r < rounds; r++)
        {
            cancellation.ThrowIfCancellationRequested();
            var batch = optimizer.Ask();
            var errors = Evaluate(batch, metric, cancellation);
            optimizer.Tell(batch, errors);
            FitEvaluation? roundBest = null;
            for (int s = 0; s < batch.Count; s++)
            {
                var evaluation = new FitEvaluation(_round, Named(batch[s]), metric.Unnormalized(errors[s]));
                _results.Add(evaluation);
                if (roundBest is null || evaluation.Error < roundBest.Error || double.IsNaN(roundBest.Error)) roundBest = evaluation;
            }
            _round++;
            if (callback is not null && !callback(new FitRound(_round - 1, roundBest!, Best!))) break;
        }
        return new FitResult(BestParams ?? new Dictionary<string, double>(), BestError, _round);
    }

    private ParameterSpace Space(IReadOnlyDictionary<string, (double Lower, double Upper)> bounds)
    {
        if (bounds.Count == 0) throw new FitException("bounds: give the bounds of at least one parameter to fit");
        var constants = _compiled.Model.Parameters.Where(p => p.IsConstant && !p.IsShared).Select(p => p.Name).ToHashSet();
        foreach (var (name, (lo, hi)) in bounds)
        {
            if (!constants.Contains(name))
                throw new FitException($"bounds.{name}: not a constant parameter of the model (declare it as '{name} : <unit> (constant)'; " +
                    $"constant parameters: {string.Join(", ", constants.Order())})");
            if (!double.IsFinite(lo) || !double.IsFinite(hi) || !(lo < hi))
                throw new FitException(string.Create(CultureInfo.InvariantCulture, $"bounds.{name}: [{lo}, {hi}] must be finite with lower < upper"));
        }
        return new ParameterSpace(bounds.Select(b => new Parameter(b.Key, b.Value.Lower, b.Value.Upper, LogScale: _settings.LogScale && b.Value.Lower > 0 && b.Value.Upper >= 100 * b.Value.Lower)));
    }

    private Dictionary<string, double> Named(double[] values) =>
        _space!.Parameters.Select((p, k) => (p.Name, values[k])).ToDictionary(x => x.Name, x => x.Item2);

    /// <summary>A new group for a new fit (microseconds: the model is compiled once) with the metric's accumulators:
    /// the native MSE reducer, or a monitor for metrics that need the traces.</summary>
    private void Attach(ITraceMetric metric)
    {
        _group?.Dispose();
        _group = _compiled.CreateGroup(PopulationSize * _target.Count, new GroupOptions { Dt = _settings.Dt, Threads = _settings.Threads });
        _reducer = null;
        _monitor = null;
        if (metric is MSEMetric { TimeWeights: null } mse)
            _reducer = _group.MeanSquaredError(_output, [.. _target.Rows.Select(row => row[(int)Math.Round(mse.TStart / _settings.Dt)..])],
                new TimeWindow(Math.Round(mse.TStart / _settings.Dt) * _settings.Dt));
        else _monitor = _group.Record([_output]);
    }

    private double[] Evaluate(IReadOnlyList<double[]> batch, ITraceMetric metric, CancellationToken cancellation)
    {
        int traces = _target.Count, n = batch.Count * traces;
        var group = _group!;
        group.Reset();
        var column = new double[n];
        for (int k = 0; k < _space!.Dimension; k++)
        {
            for (int j = 0; j < n; j++) column[j] = batch[j / traces][k];
            group.Set(_space.Parameters[k].Name, column);
        }
        foreach (var (variable, expression) in _settings.ParamInit) group.Set(variable, expression);
        group.RunSteps(_steps, null, cancellation);
        double[] perNeuron = _reducer is not null ? _reducer.Values : metric.PerTrace(_monitor!.Get(_output).Values, _target, _settings.Dt);
        double[]? penalty = _settings.Penalty is { } p ? group.Get(p) : null;
        var errors = new double[batch.Count];
        for (int s = 0; s < batch.Count; s++)
        {
            double sum = 0, extra = 0;
            for (int r = 0; r < traces; r++)
            {
                sum += perNeuron[s * traces + r];
                if (penalty is not null) extra += penalty[s * traces + r];
            }
            errors[s] = metric.Normalize(sum / traces) + extra / traces;
        }
        return errors;
    }

    /// <summary>
    /// brian2modelfitting's <c>refine</c>: least squares of the residuals (simulated − recorded, from the metric's
    /// t_start, weighted by √t_weights) by Levenberg–Marquardt (MathNet.Numerics) with numerical derivatives, from the
    /// best parameters found (or <paramref name="start"/>) within the fit's bounds. Each evaluation is one run of
    /// n_traces neurons. The result's error is the metric's. <paramref name="gradient"/>: the Jacobian from the model's
    /// sensitivity equations (<see cref="TraceSensitivities"/>, brian2modelfitting's calc_gradient) instead of
    /// finite differences, one run of the augmented model per point.
    /// </summary>
    public FitEvaluation Refine(IReadOnlyDictionary<string, double>? start = null, int maxIterations = 200, bool gradient = false)
    {
        if (_space is null || Best is not { } best)
            throw new FitException("refine: no fit has run yet (it starts from the fit's best parameters, within its bounds)");
        if (_metric is not MSEMetric mse) throw new FitException("refine: least squares refines fits of the MSE metric");
        var parameters = _space.Parameters;
        var origin = parameters.Select(p => start is not null && start.TryGetValue(p.Name, out double v) ? v : best.Parameters[p.Name]).ToArray();
        // In units of the start point (or of a thousandth of the range where it is 0), so that one relative
        // derivative step suits conductances and capacitances alike.
        var scale = origin.Select((v, k) => v != 0 ? Math.Abs(v) : (parameters[k].Upper - parameters[k].Lower) * 1e-3).ToArray();
        int first = (int)Math.Round(mse.TStart / _settings.Dt), traces = _target.Count, samples = _target.Samples - first;
        var observed = new double[traces * samples];
        var weight = new double[observed.Length];
        for (int r = 0; r < traces; r++)
            for (int k = 0; k < samples; k++)
            {
                observed[r * samples + k] = _target.Rows[r][first + k];
                weight[r * samples + k] = mse.TimeWeights is { } w ? w[first + k] : 1;
            }
        using var run = new TraceRun(this);
        using var sensitivities = gradient ? new TraceSensitivities(_compiled, [.. parameters.Select(p => p.Name)], _output, traces, _steps,
            _settings.Dt, _settings.ParamInit, _settings.Threads) : null;
        (string, double)[] Point(Vector<double> q) => [.. parameters.Select((p, k) => (p.Name, q[k] * scale[k]))];
        Vector<double> Simulate(Vector<double> q, Vector<double> _)
        {
            var rows = sensitivities is null ? run.Simulate(Point(q)) : sensitivities.Run(Point(q)).Traces;
            var y = new double[observed.Length];
            for (int r = 0; r < traces; r++) Array.Copy(rows[r], first, y, r * samples, samples);
            return Vector<double>.Build.DenseOfArray(y);
        }
        var x = Vector<double>.Build.Dense(observed.Length, i => i);
        var objective = sensitivities is null
            ? ObjectiveFunction.NonlinearModel(Simulate, x, Vector<double>.Build.DenseOfArray(observed), Vector<double>.Build.DenseOfArray(weight))
            : ObjectiveFunction.NonlinearModel(Simulate, (q, _) => sensitivities.Jacobian(Point(q), first, scale), x,
                Vector<double>.Build.DenseOfArray(observed), Vector<double>.Build.DenseOfArray(weight));
        var result = new LevenbergMarquardtMinimizer(maximumIterations: maxIterations).FindMinimum(objective,
            Vector<double>.Build.DenseOfArray(origin.Select((v, k) => v / scale[k]).ToArray()),
            Vector<double>.Build.DenseOfArray(parameters.Select((p, k) => p.Lower / scale[k]).ToArray()),
            Vector<double>.Build.DenseOfArray(parameters.Select((p, k) => p.Upper / scale[k]).ToArray()));
        RefineSimulations = run.Runs + (sensitivities?.Runs ?? 0);
        var refined = parameters.Select((p, k) => (p.Name, Value: Math.Clamp(result.MinimizingPoint[k] * scale[k], p.Lower, p.Upper)))
            .ToDictionary(x => x.Name, x => x.Value);
        double error = mse.PerTrace(run.Simulate(refined.Select(p => (p.Key, p.Value))), _target, _settings.Dt).Average();
        return new FitEvaluation(_round, refined, error);
    }

    /// <summary>The simulations (runs of n_traces neurons) the last <see cref="Refine"/> took, its final error's not counted.</summary>
    public int RefineSimulations { get; private set; }

    /// <summary>The output variable's traces (a row per trace) with the best parameters found, or with
    /// <paramref name="parameters"/> (SI, by name; parameters not given keep the best fit's values).</summary>
    public double[][] GenerateTraces(IReadOnlyDictionary<string, double>? parameters = null)
    {
        var chosen = new Dictionary<string, double>(BestParams ?? throw new FitException("generate traces: no fit has run yet, so there are no best parameters"));
        foreach (var (k, v) in parameters ?? new Dictionary<string, double>()) chosen[k] = v;
        using var run = new TraceRun(this);
        return run.Simulate(chosen.Select(p => (p.Key, p.Value)));
    }

    /// <summary>One neuron per trace with the output recorded: a parameter set's traces, run after run (reset between).</summary>
    private sealed class TraceRun : IDisposable
    {
        private readonly TraceFitter _fitter;
        private readonly NeuronGroup _group;
        private readonly StateMonitor _monitor;

        public TraceRun(TraceFitter fitter)
        {
            _fitter = fitter;
            _group = fitter._compiled.CreateGroup(fitter._target.Count, new GroupOptions { Dt = fitter._settings.Dt, Threads = fitter._settings.Threads });
            _monitor = _group.Record([fitter._output]);
        }

        public int Runs { get; private set; }

        public double[][] Simulate(IEnumerable<(string Name, double Value)> parameters)
        {
            Runs++;
            _group.Reset();
            foreach (var (name, value) in parameters) _group.Set(name, value);
            foreach (var (variable, expression) in _fitter._settings.ParamInit) _group.Set(variable, expression);
            _group.RunSteps(_fitter._steps);
            return [.. _monitor.Get(_fitter._output).Values];
        }

        public void Dispose() => _group.Dispose();
    }

    public void Dispose()
    {
        _group?.Dispose();
        _compiled.Dispose();
    }
}
