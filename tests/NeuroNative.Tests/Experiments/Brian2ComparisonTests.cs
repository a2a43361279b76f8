using System.Globalization;
using System.Text;
using NeuroNative.Experiments;
using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Tests.Cli;
using NeuroNative.Tests.Models;
using Xunit;
using Xunit.Abstractions;

namespace NeuroNative.Tests.Experiments;

/// <summary>The system Python's Brian 2, probed once; the comparison tests skip themselves without it.</summary>
internal static class Brian2
{
    private static readonly Lazy<string?> s_missing = new(() =>
    {
        try { _ = Brian2Comparison.Brian2Version(new Brian2ComparisonOptions().Python); return null; }
        catch (Brian2NotAvailableException e) { return e.Message; }
    });

    /// <summary>Null when Brian 2 is importable, else why not.</summary>
    public static string? Missing => s_missing.Value;

    public static void SkipIfMissing() =>
        Skip.If(Missing is not null, $"Brian 2 is not installed for the system Python (./build.sh deps installs it): {Missing}");
}

/// <summary>
/// <see cref="Brian2Comparison"/> on every deterministic reference case, shortened to at most
/// <see cref="MaxSteps"/> steps: the equivalent Brian 2 script and NeuroNative agree within the default
/// tolerances (identical spike counts, same steps, traces within 1e-6 of the range). Brian runs on its
/// runtime device with the numpy target, which needs no compiler and starts in seconds.
/// </summary>
public class Brian2ComparisonTests(ITestOutputHelper output)
{
    private const long MaxSteps = 1500;

    public static IEnumerable<object[]> Cases() => ReferenceScenario.Cases();

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void AgreesWithBrianOnTheReferenceCase(string @case)
    {
        Brian2.SkipIfMissing();
        var scenario = ReferenceScenario.Get(@case);
        using var dir = new CliHarness();
        var experiment = ExperimentFile.Parse(ExperimentYaml(scenario, dir.Directory), $"{@case}.yaml", dir.Directory);

        var result = Brian2Comparison.Run(experiment, Path.Combine(dir.Directory, "compare"),
            new Brian2ComparisonOptions { Target = Brian2Target.Numpy, Backend = Backend.Interpreted });
        output.WriteLine(result.Report());

        Assert.True(result.Agrees, string.Join("\n", result.Disagreements));
        Assert.StartsWith("2.", result.Brian2Version);
        Assert.NotEmpty(result.Traces);
        if (scenario.HasSpikes)
        {
            Assert.Equal(experiment.N, result.NeuronsWithEqualSpikeCounts);
            Assert.Equal(result.SpikePairs, result.SpikesInSameStep);
        }
        Assert.True(result.SpeedRatio > 0 && double.IsFinite(result.SpeedRatio), $"speed ratio {result.SpeedRatio}");
        Assert.Contains("Speed ratio (NeuroNative / Brian, compile time apart)", File.ReadAllText(
            Path.Combine(dir.Directory, "compare", Brian2Comparison.ReportFile)));
    }

    /// <summary>cpp_standalone compiles for tens of seconds: one small spiking case, with a state trace.</summary>
    [SkippableFact]
    public void AgreesWithBrianCppStandalone()
    {
        Brian2.SkipIfMissing();
        using var dir = new CliHarness();
        var experiment = ExperimentFile.Parse(ExperimentYaml(ReferenceScenario.Get("lif_refractory_exact"), dir.Directory),
            "lif.yaml", dir.Directory);
        var result = Brian2Comparison.Run(experiment, dir.Directory, new Brian2ComparisonOptions { Device = Brian2Device.CppStandalone });
        output.WriteLine(result.Report());
        Assert.True(result.Agrees, string.Join("\n", result.Disagreements));
        Assert.Equal("cpp_standalone", result.Brian2.Detail);
        Assert.True(result.Brian2.CompileSeconds > 0);
    }

    /// <summary>The script holds the sweep exactly: its literals read back as the very doubles of the experiment.</summary>
    [Fact, Trait("Category", "CodegenIndependent")]
    public void ScriptWritesSweepValuesExactly()
    {
        using var dir = new CliHarness();
        var experiment = ExperimentFile.Parse(ExperimentFiles.Hh(0.01) + """
            sweep:
              parameters:
                g_na: {lo: 10*msiemens*cm**-2*area, hi: 100*msiemens*cm**-2*area, n: 7}
                I: {lo: 0*pA, hi: 20*pA, n: 3}
            """, "hh.yaml", dir.Directory);
        string script = File.ReadAllText(Brian2Script.Write(experiment, dir.Directory, Brian2Device.Runtime, 1));

        foreach (var p in experiment.Sweep!.Parameters)
        {
            string line = script.Split('\n').Single(l => l.StartsWith($"{p.Name}_values = np.array([", StringComparison.Ordinal));
            var literals = line[(line.IndexOf('[') + 1)..line.IndexOf(']')].Split(", ");
            Assert.Equal(p.Values, literals.Select(l => double.Parse(l, CultureInfo.InvariantCulture)));
        }
        // Product mode, the first parameter fastest: meshgrid of the reversed list with 'ij' indexing.
        Assert.Contains("I_grid, g_na_grid = np.meshgrid(I_values, g_na_values, indexing='ij')", script);
        Assert.Contains("group.g_na = g_na_grid.ravel()*siemens", script);
        Assert.Contains($"equations = '''{experiment.Model.Equations}'''", script);
        Assert.Contains("group = NeuronGroup(21, equations, threshold='v>-20*mV', refractory='v>-20*mV', " +
            "method='exponential_euler', namespace=namespace)", script);
        Assert.Contains("('Cm', '(1*ufarad*cm**-2) * area'),", script);
        Assert.Contains("group.v = 'El'", script);
    }

    [Fact, Trait("Category", "CodegenIndependent")]
    public void ScriptRefusesRandomModels()
    {
        using var dir = new CliHarness();
        var experiment = ExperimentFile.Parse("""
            model:
              equations: 'dv/dt = -v/(10*ms) + xi/sqrt(ms) : 1'
            duration: 1*ms
            """, "ou.yaml", dir.Directory);
        var e = Assert.Throws<NotSupportedException>(() => Brian2Script.Write(experiment, dir.Directory, Brian2Device.Runtime, 1));
        Assert.StartsWith("ou.yaml: the model draws random numbers (xi)", e.Message);

        var randomStart = ExperimentFile.Parse(ExperimentFiles.Lif("exact").Replace("initial: {v: El}", "initial: {v: 'El + rand()*mV'}"),
            "lif.yaml", dir.Directory);
        e = Assert.Throws<NotSupportedException>(() => Brian2Script.Write(randomStart, dir.Directory, Brian2Device.Runtime, 1));
        Assert.StartsWith("lif.yaml: the initial value of 'v' draws random numbers ('El + rand()*mV')", e.Message);
    }

    /// <summary>The tolerances, checked on Brian results made from NeuroNative's own run and then changed:
    /// one spike a step late, one trace sample off by 1e-3 of the range.</summary>
    [Fact]
    public void DisagreementsBeyondTheTolerancesAreNamed()
    {
        using var dir = new CliHarness();
        var experiment = ExperimentFile.Parse(ExperimentFiles.Lif("exact").Replace("duration: 1*second", "duration: 50*ms") +
            "sweep: {parameters: {I: {lo: 0.3*nA, hi: 0.5*nA, n: 3}}}\nrecord: {spikes: true, state: {variables: [v]}}\n",
            "lif.yaml", dir.Directory);
        var run = ExperimentRunner.Run(experiment, new RunSettings { Backend = Backend.Interpreted, Threads = 1 });
        string brian = Path.Combine(dir.Directory, Brian2Script.ResultsFolder);
        var fake = ExperimentOutput.Open(brian);
        fake.WriteResults(run);
        fake.WriteText(Brian2Script.TimingFile, """{"brian2_version": "2.5.1", "codegen_target": "numpy", "threads": 1, "compile_s": 1.5, "sim_s": 0.25}""");

        var exact = Brian2Comparison.Compare(run, brian, new Brian2ComparisonOptions { Device = Brian2Device.CppStandalone });
        Assert.True(exact.Agrees, string.Join("\n", exact.Disagreements));
        Assert.Equal(3, exact.NeuronsWithEqualSpikeCounts);
        Assert.Equal(0, exact.Traces.Single().MaxDeviation);
        Assert.Equal(run.NeuronStepsPerSecond / (3 * 500 / 0.25), exact.SpeedRatio, 12);

        var times = (double[])run.SpikeTimes!.Clone();
        long spike = Array.IndexOf(run.SpikeIndices!, 2L);
        times[spike] += experiment.Dt;
        fake.WriteArray("spikes_time.npy", times, times.Length);
        var v = run.StateValues.Single().Values;
        double range = v.SelectMany(x => x).Max() - v.SelectMany(x => x).Min();
        var changed = v.SelectMany(x => x).ToArray();
        changed[v[0].Length + 7] += 1e-3 * range;
        fake.WriteArray("state_v.npy", changed, v.Length, v[0].Length);

        var off = Brian2Comparison.Compare(run, brian, new Brian2ComparisonOptions { Device = Brian2Device.CppStandalone });
        Assert.False(off.Agrees);
        Assert.Equal(off.SpikePairs - 1, off.SpikesInSameStep);
        Assert.Equal(1, off.LargestStepDifference);
        Assert.Contains(off.Disagreements, d => d.StartsWith("1 spikes are more than 0 steps apart: neuron 2, spike 0:", StringComparison.Ordinal));
        Assert.Contains(off.Disagreements, d => d.StartsWith("v: deviation", StringComparison.Ordinal) && d.Contains("neuron 1, sample 7"));
        Assert.Contains("DISAGREE:", off.Report());

        var relaxed = Brian2Comparison.Compare(run, brian, new Brian2ComparisonOptions
        {
            Tolerances = new Brian2Tolerances { SpikeSteps = 1, RelativeTrace = 2e-3 },
        });
        Assert.True(relaxed.Agrees, string.Join("\n", relaxed.Disagreements));
    }

    /// <summary>The reference case as an experiment file: its model, per-neuron values as a zip sweep of exact
    /// literals, initial values, dt, at most <see cref="MaxSteps"/> steps, spikes and the traced variables of
    /// three neurons. A TimedArray input is written as a CSV file into <paramref name="directory"/>.</summary>
    internal static string ExperimentYaml(ReferenceScenario s, string directory)
    {
        var m = s.Model;
        var analyzed = ModelAnalyzer.Analyze(m);
        var yaml = new StringBuilder("model:\n  equations: |\n");
        foreach (var line in m.Equations.Split('\n')) yaml.Append("    ").Append(line).Append('\n');
        var inputs = new StringBuilder();
        if (m.Namespace.Values.Any(v => v is not NamespaceTimedArray)) yaml.Append("  namespace:\n");
        foreach (var (name, value) in m.Namespace)
            switch (value)
            {
                case NamespaceExpression e: yaml.Append($"    {name}: {Quote(e.Text)}\n"); break;
                case NamespaceQuantity q: yaml.Append($"    {name}: {R(q.Value.Value)}\n"); break;
                case NamespaceTimedArray t:
                    var rows = Enumerable.Range(0, t.Array.Times)
                        .Select(k => string.Join(",", Enumerable.Range(0, t.Array.Columns).Select(c => R(t.Array.Values[k * t.Array.Columns + c]))));
                    File.WriteAllText(Path.Combine(directory, $"{name}.csv"), string.Join("\n", rows) + "\n");
                    inputs.Append($"  {name}: {{file: {name}.csv, dt: {R(t.Array.Dt)}*second, unit: {t.Array.Unit.ToBrianString()}}}\n");
                    break;
            }
        foreach (var (key, text) in new[] { ("threshold", m.Threshold), ("reset", m.Reset), ("refractory", m.Refractory), ("method", m.Method) })
            if (text is not null) yaml.Append($"  {key}: {Quote(text)}\n");
        if (s.Initial.Count > 0)
            yaml.Append("  initial: {").Append(string.Join(", ", s.Initial.Select(i => $"{i.Key}: {Quote(i.Value)}"))).Append("}\n");
        if (inputs.Length > 0) yaml.Append("inputs:\n").Append(inputs);
        long steps = Math.Min(s.Steps, MaxSteps);
        yaml.Append($"dt: {R(s.Dt)}*second\nduration: {R(steps * s.Dt)}*second\n");
        yaml.Append("sweep:\n  mode: zip\n  parameters:\n");
        foreach (var (name, values) in s.PerNeuron)
        {
            var unit = analyzed.Parameters.Single(p => p.Name == name).Dimension;
            string times = unit.IsDimensionless ? "" : $"*({unit.ToBrianString()})"; // a coherent unit: the product is exact
            yaml.Append($"    {name}: [{string.Join(", ", values.Select(v => R(v) + times))}]\n");
        }

        var variables = ReferenceComparison.TracedColumns(s).Select(c => c.Variable).Distinct().ToList();
        int every = s.Traces.Count > 0 ? s.Traces[0].Every : 1;
        var neurons = new[] { 0, s.Neurons / 2, s.Neurons - 1 }.Distinct();
        yaml.Append($"record:\n  spikes: {(s.HasSpikes ? "true" : "false")}\n");
        if (variables.Count == 0) variables.Add(analyzed.States[0].Name);
        yaml.Append($"  state: {{variables: [{string.Join(", ", variables)}], every: {R(every * s.Dt)}*second, " +
            $"neurons: [{string.Join(", ", neurons)}]}}\n");
        return yaml.ToString();
    }

    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string text) => $"'{text.Trim().Replace("'", "''")}'";
}
