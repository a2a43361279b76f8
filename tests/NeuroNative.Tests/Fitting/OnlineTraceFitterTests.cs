using NeuroNative.Fitting;
using NeuroNative.Fitting.Optimizers;
using NeuroNative.Models;
using NeuroNative.Models.Units;
using Xunit;

namespace NeuroNative.Tests.Fitting;

/// <summary>OnlineTraceFitter on the HH tutorial against TraceFitter with the recorded traces (MSEMetric with t_weights
/// that select the samples from t_start on: the error computed from the traces in managed code).</summary>
public class OnlineTraceFitterTests
{
    [Fact]
    public void TheOnlineErrorFindsTheSameOptimumAsTheTraceFitter()
    {
        var (input, recorded) = TraceFitterTests.Data();
        using var online = new OnlineTraceFitter(TraceFitterTests.Tutorial(), new Dictionary<string, Traces> { ["I"] = input },
            new Dictionary<string, Traces> { ["v"] = recorded },
            new FitterSettings { Dt = 1e-5, NSamples = 10, Method = "exponential_euler", ParamInit = new Dictionary<string, string> { ["v"] = "-65*mV" } },
            tStart: 1e-3);
        var fromOnline = online.Fit(OptimizerFactory.Create("DE"), 4, TraceFitterTests.Bounds, seed: 7);
        using var traces = TraceFitterTests.Fitter(samples: 10);
        var weights = Enumerable.Range(0, recorded.Samples).Select(k => k >= 100 ? 1.0 : 0.0).ToArray();
        var fromTraces = traces.Fit(OptimizerFactory.Create("DE"), new MSEMetric(timeWeights: weights), 4, TraceFitterTests.Bounds, seed: 7);
        Assert.Equal(40, online.Results.Count);
        for (int k = 0; k < 40; k++)
        {
            Assert.Equal(traces.Results[k].Parameters, online.Results[k].Parameters);
            Assert.Equal(traces.Results[k].Error, online.Results[k].Error, traces.Results[k].Error * 1e-9);
        }
        Assert.Equal(fromTraces.BestParams, fromOnline.BestParams);
        Assert.Contains("fits one output variable", Assert.Throws<FitException>(() => new OnlineTraceFitter(TraceFitterTests.Tutorial(),
            new Dictionary<string, Traces> { ["I"] = input }, new Dictionary<string, Traces> { ["v"] = recorded, ["m"] = recorded },
            new FitterSettings { Dt = 1e-5, NSamples = 2 })).Message);
    }

    /// <summary>The managed memory a fit allocates does not grow with the traces' length: no trace is recorded (a
    /// recorded metric would copy n_samples × n_traces × samples doubles, 16 MB for the long traces here).</summary>
    [Fact]
    public void TheMemoryOfAFitDoesNotGrowWithTheTraceLength()
    {
        var volt = UnitRegistry.TryParseDimension("volt", out var d) ? d : throw new InvalidOperationException();
        long Allocated(int samples)
        {
            var model = new ModelDefinition("dv/dt = (R*I - v)/(10*ms) : volt\nR : ohm (constant)") { Method = "exact" };
            var input = new Traces([Enumerable.Repeat(1e-9, samples).ToArray(), Enumerable.Repeat(2e-9, samples).ToArray()], Dimension.Current);
            var output = new Traces([new double[samples], new double[samples]], volt);
            using var fitter = new OnlineTraceFitter(model, new Dictionary<string, Traces> { ["I"] = input }, new Dictionary<string, Traces> { ["v"] = output },
                new FitterSettings { Dt = 1e-4, NSamples = 50, Threads = 1 });
            var bounds = new Dictionary<string, (double, double)> { ["R"] = (1e6, 1e8) };
            var de = OptimizerFactory.Create("DE");
            fitter.Fit(de, 1, bounds);
            long before = GC.GetAllocatedBytesForCurrentThread();
            fitter.Fit(de, 3, bounds);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        long small = Allocated(1_000), large = Allocated(20_000);
        Assert.True(large < 2 * small + 100_000, $"{small} bytes for 1000 samples, {large} for 20000");
    }
}
