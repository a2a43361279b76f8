using System.Diagnostics;
using NeuroNative.Cli;
using NeuroNative.Tests.Cli;
using Xunit;

namespace NeuroNative.Tests.Runs;

/// <summary>Exploration files run as chunked runs: any chunk size, a cancel or kill and shards merged give the files of
/// the exploration run in one piece, byte for byte, for every exploration of the file.</summary>
public class ChunkedExplorationTests
{
    // Two explorations, per-condition noise drawn in the kernel, a cutoff (two phases) and sampling, an expression output.
    private const string Exploration = """
        dynamics:
          name: NoisyVdP
          parameters: {mu: {value: 1.0}, a: {value: 0.0}}
          state_variables:
            x: {equation: z, initial: 0.1}
            z: {equation: mu*(1 - x**2)*z - x + a + 0.3*eta, initial: 0.0}
        integration: {method: euler, step_size: 0.01, duration: 20}
        explorations:
          grid:
            parameters: {mu: {lo: 0.1, hi: 4.0, n: 23}, a: {lo: -0.5, hi: 0.5, n: 7}}
          line:
            parameters: {mu: {lo: 0.5, hi: 2.0, n: 9}}
        inputs: {eta: {noise: normal, mean: 0, std: 1, per_condition: true}}
        outputs: {variables: [x, {energy: x**2 + z**2}], sampling_step: 0.05, cutoff: 5}
        seed: 7

        """;

    private static readonly string[] Names = ["grid", "line"];

    private static string[] DataFiles(string dir) =>
        [.. Directory.GetFiles(dir).Select(Path.GetFileName).Where(f => f != "run.json").Order()!];

    private static void AssertSameFiles(string expected, string actual)
    {
        foreach (string name in Names)
        {
            var files = DataFiles(Path.Combine(expected, name));
            Assert.Equal(["axes.json", "conditions.csv", "model.md", "state_energy.npy", "state_x.npy", "summary.csv", "time.npy"], files);
            Assert.Equal(files, DataFiles(Path.Combine(actual, name)));
            foreach (var f in files)
                Assert.True(File.ReadAllBytes(Path.Combine(expected, name, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, name, f))),
                    $"{name}/{f} differs");
        }
    }

    /// <summary>The exploration in one piece, through the library (the CLI always chunks).</summary>
    private static string OnePiece(CliHarness h, string file)
    {
        string dir = h.Path("one");
        NeuroNative.Explorations.ExplorationFile.Load(file).RunToDirectory(dir);
        return dir;
    }

    [Fact]
    public void AnyChunkSizeGivesTheFilesOfOnePiece()
    {
        using var h = new CliHarness();
        string file = h.Write("x.yaml", Exploration);
        string one = OnePiece(h, file);
        foreach (string size in new[] { "1", "10", "161" })
        {
            var (code, _, err) = CliHarness.Invoke("run", file, "--out", h.Path(size), "--chunk-size", size, "--threads", "1");
            Assert.True(code == 0, err);
            AssertSameFiles(one, h.Path(size));
        }
        var loaded = NeuroNative.Explorations.ExplorationFiles.Load(h.Path("10/grid"));
        Assert.Equal((161, 300, 2), loaded.Results.Shape);
    }

    [Fact]
    public void ACancelledOrKilledExplorationContinues()
    {
        using var h = new CliHarness();
        string file = h.Write("x.yaml", Exploration.Replace("duration: 20", "duration: 200"));
        string one = OnePiece(h, file);
        // Cancelled in the first exploration: its chunks done are kept, no final file is written.
        using var cancel = new CancellationTokenSource();
        var progress = new Progress(p => { if (p.Label == "grid" && p.ChunksDone >= 3) cancel.Cancel(); });
        var experiment = NeuroNative.Explorations.ExplorationFile.Load(file);
        var options = new NeuroNative.Runs.ChunkOptions { ChunkSize = 20 };
        var stopped = experiment.RunToDirectory(h.Path("cut"), new() { Threads = 1 }, progress, cancel.Token, options);
        Assert.Equal(NeuroNative.Experiments.RunOutcome.Cancelled, stopped.Outcome);
        Assert.False(File.Exists(h.Path("cut/grid/summary.csv")));
        // Then killed at random moments, then finished by the same command.
        var random = new Random(5);
        for (int attempt = 0; attempt < 4; attempt++)
        {
            using var process = CliHarness.Start("run", file, "--out", h.Path("cut"), "--chunk-size", "20", "--threads", "1", "--snapshot-every", "0.05");
            Thread.Sleep(random.Next(300, 1500));
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        var (code, _, err) = CliHarness.Invoke("run", file, "--out", h.Path("cut"), "--chunk-size", "20");
        Assert.True(code == 0, err);
        AssertSameFiles(one, h.Path("cut"));
    }

    [Fact]
    public void ShardsMergeIntoTheFilesOfOnePiece()
    {
        using var h = new CliHarness();
        string file = h.Write("x.yaml", Exploration);
        string one = OnePiece(h, file);
        for (int k = 0; k < 3; k++)
        {
            var (code, _, err) = CliHarness.Invoke("run", file, "--out", h.Path($"s{k}"), "--shard", $"{k}/3", "--chunk-size", "25");
            Assert.True(code == 0, err);
        }
        Assert.Contains("total of 2 runs", NeuroNative.Runs.RunCatalog.Status(h.Path("s1")));
        var (partial, _, perr) = CliHarness.Invoke("merge", h.Path("s0"), h.Path("s2"), "--out", h.Path("merged"));
        Assert.Equal(CliApp.ExitUsageError, partial);
        Assert.Contains("shards 1/3 are missing", perr);
        var (merged, _, merr) = CliHarness.Invoke("merge", h.Path("s0"), h.Path("s1"), h.Path("s2"), "--out", h.Path("merged"));
        Assert.True(merged == 0, merr);
        AssertSameFiles(one, h.Path("merged"));
    }

    private sealed class Progress(Action<NeuroNative.Runs.RunProgress> report) : IProgress<NeuroNative.Runs.RunProgress>
    {
        public void Report(NeuroNative.Runs.RunProgress value) => report(value);
    }
}
