using System.Globalization;
using System.Text.Json;

namespace NeuroNative.Tests.Reference;

/// <summary>A CSV file of a reference case: header names and rows of doubles (SI units).</summary>
public sealed record CsvTable(string Path, IReadOnlyList<string> Columns, double[][] Rows)
{
    /// <summary>0-based position of the column called <paramref name="name"/>.</summary>
    public int ColumnIndex(string name)
    {
        for (int c = 0; c < Columns.Count; c++)
            if (Columns[c] == name) return c;
        throw new KeyNotFoundException($"{Path}: no column '{name}' (columns: {string.Join(",", Columns)})");
    }

    /// <summary>The values of one column, row by row.</summary>
    public double[] Column(string name)
    {
        int c = ColumnIndex(name);
        return Array.ConvertAll(Rows, row => row[c]);
    }
}

/// <summary>
/// One folder of tests/data/reference (copied to data/reference next to the test assembly):
/// outputs of Brian 2 2.5.1 / NEURON 8.2.2 described by the folder's PROVENANCE.md.
/// </summary>
public sealed class ReferenceCase
{
    /// <summary>Where the reference folders lie in the test output.</summary>
    public static string Root { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "data", "reference");

    public string Name { get; }
    public string Directory { get; }

    private ReferenceCase(string name, string directory)
    {
        Name = name;
        Directory = directory;
    }

    /// <summary>The case folder <c>data/reference/&lt;name&gt;</c>, e.g. <c>Load("adex_dt0.1")</c>.</summary>
    public static ReferenceCase Load(string name)
    {
        if (name.Length == 0 || name.IndexOfAny(['/', '\\']) >= 0 || name is "." or "..")
            throw new ArgumentException($"not a reference case name: '{name}'", nameof(name));
        string dir = System.IO.Path.Combine(Root, name);
        if (!System.IO.Directory.Exists(dir))
            throw new DirectoryNotFoundException($"reference case '{name}' not found: {dir} does not exist");
        return new ReferenceCase(name, dir);
    }

    /// <summary>Names of all reference cases present, sorted ordinally.</summary>
    public static IReadOnlyList<string> Names()
    {
        var names = System.IO.Directory.GetDirectories(Root).Select(d => System.IO.Path.GetFileName(d)!).ToList();
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>Full path of a file of this case.</summary>
    public string PathOf(string file) => System.IO.Path.Combine(Directory, file);

    public CsvTable ReadCsv(string file) => ParseCsv(PathOf(file));

    /// <summary>
    /// Reads a comma-separated file with one header row. Values are parsed with the invariant culture
    /// (Python's <c>%.17g</c>, including <c>inf</c>, <c>-inf</c> and <c>nan</c>); an empty header name is
    /// allowed (pandas writes one for the index column). Any other deviation throws a
    /// <see cref="FormatException"/> naming the file, the 1-based line and column.
    /// </summary>
    public static CsvTable ParseCsv(string path)
    {
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0)
            throw new FormatException($"{path}: empty file, expected a header row");
        string[] columns = lines[0].Split(',');
        var rows = new double[lines.Length - 1][];
        for (int l = 1; l < lines.Length; l++)
        {
            string[] fields = lines[l].Split(',');
            if (fields.Length != columns.Length)
                throw new FormatException(
                    $"{path}: line {l + 1}: expected {columns.Length} columns, found {fields.Length}");
            var row = new double[fields.Length];
            for (int c = 0; c < fields.Length; c++)
            {
                if (!TryParseDouble(fields[c], out row[c]))
                    throw new FormatException(
                        $"{path}: line {l + 1}, column {c + 1} ('{columns[c]}'): '{fields[c]}' is not a number");
            }
            rows[l - 1] = row;
        }
        return new CsvTable(path, columns, rows);
    }

    private static bool TryParseDouble(string text, out double value)
    {
        // Python writes non-finite doubles as inf/-inf/nan, which double.Parse does not accept.
        switch (text.ToLowerInvariant())
        {
            case "inf" or "+inf": value = double.PositiveInfinity; return true;
            case "-inf": value = double.NegativeInfinity; return true;
            case "nan" or "-nan": value = double.NaN; return true;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Spike count per neuron from spike_counts.csv (<c>index,count</c>), by index.</summary>
    public long[] SpikeCounts()
    {
        var table = ReadCsv("spike_counts.csv");
        int index = table.ColumnIndex("index"), count = table.ColumnIndex("count");
        var counts = new long[table.Rows.Length];
        for (int r = 0; r < counts.Length; r++)
        {
            if (Integer(table, r, index) != r)
                throw new FormatException($"{table.Path}: line {r + 2}: index {table.Rows[r][index]}, expected {r}");
            counts[r] = Integer(table, r, count);
        }
        return counts;
    }

    /// <summary>All spikes of spikes.csv (<c>index,time</c>, time in seconds) in the file's order.</summary>
    public (long Index, double Time)[] Spikes()
    {
        var table = ReadCsv("spikes.csv");
        int index = table.ColumnIndex("index"), time = table.ColumnIndex("time");
        var spikes = new (long, double)[table.Rows.Length];
        for (int r = 0; r < spikes.Length; r++)
            spikes[r] = (Integer(table, r, index), table.Rows[r][time]);
        return spikes;
    }

    /// <summary>The columns of conditions.csv (the parameter values per neuron), by name.</summary>
    public IReadOnlyDictionary<string, double[]> Conditions()
    {
        var table = ReadCsv("conditions.csv");
        return table.Columns.ToDictionary(name => name, table.Column);
    }

    /// <summary>run_info.json (versions, flags, timings, generated code); dispose it after use.</summary>
    public JsonDocument RunInfo() => JsonDocument.Parse(File.ReadAllText(PathOf("run_info.json")));

    public override string ToString() => Name;

    private static long Integer(CsvTable table, int row, int column)
    {
        double v = table.Rows[row][column];
        if (v < 0 || v != Math.Floor(v) || v > (1L << 53))
            throw new FormatException(
                $"{table.Path}: line {row + 2}, column {column + 1} ('{table.Columns[column]}'): {v} is not a non-negative integer");
        return (long)v;
    }
}
