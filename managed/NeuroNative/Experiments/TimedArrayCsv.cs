using System.Globalization;
using NeuroNative.Models;
using NeuroNative.Models.Units;

namespace NeuroNative.Experiments;

/// <summary>How a CSV file holds a TimedArray: one row per time sample (columns = traces), or one
/// row per trace (columns = time samples, as in brian2modelfitting's input arrays).</summary>
public enum TimedArrayLayout { TimeRows, TraceRows }

/// <summary>Loads a TimedArray from a CSV file of numbers (comma-separated, an optional header row,
/// optionally a leading index column as pandas writes it).</summary>
public static class TimedArrayCsv
{
    /// <summary>Values are multiplied by <paramref name="scale"/> (the SI value of the file's unit).
    /// Throws <see cref="FormatException"/> naming the file, line and column of a bad field.</summary>
    public static TimedArray Load(string path, TimedArrayLayout layout, double scale, double dt, Dimension unit,
        bool indexColumn = false)
    {
        var rows = new List<double[]>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            // pandas writes a header row of column labels before the index column's rows.
            if (indexColumn && lineNumber == 1) continue;
            string[] fields = line.Split(',');
            if (indexColumn) fields = fields[1..];
            var row = new double[fields.Length];
            bool numeric = true;
            for (int c = 0; c < fields.Length && numeric; c++)
                numeric = double.TryParse(fields[c].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out row[c]);
            if (!numeric)
            {
                if (rows.Count == 0 && lineNumber == 1) continue; // a header row
                int bad = Array.FindIndex(fields, f => !double.TryParse(f.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _));
                throw new FormatException($"{path}: line {lineNumber}, column {bad + 1 + (indexColumn ? 1 : 0)}: '{fields[bad].Trim()}' is not a number");
            }
            if (rows.Count > 0 && row.Length != rows[0].Length)
                throw new FormatException($"{path}: line {lineNumber}: {row.Length} columns, but the first data row has {rows[0].Length}");
            rows.Add(row);
        }
        if (rows.Count == 0) throw new FormatException($"{path}: no data rows");

        int width = rows[0].Length;
        int times = layout == TimedArrayLayout.TimeRows ? rows.Count : width;
        int columns = layout == TimedArrayLayout.TimeRows ? width : rows.Count;
        var values = new double[times * columns];
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < width; c++)
            {
                int index = layout == TimedArrayLayout.TimeRows ? r * columns + c : c * columns + r;
                values[index] = rows[r][c] * scale;
            }
        return new TimedArray(values, columns, dt, unit);
    }
}
