namespace NeuroNative.Runs;

/// <summary>
/// How far a run is: its work in neuron-steps (<see cref="NeuronStepsBefore"/> of it done by earlier processes of a
/// resumed run, so that a rate counts only this process's work), the conditions and chunks finished.
/// <see cref="Label"/> names what runs (an exploration's name; empty for a Brian-model run).
/// </summary>
public readonly record struct RunProgress(string Label, long NeuronStepsDone, long NeuronStepsTotal, long NeuronStepsBefore,
    long ConditionsDone, long Conditions, int ChunksDone, int Chunks)
{
    public double Fraction => NeuronStepsTotal > 0 ? (double)NeuronStepsDone / NeuronStepsTotal : 1;

    /// <summary>A run in one piece of <paramref name="conditions"/> conditions at step <paramref name="steps"/> of
    /// <paramref name="totalSteps"/>.</summary>
    public static RunProgress OfSteps(string label, long steps, long totalSteps, long conditions) =>
        new(label, steps * conditions, totalSteps * conditions, 0, steps >= totalSteps ? conditions : 0, conditions, 0, 0);
}
