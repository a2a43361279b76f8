using NeuroNative.Fitting;
using NeuroNative.Fitting.Optimizers;
using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using Xunit;
using Xunit.Abstractions;

namespace NeuroNative.Tests.Fitting;

/// <summary>Forward sensitivity equations (Models/Analysis/Sensitivities.cs) against closed forms and against central
/// finite differences of the discrete simulation, and Refine with their gradient.</summary>
public class SensitivityTests(ITestOutputHelper output)
{
    private static readonly string[] Fitted = ["gl", "g_na", "g_kd"];

    /// <summary>dv/dt = (E - v)/tau from v = 0: v = E(1 - e^{-t/tau}), ∂v/∂E = 1 - e^{-t/tau}, ∂v/∂tau = -E t/tau² e^{-t/tau}.
    /// Exponential Euler is exact on this equation, so the derivative of its discrete trace is the closed form's.</summary>
    [Theory]
    [InlineData("exponential_euler", 1e-12)]
    [InlineData("rk4", 1e-9)]
    public void TheSensitivitiesOfARelaxationAreTheClosedForm(string method, double tolerance)
    {
        var model = new ModelDefinition("""
            dv/dt = (E - v)/tau : volt
            dw/dt = -w/tau_w : 1
            E : volt (constant)
            tau : second (constant)
            tau_w : second (constant)
            """) { Method = method };
        using var compiled = CompiledModel.Compile(model, new CompileOptions { Dt = 1e-4 });
        var system = Sensitivities.Augment(compiled.Program, ["E", "tau", "tau_w"]);
        // w depends on tau_w only and v not on it: the other three are pruned.
        Assert.Equal(["S_v_E", "S_v_tau", "S_w_tau_w"], system.Variables.Select(v => v.Name).Order());
        Assert.Null(system.NameOf("w", "E"));

        double e = -0.07, tau = 0.01;
        var (v, sv) = Run(system, [("E", e), ("tau", tau), ("tau_w", 0.02)], 400, 1e-4, "v", ["S_v_E", "S_v_tau"]);
        for (int k = 0; k < 400; k++)
        {
            double t = k * 1e-4, decay = Math.Exp(-t / tau);
            Assert.Equal(e * (1 - decay), v[k], tolerance * 0.1);
            Assert.Equal(1 - decay, sv[0][k], tolerance);
            Assert.Equal(-e * t / (tau * tau) * decay, sv[1][k], tolerance * 10);
        }
    }

    /// <summary>One neuron of the augmented model: the trace of <paramref name="output"/> and of the named sensitivities.</summary>
    private static (double[] Trace, double[][] Sensitivities) Run(SensitivitySystem system, (string, double)[] parameters, int steps, double dt,
        string output, string[] names, IReadOnlyDictionary<string, string>? init = null)
    {
        using var compiled = CompiledModel.Compile(system.Program, new CompileOptions { Dt = dt });
        using var group = compiled.CreateGroup(1, new GroupOptions { Dt = dt });
        var monitor = group.Record([output, .. names]);
        foreach (var (name, value) in parameters) group.Set(name, value);
        foreach (var (variable, expression) in init ?? new Dictionary<string, string>()) group.Set(variable, expression);
        group.RunSteps(steps);
        return (monitor.Get(output).Values[0], [.. names.Select(n => monitor.Get(n).Values[0])]);
    }

    /// <summary>The HH tutorial model on its five input traces: the trace's derivative in each conductance from the
    /// sensitivities against central finite differences of the simulated traces, for exponential Euler (the tutorial's
    /// method) and rk4.</summary>
    [Theory]
    [InlineData("exponential_euler")]
    [InlineData("rk4")]
    public void TheHodgkinHuxleyGradientIsTheFiniteDifferenceOfTheSimulation(string method)
    {
        var (input, _) = TraceFitterTests.Data();
        using var simulator = new BatchedTraceSimulator(TraceFitterTests.Tutorial(), new Dictionary<string, Traces> { ["I"] = input },
            new SimulationSettings { Dt = 1e-5, Method = method, ParamInit = new Dictionary<string, string> { ["v"] = "-65*mV" } });
        int traces = input.Count, steps = input.Samples;
        // Near the generating parameters, where the traces spike (hh_fitting_tutorial/case.md).
        double[] point = [1.2e-8, 2.2e-5, 5.5e-6];
        using var sensitivities = new TraceSensitivities(simulator, Fitted, ["v"]);
        Assert.Equal(12, sensitivities.System.Variables.Count); // v, m, n, h each depend on every conductance: nothing pruned
        var derivatives = sensitivities.Run(point).Derivatives["v"];

        using var batch = simulator.CreateBatch(1, new BatchRecording { Traces = ["v"] });
        double[][] Simulate(double[] at) => batch.Run(Fitted, [at]).Traces["v"];
        for (int k = 0; k < Fitted.Length; k++)
        {
            double h = point[k] * 1e-6;
            double[] plus = [.. point], minus = [.. point];
            plus[k] += h;
            minus[k] -= h;
            double[][] up = Simulate(plus), down = Simulate(minus);
            double difference = 0, norm = 0;
            for (int r = 0; r < traces; r++)
                for (int j = 0; j < steps; j++)
                {
                    double fd = (up[r][j] - down[r][j]) / (2 * h);
                    difference += Math.Pow(derivatives[k]![r][j] - fd, 2);
                    norm += fd * fd;
                }
            double relative = Math.Sqrt(difference / norm);
            output.WriteLine($"{method} d v/d {Fitted[k]}: |S - FD| / |FD| = {relative:E2}");
            Assert.True(relative < 1e-5, $"{Fitted[k]}: relative difference {relative:E2}");
        }
        int spiking = Simulate(point).Count(row => row.Max() > 0);
        Assert.True(spiking >= 3, $"only {spiking} traces spike; the check would not cover spikes");
    }

    /// <summary>A LIF neuron with a reset: S of v becomes the derivative of the reset value (0 for a constant), so between
    /// the spikes the sensitivity is the finite difference of the simulation where no spike moves a step.</summary>
    [Fact]
    public void AcrossAResetTheSensitivityIsThatOfTheResetValue()
    {
        var model = new ModelDefinition("""
            dv/dt = (I_e - v)/tau : volt
            I_e : volt (constant)
            tau : second (constant)
            """) { Method = "exponential_euler", Threshold = "v > -50*mV", Reset = "v = -70*mV" };
        using var compiled = CompiledModel.Compile(model, new CompileOptions { Dt = 1e-4 });
        var system = Sensitivities.Augment(compiled.Program, ["I_e", "tau"]);
        var (trace, sensitivity) = Run(system, [("I_e", -0.04), ("tau", 0.01)], 1000, 1e-4, "v", ["S_v_I_e"],
            new Dictionary<string, string> { ["v"] = "-70*mV" });
        // The closed form between spikes: v = I_e + (v0 - I_e) e^{-(t - t0)/tau} with v0 = -70 mV after the reset at t0.
        int resets = 0;
        double t0 = 0;
        for (int k = 1; k < 1000; k++)
        {
            if (trace[k] < trace[k - 1]) { resets++; t0 = k * 1e-4; }
            double decay = Math.Exp(-(k * 1e-4 - t0) / 0.01);
            Assert.Equal(1 - decay, sensitivity[0][k], 1e-9);
        }
        Assert.True(resets >= 3, $"{resets} resets");
    }

    [Fact]
    public void WhatCannotBeDifferentiatedIsRefusedByName()
    {
        var noisy = new ModelDefinition("""
            dv/dt = -v/tau + sigma*xi*tau**-0.5 : volt
            tau : second (constant)
            sigma : volt (constant)
            """) { Method = "euler" };
        using var compiled = CompiledModel.Compile(noisy, new CompileOptions { Dt = 1e-4 });
        Assert.Contains("noise", Assert.Throws<ArgumentException>(() => Sensitivities.Augment(compiled.Program, ["tau"])).Message);
        var plain = new ModelDefinition("""
            dv/dt = -v/tau : volt
            tau : second (constant)
            """);
        using var lif = CompiledModel.Compile(plain, new CompileOptions { Dt = 1e-4 });
        Assert.Contains("'tauu' is not a per-neuron parameter", Assert.Throws<ArgumentException>(() => Sensitivities.Augment(lif.Program, ["tauu"])).Message);
        var relaxation = new ModelDefinition("""
            dv/dt = (u - v)/tau : volt
            s = v/tau : volt/second
            tau : second (constant)
            """);
        Traces Input(double value) => new([Enumerable.Repeat(value, 10).ToArray()], TraceFitterTests.Data().Output.Unit);
        using var simulator = new BatchedTraceSimulator(relaxation, new Dictionary<string, Traces> { ["u"] = Input(-0.06) },
            new SimulationSettings { Dt = 1e-4, ParamInit = new Dictionary<string, string> { ["v"] = "tau*volt/second" } });
        Assert.Contains("depends on the fitted parameter 'tau'", Assert.Throws<FitException>(() => new TraceSensitivities(simulator, ["tau"], ["v"])).Message);
        Assert.Contains("'s' to be a state variable", Assert.Throws<FitException>(() => new TraceSensitivities(simulator, ["tau"], ["s"])).Message);
    }

    /// <summary>Refine with the sensitivities' Jacobian reaches the error of the finite-difference Refine (the noise floor of
    /// the tutorial's data) from the same DE fit.</summary>
    [Fact]
    public void RefineWithGradientReachesTheErrorOfTheNumericalRefine()
    {
        using var fitter = TraceFitterTests.Fitter(samples: 30);
        var fit = fitter.Fit(OptimizerFactory.Create("DE"), new MSEMetric(), 5, TraceFitterTests.Bounds, seed: 2);
        var numerical = fitter.Refine();
        var exact = fitter.Refine(gradient: true);
        output.WriteLine($"DE {fit.BestError:E3}; refined numerically {numerical.Error:E3}, with gradient {exact.Error:E3} V^2");
        Assert.True(exact.Error < 0.8 * fit.BestError, $"refine: {fit.BestError:E3} -> {exact.Error:E3}");
        Assert.True(exact.Error <= numerical.Error * 1.02, $"gradient {exact.Error:E3} vs numerical {numerical.Error:E3}");
        Assert.All(exact.Parameters, p => Assert.InRange(p.Value, TraceFitterTests.Bounds[p.Key].Item1, TraceFitterTests.Bounds[p.Key].Item2));
    }
    /// <summary>Two outputs (v from 1 ms, normalized by 1 mV, and the gate n) of traces our engine made with known
    /// conductances: Refine with the gradient, from 20 % off, recovers them (the residuals' layout, t_start and
    /// normalization in the Jacobian match the residuals').</summary>
    [Fact]
    public void RefineWithGradientRecoversTheParametersOfTwoOutputs()
    {
        var (input, _) = TraceFitterTests.Data();
        var inputs = new Dictionary<string, Traces> { ["I"] = input };
        var init = new Dictionary<string, string> { ["v"] = "-65*mV" };
        double[] truth = [1e-8, 2e-5, 6e-6];
        Dictionary<string, double[][]> made;
        using (var simulator = new BatchedTraceSimulator(TraceFitterTests.Tutorial(), inputs,
            new SimulationSettings { Dt = 1e-5, Method = "exponential_euler", ParamInit = init }))
        using (var batch = simulator.CreateBatch(1, new BatchRecording { Traces = ["v", "n"] }))
            made = new(batch.Run(Fitted, [truth]).Traces);
        var volt = TraceFitterTests.Data().Output.Unit;
        using var fitter = new TraceFitter(TraceFitterTests.Tutorial(), inputs,
            new Dictionary<string, Traces> { ["v"] = new(made["v"], volt), ["n"] = new(made["n"], NeuroNative.Models.Units.Dimension.Dimensionless) },
            new FitterSettings { Dt = 1e-5, NSamples = 4, Method = "exponential_euler", ParamInit = init });
        fitter.Fit(OptimizerFactory.Create("DE"), new Dictionary<string, ITraceMetric> { ["v"] = new MSEMetric(1e-3, null, 1e-3), ["n"] = new MSEMetric() },
            1, TraceFitterTests.Bounds);
        var start = Fitted.Select((p, k) => (p, truth[k] * (k == 1 ? 0.8 : 1.2))).ToDictionary(x => x.p, x => x.Item2);
        var refined = fitter.Refine(start, gradient: true);
        output.WriteLine($"error {refined.Error:E3} in {fitter.RefineSimulations} simulations at {string.Join(", ", refined.Parameters.Select(p => $"{p.Key}={p.Value:E6}"))}");
        for (int k = 0; k < Fitted.Length; k++) Assert.Equal(truth[k], refined.Parameters[Fitted[k]], truth[k] * 1e-6);
    }
}
