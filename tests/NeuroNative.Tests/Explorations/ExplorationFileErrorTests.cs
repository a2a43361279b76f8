using NeuroNative.Tests.Cli;
using Xunit;

namespace NeuroNative.Tests.Explorations;

/// <summary>Mistakes in exploration files: exit 2 with the file, the line of the declaration, the key and what
/// was expected; nothing runs.</summary>
public class ExplorationFileErrorTests
{
    private const string Model = """
        dynamics:
          name: VdP
          parameters: {mu: 1.0}
          state_variables:
            x: {equation: z, initial: 0.1}
            z: {equation: mu*(1 - x**2)*z - x}
        integration: {method: rk4, step_size: 0.01, duration: 5}

        """;

    public static TheoryData<string, int, string> Cases() => new()
    {
        { "explorations:\n  s:\n    parameters: {mu: {lo: 0.1, hi: 10, n: 0}}\n", 10, "explorations.s.parameters.mu.n: expected a whole number >= 1" },
        { "explorations:\n  s:\n    parameters: {mu: {lo: 0, hi: 10, n: 3, scale: log}}\n", 10, "a log scale needs positive bounds" },
        { "explorations:\n  s:\n    mode: zip\n    parameters: {mu: {values: [1, 2]}, nu: {values: [1]}}\n", 11, "'nu' is not a parameter of VdP" },
        { "explorations:\n  s:\n    parameters: {nu: {lo: 1, hi: 2, n: 3}}\n", 10, "explorations.s.parameters.nu: 'nu' is not a parameter of VdP" },
        { "explorations:\n  s:\n    parameters: {mu: {values: [1, 2], targets: [x]}}\n", 10, "'x' is not a parameter of VdP" },
        { "outputs: {sampling_step: 0.015}\n", 8, "outputs.sampling_step: 0.015 is not a multiple of the step size 0.01" },
        { "outputs: {cutoff: 5}\n", 8, "outputs.cutoff: 5 must be at least 0 and before the end of the run (5)" },
        { "outputs: {variables: [x, y]}\n", 8, "outputs.variables: 'y' is not a state or derived variable of VdP" },
        { "inputs: {q: {noise: uniform, low: 0, high: 1}}\n", 8, "inputs.q: VdP has no input or parameter 'q'" },
        { "parameters: {nu: 3}\n", 8, "parameters.nu: 'nu' is not a parameter of VdP" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AreReportedWithTheirLine(string tail, int line, string expected)
    {
        using var cli = new CliHarness();
        string file = cli.Write("e.yaml", Model + tail);
        var (code, _, err) = CliHarness.Invoke("run", file, "--out", cli.Path("out"));
        Assert.Equal(2, code);
        Assert.Contains($"{file}:{line}:", err);
        Assert.Contains(expected, err);
        Assert.False(Directory.Exists(cli.Path("out")), "nothing may run or be written");
    }

    [Fact]
    public void ZipOfUnequalLengthsNamesBoth()
    {
        using var cli = new CliHarness();
        string file = cli.Write("e.yaml", Model.Replace("parameters: {mu: 1.0}", "parameters: {mu: 1.0, nu: 2.0}") +
            "explorations:\n  s:\n    mode: zip\n    parameters: {mu: {values: [1, 2]}, nu: {values: [1]}}\n");
        var (code, _, err) = CliHarness.Invoke("run", file, "--out", cli.Path("out"));
        Assert.Equal(2, code);
        Assert.Contains($"{file}:10:", err);
        Assert.Contains("zip needs equally long value lists, but 'mu' has 2, 'nu' has 1", err);
    }

    [Fact]
    public void AnEquationErrorPointsAtItsStateVariable()
    {
        using var cli = new CliHarness();
        string file = cli.Write("e.yaml", Model.Replace("mu*(1 - x**2)*z - x", "mu*(1 - x**2)*z - x +"));
        var (code, _, err) = CliHarness.Invoke("run", file, "--out", cli.Path("out"));
        Assert.Equal(2, code);
        Assert.Contains($"{file}:6:", err);
        Assert.Contains("state_variables.z.equation", err);
    }

    [Fact]
    public void InputArraysOfTheWrongShapeOrWithNaNAreRefused()
    {
        using var cli = new CliHarness();
        string model = Model.Replace("mu*(1 - x**2)*z - x", "mu*(1 - x**2)*z - x + u") +
            "explorations:\n  s:\n    parameters: {mu: {values: [1, 2, 3]}}\ninputs: {u: {file: u.csv}}\n";
        string file = cli.Write("e.yaml", model);
        cli.Write("u.csv", string.Join("\n", Enumerable.Repeat("0.1,0.2", 500)));
        var (code, _, err) = CliHarness.Invoke("run", file, "--out", cli.Path("out"));
        Assert.Equal(2, code);
        Assert.Contains("inputs.u: 2 columns; expected 1 (all conditions) or 3 (one per condition of s)", err);
        cli.Write("u.csv", string.Join("\n", Enumerable.Repeat("0.1", 499)));
        (code, _, err) = CliHarness.Invoke("run", file, "--out", cli.Path("out"));
        Assert.Contains("inputs.u: 499 rows; expected one per integration step, 500", err);
        cli.Write("u.csv", "u\n" + string.Join("\n", Enumerable.Repeat("0.1", 300)) + "\nnan\n" + string.Join("\n", Enumerable.Repeat("0.1", 199)));
        (code, _, err) = CliHarness.Invoke("run", file, "--out", cli.Path("out"));
        Assert.Equal(2, code);
        Assert.Contains("inputs.u: row 301, column 1 is NaN, expected a finite number", err);
    }

    [Fact]
    public void AnUnknownLibraryModelIsNamedWithTheChoices()
    {
        using var cli = new CliHarness();
        string file = cli.Write("e.yaml", "library: jansen_ritt\nintegration: {duration: 1}\n");
        var (code, _, err) = CliHarness.Invoke("run", file, "--out", cli.Path("out"));
        Assert.Equal(2, code);
        Assert.Contains($"{file}:1:", err);
        Assert.Contains("'jansen_ritt' is not one of jansen_rit", err);
        Assert.Contains("did you mean 'jansen_rit'?", err);
    }
}
