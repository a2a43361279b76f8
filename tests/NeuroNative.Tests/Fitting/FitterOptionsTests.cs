using System.Globalization;
using NeuroNative.Fitting;
using NeuroNative.Fitting.Optimizers;
using NeuroNative.Models;
using NeuroNative.Models.Units;
using Xunit;

namespace NeuroNative.Tests.Fitting;

/// <summary>TraceFitter's options on a two-variable linear model (v follows R·I with τ, w follows v): two outputs with a
/// metric each, the iteration variable in a penalty, <c>v_target</c>, the results table, callbacks, continued fits.</summary>
public class FitterOptionsTests
{
    private const double Dt = 1e-4;
    private static readonly Dimension Volt = UnitRegistry.TryParseDimension("volt", out var d) ? d : throw new InvalidOperationException();
    private static readonly Dictionary<string, double> Truth = new() { ["R"] = 5e7, ["tau"] = 8e-3 };
    private static readonly IReadOnlyDictionary<string, (double, double)> Bounds = new Dictionary<string, (double, double)>
    {
        ["R"] = (1e7, 1e8),
        ["tau"] = (2e-3, 20e-3),
    };

    private static ModelDefinition Model() => new("""
        dv/dt = (R*I - v)/tau : volt
        dw/dt = (v - w)/(5*ms) : volt
        R : ohm (constant)
        tau : second (constant)
        pen = iteration * 1e-9 * volt**2 : volt**2
        """) { Method = "exact" };

    private static Traces Input() => new([.. new[] { 0.2e-9, 0.5e-9 }.Select(a =>
        Enumerable.Range(0, 600).Select(k => k >= 100 && k < 400 ? a : 0).ToArray())], Dimension.Current);

    private static FitterSettings Settings => new() { Dt = Dt, NSamples = 12, Threads = 1, LogScale = false };

    private static TraceFitter Fitter(int threads = 1)
    {
        var input = new Dictionary<string, Traces> { ["I"] = Input() };
        using var generator = new BatchedTraceSimulator(Model(), input, Settings);
        using var batch = generator.CreateBatch(1, new BatchRecording { Traces = ["v", "w"] });
        var data = batch.Run([Truth]);
        return new TraceFitter(Model(), input, new Dictionary<string, Traces>
        {
            ["v"] = new(data.Traces["v"], Volt),
            ["w"] = new(data.Traces["w"], Volt),
        }, Settings with { Threads = threads });
    }

    [Fact]
    public void ASeedGivesTheSameFitOnAnyThreadCount()
    {
        using var one = Fitter(threads: 1);
        using var two = Fitter(threads: 2);
        var a = one.Fit(OptimizerFactory.Create("CMAES"), new MSEMetric(), 4, Bounds, seed: 9);
        var b = two.Fit(OptimizerFactory.Create("CMAES"), new MSEMetric(), 4, Bounds, seed: 9);
        Assert.Equal(one.Results.Select(r => r.Error), two.Results.Select(r => r.Error));
        Assert.Equal(a.BestParams, b.BestParams);
    }

    [Fact]
    public void TwoOutputsWithAMetricEachAndTheIterationInThePenalty()
    {
        using var fitter = Fitter();
        var metrics = new Dictionary<string, ITraceMetric> { ["v"] = new MSEMetric(), ["w"] = new MSEMetric(normalization: 2) };
        var de = OptimizerFactory.Create("DE");
        fitter.Fit(de, metrics, 2, Bounds, startIteration: 10, penalty: "pen");
        Assert.Equal(24, fitter.Results.Count);
        foreach (var e in fitter.Results.Where((_, k) => k % 5 == 0))
        {
            // Each output's error from its generated traces; the penalty is iteration · 1e-9 V² (iteration 10, then 11).
            var v = fitter.GenerateTraces(e.Parameters, iteration: 0, variable: "v");
            var w = fitter.GenerateTraces(e.Parameters, iteration: 0, variable: "w");
            double ev = new MSEMetric().PerTrace(v, new Traces(fitter.GenerateTraces(Truth, variable: "v_target"), Volt), Dt).Average();
            double ew = new MSEMetric().PerTrace(w, new Traces(fitter.GenerateTraces(Truth, variable: "w_target"), Volt), Dt).Average();
            Assert.Equal(ev, e.Objectives["v"], ev * 1e-9 + 1e-30);
            Assert.Equal(ew, e.Objectives["w"], ew * 1e-9 + 1e-30);
            Assert.Equal(ev + ew / 4 + (10 + e.Round) * 1e-9, e.Error, 1e-12 * e.Error);
        }
        // v_target is the data: the generated traces at the true parameters.
        Assert.Equal(fitter.GenerateTraces(Truth, variable: "v"), fitter.GenerateTraces(Truth, variable: "v_target"));

        // Continued without a penalty (the settings' none), from iteration 12 on.
        var continued = fitter.Fit(de, metrics, 28, Bounds);
        Assert.Equal(30, continued.Rounds);
        Assert.Equal(40, fitter.Iteration);
        Assert.Equal(fitter.Results[^1].Objectives["v"] + fitter.Results[^1].Objectives["w"] / 4, fitter.Results[^1].Error, 1e-12 * fitter.Results[^1].Error);
        var refined = fitter.Refine();
        Assert.True(refined.Error <= fitter.BestError, $"refined {refined.Error} vs best {fitter.BestError}");
        Assert.InRange(refined.Parameters["R"] / Truth["R"], 0.999, 1.001);
        Assert.InRange(refined.Parameters["tau"] / Truth["tau"], 0.999, 1.001);
        Assert.Equal(UnitRegistry.TryParseDimension("ohm", out var ohm) ? ohm : default, fitter.BestQuantities!["R"].Dimension);

        Assert.Contains("metric: differs", Assert.Throws<FitException>(() =>
            fitter.Fit(de, new Dictionary<string, ITraceMetric> { ["v"] = new MSEMetric(), ["w"] = metrics["w"] }, 1, Bounds)).Message);
        Assert.Contains("optimizer: differs", Assert.Throws<FitException>(() => fitter.Fit(OptimizerFactory.Create("DE"), metrics, 1, Bounds)).Message);
        Assert.Contains("metric: output 'w' has no metric", Assert.Throws<FitException>(() =>
            fitter.Fit(de, new Dictionary<string, ITraceMetric> { ["v"] = new MSEMetric() }, 1, Bounds, restart: true)).Message);
        Assert.Contains("penalty: 'nothing' is not a variable", Assert.Throws<FitException>(() =>
            fitter.Fit(de, metrics, 1, Bounds, restart: true, penalty: "nothing")).Message);
    }

    [Fact]
    public void TheResultsTableAndTheCallbacks()
    {
        using var fitter = Fitter();
        var text = new StringWriter();
        var progress = new Recorder();
        int seen = 0;
        var result = fitter.Fit(OptimizerFactory.Create("DE"), new MSEMetric(), 5, Bounds,
            FitCallbacks.All(FitCallbacks.Text(text), FitCallbacks.Progress(progress), _ => ++seen < 3));
        Assert.Equal(3, result.Rounds);
        Assert.Equal([(1, 5), (2, 5), (3, 5)], progress.Reports);
        Assert.StartsWith("Round 0: Best parameters R=", text.ToString());
        Assert.Equal(3, text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var table = fitter.ResultsTable();
        Assert.Equal(["R", "tau", "error", "error_v", "error_w"], table.Columns);
        Assert.Equal(36, table.Rows.Count);
        Assert.Equal(fitter.Results.Select(r => r.Error), table.AsDictionary()["error"]);
        Assert.Equal(fitter.Results[7].Parameters["tau"], table.AsList()[7]["tau"]);
        var csv = new StringWriter();
        table.WriteCsv(csv);
        var lines = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("round,R [ohm],tau [second],error,error_v,error_w", lines[0]);
        Assert.Equal(fitter.Results[0].Error, double.Parse(lines[1].Split(',')[3], CultureInfo.InvariantCulture));
    }

    private sealed class Recorder : IProgress<(int Done, int Total)>
    {
        public List<(int, int)> Reports { get; } = [];
        public void Report((int Done, int Total) value) => Reports.Add(value);
    }
}
