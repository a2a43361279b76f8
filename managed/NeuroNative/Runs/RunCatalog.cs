using System.Globalization;
using Microsoft.Data.Sqlite;

namespace NeuroNative.Runs;

public enum ChunkState { Pending, Running, Done }

/// <summary>One chunk of a run: conditions [<see cref="First"/>, First + <see cref="Count"/>);
/// <see cref="SnapshotStep"/>: the step of the last snapshot a process wrote while running it (0: none).</summary>
public sealed record ChunkRecord(int Id, int First, int Count, ChunkState State, string? Sha256, double Seconds, string? Backend,
    string? Host, string? Started, string? Finished, long SnapshotStep);

/// <summary>
/// The run catalog, <c>DIR/.neuronative/catalog.db</c> (SQLite in WAL mode): the experiment's fingerprint, the
/// chunks with their state, checksum, timing, backend and host, and whether the final files are complete. Every
/// change is one transaction, so a process killed at any moment leaves it consistent.
/// </summary>
public sealed class RunCatalog : IDisposable
{
    public const string Folder = ".neuronative", FileName = "catalog.db";
    private readonly SqliteConnection _db;

    private RunCatalog(SqliteConnection db) => _db = db;

    public static string PathIn(string directory) => Path.Combine(directory, Folder, FileName);

    public static bool Exists(string directory) => File.Exists(PathIn(directory));

    /// <summary>Removes the catalog and SQLite's journal files beside it.</summary>
    private static void Delete(string directory)
    {
        foreach (string suffix in new[] { "", "-wal", "-shm" }) File.Delete(PathIn(directory) + suffix);
    }

    /// <summary>Opens (creating if needed) the catalog of <paramref name="directory"/>. <paramref name="discardUnreadable"/>
    /// (what <c>--restart</c> does): a catalog that cannot be read is removed and a new one created, instead of an error.</summary>
    public static RunCatalog Open(string directory, bool discardUnreadable = false)
    {
        Directory.CreateDirectory(Path.Combine(directory, Folder));
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = PathIn(directory), Pooling = false }.ToString());
        try
        {
            db.Open();
            Execute(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
            Execute(db, """
                CREATE TABLE IF NOT EXISTS run (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS chunk (id INTEGER PRIMARY KEY, first INTEGER NOT NULL, count INTEGER NOT NULL,
                    state TEXT NOT NULL, sha256 TEXT, seconds REAL NOT NULL DEFAULT 0, backend TEXT, host TEXT, started TEXT, finished TEXT,
                    snapshot_step INTEGER NOT NULL DEFAULT 0);
                """);
            // A catalog written before chunks had snapshots.
            using var columns = db.CreateCommand();
            columns.CommandText = "SELECT COUNT(*) FROM pragma_table_info('chunk') WHERE name = 'snapshot_step'";
            if ((long)columns.ExecuteScalar()! == 0) Execute(db, "ALTER TABLE chunk ADD COLUMN snapshot_step INTEGER NOT NULL DEFAULT 0");
        }
        catch (SqliteException e)
        {
            db.Dispose();
            if (discardUnreadable)
            {
                Delete(directory);
                return Open(directory);
            }
            throw new InvalidDataException($"{PathIn(directory)}: not a readable run catalog ({e.Message}); remove the directory or run with --restart", e);
        }
        return new RunCatalog(db);
    }

    public string? Get(string key)
    {
        using var c = _db.CreateCommand();
        c.CommandText = "SELECT value FROM run WHERE key = $k";
        c.Parameters.AddWithValue("$k", key);
        return c.ExecuteScalar() as string;
    }

    public void Set(string key, string value)
    {
        using var c = _db.CreateCommand();
        c.CommandText = "INSERT INTO run (key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
        c.Parameters.AddWithValue("$k", key);
        c.Parameters.AddWithValue("$v", value);
        c.ExecuteNonQuery();
    }

    /// <summary>Starts a new run: the fingerprint and settings, and every chunk pending (one transaction).</summary>
    public void Initialize(IReadOnlyDictionary<string, string> values, IReadOnlyList<(int First, int Count)> chunks)
    {
        using var t = _db.BeginTransaction();
        Execute(_db, "DELETE FROM run; DELETE FROM chunk;", t);
        foreach (var (k, v) in values)
        {
            using var c = _db.CreateCommand();
            c.Transaction = t;
            c.CommandText = "INSERT INTO run (key, value) VALUES ($k, $v)";
            c.Parameters.AddWithValue("$k", k);
            c.Parameters.AddWithValue("$v", v);
            c.ExecuteNonQuery();
        }
        for (int id = 0; id < chunks.Count; id++)
        {
            using var c = _db.CreateCommand();
            c.Transaction = t;
            c.CommandText = "INSERT INTO chunk (id, first, count, state) VALUES ($id, $f, $n, 'pending')";
            c.Parameters.AddWithValue("$id", id);
            c.Parameters.AddWithValue("$f", chunks[id].First);
            c.Parameters.AddWithValue("$n", chunks[id].Count);
            c.ExecuteNonQuery();
        }
        t.Commit();
    }

    public IReadOnlyList<ChunkRecord> Chunks()
    {
        using var c = _db.CreateCommand();
        c.CommandText = "SELECT id, first, count, state, sha256, seconds, backend, host, started, finished, snapshot_step FROM chunk ORDER BY id";
        using var r = c.ExecuteReader();
        var list = new List<ChunkRecord>();
        while (r.Read())
            list.Add(new ChunkRecord(r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), Enum.Parse<ChunkState>(r.GetString(3), ignoreCase: true),
                r.IsDBNull(4) ? null : r.GetString(4), r.GetDouble(5), r.IsDBNull(6) ? null : r.GetString(6),
                r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9), r.GetInt64(10)));
        return list;
    }

    public void MarkRunning(int id) => Update(id, "state = 'running', started = $now, host = $host", null, 0, null);

    public void MarkDone(int id, string sha256, double seconds, string backend) =>
        Update(id, "state = 'done', sha256 = $sha, seconds = $s, backend = $b, finished = $now", sha256, seconds, backend);

    /// <summary>A done chunk whose file is missing or corrupt goes back to pending (it is recomputed); so does an
    /// interrupted one (it continues from its snapshot, if it has one).</summary>
    public void MarkPending(int id) => Update(id, "state = 'pending', sha256 = NULL", null, 0, null);

    /// <summary>A snapshot of the running chunk was written at <paramref name="step"/>.</summary>
    public void MarkSnapshot(int id, long step) => Update(id, "snapshot_step = $s", null, step, null);

    /// <summary>What <c>neuronative status</c> prints: per run in <paramref name="directory"/> (the directory itself, or
    /// the shards and explorations below it: a Slurm run's <c>shard_K/</c>, an exploration file's <c>&lt;name&gt;/</c>) the
    /// experiment, the shard, chunks and conditions done, the simulation rate of the chunks done and the time the others
    /// would take at it; for several, their total.</summary>
    public static string Status(string directory)
    {
        var runs = Exists(directory) ? [directory] : RunsBelow(directory, 2).ToList();
        if (runs.Count == 0) throw new InvalidDataException($"{directory}: not a run directory (no {Folder}/{FileName}, nor shards or explorations with one)");
        var inv = CultureInfo.InvariantCulture;
        var text = new System.Text.StringBuilder();
        long conditions = 0, doneConditions = 0;
        int chunkCount = 0, doneChunks = 0;
        double slowest = 0;
        foreach (string run in runs)
        {
            using var catalog = Open(run);
            var chunks = catalog.Chunks();
            var done = chunks.Where(c => c.State == ChunkState.Done).ToList();
            var running = chunks.Where(c => c.State == ChunkState.Running).ToList();
            long all = chunks.Sum(c => (long)c.Count), finished = done.Sum(c => (long)c.Count);
            double seconds = done.Sum(c => c.Seconds);
            double perCondition = finished > 0 ? seconds / finished : double.NaN;
            double left = (all - finished) * perCondition;
            string eta = finished == all ? "complete" : double.IsNaN(perCondition) ? "unknown (no chunk done yet)"
                : string.Create(inv, $"{left:F0} s of simulation left at the rate so far");
            if (runs.Count > 1) text.Append(Path.GetRelativePath(directory, run)).Append(":\n");
            text.Append(string.Create(inv, $"""
                experiment: {catalog.Get("experiment")}
                shard: {catalog.Get("shard")}, chunks of {catalog.Get("chunk_size")} conditions
                chunks: {done.Count} of {chunks.Count} done, {running.Count} running or interrupted ({string.Join(", ", running.Select(c => $"{c.Id} on {c.Host}" + (c.SnapshotStep > 0 ? $", snapshot at step {c.SnapshotStep}" : "")))})
                conditions: {finished} of {all} done
                rate: {(double.IsNaN(perCondition) ? "-" : $"{finished / Math.Max(seconds, 1e-9):F1} conditions/s of simulation")}
                remaining: {eta}

                """));
            conditions += all;
            doneConditions += finished;
            chunkCount += chunks.Count;
            doneChunks += done.Count;
            if (!double.IsNaN(left)) slowest = Math.Max(slowest, left);
        }
        if (runs.Count > 1)
            text.Append(string.Create(inv, $"""
                total of {runs.Count} runs: chunks {doneChunks} of {chunkCount} done, conditions {doneConditions} of {conditions} done, {(doneConditions == conditions ? "complete" : $"about {slowest:F0} s of simulation left in the slowest (they run side by side)")}

                """));
        return text.ToString();
    }

    /// <summary>The run directories below <paramref name="directory"/>, at most <paramref name="depth"/> levels down.</summary>
    private static IEnumerable<string> RunsBelow(string directory, int depth)
    {
        if (depth == 0 || !Directory.Exists(directory)) yield break;
        foreach (string sub in Directory.EnumerateDirectories(directory).Where(d => Path.GetFileName(d) != Folder).Order(StringComparer.Ordinal))
        {
            if (Exists(sub)) yield return sub;
            else foreach (string run in RunsBelow(sub, depth - 1)) yield return run;
        }
    }

    private void Update(int id, string set, string? sha, double seconds, string? backend)
    {
        using var c = _db.CreateCommand();
        c.CommandText = $"UPDATE chunk SET {set} WHERE id = $id";
        c.Parameters.AddWithValue("$id", id);
        c.Parameters.AddWithValue("$now", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        c.Parameters.AddWithValue("$host", Environment.MachineName);
        c.Parameters.AddWithValue("$sha", (object?)sha ?? DBNull.Value);
        c.Parameters.AddWithValue("$s", seconds);
        c.Parameters.AddWithValue("$b", (object?)backend ?? DBNull.Value);
        c.ExecuteNonQuery();
    }

    private static void Execute(SqliteConnection db, string sql, SqliteTransaction? t = null)
    {
        using var c = db.CreateCommand();
        c.Transaction = t;
        c.CommandText = sql;
        c.ExecuteNonQuery();
    }

    public void Dispose() => _db.Dispose();
}
