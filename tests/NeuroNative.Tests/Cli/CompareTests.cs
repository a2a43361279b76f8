using System.Diagnostics;
using NeuroNative.Cli;
using NeuroNative.Experiments;
using NeuroNative.Tests.Experiments;
using Xunit;

namespace NeuroNative.Tests.Cli;

/// <summary><c>neuronative compare --with brian2</c>: the report, the exit codes, and the script that stands on its own.</summary>
public class CompareTests
{
    private static string Lif => ExperimentFiles.Lif("exact").Replace("duration: 1*second", "duration: 100*ms") +
        "sweep: {parameters: {I: {lo: 0*nA, hi: 0.5*nA, n: 20}}}\nrecord: {spikes: true, state: {variables: [v], every: 1*ms, neurons: [0, 19]}}\n";

    [SkippableFact]
    public void ReportsAgreementAndTheScriptReproducesBriansResults()
    {
        Brian2.SkipIfMissing();
        using var h = new CliHarness();
        string file = h.Write("lif.yaml", Lif), output = h.Path("cmp");
        var (code, stdout, stderr) = CliHarness.Invoke("compare", file, "--with", "brian2", "--codegen", "numpy", "--out", output);
        Assert.True(code == CliApp.ExitOk, $"exit {code}: {stderr}\n{stdout}");
        Assert.Contains("| neurons with identical spike counts | 20 of 20 |", stdout);
        Assert.Contains("Speed ratio (NeuroNative / Brian, compile time apart):", stdout);
        Assert.Contains("Agree within the tolerances.", stdout);
        Assert.Equal(stdout, File.ReadAllText(Path.Combine(output, Brian2Comparison.ReportFile)));

        // Run by hand from elsewhere, the kept script writes Brian's files again, with the same spikes and trace.
        string results = Path.Combine(output, Brian2Script.ResultsFolder);
        var counts = File.ReadAllBytes(Path.Combine(results, "spike_counts.npy"));
        var trace = File.ReadAllBytes(Path.Combine(results, "state_v.npy"));
        Directory.Delete(results, recursive: true);
        var info = new ProcessStartInfo(new Brian2ComparisonOptions().Python, [Path.Combine(output, Brian2Script.FileName)])
        {
            WorkingDirectory = h.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var python = Process.Start(info)!;
        string log = python.StandardError.ReadToEndAsync().Result + python.StandardOutput.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, log);
        Assert.Equal(counts, File.ReadAllBytes(Path.Combine(results, "spike_counts.npy")));
        Assert.Equal(trace, File.ReadAllBytes(Path.Combine(results, "state_v.npy")));
        Assert.Equal(Npy.ReadInt64(counts), Npy.ReadInt64(File.ReadAllBytes(Path.Combine(output, Brian2Comparison.NeuroNativeFolder, "spike_counts.npy"))));
    }

    [Fact]
    public void MissingBrianExitsWith4()
    {
        using var h = new CliHarness();
        string file = h.Write("lif.yaml", Lif);
        var (code, _, stderr) = CliHarness.Invoke("compare", file, "--with", "brian2", "--python", h.Path("no-python"), "--out", h.Path("cmp"));
        Assert.Equal(CliApp.ExitReferenceMissing, code);
        Assert.Contains($"neuronative: cannot run the Python '{h.Path("no-python")}' that runs Brian 2", stderr);
    }

    [Fact]
    public void RandomModelIsRefusedWith2()
    {
        using var h = new CliHarness();
        string file = h.Write("ou.yaml", "model:\n  equations: 'dv/dt = -v/(10*ms) + xi/sqrt(ms) : 1'\nduration: 1*ms\n");
        var (code, _, stderr) = CliHarness.Invoke("compare", file, "--with", "brian2", "--out", h.Path("cmp"));
        Assert.Equal(CliApp.ExitUsageError, code);
        Assert.Contains("the model draws random numbers (xi)", stderr);
    }

    /// <summary>The multi-phase reference (tests/data/reference/lif_phases: a warm-up with spikes only, new currents and
    /// potentials with both monitors, then one current with the state monitor only): each phase a run() of the script.</summary>
    [SkippableFact]
    public void APhasedExperimentIsComparedPhaseByPhase()
    {
        Brian2.SkipIfMissing();
        using var h = new CliHarness();
        string file = NeuroNative.Tests.Reference.ReferenceCase.Load("lif_phases").PathOf("experiment.yaml");
        var (code, stdout, stderr) = CliHarness.Invoke("compare", file, "--with", "brian2", "--codegen", "numpy", "--out", h.Path("cmp"));
        Assert.True(code == CliApp.ExitOk, $"exit {code}: {stderr}\n{stdout}");
        Assert.Contains("| neurons with identical spike counts | 20 of 20 |", stdout);
        Assert.Contains("Agree within the tolerances.", stdout);
        Assert.Contains("state_monitor.active = False", File.ReadAllText(Path.Combine(h.Path("cmp"), Brian2Script.FileName)));
        (code, _, stderr) = CliHarness.Invoke("compare", file, "--with", "brian2", "--device", "cpp_standalone", "--out", h.Path("cmp2"));
        Assert.Equal(CliApp.ExitUsageError, code);
        Assert.Contains("3 phases are 3 runs", stderr);
    }
}
