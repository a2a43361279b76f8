using NeuroNative.Cli;
using NeuroNative.Experiments;
using NeuroNative.Explorations;
using NeuroNative.Tests.Cli;
using Xunit;

namespace NeuroNative.Tests.Plotting;

public sealed class PlotCliTests
{
    [Fact]
    public void PlotDrawsEveryExplorationOfARunAndPrintsThePaths()
    {
        using var cli = new CliHarness();
        var run = cli.Path("run");
        ExplorationFiles.Write(ExperimentOutput.Open(Path.Combine(run, "mu_sweep")), SyntheticExplorations.VanDerPol());
        ExplorationFiles.Write(ExperimentOutput.Open(Path.Combine(run, "amp_landscape")), SyntheticExplorations.FhnGrid());
        Directory.CreateDirectory(Path.Combine(run, "not_an_exploration"));

        var (code, stdout, stderr) = CliHarness.Invoke("plot", run, "--out", cli.Path("png"));
        Assert.True(code == CliApp.ExitOk, stderr);
        var printed = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, printed.Length);
        Assert.All(printed, p => Assert.True(File.Exists(p) && Path.GetDirectoryName(p) == cli.Path("png"), p));
        Assert.Contains(printed, p => p.EndsWith("amp_landscape_v_amplitude_heatmap.png"));
        Assert.Contains(printed, p => p.EndsWith("mu_sweep_phase_x_z.png"));
    }

    [Fact]
    public void PlotWritesBesideTheDataWithoutOut()
    {
        using var cli = new CliHarness();
        ExplorationFiles.Write(ExperimentOutput.Open(cli.Path("hh")), SyntheticExplorations.HhGrid());
        var (code, stdout, stderr) = CliHarness.Invoke("plot", cli.Path("hh"));
        Assert.True(code == CliApp.ExitOk, stderr);
        Assert.Equal(Path.Combine(cli.Path("hh"), "hh_exploration_rate_heatmap.png"), stdout.Trim());
    }

    [Fact]
    public void PlotOfABadDirectoryExitsWithTwoAndSaysWhy()
    {
        using var cli = new CliHarness();
        var (code, _, stderr) = CliHarness.Invoke("plot", cli.Directory);
        Assert.Equal(CliApp.ExitUsageError, code);
        Assert.Contains("no axes.json", stderr);

        (code, _, stderr) = CliHarness.Invoke("plot", cli.Path("missing"));
        Assert.Equal(CliApp.ExitUsageError, code);
        Assert.Contains("no such directory", stderr);

        ExplorationFiles.Write(ExperimentOutput.Open(cli.Path("broken")), SyntheticExplorations.VanDerPol());
        File.WriteAllText(cli.Path("broken/axes.json"), "{ not json");
        (code, _, stderr) = CliHarness.Invoke("plot", cli.Path("broken"));
        Assert.Equal(CliApp.ExitUsageError, code);
        Assert.Contains("not valid JSON", stderr);

        ExplorationFiles.Write(ExperimentOutput.Open(cli.Path("truncated")), SyntheticExplorations.VanDerPol());
        File.WriteAllBytes(cli.Path("truncated/state_x.npy"), [1, 2, 3]);
        (code, _, stderr) = CliHarness.Invoke("plot", cli.Path("truncated"));
        Assert.Equal(CliApp.ExitUsageError, code);
        Assert.StartsWith($"neuronative: {cli.Path("truncated/state_x.npy")}: not a .npy file", stderr);
    }
}
