using NeuroNative.Experiments;
using NeuroNative.Explorations;

namespace NeuroNative.Plotting;

/// <summary>The figures drawn for an exploration in one exploration directory (its PNG files).</summary>
public sealed record ExplorationPlotFiles(string Source, string Name, IReadOnlyList<string> Files);

/// <summary>
/// Chooses the figures that fit an exploration (docs/plots.md, "Which figures") and writes them as PNG:
/// what <c>neuronative plot</c> does.
/// </summary>
public static class ExplorationPlots
{
    /// <summary>
    /// Writes into <paramref name="directory"/> the figures that fit <paramref name="result"/>, named
    /// <c>&lt;name&gt;_&lt;figure&gt;.png</c>, and returns their paths:
    /// a 2-D product grid gets the rate heat map (spiking models) and an amplitude heat map per output;
    /// a 1-D sweep (or a zip sweep) with outputs gets the time-series panels, a bifurcation-like diagram per
    /// output and, with two outputs or more, the phase portraits of the first two; a single condition or a
    /// grid of three or more swept axes gets the time-series panels (and phase portraits) of up to
    /// <see cref="ExplorationFigures.DefaultMaxPanels"/> conditions. Nothing fits a sweep without outputs
    /// other than a 2-D grid.
    /// </summary>
    public static IReadOnlyList<string> DrawAll(ExplorationResult result, string directory)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(directory);
        string stem = PlotText.FileStem(result.Name);
        string File(string figure) => Path.Combine(directory, $"{stem}_{figure}.png");
        var files = new List<string>();
        bool spiking = result.Summaries.Any(s => s.SpikeCount is not null);
        bool series = result.OutputNames.Count > 0 && result.Samples > 0 && result.Conditions > 0;
        var swept = ExplorationFigures.SweptAxes(result);

        if (swept.Count == 2 && result.Mode == SweepMode.Product)
        {
            if (spiking) files.Add(result.PlotHeatmap("rate", swept[0].Name, swept[1].Name).SavePng(File("rate_heatmap")));
            foreach (string o in series ? result.OutputNames : [])
                files.Add(result.PlotHeatmap($"{o}_ptp", swept[0].Name, swept[1].Name).SavePng(File($"{o}_amplitude_heatmap")));
            return files;
        }
        if (!series) return files;
        files.Add(result.PlotTimeSeries().SavePng(File("timeseries")));
        if (swept.Count == 1 || (swept.Count > 1 && result.Mode == SweepMode.Zip))
            foreach (string o in result.OutputNames)
                files.Add(result.PlotBifurcation(o, swept[0].Name).SavePng(File($"{o}_bifurcation")));
        if (result.OutputNames.Count >= 2)
            files.Add(result.PlotPhasePortraits().SavePng(File($"phase_{result.OutputNames[0]}_{result.OutputNames[1]}")));
        return files;
    }

    /// <summary>
    /// Loads the exploration in <paramref name="directory"/>, or each one in a subdirectory of it (a run of an
    /// experiment with several explorations) when it has no axes.json itself, and draws it with
    /// <see cref="DrawAll"/> into its own directory, or into <paramref name="outputDirectory"/> when given.
    /// </summary>
    /// <exception cref="ExperimentException">No exploration there, or its files are unreadable.</exception>
    public static IReadOnlyList<ExplorationPlotFiles> DrawDirectory(string directory, string? outputDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory)) throw new ExperimentException(directory, 0, 0, "no such directory");
        var sources = File.Exists(Path.Combine(directory, ExplorationFiles.AxesFile))
            ? [directory]
            : Directory.GetDirectories(directory).Where(d => File.Exists(Path.Combine(d, ExplorationFiles.AxesFile)))
                .Order(StringComparer.Ordinal).ToArray();
        if (sources.Length == 0)
            throw new ExperimentException(directory, 0, 0,
                $"no {ExplorationFiles.AxesFile} here or in a subdirectory (not the output directory of an exploration)");
        var results = sources.Select(s => (Source: s, Result: ExplorationFiles.Load(s))).ToList();
        return results.Select(r => new ExplorationPlotFiles(r.Source, r.Result.Name, DrawAll(r.Result, outputDirectory ?? r.Source))).ToList();
    }
}
