using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Units;

namespace NeuroNative.Experiments;

/// <summary>The <c>inputs</c> section: TimedArray inputs read from CSV files.</summary>
internal static class InputReader
{
    private static readonly string[] InputKeys = ["file", "dt", "unit", "layout", "index_column"];

    /// <param name="unitsOnly">The scope of dt and unit (units only: the namespace is not known yet).</param>
    /// <param name="baseDirectory">Where relative file names are resolved.</param>
    public static NamespaceValue Read(DocumentReader doc, ConfigNode node, string key, AnalyzedModel unitsOnly, string baseDirectory)
    {
        var fields = doc.Fields(node, key, InputKeys);
        var file = doc.Scalar(doc.Required(fields, "file", fields.Node, key), $"{key}.file");
        double dt = doc.Quantity(unitsOnly, doc.Required(fields, "dt", fields.Node, key), $"{key}.dt", Dimension.Time, "the sample spacing");
        if (!(dt > 0) || double.IsInfinity(dt)) throw doc.Error(fields["dt"], $"{key}.dt: must be a positive duration, not {dt} s");
        double scale = 1;
        Dimension unit = Dimension.Dimensionless;
        if (fields.TryGetValue("unit", out var unitNode))
            (scale, unit) = doc.Constant(unitsOnly, unitNode, $"{key}.unit");
        var layout = TimedArrayLayout.TimeRows;
        if (fields.TryGetValue("layout", out var layoutNode))
            layout = doc.Choice(layoutNode, $"{key}.layout", ["time_rows", "trace_rows"]) == "time_rows"
                ? TimedArrayLayout.TimeRows : TimedArrayLayout.TraceRows;
        bool indexColumn = fields.TryGetValue("index_column", out var indexNode)
            && doc.Choice(indexNode, $"{key}.index_column", ["true", "false"]) == "true";
        string path = Path.Combine(baseDirectory, file.Text);
        try { return TimedArrayCsv.Load(path, layout, scale, dt, unit, indexColumn); }
        catch (FormatException e) { throw doc.Error(file, $"{key}.file: {e.Message}"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw doc.Error(file, $"{key}.file: cannot read '{path}': {e.Message}");
        }
    }
}
