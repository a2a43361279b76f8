using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NeuroNative.Experiments;
using NeuroNative.Runs;

namespace NeuroNative.Inference;

/// <summary>Rows of simulations that training reads whole: θ [Rows, D] and x [Rows, F], float32, row-major.</summary>
internal interface ISimulationBlock
{
    int Rows { get; }
    /// <summary>Fills the first Rows·D of <paramref name="theta"/> and Rows·F of <paramref name="x"/> (buffers the
    /// trainer reuses: a store's blocks are read again every epoch, and fresh large arrays would keep the GC busy).</summary>
    void Read(float[] theta, float[] x);
}

/// <summary>Simulations held in memory (<see cref="NeuralInference.AppendSimulations(double[,], double[,], bool)"/>).</summary>
internal sealed class MemoryBlock(float[] theta, float[] x, int rows) : ISimulationBlock
{
    public int Rows => rows;
    public void Read(float[] t, float[] xs)
    {
        theta.CopyTo(t, 0);
        x.CopyTo(xs, 0);
    }
}

/// <summary>A chunk of a <see cref="SimulationStore"/>: read from its two files each time training needs it.</summary>
internal sealed class StoredChunk(string thetaPath, long thetaOffset, string xPath, long xOffset, int rows, int d, int f) : ISimulationBlock
{
    public int Rows => rows;

    public void Read(float[] theta, float[] x)
    {
        var t = new double[rows * d];
        ReadAt(thetaPath, thetaOffset, MemoryMarshal.AsBytes(t.AsSpan()));
        for (int i = 0; i < t.Length; i++) theta[i] = (float)t[i];
        ReadAt(xPath, xOffset, MemoryMarshal.AsBytes(x.AsSpan(0, rows * f)));
    }

    static void ReadAt(string path, long offset, Span<byte> into)
    {
        try
        {
            using var handle = File.OpenHandle(path);
            for (int done = 0; done < into.Length;)
            {
                int n = RandomAccess.Read(handle, into[done..], offset + done);
                if (n == 0) throw new InferenceException($"{path}: truncated (the store changed while training)");
                done += n;
            }
        }
        catch (IOException e) { throw new InferenceException($"{path}: cannot read ({e.Message})", e); }
    }
}

/// <summary>Training data of one or more rounds as blocks of rows, in memory or in a <see cref="SimulationStore"/>;
/// <see cref="NeuralInference"/> keeps only these blocks and reads one at a time.</summary>
public sealed class SimulationData
{
    internal SimulationData(IReadOnlyList<ISimulationBlock> blocks, int thetaDim, int xDim)
    {
        (Blocks, ThetaDim, XDim) = (blocks, thetaDim, xDim);
        Count = blocks.Sum(b => b.Rows);
    }

    internal IReadOnlyList<ISimulationBlock> Blocks { get; }
    public int ThetaDim { get; }
    public int XDim { get; }
    public int Count { get; }
    public int Chunks => Blocks.Count;

    /// <summary>θ [n, D] and x [n, F] as float32 blocks of <paramref name="blockSize"/> rows: the same blocks, shuffled
    /// the same way in training, as a store with that chunk size holding these rows.</summary>
    public static SimulationData FromArrays(double[,] theta, double[,] x, int blockSize = SimulationStore.DefaultChunkSize)
    {
        int n = theta.GetLength(0), d = theta.GetLength(1), f = x.GetLength(1);
        if (x.GetLength(0) != n) throw new InferenceException($"theta has {n} rows but x has {x.GetLength(0)}");
        if (blockSize < 1) throw new InferenceException($"block size: must be 1 or more, not {blockSize}");
        var blocks = new List<ISimulationBlock>();
        for (int first = 0; first < n; first += blockSize)
        {
            int rows = Math.Min(blockSize, n - first);
            var t = new float[rows * d];
            var xs = new float[rows * f];
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < d; j++) t[i * d + j] = (float)theta[first + i, j];
                for (int j = 0; j < f; j++)
                {
                    double v = x[first + i, j];
                    if (!double.IsFinite(v)) throw new InferenceException($"x[{first + i}, {j}] (simulation {first + i}, feature {j}) is {v}; features must be finite");
                    xs[i * f + j] = (float)v;
                }
            }
            blocks.Add(new MemoryBlock(t, xs, rows));
        }
        return new SimulationData(blocks, d, f);
    }
}

/// <summary>What a round's simulations are: their fingerprint (everything θ and x depend on), how many, in chunks of
/// how many, of how many parameters and features.</summary>
public sealed record SimulationPlan(ExperimentFingerprint Fingerprint, int Simulations, int ChunkSize, int ThetaDim, int XDim)
{
    public int Chunks => (Simulations + ChunkSize - 1) / ChunkSize;
    public int ChunkRows(int k) => Math.Min(ChunkSize, Simulations - k * ChunkSize);
}

/// <summary>What <see cref="SimulationStore.Simulate"/> did: chunks simulated now, chunks found done, this shard's chunks.</summary>
public sealed record StoreRun(string Directory, int Simulated, int Reused, int ShardChunks);

/// <summary>
/// A round's simulations on disk (docs/inference.md, "Scale"): a directory of chunk pairs <c>theta_K.npy</c> (float64
/// [n, D]) and <c>x_K.npy</c> (float32 [n, F]) of <see cref="SimulationPlan.ChunkSize"/> simulations, each written
/// atomically, and the long-run machinery's <see cref="RunCatalog"/> (<c>.neuronative/catalog.db</c>: the fingerprint,
/// every chunk's state and the SHA-256 of its two files). θ of chunk k is a function of (seed, k) only, so shards
/// (<c>--shard K/N</c>: chunks k ≡ K mod N) agree and an interrupted run re-simulates only the chunks it lacks.
/// </summary>
public static class SimulationStore
{
    public const int DefaultChunkSize = 1000;
    const string Kind = "inference simulations";

    public static string ThetaPath(string directory, int k) => Path.Combine(directory, $"theta_{k:D6}.npy");
    public static string XPath(string directory, int k) => Path.Combine(directory, $"x_{k:D6}.npy");

    /// <summary>The seed of chunk k's θ: distinct per chunk, independent of sharding and of the other chunks.</summary>
    public static int ChunkSeed(int seed, int chunk) => unchecked(seed * 1_000_003 + chunk);

    /// <summary>A plan from fingerprint fields of the caller's (model, prior, seed, ...); the size and chunking are added.</summary>
    public static SimulationPlan Plan(IReadOnlyDictionary<string, string> fields, int simulations, int chunkSize, int thetaDim, int xDim)
    {
        if (simulations < 1) throw new InferenceException($"n_samples: must be 1 or more, not {simulations}");
        if (chunkSize < 1) throw new InferenceException($"chunk size: must be 1 or more, not {chunkSize}");
        var all = new SortedDictionary<string, string>(fields.ToDictionary(), StringComparer.Ordinal)
        {
            ["format"] = "1",
            ["simulations"] = simulations.ToString(CultureInfo.InvariantCulture),
            ["chunk_size"] = chunkSize.ToString(CultureInfo.InvariantCulture),
            ["theta_dim"] = thetaDim.ToString(CultureInfo.InvariantCulture),
            ["x_dim"] = xDim.ToString(CultureInfo.InvariantCulture),
        };
        return new SimulationPlan(new ExperimentFingerprint(all), simulations, chunkSize, thetaDim, xDim);
    }

    /// <summary>The plan of an Inferencer's round: its model digest, features and prior, the round's seed and the
    /// proposal (<c>prior</c>, or the SHA-256 of the proposal's posterior file).</summary>
    public static SimulationPlan Plan(Inferencer inferencer, int simulations, int seed, int chunkSize, string proposal = "prior")
    {
        var prior = inferencer.Prior ?? throw new InferenceException("simulations before InitPrior: set the prior first");
        var fields = new Dictionary<string, string>
        {
            ["model"] = inferencer.Model,
            ["features"] = string.Join(",", inferencer.FeatureNames),
            ["prior"] = string.Join(", ", prior.Names.Select((name, j) => FormattableString.Invariant($"{name}=[{prior.Low[j]:R}, {prior.High[j]:R}]"))),
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            ["proposal"] = proposal,
        };
        return Plan(fields, simulations, chunkSize, prior.Names.Count, inferencer.FeatureNames.Count);
    }

    /// <summary>Simulates an Inferencer's round into <paramref name="directory"/> (θ of chunk k: prior or proposal draws
    /// seeded by <see cref="ChunkSeed"/>). The proposal is saved there as proposal.nnpost; its digest is in the fingerprint.</summary>
    public static (SimulationPlan Plan, StoreRun Run) Simulate(Inferencer inferencer, string directory, int simulations, int seed, int chunkSize,
        Posterior? proposal = null, Shard? shard = null, IProgress<InferProgress>? progress = null, int round = 0, CancellationToken cancellationToken = default)
    {
        string digest = "prior";
        if (proposal is not null)
        {
            Directory.CreateDirectory(directory);
            string path = Path.Combine(directory, "proposal.nnpost");
            proposal.Save(path);
            using var file = File.OpenRead(path);
            digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(file));
        }
        var plan = Plan(inferencer, simulations, seed, chunkSize, digest);
        var run = Simulate(directory, plan, (k, n) => inferencer.GenerateTrainingData(n, ChunkSeed(seed, k), proposal),
            theta => inferencer.ExtractFeatures(theta, null, cancellationToken, round), shard,
            progress is null ? null : new ProgressRelay<int>(done => progress.Report(new InferProgress(round, "simulate", done, simulations))),
            cancellationToken);
        return (plan, run);
    }

    /// <summary>Round 1 of an Inferencer from store directories (shards, joined): each a store or the <c>--out</c>
    /// directory of a run holding <c>simulations/round_1</c>; θ of every chunk is checked against its seeded prior draws.</summary>
    public static SimulationData OpenRound1(Inferencer inferencer, IReadOnlyList<string> directories, int simulations, int seed, int chunkSize)
    {
        var dirs = directories.Select(d => RunCatalog.Exists(d) || !RunCatalog.Exists(Path.Combine(d, "simulations", "round_1"))
            ? d : Path.Combine(d, "simulations", "round_1")).ToList();
        return Open(dirs, Plan(inferencer, simulations, seed, chunkSize), (k, n) => inferencer.GenerateTrainingData(n, ChunkSeed(seed, k)));
    }

    /// <summary>Simulates the chunks of <paramref name="plan"/> (of <paramref name="shard"/> only, when given) that
    /// <paramref name="directory"/> does not hold intact; <paramref name="theta"/>(k, rows) gives chunk k's θ,
    /// <paramref name="features"/> their x. A directory holding another plan's simulations is an error naming its catalog.</summary>
    public static StoreRun Simulate(string directory, SimulationPlan plan, Func<int, int, double[,]> theta, Func<double[,], double[,]> features,
        Shard? shard = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!BitConverter.IsLittleEndian) throw new InferenceException("simulation stores are little-endian; this machine is not");
        using var catalog = OpenCatalog(directory, create: true);
        if (catalog.Get("hash") is null)
            catalog.Initialize(new Dictionary<string, string>
            {
                ["kind"] = Kind, ["fingerprint"] = plan.Fingerprint.ToJson(), ["hash"] = plan.Fingerprint.Hash,
                ["chunk_size"] = plan.ChunkSize.ToString(CultureInfo.InvariantCulture),
            }, [.. Enumerable.Range(0, plan.Chunks).Select(k => (k * plan.ChunkSize, plan.ChunkRows(k)))]);
        else Check(catalog, directory, plan);
        catalog.Set("shard", shard is { } sh ? $"{sh.Index}/{sh.Count}" : "none");
        var records = catalog.Chunks();
        int simulated = 0, reused = 0, mine = 0, done = 0;
        for (int k = 0; k < plan.Chunks; k++)
        {
            if (shard is { } s && k % s.Count != s.Index) continue;
            cancellationToken.ThrowIfCancellationRequested();
            mine++;
            int rows = plan.ChunkRows(k);
            if (records[k].State == ChunkState.Done && Checksum(directory, k) == records[k].Sha256)
            {
                reused++;
                progress?.Report(done += rows);
                continue;
            }
            catalog.MarkRunning(k);
            var started = System.Diagnostics.Stopwatch.StartNew();
            var t = theta(k, rows);
            var x = features(t);
            if (t.GetLength(0) != rows || t.GetLength(1) != plan.ThetaDim || x.GetLength(0) != rows || x.GetLength(1) != plan.XDim)
                throw new InferenceException($"chunk {k}: θ [{t.GetLength(0)}, {t.GetLength(1)}] and x [{x.GetLength(0)}, {x.GetLength(1)}]; " +
                    $"expected [{rows}, {plan.ThetaDim}] and [{rows}, {plan.XDim}]");
            WriteChunk(directory, k, t, x);
            catalog.MarkDone(k, Checksum(directory, k)!, started.Elapsed.TotalSeconds, "cpu");
            simulated++;
            progress?.Report(done += rows);
        }
        return new StoreRun(directory, simulated, reused, mine);
    }

    /// <summary>The simulations of <paramref name="plan"/> from one or more directories (shards): every chunk done in
    /// exactly one, its files matching the catalog's checksum and the plan's shapes and, given <paramref name="theta"/>,
    /// its θ equal to <paramref name="theta"/>(k, rows) bit for bit. Each problem is an error naming the file.</summary>
    public static SimulationData Open(IReadOnlyList<string> directories, SimulationPlan plan, Func<int, int, double[,]>? theta = null)
    {
        if (directories.Count == 0) throw new InferenceException("simulations: give at least one store directory");
        var owner = new string?[plan.Chunks];
        var sha = new string?[plan.Chunks];
        foreach (string dir in directories)
        {
            if (!RunCatalog.Exists(dir)) throw new InferenceException($"{dir}: not a simulation store (no {RunCatalog.Folder}/{RunCatalog.FileName})");
            using var catalog = OpenCatalog(dir, create: false);
            Check(catalog, dir, plan);
            foreach (var c in catalog.Chunks().Where(c => c.State == ChunkState.Done))
            {
                if (owner[c.Id] is { } other)
                    throw new InferenceException($"chunk {c.Id} is in two stores: {ThetaPath(other, c.Id)} and {ThetaPath(dir, c.Id)} (give each shard once)");
                (owner[c.Id], sha[c.Id]) = (dir, c.Sha256);
            }
        }
        var blocks = new List<ISimulationBlock>(plan.Chunks);
        for (int k = 0; k < plan.Chunks; k++)
        {
            int rows = plan.ChunkRows(k);
            if (owner[k] is not { } dir)
                throw new InferenceException($"chunk {k} ({Path.GetFileName(ThetaPath("", k))}, {Path.GetFileName(XPath("", k))}) is in none of " +
                    $"{string.Join(", ", directories)}: a shard is missing or unfinished (run it again to finish it)");
            string tp = ThetaPath(dir, k), xp = XPath(dir, k);
            foreach (string p in new[] { tp, xp })
                if (!File.Exists(p)) throw new InferenceException($"{p} is missing (the catalog records chunk {k} as done; simulate again to replace it)");
            if (Checksum(dir, k) != sha[k])
                throw new InferenceException($"{tp}, {xp}: the files do not match the catalog's checksum (damaged or replaced; simulate again to replace them)");
            long tOffset = Header(tp, "<f8", rows, plan.ThetaDim), xOffset = Header(xp, "<f4", rows, plan.XDim);
            if (theta is not null)
            {
                var expected = theta(k, rows);
                var stored = new double[rows * plan.ThetaDim];
                using (var s = File.OpenRead(tp))
                {
                    s.Position = tOffset;
                    s.ReadExactly(MemoryMarshal.AsBytes(stored.AsSpan()));
                }
                if (!MemoryMarshal.AsBytes(stored.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref expected[0, 0], expected.Length))))
                    throw new InferenceException($"{tp}: θ is not chunk {k}'s seeded draws (made with another seed or program)");
            }
            blocks.Add(new StoredChunk(tp, tOffset, xp, xOffset, rows, plan.ThetaDim, plan.XDim));
        }
        return new SimulationData(blocks, plan.ThetaDim, plan.XDim);
    }

    static RunCatalog OpenCatalog(string directory, bool create)
    {
        try { return RunCatalog.Open(directory); }
        catch (InvalidDataException e) { throw new InferenceException(e.Message, e); }
        catch (Exception e) when (create && e is IOException or UnauthorizedAccessException)
        {
            throw new InferenceException($"{directory}: cannot create the simulation store ({e.Message})", e);
        }
    }

    static void Check(RunCatalog catalog, string directory, SimulationPlan plan)
    {
        string path = RunCatalog.PathIn(directory);
        if (catalog.Get("kind") != Kind || catalog.Get("fingerprint") is not { } json)
            throw new InferenceException($"{path}: not a simulation store (a run's catalog, or damaged)");
        if (catalog.Get("hash") == plan.Fingerprint.Hash) return;
        string? diff;
        try { diff = ExperimentFingerprint.FromJson(json).Differences(plan.Fingerprint, "in the store", "expected"); }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException) { diff = $"unreadable fingerprint: {e.Message}"; }
        throw new InferenceException($"{path}: holds other simulations ({diff ?? "its hash differs"}); use another --out directory");
    }

    /// <summary>SHA-256 of the chunk's θ file then its x file; null when one is missing.</summary>
    static string? Checksum(string directory, int k)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        foreach (string path in new[] { ThetaPath(directory, k), XPath(directory, k) })
        {
            if (!File.Exists(path)) return null;
            using var s = File.OpenRead(path);
            for (int n; (n = s.Read(buffer)) > 0;) hash.AppendData(buffer, 0, n);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    static void WriteChunk(string directory, int k, double[,] theta, double[,] x)
    {
        int rows = x.GetLength(0), f = x.GetLength(1);
        var xs = new float[x.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < f; j++)
            {
                xs[i * f + j] = (float)x[i, j];
                if (!float.IsFinite(xs[i * f + j]))
                    throw new InferenceException($"chunk {k}: feature {j} of simulation {k * rows + i} is {x[i, j]:G6}, not representable as float32");
            }
        Write(ThetaPath(directory, k), s => Npy.Write(s, MemoryMarshal.CreateReadOnlySpan(ref theta[0, 0], theta.Length), theta.GetLength(0), theta.GetLength(1)));
        Write(XPath(directory, k), s =>
        {
            s.Write(Npy.Header("<f4", [rows, f]));
            s.Write(MemoryMarshal.AsBytes(xs.AsSpan()));
        });
    }

    static void Write(string path, Action<Stream> content)
    {
        try { ExperimentOutput.WriteAtomically(path, $"{path}.{Environment.ProcessId}.tmp", content); }
        catch (ExperimentOutputException e) { throw new InferenceException(e.Message, e); }
    }

    /// <summary>Checks a chunk file's .npy header and returns where its data starts.</summary>
    static long Header(string path, string descr, int rows, int columns)
    {
        var head = new byte[4096];
        int n;
        using (var s = File.OpenRead(path)) n = s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        (string Descr, bool Fortran, long[] Shape, int Offset) h;
        try { h = Npy.ReadHeader(head.AsSpan(0, n)); }
        catch (FormatException e) { throw new InferenceException($"{path}: {e.Message}", e); }
        if (h.Descr != descr || h.Fortran || h.Shape is not [var r, var c] || r != rows || c != columns)
            throw new InferenceException($"{path}: '{h.Descr}' ({string.Join(", ", h.Shape)}); expected '{descr}' ({rows}, {columns})");
        long expected = h.Offset + (long)rows * columns * (descr == "<f8" ? 8 : 4);
        if (new FileInfo(path).Length != expected) throw new InferenceException($"{path}: {new FileInfo(path).Length} bytes; expected {expected}");
        return h.Offset;
    }
}
