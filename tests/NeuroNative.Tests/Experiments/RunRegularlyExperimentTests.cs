using NeuroNative.Experiments;
using Xunit;

namespace NeuroNative.Tests.Experiments;

/// <summary><c>model.run_regularly</c> and <c>record.state.when/order</c> in experiment files.</summary>
public class RunRegularlyExperimentTests
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
    public void ProblemsNameTheKeyAndLine(string operation, string expected)
    {
        var yaml = Counter.Replace("    - {code: w = v, when: end, order: 1, dt: 0.2*ms}", "    " + operation);
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
}
