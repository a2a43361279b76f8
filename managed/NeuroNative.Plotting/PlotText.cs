using System.Globalization;
using NeuroNative.Explorations;
using NeuroNative.Models.Units;

namespace NeuroNative.Plotting;

/// <summary>An axis label ("I (pA)") and the factor SI values are divided by to be read in its unit.</summary>
internal readonly record struct ScaledLabel(string Label, string Unit, double Scale)
{
    public double[] Apply(IEnumerable<double> values)
    {
        double scale = Scale;
        return values.Select(v => v / scale).ToArray();
    }
}

/// <summary>Labels, titles and the summary values the figures show.</summary>
internal static class PlotText
{
    /// <summary>The axis' name with its unit, SI-prefixed to fit its values; an unreadable unit is shown as
    /// written, with the values as they are.</summary>
    public static ScaledLabel ForAxis(ExplorationAxis axis)
    {
        if (!UnitRegistry.TryParseDimension(axis.Unit, out var dimension))
            return new ScaledLabel($"{axis.Name} ({axis.Unit})", axis.Unit, 1);
        double magnitude = axis.ExploredValues.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
        var unit = UnitRegistry.DisplayUnitFor(dimension, magnitude);
        return new ScaledLabel(unit.Symbol.Length == 0 ? axis.Name : $"{axis.Name} ({unit.Symbol})", unit.Symbol, unit.Scale);
    }

    public static ScaledLabel ForTime(ExplorationResult result, double span)
    {
        if (result.TimeUnit.Length == 0) return new ScaledLabel("time", "", 1);
        // "s" is the time unit's symbol, which Brian has no name for.
        var dimension = Dimension.Time;
        if (result.TimeUnit != "s" && !UnitRegistry.TryParseDimension(result.TimeUnit, out dimension))
            return new ScaledLabel($"time ({result.TimeUnit})", result.TimeUnit, 1);
        var unit = UnitRegistry.DisplayUnitFor(dimension, span);
        return new ScaledLabel($"time ({unit.Symbol})", unit.Symbol, unit.Scale);
    }

    /// <summary>"μ = 0.1", "I = 5 pA"; several axes joined by commas.</summary>
    public static string Condition(ExplorationResult result, int condition) =>
        string.Join(", ", result.Axes.Select(a => Value(a, result.ConditionValues[condition][a.Name])));

    public static string Value(ExplorationAxis axis, double value)
    {
        var label = ForAxis(axis);
        // Three significant digits, but whole numbers as written (C = 1350, not 1.35E+03).
        double scaled = value / label.Scale;
        string number = scaled == Math.Round(scaled) && Math.Abs(scaled) < 1e6
            ? scaled.ToString("0", CultureInfo.InvariantCulture)
            : scaled.ToString("G3", CultureInfo.InvariantCulture);
        return label.Unit.Length == 0 ? $"{axis.Name} = {number}" : $"{axis.Name} = {number} {label.Unit}";
    }

    private static readonly string[] Statistics = ["min", "max", "mean", "ptp", "freq"];

    /// <summary>The summary column <paramref name="value"/> of a condition: rate, spike_count, or
    /// &lt;output&gt;_min|max|mean|ptp|freq as summary.csv names them.</summary>
    public static double SummaryValue(ExplorationResult result, int condition, string value)
    {
        var summary = result.Summaries[condition];
        if (value == "rate") return summary.Rate ?? double.NaN;
        if (value == "spike_count") return summary.SpikeCount ?? double.NaN;
        var (output, statistic) = SplitColumn(result, value);
        var s = summary.Outputs[output];
        return statistic switch
        {
            "min" => s.Min,
            "max" => s.Max,
            "mean" => s.Mean,
            "ptp" => s.PeakToPeak,
            _ => s.DominantFrequency,
        };
    }

    /// <summary>The colour bar's label for a summary column, with its unit where it has one.</summary>
    public static string SummaryLabel(ExplorationResult result, string value)
    {
        string perTime = result.TimeUnit == "s" ? "Hz" : result.TimeUnit.Length == 0 ? "per unit time" : $"1/{result.TimeUnit}";
        if (value == "rate") return $"rate ({perTime})";
        if (value == "spike_count") return "number of spikes";
        var (output, statistic) = SplitColumn(result, value);
        return statistic switch
        {
            "min" => $"min {output}",
            "max" => $"max {output}",
            "mean" => $"mean {output}",
            "ptp" => $"{output} amplitude (max − min)",
            _ => $"{output} dominant frequency ({perTime})",
        };
    }

    /// <summary>Throws unless <paramref name="value"/> names a summary the result has.</summary>
    public static void CheckSummary(ExplorationResult result, string value)
    {
        if (value is "rate" or "spike_count")
        {
            if (result.Summaries.All(s => s.SpikeCount is null))
                throw new ArgumentException($"exploration '{result.Name}' has no spikes (not a spiking model), so no '{value}'", nameof(value));
            return;
        }
        SplitColumn(result, value);
    }

    private static (string Output, string Statistic) SplitColumn(ExplorationResult result, string value)
    {
        int underscore = value.LastIndexOf('_');
        if (underscore > 0 && Statistics.Contains(value[(underscore + 1)..]) && result.OutputNames.Contains(value[..underscore]))
            return (value[..underscore], value[(underscore + 1)..]);
        var columns = new List<string>();
        if (result.Summaries.Any(s => s.SpikeCount is not null)) columns.AddRange(["rate", "spike_count"]);
        columns.AddRange(result.OutputNames.SelectMany(o => Statistics.Select(s => $"{o}_{s}")));
        throw new ArgumentException($"'{value}' is not a summary of exploration '{result.Name}' (summaries: {string.Join(", ", columns)})", nameof(value));
    }

    /// <summary>A file name part made of the exploration's name: letters, digits, '-', '_' and '.' kept.</summary>
    public static string FileStem(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        return chars.Length == 0 ? "exploration" : new string(chars);
    }
}
