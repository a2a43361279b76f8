using NeuroNative.Experiments;
using NeuroNative.Explorations;

namespace NeuroNative.Runs;

/// <summary>How a run is split and continued (docs/long-runs.md).</summary>
public sealed record ChunkOptions
{
    /// <summary>Conditions per chunk; null: chosen from the memory a condition needs and the thread count.</summary>
    public int? ChunkSize { get; init; }
    /// <summary>Start over in a directory that holds another (or an unfinished) run.</summary>
    public bool Restart { get; init; }
    /// <summary>Run only this shard's conditions.</summary>
    public Shard? Shard { get; init; }
    /// <summary>Memory the recorded samples of one chunk may take (default 256 MiB; a chunk holds them twice while it
    /// is gathered, in the native monitor and in the managed column).</summary>
    public long ChunkMemoryBytes { get; init; } = 256L << 20;
    /// <summary>How often a chunk being run writes a snapshot (and it writes one when cancelled), so that a kill loses
    /// at most this much of a long chunk's work; null: none (a killed chunk starts over).</summary>
    public TimeSpan? SnapshotInterval { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>The directory holds a run of another experiment (or other settings): the message names the differences.</summary>
public sealed class RunMismatchException(string message) : Exception(message);

/// <summary>
/// A run as chunks of conditions, each one slice of the experiment's neurons run on its own (its neurons' indices,
/// parameters and random numbers: the results are those of one run), written to disk and recorded in the run catalog
/// as it finishes. A process started on a directory with an unfinished run of the same experiment skips the chunks
/// done, so a kill at any moment loses at most the chunks in progress; the final files are assembled from the chunk
/// files, byte-identical to a run in one piece.
/// </summary>
public static class ChunkedRunner
{
    public static ExperimentResult Run(Experiment experiment, RunSettings settings, ChunkOptions options, string directory,
        IProgress<RunProgress>? progress = null, CancellationToken cancellation = default) =>
        Run(experiment, settings, options, directory, null, progress, cancellation).Run;

    /// <param name="exploration">The exploration <paramref name="experiment"/> was prepared from: its files are an
    /// exploration's (docs/explorations.md), and its result comes back with the run's.</param>
    internal static (ExperimentResult Run, ExplorationResult? Exploration) Run(Experiment experiment, RunSettings settings, ChunkOptions options,
        string directory, ExplorationTarget? exploration, IProgress<RunProgress>? progress, CancellationToken cancellation)
    {
        if (settings.StopAtStep is not null || settings.ResumeFrom is not null || settings.Slice is not null)
            throw new ArgumentException("a chunked run resumes by itself; --stop-at-step, --resume and slices are for single runs", nameof(settings));
        var output = ExperimentOutput.Open(directory);
        var fingerprint = ExperimentFingerprint.Of(experiment, settings);
        var range = options.Shard is { } shard ? shard.Of(experiment.N) : new NeuronSlice(0, experiment.N);
        // --restart starts over even when the catalog is damaged (without it, the damage is reported).
        using var catalog = RunCatalog.Open(output.Directory, discardUnreadable: options.Restart);
        RemovePartialFiles(output.Directory);
        var chunks = Prepare(catalog, output.Directory, experiment, fingerprint, range, options, settings);
        // Each earlier chunk's file is checked once: a missing or damaged one is recomputed below.
        var valid = chunks.Where(c => c.State == ChunkState.Done && ChunkData.IsValid(ChunkData.PathOf(output.Directory, c.Id), c.Sha256))
            .Select(c => c.Id).ToHashSet();
        int doneBefore = valid.Count, chunksDone = doneBefore;
        long conditionsDone = chunks.Where(c => valid.Contains(c.Id)).Sum(c => (long)c.Count);
        long stepsBefore = conditionsDone * Steps(experiment);
        WriteHeader(output, experiment, exploration);

        long total = range.Count * Steps(experiment), done = stepsBefore;
        string label = exploration?.Exploration.Name ?? "";
        void Report(long neuronSteps, long before) =>
            progress!.Report(new RunProgress(label, neuronSteps, total, before, conditionsDone, range.Count, chunksDone, chunks.Count));
        if (progress is not null) Report(done, stepsBefore);
        ExperimentResult? last = null;
        CompiledModel? model = null; // built once, when the first chunk to run needs it
        try
        {
            foreach (var chunk in chunks)
            {
                var path = ChunkData.PathOf(output.Directory, chunk.Id);
                if (valid.Contains(chunk.Id)) continue;
                catalog.MarkRunning(chunk.Id);
                model ??= ExperimentRunner.Compile(experiment, settings);
                string snapshot = ChunkData.SnapshotPathOf(output.Directory, chunk.Id);
                var chunkSettings = settings with
                {
                    Slice = new NeuronSlice(chunk.First, chunk.Count),
                    ColumnTraces = true,
                    Checkpoints = options.SnapshotInterval is { } interval
                        ? new Checkpoints(snapshot, interval, step => catalog.MarkSnapshot(chunk.Id, step)) : null,
                };
                long offset = done;
                ExperimentResult result;
                string sha;
                // A failed write of a snapshot or the chunk (a full disk) leaves the chunk pending: the catalog says what is on disk.
                try
                {
                    result = RunChunk(experiment, chunkSettings, snapshot, chunk.SnapshotStep, model, cancellation, progress is null ? null
                        : resumedAt =>
                        {
                            long before = stepsBefore + resumedAt * chunk.Count;
                            return new ProgressRelay<(long Done, long Total)>(v => Report(offset + (resumedAt + v.Done) * chunk.Count, before));
                        });
                    if (result.Outcome != RunOutcome.Completed)
                    {
                        // Cancelled or diverged: the chunks done stay; this one continues from its snapshot next time (a
                        // diverged chunk's snapshot is from before the divergence, which comes again).
                        catalog.MarkPending(chunk.Id);
                        return (result, null);
                    }
                    sha = ChunkData.From(result).Write(path);
                }
                catch (ExperimentOutputException)
                {
                    catalog.MarkPending(chunk.Id);
                    throw;
                }
                last = result;
                stepsBefore += result.ResumedAtStep * chunk.Count;
                catalog.MarkDone(chunk.Id, sha, result.SimulationSeconds, result.Backend);
                File.Delete(snapshot);
                done += chunk.Count * Steps(experiment);
                chunksDone++;
                conditionsDone += chunk.Count;
                if (progress is not null) Report(done, stepsBefore);
            }
        }
        finally
        {
            model?.Dispose();
        }
        var summary = new ChunkSummary(chunks.Count, chunks.Max(c => c.Count), options.Shard, doneBefore, stepsBefore);
        var assembled = Assemble(output, [(catalog, output.Directory)], experiment, exploration, settings, range, summary, last);
        // The final files hold everything now; a shard keeps its chunks for the merge. A later run of the same
        // experiment in this directory starts over (its chunk files are gone).
        if (options.Shard is null)
        {
            catalog.Set("complete", "true");
            string chunkDirectory = Path.GetDirectoryName(ChunkData.PathOf(output.Directory, 0))!;
            if (Directory.Exists(chunkDirectory)) Directory.Delete(chunkDirectory, recursive: true);
        }
        return assembled;
    }

    private static long Steps(Experiment e) => (long)Math.Round(e.Duration / e.Dt);

    /// <summary>conditions.csv and model.md (an exploration's describes its dynamics), written before the run.</summary>
    internal static void WriteHeader(ExperimentOutput output, Experiment experiment, ExplorationTarget? exploration)
    {
        output.WriteConditions(experiment);
        if (exploration is null) output.WriteReport(experiment, Path.GetFileNameWithoutExtension(experiment.Source));
        else output.WriteText(ExperimentOutput.ReportFile, exploration.Experiment.Dynamics.Report());
    }

    /// <summary>One chunk, continued from its snapshot when an earlier process left one (a damaged or foreign one is
    /// removed and the chunk starts over). <paramref name="progress"/> is made for the step the run starts at.</summary>
    private static ExperimentResult RunChunk(Experiment experiment, RunSettings settings, string snapshot, long snapshotStep,
        CompiledModel model, CancellationToken cancellation, Func<long, IProgress<(long Done, long Total)>>? progress)
    {
        if (File.Exists(snapshot))
        {
            try { return ExperimentRunner.Run(experiment, settings with { ResumeFrom = snapshot }, progress?.Invoke(snapshotStep), cancellation, model); }
            catch (ArgumentException) { File.Delete(snapshot); }
        }
        return ExperimentRunner.Run(experiment, settings, progress?.Invoke(0), cancellation, model);
    }

    /// <summary>The temporary files a killed process left behind (a file is written under a temporary name ending in
    /// .&lt;pid&gt;.tmp and then renamed, so these never hold anything finished, and the output directory's probe);
    /// this process's own are left alone.</summary>
    private static void RemovePartialFiles(string directory)
    {
        string own = $".{Environment.ProcessId}.tmp";
        string chunks = Path.GetDirectoryName(ChunkData.PathOf(directory, 0))!;
        var stale = Directory.EnumerateFiles(directory, ".*.tmp")
            .Concat(Directory.Exists(chunks) ? Directory.EnumerateFiles(chunks, "*.tmp") : []);
        foreach (var f in stale.Where(f => !f.EndsWith(own, StringComparison.Ordinal))) File.Delete(f);
        // ExperimentOutput.Open's writability probe, left when a process is killed while it exists.
        foreach (var f in Directory.EnumerateFiles(directory, ".neuronative-probe-*")
                     .Where(f => !f.EndsWith($"-{Environment.ProcessId}", StringComparison.Ordinal)))
            File.Delete(f);
    }

    /// <summary>The final files of the range from its chunk files (state streamed chunk by chunk), then run.json.</summary>
    internal static (ExperimentResult Run, ExplorationResult? Exploration) Assemble(ExperimentOutput output,
        IReadOnlyList<(RunCatalog Catalog, string Directory)> sources, Experiment experiment, ExplorationTarget? exploration, RunSettings settings,
        NeuronSlice range, ChunkSummary summary, ExperimentResult? last)
    {
        var chunks = sources.SelectMany(s => s.Catalog.Chunks().Select(c => (s.Directory, Chunk: c))).OrderBy(c => c.Chunk.First).ToList();
        // The first pass checks every chunk's checksum; the reads of one variable after it do not read each file again for it.
        ChunkData Load((string Directory, ChunkRecord Chunk) c, Func<int, bool>? state = null, bool verified = false) =>
            ChunkData.Read(ChunkData.PathOf(c.Directory, c.Chunk.Id), c.Chunk.Sha256, state, verified)
            ?? throw new InvalidDataException($"{ChunkData.PathOf(c.Directory, c.Chunk.Id)}: missing or corrupt (checksum); run the experiment again to recompute it");
        int expected = range.First;
        foreach (var (_, c) in chunks)
        {
            if (c.State != ChunkState.Done) throw new InvalidOperationException($"chunk {c.Id} (conditions {c.First}..{c.First + c.Count - 1}) is not done");
            if (c.First != expected) throw new InvalidDataException($"the chunks do not cover conditions {expected}..{c.First - 1}");
            expected = c.First + c.Count;
        }
        if (expected != range.End) throw new InvalidDataException($"the chunks do not cover conditions {expected}..{range.End - 1}");

        // Spikes, counts and final values are small enough to gather; traces are written chunk by chunk.
        var counts = new List<long>();
        var spikes = new ChunkSpikes(experiment.SpikeVariables?.Variables.Count ?? 0);
        var finals = experiment.RecordFinal.Select(_ => new List<double>()).ToList();
        double[]? stateTimes = null;
        long[] phaseStarts = [0];
        var recorded = new List<long>();
        var summaries = new List<ConditionSummary>();
        long stepsDone = long.MaxValue;
        foreach (var c in chunks)
        {
            // An exploration's summaries are of each condition's samples, so its first pass reads the traces too.
            var data = exploration is null ? Load(c) : Load(c, _ => true);
            if (exploration is not null && data.StateTimes is { } times)
                summaries.AddRange(ExplorationRunner.Summarize(experiment, data.StateValues, data.First, data.Count, times.Length));
            stepsDone = Math.Min(stepsDone, data.StepsDone);
            if (data.SpikeCounts is { } k) counts.AddRange(k);
            spikes.Add(data);
            for (int f = 0; f < finals.Count; f++) finals[f].AddRange(data.FinalValues[f]);
            stateTimes ??= data.StateTimes;
            phaseStarts = data.PhaseStarts;
            recorded.AddRange(data.StateNeurons);
        }
        var (spikeIndices, spikeTimes, spikeValues) = spikes.Ordered(); // the one-run order: by step, then neuron
        if (experiment.RecordState is { } state && stateTimes is not null)
        {
            if (!recorded.SequenceEqual(state.Neurons.Where(i => i >= range.First && i < range.End)))
                throw new NotSupportedException("a chunked run records neurons in increasing order; list record.state.neurons sorted");
            if (exploration is not null) output.WriteArray(ExplorationFiles.TimeFile, stateTimes, stateTimes.Length);
            else
            {
                output.WriteArray("state_time.npy", stateTimes, stateTimes.Length);
                output.Write("state_neurons.npy", s => Npy.Write(s, recorded.ToArray()));
            }
            for (int v = 0; v < state.Variables.Count; v++)
            {
                int variable = v;
                output.Write($"state_{state.Variables[v]}.npy", s =>
                {
                    s.Write(Npy.Header("<f8", [recorded.Count, stateTimes.Length]));
                    foreach (var c in chunks)
                        s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Load(c, k => k == variable, verified: true).StateValues[variable].AsSpan()));
                });
            }
        }
        var combined = new ExperimentResult
        {
            Experiment = experiment,
            Neurons = range,
            Outcome = RunOutcome.Completed,
            Backend = last?.Backend ?? chunks.Select(c => c.Chunk.Backend).LastOrDefault() ?? "unknown",
            BackendReason = last?.BackendReason ?? "as recorded in the run catalog",
            BackendWarning = last?.BackendWarning,
            Precision = settings.Precision,
            IsaLevel = Interop.Native.IsaLevel(),
            Threads = last?.Threads ?? settings.Threads,
            Seed = settings.Seed ?? experiment.Seed,
            StepsRequested = Steps(experiment),
            StepsDone = stepsDone == long.MaxValue ? 0 : stepsDone,
            PhaseStarts = phaseStarts,
            CompileSeconds = last?.CompileSeconds ?? 0,
            SimulationSeconds = chunks.Sum(c => c.Chunk.Seconds),
            SpikeCounts = experiment.RecordSpikes ? [.. counts] : null,
            SpikeIndices = experiment.RecordSpikes ? spikeIndices : null,
            SpikeTimes = experiment.RecordSpikes ? spikeTimes : null,
            SpikeValues = [.. (experiment.SpikeVariables?.Variables ?? []).Select((v, k) => (v, spikeValues[k]))],
            FinalValues = [.. experiment.RecordFinal.Select((v, f) => (v, finals[f].ToArray()))],
            Chunks = summary,
        };
        var described = exploration is null ? ExplorationRunner.FromRun(combined, Path.GetFileNameWithoutExtension(experiment.Source))
            : ExplorationRunner.Describe(exploration.Exploration, experiment, stateTimes ?? [], [], summaries);
        ExplorationFiles.WriteDescription(output, described);
        output.WriteResults(combined); // spikes, final values, run.json last
        return (combined, exploration is null ? null : described);
    }

    /// <summary>The catalog's chunks for this run: new ones on a fresh directory (or with Restart), else the catalog's,
    /// after checking that it holds this experiment.</summary>
    private static IReadOnlyList<ChunkRecord> Prepare(RunCatalog catalog, string directory, Experiment experiment, ExperimentFingerprint fingerprint,
        NeuronSlice range, ChunkOptions options, RunSettings settings)
    {
        string? stored = catalog.Get("fingerprint");
        string shard = options.Shard is { } s ? $"{s.Index}/{s.Count}" : "none";
        if (stored is not null && !options.Restart)
        {
            string? differences = ExperimentFingerprint.FromJson(stored).Differences(fingerprint, "in the directory", "in this experiment") is { } d ? $"the experiment differs ({d})" : null;
            if (differences is null && catalog.Get("shard") != shard) differences = $"it is shard {catalog.Get("shard")}, not {shard}";
            if (differences is not null)
                throw new RunMismatchException($"the directory holds a run of another experiment: {differences}; use --restart to start over");
            if (catalog.Get("complete") != "true") return catalog.Chunks(); // else the finished run is done again
        }
        int size = options.ChunkSize ?? DefaultChunkSize(experiment, range, settings, options.ChunkMemoryBytes);
        if (size < 1) throw new ArgumentException($"the chunk size must be at least 1 condition, not {size}", nameof(options));
        var plan = new List<(int, int)>();
        for (int first = range.First; first < range.End; first += size) plan.Add((first, Math.Min(size, range.End - first)));
        catalog.Initialize(new Dictionary<string, string>
        {
            ["fingerprint"] = fingerprint.ToJson(),
            ["hash"] = fingerprint.Hash,
            ["shard"] = shard,
            ["chunk_size"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["experiment"] = Path.GetFullPath(experiment.Source),
        }, plan);
        // Chunk files of an earlier run in this directory are not this run's.
        string chunkDirectory = Path.GetDirectoryName(ChunkData.PathOf(directory, 0))!;
        if (Directory.Exists(chunkDirectory))
            foreach (var stale in Directory.EnumerateFiles(chunkDirectory)) File.Delete(stale);
        return catalog.Chunks();
    }

    /// <summary>At least 16 chunks for long runs (so that a kill loses little), each of at least 16 blocks per thread,
    /// and no more conditions than <paramref name="memory"/> holds of recorded samples.</summary>
    internal static int DefaultChunkSize(Experiment e, NeuronSlice range, RunSettings settings, long memory)
    {
        int threads = settings.Threads > 0 ? settings.Threads : Environment.ProcessorCount;
        int minimum = 16 * 256 * threads; // smaller chunks leave threads idle at each chunk's end
        long samples = e.RecordState is { } r ? (Steps(e) + r.EverySteps - 1) / r.EverySteps * r.Variables.Count : 0;
        double perNeuron = 8.0 * (samples * (e.RecordState?.Neurons.Count ?? 0) / Math.Max(1, e.N)) + 64;
        int byMemory = (int)Math.Clamp(memory / perNeuron, 1, int.MaxValue);
        int bySpread = (range.Count + 15) / 16;
        return Math.Max(1, Math.Min(range.Count, Math.Min(byMemory, Math.Max(minimum, bySpread))));
    }
}

/// <summary>An exploration of a <see cref="SimulationExperiment"/>, run as chunks like a Brian-model experiment.</summary>
internal sealed record ExplorationTarget(SimulationExperiment Experiment, Exploration Exploration);
