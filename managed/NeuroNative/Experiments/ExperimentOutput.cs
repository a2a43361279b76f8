using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NeuroNative.Models.Reporting;

namespace NeuroNative.Experiments;

/// <summary>A file of the output directory could not be written; <see cref="Exception.Message"/> names it.</summary>
public sealed class ExperimentOutputException(string path, string reason, Exception? inner = null)
    : IOException($"cannot write {path}: {reason}", inner)
{
    public string Path { get; } = path;
}

/// <summary>
/// The output directory of a run: conditions.csv, model.md, spike and state arrays as .npy, run.json.
/// Each file is written under a temporary name and renamed, so a crash or a full disk never leaves a
/// half-written file under the real name; files written before a failure stay.
/// </summary>
public sealed class ExperimentOutput
{
    public const string ReportFile = "model.md";

    private readonly List<string> _written = [];

    private ExperimentOutput(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>Names of the files written so far, in order.</summary>
    public IReadOnlyList<string> Written => _written;

    /// <summary>Creates the directory if needed and checks that files can be created in it, so that an
    /// unwritable directory is reported before a long run rather than after it.</summary>
    public static ExperimentOutput Open(string directory)
    {
        string full = System.IO.Path.GetFullPath(directory);
        try
        {
            System.IO.Directory.CreateDirectory(full);
            string probe = System.IO.Path.Combine(full, $".neuronative-probe-{Environment.ProcessId}");
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ExperimentOutputException(full, $"the output directory is not writable ({e.Message})", e);
        }
        return new ExperimentOutput(full);
    }

    /// <summary><c>index,&lt;param&gt;...</c>, one row per neuron, SI values as <c>%.17g</c>.</summary>
    public void WriteConditions(Experiment experiment)
    {
        var sb = new StringBuilder("index");
        var parameters = experiment.Sweep?.Parameters ?? [];
        foreach (var p in parameters) sb.Append(',').Append(p.Name);
        sb.Append('\n');
        var columns = experiment.Sweep?.Columns() ?? [];
        for (int i = 0; i < experiment.N; i++)
        {
            sb.Append(i.ToString(CultureInfo.InvariantCulture));
            foreach (var column in columns) sb.Append(',').Append(G17(column[i]));
            sb.Append('\n');
        }
        WriteText("conditions.csv", sb.ToString());
    }

    /// <summary><see cref="ReportFile"/>: the Markdown report of the experiment's model.</summary>
    /// <param name="title">Names the model in the report (the experiment file's name).</param>
    public void WriteReport(Experiment experiment, string title) =>
        WriteText(ReportFile, ModelReport.Markdown(experiment.Program, title));

    public void WriteText(string name, string text) => Write(name, s => s.Write(Encoding.UTF8.GetBytes(text)));

    /// <summary>A float64 .npy file of the given shape (C order).</summary>
    public void WriteArray(string name, double[] values, params long[] shape) => Write(name, s => Npy.Write(s, values, shape));

    /// <summary>The arrays of a run and run.json (written last: its presence means the run's files are complete).</summary>
    public void WriteResults(ExperimentResult result)
    {
        var e = result.Experiment;
        if (result.SpikeCounts is { } counts)
        {
            Write("spike_counts.npy", s => Npy.Write(s, counts));
            Write("spikes_index.npy", s => Npy.Write(s, result.SpikeIndices!));
            Write("spikes_time.npy", s => Npy.Write(s, result.SpikeTimes!));
            foreach (var (variable, values) in result.SpikeValues) Write($"spikes_{variable}.npy", s => Npy.Write(s, values));
        }
        if (result.PopulationRate is { } rate) Write("population_rate.npy", s => Npy.Write(s, rate));
        if (result.SmoothedPopulationRate is { } smoothed) Write("population_rate_smooth.npy", s => Npy.Write(s, smoothed));
        foreach (var (name, indices, eventTimes, eventValues) in result.Events)
        {
            Write($"events_{name}_index.npy", s => Npy.Write(s, indices));
            Write($"events_{name}_time.npy", s => Npy.Write(s, eventTimes));
            foreach (var (variable, values) in eventValues) Write($"events_{name}_{variable}.npy", s => Npy.Write(s, values));
        }
        if (e.RecordState is { } state && result.StateTimes is { } times)
        {
            Write("state_time.npy", s => Npy.Write(s, times));
            Write("state_neurons.npy", s => Npy.Write(s, state.Neurons.ToArray()));
            foreach (var trace in result.StateValues)
            {
                var flat = new double[trace.Values.Length * (long)times.Length];
                for (int n = 0; n < trace.Values.Length; n++) trace.Values[n].CopyTo(flat, n * (long)times.Length);
                Write($"state_{trace.Variable}.npy", s => Npy.Write(s, flat, trace.Values.Length, times.Length));
            }
        }
        foreach (var (variable, values) in result.FinalValues)
            Write($"final_{variable}.npy", s => Npy.Write(s, values));
        Write("run.json", s => WriteRunInfo(s, result));
    }

    private void WriteRunInfo(Stream stream, ExperimentResult r)
    {
        var e = r.Experiment;
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Indented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keeps ' and + readable; the file is not embedded in HTML
        });
        json.WriteStartObject();
        json.WriteString("experiment", e.Source);
        json.WriteString("outcome", r.Outcome.ToString().ToLowerInvariant());
        if (r.Error is not null) json.WriteString("error", r.Error);
        json.WriteString("backend", r.Backend);
        json.WriteString("backend_reason", r.BackendReason);
        if (r.BackendWarning is not null) json.WriteString("backend_warning", r.BackendWarning);
        json.WriteString("precision", r.Precision.ToString().ToLowerInvariant());
        json.WriteString("isa_level", r.IsaLevel);
        json.WriteNumber("threads", r.Threads);
        json.WriteNumber("n", e.N);
        json.WriteNumber("steps", r.StepsDone);
        json.WriteNumber("steps_requested", r.StepsRequested);
        json.WriteNumber("dt", e.Dt);
        json.WriteNumber("duration", e.Duration);
        json.WriteStartArray("phases");
        for (int p = 0; p < e.Phases.Count; p++)
        {
            json.WriteStartObject();
            json.WriteNumber("start_step", r.PhaseStarts[p]);
            json.WriteNumber("start_time", r.PhaseStarts[p] * e.Dt);
            json.WriteNumber("duration", e.Phases[p].Duration);
            json.WriteStartArray("record");
            if (e.RecordSpikes && e.Phases[p].RecordSpikes) json.WriteStringValue("spikes");
            if (e.RecordState is not null && e.Phases[p].RecordState) json.WriteStringValue("state");
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteString("method", e.Program.MethodName);
        json.WriteString("method_reason", e.Program.MethodReason);
        if (e.Program.Warnings.Count > 0)
        {
            json.WriteStartArray("method_warnings");
            foreach (var warning in e.Program.Warnings) json.WriteStringValue(warning);
            json.WriteEndArray();
        }
        json.WriteNumber("compile_s", r.CompileSeconds);
        json.WriteNumber("sim_s", r.SimulationSeconds);
        json.WriteNumber("neuron_steps_per_s", r.NeuronStepsPerSecond);
        if (r.SpikeIndices is not null) json.WriteNumber("spikes_total", r.SpikeIndices.LongLength);
        else json.WriteNull("spikes_total");
        if (r.Chunks is { } c)
        {
            json.WriteStartObject("chunks");
            json.WriteNumber("count", c.Count);
            json.WriteNumber("size", c.Size);
            json.WriteNumber("first_condition", r.Neurons.First);
            json.WriteNumber("conditions", r.Neurons.Count);
            if (c.Shard is { } shard) json.WriteString("shard", $"{shard.Index}/{shard.Count}");
            json.WriteEndObject();
            // What this process found done when it started (nothing on a fresh run).
            json.WriteStartObject("resumed");
            json.WriteNumber("chunks", c.DoneBefore);
            json.WriteNumber("neuron_steps", c.StepsBefore);
            json.WriteEndObject();
        }
        json.WriteNumber("seed", r.Seed);
        json.WriteString("version", Version);
        json.WriteString("model_report", ReportFile);
        if (e.Sweep is { } sweep)
        {
            json.WriteStartObject("sweep");
            json.WriteString("mode", sweep.Mode.ToString().ToLowerInvariant());
            json.WriteStartArray("parameters");
            foreach (var p in sweep.Parameters)
            {
                json.WriteStartObject();
                json.WriteString("name", p.Name);
                json.WriteString("unit", p.Unit.ToBrianString());
                json.WriteNumber("count", p.Values.Length);
                json.WriteBoolean("namespace_constant", p.IsNamespaceConstant);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteStartArray("files");
        foreach (var f in _written) json.WriteStringValue(f);
        json.WriteStringValue("run.json");
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The library's version (assembly informational version).</summary>
    public static string Version { get; } =
        typeof(NeuronGroup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(NeuronGroup).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>A file that is either complete or absent: written to <paramref name="temporary"/> (a name ending in
    /// .&lt;pid&gt;.tmp, which a later process may remove), flushed to disk and renamed over <paramref name="path"/>. A
    /// failure (a full disk) is an <see cref="ExperimentOutputException"/> naming the file, and leaves no temporary.</summary>
    internal static void WriteAtomically(string path, string temporary, Action<Stream> content)
    {
        try
        {
            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                content(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temporary); }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException) { }
            throw new ExperimentOutputException(path, e.Message, e);
        }
    }

    /// <summary>Writes DIR/.name.&lt;pid&gt;.tmp, then renames it to DIR/name (replacing an older file).</summary>
    public void Write(string name, Action<Stream> content)
    {
        string path = System.IO.Path.Combine(Directory, name);
        WriteAtomically(path, System.IO.Path.Combine(Directory, $".{name}.{Environment.ProcessId}.tmp"), content);
        _written.Add(name);
    }

    /// <summary>C's <c>%.17g</c> (Python writes floats so): round-trip, lower-case exponent, inf/nan.</summary>
    public static string G17(double v) => v switch
    {
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        _ when double.IsNaN(v) => "nan",
        _ => v.ToString("G17", CultureInfo.InvariantCulture).Replace('E', 'e'),
    };
}
