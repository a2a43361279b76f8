using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NeuroNative.Backends.Cpp;
using NeuroNative.Experiments;
using NeuroNative.Models;

namespace NeuroNative.Runs;

/// <summary>
/// What a run's results depend on, field by field (the model as its generated kernel, inputs, conditions, initial
/// values, timing, seed, precision, recording), and their hash: a directory holding a run of another experiment is
/// recognised and the differing fields named. Threads and backend are not in it (results do not depend on them).
/// </summary>
public sealed record ExperimentFingerprint(IReadOnlyDictionary<string, string> Fields)
{
    public string Hash { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(Fields))));

    public static ExperimentFingerprint Of(Experiment e, RunSettings settings)
    {
        var f = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["model"] = CppCodeGenerator.Generate(e.Program, settings.Precision).ModelHash,
            ["precision"] = settings.Precision.ToString().ToLowerInvariant(),
            ["conditions"] = e.N.ToString(CultureInfo.InvariantCulture),
            ["dt"] = R(e.Dt),
            ["duration"] = R(e.Duration),
            ["phases"] = string.Join("; ", e.Phases.Select(p =>
                $"{R(p.Duration)} spikes={p.RecordSpikes} state={p.RecordState} set=[{string.Join(", ", p.Set.Select(Describe))}]" +
                (p.RecordSingleTimestep ? " single timestep" : ""))),
            ["seed"] = (settings.Seed ?? e.Seed).ToString(CultureInfo.InvariantCulture),
            ["sweep"] = e.Sweep is { } s ? $"{s.Mode}: " + string.Join(", ", s.Parameters.Select(p => $"{p.Name}={Digest(p.Values)}")) : "none",
            ["initial"] = string.Join(", ", e.Initial.Select(Describe)),
            // A field per monitor, so that a difference is named (Differences shortens long values).
            ["record.spikes"] = $"{e.RecordSpikes}" + (e.SpikeVariables is { } sv
                ? $" with [{string.Join(",", sv.Variables)}] at {sv.When ?? "thresholds"} {sv.Order ?? (sv.When is null ? 1 : 0)}" : ""),
            ["record.state"] = e.RecordState is { } r
                ? $"[{string.Join(",", r.Variables)}] every {r.EverySteps} of {Digest(r.Neurons.ToArray())} at {r.When} {r.Order}" +
                  (r.RecordSingleTimestep ? " single timestep" : "") : "none",
            ["record.final"] = $"[{string.Join(",", e.RecordFinal)}]",
        };
        foreach (var (name, value) in e.Model.Namespace)
            if (value is NamespaceTimedArray { Array: var a })
                f[$"input {name}"] = $"{a.Times}x{a.Columns} every {R(a.Dt)}: {Digest(a.Values)}";
        return new ExperimentFingerprint(f);
    }

    /// <summary>"seed: 1 in the directory, 2 in the file; ..." for the fields that differ (null when none do).</summary>
    public string? Differences(ExperimentFingerprint other, string mine, string theirs)
    {
        var keys = Fields.Keys.Union(other.Fields.Keys).Order(StringComparer.Ordinal);
        var diff = keys.Where(k => Fields.GetValueOrDefault(k) != other.Fields.GetValueOrDefault(k))
            .Select(k => $"{k}: '{Short(Fields.GetValueOrDefault(k))}' {mine}, '{Short(other.Fields.GetValueOrDefault(k))}' {theirs}").ToList();
        return diff.Count == 0 ? null : string.Join("; ", diff);
    }

    public string ToJson() => JsonSerializer.Serialize(Fields);

    public static ExperimentFingerprint FromJson(string json) =>
        new(JsonSerializer.Deserialize<SortedDictionary<string, string>>(json) ?? throw new FormatException("an empty fingerprint"));

    private static string Describe(InitialValue v) => v.Values is { } values ? $"{v.Variable}={Digest(values)}" : $"{v.Variable}={v.Expression}";

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Short(string? s) => s is null ? "(none)" : s.Length <= 80 ? s : s[..77] + "...";

    private static string Digest<T>(T[] values) where T : unmanaged =>
        $"{values.Length} values sha256:{Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(values.AsSpan())))[..16]}";
}
