using NeuroNative.Cli;
using NeuroNative.Experiments;
using NeuroNative.Tests.Cli;
using Xunit;

namespace NeuroNative.Tests.Experiments;

/// <summary>YAML 1.2 as PyYAML reads it; what is not YAML stops with file, line and column (exit 2).</summary>
public class YamlTests
{
    private static string Lif(string record) => ExperimentFiles.Lif("exact") + "n: 3\n" + record;

    [Theory]
    [InlineData("record:\n  state: {variables: [v,\n    I], every: 1*ms}\n")]            // continued deeper than its key
    [InlineData("record:\n  state:\n    variables:\n    - v\n    - I\n    every: 1*ms\n")]  // block list at the key's indentation
    [InlineData("record:\n  state: {\n   variables: [v, I],\n   every: 1*ms\n  }\n")]   // closing brace at the key's indentation
    [InlineData("record: {state: {variables: [v, I], every: !!str 1*ms}}\n")]           // a tag
    [InlineData("record:\n  state: &s {variables: [v, I], every: 1*ms}\n")]             // an anchor
    [InlineData("record:\n  state: {variables: [\"v\", 'I'], every: \"1*ms\"}  # quoted\n")]
    [InlineData("record:\n  state:\n    ? variables\n    : [v, I]\n    every: 1*ms\n")]   // explicit keys
    public void ValidYamlIsRead(string record)
    {
        var e = ExperimentReaderTests.Read(Lif(record));
        Assert.Equal(["v", "I"], e.RecordState!.Variables);
        Assert.Equal(10, e.RecordState.EverySteps);
    }

    /// <summary>The file: a flow list continued at its key's indentation. PyYAML reads it, but YAML 1.2
    /// needs continuation lines indented more than the key (yaml-test-suite 9C9N), and YamlDotNet refuses it
    /// with a bare InvalidOperationException; the message now says where and why.</summary>
    [Fact]
    public void AFlowListContinuedAtItsKeysIndentationNamesFileLineAndColumn()
    {
        const string record = "record:\n  state: {variables: [v, m,\n  h], every: 1*ms}\n";
        int line = ExperimentFiles.Lif("exact").Split('\n').Length + 3;
        var e = Assert.Throws<ExperimentException>(() => ExperimentReaderTests.Read(Lif(record)));
        Assert.Equal((line, 3), (e.Line, e.Column));
        Assert.Contains($"test.yaml:{line}:3: not valid YAML: a list or mapping written in [ ] or {{ }} must continue on lines " +
            "indented more than its key", e.Message);

        using var h = new CliHarness();
        var (code, _, stderr) = CliHarness.Invoke("run", h.Write("flow.yaml", Lif(record)), "--out", h.Path("out"));
        Assert.Equal(CliApp.ExitUsageError, code);
        Assert.Contains($"flow.yaml:{line}:3: not valid YAML", stderr);
        Assert.False(Directory.Exists(h.Path("out")) && Directory.EnumerateFiles(h.Path("out")).Any());
    }

    [Theory]
    [InlineData("record: {state: {variables: [v, I}\n", "not valid YAML")]
    [InlineData("record:\n  state: *nothing\n", "not valid YAML")]
    [InlineData("record:\n\tstate: {variables: [v]}\n", "not valid YAML")]
    [InlineData("record: {state: {variables: [v], every: \"1*ms}}\n", "not valid YAML")]
    public void EveryYamlErrorNamesFileLineAndColumn(string record, string expected)
    {
        var e = Assert.Throws<ExperimentException>(() => ExperimentReaderTests.Read(Lif(record)));
        Assert.Contains(expected, e.Message);
        Assert.Equal("test.yaml", e.File);
        Assert.True(e.Line > 0 && e.Column > 0, e.Message);
    }
}
