using System.Diagnostics;
using NeuroNative.Experiments;

namespace NeuroNative.Backends.Cuda;

/// <summary>
/// An experiment run on the GPU (<c>--backend cuda</c>): the CPU group sets the neurons up (sweep, initial values),
/// <see cref="GpuSimulation"/> runs them; spike counts, spikes, state traces (when='start') and final values of state
/// variables come back as the CPU run's. What the device does not record yet is refused before anything runs.
/// </summary>
internal static class GpuRun
{
    /// <summary>Throws <see cref="NotSupportedException"/> naming the first thing of the experiment or the settings
    /// that the GPU backend does not run (docs/gpu.md).</summary>
    public static void Check(Experiment experiment, RunSettings settings)
    {
        string Refuse(string what) => throw new NotSupportedException(
            $"{experiment.Source}: {what}, which the GPU backend does not run yet (docs/gpu.md); use --backend auto, compiled or interpreted");
        var model = experiment.Program.Model;
        var states = model.States.Select(s => s.Name).ToHashSet();
        if (settings.StopAtStep is not null || settings.ResumeFrom is not null) Refuse("--stop-at-step and --resume need snapshots");
        if (model.Events.Count > 0) Refuse("the model has scheduled input events");
        if (model.Definition.CustomEvents.Count > 0) Refuse($"the model has custom events ({string.Join(", ", model.Definition.CustomEvents.Select(e => e.Name))})");
        if (experiment.RecordEvents.Count > 0) Refuse("record.events asks for event monitors");
        if (experiment.SpikeVariables is not null) Refuse("record.spikes asks for variables at each spike");
        if (experiment.RecordPopulationRate is not null) Refuse("record.population_rate asks for a population rate monitor");
        if (experiment.Phases is not [{ Set.Count: 0, RecordSpikes: true, RecordState: true, RecordSingleTimestep: false }])
            Refuse($"the experiment has {experiment.Phases.Count} phases (or a phase that sets values or pauses a monitor)");
        if (experiment.RecordState is { } r)
        {
            if (r.When != "start") Refuse($"record.state samples when '{r.When}' (the device samples at the step's start)");
            if (r.RecordSingleTimestep) Refuse("record.state records a single time step at the end");
            if (r.Variables.FirstOrDefault(v => !states.Contains(v)) is { } v) Refuse($"record.state records '{v}', not a state variable");
        }
        if (experiment.RecordFinal.FirstOrDefault(v => !states.Contains(v)) is { } f) Refuse($"record.final asks for '{f}', not a state variable");
    }

    /// <summary>Runs the group's neurons (set up as on the CPU) on the GPU and collects the result as
    /// <see cref="ExperimentRunner.Run"/> does. Mid-run checkpoints are not written: a cancelled chunk runs again.</summary>
    public static ExperimentResult Run(Experiment experiment, RunSettings settings, NeuronGroup group, NeuronSlice slice, ulong seed,
        IProgress<(long Done, long Total)>? progress, CancellationToken cancellation)
    {
        Check(experiment, settings);
        var options = (settings.Gpu ?? GpuOptions.FromEnvironment()) with { Precision = settings.Precision };
        using var gpu = GpuSimulation.FromGroup(group, options);
        var record = experiment.RecordState;
        var recorded = record?.Neurons.Where(i => i >= slice.First && i < slice.End).ToList() ?? [];
        if (record is not null && recorded.Count > 0) gpu.RecordState([.. recorded.Select(i => i - slice.First)], record.EverySteps);
        long requested = ExperimentRunner.PhaseStarts(group, experiment.Phases)[^1];
        var outcome = RunOutcome.Completed;
        string? error = null;
        var watch = Stopwatch.StartNew();
        try
        {
            gpu.RunSteps(requested, progress, cancellation);
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
        double seconds = watch.Elapsed.TotalSeconds;
        // A failed launch is not counted as done: its spikes are dropped with it.
        var spikes = gpu.Spikes.Where(s => s.Step < gpu.Step).ToList();
        double dt = experiment.Dt;
        return new ExperimentResult
        {
            Experiment = experiment,
            Neurons = slice,
            Outcome = outcome,
            Error = error,
            Backend = "cuda",
            BackendReason = $"requested; {gpu.Device}, {(gpu.LoadedFromCache ? "kernel loaded from the cache" : "kernel compiled")}",
            Precision = settings.Precision,
            IsaLevel = Interop.Native.IsaLevel(),
            Threads = 1,
            Seed = seed,
            StepsRequested = requested,
            PhaseStarts = [0],
            StepsDone = gpu.Step,
            CompileSeconds = gpu.CompileSeconds,
            SimulationSeconds = seconds,
            SpikeCounts = experiment.RecordSpikes ? SpikeCounts(spikes, slice) : null,
            SpikeIndices = experiment.RecordSpikes ? [.. spikes.Select(s => s.Neuron)] : null,
            SpikeTimes = experiment.RecordSpikes ? [.. spikes.Select(s => s.Step * dt)] : null,
            StateTimes = record is null ? null : Samples(gpu.Step, record.EverySteps, dt),
            StateValues = record is null || recorded.Count == 0 ? [] : [.. record.Variables.Select(v => Trace(gpu, v, recorded, group, settings.ColumnTraces, dt, record.EverySteps))],
            FinalValues = [.. experiment.RecordFinal.Select(v => (v, gpu.Get(v)))],
        };
    }

    private static long[] SpikeCounts(IReadOnlyList<GpuSpike> spikes, NeuronSlice slice)
    {
        var counts = new long[slice.Count];
        foreach (var s in spikes) counts[s.Neuron - slice.First]++;
        return counts;
    }

    /// <summary>The sampled steps' times (steps 0, every, 2 every, ... before <paramref name="steps"/>), as the native monitor's.</summary>
    private static double[] Samples(long steps, long every, double dt) =>
        [.. Enumerable.Range(0, (int)((steps + every - 1) / every)).Select(s => (s * every) * dt)];

    private static StateTrace Trace(GpuSimulation gpu, string variable, List<long> neurons, NeuronGroup group, bool column, double dt, long every)
    {
        var unit = group.Model.States.First(s => s.Name == variable).Dimension;
        var rows = Enumerable.Range(0, neurons.Count).Select(k => gpu.Trace(variable, k)).ToArray();
        var times = Samples(gpu.Step, every, dt);
        return column ? new StateTrace(variable, unit, neurons, times, []) { Column = [.. rows.SelectMany(r => r)] }
            : new StateTrace(variable, unit, neurons, times, rows);
    }
}
