using System.Text.Json;
using NeuroNative.Cli;
using NeuroNative.Experiments;
using NeuroNative.Tests.Cli;
using NeuroNative.Tests.Reference;
using Xunit;

namespace NeuroNative.Tests.Experiments;

/// <summary>
/// Multi-phase experiments (run → change → run) against Brian 2.5.1 running the same protocol
/// (tests/data/reference/lif_phases: a warm-up with spikes only, new currents and potentials with
/// both monitors, then one current with the state monitor only).
/// </summary>
public class PhaseTests
{
    private static readonly ReferenceCase Case = ReferenceCase.Load("lif_phases");
    private static string ExperimentPath => Case.PathOf("experiment.yaml");

    [Fact]
    public void ThePhasesSectionIsReadInOrder()
    {
        var e = ExperimentFile.Load(ExperimentPath);
        Assert.Equal(3, e.Phases.Count);
        Assert.Equal(0.02535 + 0.1 + 0.03, e.Duration);
        Assert.Equal([0.02535, 0.1, 0.03], e.Phases.Select(p => p.Duration));
        Assert.Equal([new InitialValue("I", "0.6*nA*i/(N - 1)"), new InitialValue("v", "El + 15*mV")], e.Phases[1].Set);
        Assert.Equal([true, true, false], e.Phases.Select(p => p.RecordSpikes));
        Assert.Equal([false, true, true], e.Phases.Select(p => p.RecordState));
    }

    [Fact]
    public void OneRunIsOnePhaseRecordingEverything()
    {
        var e = ExperimentReaderTests.Read(ExperimentFiles.Lif("exact") + "record: {spikes: true}\n");
        var phase = Assert.Single(e.Phases);
        Assert.Equal(new Phase(1.0, [], true, true), phase with { Set = [] });
        Assert.Empty(phase.Set);
    }

    [Theory]
    [InlineData("duration: 1*ms\nphases: [{duration: 1*ms}]\n", "test.yaml:", "give either duration (one run) or phases")]
    [InlineData("phases: {duration: 1*ms}\n", "phases: expected a list of runs", null)]
    [InlineData("phases: []\n", "phases: expected at least one run", null)]
    [InlineData("phases: [{set: {v: El}}]\n", "phases[0]: missing required key 'duration'", null)]
    [InlineData("phases: [{duration: 1*mV}]\n", "phases[0].duration: '1*mV' is volt", null)]
    [InlineData("phases: [{duration: 1*ms}, {duration: 2*ms, set: {vv: El}}]\n", "phases[1].set.vv: the model has no state variable or parameter 'vv' (did you mean 'v'?)", null)]
    [InlineData("phases: [{duration: 1*ms, set: {v: 3*nA}}]\n", "phases[0].set.v: '3*nA' is amp", null)]
    [InlineData("phases: [{duration: 1*ms, record: [state]}]\n", "phases[0].record: 'state' is not recorded; add record.state", null)]
    [InlineData("record: {spikes: true}\nphases: [{duration: 1*ms, record: [spikes, spike]}]\n", "phases[0].record: 'spike' is not one of spikes, state (did you mean 'spikes'?)", null)]
    [InlineData("phases: [{duration: 1*ms, repeat: 2}]\n", "phases[0]: unknown key 'repeat'", null)]
    public void ProblemsNameTheKey(string tail, string expected, string? also)
    {
        string yaml = ExperimentFiles.Lif("exact").Replace("duration: 1*second\n", "", StringComparison.Ordinal) + tail;
        var e = Assert.Throws<ExperimentException>(() => ExperimentReaderTests.Read(yaml));
        Assert.Contains(expected, e.Message);
        if (also is not null) Assert.Contains(also, e.Message);
        Assert.True(e.Line > 0, e.Message);
    }

    [Fact]
    public void WithoutDurationOrPhasesTheFileSaysWhatIsMissing()
    {
        string yaml = ExperimentFiles.Lif("exact").Replace("duration: 1*second\n", "", StringComparison.Ordinal);
        var e = Assert.Throws<ExperimentException>(() => ExperimentReaderTests.Read(yaml));
        Assert.Contains("missing required key 'duration' (or 'phases'", e.Message);
    }

    [SkippableTheory]
    [InlineData(Backend.Interpreted)]
    [InlineData(Backend.Compiled)]
    public void TheLibraryReproducesBrian(Backend backend)
    {
        if (backend == Backend.Compiled) Backends.CompiledKernelTests.SkipWithoutCompiler();
        var result = ExperimentRunner.Run(ExperimentFile.Load(ExperimentPath), new RunSettings { Backend = backend, Threads = 2 });
        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(Steps("phase_start_steps"), result.PhaseStarts);
        Assert.Equal(Steps("steps")[0], result.StepsDone);
        AssertMatchesBrian(result.SpikeCounts!, result.SpikeIndices!, result.SpikeTimes!, result.StateTimes!,
            result.StateValues.Single().Values);
    }

    [Fact]
    public void TheCliReproducesBrianAndSaysWhereEachPhaseStarts()
    {
        using var h = new CliHarness();
        string output = h.Path("out");
        var (code, _, stderr) = CliHarness.Invoke("run", ExperimentPath, "--out", output, "--threads", "2");
        Assert.True(code == CliApp.ExitOk, $"exit {code}: {stderr}");
        byte[] Read(string name) => File.ReadAllBytes(Path.Combine(output, name));
        var v = Npy.ReadFloat64(Read("state_v.npy"));
        int samples = (int)Npy.ReadHeader(Read("state_v.npy")).Shape[1];
        AssertMatchesBrian(Npy.ReadInt64(Read("spike_counts.npy")), Npy.ReadInt64(Read("spikes_index.npy")),
            Npy.ReadFloat64(Read("spikes_time.npy")), Npy.ReadFloat64(Read("state_time.npy")),
            Enumerable.Range(0, 3).Select(n => v[(n * samples)..((n + 1) * samples)]).ToArray());

        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "run.json")));
        var phases = run.RootElement.GetProperty("phases").EnumerateArray().ToArray();
        Assert.Equal(Steps("phase_start_steps"), phases.Select(p => p.GetProperty("start_step").GetInt64()));
        Assert.Equal(254 * 1e-4, phases[1].GetProperty("start_time").GetDouble());
        Assert.Equal(0.1, phases[1].GetProperty("duration").GetDouble());
        Assert.Equal(["spikes"], phases[0].GetProperty("record").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(["state"], phases[2].GetProperty("record").EnumerateArray().Select(x => x.GetString()));
    }

    /// <summary>Stopped inside a phase, at a phase boundary (before its assignments) and at step 0, a resumed
    /// run ends as the uninterrupted one.</summary>
    [Theory]
    [InlineData(100)]
    [InlineData(254)]
    [InlineData(0)]
    [InlineData(1300)]
    public void AResumedProtocolEndsAsTheUninterruptedOne(long stop)
    {
        using var h = new CliHarness();
        var experiment = ExperimentFile.Load(ExperimentPath);
        var settings = new RunSettings { Backend = Backend.Interpreted, Threads = 1 };
        var whole = ExperimentRunner.Run(experiment, settings);
        string snapshot = h.Path("snapshot.bin");
        var stopped = ExperimentRunner.Run(experiment, settings with { StopAtStep = stop, SnapshotPath = snapshot });
        Assert.Equal(RunOutcome.Stopped, stopped.Outcome);
        Assert.Equal(stop, stopped.StepsDone);
        var resumed = ExperimentRunner.Run(experiment, settings with { ResumeFrom = snapshot });
        Assert.Equal(whole.SpikeCounts, resumed.SpikeCounts);
        Assert.Equal(whole.SpikeTimes, resumed.SpikeTimes);
        Assert.Equal(whole.StateTimes, resumed.StateTimes);
        Assert.Equal(whole.StateValues.Single().Values, resumed.StateValues.Single().Values);
    }

    private static long[] Steps(string key)
    {
        using var info = Case.RunInfo();
        var value = info.RootElement.GetProperty(key);
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(x => x.GetInt64()).ToArray() : [value.GetInt64()];
    }

    /// <summary>Counts and spike steps identical, sample times equal, traces within 1e-6 of the range.</summary>
    private static void AssertMatchesBrian(long[] counts, long[] indices, double[] times, double[] stateTimes, double[][] v)
    {
        Assert.Equal(Case.SpikeCounts(), counts);
        var spikes = Case.Spikes();
        Assert.Equal(spikes.Select(s => s.Index), indices);
        for (int k = 0; k < spikes.Length; k++)
            Assert.Equal(Math.Round(spikes[k].Time / 1e-4), Math.Round(times[k] / 1e-4));
        var traces = Case.ReadCsv("traces.csv");
        var expectedTimes = traces.Column("time");
        Assert.Equal(expectedTimes.Length, stateTimes.Length);
        for (int s = 0; s < stateTimes.Length; s++) Assert.Equal(expectedTimes[s], stateTimes[s], 12);
        string[] columns = ["v_0", "v_7", "v_19"];
        for (int n = 0; n < columns.Length; n++)
        {
            var expected = traces.Column(columns[n]);
            double tolerance = 1e-6 * (expected.Max() - expected.Min());
            for (int s = 0; s < expected.Length; s++)
                Assert.True(Math.Abs(v[n][s] - expected[s]) <= tolerance, $"{columns[n]} sample {s}: {v[n][s]} vs {expected[s]}");
        }
    }
}
