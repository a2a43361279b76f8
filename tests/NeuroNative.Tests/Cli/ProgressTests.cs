using NeuroNative.Cli;
using Xunit;

namespace NeuroNative.Tests.Cli;

/// <summary>What <c>run</c> prints of its progress: plain lines for a log (a Slurm job's), a bar on a terminal.</summary>
public class ProgressTests
{
    private const string Experiment = """
        model:
          equations: |
            dv/dt = (-70*mV - v + 100*Mohm*I)/(10*ms) : volt
            I : amp (constant)
          threshold: v > -50*mV
          reset: v = -70*mV
          method: euler
        dt: 0.1*ms
        duration: 100*ms
        sweep:
          parameters:
            I: {lo: 0*nA, hi: 0.5*nA, n: 1000}
        record: {spikes: true}

        """;

    [Fact]
    public void ALogGetsPlainLinesWithRatesAndTheChunksDone()
    {
        using var h = new CliHarness();
        string file = h.Write("e.yaml", Experiment);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(["run", file, "--out", h.Path("out"), "--chunk-size", "250"], stdout, stderr, default, ProgressMode.Lines);
        Assert.True(code == 0, stderr.ToString());
        var lines = stderr.ToString().Split('\n').Where(l => l.StartsWith("progress: ", StringComparison.Ordinal)).ToList();
        Assert.StartsWith("progress: 0.0% (0/1000 conditions, chunks 0/4)", lines[0]);
        Assert.Matches(@"^progress: 100\.0% \(1000/1000 conditions, chunks 4/4\), [0-9.]+e\+[0-9]+ neuron-steps/s, [0-9.]+ conditions/s, 0:00:00 left$", lines[^1]);
    }

    [Fact]
    public void ATerminalGetsABar()
    {
        using var h = new CliHarness();
        string file = h.Write("e.yaml", Experiment);
        var stderr = new StringWriter();
        int code = CliApp.Run(["run", file, "--out", h.Path("out")], new StringWriter(), stderr, default, ProgressMode.Terminal);
        Assert.True(code == 0, stderr.ToString());
        string drawn = System.Text.RegularExpressions.Regex.Replace(stderr.ToString(), "\u001b\\[[0-9;?]*[A-Za-z]", "");
        Assert.Contains("1000/1000 conditions, chunks 1/1", drawn);
        Assert.Contains("100.0%", drawn);
        Assert.Contains("neuron-steps/s", drawn);
    }
}
