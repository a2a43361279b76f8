using NeuroNative.Synapses;
using Xunit;

namespace NeuroNative.Tests.Synapses;

public sealed class GapAndOptimizerTests
{
    private static readonly SynapseSettings Settings = new() { Tstart = 0.05, Tdur = 0.3, Dt = 25e-6, Backend = Backend.Interpreted };

    /// <summary>Two passive cells of input conductance G = g_pas·area coupled by g: at steady state
    /// CC = ΔV2/ΔV1 = g/(G + g), ΔV1 = I(G + g)/(G(G + 2g)). tdur is 30 membrane time constants.</summary>
    [Fact]
    public void CouplingCoefficientIsTheAnalyticSteadyState()
    {
        double area = Math.PI * 20e-6 * 20e-6, G = 1.0 * area, I = 10e-12;
        double[] g = [0, 0.1e-9, 0.5e-9, 1e-9, 5e-9];
        using var tuner = new GapJunctionTuner(SynapseLibrary.PassiveSoma(), I, Settings);
        var result = tuner.Sweep(g);
        for (int i = 0; i < g.Length; i++)
        {
            Assert.Equal(g[i] / (G + g[i]), result.CouplingCoefficients[i], 9);
            double dv1 = I * (G + g[i]) / (G * (G + 2 * g[i]));
            Assert.True(Math.Abs(result.DeltaV1[i] / dv1 - 1) < 1e-9, $"dV1 {result.DeltaV1[i]} vs {dv1}");
        }
        // a cell twice as leaky: G doubles
        var leaky = tuner.Sweep([1e-9], new Dictionary<string, double> { ["g_pas"] = 2 });
        Assert.Equal(1e-9 / (2 * G + 1e-9), leaky.CouplingCoefficients[0], 9);
    }

    [Fact]
    public void GapJunctionOptimizerFindsTheConductanceOfATargetCc()
    {
        double G = Math.PI * 20e-6 * 20e-6;
        using var tuner = new GapJunctionTuner(SynapseLibrary.PassiveSoma(), 10e-12, Settings);
        var fit = GapJunctionOptimizer.Optimize(tuner, 0.2, 1e-12, 1e-7);
        Assert.Equal(0.2, fit.CouplingCoefficient, 5);
        Assert.True(Math.Abs(fit.Conductance / (0.2 * G / 0.8) - 1) < 1e-4, $"g {fit.Conductance}");
        Assert.Contains("outside", Assert.Throws<SynapseException>(() => GapJunctionOptimizer.Optimize(tuner, 0.2, 1e-12, 1e-11)).Message);
    }

    /// <summary>Targets made by a known parameter set (tau1, tau2) are found again from the middle of the bounds.</summary>
    [Fact]
    public void SynapseOptimizerRecoversRiseAndDecay()
    {
        var settings = Settings with { Tstart = 0.01, Tdur = 0.1 };
        using var tuner = new SynapseTuner(SynapseLibrary.PassiveSoma(), SynapseLibrary.Exp2Syn(), settings, new VoltageClamp());
        var truth = tuner.SingleEvent([new Dictionary<string, double> { ["tau1"] = 1e-3, ["tau2"] = 8e-3 }])[0].Properties;
        var result = SynapseOptimizer.Optimize(tuner,
            [new SynapseTarget("rise_time", truth.RiseTime), new SynapseTarget("decay_time", truth.DecayTime)],
            new Dictionary<string, (double, double)> { ["tau1"] = (0.2e-3, 2e-3), ["tau2"] = (3e-3, 20e-3) }, maxEvaluations: 150);
        Assert.True(result.Error < 1e-5, $"error {result.Error}");
        Assert.Equal(1e-3, result.Parameters["tau1"], 5);
        Assert.Equal(8e-3, result.Parameters["tau2"], 4);
        Assert.Equal(result.History.Min(h => h.Error), result.Error);
        Assert.All(result.History, h => Assert.InRange(h.Parameters["tau1"], 0.2e-3, 2e-3));
    }

    /// <summary>The same search with CMA-ES, each population one batched run of the tuner.</summary>
    [Fact]
    public void SynapseOptimizerRunsFittingOptimizersInBatches()
    {
        var settings = Settings with { Tstart = 0.01, Tdur = 0.1 };
        using var tuner = new SynapseTuner(SynapseLibrary.PassiveSoma(), SynapseLibrary.Exp2Syn(), settings, new VoltageClamp());
        var truth = tuner.SingleEvent([new Dictionary<string, double> { ["tau1"] = 1e-3, ["tau2"] = 8e-3 }])[0].Properties;
        var result = SynapseOptimizer.Optimize(tuner,
            [new SynapseTarget("rise_time", truth.RiseTime), new SynapseTarget("decay_time", truth.DecayTime)],
            new Dictionary<string, (double, double)> { ["tau1"] = (0.2e-3, 2e-3), ["tau2"] = (3e-3, 20e-3) },
            maxEvaluations: 400, method: "CMAES", populationSize: 10, seed: 3);
        Assert.Equal(400, result.History.Count);
        Assert.True(result.Error < 1e-4, $"error {result.Error}");
        Assert.Equal(1e-3, result.Parameters["tau1"], 4);
        Assert.Equal(8e-3, result.Parameters["tau2"], 4);
    }

    [Fact]
    public void BadInputIsRefusedClearly()
    {
        using var tuner = new SynapseTuner(SynapseLibrary.PassiveSoma(), SynapseLibrary.Exp2Syn(), Settings with { Tdur = 0.05 }, new VoltageClamp());
        var bounds = new Dictionary<string, (double, double)> { ["tau1"] = (1e-3, 1e-3) };
        Assert.Contains("lo 0.001 must be < hi", Assert.Throws<SynapseException>(() =>
            SynapseOptimizer.Optimize(tuner, [new SynapseTarget("amp", 1e-10)], bounds)).Message);
        Assert.Contains("no property 'amplitude'", Assert.Throws<SynapseException>(() =>
            SynapseOptimizer.Optimize(tuner, [new SynapseTarget("amplitude", 1e-10)], bounds)).Message);
        // no response: a zero weight leaves the clamp current at its baseline
        using var silent = new SynapseTuner(SynapseLibrary.PassiveSoma(), SynapseLibrary.Exp2Syn(), Settings with { Tdur = 0.05, Weight = 0 }, new VoltageClamp());
        Assert.Contains("no response", Assert.Throws<SynapseException>(() => silent.SingleEvent()).Message);
        Assert.Contains("no response", Assert.Throws<SynapseException>(() => silent.FrequencyResponse([20])).Message);
        // a clamp on a model without a membrane potential
        var noV = new ModelPart("rate", "dr/dt = -r/(10*ms) + i_syn/amp/second*0 + i_clamp/amp/second*0 : 1");
        Assert.Contains("membrane potential", Assert.Throws<ArgumentException>(() =>
            new SynapseTuner(noV, SynapseLibrary.Exp2Syn(), Settings, new VoltageClamp())).Message);
        Assert.Contains("tm_exp2syn", Assert.Throws<ArgumentException>(() => SynapseLibrary.Synapse("tm_exp2sin")).Message);
        Assert.Contains("tstart", Assert.Throws<SynapseException>(() =>
            new SynapseTuner(SynapseLibrary.PassiveSoma(), SynapseLibrary.Exp2Syn(), Settings with { Tstart = 0 })).Message);
    }

    /// <summary>bmtool's numbers: its half width counts its first index from the onset (istart) and its second from the
    /// event, so it is longer than the true one by istart samples; our default interpolates both crossings.</summary>
    [Fact]
    public void BmtoolCompatibleHalfWidthKeepsItsOffset()
    {
        var settings = Settings with { Tstart = 0.01, Tdur = 0.1 };
        using var ours = new SynapseTuner(SynapseLibrary.PassiveSoma(), SynapseLibrary.Exp2Syn(), settings, new VoltageClamp());
        using var bm = new SynapseTuner(SynapseLibrary.PassiveSoma(), SynapseLibrary.Exp2Syn(), settings with { BmtoolCompatible = true }, new VoltageClamp());
        var a = ours.SingleEvent()[0].Properties;
        var b = bm.SingleEvent()[0].Properties;
        Assert.Equal(a.Amplitude, b.Amplitude, 15);
        int istart = (int)Math.Round(b.Latency / settings.Dt) - 1;
        Assert.True(istart >= 1);
        Assert.InRange(b.HalfWidth - a.HalfWidth, (istart - 1) * settings.Dt, (istart + 1) * settings.Dt);
        Assert.Equal(a.DecayTime, b.DecayTime, 4);
    }
}
