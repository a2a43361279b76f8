using System.Security.Cryptography;
using NeuroNative.Experiments;

namespace NeuroNative.Runs;

/// <summary>
/// One finished chunk's results, <c>DIR/.neuronative/chunks/chunk_&lt;id&gt;.bin</c>: spike counts, spikes (the
/// experiment's neuron indices), the recorded traces of its neurons and final values, little-endian. Written under
/// a temporary name, flushed to disk and renamed; its SHA-256 is kept in the catalog, and a file that does not match
/// it is recomputed, never used.
/// </summary>
public sealed record ChunkData(int First, int Count, long StepsDone, long[] PhaseStarts, long[]? SpikeCounts, long[]? SpikeIndices,
    double[]? SpikeTimes, double[]? StateTimes, long[] StateNeurons, IReadOnlyList<double[]> StateValues, IReadOnlyList<double[]> FinalValues)
{
    private const long Magic = 0x314B4E4843_4E4E; // "NNCHNK1"

    /// <summary>A chunk's result; without recorded neurons in it, an empty trace per recorded variable.</summary>
    public static ChunkData From(ExperimentResult r) => new(r.Neurons.First, r.Neurons.Count, r.StepsDone, r.PhaseStarts, r.SpikeCounts,
        r.SpikeIndices, r.SpikeTimes, r.StateTimes, r.StateValues.Count > 0 ? [.. r.StateValues[0].Neurons] : [],
        r.StateValues.Count > 0 ? [.. r.StateValues.Select(t => t.Values.SelectMany(row => row).ToArray())]
            : [.. (r.Experiment.RecordState?.Variables ?? []).Select(_ => Array.Empty<double>())],
        [.. r.FinalValues.Select(f => f.Values)]);

    public static string PathOf(string directory, int id) =>
        Path.Combine(directory, RunCatalog.Folder, "chunks", $"chunk_{id:D6}.bin");

    /// <summary>Writes the file atomically and returns its SHA-256.</summary>
    public string Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = $"{path}.{Environment.ProcessId}.tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                w.Write(Magic);
                w.Write(First);
                w.Write(Count);
                w.Write(StepsDone);
                Longs(w, PhaseStarts);
                Longs(w, SpikeCounts);
                Longs(w, SpikeIndices);
                Doubles(w, SpikeTimes);
                Doubles(w, StateTimes);
                Longs(w, StateNeurons);
                w.Write(StateValues.Count);
                foreach (var v in StateValues) Doubles(w, v);
                w.Write(FinalValues.Count);
                foreach (var v in FinalValues) Doubles(w, v);
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        using var read = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(read));
    }

    /// <summary>The chunk, or null when the file is missing, truncated or not the one the catalog recorded.</summary>
    public static ChunkData? Read(string path, string? sha256)
    {
        if (!File.Exists(path) || sha256 is null) return null;
        byte[] bytes = File.ReadAllBytes(path);
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != sha256) return null;
        using var r = new BinaryReader(new MemoryStream(bytes));
        if (r.ReadInt64() != Magic) return null;
        int first = r.ReadInt32(), count = r.ReadInt32();
        long steps = r.ReadInt64();
        var phases = Longs(r) ?? [0];
        var counts = Longs(r);
        var indices = Longs(r);
        var times = Doubles(r);
        var stateTimes = Doubles(r);
        var neurons = Longs(r) ?? [];
        var state = Enumerable.Range(0, r.ReadInt32()).Select(_ => Doubles(r) ?? []).ToList();
        var final = Enumerable.Range(0, r.ReadInt32()).Select(_ => Doubles(r) ?? []).ToList();
        return new ChunkData(first, count, steps, phases, counts, indices, times, stateTimes, neurons, state, final);
    }

    private static void Longs(BinaryWriter w, long[]? values)
    {
        w.Write(values is null ? -1L : values.LongLength);
        if (values is not null) w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static void Doubles(BinaryWriter w, double[]? values)
    {
        w.Write(values is null ? -1L : values.LongLength);
        if (values is not null) w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static long[]? Longs(BinaryReader r)
    {
        long n = r.ReadInt64();
        if (n < 0) return null;
        var values = new long[n];
        r.Read(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static double[]? Doubles(BinaryReader r)
    {
        long n = r.ReadInt64();
        if (n < 0) return null;
        var values = new double[n];
        r.Read(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
