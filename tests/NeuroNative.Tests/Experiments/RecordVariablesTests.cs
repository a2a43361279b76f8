using NeuroNative.Experiments;
using NeuroNative.Tests.Cli;
using Xunit;
using static NeuroNative.Tests.BrianSuite.BrianSuite;

namespace NeuroNative.Tests.Experiments;

/// <summary><c>record.spikes.variables</c>, <c>record.events</c> with variables and <c>record_single_timestep</c> (of
/// <c>record.state</c> and of a phase) in experiment files: read, checked, run and written.</summary>
public class RecordVariablesTests
{
    // The model of Brian's numbers in brian_suite.json, case monitor_variables.
    private const string Model = """
        model:
          equations: |
            dv/dt = (1.2 - v)/(4*ms) : 1 (unless refractory)
            w : 1
            c : integer
            s = 2*v + w : 1
          threshold: v > 1
          reset: v = 0.1*c; c += 1
          refractory: 0.5*ms
          method: euler
          initial: {v: 0.35*i}
          events:
            up: {condition: v > 0.6, code: w -= 0.1}
          run_regularly:
            - {code: w += 0.25, when: thresholds, order: 1}
            - {code: w *= 0.5, when: thresholds, order: 2}
        n: 3

        """;

    private const string Records = Model + """
        duration: 15*ms
        record:
          spikes: {variables: [v, w, c, s]}
          events: [{event: up, variables: [v, w, s]}]
          state: {variables: [v, s], record_single_timestep: true}
          final: [v, s]

        """;

    [Fact]
    public void TheVariablesAreReadAndRunAsBrianRecordsThem()
    {
        var e = ExperimentReaderTests.Read(Records);
        Assert.True(e.RecordSpikes);
        Assert.Equal(["v", "w", "c", "s"], e.SpikeVariables!.Variables);
        Assert.Null(e.SpikeVariables.When);
        var up = Assert.Single(e.RecordEvents);
        Assert.Equal("up", up.Event);
        Assert.Equal(["v", "w", "s"], up.Variables);
        Assert.True(e.RecordState!.RecordSingleTimestep);

        var result = ExperimentRunner.Run(e, new RunSettings { Backend = Backend.Interpreted });
        using var dir = new CliHarness();
        ExperimentOutput.Open(dir.Directory).WriteResults(result);
        double[] Read(string file) => Npy.ReadFloat64(File.ReadAllBytes(Path.Combine(dir.Directory, file)));
        var brian = Case("monitor_variables");
        foreach (var v in new[] { "v", "w", "c", "s" })
            AllClose(Vector(brian.GetProperty("spikes").GetProperty(v)), Read($"spikes_{v}.npy"), 1e-12);
        AllClose(Vector(brian.GetProperty("spikes").GetProperty("t")), Read("spikes_time.npy"), 1e-15);
        foreach (var v in new[] { "v", "w", "s" })
            AllClose(Vector(brian.GetProperty("up").GetProperty(v)), Read($"events_up_{v}.npy"), 1e-12);
        // 150 samples at the steps' starts, then the final state once more.
        var times = Read("state_time.npy");
        Assert.Equal(151, times.Length);
        Assert.Equal(15e-3, times[^1], 1e-15);
        var trace = Read("state_s.npy"); // [3 neurons, 151 samples]
        Assert.Equal(Read("final_s.npy"), Enumerable.Range(0, 3).Select(i => trace[i * 151 + 150]));
    }

    [Theory]
    [InlineData("spikes: {variables: [v], when: after_resets}", null)]
    [InlineData("spikes: {variables: [v], when: thresholds, order: 0}", null)] // 'spikemonitor' sorts after the thresholder
    [InlineData("spikes: {when: end}", "record.spikes: missing required key 'variables'")]
    [InlineData("spikes: {variables: [v], when: start}", "record.spikes.when: a spike monitor at 'start' (order 0) runs before the threshold")]
    [InlineData("spikes: {variables: [v], order: 2}", "record.spikes.order: give when with it")]
    [InlineData("spikes: {variables: [vv]}", "record.spikes.variables: the model has no variable or subexpression 'vv' (did you mean 'v'?)")]
    [InlineData("spikes: {variables: [v], colour: red}", "record.spikes: unknown key 'colour'")]
    [InlineData("events: [{event: up, variables: [w], when: end}, up]", "record.events: 'up' is listed twice")]
    [InlineData("events: [{variables: [w]}]", "record.events: missing required key 'event'")]
    [InlineData("events: [{event: down, variables: [w]}]", "record.events: the model has no custom event 'down'")]
    [InlineData("state: {variables: [v], record_single_timestep: maybe}", "record.state.record_single_timestep")]
    public void RecordingsAreChecked(string record, string? error)
    {
        string yaml = Model + "duration: 1*ms\nrecord:\n  " + record + "\n";
        if (error is null)
        {
            Assert.NotNull(ExperimentReaderTests.Read(yaml).SpikeVariables);
            return;
        }
        var e = Assert.Throws<ExperimentException>(() => ExperimentReaderTests.Read(yaml));
        Assert.Contains(error, e.Message);
        Assert.True(e.Line > 0, e.Message);
    }

    [Fact]
    public void AVariableCalledTimeOrIndexWouldOverwriteTheEventFiles()
    {
        string yaml = Model.Replace("c : integer\n", "c : integer\n    time : 1\n") + "duration: 1*ms\nrecord:\n  spikes: {variables: [v, time]}\n";
        var e = Assert.Throws<ExperimentException>(() => ExperimentReaderTests.Read(yaml));
        Assert.Contains("record.spikes.variables: 'time' would be written to spikes_time.npy, the file of the times", e.Message);
    }

    // A phase records its final state; spikes of phases that do not record them are left out with their values; a run
    // stopped at a phase's end and resumed writes the same files.
    [Fact]
    public void PhasesRecordTheirFinalStateAndFilterTheSpikeValues()
    {
        string yaml = Model + """
            phases:
              - {duration: 4*ms, record_single_timestep: true}
              - {duration: 6*ms, set: {w: 0.5}, record: [state]}
              - {duration: 5*ms, record: [spikes]}
            record:
              spikes: {variables: [c, w], when: after_resets}
              state: {variables: [v], record_single_timestep: true}

            """;
        var e = ExperimentReaderTests.Read(yaml);
        Assert.Equal([true, false, false], e.Phases.Select(p => p.RecordSingleTimestep));
        var whole = ExperimentRunner.Run(e, new RunSettings { Backend = Backend.Interpreted });
        // Samples of phases 0 and 1 (steps 0..99) with phase 0's end (step 40) once more, and the run's end (step 150).
        Assert.Equal(102, whole.StateTimes!.Length);
        Assert.Equal(whole.StateTimes[40], whole.StateTimes[41]);
        Assert.Equal(15e-3, whole.StateTimes[^1], 1e-15);
        // Spikes of phases 0 and 2 only, each with its values after the reset (c counts the neuron's spikes).
        Assert.All(whole.SpikeTimes!, t => Assert.True(t < 4e-3 || t >= 10e-3 - 1e-12));
        Assert.Equal(whole.SpikeIndices!.Length, whole.SpikeValues[0].Values.Length);
        Assert.Equal(whole.SpikeIndices.Length, whole.SpikeValues[1].Values.Length);
        Assert.Equal(whole.SpikeCounts!.Sum(), whole.SpikeIndices.Length);

        using var dir = new CliHarness();
        string snapshot = Path.Combine(dir.Directory, "snap.bin");
        foreach (long stop in new long[] { 40, 77 })
        {
            var first = ExperimentRunner.Run(e, new RunSettings { Backend = Backend.Interpreted, StopAtStep = stop, SnapshotPath = snapshot });
            Assert.Equal(RunOutcome.Stopped, first.Outcome);
            var resumed = ExperimentRunner.Run(e, new RunSettings { Backend = Backend.Interpreted, ResumeFrom = snapshot });
            Assert.Equal(whole.StateTimes, resumed.StateTimes);
            Assert.Equal(whole.StateValues[0].Values, resumed.StateValues[0].Values);
            Assert.Equal(whole.SpikeIndices, resumed.SpikeIndices);
            Assert.Equal(whole.SpikeValues[0].Values, resumed.SpikeValues[0].Values);
            Assert.Equal(whole.SpikeValues[1].Values, resumed.SpikeValues[1].Values);
        }
        var noState = Assert.Throws<ExperimentException>(() => ExperimentReaderTests.Read(Model + """
            phases: [{duration: 1*ms, record_single_timestep: true}]
            record: {spikes: true}

            """));
        Assert.Contains("phases[0].record_single_timestep: there is no state monitor; add record.state", noState.Message);
    }

    // The script of `compare` has the same monitors with their variables and the final sample: Brian's files agree.
    [SkippableFact]
    public void AgreesWithBrian()
    {
        Brian2.SkipIfMissing();
        using var dir = new CliHarness();
        string yaml = Records.Replace("  events: [{event: up, variables: [v, w, s]}]\n",
            "  events: [{event: up, variables: [v, w, s], when: end, order: 0}]\n").Replace("spikes: {variables: [v, w, c, s]}",
            "spikes: {variables: [v, w, c, s], when: after_resets, order: 0}");
        var experiment = ExperimentFile.Parse(yaml, "records.yaml", dir.Directory);
        var result = Brian2Comparison.Run(experiment, Path.Combine(dir.Directory, "compare"),
            new Brian2ComparisonOptions { Target = Brian2Target.Numpy, Backend = Backend.Interpreted });
        Assert.True(result.Agrees, string.Join("\n", result.Disagreements));
        string brian = Path.Combine(dir.Directory, "compare", Brian2Script.ResultsFolder);
        string ours = Path.Combine(dir.Directory, "compare", "neuronative_results");
        foreach (var file in new[] { "spikes_v", "spikes_w", "spikes_c", "spikes_s", "events_up_time", "events_up_v", "events_up_w",
                     "events_up_s", "state_time" })
            AllClose(Npy.ReadFloat64(File.ReadAllBytes(Path.Combine(brian, file + ".npy"))),
                Npy.ReadFloat64(File.ReadAllBytes(Path.Combine(ours, file + ".npy"))), 1e-12);
        Assert.Contains("state_monitor.record_single_timestep()", File.ReadAllText(Path.Combine(dir.Directory, "compare", Brian2Script.FileName)));
    }
}
