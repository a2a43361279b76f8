using NeuroNative.Cli;
using NeuroNative.Experiments;
using NeuroNative.Tests.Cli;
using Xunit;

namespace NeuroNative.Tests.Experiments;

/// <summary><c>record.final</c>: the values after the last step, Brian's <c>G.v</c> after <c>run()</c>.</summary>
public class FinalStateTests
{
    private const string Decay = """
        model:
          equations: |
            dv/dt = -v/tau : 1
            s = 2*v : 1
          namespace: {tau: 10*ms}
          method: exact
          initial: {v: 1}
        n: 3
        dt: 0.1*ms
        duration: 10*ms
        record: {final: [v, s]}

        """;

    [Fact]
    public void TheCliWritesTheStateAfterTheLastStep()
    {
        using var h = new CliHarness();
        string dir = h.Path("exp"), output = h.Path("out");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "decay.yaml"), Decay);
        var (code, _, stderr) = CliHarness.Invoke("run", Path.Combine(dir, "decay.yaml"), "--out", output);
        Assert.True(code == CliApp.ExitOk, $"exit {code}: {stderr}");
        var v = Npy.ReadFloat64(File.ReadAllBytes(Path.Combine(output, "final_v.npy")));
        var s = Npy.ReadFloat64(File.ReadAllBytes(Path.Combine(output, "final_s.npy")));
        Assert.Equal(3, v.Length);
        Assert.All(v, x => Assert.Equal(Math.Exp(-1), x, 12)); // 100 exact steps of exp(-dt/tau)
        Assert.Equal(v.Select(x => 2 * x), s);
    }

    [Theory]
    [InlineData("record: {final: [w]}", "record.final: the model has no variable or subexpression 'w'")]
    [InlineData("record: {final: [v, v]}", "record.final: 'v' is listed twice")]
    [InlineData("record: {final: []}", "record.final: expected at least one variable")]
    public void ProblemsNameTheKey(string record, string expected)
    {
        var e = Assert.Throws<ExperimentException>(() => ExperimentReaderTests.Read(Decay.Replace("record: {final: [v, s]}", record)));
        Assert.Contains(expected, e.Message);
        Assert.True(e.Line > 0, e.Message);
    }
}
