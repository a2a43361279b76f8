using NeuroNative.Cli;
using NeuroNative.Tests.Experiments;
using Xunit;

namespace NeuroNative.Tests.Cli;

/// <summary>The command line without a simulation: usage, codegen, errors and exit codes.</summary>
public class CliTests
{
    private static readonly string Lif = ExperimentFiles.Lif("exact") + "sweep: {parameters: {I: {lo: 0*nA, hi: 0.5*nA, n: 50}}}\nrecord: {spikes: true}\n";

    [Fact]
    public void HelpListsTheCommands()
    {
        var (code, output, _) = CliHarness.Invoke("--help");
        Assert.Equal(CliApp.ExitOk, code);
        Assert.Contains("neuronative [command] [options]", output);
        Assert.Contains("run <EXPERIMENT>", output);
        Assert.Contains("codegen <EXPERIMENT>", output);

        (code, output, _) = CliHarness.Invoke("run", "--help");
        Assert.Equal(CliApp.ExitOk, code);
        Assert.Contains("--backend <auto|compiled|cuda|interpreted>", output);
    }

    [Theory]
    [InlineData(new string[0], "Required command was not provided")]
    [InlineData(new[] { "run", "x.yaml" }, "Option '--out' is required")]
    [InlineData(new[] { "run", "x.yaml", "--out", "o", "--backend", "gpu" }, "'gpu' not recognized")]
    [InlineData(new[] { "run", "x.yaml", "--out", "o", "--threads", "-2" }, "--threads must be 0")]
    [InlineData(new[] { "codegen", "x.yaml" }, "Option '--target' is required")]
    [InlineData(new[] { "simulate" }, "Unrecognized command or argument 'simulate'")]
    public void UsageErrorsExitWith2(string[] args, string message)
    {
        var (code, _, error) = CliHarness.Invoke(args);
        Assert.Equal(CliApp.ExitUsageError, code);
        Assert.Contains(message, error);
        Assert.Contains("--help", error);
    }

    [Fact]
    public void MissingFileIsAUsageError()
    {
        using var h = new CliHarness();
        var (code, _, error) = CliHarness.Invoke("codegen", h.Path("missing.yaml"), "--target", "ir");
        Assert.Equal(CliApp.ExitUsageError, code);
        Assert.Contains("missing.yaml: cannot read the experiment file", error);
    }

    [Fact]
    public void CodegenPrintsIrBytecodeAndReport()
    {
        using var h = new CliHarness();
        string file = h.Write("lif.yaml", Lif);

        var (code, ir, _) = CliHarness.Invoke("codegen", file, "--target", "ir");
        Assert.Equal(CliApp.ExitOk, code);
        Assert.Contains("# method: exact", ir);
        Assert.Contains("param[0] I : amp", ir);
        Assert.Contains("threshold: v > (-0.05)", ir);
        Assert.Contains("reset:", ir);
        Assert.Contains("refractory (duration): 0.005", ir);

        (code, var bytecode, _) = CliHarness.Invoke("codegen", file, "-t", "bytecode");
        Assert.Equal(CliApp.ExitOk, code);
        Assert.Contains("section linear:", bytecode);
        Assert.Contains("section threshold:", bytecode);
        Assert.Matches(@"GT\s+t\d+, state\[0\], const\[\d+\]\s+; v, -0.05", bytecode);
        Assert.Matches(@"MOV\s+out\[0\], t\d+", bytecode);

        (code, var report, _) = CliHarness.Invoke("codegen", file, "--target", "report");
        Assert.Equal(CliApp.ExitOk, code);
        Assert.StartsWith("# lif", report);
        Assert.Contains("## State equations", report);
    }

    [Fact]
    public void ModelErrorExitsWith2AndPrintsTheMessage()
    {
        using var h = new CliHarness();
        string file = h.Write("bad.yaml", Lif.Replace("(El - v + R*I)/tau", "(El - v + R*I)/tau + I"));
        var (code, output, error) = CliHarness.Invoke("run", file, "--out", h.Path("out"));
        Assert.Equal(CliApp.ExitUsageError, code);
        Assert.Equal("", output);
        Assert.Contains("bad.yaml:3: equations, line 1, column", error);
        Assert.Contains("^", error);
        Assert.False(Directory.Exists(h.Path("out")), "nothing is written for an invalid experiment");
    }

    [Fact]
    public void UnwritableOutputExitsWith1()
    {
        using var h = new CliHarness();
        string file = h.Write("lif.yaml", Lif);
        string blocker = h.Write("not-a-directory", "");
        var (code, _, error) = CliHarness.Invoke("run", file, "--out", Path.Combine(blocker, "out"));
        Assert.Equal(CliApp.ExitRuntimeError, code);
        Assert.Contains($"cannot write {Path.Combine(blocker, "out")}: the output directory is not writable", error);
        Assert.DoesNotContain("   at ", error);
    }

    /// <summary>A full disk (the temporary file of one output is /dev/full) is a clear error with exit
    /// code 1; the files written before it stay.</summary>
    [SkippableFact]
    public void FullDiskIsAClearErrorAndKeepsEarlierFiles()
    {
        Skip.IfNot(File.Exists("/dev/full"), "needs /dev/full (Linux)");
        using var h = new CliHarness();
        string file = h.Write("lif.yaml", Lif), output = h.Path("out");
        Directory.CreateDirectory(output);
        File.CreateSymbolicLink(Path.Combine(output, $".spikes_index.npy.{Environment.ProcessId}.tmp"), "/dev/full");
        var (code, _, error) = CliHarness.Invoke("run", file, "--out", output);
        Assert.Equal(CliApp.ExitRuntimeError, code);
        Assert.Contains($"cannot write {Path.Combine(output, "spikes_index.npy")}: No space left on device", error);
        Assert.DoesNotContain("   at ", error);
        Assert.True(File.Exists(Path.Combine(output, "spike_counts.npy")), "results written before the failure are kept");
        Assert.True(File.Exists(Path.Combine(output, "conditions.csv")));
    }
}
