using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using NeuroNative.Backends;
using NeuroNative.Experiments;
using NeuroNative.Fitting.Features;
using NeuroNative.Fitting.Optimizers;

namespace NeuroNative.Fitting;

/// <summary>How a fit file's job runs on this machine (not part of the job: the same job gives the same numbers).</summary>
public sealed record FitRunSettings
{
    public Backend Backend { get; init; } = Backend.Auto;
    /// <summary>Worker threads; 0 uses every hardware thread.</summary>
    public int Threads { get; init; }
    /// <summary>Overrides the file's seed.</summary>
    public ulong? Seed { get; init; }
}

/// <summary>Seconds spent building the fitter (compiling the model), in the rounds, and refining; of the rounds', the
/// seconds in the optimizer (the rest simulates and computes errors).</summary>
public sealed record FitTimings(double SetupSeconds, double FitSeconds, double RefineSeconds, double OptimizerSeconds)
{
    public double TotalSeconds => SetupSeconds + FitSeconds + RefineSeconds;
}

/// <summary>A finished fit: the rounds' best, the refinement, every evaluation, and the best parameters' outputs.</summary>
public sealed record FitReport(FitJob Job, ulong Seed, FitResult Result, IReadOnlyList<FitRound> Rounds, FitTable History,
    FitEvaluation? Refined, IReadOnlyDictionary<string, double[][]> BestTraces, IReadOnlyList<double[]>? BestSpikes, FitTimings Timings)
{
    /// <summary>Stopped (Ctrl-C) after <see cref="FitResult.Rounds"/> rounds: those are the result.</summary>
    public bool Cancelled { get; init; }
}

/// <summary>
/// Runs a <see cref="FitJob"/> (a fit file): the fitter it names, the optimizer and metric from their specs, the rounds,
/// the optional refinement, then the outputs with the final parameters; <see cref="Write"/> puts it in a directory
/// (fit.json, history.csv, best_traces.npy / best_spikes.csv; docs/fitting.md).
/// </summary>
public static class FitRunner
{
    /// <param name="callback">Hears each round; returning false stops the fit after it (what is done is reported).</param>
    public static FitReport Run(FitJob job, FitRunSettings settings, Func<FitRound, bool>? callback = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(settings);
        ulong seed = settings.Seed ?? job.Seed;
        var clock = Stopwatch.StartNew();
        var fitterSettings = new FitterSettings
        {
            Dt = job.Dt,
            NSamples = job.NSamples,
            Method = job.Model.Method,
            Threshold = job.Model.Threshold,
            Reset = job.Model.Reset,
            Refractory = job.Model.Refractory,
            ParamInit = job.ParamInit,
            Penalty = job.Penalty,
            Backend = settings.Backend,
            Threads = settings.Threads,
        };
        var bounds = job.Bounds.ToDictionary(b => b.Key, b => b.Value);
        var optimizer = OptimizerFactory.Create(job.OptimizerMethod, job.OptimizerOptions);
        var rounds = new List<FitRound>();
        bool Hear(FitRound round)
        {
            rounds.Add(round);
            return callback?.Invoke(round) ?? true;
        }

        // The fitter the file names and its Fit call with the file's metric.
        var (fitter, fit) = job.Fitter switch
        {
            FitterKind.Spike => Fitting(new SpikeFitter(job.Model, job.Input, job.OutputSpikes!, fitterSettings), f => f.Fit(optimizer,
                new GammaFactor(Option(job.Metric, "delta", 2e-3), Option(job.Metric, "time", job.Input.First().Value.Samples * job.Dt),
                    Option(job.Metric, "t_start", 0.0), Option(job.Metric, "normalization", 1.0), Option(job.Metric, "rate_correction", true)),
                job.NRounds, bounds, Hear, seed: seed, cancellation: cancellation)),
            FitterKind.Online => Fitting(new OnlineTraceFitter(job.Model, job.Input, job.Output, fitterSettings, Option(job.Metric, "t_start", 0.0)),
                f => f.Fit(optimizer, job.NRounds, bounds, Hear, seed: seed, cancellation: cancellation)),
            _ => Fitting(new TraceFitter(job.Model, job.Input, job.Output, fitterSettings),
                f => f.Fit(optimizer, TraceMetric(job.Metric), job.NRounds, bounds, Hear, seed: seed, cancellation: cancellation)),
        };
        using var owned = fitter;
        double setup = clock.Elapsed.TotalSeconds;
        FitResult result;
        bool cancelled = false;
        try { result = fit(); }
        catch (OperationCanceledException) when (fitter.Best is not null)
        {
            // Stopped between rounds: the rounds done are the result (and are written), without a refinement.
            cancelled = true;
            result = new FitResult(fitter.BestParams!, fitter.BestError, fitter.RoundsRun);
        }
        double fitted = clock.Elapsed.TotalSeconds;
        FitEvaluation? refined = null;
        if (job.Refine is { } refine && !cancelled)
            refined = fitter is TraceFitter trace ? trace.Refine(maxIterations: refine.MaxIterations, gradient: refine.Gradient)
                : throw new FitException($"refine: least squares refines trace fits, not {job.Fitter.ToString().ToLowerInvariant()} fits");
        double refinedAt = clock.Elapsed.TotalSeconds;
        var final = refined?.Parameters ?? result.BestParams;
        var traces = job.Output.Keys.ToDictionary(o => o, o => fitter.GenerateTraces(final, variable: o));
        var spikes = fitter is SpikeFitter ? fitter.GenerateSpikes(final) : null;
        return new FitReport(job, seed, result, rounds, fitter.ResultsTable(), refined, traces, spikes,
            new FitTimings(setup, fitted - setup, refinedAt - fitted, fitter.OptimizerSeconds)) { Cancelled = cancelled };
    }

    private static (Fitter, Func<FitResult>) Fitting<TFitter>(TFitter fitter, Func<TFitter, FitResult> fit) where TFitter : Fitter =>
        (fitter, () => fit(fitter));

    private static ITraceMetric TraceMetric(MetricSpec spec) => spec.Type switch
    {
        "MSE" => new MSEMetric(Option(spec, "t_start", 0.0), null, Option(spec, "normalization", 1.0)),
        "Feature" => new FeatureMetric(Option<IReadOnlyList<(double, double)>>(spec, "stim_times", []),
            [.. Option<string[]>(spec, "features", [.. TraceFeatures.Default.Select(f => f.Name)]).Select(TraceFeatures.Get)],
            Option<IReadOnlyDictionary<string, double>?>(spec, "weights", null), missingError: Option(spec, "missing_error", 1.0),
            spikeThreshold: Option(spec, "spike_threshold", -20e-3), normalization: Option(spec, "normalization", 1.0)),
        _ => throw new FitException($"metric.type: {spec.Type} is not a trace metric (MSE, Feature)"),
    };

    private static T Option<T>(MetricSpec spec, string name, T fallback) => spec.Options.TryGetValue(name, out var v) ? (T)v : fallback;

    /// <summary>Writes the report into <paramref name="directory"/> (created if needed), each file atomically; returns
    /// the names written.</summary>
    public static IReadOnlyList<string> Write(FitReport report, string directory)
    {
        var output = ExperimentOutput.Open(directory);
        output.Write("history.csv", s =>
        {
            using var writer = new StreamWriter(s, leaveOpen: true);
            report.History.WriteCsv(writer);
        });
        foreach (var (variable, rows) in report.BestTraces)
        {
            int samples = rows.Length == 0 ? 0 : rows[0].Length;
            var flat = rows.SelectMany(r => r).ToArray();
            output.WriteArray(report.BestTraces.Count == 1 ? "best_traces.npy" : $"best_traces_{variable}.npy", flat, rows.Length, samples);
        }
        if (report.BestSpikes is { } spikes)
            output.WriteText("best_spikes.csv", "trace,time\n" + string.Concat(spikes.SelectMany((times, r) =>
                times.Select(t => $"{r},{ExperimentOutput.G17(t)}\n"))));
        output.Write("fit.json", s => WriteJson(s, report, output.Written));
        return output.Written;
    }

    private static void WriteJson(Stream stream, FitReport report, IReadOnlyList<string> files)
    {
        var job = report.Job;
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("fit_file", job.Source);
        json.WriteString("fitter", job.Fitter.ToString().ToLowerInvariant());
        json.WriteString("optimizer", job.OptimizerMethod);
        json.WriteString("metric", job.Metric.Type);
        json.WriteNumber("n_samples", job.NSamples);
        json.WriteNumber("n_rounds", job.NRounds);
        json.WriteNumber("rounds_run", report.Result.Rounds);
        json.WriteBoolean("cancelled", report.Cancelled);
        json.WriteNumber("seed", report.Seed);
        Parameters("parameters", report.Result.BestParams);
        Number("error", report.Result.BestError);
        if (report.Refined is { } refined)
        {
            json.WriteStartObject("refined");
            Parameters("parameters", refined.Parameters);
            Number("error", refined.Error);
            json.WriteEndObject();
        }
        json.WriteStartArray("rounds");
        foreach (var round in report.Rounds)
        {
            json.WriteStartObject();
            json.WriteNumber("round", round.Round);
            Number("round_best_error", round.RoundBest.Error);
            Number("best_error", round.Best.Error);
            Parameters("best_parameters", round.Best.Parameters);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartObject("timings");
        json.WriteNumber("setup_s", report.Timings.SetupSeconds);
        json.WriteNumber("fit_s", report.Timings.FitSeconds);
        json.WriteNumber("optimizer_s", report.Timings.OptimizerSeconds);
        json.WriteNumber("refine_s", report.Timings.RefineSeconds);
        json.WriteNumber("total_s", report.Timings.TotalSeconds);
        json.WriteEndObject();
        json.WriteString("version", ExperimentOutput.Version);
        json.WriteStartArray("files");
        foreach (string f in files) json.WriteStringValue(f);
        json.WriteStringValue("fit.json");
        json.WriteEndArray();
        json.WriteEndObject();

        void Parameters(string name, IReadOnlyDictionary<string, double> values)
        {
            json.WriteStartObject(name);
            // In the order of the file's bounds, SI.
            foreach (var (p, _) in job.Bounds) Number(p, values.TryGetValue(p, out double v) ? v : double.NaN);
            json.WriteEndObject();
        }

        void Number(string name, double value)
        {
            if (double.IsFinite(value)) json.WriteNumber(name, value);
            else json.WriteString(name, value.ToString(CultureInfo.InvariantCulture));
        }
    }
}
