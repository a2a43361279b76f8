using NeuroNative.Synapses;
using Xunit;

namespace NeuroNative.Tests.Synapses;

/// <summary>The library synapses against their closed forms under a voltage clamp at −70 mV (the membrane barely moves:
/// 70 pA through rs = 10 kΩ is 0.7 µV), so i_syn(t) = g(t)·(v − e) with v ≈ −70 mV.</summary>
public sealed class LibraryModelTests
{
    private const double Dt = 25e-6, Tstart = 0.02, W = 1e-9, Drive = -0.07;
    private static readonly SynapseSettings Settings = new() { Tstart = Tstart, Tdur = 0.2, Dt = Dt, Weight = W, Backend = Backend.Interpreted };

    private static SynapseTraces Single(ModelPart synapse, IReadOnlyDictionary<string, double>? p = null)
    {
        using var tuner = new SynapseTuner(SynapseLibrary.PassiveSoma(), synapse, Settings, new VoltageClamp());
        return tuner.SingleEvent(p is null ? null : [p])[0].Traces;
    }

    /// <summary>The largest |i_syn − expected| over the record, relative to the expected peak.</summary>
    private static double Error(SynapseTraces t, Func<double, double> conductance)
    {
        double worst = 0, peak = 0;
        for (int k = 0; k < t.V.Length; k++)
        {
            double s = k * Dt - Tstart; // the jump is in the state at Tstart
            double expected = s < 0 ? 0 : conductance(s) * (t.V[k] - 0);
            worst = Math.Max(worst, Math.Abs(t.SynapticCurrent[k] - expected));
            peak = Math.Max(peak, Math.Abs(expected));
        }
        return worst / peak;
    }

    [Fact]
    public void Exp2SynPeaksAtTheWeight()
    {
        double tau1 = 0.5e-3, tau2 = 5e-3, tp = tau1 * tau2 / (tau2 - tau1) * Math.Log(tau2 / tau1);
        double factor = 1 / (Math.Exp(-tp / tau2) - Math.Exp(-tp / tau1));
        Assert.True(Error(Single(SynapseLibrary.Exp2Syn()), s => W * factor * (Math.Exp(-s / tau2) - Math.Exp(-s / tau1))) < 1e-9);
        Assert.Equal(1, factor * (Math.Exp(-tp / tau2) - Math.Exp(-tp / tau1)), 14);
    }

    [Fact]
    public void AlphaIsWTimesTOverTauTimesExpOneMinusTOverTau()
    {
        const double tau = 2e-3;
        // exponential Euler freezes x over each step of g's equation: an error of about dt/(2 tau) = 0.6 % of the peak
        Assert.True(Error(Single(SynapseLibrary.Alpha()), s => W * s / tau * Math.Exp(1 - s / tau)) < 1e-2);
    }

    [Fact]
    public void NmdaIsBlockedByMagnesiumAtRest()
    {
        double tau1 = 2e-3, tau2 = 65e-3, tp = tau1 * tau2 / (tau2 - tau1) * Math.Log(tau2 / tau1);
        double factor = 1 / (Math.Exp(-tp / tau2) - Math.Exp(-tp / tau1));
        var t = Single(SynapseLibrary.Nmda());
        double block = 1 / (1 + Math.Exp(0.062 * 70) * 1 / 3.57); // Jahr & Stevens at −70 mV, 1 mM
        Assert.True(Error(t, s => W * block * factor * (Math.Exp(-s / tau2) - Math.Exp(-s / tau1))) < 1e-5);
        // no magnesium: the full conductance
        var free = Single(SynapseLibrary.Nmda(), new Dictionary<string, double> { ["mg"] = 0 });
        Assert.True(Error(free, s => W * factor * (Math.Exp(-s / tau2) - Math.Exp(-s / tau1))) < 1e-9);
    }

    [Fact]
    public void AmpaNmdaIsTheSumWithOneRelease()
    {
        var p = new Dictionary<string, double> { ["mg"] = 0, ["nmda_ratio"] = 0.5 };
        double Exp2(double s, double tau1, double tau2)
        {
            double tp = tau1 * tau2 / (tau2 - tau1) * Math.Log(tau2 / tau1);
            return (Math.Exp(-s / tau2) - Math.Exp(-s / tau1)) / (Math.Exp(-tp / tau2) - Math.Exp(-tp / tau1));
        }
        // the first event releases U = 0.5 of each
        var t = Single(SynapseLibrary.AmpaNmda(), p);
        Assert.True(Error(t, s => 0.5 * W * (Exp2(s, 0.5e-3, 5e-3) + 0.5 * Exp2(s, 2e-3, 65e-3))) < 1e-9);
        using var tuner = new SynapseTuner(SynapseLibrary.PassiveSoma(), SynapseLibrary.AmpaNmda(), Settings, new VoltageClamp());
        Assert.True(tuner.Train(20, 0.25, [p])[0].Properties.Ppr < 1, "U = 0.5 without facilitation depresses");
    }
}
