namespace NeuroNative.Synapses;

/// <summary>bmtool's <c>general_settings</c>, SI: the event at <see cref="Tstart"/>, <see cref="Tdur"/> recorded after it,
/// the NetCon's <see cref="Delay"/> and <see cref="Weight"/> (siemens), <see cref="RiseInterval"/>. <see cref="Threshold"/>
/// and <see cref="Celsius"/> are kept for bmtool's files: scheduled events have no presynaptic voltage to cross a
/// threshold, and the library models are temperature independent.</summary>
public sealed record SynapseSettings
{
    public double Tstart { get; init; } = 0.1;
    public double Tdur { get; init; } = 0.3;
    public double Dt { get; init; } = 25e-6;
    public double Celsius { get; init; } = 34;
    public double Threshold { get; init; } = 0.01;
    public double Delay { get; init; }
    public double Weight { get; init; } = 1e-9;
    public (double Low, double High) RiseInterval { get; init; } = (0.2, 0.8);
    public bool BmtoolCompatible { get; init; }
    public int Threads { get; init; } = 1;
    public Backend Backend { get; init; } = Backend.Auto;
}

/// <summary>Recorded signals of one neuron of a batch, SI, sample k at t = k·dt.</summary>
public sealed record SynapseTraces(double Dt, double[] V, double[] SynapticCurrent, double[] ClampCurrent)
{
    public double[] Time => Enumerable.Range(0, V.Length).Select(k => k * Dt).ToArray();
}

public sealed record SingleEventResult(IReadOnlyDictionary<string, double> Parameters, SingleEventProperties Properties, SynapseTraces Traces);

/// <summary>A train of one parameter set: its event times, amplitudes and PPR/induction/recovery; traces when recorded.</summary>
public sealed record TrainResult(IReadOnlyDictionary<string, double> Parameters, double Frequency, IReadOnlyList<double> EventTimes,
    TrainProperties Properties, SynapseTraces? Traces);

/// <summary>
/// bmtool's SynapseTuner without NEURON: a cell, a synapse and a clamp (<see cref="SynapseRig"/>) driven by the
/// single event, the 8 + 4 pulse train, the frequency response and a continuous train. Each protocol runs every
/// parameter set (and every frequency) as one batched <see cref="NeuronGroup"/>: a neuron per combination with its
/// own scheduled events. The measured signal is the clamp current under a voltage clamp and the synaptic current
/// otherwise, as in bmtool.
/// </summary>
public sealed class SynapseTuner : IDisposable
{
    /// <summary>bmtool's stp_frequency_response defaults (Hz).</summary>
    public static IReadOnlyList<double> DefaultFrequencies { get; } = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 35, 50, 100, 200];

    public SynapseTuner(ModelPart cell, ModelPart synapse, SynapseSettings? settings = null, Clamp? clamp = null)
    {
        Settings = settings ?? new SynapseSettings();
        if (!(Settings.Tstart > 0)) throw new SynapseException($"tstart {Settings.Tstart} s must be > 0 (the baseline is taken before it)");
        if (!(Settings.Tdur > 0)) throw new SynapseException($"tdur {Settings.Tdur} s must be > 0");
        if (!(Settings.Delay >= 0)) throw new SynapseException($"delay {Settings.Delay} s must be >= 0");
        Rig = new SynapseRig(cell, synapse, clamp, Settings.Dt, Settings.Backend);
        if (Rig.IsGap) throw new SynapseException($"'{synapse.Name}' is a gap junction, which has no presynaptic events; use GapJunctionTuner");
    }

    public SynapseSettings Settings { get; }
    public SynapseRig Rig { get; }
    public MetricOptions MetricOptions => new() { RiseInterval = Settings.RiseInterval, BmtoolCompatible = Settings.BmtoolCompatible };
    private bool VoltageClamped => Rig.Clamp is VoltageClamp;
    private string Signal => VoltageClamped ? "i_clamp" : "i_syn";

    /// <summary>The train's event times: tstart + kT (k = 0..7) and tstart + 7T + delay + jT (j = 0..3), T = 1/freq.</summary>
    public IReadOnlyList<double> TrainTimes(double frequency, double recoveryDelay)
    {
        if (!(frequency > 0)) throw new SynapseException($"frequency {frequency} Hz must be > 0");
        if (!(recoveryDelay >= 0)) throw new SynapseException($"the recovery delay {recoveryDelay} s must be >= 0");
        double T = 1 / frequency;
        return [.. Enumerable.Range(0, 8).Select(k => Settings.Tstart + k * T),
                .. Enumerable.Range(0, 4).Select(j => Settings.Tstart + 7 * T + recoveryDelay + j * T)];
    }

    /// <summary>bmtool's tstop of a train: the last recovery pulse plus one period.</summary>
    private static double TrainEnd(IReadOnlyList<double> times, double frequency) => times[^1] + 1 / frequency;

    /// <summary>The single event at tstart for each parameter set (null: the defaults), measured.</summary>
    public IReadOnlyList<SingleEventResult> SingleEvent(IReadOnlyList<IReadOnlyDictionary<string, double>>? parameterSets = null)
    {
        var sets = Sets(parameterSets);
        double end = Settings.Tstart + Settings.Tdur;
        var traces = RunTraces(sets, sets.Select(_ => (IReadOnlyList<double>)[Settings.Tstart]).ToList(), end);
        var options = MetricOptions;
        return [.. sets.Select((p, i) =>
        {
            var t = traces[i];
            var signal = VoltageClamped ? t.ClampCurrent : t.SynapticCurrent;
            // bmtool integrates the synaptic current minus the clamp current's baseline (docs/synapses.md)
            var props = SynapseMetrics.SingleEvent(signal, Settings.Dt, Settings.Tstart + Settings.Delay, options,
                Settings.BmtoolCompatible ? t.SynapticCurrent : null);
            return new SingleEventResult(p, props, t);
        })];
    }

    /// <summary>The 12-pulse train at <paramref name="frequency"/> for each parameter set, with traces.</summary>
    public IReadOnlyList<TrainResult> Train(double frequency, double recoveryDelay = 0.25,
        IReadOnlyList<IReadOnlyDictionary<string, double>>? parameterSets = null)
    {
        var sets = Sets(parameterSets);
        var times = TrainTimes(frequency, recoveryDelay);
        var traces = RunTraces(sets, sets.Select(_ => times).ToList(), TrainEnd(times, frequency));
        return [.. sets.Select((p, i) => new TrainResult(p, frequency, times, Measure(traces[i], times), traces[i]))];
    }

    /// <summary>A regular train at <paramref name="frequency"/> from tstart for <paramref name="duration"/> seconds,
    /// recorded for tdur after its last pulse.</summary>
    public IReadOnlyList<TrainResult> Continuous(double frequency, double duration,
        IReadOnlyList<IReadOnlyDictionary<string, double>>? parameterSets = null)
    {
        if (!(frequency > 0)) throw new SynapseException($"frequency {frequency} Hz must be > 0");
        if (!(duration > 0)) throw new SynapseException($"the continuous train's duration {duration} s must be > 0");
        var sets = Sets(parameterSets);
        int count = (int)Math.Floor(duration * frequency - 1e-9) + 1;
        var times = Enumerable.Range(0, count).Select(k => Settings.Tstart + k / frequency).ToList();
        var traces = RunTraces(sets, sets.Select(_ => (IReadOnlyList<double>)times).ToList(), Settings.Tstart + duration + Settings.Tdur);
        return [.. sets.Select((p, i) => new TrainResult(p, frequency, times, Measure(traces[i], times), traces[i]))];
    }

    private TrainProperties Measure(SynapseTraces t, IReadOnlyList<double> times)
    {
        var options = MetricOptions;
        var reference = VoltageClamped ? t.ClampCurrent : t.SynapticCurrent;
        double first = times[0] + Settings.Delay;
        double baseline = SynapseMetrics.Baseline(reference, Settings.Dt, first, options);
        int sign = SignAfter(reference, first, baseline);
        // bmtool measures the synaptic current with the baseline and sign of the clamp current (docs/synapses.md)
        var measured = Settings.BmtoolCompatible ? t.SynapticCurrent : reference;
        return new TrainProperties(SynapseMetrics.PulseAmplitudes(measured, Settings.Dt, [.. times.Select(x => x + Settings.Delay)], baseline, sign));
    }

    private int SignAfter(double[] y, double from, double baseline)
    {
        int k0 = (int)Math.Floor(from / Settings.Dt + 1e-9), best = k0;
        for (int k = k0; k < y.Length; k++) if (Math.Abs(y[k] - baseline) > Math.Abs(y[best] - baseline)) best = k;
        if (!(Math.Abs(y[best] - baseline) > 0)) throw new SynapseException($"no response to the train starting at {from} s: the signal stays at {baseline:G6}");
        return Math.Sign(y[best] - baseline);
    }

    /// <summary>PPR, induction, recovery and the 12 amplitudes at each frequency (bmtool's defaults when null) for each
    /// parameter set, as one run measured by per-pulse reducers (no traces). A neuron runs several frequencies' trains
    /// one after another, each from rest (the rig's rest event), packed so that no neuron runs much longer than the
    /// longest train: the 1 Hz train alone lasts as long as all of 35–200 Hz together.</summary>
    public FrequencyResponse FrequencyResponse(IReadOnlyList<double>? frequencies = null, double recoveryDelay = 0.25,
        IReadOnlyList<IReadOnlyDictionary<string, double>>? parameterSets = null, CancellationToken cancellation = default)
    {
        var freqs = frequencies ?? DefaultFrequencies;
        if (freqs.Count == 0) throw new SynapseException("give at least one frequency");
        var sets = Sets(parameterSets);
        double dt = Settings.Dt;
        var trains = freqs.Select(f => TrainTimes(f, recoveryDelay)).ToList();
        // a train's slot: whole steps up to its end; bins of slots no longer than the longest (first fit, longest first)
        var slot = freqs.Select((f, j) => NeuronGroup.StepsFor(TrainEnd(trains[j], f), dt)).ToArray();
        for (int j = 0; j < freqs.Count; j++)
            if (trains[j][^1] + Settings.Delay >= slot[j] * dt)
                throw new SynapseException($"the NetCon delay {Settings.Delay} s puts the last pulse of the {freqs[j]} Hz train after its end; use a delay below {1 / freqs[j]} s");
        var bins = new List<List<(int Train, long Offset)>>();
        var used = new List<long>();
        long capacity = slot.Max();
        foreach (int j in Enumerable.Range(0, freqs.Count).OrderByDescending(j => slot[j]).ThenBy(j => j))
        {
            int b = used.FindIndex(u => u + slot[j] <= capacity);
            if (b < 0) { bins.Add([]); used.Add(0); b = bins.Count - 1; }
            bins[b].Add((j, used[b]));
            used[b] += slot[j];
        }
        var where = new (int Bin, double Offset)[freqs.Count];
        for (int b = 0; b < bins.Count; b++)
            foreach (var (j, offset) in bins[b]) where[j] = (b, offset * dt);
        using var group = CreateGroup(sets, bins.Count); // neuron s·bins + b
        var neurons = new List<long>();
        var at = new List<double>();
        var weights = new List<double>();
        var restNeurons = new List<long>();
        var restTimes = new List<double>();
        for (int s = 0; s < sets.Count; s++)
            for (int b = 0; b < bins.Count; b++)
                foreach (var (j, offset) in bins[b])
                {
                    long neuron = s * bins.Count + b;
                    if (offset > 0) { restNeurons.Add(neuron); restTimes.Add((offset - 1) * dt); } // at rest when the slot starts
                    foreach (var t in trains[j])
                    {
                        neurons.Add(neuron);
                        at.Add(offset * dt + t + Settings.Delay - dt);
                        weights.Add(Settings.Weight);
                    }
                }
        group.AddEvents(0, neurons.ToArray(), at.ToArray(), weights.ToArray());
        if (restNeurons.Count > 0) group.AddEvents(1, restNeurons.ToArray(), restTimes.ToArray(), new double[restTimes.Count]);
        var options = MetricOptions;
        string signal = Signal, measured = Settings.BmtoolCompatible ? "i_syn" : Signal;
        var perFrequency = freqs.Select((f, j) =>
        {
            double o = where[j].Offset;
            var events = trains[j].Select(t => t + Settings.Delay).ToArray();
            double first = events[0];
            double k0 = Math.Floor(first / dt + 1e-9);
            var baseline = options.BmtoolCompatible
                ? group.Reduce(Reduction.Mean, signal, new TimeWindow(o + k0 * dt, o + (k0 + 1) * dt))
                : group.Reduce(Reduction.Mean, signal, new TimeWindow(o + Math.Max(0, first - options.BaselineWindow), o + first));
            var bounds = events.Select(t => o + Math.Floor(t / dt + 1e-9) * dt).Append(o + slot[j] * dt).ToArray();
            var windows = Enumerable.Range(0, events.Length).Select(k => new TimeWindow(bounds[k], bounds[k + 1])).ToArray();
            // the sign comes from the reference signal, the amplitudes from the measured one (the same unless bmtool's)
            var refMax = windows.Select(w => group.Reduce(Reduction.Max, signal, w)).ToArray();
            var refMin = windows.Select(w => group.Reduce(Reduction.Min, signal, w)).ToArray();
            var max = measured == signal ? refMax : windows.Select(w => group.Reduce(Reduction.Max, measured, w)).ToArray();
            var min = measured == signal ? refMin : windows.Select(w => group.Reduce(Reduction.Min, measured, w)).ToArray();
            return (baseline, refMax, refMin, max, min);
        }).ToList();
        group.RunSteps(capacity, cancellation: cancellation);
        var results = new List<TrainProperties[]>();
        for (int s = 0; s < sets.Count; s++)
        {
            var row = new TrainProperties[freqs.Count];
            for (int j = 0; j < freqs.Count; j++)
            {
                int i = s * bins.Count + where[j].Bin;
                var (baseline, refMax, refMin, max, min) = perFrequency[j];
                double b = baseline.Values[i];
                double up = refMax.Max(r => r.Values[i]) - b, down = b - refMin.Min(r => r.Values[i]);
                if (!(Math.Max(up, down) > 0))
                    throw new SynapseException($"no response to the {freqs[j]} Hz train of parameter set {s}: the signal stays at {b:G6}");
                int sign = up >= down ? 1 : -1;
                row[j] = new TrainProperties([.. Enumerable.Range(0, max.Length).Select(k => sign > 0 ? max[k].Values[i] - b : b - min[k].Values[i])]);
            }
            results.Add(row);
        }
        return new FrequencyResponse(freqs, sets, results);
    }

    private static IReadOnlyList<IReadOnlyDictionary<string, double>> Sets(IReadOnlyList<IReadOnlyDictionary<string, double>>? sets) =>
        sets is { Count: > 0 } ? sets : [new Dictionary<string, double>()];

    /// <summary>A group of sets × <paramref name="repeat"/> neurons, neuron set·repeat + r with the values of set.</summary>
    internal NeuronGroup CreateGroup(IReadOnlyList<IReadOnlyDictionary<string, double>> sets, int repeat)
    {
        var names = sets.SelectMany(s => s.Keys).Distinct().ToList();
        var defaults = names.Count == 0 ? null : DefaultValues(names);
        var values = names.ToDictionary(name => name, name => Enumerable.Range(0, sets.Count * repeat)
            .Select(i => sets[i / repeat].TryGetValue(name, out var v) ? v : defaults![name]).ToArray());
        return Rig.CreateGroup(sets.Count * repeat, values, Settings.Threads);
    }

    private Dictionary<string, double> DefaultValues(IReadOnlyList<string> names)
    {
        using var probe = Rig.CreateGroup(1, threads: 1);
        return names.ToDictionary(n => n, n => Rig.Definition.Namespace.ContainsKey(n) ? probe.Get(n)[0]
            : throw new SynapseException($"'{n}' is not a parameter of the rig; it has {string.Join(", ", Rig.Definition.Namespace.Keys)}"));
    }

    /// <summary>Schedules neuron i's events (NetCon delay added). The native core runs an event after the step of its time
    /// is integrated, NEURON delivers it before: an event at T is scheduled at T − dt so that its jump is in the state at
    /// T and the step from T sees it, as in NEURON.</summary>
    private void Schedule(NeuronGroup group, IReadOnlyList<IReadOnlyList<double>> times)
    {
        var neurons = new List<long>();
        var at = new List<double>();
        for (int i = 0; i < times.Count; i++)
            foreach (var t in times[i])
            {
                double when = t + Settings.Delay - Settings.Dt;
                if (when < -1e-9 * Settings.Dt)
                    throw new SynapseException($"an event at {t} s is before the first step of {Settings.Dt} s; start it later");
                neurons.Add(i);
                at.Add(Math.Max(0, when));
            }
        group.AddEvents(0, neurons.ToArray(), at.ToArray(), Enumerable.Repeat(Settings.Weight, at.Count).ToArray());
    }

    private List<SynapseTraces> RunTraces(IReadOnlyList<IReadOnlyDictionary<string, double>> sets,
        IReadOnlyList<IReadOnlyList<double>> times, double end)
    {
        foreach (var t in times.SelectMany(x => x))
            if (t + Settings.Delay >= end)
                throw new SynapseException($"the event at {t + Settings.Delay} s falls outside the run of {end} s");
        using var group = CreateGroup(sets, 1);
        Schedule(group, times);
        var monitor = group.Record(["v", "i_syn", "i_clamp"]);
        group.Run(end);
        monitor.RecordSingleTimestep(); // the state at the end too, as NEURON records t = tstop
        var v = monitor["v"].Values;
        var isyn = monitor["i_syn"].Values;
        var iclamp = monitor["i_clamp"].Values;
        return [.. Enumerable.Range(0, sets.Count).Select(i => new SynapseTraces(Settings.Dt, v[i], isyn[i], iclamp[i]))];
    }

    public void Dispose() => Rig.Dispose();
}

/// <summary>The frequency response of each parameter set: <see cref="Trains"/>[set][frequency].</summary>
public sealed record FrequencyResponse(IReadOnlyList<double> Frequencies, IReadOnlyList<IReadOnlyDictionary<string, double>> ParameterSets,
    IReadOnlyList<TrainProperties[]> Trains)
{
    public double[] Ppr(int set = 0) => [.. Trains[set].Select(t => t.Ppr)];
    public double[] Induction(int set = 0) => [.. Trains[set].Select(t => t.Induction)];
    public double[] Recovery(int set = 0) => [.. Trains[set].Select(t => t.Recovery)];
}
