using NeuroNative.Models.Units;
using ScottPlot;

namespace NeuroNative.Plotting;

/// <summary>The figures of simulation-based inference (docs/inference.md), as sbi draws them: pair plots of posterior
/// draws, conditional pair plots and correlation matrices, SBC rank histograms. Values are SI; each axis shows its
/// parameter in a prefixed unit when <c>units</c> are given.</summary>
public static class InferenceFigures
{
    const int Panel = 260;

    static (double Scale, string Label)[] Axes(IReadOnlyList<string> names, IReadOnlyList<Dimension>? units, IReadOnlyList<(double Low, double High)> limits) =>
        [.. names.Select((n, i) =>
        {
            if (units is null) return (1.0, n);
            var u = UnitRegistry.DisplayUnitFor(units[i], Math.Max(Math.Abs(limits[i].Low), Math.Abs(limits[i].High)));
            return (u.Scale, u.Symbol.Length == 0 ? n : $"{n} ({u.Symbol})");
        })];

    /// <summary>sbi's pairplot: histograms of each parameter's draws on the diagonal, 2-D histograms of each pair above
    /// it, <paramref name="points"/> (ground truth) marked in red; axes over <paramref name="limits"/>.</summary>
    public static Figure PairPlot(IReadOnlyList<string> names, double[,] samples, IReadOnlyList<(double Low, double High)> limits,
                                  double[]? points = null, IReadOnlyList<Dimension>? units = null, int bins = 50)
    {
        int d = names.Count, n = samples.GetLength(0);
        if (samples.GetLength(1) != d || limits.Count != d) throw new ArgumentException($"{d} names, {samples.GetLength(1)} sample columns and {limits.Count} limits");
        var axes = Axes(names, units, limits);
        return Grid(d, axes, limits, points,
            i => Histogram(Enumerable.Range(0, n).Select(k => samples[k, i]), limits[i], bins),
            (i, j) =>
            {
                var h = new double[bins, bins];
                for (int k = 0; k < n; k++)
                {
                    int a = Bin(samples[k, i], limits[i], bins), b = Bin(samples[k, j], limits[j], bins);
                    if (a >= 0 && b >= 0) h[a, b]++;
                }
                return h;
            });
    }

    /// <summary>sbi's conditional_pairplot: the posterior's 1-D conditionals on the diagonal and 2-D conditionals
    /// above it, the other parameters fixed at <paramref name="condition"/> (marked), on the given grids.</summary>
    public static Figure ConditionalPairPlot(IReadOnlyList<string> names, IReadOnlyList<double[]> grids, IReadOnlyList<double[]> diagonal,
        Func<int, int, double[,]> pair, double[] condition, IReadOnlyList<Dimension>? units = null)
    {
        // The grids are cell centres: the limits lie half a cell beyond the first and last.
        var limits = grids.Select(g => (g[0] - (g[1] - g[0]) / 2, g[^1] + (g[1] - g[0]) / 2)).ToArray();
        return Grid(names.Count, Axes(names, units, limits), limits, condition, i => diagonal[i], pair);
    }

    static Figure Grid(int d, (double Scale, string Label)[] axes, IReadOnlyList<(double Low, double High)> limits, double[]? points,
                       Func<int, double[]> diagonal, Func<int, int, double[,]> pair)
    {
        var figure = Figure.Grid(d * d, d, Panel, Panel);
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                var plot = figure.Plots[i * d + j];
                var (lo, hi) = (limits[j].Low / axes[j].Scale, limits[j].High / axes[j].Scale);
                if (j < i) { plot.Axes.Frameless(); plot.HideGrid(); continue; }
                if (i == j)
                {
                    var values = diagonal(i);
                    double w = (hi - lo) / values.Length;
                    var bars = plot.Add.Bars(Enumerable.Range(0, values.Length).Select(k => lo + (k + 0.5) * w).ToArray(), values);
                    foreach (var bar in bars.Bars) { bar.Size = w; bar.LineWidth = 0; bar.FillColor = Colors.SteelBlue; }
                    if (points is not null)
                    {
                        var line = plot.Add.VerticalLine(points[i] / axes[i].Scale);
                        line.Color = Colors.Red;
                    }
                    plot.Axes.SetLimits(lo, hi, 0, values.DefaultIfEmpty(0).Max() * 1.05 + 1e-300);
                    plot.Axes.Left.TickLabelStyle.IsVisible = false;
                }
                else
                {
                    var h = pair(i, j);   // [i-bin, j-bin]: x is parameter j, y is parameter i
                    int ni = h.GetLength(0), nj = h.GetLength(1);
                    var cells = new double[ni, nj];
                    for (int a = 0; a < ni; a++) for (int b = 0; b < nj; b++) cells[ni - 1 - a, b] = h[a, b];
                    var map = plot.Add.Heatmap(cells);
                    map.Colormap = new ScottPlot.Colormaps.Viridis();
                    var (ylo, yhi) = (limits[i].Low / axes[i].Scale, limits[i].High / axes[i].Scale);
                    map.Rectangle = new CoordinateRect(lo, hi, ylo, yhi);
                    if (points is not null) plot.Add.Marker(points[j] / axes[j].Scale, points[i] / axes[i].Scale, MarkerShape.FilledCircle, 7, Colors.Red);
                    plot.Axes.SetLimits(lo, hi, ylo, yhi);
                    plot.YLabel(axes[i].Label);
                }
                plot.XLabel(axes[j].Label);
            }
        return figure;
    }

    static int Bin(double v, (double Low, double High) l, int bins)
    {
        if (!(v >= l.Low && v <= l.High)) return -1;
        return Math.Min(bins - 1, (int)((v - l.Low) / (l.High - l.Low) * bins));
    }

    static double[] Histogram(IEnumerable<double> values, (double Low, double High) l, int bins)
    {
        var h = new double[bins];
        foreach (double v in values) if (Bin(v, l, bins) is var b and >= 0) h[b]++;
        return h;
    }

    /// <summary>sbi's sbc_rank_plot (histogram style): per parameter the histogram of SBC ranks over 0..draws, the
    /// expected count and its 99 % band under uniformity (binomial) shaded, the χ² p-value in the title.</summary>
    public static Figure SbcRanks(IReadOnlyList<string> names, int[,] ranks, int draws, int bins, IReadOnlyList<double> pValues)
    {
        int n = ranks.GetLength(0), d = names.Count;
        var figure = Figure.Grid(d, Math.Min(d, 4), 360, 280);
        double expected = (double)n / bins, sd = Math.Sqrt(n * (1.0 / bins) * (1 - 1.0 / bins));
        for (int j = 0; j < d; j++)
        {
            var plot = figure.Plots[j];
            var counts = new double[bins];
            for (int i = 0; i < n; i++) counts[Math.Min(bins - 1, ranks[i, j] * bins / (draws + 1))]++;
            double w = (draws + 1.0) / bins;
            var band = plot.Add.HorizontalSpan(Math.Max(0, expected - 2.576 * sd), expected + 2.576 * sd);
            band.FillColor = Colors.Gray.WithAlpha(0.3);
            band.LineWidth = 0;
            var bars = plot.Add.Bars(Enumerable.Range(0, bins).Select(k => (k + 0.5) * w).ToArray(), counts);
            foreach (var bar in bars.Bars) { bar.Size = w * 0.95; bar.LineWidth = 0; bar.FillColor = Colors.SteelBlue; }
            plot.Add.HorizontalLine(expected).Color = Colors.Black;
            plot.Title(FormattableString.Invariant($"{names[j]}: χ² p = {pValues[j]:G3}"));
            plot.XLabel("rank");
            plot.YLabel("simulations");
            plot.Axes.SetLimits(0, draws + 1, 0, Math.Max(counts.Max(), expected + 3 * sd) * 1.1);
        }
        return figure;
    }

    /// <summary>sbi's conditional correlation matrix as a heat map (−1 blue to 1 red), values written in the cells.</summary>
    public static Figure CorrelationMatrix(IReadOnlyList<string> names, double[,] matrix)
    {
        int d = names.Count;
        var figure = Figure.Grid(1, 1, 160 + 90 * d, 120 + 90 * d);
        var plot = figure.Plots[0];
        var cells = new double[d, d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) cells[d - 1 - i, j] = matrix[i, j];
        var map = plot.Add.Heatmap(cells);
        map.Colormap = new ScottPlot.Colormaps.MellowRainbow();
        map.ManualRange = new ScottPlot.Range(-1, 1);
        map.Rectangle = new CoordinateRect(-0.5, d - 0.5, -0.5, d - 0.5);
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                var t = plot.Add.Text(FormattableString.Invariant($"{matrix[i, j]:F2}"), j, d - 1 - i);
                t.Alignment = Alignment.MiddleCenter;
            }
        plot.Add.ColorBar(map);
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, d).Select(k => (double)k)], [.. names]);
        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, d).Select(k => (double)(d - 1 - k))], [.. names]);
        plot.Title("conditional correlation");
        plot.Axes.Margins(0, 0);
        return figure;
    }
}
