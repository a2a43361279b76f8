using System.Diagnostics;

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
    public double[]? StateTimes { get; init; }
    public IReadOnlyList<StateTrace> StateValues { get; init; } = [];
    /// <summary>Each of <see cref="Experiment.RecordFinal"/>: its value per neuron after the last step done.</summary>
    public IReadOnlyList<(string Variable, double[] Values)> FinalValues { get; init; } = [];
    /// <summary>Each of <see cref="Experiment.RecordEvents"/>: its (i, t) in time order.</summary>
    public IReadOnlyList<(string Event, long[] Indices, double[] Times)> Events { get; init; } = [];

    public double NeuronStepsPerSecond => SimulationSeconds > 0 ? StepsDone * (double)Experiment.N / SimulationSeconds : 0;
}

/// <summary>Runs an experiment on a <see cref="NeuronGroup"/>: one neuron per sweep condition.</summary>
public static class ExperimentRunner
{
    public static ExperimentResult Run(Experiment experiment, RunSettings settings,
        IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellation = default)
    {
        if (settings.StopAtStep is not null && settings.SnapshotPath is null)
            throw new ArgumentException("a run stopped at a step needs a snapshot path to resume from", nameof(settings));
        ulong seed = settings.Seed ?? experiment.Seed;
        using var model = CompiledModel.Compile(experiment.Program, new CompileOptions
        {
            Backend = settings.Backend,
            Precision = settings.Precision,
            Threads = settings.Threads,
            ExpectedNeuronSteps = experiment.N * Math.Round(experiment.Duration / experiment.Dt),
        });
        using var group = model.CreateGroup(experiment.N, new GroupOptions { Dt = experiment.Dt, Seed = seed, Threads = settings.Threads });

        if (experiment.Sweep is { } sweep)
        {
            var columns = sweep.Columns();
            for (int k = 0; k < sweep.Parameters.Count; k++) group.Set(sweep.Parameters[k].Name, columns[k]);
        }
        // After the sweep values, so that an initial value may use a swept parameter (as in Brian's order).
        foreach (var initial in experiment.Initial) Assign(group, initial);
        var spikes = experiment.RecordSpikes ? group.RecordSpikes() : null;
        var state = experiment.RecordState is { } r ? group.Record(r.Variables, r.Neurons, r.EverySteps, r.When, r.Order) : null;
        var eventMonitors = experiment.RecordEvents.Select(name => group.RecordEvents(name)).ToList();
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
        var watch = Stopwatch.StartNew();
        try
        {
            long first = group.Step;
            for (int p = 0; p < phases.Count && group.Step < end; p++)
            {
                // Phases finished before a resumed snapshot; one that starts at the current step has not begun
                // (a run stops before a phase's assignments), nor has a zero-length one there.
                if (starts[p + 1] < group.Step || (starts[p + 1] == group.Step && starts[p] < group.Step)) continue;
                if (starts[p] == group.Step)
                    foreach (var a in phases[p].Set) Assign(group, a);
                if (state is not null) state.Enabled = phases[p].RecordState;
                long offset = group.Step - first;
                var phaseProgress = progress is null ? null
                    : new PhaseProgress(done => progress.Report((offset + done, end - first)));
                group.RunSteps(Math.Min(starts[p + 1], end) - group.Step, phaseProgress, cancellation);
            }
            if (end < requested)
            {
                outcome = RunOutcome.Stopped;
                // The resuming process restores into monitors that are on, as they are when created.
                if (state is not null) state.Enabled = true;
                WriteAtomically(settings.SnapshotPath!, group.Snapshot());
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            outcome = RunOutcome.Cancelled;
        }
        catch (SimulationDivergedException e)
        {
            outcome = RunOutcome.Diverged;
            error = e.Message;
        }
        double simulationSeconds = watch.Elapsed.TotalSeconds;

        var (indices, times) = spikes?.Spikes ?? (null!, null!);
        var counts = spikes?.Count;
        if (spikes is not null && phases.Any(p => !p.RecordSpikes))
            (indices, times, counts) = SpikesRecorded(indices, times, experiment, phases, starts);
        return new ExperimentResult
        {
            Experiment = experiment,
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
            CompileSeconds = group.CompileSeconds,
            SimulationSeconds = simulationSeconds,
            SpikeCounts = counts,
            SpikeIndices = indices,
            SpikeTimes = times,
            StateTimes = state?.Times,
            StateValues = state is null ? [] : experiment.RecordState!.Variables.Select(state.Get).ToList(),
            FinalValues = experiment.RecordFinal.Select(v => (v, group.Get(v))).ToList(),
            Events = eventMonitors.Select(m => (m.Event, m.Events.Indices, m.Events.Times)).ToList(),
        };
    }

    private static void Assign(NeuronGroup group, InitialValue value)
    {
        if (value.Values is { } values) group.Set(value.Variable, values);
        else group.Set(value.Variable, value.Expression);
    }

    /// <summary>The first step of each phase, then the step after the last: a phase ends where Brian's run
    /// ends, at the steps for the network time reached (the durations so far summed in order).</summary>
    private static long[] PhaseStarts(NeuronGroup group, IReadOnlyList<Phase> phases)
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

    /// <summary>The spikes of the phases whose spike monitor records (the native core stores them all), and
    /// the counts of those.</summary>
    private static (long[], double[], long[]) SpikesRecorded(long[] indices, double[] times, Experiment experiment,
        IReadOnlyList<Phase> phases, long[] starts)
    {
        var keep = new List<int>();
        for (int j = 0; j < indices.Length; j++)
        {
            long step = (long)Math.Round(times[j] / experiment.Dt);
            int p = Array.FindLastIndex(starts, phases.Count - 1, s => s <= step);
            if (phases[p].RecordSpikes) keep.Add(j);
        }
        var counts = new long[experiment.N];
        foreach (int j in keep) counts[indices[j]]++;
        return (keep.Select(j => indices[j]).ToArray(), keep.Select(j => times[j]).ToArray(), counts);
    }

    /// <summary>Reports a phase's progress as progress of the whole run.</summary>
    private sealed class PhaseProgress(Action<long> report) : IProgress<(long Done, long Total)>
    {
        public void Report((long Done, long Total) value) => report(value.Done);
    }

    /// <summary>A snapshot is either complete or absent: written beside, then renamed over.</summary>
    private static void WriteAtomically(string path, byte[] blob)
    {
        string temporary = path + ".partial";
        File.WriteAllBytes(temporary, blob);
        File.Move(temporary, path, overwrite: true);
    }
}
