using System.Globalization;
using NeuroNative.Backends.Reference;
using NeuroNative.Experiments;
using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using NeuroNative.Models.Units;
using NeuroNative.Runs;

namespace NeuroNative.Explorations;

/// <summary>
/// Runs the explorations of a <see cref="SimulationExperiment"/>: each is one <see cref="Experiments.Experiment"/>
/// of the dynamics as a Brian model (a condition per neuron, the explored parameters per neuron), run by the
/// <see cref="ExperimentRunner"/> with a state monitor at the sampling step; the samples before the cutoff are
/// dropped and every condition summarised. Problems with the experiment are <see cref="ExplorationException"/>s
/// naming the declaration (<c>explorations.mu_sweep.parameters.mu</c>) and what was expected.
/// </summary>
public static class ExplorationRunner
{
    /// <summary>Random stream of shared input noise k (model code uses streams below 2^31, noise terms above).</summary>
    private const uint InputStream = 0x40000000u;

    /// <param name="chunking">With a <paramref name="directory"/>: each exploration runs as a chunked, resumable run
    /// (Runs/ChunkedRunner) whose result holds the summaries, its samples only in the files; null: in one piece.</param>
    internal static SimulationResult Run(SimulationExperiment se, RunSettings settings, string? directory, ChunkOptions? chunking,
        IProgress<RunProgress>? progress, CancellationToken cancellation)
    {
        var explorations = se.Explorations.Count > 0
            ? se.Explorations.ToList()
            : [new Exploration(SimulationExperiment.DefaultExploration, [])];
        foreach (var duplicate in explorations.GroupBy(e => e.Name).Where(g => g.Count() > 1))
            throw new ExplorationException($"explorations.{duplicate.Key}", "two explorations have this name");
        // Every exploration is checked before the first one runs, so a mistake in the last is not found hours later.
        var prepared = explorations.Select(e => Prepare(se, e)).ToList();
        var results = new List<ExplorationResult>();
        var runs = new List<ExperimentResult>();
        foreach (var (exploration, experiment) in prepared)
        {
            if (directory is not null && chunking is not null)
            {
                var (chunked, described) = ChunkedRunner.Run(experiment, settings, chunking, Path.Combine(directory, exploration.Name),
                    new ExplorationTarget(se, exploration), progress, cancellation);
                if (chunked.Outcome == RunOutcome.Completed)
                {
                    runs.Add(chunked);
                    results.Add(described!);
                    continue;
                }
                // Cancelled: the chunks done are kept and nothing final is written. Diverged: a divergence ends every
                // condition's run at the first failing step (as one run does), which the chunks cannot know, so the
                // exploration runs again in one piece, up to it (a shard reports it).
                if (chunked.Outcome != RunOutcome.Diverged || chunking.Shard is not null)
                {
                    runs.Add(chunked);
                    break;
                }
            }
            var output = directory is null ? null : ExperimentOutput.Open(Path.Combine(directory, exploration.Name));
            if (output is not null) ChunkedRunner.WriteHeader(output, experiment, new ExplorationTarget(se, exploration));
            var phaseProgress = progress is null ? null
                : new ProgressRelay<(long Done, long Total)>(v => progress.Report(RunProgress.OfSteps(exploration.Name, v.Done, v.Total, experiment.N)));
            var run = ExperimentRunner.Run(experiment, settings with { ColumnTraces = true }, phaseProgress, cancellation);
            var result = Result(exploration, experiment, run);
            if (output is not null)
            {
                ExplorationFiles.Write(output, result);
                output.WriteResults(run with { StateTimes = null, StateValues = [] }); // the samples are in state_<output>.npy
            }
            results.Add(result);
            runs.Add(run with { StateTimes = null, StateValues = [] });
            if (run.Outcome is RunOutcome.Cancelled or RunOutcome.Diverged) break;
        }
        return new SimulationResult(results, runs);
    }

    /// <summary>The checked experiment of one exploration.</summary>
    internal static (Exploration, Experiment) Prepare(SimulationExperiment se, Exploration exploration)
    {
        var dynamics = se.Dynamics;
        var integration = se.Integration;
        string key = $"explorations.{exploration.Name}";
        double dt = integration.StepSize, duration = integration.Duration;
        if (!(dt > 0) || !double.IsFinite(dt)) throw new ExplorationException("integration.step_size", $"must be a positive number, not {F(dt)}");
        if (!(duration > 0) || !double.IsFinite(duration)) throw new ExplorationException("integration.duration", $"must be a positive number, not {F(duration)}");
        long steps = (long)Math.Round(duration / dt);
        if (steps < 1) throw new ExplorationException("integration.duration", $"{F(duration)} is less than one step of {F(dt)}");

        // Conditions: per axis, its value in each condition.
        var axes = new List<(ExploredParameter Parameter, double[] Values)>();
        foreach (var p in exploration.Parameters)
        {
            double[] values;
            try { values = p.Domain.Values(); }
            catch (ArgumentException e) { throw new ExplorationException($"{key}.parameters.{p.Name}", e.Message); }
            if (values.Any(v => !double.IsFinite(v)))
                throw new ExplorationException($"{key}.parameters.{p.Name}", "every value must be a finite number");
            foreach (string target in p.TargetNames)
                if (!dynamics.IsParameter(target))
                    throw new ExplorationException($"{key}.parameters.{p.Name}",
                        $"'{target}' is not a parameter of {dynamics.Name}{Suggest(target, dynamics.Parameters.Select(x => x.Name))} " +
                        $"(parameters: {string.Join(", ", dynamics.Parameters.Select(x => x.Name))})");
            axes.Add((p, values));
        }
        foreach (var clash in axes.SelectMany(a => a.Parameter.TargetNames).GroupBy(t => t).Where(g => g.Count() > 1))
            throw new ExplorationException($"{key}.parameters", $"'{clash.Key}' is set by two explored parameters");
        if (exploration.Mode == SweepMode.Zip && axes.Count > 1 && axes.Any(a => a.Values.Length != axes[0].Values.Length))
            throw new ExplorationException($"{key}.mode", "zip needs equally long value lists, but " +
                string.Join(", ", axes.Select(a => $"'{a.Parameter.Name}' has {a.Values.Length}")));
        var sweep = axes.Count == 0 ? null : new Sweep(exploration.Mode,
            [.. axes.Select(a => new SweepParameter(a.Parameter.Name, Dimension.Dimensionless, true, a.Values))]);
        int conditions = sweep?.Count ?? 1;
        var columns = sweep?.Columns() ?? [];
        // One sweep column per target (zip of per-condition values), so that one axis may drive several parameters.
        var targets = axes.SelectMany((a, k) => a.Parameter.TargetNames.Select(t => new SweepParameter(t, Dimension.Dimensionless, true, columns[k])))
            .ToList();

        // Outputs.
        var outputs = se.Outputs.Variables.Count > 0
            ? se.Outputs.Variables
            : [.. dynamics.StateVariables.Select(s => new OutputVariable(s.Name))];
        var outputExpressions = new List<(string, string, string)>();
        foreach (var o in outputs)
        {
            if (o.Expression is { } expression)
            {
                if (dynamics.IsParameter(o.Name) || dynamics.IsStateVariable(o.Name) || dynamics.IsDerivedVariable(o.Name))
                    throw new ExplorationException($"outputs.{o.Name}", $"'{o.Name}' is already a name of {dynamics.Name}; name the expression differently");
                outputExpressions.Add((o.Name, expression, $"outputs.{o.Name}"));
            }
            else if (!dynamics.IsStateVariable(o.Name) && !dynamics.IsDerivedVariable(o.Name))
                throw new ExplorationException("outputs.variables", $"'{o.Name}' is not a state or derived variable of {dynamics.Name}" +
                    Suggest(o.Name, dynamics.StateVariables.Select(s => s.Name).Concat(dynamics.DerivedVariables.Select(d => d.Name))));
        }
        foreach (var dup in outputs.GroupBy(o => o.Name).Where(g => g.Count() > 1))
            throw new ExplorationException("outputs.variables", $"'{dup.Key}' is listed twice");
        double ds = se.Outputs.SamplingStep ?? dt;
        long every = (long)Math.Round(ds / dt);
        if (!(ds > 0) || every < 1 || Math.Abs(every * dt - ds) > 1e-9 * ds)
            throw new ExplorationException("outputs.sampling_step", $"{F(ds)} is not a multiple of the step size {F(dt)}");
        double cutoff = se.Outputs.Cutoff;
        if (!(cutoff >= 0) || cutoff >= duration)
            throw new ExplorationException("outputs.cutoff", $"{F(cutoff)} must be at least 0 and before the end of the run ({F(duration)})");

        // Inputs: arrays become TimedArrays sampled every step; per-condition noise is drawn in the kernel.
        var used = dynamics.UndeclaredNames(outputExpressions.Select(o => o.Item2));
        foreach (string name in used.Where(n => !se.Inputs.ContainsKey(n)))
            throw new ExplorationException("inputs", $"'{name}' is used in the equations of {dynamics.Name} but is neither declared nor " +
                $"given as an input{Suggest(name, dynamics.Parameters.Select(p => p.Name).Concat(dynamics.StateVariables.Select(s => s.Name)))}");
        var arrays = new Dictionary<string, TimedArray>(StringComparer.Ordinal);
        var generated = new List<(string, string, string)>();
        int stream = 0;
        foreach (var (name, signal) in se.Inputs)
        {
            if (!used.Contains(name) && !dynamics.IsParameter(name))
                throw new ExplorationException($"inputs.{name}", $"{dynamics.Name} has no input or parameter '{name}' (inputs are names its " +
                    "equations use but do not declare, or parameters an input replaces)");
            if (targets.Any(t => t.Name == name))
                throw new ExplorationException($"inputs.{name}", $"'{name}' is explored in {exploration.Name}; it cannot also be an input");
            switch (signal)
            {
                case ArrayInput a:
                    if (a.Columns != 1 && a.Columns != conditions)
                        throw new ExplorationException($"inputs.{name}", $"{a.Columns} columns; expected 1 (all conditions) or {conditions} (one per condition of {exploration.Name})");
                    if (a.Steps < steps)
                        throw new ExplorationException($"inputs.{name}", $"{a.Steps} rows; expected one per integration step, {steps}");
                    int bad = Array.FindIndex(a.Values, v => !double.IsFinite(v));
                    if (bad >= 0)
                        throw new ExplorationException($"inputs.{name}", $"row {bad / a.Columns + 1}, column {bad % a.Columns + 1} is {F(a.Values[bad])}, expected a finite number");
                    arrays[name] = new TimedArray(a.Values, a.Columns, dt, Dimension.Dimensionless);
                    break;
                case NoiseInput { PerCondition: true } n:
                    generated.Add((name, n.Kind == NoiseKind.Uniform
                        ? $"{G(n.A)} + {G(n.B - n.A)}*rand()" : $"{G(n.A)} + {G(n.B)}*randn()", $"inputs.{name}"));
                    break;
                case NoiseInput n:
                    arrays[name] = new TimedArray(SharedNoise(n, se.Seed, InputStream + (uint)stream, steps), 1, dt, Dimension.Dimensionless);
                    break;
            }
            stream++;
        }

        var source = dynamics.ToModel(targets.Select(t => t.Name).ToHashSet(), arrays, [.. generated, .. outputExpressions]);
        var model = source.Model with { Method = MethodName(integration.Method) };
        StepProgram program;
        AnalyzedModel analyzed;
        try
        {
            analyzed = ModelAnalyzer.Analyze(model);
            program = IntegrationMethods.Derive(analyzed, dt);
        }
        catch (ModelException e)
        {
            throw new ExplorationException(Origin(source, e), e.Message, e);
        }
        var initial = dynamics.StateVariables.Select(s => new InitialValue(s.Name, G(s.InitialValue))).ToList();
        // The monitor records from the first sample kept, so the samples before the cutoff are never stored.
        long dropped = (long)Math.Round(cutoff / ds);
        double start = dropped * every * dt;
        var experiment = new Experiment
        {
            Source = se.Source,
            Model = model,
            Program = program,
            N = conditions,
            Dt = dt,
            Duration = duration,
            Seed = se.Seed,
            Sweep = targets.Count == 0 ? null : new Sweep(SweepMode.Zip, targets),
            Initial = initial,
            RecordState = new StateRecording([.. outputs.Select(o => o.Name)], [.. Enumerable.Range(0, conditions).Select(c => (long)c)], every),
        };
        if (dropped > 0)
            experiment = experiment with { Phases = [new Phase(start, [], false, false), new Phase(duration - start, [], false, true)] };
        return (exploration, experiment);
    }

    /// <summary>The engine's method for a dynamics method name: 'heun' is the deterministic predictor–corrector.</summary>
    private static string MethodName(string method) => method == "heun" ? "explicit_heun" : method;

    private static double[] SharedNoise(NoiseInput n, ulong seed, uint stream, long steps)
    {
        var values = new double[steps];
        for (long k = 0; k < steps; k++)
            values[k] = n.Kind == NoiseKind.Uniform
                ? n.A + (n.B - n.A) * Philox.Uniform(seed, 0, k, stream)
                : n.A + n.B * Philox.Normal(seed, 0, k, stream);
        return values;
    }

    private static string Origin(ModelSource source, ModelException e) =>
        e.Context == "equations" && e.Line >= 1 && e.Line <= source.LineOrigins.Count ? source.LineOrigins[e.Line - 1] : "dynamics";

    private static ExplorationResult Result(Exploration exploration, Experiment experiment, ExperimentResult run)
    {
        var times = run.StateTimes ?? []; // from the cutoff on (the monitor starts there)
        var series = run.StateValues.Select(trace => trace.Column!).ToList();
        return Describe(exploration, experiment, times, series, Summarize(experiment, series, 0, experiment.N, times.Length));
    }

    /// <summary>The summaries of conditions [first, first + count), whose samples are <paramref name="series"/> (per
    /// output, condition by condition).</summary>
    internal static ConditionSummary[] Summarize(Experiment experiment, IReadOnlyList<double[]> series, int first, int count, int samples)
    {
        var names = experiment.RecordState!.Variables;
        double ds = experiment.RecordState.EverySteps * experiment.Dt;
        var summaries = new ConditionSummary[count];
        Parallel.For(0, count, c =>
        {
            var perOutput = new Dictionary<string, OutputSummary>(StringComparer.Ordinal);
            for (int k = 0; k < names.Count; k++) perOutput[names[k]] = SeriesSummary.Of(series[k].AsSpan(c * samples, samples), ds);
            summaries[c] = new ConditionSummary(first + c, perOutput, null, null);
        });
        return summaries;
    }

    /// <summary>The exploration's result from its samples (<paramref name="series"/> empty when they are only in the
    /// files) and the summaries of its conditions (a shard's: consecutive ones from the first).</summary>
    internal static ExplorationResult Describe(Exploration exploration, Experiment experiment, double[] times, IReadOnlyList<double[]> series,
        IReadOnlyList<ConditionSummary> summaries)
    {
        var names = experiment.RecordState!.Variables;
        double ds = experiment.RecordState.EverySteps * experiment.Dt;
        int first = summaries.Count > 0 ? summaries[0].Condition : 0; // a shard's conditions start later
        var columns = experiment.Sweep is null ? [] : new Sweep(exploration.Mode,
            [.. exploration.Parameters.Select(p => new SweepParameter(p.Name, Dimension.Dimensionless, true, p.Domain.Values()))]).Columns();
        return new ExplorationResult
        {
            Name = exploration.Name,
            Axes = [.. exploration.Parameters.Select(p => new ExplorationAxis(p.Name, p.Domain.Values(), "", p.TargetNames))],
            Mode = exploration.Mode,
            OutputNames = names,
            Dt = ds,
            TimeUnit = "",
            Time = times,
            Series = series,
            ConditionValues = [.. Enumerable.Range(first, summaries.Count).Select(c =>
                (IReadOnlyDictionary<string, double>)exploration.Parameters.Select((p, k) => (p.Name, columns[k][c])).ToDictionary(x => x.Name, x => x.Item2))],
            Summaries = summaries,
        };
    }

    /// <summary>A Brian-model run as an exploration result: its sweep's axes (SI values, Brian's unit names) and
    /// per neuron its spike count and rate (spikes per second of the steps done); no time series.</summary>
    public static ExplorationResult FromRun(ExperimentResult run, string name)
    {
        var e = run.Experiment;
        var parameters = e.Sweep?.Parameters ?? [];
        var columns = e.Sweep?.Columns() ?? [];
        double seconds = run.StepsDone * e.Dt;
        var slice = run.Neurons;
        var summaries = new ConditionSummary[slice.Count];
        for (int c = 0; c < slice.Count; c++)
        {
            long? count = run.SpikeCounts is { } counts ? counts[c] : null;
            summaries[c] = new ConditionSummary(slice.First + c, new Dictionary<string, OutputSummary>(), count,
                count is { } k && seconds > 0 ? k / seconds : null);
        }
        return new ExplorationResult
        {
            Name = name,
            Axes = [.. parameters.Select(p => new ExplorationAxis(p.Name, p.Values, p.Unit.ToBrianString(), [p.Name]))],
            Mode = e.Sweep?.Mode ?? SweepMode.Product,
            OutputNames = [],
            Dt = e.Dt,
            TimeUnit = "s",
            Time = [],
            Series = [],
            ConditionValues = [.. Enumerable.Range(slice.First, slice.Count).Select(c =>
                (IReadOnlyDictionary<string, double>)parameters.Select((p, k) => (p.Name, columns[k][c])).ToDictionary(x => x.Name, x => x.Item2))],
            Summaries = summaries,
        };
    }

    private static string Suggest(string name, IEnumerable<string> candidates) =>
        ExpressionCompiler.Suggest(name, candidates) is { } s ? $" (did you mean '{s}'?)" : "";

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
    private static string G(double v) => v.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e") is var s && (s.Contains('.') || s.Contains('E')) ? s : s + ".0";
}

/// <summary>A problem with an exploration experiment: <see cref="Key"/> names the declaration
/// (<c>explorations.mu_sweep.parameters.mu</c>, <c>outputs.cutoff</c>, <c>state_variables.z.equation</c>).</summary>
public sealed class ExplorationException(string key, string message, Exception? inner = null) : Exception($"{key}: {message}", inner)
{
    public string Key { get; } = key;
    public string Detail { get; } = message;
}
