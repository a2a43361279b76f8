using System.Text.Json;
using NeuroNative.Cli;
using NeuroNative.Experiments;
using NeuroNative.Fitting;
using NeuroNative.Tests.Interop;
using NeuroNative.Tests.Reference;
using Xunit;

namespace NeuroNative.Tests.Cli;

/// <summary><c>neuronative fit</c> on examples/hh_fit.yaml (brian2modelfitting's HH tutorial, made small) and the fit
/// file's errors, each naming the file, line and key.</summary>
public class FitCommandTests
{
    /// <summary>The example with its data paths made absolute and <paramref name="edit"/> applied.</summary>
    private static string Example(Func<string, string>? edit = null)
    {
        string text = File.ReadAllText(Path.Combine(ConventionTests.RepoRoot(), "examples", "hh_fit.yaml"))
            .Replace("../tests/data/reference/hh_fitting_tutorial/", ReferenceCase.Load("hh_fitting_tutorial").Directory + "/");
        return edit is null ? text : edit(text);
    }

    private static string Small(string text) => text.Replace("n_samples: 100", "n_samples: 20").Replace("n_rounds: 10", "n_rounds: 3")
        .Replace("refine: {gradient: true}", "refine: {gradient: true, max_iterations: 5}");

    [Fact]
    public void TheExampleFitsAndWritesItsFiles()
    {
        using var h = new CliHarness();
        string file = h.Write("fit.yaml", Example(Small));
        var (code, output, stderr) = CliHarness.Invoke("fit", file, "--out", h.Path("out"));
        Assert.True(code == CliApp.ExitOk, stderr);
        Assert.Contains("Round 2: Best parameters gl=", output);
        foreach (string name in new[] { "fit.json", "history.csv", "best_traces.npy", "fit.png" })
            Assert.True(File.Exists(h.Path($"out/{name}")), name);

        using var json = JsonDocument.Parse(File.ReadAllText(h.Path("out/fit.json")));
        var root = json.RootElement;
        Assert.Equal(3, root.GetProperty("rounds").GetArrayLength());
        double error = root.GetProperty("error").GetDouble(), refined = root.GetProperty("refined").GetProperty("error").GetDouble();
        Assert.True(refined <= error, $"refined {refined} > fitted {error}");
        var parameters = root.GetProperty("parameters");
        Assert.Equal(["gl", "g_na", "g_kd"], parameters.EnumerateObject().Select(p => p.Name));
        // Every evaluation is a row of history.csv; the reported best is its smallest error.
        var rows = File.ReadAllLines(h.Path("out/history.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(20 * 3, rows.Length);
        Assert.Equal("round", File.ReadLines(h.Path("out/history.csv")).First().Split(',')[0]);
        Assert.Equal(Enumerable.Range(0, 3).SelectMany(r => Enumerable.Repeat(r.ToString(), 20)), rows.Select(r => r[0]));
        Assert.Equal(error, rows.Min(r => double.Parse(r[^1], System.Globalization.CultureInfo.InvariantCulture)));

        var traces = File.ReadAllBytes(h.Path("out/best_traces.npy"));
        Assert.Equal([5L, 1497L], Npy.ReadHeader(traces).Shape);
        Assert.Equal(0.010077, root.GetProperty("refined").GetProperty("parameters").GetProperty("gl").GetDouble() * 1e6, 1);
    }

    [Fact]
    public void TheOnlineFitterFindsTheTraceFittersErrors()
    {
        using var h = new CliHarness();
        string Best(string fitter)
        {
            string file = h.Write($"{fitter}.yaml", Example(t => Small(t).Replace("fitter: trace", $"fitter: {fitter}").Replace("  refine: {gradient: true, max_iterations: 5}\n", "")));
            var (code, _, stderr) = CliHarness.Invoke("fit", file, "--out", h.Path(fitter));
            Assert.True(code == CliApp.ExitOk, stderr);
            return File.ReadAllText(h.Path($"{fitter}/history.csv"));
        }
        Assert.Equal(Best("trace"), Best("online"));
    }

    [Fact]
    public void ASpikeFitRecoversTheParametersOfItsSpikes()
    {
        using var h = new CliHarness();
        var steps = NeuroNative.Tests.Fitting.SpikeFitterTests.Steps();
        File.WriteAllText(h.Path("input.csv"), "," + string.Join(',', Enumerable.Range(0, steps.Samples)) + "\n" + string.Concat(
            steps.Rows.Select((row, r) => $"{r}," + string.Join(',', row.Select(v => ExperimentOutput.G17(v / 1e-9))) + "\n")));
        IReadOnlyList<double[]> data;
        using (var generator = new SpikeFitter(NeuroNative.Tests.Fitting.SpikeFitterTests.Model(), new Dictionary<string, Traces> { ["I"] = steps },
            [[], [], []], NeuroNative.Tests.Fitting.SpikeFitterTests.Settings(1)))
            data = generator.GenerateSpikes(NeuroNative.Tests.Fitting.SpikeFitterTests.Truth);
        File.WriteAllText(h.Path("spikes.csv"), "trace,time\n" + string.Concat(data.SelectMany((t, r) => t.Select(x => $"{r},{ExperimentOutput.G17(x * 1e3)}\n"))));
        string file = h.Write("spike.yaml", """
            model:
              equations: |
                dv/dt = (gL*(EL - v) + I - w)/C : volt
                dw/dt = -w/tau_w : amp
                gL : siemens (constant)
                b : amp (constant)
              namespace: {EL: -70*mV, C: 200*pF, tau_w: 100*ms}
              threshold: v > -50*mV
              reset: v = -70*mV; w += b
              method: euler
            dt: 0.1*ms
            fit:
              fitter: spike
              input: {I: {file: input.csv, unit: nA}}
              output: {spikes: {file: spikes.csv, unit: ms}}
              n_samples: 30
              n_rounds: 20
              metric: {type: Gamma, delta: 1*ms, time: 500*ms}
              bounds: {gL: [2*nS, 40*nS], b: [0*pA, 300*pA]}
              param_init: {v: -70*mV}
              seed: 2
            """);
        var (code, _, stderr) = CliHarness.Invoke("fit", file, "--out", h.Path("out"), "--threads", "1");
        Assert.True(code == CliApp.ExitOk, stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(h.Path("out/fit.json")));
        var best = json.RootElement.GetProperty("parameters");
        Assert.InRange(best.GetProperty("gL").GetDouble() / 10e-9, 0.95, 1.05);
        Assert.InRange(best.GetProperty("b").GetDouble() / 60e-12, 0.9, 1.1);
        Assert.Equal("Gamma", json.RootElement.GetProperty("metric").GetString());
        var spikes = File.ReadAllLines(h.Path("out/best_spikes.csv")).Skip(1).ToArray();
        Assert.Equal(data.Sum(t => t.Length), spikes.Length);
        Assert.True(File.Exists(h.Path("out/fit.png")));
    }

    [Fact]
    public void TheJobReadsInSI()
    {
        var job = FitFile.Parse(Example(), "hh_fit.yaml", "/");
        Assert.Equal(1e-5, job.Dt, 12);
        Assert.Equal(FitterKind.Trace, job.Fitter);
        Assert.Equal(5, job.Input["I"].Count);
        Assert.Equal(-0.06354211144921105, job.Output["v"].Rows[0][0], 12); // mV in the file
        Assert.Equal((2e-12, 2e-7), job.Bounds.Single(b => b.Key == "gl").Value);
        Assert.Equal("-65*mV", job.ParamInit["v"].Trim());
        Assert.Equal(new RefineSpec(true, 200), job.Refine);
    }

    [Theory]
    [InlineData("gl: [2e-12*siemens, 2e-7*siemens]", "gl: [2e-7*siemens, 2e-12*siemens]", ":27:", "fit.bounds.gl: [2E-07, 2E-12] must be finite with lower < upper")]
    [InlineData("gl: [2e-12*siemens, 2e-7*siemens]", "El: [2e-12*siemens, 2e-7*siemens]", ":27:", "fit.bounds.El: 'El' is not a constant parameter of the model")]
    [InlineData("gl: [2e-12*siemens, 2e-7*siemens]", "gl: [2e-12*amp, 2e-7*siemens]", ":27:", "fit.bounds.gl[0]: '2e-12*amp' is amp (A), expected the unit of 'gl'")]
    [InlineData("output: {v: {", "output: {w: {", ":22:", "fit.output.w: the model has no state variable or subexpression 'w'")]
    [InlineData("n_samples: 100", "n_samples: 0", ":23:", "fit.n_samples: expected a whole number >= 1")]
    [InlineData("method: DE}", "method: DE, F: x}", ":25:", "fit.optimizer: Option 'F' of optimizer DE")]
    [InlineData("metric: {type: MSE}", "metric: {type: Gamma}", ":26:", "fit.metric.type: Gamma does not fit the trace fitter")]
    [InlineData("param_init: {v: -65*mV}", "param_init: {v: -65*amp}", ":28:", "fit.param_init.v: '-65*amp' is amp (A) but 'v' is volt")]
    [InlineData("fitter: trace", "fitter: online", ":29:", "fit.refine: least squares refines trace fits with the MSE metric, not online fits")]
    [InlineData("fitter: trace", "fitter: traces", ":20:", "fit.fitter: 'traces' is not one of trace, spike, online (did you mean 'trace'?)")]
    [InlineData("input_traces_hh.csv", "missing.csv", ":21:", "fit.input.I.file: cannot read")]
    public void FileErrorsNameTheLineAndKey(string from, string to, string line, string message)
    {
        using var h = new CliHarness();
        string file = h.Write("fit.yaml", Example(t => t.Replace(from, to)));
        var (code, _, error) = CliHarness.Invoke("fit", file, "--out", h.Path("out"));
        Assert.Equal(CliApp.ExitUsageError, code);
        Assert.Contains($"fit.yaml{line}", error);
        Assert.Contains(message, error);
        Assert.False(Directory.Exists(h.Path("out")));
    }

    [Fact]
    public void AnInputTheModelDefinesIsAFitError()
    {
        using var h = new CliHarness();
        string file = h.Write("fit.yaml", Example(t => t.Replace("    gl   : siemens (constant)\n", "    gl   : siemens (constant)\n    I = 0*amp : amp\n")));
        var (code, _, error) = CliHarness.Invoke("fit", file, "--out", h.Path("out"));
        Assert.Equal(CliApp.ExitUsageError, code);
        Assert.Contains("the model defines 'I'", error);
    }

    [Fact]
    public void ATraceWithNaNIsAFitError()
    {
        using var h = new CliHarness();
        var source = ReferenceCase.Load("hh_fitting_tutorial").PathOf("output_traces_hh.csv");
        var lines = File.ReadAllLines(source);
        var cells = lines[3].Split(',');
        cells[7] = "nan";
        lines[3] = string.Join(',', cells);
        File.WriteAllLines(h.Path("out.csv"), lines);
        string file = h.Write("fit.yaml", Example(t => t.Replace(Path.GetDirectoryName(source) + "/output_traces_hh.csv", h.Path("out.csv"))));
        var (code, _, error) = CliHarness.Invoke("fit", file, "--out", h.Path("out"));
        Assert.Equal(CliApp.ExitUsageError, code);
        Assert.Contains("output.v: trace 2, sample 6 is NaN", error);
    }
}
