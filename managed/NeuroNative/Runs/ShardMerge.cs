using System.Globalization;
using NeuroNative.Experiments;
using NeuroNative.Explorations;

namespace NeuroNative.Runs;

/// <summary>
/// <c>neuronative merge</c>: the shards of one experiment (<c>run --shard K/N</c>, each its own directory) assembled
/// into the files of a single-process run, byte for byte. The shards must hold the same experiment, be complete and
/// together cover every condition once; each problem is named (which shard is missing or unfinished, what differs).
/// A shard of an exploration file holds one chunked run per exploration (<c>SHARD/&lt;name&gt;/</c>): each is merged
/// into <c>OUT/&lt;name&gt;/</c>.
/// </summary>
public static class ShardMerge
{
    /// <summary>The merged runs: one for a Brian-model experiment, one per exploration (in the file's order).</summary>
    public static IReadOnlyList<ExperimentResult> Merge(IReadOnlyList<string> shardDirectories, string outputDirectory)
    {
        if (shardDirectories.Count == 0) throw new ArgumentException("merge needs at least one shard directory");
        string first = shardDirectories[0];
        if (RunCatalog.Exists(first)) return [MergeRuns(shardDirectories, outputDirectory, null)];
        var names = Directory.Exists(first)
            ? Directory.EnumerateDirectories(first).Where(RunCatalog.Exists).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList()
            : [];
        if (names.Count == 0) throw new InvalidDataException($"{first}: not a run directory (no {RunCatalog.Folder}/{RunCatalog.FileName}, nor explorations with one)");
        // The exploration file says which explorations there are, and their order.
        using (var catalog = RunCatalog.Open(Path.Combine(first, names[0])))
        {
            var file = ExplorationFile.Load(catalog.Get("experiment")!);
            var expected = file.Explorations.Count > 0 ? file.Explorations.Select(e => e.Name).ToList() : [SimulationExperiment.DefaultExploration];
            var absent = expected.Except(names).ToList();
            if (absent.Count > 0) throw new InvalidDataException($"{first} has no run of exploration {string.Join(", ", absent)} (it holds {string.Join(", ", names)})");
            return [.. expected.Select(name => MergeRuns([.. shardDirectories.Select(d => Path.Combine(d, name))], Path.Combine(outputDirectory, name), (file, name)))];
        }
    }

    private static ExperimentResult MergeRuns(IReadOnlyList<string> shardDirectories, string outputDirectory, (SimulationExperiment File, string Name)? exploration)
    {
        var shards = new List<(string Directory, RunCatalog Catalog, Shard Shard, string Hash)>();
        try
        {
            foreach (string dir in shardDirectories)
            {
                if (!RunCatalog.Exists(dir)) throw new InvalidDataException($"{dir}: not a run directory (no {RunCatalog.Folder}/{RunCatalog.FileName})");
                var catalog = RunCatalog.Open(dir);
                shards.Add((dir, catalog, ParseShard(dir, catalog.Get("shard")), catalog.Get("hash") ?? ""));
            }
            var first = shards[0];
            foreach (var s in shards.Skip(1).Where(s => s.Hash != first.Hash))
            {
                string? diff = ExperimentFingerprint.FromJson(first.Catalog.Get("fingerprint")!).Differences(ExperimentFingerprint.FromJson(s.Catalog.Get("fingerprint")!), $"in {first.Directory}", $"in {s.Directory}");
                throw new InvalidDataException($"{s.Directory} holds another experiment than {first.Directory} ({diff})");
            }
            int count = first.Shard.Count;
            foreach (var s in shards.Where(s => s.Shard.Count != count))
                throw new InvalidDataException($"{s.Directory} is shard {s.Shard.Index}/{s.Shard.Count}, but {first.Directory} is one of {count}");
            foreach (var g in shards.GroupBy(s => s.Shard.Index).Where(g => g.Count() > 1))
                throw new InvalidDataException($"shard {g.Key}/{count} is given twice: {string.Join(", ", g.Select(s => s.Directory))}");
            var missing = Enumerable.Range(0, count).Except(shards.Select(s => s.Shard.Index)).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"shards {string.Join(", ", missing.Select(k => $"{k}/{count}"))} are missing (have " +
                    $"{string.Join(", ", shards.Select(s => $"{s.Shard.Index}/{count} in {s.Directory}"))})");
            foreach (var s in shards)
            {
                var chunks = s.Catalog.Chunks();
                int done = chunks.Count(c => c.State == ChunkState.Done && ChunkData.IsValid(ChunkData.PathOf(s.Directory, c.Id), c.Sha256));
                if (done < chunks.Count)
                    throw new InvalidDataException($"shard {s.Shard.Index}/{count} in {s.Directory} is unfinished: {done} of {chunks.Count} chunks done " +
                        "(run its command again to finish it)");
            }

            string path = first.Catalog.Get("experiment")!;
            ExplorationTarget? target = null;
            Experiment experiment;
            if (exploration is { } x)
            {
                var e = x.File.Explorations.FirstOrDefault(e => e.Name == x.Name) ?? new Exploration(x.Name, []);
                experiment = ExplorationRunner.Prepare(x.File, e).Item2;
                target = new ExplorationTarget(x.File, e);
            }
            else experiment = ExperimentFile.Load(path);
            var stored = ExperimentFingerprint.FromJson(first.Catalog.Get("fingerprint")!);
            var settings = new RunSettings
            {
                Precision = stored.Fields["precision"] == "float32" ? Backends.Cpp.Precision.Float32 : Backends.Cpp.Precision.Float64,
                Seed = ulong.Parse(stored.Fields["seed"], CultureInfo.InvariantCulture),
            };
            if (stored.Differences(ExperimentFingerprint.Of(experiment, settings), "when the shards ran", "now") is { } changed)
                throw new InvalidDataException($"{path} changed since the shards ran ({changed}); the shards cannot be merged into it");
            var output = ExperimentOutput.Open(outputDirectory);
            ChunkedRunner.WriteHeader(output, experiment, target);
            var all = shards.SelectMany(s => s.Catalog.Chunks()).ToList();
            var summary = new ChunkSummary(all.Count, all.Max(c => c.Count), null, all.Count, all.Sum(c => (long)c.Count) * (long)Math.Round(experiment.Duration / experiment.Dt));
            return ChunkedRunner.Assemble(output, [.. shards.Select(s => (s.Catalog, s.Directory))], experiment, target, settings,
                new NeuronSlice(0, experiment.N), summary, null).Run;
        }
        finally
        {
            foreach (var s in shards) s.Catalog.Dispose();
        }
    }

    private static Shard ParseShard(string dir, string? text)
    {
        var parts = text?.Split('/');
        if (parts is not { Length: 2 } || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int k) ||
            !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int n))
            throw new InvalidDataException($"{dir}: not a shard (its run was not started with --shard K/N)");
        return new Shard(k, n);
    }
}
