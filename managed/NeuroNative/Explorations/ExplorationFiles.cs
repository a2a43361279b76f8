using System.Globalization;
using System.Text;
using System.Text.Json;
using NeuroNative.Experiments;

namespace NeuroNative.Explorations;

/// <summary>
/// An exploration's files in its directory (docs/explorations.md, "Files"): <c>state_&lt;output&gt;.npy</c>
/// float64 [cond, samples], <c>time.npy</c>, <c>axes.json</c> and <c>summary.csv</c>, beside the run's
/// conditions.csv, model.md and run.json; and the result read back from them (<c>neuronative plot</c>).
/// </summary>
public static class ExplorationFiles
{
    public const string AxesFile = "axes.json", SummaryFile = "summary.csv", TimeFile = "time.npy";

    public static void Write(ExperimentOutput output, ExplorationResult result)
    {
        for (int k = 0; k < result.OutputNames.Count; k++)
            output.WriteArray($"state_{result.OutputNames[k]}.npy", result.Series[k], result.Conditions, result.Samples);
        if (result.OutputNames.Count > 0) output.WriteArray(TimeFile, result.Time, result.Samples);
        WriteDescription(output, result);
    }

    /// <summary>axes.json and summary.csv: all of <see cref="Write"/> but the samples (which a chunked run streams to
    /// its files itself).</summary>
    public static void WriteDescription(ExperimentOutput output, ExplorationResult result)
    {
        output.WriteText(AxesFile, AxesJson(result));
        output.WriteText(SummaryFile, SummaryCsv(result));
    }

    private static string AxesJson(ExplorationResult r)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("name", r.Name);
            json.WriteString("mode", r.Mode.ToString().ToLowerInvariant());
            json.WriteString("ordering", r.Mode == SweepMode.Zip
                ? "condition k takes the k-th value of every axis"
                : "first axis fastest: condition = i0 + n0*(i1 + n1*(i2 + ...))");
            json.WriteNumber("conditions", r.Conditions);
            json.WriteStartArray("axes");
            foreach (var a in r.Axes)
            {
                json.WriteStartObject();
                json.WriteString("name", a.Name);
                json.WriteString("unit", a.Unit);
                json.WriteStartArray("values");
                foreach (double v in a.ExploredValues) json.WriteNumberValue(v);
                json.WriteEndArray();
                json.WriteStartArray("targets");
                foreach (string t in a.Targets) json.WriteStringValue(t);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("outputs");
            foreach (string o in r.OutputNames) json.WriteStringValue(o);
            json.WriteEndArray();
            json.WriteNumber("sampling_step", r.Dt);
            json.WriteString("time_unit", r.TimeUnit);
            json.WriteNumber("samples", r.Samples);
            json.WriteNumber("first_sample_time", r.Samples > 0 ? r.Time[0] : 0);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>condition, each axis, spike_count and rate (spiking models), then per output min, max, mean,
    /// ptp and freq.</summary>
    private static string SummaryCsv(ExplorationResult r)
    {
        var header = new List<string> { "condition" };
        header.AddRange(r.Axes.Select(a => a.Name));
        bool spiking = r.Summaries.Any(s => s.SpikeCount is not null);
        if (spiking) header.AddRange(["spike_count", "rate"]);
        foreach (string o in r.OutputNames) header.AddRange(SummaryColumns.Select(c => $"{o}_{c}"));
        var sb = new StringBuilder(string.Join(',', header)).Append('\n');
        for (int c = 0; c < r.Conditions; c++)
        {
            var s = r.Summaries[c];
            sb.Append(s.Condition.ToString(CultureInfo.InvariantCulture));
            foreach (var a in r.Axes) sb.Append(',').Append(ExperimentOutput.G17(r.ConditionValues[c][a.Name]));
            if (spiking)
                sb.Append(',').Append(s.SpikeCount?.ToString(CultureInfo.InvariantCulture) ?? "")
                  .Append(',').Append(s.Rate is { } rate ? ExperimentOutput.G17(rate) : "");
            foreach (string o in r.OutputNames)
            {
                var v = s.Outputs[o];
                foreach (double x in new[] { v.Min, v.Max, v.Mean, v.PeakToPeak, v.DominantFrequency })
                    sb.Append(',').Append(ExperimentOutput.G17(x));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static readonly string[] SummaryColumns = ["min", "max", "mean", "ptp", "freq"];

    /// <summary>Reads an exploration back from its directory; an <see cref="ExperimentException"/> names the file
    /// and what is wrong with it.</summary>
    public static ExplorationResult Load(string directory)
    {
        string axesPath = Path.Combine(directory, AxesFile);
        if (!File.Exists(axesPath))
            throw new ExperimentException(directory, 0, 0, $"no {AxesFile} (not the output directory of a run or exploration)");
        JsonElement root;
        try { root = JsonDocument.Parse(File.ReadAllText(axesPath)).RootElement; }
        catch (JsonException e) { throw new ExperimentException(axesPath, 0, 0, $"not valid JSON ({e.Message})"); }
        try
        {
            var axes = root.GetProperty("axes").EnumerateArray().Select(a => new ExplorationAxis(
                a.GetProperty("name").GetString()!,
                a.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
                a.GetProperty("unit").GetString()!,
                a.GetProperty("targets").EnumerateArray().Select(t => t.GetString()!).ToArray())).ToList();
            var outputs = root.GetProperty("outputs").EnumerateArray().Select(o => o.GetString()!).ToList();
            var mode = Enum.Parse<SweepMode>(root.GetProperty("mode").GetString()!, ignoreCase: true);
            int conditions = root.GetProperty("conditions").GetInt32();
            double[] time = outputs.Count > 0 ? ReadArray(Path.Combine(directory, TimeFile)) : [];
            var series = outputs.Select(o =>
            {
                var values = ReadArray(Path.Combine(directory, $"state_{o}.npy"));
                if (values.LongLength != (long)conditions * time.Length)
                    throw new ExperimentException(Path.Combine(directory, $"state_{o}.npy"), 0, 0, $"{values.LongLength} values, " +
                                                  $"expected {conditions} conditions x {time.Length} samples");
                return values;
            }).ToList();
            var (values, summaries) = ReadSummary(Path.Combine(directory, SummaryFile), axes, outputs, conditions);
            return new ExplorationResult
            {
                Name = root.GetProperty("name").GetString()!,
                Axes = axes,
                Mode = mode,
                OutputNames = outputs,
                Dt = root.GetProperty("sampling_step").GetDouble(),
                TimeUnit = root.GetProperty("time_unit").GetString()!,
                Time = time,
                Series = series,
                ConditionValues = values,
                Summaries = summaries,
            };
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new ExperimentException(axesPath, 0, 0, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ExperimentException(directory, 0, 0, e.Message);
        }
    }

    /// <summary>A float64 .npy file; a malformed one is an <see cref="ExperimentException"/> that names it.</summary>
    private static double[] ReadArray(string path)
    {
        try { return Npy.ReadFloat64(File.ReadAllBytes(path)); }
        catch (FormatException e) { throw new ExperimentException(path, 0, 0, e.Message); }
    }

    private static (List<IReadOnlyDictionary<string, double>>, List<ConditionSummary>) ReadSummary(string path,
        IReadOnlyList<ExplorationAxis> axes, IReadOnlyList<string> outputs, int conditions)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length != conditions + 1)
            throw new ExperimentException(path, 0, 0, $"{lines.Length - 1} rows, expected {conditions} (one per condition)");
        var header = lines[0].Split(',');
        int Column(string name)
        {
            int k = Array.IndexOf(header, name);
            return k >= 0 ? k : throw new ExperimentException(path, 1, 0, $"no column '{name}'");
        }
        bool spiking = header.Contains("spike_count");
        var values = new List<IReadOnlyDictionary<string, double>>();
        var summaries = new List<ConditionSummary>();
        for (int c = 0; c < conditions; c++)
        {
            var cells = lines[c + 1].Split(',');
            if (cells.Length != header.Length) throw new ExperimentException(path, c + 2, 0, $"{cells.Length} cells, expected {header.Length}");
            double Cell(string name)
            {
                string text = cells[Column(name)];
                return text switch
                {
                    "inf" => double.PositiveInfinity,
                    "-inf" => double.NegativeInfinity,
                    "nan" => double.NaN,
                    _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
                        : throw new ExperimentException(path, c + 2, 0, $"'{text}' in column '{name}' is not a number"),
                };
            }
            values.Add(axes.ToDictionary(a => a.Name, a => Cell(a.Name)));
            var perOutput = outputs.ToDictionary(o => o, o => new OutputSummary(
                Cell($"{o}_min"), Cell($"{o}_max"), Cell($"{o}_mean"), Cell($"{o}_ptp"), Cell($"{o}_freq")));
            summaries.Add(new ConditionSummary(c, perOutput, spiking ? (long)Cell("spike_count") : null, spiking ? Cell("rate") : null));
        }
        return (values, summaries);
    }
}
