using NeuroNative.Fitting;
using NeuroNative.Fitting.Optimizers;
using NeuroNative.Models;
using NeuroNative.Models.Units;
using Xunit;
using Xunit.Abstractions;

namespace NeuroNative.Tests.Fitting;

/// <summary>SpikeFitter recovers the parameters of an adapting integrate-and-fire neuron from the spike trains our
/// engine generated with known parameters (current steps of three amplitudes).</summary>
public class SpikeFitterTests(ITestOutputHelper output)
{
    private const double Dt = 1e-4;
    internal static readonly Dictionary<string, double> Truth = new() { ["gL"] = 10e-9, ["b"] = 60e-12 };
    internal static readonly IReadOnlyDictionary<string, (double, double)> Bounds = new Dictionary<string, (double, double)>
    {
        ["gL"] = (2e-9, 40e-9),
        ["b"] = (0, 300e-12),
    };

    internal static ModelDefinition Model() => new("""
        dv/dt = (gL*(EL - v) + I - w)/C : volt
        dw/dt = -w/tau_w : amp
        gL : siemens (constant)
        b : amp (constant)
        """)
    {
        Namespace = new Dictionary<string, NamespaceValue> { ["EL"] = "-70*mV", ["C"] = "200*pF", ["tau_w"] = "100*ms" },
        Threshold = "v > -50*mV",
        Reset = "v = -70*mV; w += b",
    };

    /// <summary>0 for 50 ms, a step of 0.3, 0.45 or 0.6 nA to 450 ms, 0 to 500 ms.</summary>
    internal static Traces Steps() => new([.. new[] { 0.3e-9, 0.45e-9, 0.6e-9 }.Select(a =>
        Enumerable.Range(0, 5000).Select(k => k >= 500 && k < 4500 ? a : 0).ToArray())], Dimension.Current);

    internal static FitterSettings Settings(int samples) => new()
    {
        Dt = Dt, NSamples = samples, Method = "euler", ParamInit = new Dictionary<string, string> { ["v"] = "-70*mV" }, Threads = 1,
    };

    private static IReadOnlyList<double[]> Data()
    {
        using var generator = new SpikeFitter(Model(), new Dictionary<string, Traces> { ["I"] = Steps() }, [[], [], []], Settings(1));
        return generator.GenerateSpikes(Truth);
    }

    [Fact]
    public void TheParametersOfAnAdaptingNeuronAreRecoveredFromItsSpikes()
    {
        var data = Data();
        output.WriteLine($"data: {string.Join(", ", data.Select(t => t.Length))} spikes");
        Assert.All(data, t => Assert.InRange(t.Length, 5, 60));
        using var fitter = new SpikeFitter(Model(), new Dictionary<string, Traces> { ["I"] = Steps() }, data, Settings(40));
        var result = fitter.Fit(OptimizerFactory.Create("DE"), new GammaFactor(delta: 1e-3, time: 0.5), 30, Bounds, seed: 2);
        output.WriteLine($"error {result.BestError:G4} at {string.Join(", ", result.BestParams.Select(p => $"{p.Key}={p.Value:E4} ({p.Value / Truth[p.Key] - 1:P2})"))}");
        Assert.True(result.BestError < 0.05, $"best error {result.BestError}");
        foreach (var (name, value) in result.BestParams) Assert.InRange(value / Truth[name], 0.97, 1.03);
        Assert.Equal(1200, fitter.Results.Count);
        // The best parameters' spikes are the data's within delta.
        var best = fitter.GenerateSpikes();
        Assert.Equal(data.Select(t => t.Length), best.Select(t => t.Length));
    }

    [Fact]
    public void BadSpikeDataAndDeltaAreClearErrors()
    {
        var input = new Dictionary<string, Traces> { ["I"] = Steps() };
        Assert.Contains("input has 3 traces but output.spikes has 2 spike trains",
            Assert.Throws<FitException>(() => new SpikeFitter(Model(), input, [[0.1], [0.2]], Settings(4))).Message);
        Assert.Contains("output.spikes: train 1, spike 1 (0.1 s) is not after spike 0 (0.2 s)",
            Assert.Throws<FitException>(() => new SpikeFitter(Model(), input, [[0.1], [0.2, 0.1], [0.3]], Settings(4))).Message);
        Assert.Contains("threshold: the model has no threshold", Assert.Throws<FitException>(() =>
            new SpikeFitter(Model() with { Threshold = null, Reset = null }, input, [[0.1], [0.2], [0.3]], Settings(4))).Message);
        using var fitter = new SpikeFitter(Model(), input, [[0.1, 0.2], [0.2, 0.2015], [0.3]], Settings(4));
        Assert.Contains("metric.delta: 2 ms is not below the smallest interspike interval of the data (1.5", Assert.Throws<FitException>(() =>
            fitter.Fit(OptimizerFactory.Create("DE"), new GammaFactor(2e-3, 0.5), 1, Bounds)).Message);
        Assert.Contains("no fit has run yet", Assert.Throws<FitException>(() => fitter.GenerateSpikes()).Message);
        using var silent = new SpikeFitter(Model(), input, [[0.1], [], [0.3]], Settings(4));
        Assert.Contains("output.spikes: train 1 has no spikes", Assert.Throws<FitException>(() =>
            silent.Fit(OptimizerFactory.Create("DE"), null, 1, Bounds)).Message);
    }
}
