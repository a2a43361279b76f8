using NeuroNative.Fitting;
using NeuroNative.Models;
using NeuroNative.Models.Units;
using Xunit;

namespace NeuroNative.Tests.Fitting;

/// <summary>The batched simulator on a leaky integrator with constant input traces, against its analytic solution
/// v(t) = R·I·(1 − exp(−t/τ)) and the analytic firing period τ·ln(RI / (RI − θ)).</summary>
public class BatchedTraceSimulatorTests
{
    private const double Dt = 1e-4, Tau = 10e-3;
    private static readonly Dimension Volt = UnitRegistry.TryParseDimension("volt", out var d) ? d : throw new InvalidOperationException();

    private static BatchedTraceSimulator Simulator(string? threshold = null)
    {
        var model = new ModelDefinition("""
            dv/dt = (R*I - v)/tau : volt
            R : ohm (constant)
            probe = iteration + v_target/volt : 1
            """) { Namespace = new Dictionary<string, NamespaceValue> { ["tau"] = "10*ms" }, Method = "exact" };
        var input = new Traces([Enumerable.Repeat(1e-9, 500).ToArray(), Enumerable.Repeat(2e-9, 500).ToArray()], Dimension.Current);
        var target = new Traces([Enumerable.Range(0, 500).Select(k => k * 1e-6).ToArray(), new double[500]], Volt);
        return new BatchedTraceSimulator(model, new Dictionary<string, Traces> { ["I"] = input },
            new SimulationSettings { Dt = Dt, Threshold = threshold, Reset = threshold is null ? null : "v = 0*volt", Threads = 1 },
            new Dictionary<string, Traces> { ["v"] = target });
    }

    [Fact]
    public void EachNeuronIsOneSetOnOneTrace()
    {
        using var simulator = Simulator();
        using var batch = simulator.CreateBatch(3, new BatchRecording { Traces = ["v", "probe"], MeanSquaredError = new Dictionary<string, double> { ["v"] = 0 } });
        double[] resistances = [1e7, 2e7, 3e7];
        var result = batch.Run(["R"], [.. resistances.Select(r => new[] { r })], iteration: 7);
        var v = result.TracesOf("v");
        for (int s = 0; s < 3; s++)
            for (int r = 0; r < 2; r++)
                for (int k = 0; k < 500; k += 37)
                {
                    double expected = resistances[s] * (r + 1) * 1e-9 * (1 - Math.Exp(-k * Dt / Tau));
                    Assert.Equal(expected, v[s][r][k], 1e-12);
                }
        // probe = iteration + v_target: the target traces of the trace each neuron runs on.
        Assert.Equal(7 + 123e-6, result.TracesOf("probe")[2][0][123], 1e-12);
        Assert.Equal(7, result.TracesOf("probe")[1][1][123], 1e-12);
        // The native MSE is that of the recorded traces against the targets.
        var target = simulator.Targets["v"];
        for (int j = 0; j < 6; j++)
        {
            double mse = result.Traces["v"][j].Select((x, k) => Math.Pow(x - target.Rows[j % 2][k], 2)).Average();
            Assert.Equal(mse, result.MeanSquaredError["v"][j], mse * 1e-9);
        }
    }

    [Fact]
    public void SpikeTimesComeFromTheNativeReducer()
    {
        using var simulator = Simulator(threshold: "v > 15*mV");
        using var batch = simulator.CreateBatch(2, new BatchRecording { SpikeCapacity = 50 });
        double[] resistances = [2e7, 4e7];
        var spikes = batch.Run(["R"], [.. resistances.Select(r => new[] { r })]).SpikesPerSet();
        for (int s = 0; s < 2; s++)
            for (int r = 0; r < 2; r++)
            {
                double drive = resistances[s] * (r + 1) * 1e-9;
                double period = Tau * Math.Log(drive / (drive - 0.015));
                var train = spikes[s][r];
                Assert.NotEmpty(train);
                // Brian records a spike at the time of the step whose update crossed the threshold: one dt before the
                // first sample past the period.
                Assert.InRange(train[0], period - Dt * 1.0001, period);
                Assert.InRange(train.Length, (int)(0.05 / (period + Dt)) - 1, (int)(0.05 / period) + 1);
            }
    }

    [Fact]
    public void BadSetupsAreClearErrors()
    {
        var model = new ModelDefinition("dv/dt = (I*ohm - v)/(10*ms) : volt");
        var one = new Traces([new double[10]], Dimension.Current);
        var two = new Traces([new double[10], new double[10]], Volt);
        var e = Assert.Throws<FitException>(() => new BatchedTraceSimulator(model, new Dictionary<string, Traces> { ["I"] = one },
            new SimulationSettings { Dt = Dt }, new Dictionary<string, Traces> { ["v"] = two }));
        Assert.Contains("input.I has 1 traces but output.v has 2", e.Message);
        e = Assert.Throws<FitException>(() => new BatchedTraceSimulator(model, new Dictionary<string, Traces> { ["I"] = one },
            new SimulationSettings { Dt = Dt, ParamInit = new Dictionary<string, string> { ["u"] = "1*mV" } }));
        Assert.Contains("param_init.u: not a state variable or parameter", e.Message);
        using var simulator = Simulator();
        Assert.Contains("no threshold", Assert.Throws<FitException>(() => simulator.CreateBatch(1, new BatchRecording { SpikeCapacity = 4 })).Message);
    }
}
