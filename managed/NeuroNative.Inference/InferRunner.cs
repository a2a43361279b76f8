using System.Diagnostics;
using System.Text.Json;
using NeuroNative.Experiments;
using NeuroNative.Fitting;
using NeuroNative.Fitting.Features;
using NeuroNative.Models;
using NeuroNative.Plotting;

namespace NeuroNative.Inference;

/// <summary>How <see cref="InferRunner.Run"/> runs a job besides the file's settings.</summary>
public sealed record InferRunSettings
{
    public Backend Backend { get; init; } = Backend.Auto;
    /// <summary>Simulation threads; 0: every hardware thread.</summary>
    public int Threads { get; init; }
    /// <summary>LibTorch's threads. The networks are small: a second thread only adds a barrier per operation, and on
    /// a loaded machine one epoch of the HH case took 16 s with 2 threads against 0.3 s with 1 (docs/inference.md).</summary>
    public int TorchThreads { get; init; } = 1;
    /// <summary>Overrides the file's seed.</summary>
    public int? Seed { get; init; }
    /// <summary>Where each round's simulations are stored (<c>round_R/</c>, <see cref="SimulationStore"/>) and trained
    /// from, streamed from disk; null: simulated into memory.</summary>
    public string? Store { get; init; }
    /// <summary>Round 1's simulations from these stores (the shards of <see cref="InferRunner.SimulateShard"/>, joined)
    /// instead of simulating them.</summary>
    public IReadOnlyList<string> Simulations { get; init; } = [];
    /// <summary>Simulations per stored chunk.</summary>
    public int ChunkSize { get; init; } = SimulationStore.DefaultChunkSize;
}

/// <summary>Seconds spent per phase.</summary>
public sealed record InferTimings(double Simulation, double Training, double Sampling, double Sbc, double Total);

public sealed record InferReport(InferJob Job, Inferencer Inferencer, Posterior Posterior, double[,] Samples, SbcResult? Sbc,
                                 IReadOnlyList<TrainingSummary> Training, InferTimings Timings);

/// <summary>Runs an inference file: the Inferencer on the file's model and data, draws, SBC on held-out prior
/// simulations; <see cref="Write"/> writes the files of <c>neuronative infer</c>.</summary>
public static class InferRunner
{
    /// <summary>The features a job names: "default" (<see cref="SummaryFeatures.Default"/>), or the tutorial's and
    /// <see cref="TraceFeatures"/>' by name, on the stimulus window of the first input trace; "embedding": the raw
    /// output traces (<see cref="RawTraces"/>).</summary>
    public static IReadOnlyList<SummaryFeature> Features(InferJob job)
    {
        if (job.Features is ["embedding"]) return RawTraces.Features(job.Observation.First().Value.Samples, job.Downsample);
        var input = job.Input.First().Value.Rows[0];
        var (start, end) = SummaryFeatures.StimulusWindow(input, job.Dt);
        if (job.Features is ["default"]) return SummaryFeatures.Default(job.Dt, start, end);
        var tutorial = SummaryFeatures.Tutorial(job.Dt, start, end);
        return [.. job.Features.Select(name => tutorial.FirstOrDefault(f => f.Name == name)
            ?? SummaryFeatures.FromTraceFeatures([TraceFeatures.Get(name)], job.Dt, start, end)[0])];
    }

    /// <summary>The file's options with <see cref="InferRunSettings.Seed"/> applied.</summary>
    static InferOptions Options(InferJob job, InferRunSettings settings) =>
        settings.Seed is int s ? job.Options with { Seed = s } : job.Options;

    static Inferencer Create(InferJob job, InferRunSettings settings, InferOptions options) => new(job.Model, job.Input, job.Observation, new InferencerSettings
    {
        Dt = job.Dt, ParamInit = job.ParamInit, Backend = settings.Backend, Threads = settings.Threads,
        BatchSize = Math.Min(job.NSamples, 2000), NoiseStd = job.NoiseStd, NoiseSeed = (ulong)options.Seed,
    }, Features(job));

    /// <summary>The seed of round r's θ (from 0).</summary>
    static int RoundSeed(InferOptions options, int r) => options.Seed * 7919 + r;

    /// <summary>Simulates this shard's chunks of round 1 (k ≡ K mod N) into <c>Store/round_1</c>, resuming an
    /// interrupted shard; training later joins the shards (<see cref="InferRunSettings.Simulations"/>).</summary>
    public static StoreRun SimulateShard(InferJob job, InferRunSettings settings, Shard shard, IProgress<InferProgress>? progress = null,
                                         CancellationToken cancellationToken = default)
    {
        string store = settings.Store ?? throw new InferenceException("a shard's simulations need a store directory (--out)");
        TorchRuntime.EnsureLoaded(settings.TorchThreads);
        var options = Options(job, settings);
        using var inferencer = Create(job, settings, options);
        inferencer.InitPrior(job.Prior);
        return SimulationStore.Simulate(inferencer, Path.Combine(store, "round_1"), job.NSamples, RoundSeed(options, 0), settings.ChunkSize,
            shard: shard, progress: progress, round: 1, cancellationToken: cancellationToken).Run;
    }

    public static InferReport Run(InferJob job, InferRunSettings settings, IProgress<InferProgress>? progress = null,
                                  CancellationToken cancellationToken = default)
    {
        var total = Stopwatch.StartNew();
        TorchRuntime.EnsureLoaded(settings.TorchThreads);
        var options = Options(job, settings);
        var inferencer = Create(job, settings, options);
        try
        {
            inferencer.InitPrior(job.Prior);
            inferencer.InitInference(options);
            var sim = new Stopwatch();
            var train = new Stopwatch();
            var summaries = new List<TrainingSummary>();
            Posterior? posterior = null;
            for (int r = 0; r < options.NRounds; r++)
            {
                int round = r + 1, seed = RoundSeed(options, r);
                var relay = progress is null ? null
                    : new ProgressRelay<TrainingProgress>(t => progress.Report(new InferProgress(round, "train", t.Epoch, 0)));
                sim.Start();
                SimulationData? data = null;
                double[,]? theta = null, x = null;
                if (r == 0 && settings.Simulations.Count > 0)
                    data = SimulationStore.OpenRound1(inferencer, settings.Simulations, job.NSamples, seed, settings.ChunkSize);
                else if (settings.Store is { } store)
                {
                    string dir = Path.Combine(store, $"round_{round}");
                    var (plan, _) = SimulationStore.Simulate(inferencer, dir, job.NSamples, seed, settings.ChunkSize, posterior,
                        progress: progress, round: round, cancellationToken: cancellationToken);
                    data = SimulationStore.Open([dir], plan);
                }
                else
                {
                    theta = inferencer.GenerateTrainingData(job.NSamples, seed, posterior);
                    x = inferencer.ExtractFeatures(theta, progress, cancellationToken, round);
                }
                sim.Stop();
                train.Start();
                posterior = data is not null
                    ? inferencer.InferStep(data, options, posterior is not null, relay, cancellationToken)
                    : inferencer.InferStep(theta!, x!, options, posterior is not null, relay, cancellationToken);
                summaries.Add(inferencer.TrainingHistory[^1]);
                train.Stop();
            }
            var sampling = Stopwatch.StartNew();
            var samples = inferencer.Sample(job.NDraws, options.Seed, cancellationToken);
            sampling.Stop();
            var sbcTime = new Stopwatch();
            SbcResult? sbc = null;
            // SBC checks an amortized posterior; a multi-round one is only valid at the observation.
            if (job.SbcSimulations > 1 && options.NRounds == 1)
            {
                sim.Start();
                var theta = inferencer.GenerateTrainingData(job.SbcSimulations, RoundSeed(options, 104729));
                var x = inferencer.ExtractFeatures(theta, progress, cancellationToken);
                sim.Stop();
                sbcTime.Start();
                sbc = Diagnostics.Sbc(posterior!, theta, x, draws: 1000, seed: options.Seed, cancellationToken: cancellationToken);
                sbcTime.Stop();
            }
            return new InferReport(job, inferencer, posterior!, samples, sbc, summaries,
                new InferTimings(sim.Elapsed.TotalSeconds, train.Elapsed.TotalSeconds, sampling.Elapsed.TotalSeconds,
                    sbcTime.Elapsed.TotalSeconds, total.Elapsed.TotalSeconds));
        }
        catch
        {
            inferencer.Dispose();
            throw;
        }
    }

    /// <summary>posterior.nnpost, samples.npy [draws, params] (the prior's order, SI), summary.json, pairplot.png and,
    /// with SBC, sbc.png; returns the file names.</summary>
    public static IReadOnlyList<string> Write(InferReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        var names = report.Posterior.ParameterNames;
        report.Posterior.Save(Path.Combine(directory, "posterior.nnpost"));
        files.Add("posterior.nnpost");
        var s = report.Samples;
        int n = s.GetLength(0), d = s.GetLength(1);
        var flat = new double[s.Length];
        Buffer.BlockCopy(s, 0, flat, 0, flat.Length * sizeof(double));
        var output = ExperimentOutput.Open(directory);   // each file written atomically
        output.WriteArray("samples.npy", flat, n, d);
        files.Add("samples.npy");

        var parameters = new Dictionary<string, object>();
        for (int j = 0; j < d; j++)
        {
            var col = Enumerable.Range(0, n).Select(i => s[i, j]).Order().ToArray();
            parameters[names[j]] = new
            {
                mean = col.Average(),
                median = Quantile(col, 0.5),
                lower95 = Quantile(col, 0.025),
                upper95 = Quantile(col, 0.975),
            };
        }
        var t = report.Timings;
        var summary = new Dictionary<string, object?>
        {
            ["parameters"] = parameters,
            ["method"] = report.Posterior.Method.ToString(),
            ["estimator"] = report.Posterior.Estimator.ToString().ToLowerInvariant(),
            ["n_samples"] = report.Job.NSamples,
            ["n_rounds"] = report.Job.Options.NRounds,
            ["n_draws"] = n,
            ["features"] = report.Inferencer.FeatureNames,
            ["observation"] = report.Inferencer.Observation,
            ["noise_std"] = report.Job.NoiseStd,
            ["embedding"] = report.Posterior.Embedding is { } e ? new
            {
                kind = e.Kind.ToString().ToLowerInvariant(), out_features = e.OutFeatures, hidden = e.HiddenFeatures, layers = e.Layers,
                kernel_size = e.KernelSize, pool_size = e.PoolSize, channels = e.Channels,
                downsample = report.Job.Downsample,
            } : null,
            ["epochs"] = report.Training.Select(x => x.Epochs).ToArray(),
            ["sbc"] = report.Sbc is { } sbc ? new { simulations = sbc.Ranks.GetLength(0), draws = sbc.Draws, bins = sbc.Bins, p_values = sbc.PValues, calibrated = sbc.Calibrated() } : null,
            ["timings"] = new { simulation_s = t.Simulation, training_s = t.Training, sampling_s = t.Sampling, sbc_s = t.Sbc, total_s = t.Total, torch_threads = TorchRuntime.Threads },
        };
        output.WriteText("summary.json", JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
        files.Add("summary.json");

        var limits = report.Job.Prior.Select(p => p.Value).ToArray();
        var units = names.Select(name => report.Inferencer.ParameterUnit(name)).ToArray();
        InferenceFigures.PairPlot(names, s, limits, units: units).SavePng(Path.Combine(directory, "pairplot.png"));
        files.Add("pairplot.png");
        if (report.Sbc is { } r)
        {
            InferenceFigures.SbcRanks(names, r.Ranks, r.Draws, r.Bins, r.PValues).SavePng(Path.Combine(directory, "sbc.png"));
            files.Add("sbc.png");
        }
        return files;
    }

    /// <summary>Linear interpolation between order statistics (numpy's default).</summary>
    static double Quantile(double[] sorted, double q)
    {
        double h = (sorted.Length - 1) * q;
        int lo = (int)Math.Floor(h), hi = Math.Min(sorted.Length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
