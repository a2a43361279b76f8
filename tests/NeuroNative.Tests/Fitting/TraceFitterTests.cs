using NeuroNative.Fitting;
using NeuroNative.Fitting.Optimizers;
using NeuroNative.Models;
using NeuroNative.Models.Units;
using NeuroNative.Tests.Reference;
using Xunit;
using Xunit.Abstractions;

namespace NeuroNative.Tests.Fitting;

/// <summary>TraceFitter on brian2modelfitting's HH tutorial (its own input and output traces, tests/data/reference/
/// hh_fitting_tutorial) and its errors.</summary>
public class TraceFitterTests(ITestOutputHelper output)
{
    // The tutorial's model, verbatim: I is used, not defined; Cm a constant of the namespace.
    private const string Model = """
        dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
        dm/dt = 0.32*(mV**-1)*(13.*mV-v+VT)/
          (exp((13.*mV-v+VT)/(4.*mV))-1.)/ms*(1-m)-0.28*(mV**-1)*(v-VT-40.*mV)/
          (exp((v-VT-40.*mV)/(5.*mV))-1.)/ms*m : 1
        dn/dt = 0.032*(mV**-1)*(15.*mV-v+VT)/
          (exp((15.*mV-v+VT)/(5.*mV))-1.)/ms*(1.-n)-.5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1
        dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h)-4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms*h : 1
        g_na : siemens (constant)
        g_kd : siemens (constant)
        gl   : siemens (constant)
        """;

    internal static ModelDefinition Tutorial() => new(Model)
    {
        Namespace = new Dictionary<string, NamespaceValue>
        {
            ["area"] = "20000*umetre**2",
            ["Cm"] = "1*ufarad*cm**-2 * area",
            ["El"] = "-65*mV",
            ["EK"] = "-90*mV",
            ["ENa"] = "50*mV",
            ["VT"] = "-63*mV",
        },
    };

    /// <summary>The tutorial's traces: input in amperes, output in mV (converted to volts), a row per trace.</summary>
    internal static (Traces Input, Traces Output) Data()
    {
        var reference = ReferenceCase.Load("hh_fitting_tutorial");
        static double[][] Rows(CsvTable t, double scale) => [.. t.Rows.Select(r => r[1..].Select(v => v * scale).ToArray())];
        return (new Traces(Rows(reference.ReadCsv("input_traces_hh.csv"), 1), Dimension.Current),
                new Traces(Rows(reference.ReadCsv("output_traces_hh.csv"), 1e-3), Volt));
    }

    private static readonly Dimension Volt = UnitRegistry.TryParseDimension("volt", out var d) ? d : throw new InvalidOperationException();

    internal static readonly IReadOnlyDictionary<string, (double, double)> Bounds = new Dictionary<string, (double, double)>
    {
        ["gl"] = (2e-12, 200e-9),
        ["g_na"] = (200e-9, 0.4e-3),
        ["g_kd"] = (200e-9, 200e-6),
    };

    internal static TraceFitter Fitter(int samples = 100, bool log = true)
    {
        var (input, recorded) = Data();
        return new TraceFitter(Tutorial(), new Dictionary<string, Traces> { ["I"] = input }, new Dictionary<string, Traces> { ["v"] = recorded },
            new FitterSettings { Dt = 1e-5, NSamples = samples, Method = "exponential_euler", ParamInit = new Dictionary<string, string> { ["v"] = "-65*mV" }, LogScale = log });
    }

    [Fact]
    public void TheTutorialFitComesNearTheTutorialsErrorInTenRounds()
    {
        using var fitter = Fitter();
        var errors = new List<double>();
        for (ulong seed = 1; seed <= 5; seed++)
        {
            var result = fitter.Fit(OptimizerFactory.Create("DE"), new MSEMetric(), 10, Bounds, restart: true, seed: seed);
            output.WriteLine($"seed {seed}: {result.BestError:E3} V^2 at {string.Join(", ", result.BestParams.Select(p => $"{p.Key}={p.Value:E3}"))}");
            Assert.Equal(10, result.Rounds);
            Assert.Equal(1000, fitter.Results.Count);
            errors.Add(result.BestError);
        }
        errors.Sort();
        // Issue 12's acceptance: a median at least as low as the tutorial's printed 1.81e-6 V^2 (one nevergrad run).
        // Measured (2026-12-02, DE F = 0.6, CR = 0.9): 1.11e-6 to 2.91e-6, median 1.53e-6 V^2; the noise in the data
        // alone is 1.0e-6 V^2 (docs/fitting.md).
        Assert.True(errors[2] <= 1.81e-6, $"median error {errors[2]:E3} V^2");
        Assert.True(errors[0] <= 1.3e-6, $"best error {errors[0]:E3} V^2");
    }

    [Fact]
    public void RefineLowersTheErrorOfTheFit()
    {
        using var fitter = Fitter();
        var fit = fitter.Fit(OptimizerFactory.Create("DE"), new MSEMetric(), 10, Bounds, seed: 1);
        var refined = fitter.Refine();
        output.WriteLine($"DE {fit.BestError:E3} -> refined {refined.Error:E3} V^2 at {string.Join(", ", refined.Parameters.Select(p => $"{p.Key}={p.Value:E3}"))}");
        Assert.True(refined.Error < 0.8 * fit.BestError, $"refine: {fit.BestError:E3} -> {refined.Error:E3}");
        Assert.All(refined.Parameters, p => Assert.InRange(p.Value, Bounds[p.Key].Item1, Bounds[p.Key].Item2));
        Assert.Contains("no fit has run yet", Assert.Throws<FitException>(() => Fitter(samples: 2).Refine()).Message);
    }

    [Fact]
    public void TheNativeErrorIsTheMeanSquaredErrorOfTheGeneratedTraces()
    {
        using var fitter = Fitter(samples: 10);
        var (_, recorded) = Data();
        var metric = new MSEMetric(tStart: 2e-3);
        fitter.Fit(OptimizerFactory.Create("DE"), metric, 2, Bounds, seed: 3);
        var best = fitter.Best!;
        var traces = fitter.GenerateTraces();
        double expected = metric.PerTrace(traces, recorded, 1e-5).Average();
        Assert.Equal(expected, best.Error, expected * 1e-12);
        // The same error through recorded traces: t_weights of 0 before 2 ms and 1 after (normalized to mean 1, so the
        // weighted mean over all samples equals the plain mean from 2 ms on).
        using var weighted = Fitter(samples: 10);
        var weights = Enumerable.Range(0, recorded.Samples).Select(k => k >= 200 ? 1.0 : 0.0).ToArray();
        var viaTraces = weighted.Fit(OptimizerFactory.Create("DE"), new MSEMetric(timeWeights: weights), 2, Bounds, seed: 3);
        Assert.Equal(best.Error, viaTraces.BestError, best.Error * 1e-9);
    }

    [Fact]
    public void AContinuedFitKeepsItsOptimizerAndAnotherNeedsARestart()
    {
        using var fitter = Fitter(samples: 10);
        var de = OptimizerFactory.Create("DE");
        var metric = new MSEMetric();
        fitter.Fit(de, metric, 2, Bounds, seed: 1);
        var more = fitter.Fit(de, metric, 2, Bounds);
        Assert.Equal(4, more.Rounds);
        Assert.Equal(40, fitter.Results.Count);
        var e = Assert.Throws<FitException>(() => fitter.Fit(OptimizerFactory.Create("DE"), metric, 1, Bounds));
        Assert.Contains("restart", e.Message);
    }

    [Fact]
    public void BadInputIsAClearError()
    {
        var (input, recorded) = Data();
        FitException Build(ModelDefinition model, Traces i, Traces o) => Assert.Throws<FitException>(() =>
            new TraceFitter(model, new Dictionary<string, Traces> { ["I"] = i }, new Dictionary<string, Traces> { ["v"] = o },
                new FitterSettings { Dt = 1e-5, NSamples = 4 }).Dispose());
        Assert.Contains("the model defines 'I'", Build(Tutorial() with { Equations = Model + "\nI : amp\n" }, input, recorded).Message);
        Assert.Contains("has 5 traces but output.v has 4", Build(Tutorial(), input, recorded with { Rows = recorded.Rows.Take(4).ToList() }).Message);
        var nan = recorded.Rows.Select(r => (double[])r.Clone()).ToList();
        nan[3][17] = double.NaN;
        Assert.Contains("output.v: trace 3, sample 17 is NaN", Build(Tutorial(), input, recorded with { Rows = nan }).Message);
        Assert.Contains("output.v: the traces are in amp but 'v' is in volt", Build(Tutorial(), input, recorded with { Unit = Dimension.Current }).Message);

        using var fitter = Fitter(samples: 4);
        var bad = new Dictionary<string, (double, double)> { ["gl"] = (1e-8, 1e-9) };
        Assert.Contains("bounds.gl: [1E-08, 1E-09] must be finite with lower < upper", Assert.Throws<FitException>(() =>
            fitter.Fit(OptimizerFactory.Create("DE"), new MSEMetric(), 1, bad)).Message);
        var unknown = new Dictionary<string, (double, double)> { ["El"] = (-0.07, -0.06) };
        Assert.Contains("bounds.El: not a constant parameter of the model", Assert.Throws<FitException>(() =>
            fitter.Fit(OptimizerFactory.Create("DE"), new MSEMetric(), 1, unknown, restart: true)).Message);
        Assert.Contains("no fit has run yet", Assert.Throws<FitException>(() => Fitter(samples: 2).GenerateTraces()).Message);
    }
}
