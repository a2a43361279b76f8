using NeuroNative.Models;
using Xunit;

namespace NeuroNative.Tests.Simulation;

/// <summary>Faults are errors with clear messages, never crashes; what was computed stays readable.</summary>
public class NativeFaultTests
{
    private static ModelDefinition Lif => new("dv/dt = (El - v)/tau : volt\nI : amp")
    {
        Namespace = new Dictionary<string, NamespaceValue> { ["El"] = "-70*mV", ["tau"] = "10*ms" },
        Threshold = "v > -50*mV",
        Reset = "v = El",
    };

    [Fact]
    public void WrongArraySizeIsAnArgumentError()
    {
        using var group = new NeuronGroup(10, Lif);
        var error = Assert.Throws<ArgumentException>(() => group.Set("v", new double[3]));
        Assert.Contains("10 values", error.Message);
    }

    [Fact]
    public void UnknownVariableNamesTheClosestOne()
    {
        using var group = new NeuronGroup(10, Lif);
        var error = Assert.Throws<ArgumentException>(() => group.Set("vv", 0.0));
        Assert.Contains("no variable 'vv' (did you mean 'v'?)", error.Message);
        Assert.Throws<ModelException>(() => group.Record(["nope"]));
    }

    [Fact]
    public void InitialValueExpressionIsUnitChecked()
    {
        using var group = new NeuronGroup(10, Lif);
        var error = Assert.Throws<ModelException>(() => group.Set("v", "5*nA"));
        Assert.Contains("amp", error.Message);
        group.Set("v", "El + i*mV");
        Assert.Equal(-0.061, group.Get("v")[9], 12);
    }

    [Fact]
    public void ClosedGroupIsRefused()
    {
        var group = new NeuronGroup(10, Lif);
        group.Dispose();
        Assert.Throws<ObjectDisposedException>(() => group.Run(0.001));
        Assert.Throws<ObjectDisposedException>(() => group.Get("v"));
    }

    [Fact]
    public void NaNInAStateVariableIsReportedWithNeuronAndTimeAndRecordsAreKept()
    {
        // v explodes to infinity for the neuron that starts highest; the others stay finite.
        var model = new ModelDefinition("dv/dt = v**2/second : 1") { Method = "euler" };
        using var group = new NeuronGroup(4, model, new SimulationOptions { Dt = 1e-3 });
        group.Set("v", [0.0, 0.1, 0.2, 100.0]);
        var monitor = group.Record(["v"]);
        var error = Assert.Throws<SimulationDivergedException>(() => group.Run(1.0));
        Assert.Contains("'v'", error.Message);
        Assert.Contains("neuron 3", error.Message);
        Assert.Contains("t = ", error.Message);
        var trace = monitor["v"];
        Assert.True(trace.Times.Length > 0, "samples before the failure are kept");
        Assert.All(trace.Values[0], x => Assert.True(double.IsFinite(x)));
        Assert.Throws<InvalidOperationException>(() => group.Run(0.001));
    }

    [Fact]
    public void CancellationStopsAtAStepBoundaryAndTheRunCanContinue()
    {
        using var group = new NeuronGroup(1000, Lif);
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress(p => { if (p.Done > 0) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => group.Run(10.0, progress, cts.Token));
        long stopped = group.Step;
        Assert.InRange(stopped, 1, 99_999);
        group.Run(0.01);
        Assert.Equal(stopped + 100, group.Step);
    }

    [Fact]
    public void BadModelIsAModelExceptionBeforeAnythingNative()
    {
        Assert.Throws<ModelException>(() => new NeuronGroup(10, Lif with { Threshold = "v > -50" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NeuronGroup(0, Lif));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NeuronGroup(10, Lif, new SimulationOptions { Dt = -1 }));
    }

    /// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts asynchronously).</summary>
    private sealed class SynchronousProgress(Action<(long Done, long Total)> report) : IProgress<(long Done, long Total)>
    {
        public void Report((long Done, long Total) value) => report(value);
    }
}
