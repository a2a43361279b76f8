using ScottPlot;

namespace NeuroNative.Plotting;

/// <summary>
/// A figure of one or more ScottPlot panels, with its size in pixels: change the panels through
/// <see cref="Plots"/> (or <see cref="Multiplot"/>) before <see cref="SavePng"/>.
/// </summary>
public sealed class Figure
{
    internal Figure(Multiplot multiplot, int width, int height) => (Multiplot, Width, Height) = (multiplot, width, height);

    public Multiplot Multiplot { get; }
    public IReadOnlyList<Plot> Plots => Multiplot.GetPlots();
    public int Width { get; set; }
    public int Height { get; set; }

    /// <summary>Writes the figure as PNG (creating the directory if needed) and returns <paramref name="path"/>.</summary>
    public string SavePng(string path)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        Multiplot.SavePng(path, Width, Height);
        return path;
    }

    /// <summary><paramref name="panels"/> panels in a grid of <paramref name="columns"/>, each
    /// <paramref name="panelWidth"/> × <paramref name="panelHeight"/> pixels, in DejaVu Sans.</summary>
    internal static Figure Grid(int panels, int columns, int panelWidth, int panelHeight)
    {
        columns = Math.Clamp(columns, 1, Math.Max(1, panels));
        int rows = (panels + columns - 1) / columns;
        var multiplot = new Multiplot();
        multiplot.AddPlots(panels);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        foreach (var plot in multiplot.GetPlots()) PlotFonts.Apply(plot);
        return new Figure(multiplot, columns * panelWidth, rows * panelHeight);
    }
}
