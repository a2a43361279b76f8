using NeuroNative.Experiments;
using NeuroNative.Tests.Reference;
using Xunit;

namespace NeuroNative.Tests.Experiments;

public class ExperimentReaderTests
{
    private const string Lif = """
        model:
          equations: |
            dv/dt = (El - v + R*I)/tau : volt (unless refractory)
            I : amp (constant)
          namespace: {El: -70*mV, R: 100*Mohm, tau: 10*ms}
          threshold: v > -50*mV
          reset: v = -70*mV
          refractory: 5*ms
          method: exact
          initial: {v: El}
        duration: 100*ms

        """;

    internal static Experiment Read(string yaml, string? directory = null) =>
        ExperimentFile.Parse(yaml, "test.yaml", directory ?? Path.GetTempPath());

    private static ExperimentException Fails(string yaml, string? directory = null) =>
        Assert.Throws<ExperimentException>(() => Read(yaml, directory));

    [Fact]
    public void DefaultsFollowBrian()
    {
        var e = Read(Lif);
        Assert.Equal(1e-4, e.Dt);
        Assert.Equal(0.1, e.Duration, 15);
        Assert.Equal(1, e.N);
        Assert.Null(e.Sweep);
        Assert.Equal("exact", e.Program.MethodName);
        Assert.Equal([new InitialValue("v", "El")], e.Initial);
        Assert.False(e.RecordSpikes);
    }

    [Fact]
    public void ProductSweepVariesTheFirstParameterFastest()
    {
        var e = Read(Lif + """
            sweep:
              parameters:
                I: {values: [1*nA, 2*nA, 3*nA]}
                tau: [10*ms, 20*ms]
            """);
        Assert.Equal(6, e.N);
        var columns = e.Sweep!.Columns();
        Assert.Equal([1 * 1e-9, 2 * 1e-9, 3 * 1e-9, 1 * 1e-9, 2 * 1e-9, 3 * 1e-9], columns[0]);
        Assert.Equal([0.01, 0.01, 0.01, 0.02, 0.02, 0.02], columns[1]);
        // tau is a namespace constant: it becomes a per-neuron parameter; I is one already.
        Assert.Equal(["tau"], e.Model.PerNeuronConstants);
        Assert.False(e.Sweep.Parameters[0].IsNamespaceConstant);
        Assert.True(e.Sweep.Parameters[1].IsNamespaceConstant);
    }

    [Fact]
    public void SweptConstantsUsedByTheNamespaceAreRefused()
    {
        var error = Fails(ExperimentFiles.Hh(1) + "sweep: {parameters: {area: [1*umetre**2, 2*umetre**2]}}\n");
        Assert.Contains("sweep.parameters.area: the namespace entries Cm, g_kd, gl use 'area'", error.Message);
        // Swept together, every user of area gets its own values.
        var e = Read(ExperimentFiles.Hh(1) + "sweep: {mode: zip, parameters: {area: [1*umetre**2], Cm: [1*pF], gl: [1*nS], g_kd: [1*uS]}}\n");
        Assert.Equal(["area", "Cm", "gl", "g_kd"], e.Model.PerNeuronConstants);
    }

    [Fact]
    public void ZipSweepPairsValues()
    {
        var e = Read(Lif + """
            sweep:
              mode: zip
              parameters:
                I: [1*nA, 2*nA]
                R: [50*Mohm, 100*Mohm]
            """);
        Assert.Equal(2, e.N);
        Assert.Equal([50e6, 100e6], e.Sweep!.Columns()[1]);
    }

    [Fact]
    public void ZipSweepNeedsEquallyLongLists()
    {
        var error = Fails(Lif + """
            sweep:
              mode: zip
              parameters:
                I: [1*nA, 2*nA]
                R: [50*Mohm]
            """);
        Assert.Contains("mode zip needs equally long lists", error.Message);
        Assert.Contains("'I' has 2 values and 'R' has 1", error.Message);
    }

    [Fact]
    public void LinspaceIsNumpys()
    {
        var e = Read(Lif + "sweep: {parameters: {I: {lo: 0.1*nA, hi: 0.7*nA, n: 7}}}\n");
        double lo = 0.1, step = (0.7 - 0.1) / 6;
        var values = e.Sweep!.Parameters[0].Values;
        for (int k = 0; k < 6; k++) Assert.Equal((k * step + lo) * 1e-9, values[k]);
        Assert.Equal(0.7 * 1e-9, values[6]);
        Assert.Equal(new[] { 3.0 }, Grid.Linspace(3, 3, 1));
    }

    [Fact]
    public void LogScaleIsGeometric()
    {
        var e = Read(Lif + "sweep: {parameters: {I: {lo: 1*pA, hi: 100*pA, n: 3, scale: log}}}\n");
        var values = e.Sweep!.Parameters[0].Values;
        Assert.Equal(1e-12, values[0]);
        Assert.Equal(1e-11, values[1], 1e-25);
        Assert.Equal(100 * 1e-12, values[2]);
    }

    [Theory]
    [InlineData("hh_exploration_small", "g_na: {lo: 10*msiemens*cm**-2*area, hi: 100*msiemens*cm**-2*area, n: 20}\n    I: {lo: 0*pA, hi: 20*pA, n: 20}")]
    [InlineData("hh_exploration_small_nA", "g_na: {lo: 10*msiemens*cm**-2*area, hi: 100*msiemens*cm**-2*area, n: 20}\n    I: {lo: 0*nA, hi: 2*nA, n: 20}")]
    public void HhGridIsBitIdenticalToBrians(string @case, string parameters)
    {
        var e = Read(ExperimentFiles.Hh(2) + $"sweep:\n  parameters:\n    {parameters}\n");
        var reference = ReferenceCase.Load(@case).Conditions();
        var columns = e.Sweep!.Columns();
        Assert.Equal(reference["g_na"], columns[0]);
        Assert.Equal(reference["I"], columns[1]);
    }

    [Theory]
    [InlineData("lif_refractory_exact", "{lo: 0*nA, hi: 0.5*nA, n: 50}")]
    [InlineData("adex_dt0.1", "{lo: 0.5*nA, hi: 2.5*nA, n: 20}")]
    public void CurrentGridsAreBitIdenticalToBrians(string @case, string range)
    {
        var e = Read(Lif + $"sweep: {{parameters: {{I: {range}}}}}\n");
        Assert.Equal(ReferenceCase.Load(@case).Conditions()["I"], e.Sweep!.Columns()[0]);
    }

    private const string WithFunctions = """
        model:
          equations: |
            dv/dt = (drive(I) - v)/tau : volt
            I : amp (constant)
          functions: |
            # Ohm's law, clipped
            drive(I : amp) = R*clip(I, 0*amp, limit) : volt
          namespace: {R: 100*Mohm, tau: 10*ms, limit: 0.2*nA}
          threshold: above(v)
        duration: 10*ms
        sweep: {parameters: {I: [0.1*nA, 0.3*nA], limit: [0.2*nA, 0.2*nA]}, mode: zip}
        record: {final: [v]}

        """;

    [Fact]
    public void FunctionsAreReadAndTheirErrorsPointAtTheFile()
    {
        var e = Read(WithFunctions.Replace("  threshold: above(v)\n", ""));
        Assert.Contains("drive(I : amp)", e.Model.Functions);
        var result = ExperimentRunner.Run(e, new RunSettings { Backend = Backend.Interpreted });
        // The swept limit (a namespace constant made per-neuron) clips the second current inside the function.
        var v = Assert.Single(result.FinalValues).Values;
        Assert.Equal(2, v.Length);
        Assert.Equal(0.01 * (1 - Math.Exp(-1)), v[0], 12);
        Assert.Equal(0.02 * (1 - Math.Exp(-1)), v[1], 12);

        var unknown = Fails(WithFunctions);
        Assert.Equal(9, unknown.Line);
        Assert.Contains("unknown function 'above'", unknown.Message);
        var units = Fails(WithFunctions.Replace("R*clip(I, 0*amp, limit)", "clip(I, 0*amp, limit)"));
        Assert.Equal(7, units.Line);
        Assert.Contains("function 'drive' is declared to return volt", units.Message);
    }

    [Fact]
    public void PopulationRateIsRecordedForANeuronRange()
    {
        const string yaml = """
            model:
              equations: "v : 1"
              threshold: v > 1
              initial: {v: 2*int(i < 3)}
            duration: 1*ms
            n: 4
            record: {population_rate: {neurons: [2, 4], window: flat, width: 0.3*ms}}

            """;
        var e = Read(yaml);
        Assert.Equal(new PopulationRateRecording(2, 4, RateWindow.Flat, 3e-4), e.RecordPopulationRate);
        var result = ExperimentRunner.Run(e, new RunSettings { Backend = Backend.Interpreted });
        Assert.Equal(Enumerable.Repeat(0.5 / 1e-4, 10), result.PopulationRate!.Select(r => Math.Round(r, 6)));
        Assert.Equal([3333.333333, 5000, 5000], result.SmoothedPopulationRate![..3].Select(r => Math.Round(r, 6)));

        Assert.Contains("stop 5 is past the last neuron", Fails(yaml.Replace("[2, 4]", "[2, 5]")).Message);
        Assert.Contains("expected gaussian or flat, not 'box'", Fails(yaml.Replace("flat", "box")).Message);
        Assert.Contains("the model has no threshold", Fails(yaml.Replace("  threshold: v > 1\n", "")).Message);
    }

    [Fact]
    public void SweepUnitMismatchNamesTheKey()
    {
        var error = Fails(Lif + "sweep:\n  parameters:\n    I: {lo: 0*mV, hi: 20*pA, n: 3}\n");
        Assert.Equal(14, error.Line);
        Assert.Contains("sweep.parameters.I.lo: '0*mV' is", error.Message);
        Assert.Contains("expected values of 'I'", error.Message);
        Assert.Contains("amp", error.Message);
    }

    [Fact]
    public void UnknownSweptNameGetsASuggestion()
    {
        var error = Fails(Lif + "sweep: {parameters: {taus: [1*ms]}}\n");
        Assert.Contains("sweep.parameters.taus: 'taus' is neither a parameter of the equations nor a namespace constant", error.Message);
        Assert.Contains("did you mean 'tau'?", error.Message);
    }

    [Fact]
    public void UnknownKeysAreRejectedWithASuggestion()
    {
        var error = Fails(Lif.Replace("duration:", "duraton:"));
        Assert.Equal(11, error.Line);
        Assert.Contains("test.yaml:11:1: the experiment file: unknown key 'duraton' (did you mean 'duration'?)", error.Message);

        error = Fails(Lif + "record: {spikes: true, stat: {variables: [v]}}\n");
        Assert.Contains("record: unknown key 'stat' (did you mean 'state'?)", error.Message);
    }

    [Fact]
    public void MalformedYamlGivesTheLine()
    {
        var error = Fails("model:\n  equations: dv/dt = -v/tau : volt\n duration: [1*second\n");
        Assert.Equal("test.yaml", error.File);
        Assert.True(error.Line is >= 2 and <= 4, error.Message);
        Assert.Contains("not valid YAML", error.Message);
    }

    [Fact]
    public void DuplicateKeysAreRejected()
    {
        var error = Fails(Lif + "dt: 0.1*ms\ndt: 0.2*ms\n");
        Assert.Contains("test.yaml:13", error.Message);
    }

    [Fact]
    public void EveryIsConvertedToSteps()
    {
        var e = Read(Lif + "n: 3\nrecord:\n  spikes: true\n  state: {variables: [v], every: 1*ms, neurons: [0, 2]}\n");
        Assert.Equal(10, e.RecordState!.EverySteps);
        Assert.Equal([0L, 2L], e.RecordState.Neurons);
        Assert.True(e.RecordSpikes);

        var all = Read(Lif + "n: 3\ndt: 0.05*ms\nrecord: {state: {variables: v}}\n");
        Assert.Equal(1, all.RecordState!.EverySteps);
        Assert.Equal([0L, 1L, 2L], all.RecordState.Neurons);
    }

    [Fact]
    public void EveryMustBeAWholeMultipleOfDt()
    {
        var error = Fails(Lif + "record: {state: {variables: [v], every: 0.15*ms}}\n");
        Assert.Contains("record.state.every: 0.00015 s is not a whole positive multiple of dt = 0.0001 s (1.5 steps)", error.Message);
        error = Fails(Lif + "record: {state: {variables: [v], every: 1*mV}}\n");
        Assert.Contains("record.state.every: '1*mV' is", error.Message);
    }

    [Fact]
    public void RecordChecksVariablesAndNeurons()
    {
        Assert.Contains("no variable or subexpression 'vv' (did you mean 'v'?)",
            Fails(Lif + "record: {state: {variables: [vv]}}\n").Message);
        Assert.Contains("neuron 5 does not exist",
            Fails(Lif + "n: 2\nrecord: {state: {variables: [v], neurons: [5]}}\n").Message);
    }

    [Fact]
    public void ModelErrorsKeepTheirTextAndPointIntoTheFile()
    {
        var error = Fails(Lif.Replace("I : amp (constant)", "I : amp (constant)\n    dw/dt = -w/tau_w : 1"));
        // equations start on file line 3; the error is on the third equation line.
        Assert.StartsWith("test.yaml:5: equations, line 3, column", error.Message);
        Assert.Contains("unknown identifier 'tau_w'", error.Message);
        Assert.Contains("^", error.Message);

        var ns = Fails(Lif.Replace("tau: 10*ms", "tau: 10*msec"));
        Assert.StartsWith("test.yaml:5: namespace 'tau'", ns.Message);
    }

    [Fact]
    public void InitialValuesAreUnitChecked()
    {
        var error = Fails(Lif.Replace("initial: {v: El}", "initial: {v: 3*nA}"));
        Assert.Contains("model.initial.v: '3*nA' is", error.Message);
        Assert.Contains("but 'v' is", error.Message);
    }

    [Fact]
    public void NMustAgreeWithTheSweep()
    {
        var error = Fails(Lif + "n: 4\nsweep: {parameters: {I: [1*nA, 2*nA]}}\n");
        Assert.Contains("n: 4 neurons, but the sweep has 2 conditions", error.Message);
    }

    [Fact]
    public void QuantitiesNeedTheRightUnit()
    {
        Assert.Contains("duration: '10*mV' is", Fails(Lif.Replace("100*ms", "10*mV")).Message);
        Assert.Contains("missing required key 'duration'", Fails(Lif.Replace("duration: 100*ms", "")).Message);
        Assert.Contains("dt: 'I' is not a constant", Fails(Lif + "dt: I\n").Message);
    }

    [Fact]
    public void FailedWritesNameTheFileAndKeepEarlierFiles()
    {
        string dir = Directory.CreateTempSubdirectory("nn-out").FullName;
        try
        {
            var output = ExperimentOutput.Open(dir);
            output.WriteText("first.txt", "kept");
            Directory.CreateDirectory(Path.Combine(dir, "second.txt")); // a directory where the file should go
            var error = Assert.Throws<ExperimentOutputException>(() => output.WriteText("second.txt", "lost"));
            Assert.StartsWith($"cannot write {Path.Combine(dir, "second.txt")}: ", error.Message);
            Assert.Equal("kept", File.ReadAllText(Path.Combine(dir, "first.txt")));
            Assert.Equal(["first.txt"], output.Written);
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TimedArrayInputsLoadFromCsv()
    {
        string dir = Directory.CreateTempSubdirectory("nn-input").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "in.csv"), "a,b\n1,2\n3,4\n5,6\n");
            const string model = """
                model:
                  equations: |
                    dv/dt = (-v + R*I_in(t, i))/tau : volt
                  namespace: {R: 1*Mohm, tau: 10*ms}
                duration: 1*ms

                """;
            var rows = Read(model + "inputs: {I_in: {file: in.csv, dt: 0.1*ms, unit: nA}}\n", dir);
            var array = rows.Model.Namespace["I_in"] is NeuroNative.Models.NamespaceTimedArray t ? t.Array : throw new Xunit.Sdk.XunitException("no TimedArray");
            Assert.Equal(2, array.Columns);
            Assert.Equal(3, array.Times);
            Assert.Equal(3 * 1e-9, array.Values[2]);

            var traces = Read(model + "inputs: {I_in: {file: in.csv, dt: 0.1*ms, unit: nA, layout: trace_rows}}\n", dir);
            var t2 = ((NeuroNative.Models.NamespaceTimedArray)traces.Model.Namespace["I_in"]).Array;
            Assert.Equal(3, t2.Columns);
            Assert.Equal(2, t2.Times);
            Assert.Equal(3 * 1e-9, t2.Values[1]);

            File.WriteAllText(Path.Combine(dir, "bad.csv"), "1,2\n3,x4\n");
            var error = Fails(model + "inputs: {I_in: {file: bad.csv, dt: 0.1*ms}}\n", dir);
            Assert.Contains("bad.csv: line 2, column 2: 'x4' is not a number", error.Message);
            Assert.Contains("inputs.I_in.file", error.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
