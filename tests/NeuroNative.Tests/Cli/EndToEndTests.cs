using System.Text.Json;
using NeuroNative.Cli;
using NeuroNative.Experiments;
using NeuroNative.Tests.Experiments;
using NeuroNative.Tests.Reference;
using Xunit;

namespace NeuroNative.Tests.Cli;

/// <summary>
/// <c>neuronative run</c> on the spiking Brian 2 reference cases, through the native core: the
/// spike counts in spike_counts.npy must equal Brian's exactly, spike times fall in the same step.
/// </summary>
public class EndToEndTests
{
    private const string HhSweep = """
        sweep:
          parameters:
            g_na: {lo: 10*msiemens*cm**-2*area, hi: 100*msiemens*cm**-2*area, n: 20}
            I: {lo: 0*pA, hi: 20*pA, n: 20}
        record:
          spikes: true
          state: {variables: [v, m], every: 1*ms, neurons: [0, 57, 399]}

        """;

    public static TheoryData<string, string> Cases() => new()
    {
        { "hh_exploration_small", ExperimentFiles.Hh(2) + HhSweep },
        { "lif_refractory_exact", ExperimentFiles.Lif("exact") + "sweep: {parameters: {I: {lo: 0*nA, hi: 0.5*nA, n: 50}}}\nrecord: {spikes: true}\n" },
        { "lif_refractory_euler", ExperimentFiles.Lif("euler") + "sweep: {parameters: {I: {lo: 0*nA, hi: 0.5*nA, n: 50}}}\nrecord: {spikes: true}\n" },
        { "adex_dt0.1", ExperimentFiles.Adex("0.1*ms", "500*ms") + "sweep: {parameters: {I: {lo: 0.5*nA, hi: 2.5*nA, n: 20}}}\nrecord: {spikes: true}\n" },
        { "adex_dt0.01", ExperimentFiles.Adex("0.01*ms", "500*ms") + "sweep: {parameters: {I: {lo: 0.5*nA, hi: 2.5*nA, n: 20}}}\nrecord: {spikes: true}\n" },
        { "hh_exploration_small_nA", ExperimentFiles.Hh(2) + HhSweep.Replace("lo: 0*pA, hi: 20*pA", "lo: 0*nA, hi: 2*nA") },
        { "hh_fitting_tutorial", HhFittingTutorial },
    };

    /// <summary>The brian2modelfitting tutorial model driven by its five input traces (a 2-D TimedArray
    /// read from the pandas CSV: one row per trace, a leading index column).</summary>
    private static string HhFittingTutorial => $$"""
        model:
          equations: |
            {{ExperimentFiles.Yaml(Parsing.ModelEquationsTests.HhFitting)}}
          namespace: {area: 20000*umetre**2, El: -65*mV, EK: -90*mV, ENa: 50*mV, VT: -63*mV}
          threshold: v>-20*mV
          refractory: v>-20*mV
          method: exponential_euler
          initial: {v: -65*mV, gl: 1e-8*siemens, g_na: 2e-5*siemens, g_kd: 6e-6*siemens, Cm: 200*pF}
        inputs:
          I_input: {file: '{{ReferenceCase.Load("hh_fitting_tutorial").PathOf("input_traces_hh.csv")}}', dt: 0.01*ms, unit: amp, layout: trace_rows, index_column: true}
        dt: 0.01*ms
        duration: 14.97*ms
        n: 5
        record: {spikes: true}

        """;

    [Theory]
    [MemberData(nameof(Cases))]
    public void SpikeCountsEqualBrians(string @case, string yaml)
    {
        using var h = new CliHarness();
        string file = h.Write($"{@case}.yaml", yaml), output = h.Path("out");
        var (code, stdout, stderr) = CliHarness.Invoke("run", file, "--out", output, "--threads", "2", "--backend", "interpreted");
        Assert.True(code == CliApp.ExitOk, $"exit {code}: {stderr}");
        Assert.Contains("results in", stdout);

        var reference = ReferenceCase.Load(@case);
        var counts = Npy.ReadInt64(File.ReadAllBytes(Path.Combine(output, "spike_counts.npy")));
        Assert.Equal(reference.SpikeCounts(), counts);

        // spikes.csv holds every spike (the HH case only those before 1 s): same neurons, same steps.
        var indices = Npy.ReadInt64(File.ReadAllBytes(Path.Combine(output, "spikes_index.npy")));
        var times = Npy.ReadFloat64(File.ReadAllBytes(Path.Combine(output, "spikes_time.npy")));
        Assert.Equal(counts.Sum(), indices.Length);
        var expected = reference.Spikes();
        double cutoff = expected.Length == counts.Sum() ? double.PositiveInfinity : 1.0;
        var ours = indices.Zip(times).Where(s => s.Second < cutoff).ToArray();
        Assert.Equal(expected.Length, ours.Length);
        for (int k = 0; k < ours.Length; k++)
        {
            Assert.Equal(expected[k].Index, ours[k].First);
            Assert.True(Math.Abs(expected[k].Time - ours[k].Second) < 0.5e-4, $"spike {k}: {ours[k].Second} vs {expected[k].Time}");
        }

        // conditions.csv is the reference's (same grid, same %.17g text) where the grid is a sweep.
        if (yaml.Contains("sweep:")) Assert.Equal(File.ReadAllText(reference.PathOf("conditions.csv")).ReplaceLineEndings("\n"),
            File.ReadAllText(Path.Combine(output, "conditions.csv")));

        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "run.json")));
        var info = run.RootElement;
        Assert.Equal("completed", info.GetProperty("outcome").GetString());
        Assert.Equal("interpreted", info.GetProperty("backend").GetString());
        Assert.Contains(info.GetProperty("isa_level").GetString(), new[] { "v2", "v3", "v4", "generic" });
        Assert.Equal(2, info.GetProperty("threads").GetInt32());
        Assert.Equal(counts.Length, info.GetProperty("n").GetInt32());
        Assert.Equal(counts.Sum(), info.GetProperty("spikes_total").GetInt64());
        Assert.Equal(0, info.GetProperty("compile_s").GetDouble());
        Assert.True(info.GetProperty("neuron_steps_per_s").GetDouble() > 0);
        Assert.Equal("model.md", info.GetProperty("model_report").GetString());
        Assert.True(File.Exists(Path.Combine(output, "model.md")));
        foreach (var key in new[] { "backend_reason", "steps", "dt", "duration", "method", "sim_s", "seed", "version" })
            Assert.True(info.TryGetProperty(key, out _), $"run.json has no '{key}'");
    }

    [Fact]
    public void StateFilesHaveNeuronsBySamples()
    {
        using var h = new CliHarness();
        string file = h.Write("hh.yaml", ExperimentFiles.Hh(0.05) + HhSweep), output = h.Path("out");
        var (code, _, stderr) = CliHarness.Invoke("run", file, "--out", output);
        Assert.True(code == CliApp.ExitOk, $"exit {code}: {stderr}");

        var v = File.ReadAllBytes(Path.Combine(output, "state_v.npy"));
        Assert.Equal([3L, 50L], Npy.ReadHeader(v).Shape);
        var time = Npy.ReadFloat64(File.ReadAllBytes(Path.Combine(output, "state_time.npy")));
        Assert.Equal(50, time.Length);
        Assert.Equal(10 * 1e-4, time[1], 15);
        Assert.Equal([0L, 57L, 399L], Npy.ReadInt64(File.ReadAllBytes(Path.Combine(output, "state_neurons.npy"))));

        // Every 10th row of the reference's per-step traces (state at t_k before the update).
        var traces = ReferenceCase.Load("hh_exploration_small").ReadCsv("traces.csv");
        var values = Npy.ReadFloat64(v);
        for (int n = 0; n < 3; n++)
        {
            var column = traces.Column($"v[{new[] { 0, 57, 399 }[n]}]");
            double tolerance = 1e-9 * column.Max(Math.Abs); // the case's tolerance (PROVENANCE.md)
            for (int s = 0; s < 50; s++)
                Assert.True(Math.Abs(values[n * 50 + s] - column[10 * s]) <= tolerance, $"v neuron {n} sample {s}");
        }
        Assert.Equal([3L, 50L], Npy.ReadHeader(File.ReadAllBytes(Path.Combine(output, "state_m.npy"))).Shape);
    }

    [Fact]
    public void ACancelledRunKeepsItsChunksAndContinuesWithTheSameCommand()
    {
        using var h = new CliHarness();
        string file = h.Write("lif.yaml", ExperimentFiles.Lif("exact") + "n: 5\nrecord: {spikes: true}\n"), output = h.Path("out");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var (code, _, stderr) = CliHarness.Invoke(cancel.Token, "run", file, "--out", output);
        Assert.Equal(CliApp.ExitCancelled, code);
        Assert.Contains("cancelled; the chunks done are kept in", stderr);
        Assert.False(File.Exists(Path.Combine(output, "run.json")), "an unfinished run has no run.json");
        var again = CliHarness.Invoke("run", file, "--out", output);
        Assert.True(again.Code == CliApp.ExitOk, again.Err);
        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "run.json")));
        Assert.Equal("completed", run.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(10000, run.RootElement.GetProperty("steps").GetInt64());
        Assert.Equal(0, run.RootElement.GetProperty("resumed").GetProperty("chunks").GetInt32());
    }

    [Fact]
    public void SeedAndThreadsReachTheRun()
    {
        using var h = new CliHarness();
        string file = h.Write("lif.yaml", ExperimentFiles.Lif("euler").Replace("duration: 1*second", "duration: 10*ms") + "seed: 7\n");
        var (code, _, stderr) = CliHarness.Invoke("run", file, "--out", h.Path("a"), "--threads", "1");
        Assert.True(code == CliApp.ExitOk, stderr);
        using (var run = JsonDocument.Parse(File.ReadAllText(h.Path("a/run.json"))))
        {
            Assert.Equal(7UL, run.RootElement.GetProperty("seed").GetUInt64());
            Assert.Equal(1, run.RootElement.GetProperty("threads").GetInt32());
            Assert.Equal(100, run.RootElement.GetProperty("steps").GetInt64());
        }
        (code, _, stderr) = CliHarness.Invoke("run", file, "--out", h.Path("b"), "--seed", "11");
        Assert.True(code == CliApp.ExitOk, stderr);
        using (var run = JsonDocument.Parse(File.ReadAllText(h.Path("b/run.json"))))
            Assert.Equal(11UL, run.RootElement.GetProperty("seed").GetUInt64());
        Assert.False(File.Exists(h.Path("b/spike_counts.npy")), "spikes are written only when recorded");
    }

    [Fact]
    public void DeprecatedMethodNamesRunWithBriansWarning()
    {
        using var h = new CliHarness();
        string file = h.Write("lif.yaml", ExperimentFiles.Lif("independent") + "n: 2\n"), output = h.Path("out");
        var (code, _, stderr) = CliHarness.Invoke("run", file, "--out", output, "--backend", "interpreted");
        Assert.True(code == CliApp.ExitOk, $"exit {code}: {stderr}");
        const string warning = "method 'independent': The 'independent' state updater is deprecated and might be removed in " +
            "future versions of Brian; integrated with 'exact'";
        Assert.Contains($"neuronative: warning: {warning}", stderr);
        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "run.json")));
        Assert.Equal("exact", run.RootElement.GetProperty("method").GetString());
        Assert.Equal(warning, run.RootElement.GetProperty("method_warnings")[0].GetString());
    }
}
