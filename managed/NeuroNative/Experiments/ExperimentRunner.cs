using System.Diagnostics;
using NeuroNative.Backends.Cuda;

namespace NeuroNative.Experiments;

/// <summary>Settings of a run that are not part of the experiment file (command-line options).</summary>
public sealed record RunSettings
{
    public Backend Backend { get; init; } = Backend.Auto;
    public Backends.Cpp.Precision Precision { get; init; } = Backends.Cpp.Precision.Float64;
    /// <summary>0: every hardware thread.</summary>
    public int Threads { get; init; }
    /// <summary>Overrides the experiment's seed when set.</summary>
    public ulong? Seed { get; init; }
    /// <summary>Stop after this many steps (of the whole run, counted from step 0) and write a snapshot to
    /// <see cref="SnapshotPath"/>; the results cover the steps done.</summary>
    public long? StopAtStep { get; init; }
    /// <summary>Where the snapshot of a stopped run is written.</summary>
    public string? SnapshotPath { get; init; }
    /// <summary>Continue from a snapshot written by a stopped run of the same experiment and settings.</summary>
    public string? ResumeFrom { get; init; }
    /// <summary>Run only these conditions (neurons) of the experiment, with their own indices, parameters and
    /// random numbers: the results are those neurons' results of the whole run. Null: all.</summary>
    public NeuronSlice? Slice { get; init; }
    /// <summary>State traces as one array each (<see cref="StateTrace.Column"/>) rather than one per neuron.</summary>
    public bool ColumnTraces { get; init; }
    /// <summary>Snapshots written while the run goes (and when it is cancelled), so that a long run killed part-way
    /// continues from the last one (<see cref="ResumeFrom"/>) instead of from step 0. Null: none.</summary>
    public Checkpoints? Checkpoints { get; init; }
    /// <summary>How the run goes under <see cref="Backend.Cuda"/> (its precision is <see cref="Precision"/>); null:
    /// <see cref="GpuOptions.FromEnvironment"/>.</summary>
    public GpuOptions? Gpu { get; init; }
}

/// <summary>A snapshot to <see cref="Path"/> (replaced atomically) every <see cref="Interval"/> of wall time, and
/// one when the run is cancelled; <see cref="Written"/> is told the step of each.</summary>
public sealed record Checkpoints(string Path, TimeSpan Interval, Action<long>? Written = null);

/// <summary>Neurons [<see cref="First"/>, <see cref="First"/> + <see cref="Count"/>) of an experiment.</summary>
public readonly record struct NeuronSlice(int First, int Count)
{
    public int End => First + Count;
}

public enum RunOutcome
{
    Completed,
    /// <summary>Stopped at a step boundary on request; the results cover the steps done.</summary>
    Cancelled,
    /// <summary>A variable became NaN or infinite; the results cover the steps before.</summary>
    Diverged,
    /// <summary>Stopped at <see cref="RunSettings.StopAtStep"/>, with a snapshot to resume from.</summary>
    Stopped,
}

/// <summary>What a run produced. Spike arrays are null when spikes were not recorded, state arrays
/// when no state was recorded; <see cref="StateValues"/> is per variable [neuron][sample] in SI.</summary>
public sealed record ExperimentResult
{
    public required Experiment Experiment { get; init; }
    /// <summary>The neurons run (all of the experiment's unless <see cref="RunSettings.Slice"/> was given); spike
    /// counts, final values and state traces cover these, spike indices are the experiment's.</summary>
    public required NeuronSlice Neurons { get; init; }
    public required RunOutcome Outcome { get; init; }
    /// <summary>The divergence message, when <see cref="Outcome"/> is Diverged.</summary>
    public string? Error { get; init; }
    public required string Backend { get; init; }
    public required string BackendReason { get; init; }
    /// <summary>Why Auto could not use the compiled backend (the compiler's message), else null.</summary>
    public string? BackendWarning { get; init; }
    public required Backends.Cpp.Precision Precision { get; init; }
    /// <summary>The x86-64 level the native loops ran at (v2, v3, v4; "generic" elsewhere).</summary>
    public required string IsaLevel { get; init; }
    public required int Threads { get; init; }
    public required ulong Seed { get; init; }
    public required long StepsRequested { get; init; }
    public required long StepsDone { get; init; }
    /// <summary>The first step of each of <see cref="Experiment.Phases"/>.</summary>
    public required long[] PhaseStarts { get; init; }
    /// <summary>Kernel compilation (0 for the interpreter).</summary>
    public required double CompileSeconds { get; init; }
    public required double SimulationSeconds { get; init; }
    public long[]? SpikeCounts { get; init; }
    public long[]? SpikeIndices { get; init; }
    public double[]? SpikeTimes { get; init; }
    /// <summary>Each of <see cref="Experiment.SpikeVariables"/>: its value at each spike, parallel to <see cref="SpikeIndices"/>.</summary>
    public IReadOnlyList<(string Variable, double[] Values)> SpikeValues { get; init; } = [];
    /// <summary>Hz per step (every phase), and smoothed when the recording has a window.</summary>
    public double[]? PopulationRate { get; init; }
    public double[]? SmoothedPopulationRate { get; init; }
    public double[]? StateTimes { get; init; }
    public IReadOnlyList<StateTrace> StateValues { get; init; } = [];
    /// <summary>Each of <see cref="Experiment.RecordFinal"/>: its value per neuron after the last step done.</summary>
    public IReadOnlyList<(string Variable, double[] Values)> FinalValues { get; init; } = [];
    /// <summary>Each of <see cref="Experiment.RecordEvents"/>: its (i, t) in time order and the values of its variables.</summary>
    public IReadOnlyList<(string Event, long[] Indices, double[] Times, IReadOnlyList<(string Variable, double[] Values)> Values)> Events
    { get; init; } = [];

    /// <summary>The step the run continued from (<see cref="RunSettings.ResumeFrom"/>); 0 for a run from the start.</summary>
    public long ResumedAtStep { get; init; }

    public double NeuronStepsPerSecond => SimulationSeconds > 0 ? (StepsDone - ResumedAtStep) * (double)Neurons.Count / SimulationSeconds : 0;
    /// <summary>For a chunked run: how it was split and what an earlier process had done.</summary>
    public ChunkSummary? Chunks { get; init; }
}

/// <summary>A chunked run's chunks (count, conditions per chunk, the shard) and, when it was resumed, the chunks and
/// neuron-steps an earlier process had finished.</summary>
public sealed record ChunkSummary(int Count, int Size, Shard? Shard, int DoneBefore, long StepsBefore);

/// <summary>Shard <see cref="Index"/> of <see cref="Count"/>: a contiguous part of the conditions.</summary>
public readonly record struct Shard(int Index, int Count)
{
    /// <summary>This shard's conditions of <paramref name="n"/>: the first n mod Count shards have one more.</summary>
    public NeuronSlice Of(int n)
    {
        int size = n / Count, extra = n % Count;
        int first = Index * size + Math.Min(Index, extra);
        return new NeuronSlice(first, size + (Index < extra ? 1 : 0));
    }
}

/// <summary>Runs an experiment on a <see cref="NeuronGroup"/>: one neuron per sweep condition.</summary>
public static class ExperimentRunner
{
    /// <summary>The experiment's model built for these settings (backend, precision, threads), for
    /// <see cref="Run"/> to reuse across runs of slices.</summary>
    public static CompiledModel Compile(Experiment experiment, RunSettings settings)
    {
        bool gpu = settings.Backend == Backend.Cuda;
        if (gpu) GpuRun.Check(experiment, settings);
        // On the GPU the CPU group only sets the neurons up (sweep, initial values): the interpreter, no compile.
        return CompiledModel.Compile(experiment.Program, new CompileOptions
        {
            Backend = gpu ? Backend.Interpreted : settings.Backend,
            Precision = gpu ? Backends.Cpp.Precision.Float64 : settings.Precision,
            Threads = settings.Threads,
            ExpectedNeuronSteps = experiment.N * Math.Round(experiment.Duration / experiment.Dt),
        });
    }

    /// <param name="compiled">The experiment's model from <see cref="Compile"/>; null: built here.</param>
    public static ExperimentResult Run(Experiment experiment, RunSettings settings,
        IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellation = default, CompiledModel? compiled = null)
    {
        if (settings.StopAtStep is not null && settings.SnapshotPath is null)
            throw new ArgumentException("a run stopped at a step needs a snapshot path to resume from", nameof(settings));
        ulong seed = settings.Seed ?? experiment.Seed;
        var slice = settings.Slice ?? new NeuronSlice(0, experiment.N);
        if (slice.First < 0 || slice.Count < 1 || slice.End > experiment.N)
            throw new ArgumentException($"neurons [{slice.First}, {slice.End}) are not a slice of the experiment's {experiment.N}", nameof(settings));
        using var owned = compiled is null ? Compile(experiment, settings) : null;
        var model = compiled ?? owned!;
        using var group = model.CreateGroup(slice.Count, new GroupOptions
        {
            Dt = experiment.Dt, Seed = seed, Threads = settings.Threads, FirstNeuron = slice.First, TotalNeurons = experiment.N,
        });

        if (experiment.Sweep is { } sweep)
        {
            var columns = sweep.Columns();
            for (int k = 0; k < sweep.Parameters.Count; k++) group.Set(sweep.Parameters[k].Name, columns[k].AsSpan(slice.First, slice.Count));
        }
        // After the sweep values, so that an initial value may use a swept parameter (as in Brian's order).
        foreach (var initial in experiment.Initial) Assign(group, initial, slice);
        if (settings.Backend == Backend.Cuda) return GpuRun.Run(experiment, settings, group, slice, seed, progress, cancellation);
        var spikes = !experiment.RecordSpikes ? null
            : experiment.SpikeVariables is { } sv ? group.RecordSpikes(sv.Variables, sv.When, sv.Order) : group.RecordSpikes();
        var rate = experiment.RecordPopulationRate is { } pr ? group.RecordPopulationRate(pr.Start, pr.Stop) : null;
        // The recorded neurons of the slice, as the group's own indices.
        var recorded = experiment.RecordState?.Neurons.Where(i => i >= slice.First && i < slice.End).Select(i => i - slice.First).ToList();
        var state = experiment.RecordState is { } r && recorded!.Count > 0 ? group.Record(r.Variables, recorded, r.EverySteps, r.When, r.Order) : null;
        var eventMonitors = experiment.RecordEvents.Select(e => group.RecordEvents(e.Event, e.When, e.Order, e.Variables)).ToList();
        if (settings.ResumeFrom is { } resume)
        {
            try { group.Restore(File.ReadAllBytes(resume)); }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"cannot resume from '{resume}': {e.Message} (was it written by this experiment with the same seed?)", e);
            }
        }

        var phases = experiment.Phases;
        var starts = PhaseStarts(group, phases);
        long requested = starts[^1];
        long end = settings.StopAtStep is { } stop ? Math.Min(Math.Max(stop, group.Step), requested) : requested;
        var outcome = RunOutcome.Completed;
        string? error = null;
        long resumedAt = group.Step;
        var watch = Stopwatch.StartNew();
        var checkpoints = settings.Checkpoints is { } c ? new CheckpointClock(c, watch) : null;
        // The resuming process restores into monitors that are on, as they are when created.
        void WriteSnapshot(string path, bool recording)
        {
            if (state is not null) state.Enabled = true;
            WriteAtomically(path, group.Snapshot());
            if (state is not null) state.Enabled = recording;
        }
        int phase = 0;
        try
        {
            long first = group.Step;
            for (; phase < phases.Count && group.Step < end; phase++)
            {
                int p = phase;
                // Phases finished before a resumed snapshot; one that starts at the current step has not begun
                // (a run stops before a phase's assignments), nor has a zero-length one there.
                if (starts[p + 1] < group.Step || (starts[p + 1] == group.Step && starts[p] < group.Step)) continue;
                if (starts[p] == group.Step)
                    foreach (var a in phases[p].Set) Assign(group, a, slice);
                if (state is not null) state.Enabled = phases[p].RecordState;
                long phaseEnd = Math.Min(starts[p + 1], end);
                while (group.Step < phaseEnd)
                {
                    long offset = group.Step - first;
                    var phaseProgress = progress is null ? null
                        : new ProgressRelay<(long Done, long Total)>(v => progress.Report((offset + v.Done, end - first)));
                    long steps = checkpoints?.NextPiece(phaseEnd - group.Step) ?? phaseEnd - group.Step;
                    group.RunSteps(steps, phaseProgress, cancellation);
                    // Not at a phase's end: what the phase does there (its final sample) is not in the snapshot yet.
                    if (checkpoints is not null && group.Step < phaseEnd && checkpoints.Due(steps))
                    {
                        WriteSnapshot(checkpoints.Settings.Path, phases[p].RecordState);
                        checkpoints.Written(group.Step);
                    }
                }
                // The phase ran to its end here (not only to a stop within it), so its final state is recorded once.
                if (state is not null && group.Step == starts[p + 1] &&
                    (phases[p].RecordSingleTimestep || (p == phases.Count - 1 && experiment.RecordState!.RecordSingleTimestep)))
                    state.RecordSingleTimestep();
            }
            if (end < requested)
            {
                outcome = RunOutcome.Stopped;
                WriteSnapshot(settings.SnapshotPath!, true);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            outcome = RunOutcome.Cancelled;
            // The step reached is kept: the next process continues from it (the native run stops at a step boundary).
            if (checkpoints is not null && group.Step > resumedAt)
            {
                WriteSnapshot(checkpoints.Settings.Path, phase < phases.Count && phases[phase].RecordState);
                checkpoints.Written(group.Step);
            }
        }
        catch (SimulationDivergedException e)
        {
            outcome = RunOutcome.Diverged;
            error = e.Message;
        }
        double simulationSeconds = watch.Elapsed.TotalSeconds;

        long[]? indices = null, counts = null;
        double[]? times = null;
        List<(string Variable, double[] Values)> spikeValues = [];
        if (spikes is not null)
        {
            (indices, times) = spikes.Spikes;
            for (int j = 0; j < indices.Length; j++) indices[j] += slice.First;
            counts = spikes.Count;
            spikeValues = [.. (experiment.SpikeVariables?.Variables ?? []).Select(v => (v, spikes[v]))];
            if (phases.Any(p => !p.RecordSpikes))
            {
                var keep = SpikesRecorded(times, experiment, phases, starts);
                long[] all = indices;
                double[] allTimes = times;
                indices = [.. keep.Select(j => all[j])];
                times = [.. keep.Select(j => allTimes[j])];
                spikeValues = [.. spikeValues.Select(s => (s.Variable, keep.Select(j => s.Values[j]).ToArray()))];
                counts = new long[slice.Count];
                foreach (long i in indices) counts[i - slice.First]++;
            }
        }
        return new ExperimentResult
        {
            Experiment = experiment,
            Neurons = slice,
            Outcome = outcome,
            Error = error,
            Backend = group.BackendName,
            BackendReason = group.BackendReason,
            BackendWarning = group.BackendWarning,
            Precision = group.Precision,
            IsaLevel = Interop.Native.IsaLevel(),
            Threads = group.Threads,
            Seed = seed,
            StepsRequested = requested,
            PhaseStarts = starts[..^1],
            StepsDone = group.Step,
            ResumedAtStep = resumedAt,
            CompileSeconds = group.CompileSeconds,
            SimulationSeconds = simulationSeconds,
            SpikeCounts = counts,
            SpikeIndices = indices,
            SpikeTimes = times,
            SpikeValues = spikeValues,
            PopulationRate = rate?.Rate,
            SmoothedPopulationRate = experiment.RecordPopulationRate is { Window: { } window } smooth
                ? rate!.SmoothRate(window, smooth.Width) : null,
            StateTimes = state?.Times,
            StateValues = state is null ? [] : experiment.RecordState!.Variables
                .Select(v => (settings.ColumnTraces ? state.GetColumn(v) : state.Get(v)) is var t && slice.First == 0 ? t
                    : t with { Neurons = [.. t.Neurons.Select(i => i + slice.First)] }).ToList(),
            FinalValues = experiment.RecordFinal.Select(v => (v, group.Get(v))).ToList(),
            Events = [.. eventMonitors.Select((m, k) => (m.Event, m.Events.Indices.Select(i => i + slice.First).ToArray(), m.Events.Times,
                (IReadOnlyList<(string, double[])>)[.. experiment.RecordEvents[k].Variables.Select(v => (v, m[v]))]))],
        };
    }

    internal static void Assign(NeuronGroup group, InitialValue value, NeuronSlice slice)
    {
        if (value.Values is { } values) group.Set(value.Variable, values.AsSpan(slice.First, slice.Count));
        else group.Set(value.Variable, value.Expression);
    }

    /// <summary>The first step of each phase, then the step after the last: a phase ends where Brian's run
    /// ends, at the steps for the network time reached (the durations so far summed in order).</summary>
    internal static long[] PhaseStarts(NeuronGroup group, IReadOnlyList<Phase> phases)
    {
        var starts = new long[phases.Count + 1];
        double t = 0;
        for (int p = 0; p < phases.Count; p++)
        {
            t += phases[p].Duration;
            starts[p + 1] = Math.Max(starts[p], group.StepsFor(t));
        }
        return starts;
    }

    /// <summary>The positions of the spikes of the phases whose spike monitor records (the native core stores them all).</summary>
    private static List<int> SpikesRecorded(double[] times, Experiment experiment, IReadOnlyList<Phase> phases, long[] starts)
    {
        var keep = new List<int>();
        for (int j = 0; j < times.Length; j++)
        {
            long step = (long)Math.Round(times[j] / experiment.Dt);
            int p = Array.FindLastIndex(starts, phases.Count - 1, s => s <= step);
            if (phases[p].RecordSpikes) keep.Add(j);
        }
        return keep;
    }

    /// <summary>A snapshot is either complete or absent: written beside (a name ending in .&lt;pid&gt;.tmp, which a
    /// later process may remove), flushed to disk, then renamed over.</summary>
    private static void WriteAtomically(string path, byte[] blob) =>
        ExperimentOutput.WriteAtomically(path, $"{path}.{Environment.ProcessId}.tmp", stream => stream.Write(blob));

    /// <summary>When checkpoints are due: the run goes in pieces of about a quarter of the interval (at least 50 ms
    /// of wall time, from the rate of the last piece), so a snapshot is at most that late.</summary>
    private sealed class CheckpointClock(Checkpoints settings, Stopwatch watch)
    {
        private long _piece = 64;
        private TimeSpan _pieceStart, _last = watch.Elapsed;

        public Checkpoints Settings => settings;

        public long NextPiece(long left)
        {
            _pieceStart = watch.Elapsed;
            return Math.Min(left, _piece);
        }

        public bool Due(long stepsRun)
        {
            double seconds = (watch.Elapsed - _pieceStart).TotalSeconds;
            double target = Math.Max(settings.Interval.TotalSeconds / 4, 0.05);
            _piece = (long)Math.Clamp(stepsRun * target / Math.Max(seconds, 1e-6), 1, 1L << 40);
            return watch.Elapsed - _last >= settings.Interval;
        }

        public void Written(long step)
        {
            _last = watch.Elapsed;
            settings.Written?.Invoke(step);
        }
    }
}
