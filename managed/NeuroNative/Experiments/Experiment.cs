using NeuroNative.Models;
using NeuroNative.Models.Integrators;
using NeuroNative.Models.Units;

namespace NeuroNative.Experiments;

public enum SweepMode
{
    /// <summary>Every combination; the first parameter varies fastest (numpy's meshgrid(...).flat).</summary>
    Product,
    /// <summary>Condition k takes the k-th value of every parameter (all lists equally long).</summary>
    Zip,
}

/// <summary>One swept name and its values in SI units. <see cref="IsNamespaceConstant"/>: the name is a
/// namespace constant made per-neuron (else a parameter of the equations).</summary>
public sealed record SweepParameter(string Name, Dimension Unit, bool IsNamespaceConstant, double[] Values);

/// <summary>The conditions of a sweep: one neuron each, <see cref="Columns"/> hold the per-neuron values.</summary>
public sealed record Sweep(SweepMode Mode, IReadOnlyList<SweepParameter> Parameters)
{
    public int Count => Mode == SweepMode.Zip
        ? Parameters[0].Values.Length
        : checked(Parameters.Aggregate(1, (n, p) => n * p.Values.Length));

    /// <summary>Per parameter, its value in each condition (index = neuron).</summary>
    public IReadOnlyList<double[]> Columns()
    {
        int count = Count;
        var columns = new List<double[]>();
        int stride = 1;
        foreach (var p in Parameters)
        {
            var column = new double[count];
            for (int c = 0; c < count; c++)
                column[c] = Mode == SweepMode.Zip ? p.Values[c] : p.Values[c / stride % p.Values.Length];
            columns.Add(column);
            stride *= p.Values.Length;
        }
        return columns;
    }
}

/// <summary>Brian's <c>G.v = 'El'</c>: an expression evaluated per neuron before the run (or before a phase),
/// or, with <see cref="Values"/>, Brian's <c>G.v = array</c>: one value per neuron (SI), the expression then
/// saying where they came from.</summary>
public sealed record InitialValue(string Variable, string Expression, double[]? Values = null);

/// <summary>
/// One segment of a protocol, Brian's <c>G.I = 0.5*nA; run(100*ms)</c>: the assignments made at its start
/// (evaluated per neuron, in order, as initial values), its duration, and whether the spike and state
/// monitors record during it.
/// </summary>
public sealed record Phase(double Duration, IReadOnlyList<InitialValue> Set, bool RecordSpikes, bool RecordState)
{
    /// <summary>Brian's <c>record_single_timestep()</c> after the phase: the state monitor samples the state it ends
    /// with once more.</summary>
    public bool RecordSingleTimestep { get; init; }
}

/// <summary>A StateMonitor: variables (states, parameters or subexpressions) of some neurons every
/// <see cref="EverySteps"/> steps.</summary>
public sealed record StateRecording(IReadOnlyList<string> Variables, IReadOnlyList<long> Neurons, long EverySteps)
{
    /// <summary>Brian's StateMonitor <c>when</c> and <c>order</c>: where in the step it samples.</summary>
    public string When { get; init; } = "start";
    public int Order { get; init; }
    /// <summary>Brian's <c>record_single_timestep()</c> after the run: one more sample, of the final state.</summary>
    public bool RecordSingleTimestep { get; init; }
}

/// <summary>A monitor of an event (Brian's SpikeMonitor of 'spike', EventMonitor of a custom event) with the values of
/// <see cref="Variables"/> at each event, at Brian's <see cref="When"/> and <see cref="Order"/> (null: its default
/// point, just after the event's condition is checked).</summary>
public sealed record EventRecording(string Event, IReadOnlyList<string> Variables)
{
    public string? When { get; init; }
    public int? Order { get; init; }
}

/// <summary>A PopulationRateMonitor of neurons [<see cref="Start"/>, <see cref="Stop"/>), with the rate also smoothed by
/// <see cref="Window"/> of <see cref="Width"/> seconds when a window is given.</summary>
public sealed record PopulationRateRecording(int Start, int Stop, RateWindow? Window, double Width);

/// <summary>
/// A checked experiment: the model (swept namespace constants made per-neuron), its derived step
/// program, the neurons (one per sweep condition), initial values, timing and what to record.
/// </summary>
public sealed record Experiment
{
    /// <summary>Where it was read from (used in messages and outputs).</summary>
    public required string Source { get; init; }
    public required ModelDefinition Model { get; init; }
    public required StepProgram Program { get; init; }
    public required int N { get; init; }
    /// <summary>Seconds.</summary>
    public required double Dt { get; init; }
    /// <summary>Seconds: the whole run, every phase (as Brian's network time after the last run).</summary>
    public required double Duration { get; init; }
    /// <summary>The segments run one after another, from step 0. By default one phase of <see cref="Duration"/>
    /// with no assignments in which every monitor records.</summary>
    public IReadOnlyList<Phase> Phases
    {
        get => _phases ?? [new Phase(Duration, [], true, true)];
        init => _phases = value;
    }
    public ulong Seed { get; init; }
    public Sweep? Sweep { get; init; }
    public IReadOnlyList<InitialValue> Initial { get; init; } = [];
    public bool RecordSpikes { get; init; }
    /// <summary>With <see cref="RecordSpikes"/>: the variables recorded at each spike (spikes_&lt;var&gt;.npy), or null.</summary>
    public EventRecording? SpikeVariables { get; init; }
    public StateRecording? RecordState { get; init; }
    public PopulationRateRecording? RecordPopulationRate { get; init; }
    /// <summary>Custom events recorded (in every phase), each by an EventMonitor.</summary>
    public IReadOnlyList<EventRecording> RecordEvents { get; init; } = [];
    /// <summary>Variables whose values after the last step are written (final_&lt;var&gt;.npy).</summary>
    public IReadOnlyList<string> RecordFinal { get; init; } = [];

    private readonly IReadOnlyList<Phase>? _phases;
}
