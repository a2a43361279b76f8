using System.Globalization;
using NeuroNative.Fitting.Optimizers;
using NeuroNative.Models;
using NeuroNative.Models.Units;

namespace NeuroNative.Fitting;

/// <summary>What a fitter is built with besides the model and the traces (brian2modelfitting's arguments).</summary>
public sealed record FitterSettings : SimulationSettings
{
    /// <summary>Parameter sets simulated per round (one batched run of NSamples × traces neurons), for the fitter's life.</summary>
    public required int NSamples { get; init; }
    /// <summary>A variable whose value at the end of a run is added to the error (mean over the traces); a
    /// <c>Fit</c> call may give another.</summary>
    public string? Penalty { get; init; }
    /// <summary>Search a parameter whose positive bounds span two decades or more on a log scale (conductances from
    /// pS to µS): the optimizer then samples every decade alike. False: every parameter linearly, as brian2modelfitting.</summary>
    public bool LogScale { get; init; } = true;
}

/// <summary>A bad fitter setup or call: the message names the argument (<c>bounds.gl</c>, <c>input.I</c>) and what was expected.</summary>
public sealed class FitException(string message) : Exception(message);

/// <summary>One evaluated parameter set (SI values by name) and its error: what the optimizer was told (the sum over the
/// outputs of each metric's normalized error, plus the penalty). <see cref="Objectives"/>: each output's error in its
/// metric's own units (unnormalized, without the penalty).</summary>
public sealed record FitEvaluation(int Round, IReadOnlyDictionary<string, double> Parameters, double Error)
{
    public IReadOnlyDictionary<string, double> Objectives { get; init; } = new Dictionary<string, double>();
}

/// <summary>What a round found: its best evaluation and the best so far; <see cref="Round"/> counts from 0 over the
/// fit's life, <see cref="Rounds"/> is the number the current <c>Fit</c> call runs.</summary>
public readonly record struct FitRound(int Round, FitEvaluation RoundBest, FitEvaluation Best)
{
    public int Rounds { get; init; }
}

/// <summary>The fit's outcome: the best parameters (SI, by name) and error after the rounds run.</summary>
public sealed record FitResult(IReadOnlyDictionary<string, double> BestParams, double BestError, int Rounds);

/// <summary>
/// What TraceFitter, SpikeFitter and OnlineTraceFitter share (brian2modelfitting's Fitter): the model compiled once by
/// a <see cref="BatchedTraceSimulator"/>, and <c>Fit</c>'s rounds of ask (one batch), simulate (one batched run of
/// NSamples × n_traces neurons, reset between rounds), tell. Each fitter says what a run records and how the errors
/// follow from it.
/// </summary>
public abstract class Fitter : IDisposable
{
    private readonly List<FitEvaluation> _results = [];
    private SimulationBatch? _batch;
    private IOptimizer? _optimizer;
    private IReadOnlyList<object>? _metrics;
    private ParameterSpace? _space;
    private int _round;

    private protected Fitter(ModelDefinition model, IReadOnlyDictionary<string, Traces> input, IReadOnlyDictionary<string, Traces> targets,
        FitterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.NSamples < 1) throw new FitException($"n_samples: must be 1 or more, not {settings.NSamples}");
        Settings = settings;
        Simulator = new BatchedTraceSimulator(model, input, settings, targets, settings.NSamples);
    }

    private protected BatchedTraceSimulator Simulator { get; }
    public FitterSettings Settings { get; }
    /// <summary>The model as simulated (with the input variables, <c>&lt;var&gt;_target</c> and <c>iteration</c> defined).</summary>
    public ModelDefinition Model => Simulator.Model;
    /// <summary>The output names, in the order of the per-output metrics.</summary>
    public abstract IReadOnlyList<string> OutputNames { get; }
    /// <summary>Every evaluated parameter set with its error, in the order evaluated.</summary>
    public IReadOnlyList<FitEvaluation> Results => _results;
    /// <summary>The evaluation of the lowest error (the first of equal ones; NaN counts as +∞); null before a fit.</summary>
    public FitEvaluation? Best { get; private set; }
    /// <summary>The best parameters (SI, by name); null before a fit.</summary>
    public IReadOnlyDictionary<string, double>? BestParams => Best?.Parameters;
    /// <summary>The best parameters with their units (brian2modelfitting's <c>best_params</c> with <c>use_units</c>).</summary>
    public IReadOnlyDictionary<string, Quantity>? BestQuantities => BestParams?.ToDictionary(p => p.Key, p => new Quantity(p.Value, UnitOf(p.Key)));
    public double BestError => Best?.Error ?? double.NaN;
    /// <summary>The population each round simulates.</summary>
    public int PopulationSize { get; private set; }
    /// <summary>The <c>iteration</c> variable of the next round (brian2modelfitting: 0 at a new fit, +1 per round).</summary>
    public double Iteration { get; private set; }
    /// <summary>The fitted parameters' search space of the current fit; null before one.</summary>
    public ParameterSpace? Space => _space;
    /// <summary>Rounds run since the fit began.</summary>
    public int RoundsRun => _round;
    /// <summary>Seconds the fit's rounds spent in the optimizer (Ask and Tell), the rest being simulation and metric:
    /// what overlapping the two could at most save (docs/fitting.md).</summary>
    public double OptimizerSeconds => _optimizerTime.Elapsed.TotalSeconds;
    private readonly System.Diagnostics.Stopwatch _optimizerTime = new();

    /// <summary>The unit of a parameter of the model.</summary>
    public Dimension UnitOf(string parameter) =>
        Simulator.Analyzed.Parameters.FirstOrDefault(p => p.Name == parameter)?.Dimension
        ?? throw new FitException($"{parameter}: not a parameter of the model");

    /// <summary>Every evaluation as a table (brian2modelfitting's <c>results(format=...)</c>).</summary>
    public FitTable ResultsTable() => new(
        _space?.Parameters.Select(p => new FitColumn(p.Name, UnitOf(p.Name))).ToArray() ?? [],
        OutputNames, _results);

    /// <summary>The rounds: one batch asked, simulated as one run, told. A later call continues the same search unless
    /// <paramref name="restart"/>; another optimizer or metric without a restart is an error. <paramref name="metrics"/>
    /// is per output, in <see cref="OutputNames"/>' order.</summary>
    private protected FitResult FitRounds(IOptimizer optimizer, IReadOnlyList<object> metrics, int rounds,
        IReadOnlyDictionary<string, (double Lower, double Upper)> bounds, Func<FitRound, bool>? callback, bool restart, int? startIteration,
        string? penalty, ulong seed, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(bounds);
        if (rounds < 0) throw new FitException($"n_rounds: must be 0 or more, not {rounds}");
        if (!restart && _optimizer is not null)
        {
            if (!ReferenceEquals(optimizer, _optimizer))
                throw new FitException("optimizer: differs from the last fit's; pass restart: true to start a new fit with it");
            if (!metrics.SequenceEqual(_metrics!, ReferenceEqualityComparer.Instance))
                throw new FitException("metric: differs from the last fit's; pass restart: true to start a new fit with it");
            if (!bounds.Keys.ToHashSet().SetEquals(_space!.Parameters.Select(p => p.Name)))
                throw new FitException("bounds: a continued fit needs the same parameters as before; pass restart: true to change them");
        }
        penalty ??= Settings.Penalty;
        if (penalty is not null && Simulator.Analyzed.States.All(s => s.Name != penalty) && Simulator.Analyzed.Subexpressions.All(s => s.Name != penalty)
            && Simulator.Analyzed.Parameters.All(p => p.Name != penalty))
            throw new FitException($"penalty: '{penalty}' is not a variable or subexpression of the model");
        if (restart || _optimizer is null)
        {
            var space = SpaceOf(bounds);
            int population = optimizer.Initialize(space, Settings.NSamples, seed);
            if (population != Settings.NSamples)
                throw new FitException($"{optimizer.Method} uses a population of {population}, not n_samples = {Settings.NSamples}; " +
                    $"build the fitter with n_samples: {population}");
            _space = space;
            PopulationSize = population;
            _optimizer = optimizer;
            _metrics = metrics;
            _results.Clear();
            Best = null;
            _round = 0;
            _optimizerTime.Reset();
            Iteration = 0;
            _batch?.Dispose();
            _batch = null;
        }
        if (startIteration is { } start) Iteration = start;
        var recording = Recording(penalty);
        if (_batch is null || _batch.Recording != recording)
        {
            _batch?.Dispose();
            _batch = Simulator.CreateBatch(PopulationSize, recording);
        }
        var names = _space!.Parameters.Select(p => p.Name).ToArray();
        int traces = Simulator.TraceCount;
        for (int r = 0; r < rounds; r++)
        {
            cancellation.ThrowIfCancellationRequested();
            _optimizerTime.Start();
            var batch = optimizer.Ask();
            _optimizerTime.Stop();
            var result = _batch.Run(names, batch, Iteration, cancellation);
            var objectives = Objectives(result);
            double[]? extra = penalty is null ? null : result.Final[penalty];
            var errors = new double[batch.Count];
            FitEvaluation? roundBest = null;
            for (int s = 0; s < batch.Count; s++)
            {
                double error = 0;
                var named = new Dictionary<string, double>();
                for (int o = 0; o < objectives.Count; o++)
                {
                    error += objectives[o].Normalized[s];
                    named[OutputNames[o]] = objectives[o].Raw[s];
                }
                if (extra is not null)
                {
                    double sum = 0;
                    for (int t = 0; t < traces; t++) sum += extra[s * traces + t];
                    error += sum / traces;
                }
                errors[s] = error;
                var evaluation = new FitEvaluation(_round, names.Select((n, k) => (n, batch[s][k])).ToDictionary(x => x.n, x => x.Item2), error)
                {
                    Objectives = named,
                };
                _results.Add(evaluation);
                if (Better(evaluation, Best)) Best = evaluation;
                if (Better(evaluation, roundBest)) roundBest = evaluation;
            }
            _optimizerTime.Start();
            optimizer.Tell(batch, errors);
            _optimizerTime.Stop();
            _round++;
            Iteration++;
            if (callback is not null && !callback(new FitRound(_round - 1, roundBest!, Best!) { Rounds = rounds })) break;
        }
        return new FitResult(BestParams ?? new Dictionary<string, double>(), BestError, _round);
    }

    private static bool Better(FitEvaluation candidate, FitEvaluation? than) =>
        than is null || candidate.Error < than.Error || (double.IsNaN(than.Error) && !double.IsNaN(candidate.Error));

    private ParameterSpace SpaceOf(IReadOnlyDictionary<string, (double Lower, double Upper)> bounds)
    {
        if (bounds.Count == 0) throw new FitException("bounds: give the bounds of at least one parameter to fit");
        var constants = Simulator.Analyzed.Parameters.Where(p => p.IsConstant && !p.IsShared).Select(p => p.Name).ToHashSet();
        foreach (var (name, (lo, hi)) in bounds)
        {
            if (!constants.Contains(name))
                throw new FitException($"bounds.{name}: not a constant parameter of the model (declare it as '{name} : <unit> (constant)'; " +
                    $"constant parameters: {string.Join(", ", constants.Order())})");
            if (!double.IsFinite(lo) || !double.IsFinite(hi) || !(lo < hi))
                throw new FitException(string.Create(CultureInfo.InvariantCulture, $"bounds.{name}: [{lo}, {hi}] must be finite with lower < upper"));
        }
        return new ParameterSpace(bounds.Select(b => new Parameter(b.Key, b.Value.Lower, b.Value.Upper,
            LogScale: Settings.LogScale && b.Value.Lower > 0 && b.Value.Upper >= 100 * b.Value.Lower)));
    }

    /// <summary>What the fit's batch records for the current metrics (and the penalty, as a final value).</summary>
    private protected abstract BatchRecording Recording(string? penalty);

    /// <summary>Per output (in <see cref="OutputNames"/>' order) each set's error as the optimizer sees it and in the
    /// metric's units.</summary>
    private protected abstract IReadOnlyList<(double[] Normalized, double[] Raw)> Objectives(BatchResult result);

    /// <summary>The fit's current metrics, per output; null before a fit.</summary>
    private protected IReadOnlyList<object>? Metrics => _metrics;

    /// <summary>One run of one parameter set on every trace: the best fit's parameters overridden by
    /// <paramref name="parameters"/> (SI, by name), iteration <paramref name="iteration"/>.</summary>
    private protected BatchResult RunOne(IReadOnlyDictionary<string, double>? parameters, BatchRecording recording, double iteration, string what)
    {
        var chosen = new Dictionary<string, double>(BestParams ?? (parameters is null
            ? throw new FitException($"{what}: no fit has run yet, so there are no best parameters; give the parameters")
            : new Dictionary<string, double>()));
        foreach (var (k, v) in parameters ?? new Dictionary<string, double>())
        {
            if (Simulator.Analyzed.Parameters.All(p => p.Name != k)) throw new FitException($"{what}: '{k}' is not a parameter of the model");
            chosen[k] = v;
        }
        using var batch = Simulator.CreateBatch(1, recording);
        return batch.Run(chosen.Keys.ToArray(), [chosen.Values.ToArray()], iteration);
    }

    /// <summary>brian2modelfitting's <c>generate_traces</c>: the traces of <paramref name="variable"/> (default: the first
    /// output that is a trace) per input trace, with the best parameters found overridden by <paramref name="parameters"/>
    /// (SI, by name; all of them before a fit), at <c>iteration</c> = <paramref name="iteration"/> (1e9 as there, so that
    /// terms that fade with the iteration are gone).</summary>
    public double[][] GenerateTraces(IReadOnlyDictionary<string, double>? parameters = null, double iteration = 1e9, string? variable = null)
    {
        variable ??= Simulator.Targets.Keys.FirstOrDefault()
            ?? throw new FitException("generate traces: this fitter has no trace output; name the variable to record");
        return RunOne(parameters, new BatchRecording { Traces = [variable] }, iteration, "generate traces").Traces[variable];
    }

    /// <summary>brian2modelfitting's <c>generate_spikes</c>: the spike times (s) per input trace, with the best or the
    /// given parameters (as <see cref="GenerateTraces"/>).</summary>
    public IReadOnlyList<double[]> GenerateSpikes(IReadOnlyDictionary<string, double>? parameters = null, double iteration = 1e9) =>
        RunOne(parameters, new BatchRecording { SpikeCapacity = (int)Math.Min(int.MaxValue / Simulator.TraceCount, Simulator.Steps) }, iteration,
            "generate spikes").Spikes!;

    /// <summary>Averages per-neuron errors over each set's traces.</summary>
    private protected double[] PerSet(IReadOnlyList<double> perNeuron)
    {
        int traces = Simulator.TraceCount;
        var errors = new double[perNeuron.Count / traces];
        for (int s = 0; s < errors.Length; s++)
        {
            double sum = 0;
            for (int r = 0; r < traces; r++) sum += perNeuron[s * traces + r];
            errors[s] = sum / traces;
        }
        return errors;
    }

    public void Dispose()
    {
        _batch?.Dispose();
        Simulator.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A column of a <see cref="FitTable"/>: a fitted parameter and its unit.</summary>
public sealed record FitColumn(string Name, Dimension Unit);

/// <summary>Every evaluation of a fit (brian2modelfitting's <c>results()</c>) in its three shapes: <see cref="AsList"/>
/// (format 'list': a row per evaluation), <see cref="AsDictionary"/> (format 'dict': a column per name) and
/// <see cref="Columns"/> with <see cref="Rows"/> (format 'dataframe'). Columns: the parameters (SI), then
/// <c>error</c>, then with several outputs each output's error.</summary>
public sealed class FitTable(IReadOnlyList<FitColumn> parameters, IReadOnlyList<string> outputs, IReadOnlyList<FitEvaluation> evaluations)
{
    public IReadOnlyList<FitColumn> Parameters { get; } = parameters;
    /// <summary>Every column name, in order.</summary>
    public IReadOnlyList<string> Columns { get; } =
        [.. parameters.Select(p => p.Name), "error", .. outputs.Count > 1 ? outputs.Select(o => $"error_{o}") : []];
    /// <summary>A row per evaluation, values in <see cref="Columns"/>' order.</summary>
    public IReadOnlyList<double[]> Rows { get; } = [.. evaluations.Select(e => (double[])[
        .. parameters.Select(p => e.Parameters[p.Name]), e.Error, .. outputs.Count > 1 ? outputs.Select(o => e.Objectives[o]) : []])];

    public IReadOnlyList<IReadOnlyDictionary<string, double>> AsList() =>
        [.. Rows.Select(r => (IReadOnlyDictionary<string, double>)Columns.Select((c, k) => (c, r[k])).ToDictionary(x => x.c, x => x.Item2))];

    public IReadOnlyDictionary<string, double[]> AsDictionary() =>
        Columns.Select((c, k) => (c, Rows.Select(r => r[k]).ToArray())).ToDictionary(x => x.c, x => x.Item2);

    /// <summary>The round of each row (from 0 over the fit's life).</summary>
    public IReadOnlyList<int> RoundOf { get; } = [.. evaluations.Select(e => e.Round)];

    /// <summary>The table as CSV (invariant culture): <c>round</c>, then the columns, the header the column names with
    /// their units in brackets.</summary>
    public void WriteCsv(TextWriter writer)
    {
        writer.WriteLine("round," + string.Join(",", Columns.Select((c, k) => k < Parameters.Count && Parameters[k].Unit != Dimension.Dimensionless
            ? $"{c} [{Parameters[k].Unit.ToBrianString()}]" : c)));
        for (int i = 0; i < Rows.Count; i++)
            writer.WriteLine(RoundOf[i].ToString(CultureInfo.InvariantCulture) + "," +
                string.Join(",", Rows[i].Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
    }
}

/// <summary>Ready-made <c>Fit</c> callbacks (brian2modelfitting's 'text' and 'progressbar').</summary>
public static class FitCallbacks
{
    /// <summary>brian2modelfitting's 'text': per round the round, the best parameters so far and their error.</summary>
    public static Func<FitRound, bool> Text(TextWriter writer) => round =>
    {
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Round {round.Round}: Best parameters {string.Join(", ", round.Best.Parameters.Select(p => $"{p.Key}={p.Value:G6}"))}  Best error: {round.Best.Error:G6}"));
        return true;
    };

    /// <summary>Reports (rounds done in this call, rounds of the call) after each round, e.g. to a progress bar.</summary>
    public static Func<FitRound, bool> Progress(IProgress<(int Done, int Total)> progress)
    {
        int done = 0;
        return round =>
        {
            progress.Report((++done, round.Rounds));
            return true;
        };
    }

    /// <summary>Stops the fit once the best error reaches <paramref name="error"/>.</summary>
    public static Func<FitRound, bool> StopBelow(double error) => round => !(round.Best.Error <= error);

    /// <summary>All of <paramref name="callbacks"/> in order; the fit stops when any asks to.</summary>
    public static Func<FitRound, bool> All(params Func<FitRound, bool>[] callbacks) => round =>
    {
        bool go = true;
        foreach (var c in callbacks) go &= c(round);
        return go;
    };
}
