using MathNet.Numerics.RootFinding;

namespace NeuroNative.Synapses;

/// <summary>A coupling-coefficient sweep: CC[i] = ΔV2/ΔV1 at the end of the current step for Conductances[i] (siemens),
/// with the two cells' deflections.</summary>
public sealed record GapJunctionResult(IReadOnlyList<double> Conductances, IReadOnlyList<double> CouplingCoefficients,
    IReadOnlyList<double> DeltaV1, IReadOnlyList<double> DeltaV2);

/// <summary>
/// bmtool's GapJunctionTuner: two copies of a cell coupled by a gap junction (library <c>gap</c>), a current step of
/// <paramref name="iclampAmp"/> amperes into cell 1 from tstart for tdur; CC = ΔV2/ΔV1, each ΔV the potential at the
/// last sample of the step minus the mean over the baseline window before it (steady state when tdur is several
/// membrane time constants). Every conductance of a sweep is a neuron of one run.
/// </summary>
public sealed class GapJunctionTuner : IDisposable
{
    public GapJunctionTuner(ModelPart cell, double iclampAmp, SynapseSettings? settings = null, ModelPart? gap = null)
    {
        Settings = settings ?? new SynapseSettings();
        if (!(Settings.Tstart > 0)) throw new SynapseException($"tstart {Settings.Tstart} s must be > 0 (the baseline is taken before it)");
        if (!(Settings.Tdur > Settings.Dt)) throw new SynapseException($"tdur {Settings.Tdur} s must be longer than a step");
        if (iclampAmp == 0 || !double.IsFinite(iclampAmp)) throw new SynapseException($"iclamp_amp {iclampAmp} A must be a non-zero current");
        Rig = new SynapseRig(cell, gap ?? SynapseLibrary.Gap(), new CurrentClamp(iclampAmp, Settings.Tstart, Settings.Tdur), Settings.Dt, Settings.Backend);
        if (!Rig.IsGap) throw new SynapseException($"'{Rig.Synapse.Name}' has presynaptic events; a gap junction has none (use SynapseTuner)");
    }

    public SynapseSettings Settings { get; }
    public SynapseRig Rig { get; }

    /// <summary>The coupling coefficient of each conductance (siemens), the cells' other constants from
    /// <paramref name="parameters"/> (SI; the defaults otherwise).</summary>
    public GapJunctionResult Sweep(IReadOnlyList<double> conductances, IReadOnlyDictionary<string, double>? parameters = null,
        CancellationToken cancellation = default)
    {
        if (conductances.Count == 0) throw new SynapseException("give at least one conductance");
        if (conductances.Any(g => !(g >= 0) || double.IsInfinity(g)))
            throw new SynapseException($"conductances must be >= 0 siemens; got {string.Join(", ", conductances)}");
        var values = (parameters ?? new Dictionary<string, double>()).Where(p => p.Key != "g_gap")
            .ToDictionary(p => p.Key, p => Enumerable.Repeat(p.Value, conductances.Count).ToArray());
        values["g_gap"] = [.. conductances];
        using var group = Rig.CreateGroup(conductances.Count, values, Settings.Threads);
        double dt = Settings.Dt, start = Settings.Tstart, stop = Settings.Tstart + Settings.Tdur;
        var baseline = new TimeWindow(Math.Max(0, start - new MetricOptions().BaselineWindow), start);
        var last = new TimeWindow(stop - dt, stop);
        var reducers = new[] { "v", "v_2" }.Select(v => (group.Reduce(Reduction.Mean, v, baseline), group.Reduce(Reduction.Mean, v, last))).ToArray();
        group.Run(stop, cancellation: cancellation);
        var d1 = reducers[0].Item2.Values.Zip(reducers[0].Item1.Values, (a, b) => a - b).ToArray();
        var d2 = reducers[1].Item2.Values.Zip(reducers[1].Item1.Values, (a, b) => a - b).ToArray();
        return new GapJunctionResult(conductances, [.. d2.Zip(d1, (b, a) => b / a)], d1, d2);
    }

    public void Dispose() => Rig.Dispose();
}

/// <summary>bmtool's GapJunctionOptimizer: the conductance whose coupling coefficient is the target, found by Brent's
/// root finder between the bounds (CC grows monotonically with the conductance).</summary>
public sealed record GapJunctionFit(double Conductance, double CouplingCoefficient, IReadOnlyList<(double Conductance, double Cc)> History);

public static class GapJunctionOptimizer
{
    public static GapJunctionFit Optimize(GapJunctionTuner tuner, double targetCc, double lower = 1e-12, double upper = 1e-6,
        double accuracy = 1e-6, IReadOnlyDictionary<string, double>? parameters = null)
    {
        if (!(targetCc > 0 && targetCc < 1)) throw new SynapseException($"target CC {targetCc} must be between 0 and 1");
        if (!(lower >= 0 && lower < upper)) throw new SynapseException($"bounds [{lower}, {upper}] S: need 0 <= lo < hi");
        var history = new List<(double, double)>();
        double Cc(double logG)
        {
            double g = Math.Exp(logG);
            double cc = tuner.Sweep([g], parameters).CouplingCoefficients[0];
            history.Add((g, cc));
            return cc - targetCc;
        }
        double lo = Math.Log(Math.Max(lower, 1e-18)), hi = Math.Log(upper);
        double flo = Cc(lo), fhi = Cc(hi);
        if (flo > 0 || fhi < 0)
            throw new SynapseException($"target CC {targetCc} is outside [{flo + targetCc:G4}, {fhi + targetCc:G4}], the CCs of the bounds " +
                $"[{lower}, {upper}] S; widen them");
        double x = Brent.FindRoot(Cc, lo, hi, accuracy * targetCc, 200);
        double best = Math.Exp(x);
        return new GapJunctionFit(best, tuner.Sweep([best], parameters).CouplingCoefficients[0], history);
    }
}
