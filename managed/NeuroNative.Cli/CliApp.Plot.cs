using System.CommandLine;
using NeuroNative.Plotting;

namespace NeuroNative.Cli;

public static partial class CliApp
{
    /// <summary><c>neuronative plot DIR [--out PNGDIR]</c>: the figures <see cref="ExplorationPlots.DrawAll"/>
    /// picks, one line per PNG written.</summary>
    private static Command PlotCommand(TextWriter stdout, TextWriter stderr)
    {
        var directory = new Argument<string>("DIR")
        {
            Description = "An exploration's output directory (axes.json, summary.csv, state_*.npy), or a run's directory with one per subdirectory.",
        };
        var output = new Option<string?>("--out", "-o") { Description = "Directory for the PNG files; default each exploration's own directory." };
        var plot = new Command("plot", "Draw the figures that fit an exploration's results (heat maps, time series, phase portraits, " +
            "bifurcation-like diagrams; docs/plots.md) as PNG and print their paths.") { directory, output };
        plot.SetAction(p => Guard(stderr, p.GetValue(directory)!, () =>
        {
            foreach (var drawn in ExplorationPlots.DrawDirectory(p.GetValue(directory)!, p.GetValue(output)))
            {
                if (drawn.Files.Count == 0) stderr.WriteLine($"neuronative: {drawn.Source}: no figure fits exploration '{drawn.Name}' (docs/plots.md)");
                foreach (string file in drawn.Files) stdout.WriteLine(file);
            }
            return ExitOk;
        }));
        return plot;
    }
}
