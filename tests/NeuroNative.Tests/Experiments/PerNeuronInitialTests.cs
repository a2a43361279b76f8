using NeuroNative.Experiments;
using Xunit;

namespace NeuroNative.Tests.Experiments;

/// <summary>Per-neuron initial values: Brian's <c>G.v = array</c> as a list or a .npy file, and random
/// values from the experiment's seed (<c>G.v = 'rand()*mV'</c>).</summary>
public class PerNeuronInitialTests
{
    private static string Yaml(string initial) => $$$"""
        model:
          equations: |
            dv/dt = -v/tau : volt
          namespace: {tau: 10*ms}
          initial: {{{initial}}}
        n: 3
        seed: 7
        duration: 0.1*ms
        record: {state: {variables: [v]}}

        """;

    private static double[] Initial(string initial, string? directory = null)
    {
        var result = ExperimentRunner.Run(ExperimentReaderTests.Read(Yaml(initial), directory), new RunSettings { Backend = Backend.Interpreted });
        return result.StateValues.Single().Values.Select(row => row[0]).ToArray();
    }

    [Fact]
    public void AListGivesOneValuePerNeuron() =>
        Assert.Equal([-70 * 1e-3, -65 * 1e-3, 1e-3], Initial("{v: [-70*mV, -65*mV, 1*mV]}"));

    [Fact]
    public void AFileIsReadRelativeToTheExperimentWithItsUnit()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"neuronative-initial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            using (var f = File.Create(Path.Combine(dir, "v0.npy"))) Npy.Write(f, new double[] { -70, -60, -50 });
            var v = Initial("{v: {file: v0.npy, unit: mV}}", dir);
            Assert.Equal([-70 * 1e-3, -60 * 1e-3, -50 * 1e-3], v); // Brian's array*mV
            var e = Assert.Throws<ExperimentException>(() => ExperimentReaderTests.Read(Yaml("{v: {file: v0.npy}}"), dir));
            Assert.Contains("model.initial.v.unit: the values are 1 (dimensionless) but 'v' is volt", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void RandomValuesComeFromTheSeed()
    {
        var v = Initial("{v: -70*mV + 5*mV*rand()}");
        Assert.Equal(v, Initial("{v: -70*mV + 5*mV*rand()}"));
        Assert.Equal(3, v.Distinct().Count());
        Assert.All(v, x => Assert.InRange(x, -0.07, -0.065));
    }

    [Theory]
    [InlineData("{v: [-70*mV, -65*mV]}", "model.initial.v: 2 values, but the experiment has 3 neurons")]
    [InlineData("{v: [-70*mV, -65*mV, 3*nA]}", "model.initial.v[2]: '3*nA' is amp")]
    [InlineData("{v: {file: missing.npy, unit: mV}}", "model.initial.v.file: cannot read")]
    [InlineData("{v: {path: v0.npy}}", "model.initial.v: unknown key 'path'")]
    public void ProblemsNameTheKey(string initial, string expected)
    {
        var e = Assert.Throws<ExperimentException>(() => ExperimentReaderTests.Read(Yaml(initial)));
        Assert.Contains(expected, e.Message);
        Assert.True(e.Line > 0, e.Message);
    }
}
