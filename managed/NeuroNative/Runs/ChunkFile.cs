using System.Security.Cryptography;
using NeuroNative.Experiments;

namespace NeuroNative.Runs;

/// <summary>
/// One finished chunk's results, <c>DIR/.neuronative/chunks/chunk_&lt;id&gt;.bin</c>: spike counts, spikes (the
/// experiment's neuron indices) with the values of the variables recorded at each, the recorded traces of its neurons
/// and final values, little-endian. Written under a temporary name, flushed to disk and renamed; its SHA-256 is kept
/// in the catalog, and a file that does not match it (or is of another format version) is recomputed, never used.
/// </summary>
public sealed record ChunkData(int First, int Count, long StepsDone, long[] PhaseStarts, long[]? SpikeCounts, long[]? SpikeIndices,
    double[]? SpikeTimes, IReadOnlyList<double[]> SpikeValues, double[]? StateTimes, long[] StateNeurons, IReadOnlyList<double[]> StateValues,
    IReadOnlyList<double[]> FinalValues)
{
    private const long Magic = 0x324B4E4843_4E4E; // "NNCHNK2"; 2: the values at each spike

    /// <summary>A chunk's result; without recorded neurons in it, an empty trace per recorded variable.</summary>
    public static ChunkData From(ExperimentResult r) => new(r.Neurons.First, r.Neurons.Count, r.StepsDone, r.PhaseStarts, r.SpikeCounts,
        r.SpikeIndices, r.SpikeTimes, [.. r.SpikeValues.Select(v => v.Values)], r.StateTimes,
        r.StateValues.Count > 0 ? [.. r.StateValues[0].Neurons] : [],
        r.StateValues.Count > 0 ? [.. r.StateValues.Select(t => t.Column ?? t.Values.SelectMany(row => row).ToArray())]
            : [.. (r.Experiment.RecordState?.Variables ?? []).Select(_ => Array.Empty<double>())],
        [.. r.FinalValues.Select(f => f.Values)]);

    public static string PathOf(string directory, int id) =>
        Path.Combine(directory, RunCatalog.Folder, "chunks", $"chunk_{id:D6}.bin");

    /// <summary>Where a chunk being run keeps its latest snapshot (removed when the chunk is done).</summary>
    public static string SnapshotPathOf(string directory, int id) => Path.ChangeExtension(PathOf(directory, id), ".snapshot");

    /// <summary>Writes the file atomically and returns its SHA-256; a failure (a full disk) is an
    /// <see cref="ExperimentOutputException"/> naming the file, and leaves no partial file.</summary>
    public string Write(string path)
    {
        ExperimentOutput.WriteAtomically(path, $"{path}.{Environment.ProcessId}.tmp", stream =>
        {
            using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write(First);
            w.Write(Count);
            w.Write(StepsDone);
            Put(w, PhaseStarts);
            Put(w, SpikeCounts);
            Put(w, SpikeIndices);
            Put(w, SpikeTimes);
            w.Write(SpikeValues.Count);
            foreach (var v in SpikeValues) Put(w, v);
            Put(w, StateTimes);
            Put(w, StateNeurons);
            w.Write(StateValues.Count);
            foreach (var v in StateValues) Put(w, v);
            w.Write(FinalValues.Count);
            foreach (var v in FinalValues) Put(w, v);
        });
        using var read = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(read));
    }

    /// <summary>Whether the file is there, is the one the catalog recorded (its SHA-256, read in blocks) and of this
    /// format (a chunk written by an older version is recomputed).</summary>
    public static bool IsValid(string path, string? sha256)
    {
        if (sha256 is null || !File.Exists(path)) return false;
        using var stream = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[sizeof(long)];
        if (stream.Read(magic) != magic.Length || BitConverter.ToInt64(magic) != Magic) return false;
        stream.Position = 0;
        return Convert.ToHexStringLower(SHA256.HashData(stream)) == sha256;
    }

    /// <summary>The chunk, or null when the file is missing, truncated or not the one the catalog recorded. Only the
    /// state variables <paramref name="state"/> accepts are read (the others are empty): a chunk's traces are what
    /// is large, and the final files are written one variable at a time. <paramref name="verified"/>: the file's
    /// checksum was checked already (by <see cref="IsValid"/> or an earlier read), so it is not read twice for it.</summary>
    public static ChunkData? Read(string path, string? sha256, Func<int, bool>? state = null, bool verified = false)
    {
        if (!(verified ? File.Exists(path) : IsValid(path, sha256))) return null;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var r = new BinaryReader(stream);
        if (r.ReadInt64() != Magic) return null;
        int first = r.ReadInt32(), count = r.ReadInt32();
        long steps = r.ReadInt64();
        var phases = Take<long>(r) ?? [0];
        var counts = Take<long>(r);
        var indices = Take<long>(r);
        var times = Take<double>(r);
        var spikeValues = Enumerable.Range(0, r.ReadInt32()).Select(_ => Take<double>(r) ?? []).ToList();
        var stateTimes = Take<double>(r);
        var neurons = Take<long>(r) ?? [];
        var values = new List<double[]>();
        int variables = r.ReadInt32();
        for (int v = 0; v < variables; v++)
        {
            if (state?.Invoke(v) == true) values.Add(Take<double>(r) ?? []);
            else
            {
                long n = r.ReadInt64();
                stream.Seek(Math.Max(n, 0) * sizeof(double), SeekOrigin.Current);
                values.Add([]);
            }
        }
        var final = Enumerable.Range(0, r.ReadInt32()).Select(_ => Take<double>(r) ?? []).ToList();
        return new ChunkData(first, count, steps, phases, counts, indices, times, spikeValues, stateTimes, neurons, values, final);
    }

    /// <summary>An array as its length (-1: none) and its little-endian values.</summary>
    private static void Put<T>(BinaryWriter w, T[]? values) where T : unmanaged
    {
        w.Write(values is null ? -1L : values.LongLength);
        if (values is not null) w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static T[]? Take<T>(BinaryReader r) where T : unmanaged
    {
        long n = r.ReadInt64();
        if (n < 0) return null;
        var values = new T[n];
        r.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}

/// <summary>The spikes of chunks gathered in the order of a run in one piece (by time, then neuron), each with its
/// values of the variables recorded at spikes.</summary>
internal sealed class ChunkSpikes
{
    private readonly List<(double Time, long Index)> _spikes = [];
    private readonly List<double>[] _values;

    public ChunkSpikes(int variables) => _values = [.. Enumerable.Range(0, variables).Select(_ => new List<double>())];

    public void Add(ChunkData data)
    {
        if (data.SpikeIndices is not { } indices) return;
        for (int j = 0; j < indices.Length; j++) _spikes.Add((data.SpikeTimes![j], indices[j]));
        for (int v = 0; v < _values.Length; v++) _values[v].AddRange(data.SpikeValues[v]);
    }

    /// <summary>Indices, times and each variable's values, ordered by (time, neuron) as one run orders them.</summary>
    public (long[] Indices, double[] Times, double[][] Values) Ordered()
    {
        var order = Enumerable.Range(0, _spikes.Count).ToArray();
        Array.Sort(order, (a, b) => _spikes[a].Time != _spikes[b].Time ? _spikes[a].Time.CompareTo(_spikes[b].Time)
            : _spikes[a].Index.CompareTo(_spikes[b].Index));
        return ([.. order.Select(k => _spikes[k].Index)], [.. order.Select(k => _spikes[k].Time)],
            [.. _values.Select(v => order.Select(k => v[k]).ToArray())]);
    }
}
