using NeuroNative.Experiments;
using NeuroNative.Explorations;
using ScottPlot;

namespace NeuroNative.Plotting;

/// <summary>
/// The figures of an exploration (docs/plots.md), as TVB-O's and Brian's examples draw them: each returns a
/// <see cref="Figure"/> to adjust or save (<c>result.PlotHeatmap().SavePng("rate.png")</c>).
/// </summary>
public static class ExplorationFigures
{
    /// <summary>Panels at most in <see cref="PlotTimeSeries"/> and <see cref="PlotPhasePortraits"/>; more
    /// conditions are thinned to this many, evenly spaced, first and last kept.</summary>
    public const int DefaultMaxPanels = 12;

    /// <summary>
    /// A summary over a 2-D product grid as a heat map: <paramref name="x"/> (default the first axis) across,
    /// <paramref name="y"/> (default the second) upwards, in the axes' units with an SI prefix, and a colour bar
    /// named after <paramref name="value"/>: "rate" (the default for spiking models, Hz for Brian models),
    /// "spike_count" or a summary.csv column "&lt;output&gt;_min|max|mean|ptp|freq" (default: the first output's
    /// "_ptp", the amplitude). Axes other than x and y must hold one value.
    /// </summary>
    public static Figure PlotHeatmap(this ExplorationResult result, string? value = null, string? x = null, string? y = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Axes.Count < 2) throw new ArgumentException($"exploration '{result.Name}' has {result.Axes.Count} axis; a heat map needs two");
        value ??= result.Summaries.Any(s => s.SpikeCount is not null) ? "rate"
            : result.OutputNames.Count > 0 ? $"{result.OutputNames[0]}_ptp"
            : throw new ArgumentException($"exploration '{result.Name}' has neither spikes nor outputs to draw");
        PlotText.CheckSummary(result, value);
        var xAxis = Axis(result, x ?? result.Axes[0].Name, nameof(x));
        var yAxis = Axis(result, y ?? result.Axes[1].Name, nameof(y));
        if (xAxis == yAxis) throw new ArgumentException($"x and y are both '{xAxis.Name}'", nameof(y));
        if (result.Mode != SweepMode.Product)
            throw new ArgumentException($"exploration '{result.Name}' is a zip sweep (one path through the values), not a grid; a heat map needs mode product");
        RequireFixed(result, xAxis, yAxis);

        var xLabel = PlotText.ForAxis(xAxis);
        var yLabel = PlotText.ForAxis(yAxis);
        double[] xs = Distinct(xAxis), ys = Distinct(yAxis);
        var cells = new double[ys.Length, xs.Length];
        for (int i = 0; i < ys.Length; i++)
            for (int j = 0; j < xs.Length; j++) cells[i, j] = double.NaN;
        for (int c = 0; c < result.Conditions; c++)
        {
            int j = Array.BinarySearch(xs, result.ConditionValues[c][xAxis.Name]);
            int i = Array.BinarySearch(ys, result.ConditionValues[c][yAxis.Name]);
            // Row 0 is drawn at the top: the smallest y goes to the last row, so y grows upwards.
            if (i >= 0 && j >= 0) cells[ys.Length - 1 - i, j] = PlotText.SummaryValue(result, c, value);
        }

        var figure = Figure.Grid(1, 1, 800, 600);
        var plot = figure.Plots[0];
        var heatmap = plot.Add.Heatmap(cells);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        var (left, right) = Edges(plot.Axes.Bottom, xLabel.Apply(xs));
        var (bottom, top) = Edges(plot.Axes.Left, yLabel.Apply(ys));
        heatmap.Rectangle = new CoordinateRect(left, right, bottom, top);
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = PlotText.SummaryLabel(result, value);
        plot.Title(result.Name);
        plot.XLabel(xLabel.Label);
        plot.YLabel(yLabel.Label);
        plot.Axes.Margins(0, 0);
        return figure;
    }

    /// <summary>One panel per condition (at most <paramref name="maxPanels"/>) with <paramref name="outputs"/>
    /// (default all) against time, titled with the condition's values ("μ = 0.1").</summary>
    public static Figure PlotTimeSeries(this ExplorationResult result, IReadOnlyList<string>? outputs = null, int maxPanels = DefaultMaxPanels)
    {
        ArgumentNullException.ThrowIfNull(result);
        outputs ??= result.OutputNames;
        RequireSeries(result, outputs);
        var conditions = Pick(Enumerable.Range(0, result.Conditions).ToArray(), maxPanels);
        var time = PlotText.ForTime(result, result.Time[^1]);
        double[] t = time.Apply(result.Time);
        int columns = conditions.Length <= 3 ? conditions.Length : conditions.Length <= 6 ? 3 : 4;
        var figure = Figure.Grid(conditions.Length, columns, 420, 300);
        for (int p = 0; p < conditions.Length; p++)
        {
            var plot = figure.Plots[p];
            for (int k = 0; k < outputs.Count; k++)
            {
                var line = plot.Add.SignalXY(t, result.TimeSeries(conditions[p], outputs[k]).ToArray());
                line.LegendText = outputs[k];
                line.Color = Palette(k);
            }
            plot.Title(PlotText.Condition(result, conditions[p]));
            plot.XLabel(time.Label);
            plot.YLabel(outputs.Count == 1 ? outputs[0] : "state");
            if (outputs.Count > 1) plot.ShowLegend(Alignment.UpperRight);
        }
        return figure;
    }

    /// <summary>One phase portrait per condition (at most <paramref name="maxPanels"/>): <paramref name="y"/>
    /// against <paramref name="x"/> (default the first two outputs), the start marked green and the end red.</summary>
    public static Figure PlotPhasePortraits(this ExplorationResult result, string? x = null, string? y = null, int maxPanels = DefaultMaxPanels)
    {
        ArgumentNullException.ThrowIfNull(result);
        if ((x is null || y is null) && result.OutputNames.Count < 2)
            throw new ArgumentException($"exploration '{result.Name}' has {result.OutputNames.Count} output(s); a phase portrait needs two");
        x ??= result.OutputNames[0];
        y ??= result.OutputNames[x == result.OutputNames[0] ? 1 : 0];
        RequireSeries(result, [x, y]);
        var conditions = Pick(Enumerable.Range(0, result.Conditions).ToArray(), maxPanels);
        var colormap = new ScottPlot.Colormaps.Viridis();
        int columns = conditions.Length <= 3 ? conditions.Length : conditions.Length <= 6 ? 3 : 4;
        var figure = Figure.Grid(conditions.Length, columns, 380, 380);
        for (int p = 0; p < conditions.Length; p++)
        {
            var plot = figure.Plots[p];
            double[] xs = result.TimeSeries(conditions[p], x).ToArray();
            double[] ys = result.TimeSeries(conditions[p], y).ToArray();
            var path = plot.Add.ScatterLine(xs, ys, colormap.GetColor(conditions.Length == 1 ? 0 : 0.9 * p / (conditions.Length - 1)));
            path.LineWidth = 1;
            var start = plot.Add.Marker(xs[0], ys[0], MarkerShape.FilledCircle, 10, Colors.Green);
            var end = plot.Add.Marker(xs[^1], ys[^1], MarkerShape.FilledCircle, 10, Colors.Red);
            if (p == 0)
            {
                start.LegendText = "start";
                end.LegendText = "end";
                plot.ShowLegend(Alignment.UpperRight);
            }
            plot.Title(PlotText.Condition(result, conditions[p]));
            plot.XLabel(x);
            plot.YLabel(y);
        }
        return figure;
    }

    /// <summary>
    /// A bifurcation-like diagram over a 1-D sweep: left, the band between the minimum and maximum of
    /// <paramref name="output"/> (default the first) over the steady-state window and its mean, against
    /// <paramref name="axis"/> (default the swept one); right, <paramref name="samples"/> sample time series
    /// (evenly spaced along the axis) over the last 40 % of the kept samples.
    /// </summary>
    public static Figure PlotBifurcation(this ExplorationResult result, string? output = null, string? axis = null, int samples = 4)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.OutputNames.Count == 0) throw new ArgumentException($"exploration '{result.Name}' has no outputs");
        output ??= result.OutputNames[0];
        RequireSeries(result, [output]);
        var swept = Axis(result, axis ?? (SweptAxes(result).FirstOrDefault() ?? result.Axes[0]).Name, nameof(axis));
        if (result.Mode == SweepMode.Product) RequireFixed(result, swept);
        var label = PlotText.ForAxis(swept);
        int[] order = Enumerable.Range(0, result.Conditions).OrderBy(c => result.ConditionValues[c][swept.Name]).ToArray();
        double[] xs = label.Apply(order.Select(c => result.ConditionValues[c][swept.Name]));
        var summaries = order.Select(c => result.Summaries[c].Outputs[output]).ToArray();

        var figure = Figure.Grid(2, 2, 700, 500);
        var diagram = figure.Plots[0];
        var band = diagram.Add.FillY(xs, summaries.Select(s => s.Min).ToArray(), summaries.Select(s => s.Max).ToArray());
        band.FillColor = Palette(0).WithAlpha(0.3);
        band.LineColor = Palette(0).WithAlpha(0.6);
        band.LegendText = "min–max range";
        var mean = diagram.Add.ScatterLine(xs, summaries.Select(s => s.Mean).ToArray(), Colors.Black);
        mean.LineWidth = 2;
        mean.LegendText = $"mean {output}";
        diagram.Title($"{result.Name}: bifurcation-like diagram");
        diagram.XLabel(label.Label);
        diagram.YLabel(output);
        diagram.ShowLegend(Alignment.UpperLeft);

        var traces = figure.Plots[1];
        int from = (int)(0.6 * result.Samples);
        var time = PlotText.ForTime(result, result.Time[^1]);
        double[] t = time.Apply(result.Time[from..]); // model time, as the time-series panels show it
        var colormap = new ScottPlot.Colormaps.Viridis();
        var picked = Pick(order, samples);
        for (int k = 0; k < picked.Length; k++)
        {
            var line = traces.Add.SignalXY(t, result.TimeSeries(picked[k], output)[from..].ToArray());
            line.Color = colormap.GetColor(picked.Length == 1 ? 0 : 0.9 * k / (picked.Length - 1));
            line.LegendText = PlotText.Value(swept, result.ConditionValues[picked[k]][swept.Name]);
        }
        traces.Title("sample time series");
        traces.XLabel(time.Label);
        traces.YLabel(output);
        traces.ShowLegend(Alignment.UpperRight);
        return figure;
    }

    /// <summary>The axes that take more than one value.</summary>
    internal static IReadOnlyList<ExplorationAxis> SweptAxes(ExplorationResult result) =>
        result.Axes.Where(a => a.ExploredValues.Distinct().Count() > 1).ToList();

    private static ExplorationAxis Axis(ExplorationResult result, string name, string parameter) =>
        result.Axes.FirstOrDefault(a => a.Name == name)
        ?? throw new ArgumentException($"'{name}' is not an axis of exploration '{result.Name}' (axes: {string.Join(", ", result.Axes.Select(a => a.Name))})", parameter);

    private static void RequireFixed(ExplorationResult result, params ExplorationAxis[] shown)
    {
        var other = SweptAxes(result).FirstOrDefault(a => !shown.Contains(a));
        if (other is not null)
            throw new ArgumentException($"exploration '{result.Name}' also sweeps '{other.Name}', which this figure has no room for");
    }

    private static void RequireSeries(ExplorationResult result, IEnumerable<string> outputs)
    {
        foreach (string o in outputs) result.OutputIndex(o);
        if (result.Samples == 0 || result.Conditions == 0)
            throw new ArgumentException($"exploration '{result.Name}' has no samples to draw");
    }

    private static double[] Distinct(ExplorationAxis axis) => axis.ExploredValues.Distinct().Order().ToArray();

    /// <summary>At most <paramref name="count"/> of <paramref name="items"/>, evenly spaced, first and last kept.</summary>
    internal static int[] Pick(int[] items, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "at least one panel or sample");
        if (items.Length <= count) return items;
        if (count == 1) return [items[0]];
        return Enumerable.Range(0, count).Select(k => items[(int)Math.Round(k * (items.Length - 1.0) / (count - 1))]).ToArray();
    }

    /// <summary>The cell edges of sorted values: at the true positions when evenly spaced, else one unit per
    /// value with the values as tick labels.</summary>
    private static (double Low, double High) Edges(IAxis axis, double[] values)
    {
        int n = values.Length;
        if (n == 1) return (values[0] - 0.5, values[0] + 0.5);
        double step = (values[^1] - values[0]) / (n - 1);
        bool even = values.Zip(values.Skip(1)).All(p => Math.Abs(p.Second - p.First - step) <= 1e-6 * Math.Abs(step));
        if (even) return (values[0] - step / 2, values[^1] + step / 2);
        var ticks = Pick(Enumerable.Range(0, n).ToArray(), 8);
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            ticks.Select(i => (double)i).ToArray(), ticks.Select(i => values[i].ToString("G3", System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        return (-0.5, n - 0.5);
    }

    private static Color Palette(int k) => new ScottPlot.Palettes.Category10().GetColor(k);
}
