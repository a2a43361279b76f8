using NeuroNative.Experiments;
using NeuroNative.Tests.Cli;
using Xunit;
using Xunit.Abstractions;

namespace NeuroNative.Tests.Experiments;

/// <summary><c>model.run_regularly</c>, <c>model.events</c>, <c>record.events</c> and <c>record.state.when/order</c>
/// in experiment files.</summary>
public class ScheduleExperimentTests(ITestOutputHelper output)
{
    private const string Counter = """
        model:
          equations: |
            v : 1
            w : 1
          run_regularly:
            - v += 1
            - {code: w = v, when: end, order: 1, dt: 0.2*ms}
        duration: 1*ms
        record:
          state: {variables: [v, w], when: end}
          final: [v, w]

        """;

    [Fact]
    public void OperationsRunOnTheirClockAndTheMonitorWhereItIsPlaced()
    {
        var experiment = ExperimentReaderTests.Read(Counter);
        Assert.Equal(2, experiment.Model.RunRegularly.Count);
        Assert.Equal(("end", 0), (experiment.RecordState!.When, experiment.RecordState.Order));
        var result = ExperimentRunner.Run(experiment, new RunSettings { Backend = Backend.Interpreted });
        // v counts the steps at 'start'; w copies it every second step at ('end', 1), after the monitor at ('end', 0).
        Assert.Equal([10.0, 9.0], result.FinalValues.Select(f => f.Values[0]));
        var v = result.StateValues.Single(s => s.Variable == "v").Values[0];
        var w = result.StateValues.Single(s => s.Variable == "w").Values[0];
        Assert.Equal(Enumerable.Range(1, 10).Select(k => (double)k), v);
        Assert.Equal([0.0, 1, 1, 3, 3, 5, 5, 7, 7, 9], w);
    }

    [Theory]
    [InlineData("- {code: w = v, when: middle}", "model.run_regularly[1].when: 'middle' is not one of before_start")]
    [InlineData("- {code: w = v, dt: 0.25*ms}", "model.run_regularly[1].dt: 0.00025 s is not a whole multiple of dt = 0.0001 s")]
    [InlineData("- {code: w = v, dt: 2*mV}", "model.run_regularly[1].dt")]
    [InlineData("- {code: w = v, order: 1.5}", "model.run_regularly[1].order: expected a whole number")]
    [InlineData("- {when: end}", "model.run_regularly[1]: missing required key 'code'")]
    [InlineData("- {code: w = v, every: 1}", "model.run_regularly[1]: unknown key 'every'")]
    [InlineData("- u = v", "statements can only assign model variables")]
    [InlineData("up: {condition: v > 0.6, code: c += 1, when: later}", "model.events.up.when: 'later' is not one of")]
    [InlineData("up: {code: c += 1}", "model.events.up: missing required key 'condition'")]
    [InlineData("up: {condition: v + 0.6}", "is not a boolean expression")]
    [InlineData("up: {condition: v > 0.6, code: zz += 1}", "statements can only assign model variables")]
    [InlineData("up: {condition: v > 0.6, every: 1}", "model.events.up: unknown key 'every'")]
    public void ProblemsNameTheKeyAndLine(string definition, string expected)
    {
        var yaml = definition.StartsWith("up:", StringComparison.Ordinal)
            ? Events.Replace("    up: {condition: v > 0.6, code: c += 1}", "    " + definition)
            : Counter.Replace("    - {code: w = v, when: end, order: 1, dt: 0.2*ms}", "    " + definition);
        var e = Assert.Throws<ExperimentException>(() => ExperimentReaderTests.Read(yaml));
        Assert.Contains(expected, e.Message);
        Assert.True(e.Line >= 6, e.Message);
    }

    [Fact]
    public void AMonitorSlotMustBeKnown()
    {
        var e = Assert.Throws<ExperimentException>(() => ExperimentReaderTests.Read(Counter.Replace("when: end}", "when: later}")));
        Assert.Contains("record.state.when: 'later' is not one of", e.Message);
    }

    private const string Events = """
        model:
          equations: |
            dv/dt = (1.2 - v)/(4*ms) : 1
            c : 1
            d : 1
          threshold: v > 1
          reset: v = 0
          refractory: 1*ms
          method: euler
          initial: {v: 0.4*i}
          events:
            up: {condition: v > 0.6, code: c += 1}
            early: {condition: v > 0.3 and not_refractory, code: d += v, when: start, condition_when: before_groups}
            quiet: v < 0.1
          run_regularly:
            - {code: c *= 0.9, when: after_thresholds, order: 1, dt: 0.3*ms}
        n: 3
        duration: 6*ms
        record:
          spikes: true
          events: [up, quiet]
          state: {variables: [v, c, d], when: after_thresholds, order: 2}

        """;

    [Fact]
    public void EventsAreReadAndRecorded()
    {
        var experiment = ExperimentReaderTests.Read(Events);
        Assert.Equal(["up", "early", "quiet"], experiment.Model.CustomEvents.Select(e => e.Name));
        Assert.Equal(("start", "before_groups"), (experiment.Model.CustomEvents[1].When, experiment.Model.CustomEvents[1].ConditionWhen));
        Assert.Null(experiment.Model.CustomEvents[2].Code);
        var result = ExperimentRunner.Run(experiment, new RunSettings { Backend = Backend.Interpreted });
        Assert.Equal(["up", "quiet"], result.Events.Select(e => e.Event));
        var (_, indices, times, _) = result.Events[0];
        Assert.NotEmpty(indices);
        Assert.Equal(times.Order(), times);
        using var dir = new CliHarness();
        ExperimentOutput.Open(dir.Directory).WriteResults(result);
        Assert.Equal(indices, Npy.ReadInt64(File.ReadAllBytes(Path.Combine(dir.Directory, "events_up_index.npy"))));
    }

    // The Brian script of `compare` has the same events, operations and monitor placement: Brian's traces agree.
    [SkippableFact]
    public void AgreesWithBrian()
    {
        Brian2.SkipIfMissing();
        using var dir = new CliHarness();
        var experiment = ExperimentFile.Parse(Events, "events.yaml", dir.Directory);
        var result = Brian2Comparison.Run(experiment, Path.Combine(dir.Directory, "compare"),
            new Brian2ComparisonOptions { Target = Brian2Target.Numpy, Backend = Backend.Interpreted });
        output.WriteLine(result.Report());
        Assert.True(result.Agrees, string.Join("\n", result.Disagreements));
        Assert.NotEmpty(result.Traces);
        string script = File.ReadAllText(Path.Combine(dir.Directory, "compare", "brian2_script.py"));
        Assert.Contains("group.set_event_schedule('early', when='before_groups', order=0)", script);
        Assert.Contains("when='after_thresholds', order=2)", script);
    }

    [Fact]
    public void RecordedEventsMustBeDefined()
    {
        var e = Assert.Throws<ExperimentException>(() => ExperimentReaderTests.Read(Events.Replace("events: [up, quiet]", "events: [upp]")));
        Assert.Contains("record.events: the model has no custom event 'upp' (did you mean 'up'?)", e.Message);
    }
}
