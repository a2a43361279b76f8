using NeuroNative.Experiments;
using NeuroNative.Explorations;
using NeuroNative.Plotting;
using ScottPlot;
using ScottPlot.Plottables;
using SkiaSharp;
using Xunit;

namespace NeuroNative.Tests.Plotting;

public sealed class PlottingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nn-plots").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Png(string name) => Path.Combine(_dir, name);

    [Fact]
    public void RateHeatmapHasAxesInSweptUnitsAndGrowsUpAndRight()
    {
        var figure = SyntheticExplorations.HhGrid().PlotHeatmap();
        var plot = figure.Plots.Single();
        Assert.Equal("g_na (μS)", plot.Axes.Bottom.Label.Text);
        Assert.Equal("I (pA)", plot.Axes.Left.Label.Text);
        Assert.Equal("rate (Hz)", plot.GetPlottables().OfType<Heatmap>().Any() ? ColorBarLabel(plot) : null);
        var cells = plot.GetPlottables().OfType<Heatmap>().Single().Intensities;
        Assert.Equal((8, 10), (cells.GetLength(0), cells.GetLength(1)));
        // Row 0 is the top of the picture: the largest current; columns grow with g_na.
        Assert.Equal(0, cells[7, 0]);
        Assert.True(cells[0, 9] > cells[0, 0] && cells[0, 9] > cells[7, 9]);
        var extent = plot.GetPlottables().OfType<Heatmap>().Single().GetAlignedExtent();
        Assert.Equal(2 - 1, extent.Left, 9);    // 2–20 μS in steps of 2: cell edges 1 and 21
        Assert.Equal(21, extent.Right, 9);
        Assert.Equal(20 + 10 / 7.0, extent.Top, 9);

        var bitmap = PngAssert.Picture(figure.SavePng(Png("rate.png")), 800, 600);
        Assert.True(PngAssert.Count(bitmap, new SKColor(0x44, 0x01, 0x54)) > 1000, "no dark viridis cells");
        Assert.True(PngAssert.Count(bitmap, new SKColor(0xfd, 0xe7, 0x25)) > 500, "no bright viridis cells");
    }

    [Fact]
    public void AmplitudeHeatmapHasRowsIExtAndColumnsA()
    {
        var figure = SyntheticExplorations.FhnGrid().PlotHeatmap("w_ptp");
        var plot = figure.Plots.Single();
        Assert.Equal("a", plot.Axes.Bottom.Label.Text);
        Assert.Equal("I_ext", plot.Axes.Left.Label.Text);
        Assert.Equal("w amplitude (max − min)", ColorBarLabel(plot));
        PngAssert.Picture(figure.SavePng(Png("amp.png")), 800, 600);
    }

    [Fact]
    public void HeatmapRefusesWhatIsNotAGrid()
    {
        var fhn = SyntheticExplorations.FhnGrid();
        var zip = new ExplorationResult
        {
            Name = fhn.Name, Axes = fhn.Axes, Mode = SweepMode.Zip, OutputNames = fhn.OutputNames, Dt = fhn.Dt, TimeUnit = fhn.TimeUnit,
            Time = fhn.Time, Series = fhn.Series, ConditionValues = fhn.ConditionValues, Summaries = fhn.Summaries,
        };
        Assert.Contains("zip", Assert.Throws<ArgumentException>(() => zip.PlotHeatmap()).Message);
        Assert.Contains("v_ptp", Assert.Throws<ArgumentException>(() => fhn.PlotHeatmap("amplitude")).Message);
        Assert.Contains("no spikes", Assert.Throws<ArgumentException>(() => fhn.PlotHeatmap("rate")).Message);
        Assert.Throws<ArgumentException>(() => SyntheticExplorations.VanDerPol().PlotHeatmap());
    }

    [Fact]
    public void TimeSeriesHasAPanelPerConditionTitledWithItsValues()
    {
        var figure = SyntheticExplorations.VanDerPol().PlotTimeSeries();
        Assert.Equal(["mu = 0.1", "mu = 2.08", "mu = 4.06", "mu = 6.04", "mu = 8.02", "mu = 10"],
            figure.Plots.Select(p => p.Axes.Title.Label.Text));
        Assert.All(figure.Plots, p => Assert.Equal(2, p.GetPlottables().Count()));
        PngAssert.Picture(figure.SavePng(Png("ts.png")), 3 * 420, 2 * 300);

        var thinned = SyntheticExplorations.Qif().PlotTimeSeries(["r"], maxPanels: 4);
        Assert.Equal(["eta = -10", "eta = -4.64", "eta = -0.357", "eta = 5"], thinned.Plots.Select(p => p.Axes.Title.Label.Text));
    }

    [Fact]
    public void BrianTimeSeriesAreInMillisecondsAndTitledInPicoamps()
    {
        var figure = SyntheticExplorations.BrianCurrentSteps().PlotTimeSeries();
        Assert.Equal(["I = 0 pA", "I = 5 pA", "I = 10 pA", "I = 15 pA", "I = 20 pA"], figure.Plots.Select(p => p.Axes.Title.Label.Text));
        Assert.Equal("time (ms)", figure.Plots[0].Axes.Bottom.Label.Text);
        Assert.Equal(19.9, figure.Plots[0].GetPlottables().OfType<SignalXY>().Single().GetAxisLimits().Right, 9);
        PngAssert.Picture(figure.SavePng(Png("brian.png")), 3 * 420, 2 * 300);
    }

    [Fact]
    public void UnevenlySpacedAxesGetOneCellPerValueLabelledWithTheValues()
    {
        var figure = SyntheticExplorations.FhnUneven().PlotHeatmap();
        PngAssert.Picture(figure.SavePng(Png("uneven.png")), 800, 600); // rendering generates the ticks
        var plot = figure.Plots.Single();
        var ticks = Assert.IsType<ScottPlot.TickGenerators.NumericManual>(plot.Axes.Bottom.TickGenerator);
        Assert.Equal(["0.1", "0.3", "1"], ticks.Ticks.Select(t => t.Label));
        Assert.Equal([0.0, 1, 2], ticks.Ticks.Select(t => t.Position));
        Assert.IsNotType<ScottPlot.TickGenerators.NumericManual>(plot.Axes.Left.TickGenerator);
    }

    [Fact]
    public void PhasePortraitsMarkStartGreenAndEndRed()
    {
        var figure = SyntheticExplorations.VanDerPol().PlotPhasePortraits();
        Assert.Equal(6, figure.Plots.Count);
        Assert.Equal(["x", "z"], new[] { figure.Plots[0].Axes.Bottom.Label.Text, figure.Plots[0].Axes.Left.Label.Text });
        var bitmap = PngAssert.Picture(figure.SavePng(Png("phase.png")), 3 * 380, 2 * 380);
        Assert.True(PngAssert.Count(bitmap, new SKColor(0, 128, 0), 30) > 6 * 30, "no green start markers");
        Assert.True(PngAssert.Count(bitmap, new SKColor(255, 0, 0), 30) > 6 * 30, "no red end markers");
    }

    [Fact]
    public void BifurcationHasTheBandTheMeanAndSampleSeries()
    {
        var figure = SyntheticExplorations.Qif().PlotBifurcation("r");
        var (diagram, traces) = (figure.Plots[0], figure.Plots[1]);
        Assert.Equal("eta", diagram.Axes.Bottom.Label.Text);
        Assert.Single(diagram.GetPlottables().OfType<FillY>());
        Assert.Single(diagram.GetPlottables().OfType<Scatter>());
        Assert.Equal(["eta = -10", "eta = -4.64", "eta = -0.357", "eta = 5"],
            traces.GetPlottables().OfType<SignalXY>().Select(s => s.LegendText));
        PngAssert.Picture(figure.SavePng(Png("bif.png")), 1400, 500);
    }

    [Fact]
    public void DrawAllPicksTheFiguresThatFit()
    {
        static string[] Names(IEnumerable<string> files) => files.Select(Path.GetFileName).ToArray()!;
        Assert.Equal(["hh_exploration_rate_heatmap.png"], Names(ExplorationPlots.DrawAll(SyntheticExplorations.HhGrid(), _dir)));
        Assert.Equal(["amp_landscape_v_amplitude_heatmap.png", "amp_landscape_w_amplitude_heatmap.png"],
            Names(ExplorationPlots.DrawAll(SyntheticExplorations.FhnGrid(), _dir)));
        var files = ExplorationPlots.DrawAll(SyntheticExplorations.VanDerPol(), _dir);
        Assert.Equal(["mu_sweep_timeseries.png", "mu_sweep_x_bifurcation.png", "mu_sweep_z_bifurcation.png", "mu_sweep_phase_x_z.png"],
            Names(files));
        Assert.All(files, f => Assert.True(new FileInfo(f).Length > 1000));
    }

    [Fact]
    public void TextIsDrawnInTheEmbeddedDejaVuSans()
    {
        var plot = SyntheticExplorations.HhGrid().PlotHeatmap().Plots.Single();
        Assert.Equal("DejaVu Sans", Fonts.Default);
        Assert.Equal("DejaVu Sans", plot.Axes.Bottom.Label.FontName);
        Assert.Equal("DejaVu Sans", plot.Axes.GetPanels().OfType<ScottPlot.Panels.ColorBar>().Single().Axis.Label.FontName);
        // The first resolver ScottPlot asks is the embedded one, so no system font is needed.
        var embedded = Fonts.FontResolvers.First();
        Assert.StartsWith("NeuroNative.Plotting.", embedded.GetType().FullName);
        foreach (bool bold in new[] { false, true })
        {
            var typeface = embedded.CreateTypeface("DejaVu Sans", bold, italic: false);
            Assert.NotNull(typeface);
            Assert.Equal("DejaVu Sans", typeface.FamilyName);
            Assert.Equal(bold, typeface.IsBold);
            Assert.True(typeface.ContainsGlyphs("μ²−η"));
        }
    }

    private static string? ColorBarLabel(Plot plot) =>
        plot.Axes.GetPanels().OfType<ScottPlot.Panels.ColorBar>().SingleOrDefault()?.Label;
}
