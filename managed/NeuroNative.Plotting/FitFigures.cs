using NeuroNative.Models.Units;
using ScottPlot;

namespace NeuroNative.Plotting;

/// <summary>The figures of a fit (docs/fitting.md): recorded data against the fitted model, as brian2modelfitting's
/// tutorials draw them.</summary>
public static class FitFigures
{
    /// <summary>One panel per trace (at most <see cref="ExplorationFigures.DefaultMaxPanels"/>, evenly thinned): the
    /// recorded <paramref name="data"/> in black and the <paramref name="fitted"/> model in red, against time
    /// (sample k at k·<paramref name="dt"/>), in <paramref name="unit"/> with an SI prefix.</summary>
    public static Figure PlotTraces(string variable, Dimension unit, double dt, IReadOnlyList<double[]> data, IReadOnlyList<double[]> fitted,
        string? title = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(fitted);
        if (data.Count == 0 || data.Count != fitted.Count)
            throw new ArgumentException($"{data.Count} recorded and {fitted.Count} fitted traces; give one fitted trace per recorded trace", nameof(fitted));
        var picked = ExplorationFigures.Pick(Enumerable.Range(0, data.Count).ToArray(), ExplorationFigures.DefaultMaxPanels);
        double span = data.Max(d => d.Length) * dt;
        var time = UnitRegistry.DisplayUnitFor(Dimension.Time, span);
        double magnitude = data.SelectMany(d => d).Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
        var value = UnitRegistry.DisplayUnitFor(unit, magnitude);
        int columns = picked.Length <= 3 ? picked.Length : picked.Length <= 6 ? 3 : 4;
        var figure = Figure.Grid(picked.Length, columns, 420, 300);
        for (int p = 0; p < picked.Length; p++)
        {
            var plot = figure.Plots[p];
            int trace = picked[p];
            Line(plot, data[trace], p == 0 ? "data" : null, Colors.Black);
            Line(plot, fitted[trace], p == 0 ? "fit" : null, Colors.Red);
            plot.Title(picked.Length == 1 && title is not null ? title : $"trace {trace}");
            plot.XLabel($"time ({time.Symbol})");
            plot.YLabel(value.Symbol.Length == 0 ? variable : $"{variable} ({value.Symbol})");
            if (p == 0) plot.ShowLegend(Alignment.UpperRight);
        }
        return figure;

        void Line(Plot plot, double[] values, string? label, Color color)
        {
            var t = Enumerable.Range(0, values.Length).Select(k => k * dt / time.Scale).ToArray();
            var line = plot.Add.SignalXY(t, values.Select(v => v / value.Scale).ToArray());
            if (label is not null) line.LegendText = label;
            line.Color = color;
        }
    }

    /// <summary>A raster per trace: recorded spikes (black, upper row) and the fitted model's (red, lower row).</summary>
    public static Figure PlotSpikes(IReadOnlyList<double[]> data, IReadOnlyList<double[]> fitted, double duration)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(fitted);
        if (data.Count == 0 || data.Count != fitted.Count)
            throw new ArgumentException($"{data.Count} recorded and {fitted.Count} fitted spike trains; give one fitted train per recorded one", nameof(fitted));
        var time = UnitRegistry.DisplayUnitFor(Dimension.Time, duration);
        var figure = Figure.Grid(1, 1, 900, Math.Clamp(60 + 40 * data.Count, 200, 1200));
        var plot = figure.Plots[0];
        for (int r = 0; r < data.Count; r++)
        {
            Raster(data[r], r + 0.15, Colors.Black, r == 0 ? "data" : null);
            Raster(fitted[r], r - 0.15, Colors.Red, r == 0 ? "fit" : null);
        }
        plot.XLabel($"time ({time.Symbol})");
        plot.YLabel("trace");
        plot.Axes.SetLimitsX(0, duration / time.Scale);
        plot.ShowLegend(Alignment.UpperRight);
        return figure;

        void Raster(double[] times, double y, Color color, string? label)
        {
            var scatter = plot.Add.ScatterPoints(times.Select(t => t / time.Scale).ToArray(), Enumerable.Repeat(y, times.Length).ToArray());
            scatter.Color = color;
            scatter.MarkerShape = MarkerShape.VerticalBar;
            scatter.MarkerSize = 10;
            if (label is not null) scatter.LegendText = label;
        }
    }
}
