using NeuroNative.Models.IR;
using NeuroNative.Models.Units;

namespace NeuroNative.Models.Analysis;

public enum VariableKind { State, Parameter }

public enum VariableType { Float, Integer, Boolean }

public enum RefractoryKind { None, Duration, Condition }

/// <summary>An integrated variable: <c>dx/dt = Rhs</c>; Rhs may contain noise leaves (xi terms).</summary>
public sealed record StateVariable(string Name, Dimension Dimension, bool UnlessRefractory, IrNode Rhs, string Expression, string? Description);

/// <summary>A per-neuron value the integrator does not change (set by the user, by sweeps, by reset
/// or event statements). <see cref="FromNamespace"/> marks namespace constants made per-neuron; their
/// <see cref="Default"/> is the namespace value.</summary>
public sealed record ModelParameter(string Name, Dimension Dimension, VariableType Type, bool IsConstant, bool IsShared,
    bool FromNamespace, double? Default, string? Description)
{
    /// <summary>A <c>(constant over dt)</c> subexpression: as in Brian, a parameter (0 until the first step) that
    /// the operation <see cref="Schedule"/> runs before the start of every step sets to the expression.</summary>
    public bool ConstantOverDt { get; init; }

    /// <summary>Brian's <c>_{event}space</c> of a custom event: 1 where its condition held when last checked.</summary>
    public string? EventSpaceOf { get; init; }
}

public sealed record ModelSubexpression(string Name, Dimension Dimension, IrNode Node, string Expression,
    bool IsBoolean, string? Description);

/// <summary>Statements run on every neuron at a point of the step (Brian's run_regularly, and the update of
/// <c>(constant over dt)</c> subexpressions): in native slot <see cref="Slot"/> (nn_slot), on the steps of its
/// clock (<see cref="Dt"/> seconds; null: every step). <see cref="Name"/> is Brian's name of the object.</summary>
public sealed record ModelOperation(string Name, string Context, IReadOnlyList<IrStore> Stores, int Slot, double? Dt)
{
    internal Schedule.Key Key { get; init; }
}

public sealed record ModelConstant(string Name, Quantity Value, string? Expression);

/// <summary>A user function as declared (<see cref="ModelDefinition.Functions"/>); its calls are inlined.</summary>
public sealed record ModelFunction(string Name, string Signature, string Expression, bool DiscardUnits);

public sealed record ModelInput(string Name, TimedArray Array);

/// <summary>An assignment of a statement block, after substitution: all values refer to the state
/// before the block ran, so stores can happen in any order.</summary>
public sealed record IrStore(VariableKind Kind, int Index, IrNode Value);

/// <summary>
/// The checked, analysed model: every name resolved, every unit checked, subexpressions in
/// dependency order, right-hand sides, threshold, reset and refractoriness lowered to IR.
/// </summary>
public sealed class AnalyzedModel
{
    internal AnalyzedModel(ModelDefinition definition, IrBuilder builder, ModelScope scope)
    {
        Definition = definition;
        Builder = builder;
        Scope = scope;
    }

    internal ModelScope Scope { get; }
    public ModelDefinition Definition { get; }
    public IrBuilder Builder { get; }
    public required IReadOnlyList<StateVariable> States { get; init; }
    public required IReadOnlyList<ModelParameter> Parameters { get; init; }
    /// <summary>In dependency order: each one only uses those before it.</summary>
    public required IReadOnlyList<ModelSubexpression> Subexpressions { get; init; }
    public required IReadOnlyList<ModelConstant> Constants { get; init; }
    public required IReadOnlyList<ModelFunction> Functions { get; init; }
    public required IReadOnlyList<ModelInput> Inputs { get; init; }
    /// <summary>Noise term names (xi, xi_1, ...); term j is drawn from its own noise stream.</summary>
    public required IReadOnlyList<string> NoiseTerms { get; init; }
    public required IrNode? Threshold { get; init; }
    public required IReadOnlyList<IrStore> Reset { get; init; }
    public required RefractoryKind RefractoryKind { get; init; }
    public required IrNode? Refractory { get; init; }
    public required IReadOnlyList<IReadOnlyList<IrStore>> Events { get; init; }
    /// <summary>In the order they run (Brian's schedule), slots non-decreasing.</summary>
    public required IReadOnlyList<ModelOperation> Operations { get; init; }
    /// <summary>Random streams used by rand()/randn() calls (0, 1, ...; noise terms have streams of their own).</summary>
    public int RandomStreams => Scope.RandomStreams;

    /// <summary>Names a sweep or fit can vary: per-neuron parameters and namespace constants.</summary>
    public IReadOnlyList<string> FreeParameters =>
        [.. Parameters.Where(p => !p.IsShared && !p.ConstantOverDt && p.EventSpaceOf is null).Select(p => p.Name),
         .. Constants.Select(c => c.Name)];

    /// <summary>The parameter holding a custom event's neurons (<see cref="ModelParameter.EventSpaceOf"/>), or -1.</summary>
    public int EventSpaceIndex(string eventName)
    {
        for (int p = 0; p < Parameters.Count; p++)
            if (Parameters[p].EventSpaceOf == eventName) return p;
        return -1;
    }

    /// <summary>Brian's name of the threshold's event, which an EventMonitor of it (a SpikeMonitor) records.</summary>
    public const string SpikeEvent = "spike";

    /// <summary>Where an EventMonitor records by default: as Brian, just after the check of its condition (its when,
    /// its order + 1); for <see cref="SpikeEvent"/>, after the threshold ('thresholds', 1).</summary>
    public (string When, int Order) EventMonitorDefault(string eventName)
    {
        if (eventName == SpikeEvent && Threshold is not null) return ("thresholds", 1);
        var e = Definition.CustomEvents.FirstOrDefault(x => x.Name == eventName)
            ?? throw new ArgumentException($"the model has no {(eventName == SpikeEvent ? "threshold, so no 'spike' event" : $"custom event '{eventName}'")}" +
                (Definition.CustomEvents.Count == 0 ? "" : $"; it has {string.Join(", ", Definition.CustomEvents.Select(x => x.Name))}"),
                nameof(eventName));
        return (e.ConditionWhen, e.ConditionOrder + 1);
    }

    /// <summary>Where a monitor with Brian's <paramref name="when"/> and <paramref name="order"/> samples: the native
    /// slot and the number of operations that run before it. Brian's default for a state monitor ('start', 0) is
    /// <see cref="SampleAfter"/> in slot 0, where reducers sample too. <paramref name="name"/> is Brian's name of
    /// the monitor, the schedule's last tie-break.</summary>
    public (int Slot, int AfterOperations) MonitorPoint(string when, int order, string name = Schedule.MonitorName)
    {
        var key = new Schedule.Key(Schedule.Position(when) ?? throw new ArgumentException(
            $"when is '{when}'; expected one of {string.Join(", ", Schedule.SlotNames)}", nameof(when)), order, name);
        return (Schedule.SlotOf(key), Operations.Count(o => o.Key.CompareTo(key) < 0));
    }

    /// <summary>The operations that run before monitors sample by default (Brian's StateMonitor at 'start', order 0).</summary>
    public int SampleAfter => MonitorPoint("start", 0).AfterOperations;

    public IrPrinter.Names Names => new([.. States.Select(s => s.Name)], [.. Parameters.Select(p => p.Name)],
        NoiseTerms, [.. Inputs.Select(i => i.Name)]);

    public int StateIndex(string name) => IndexOf(States.Select(s => s.Name), name);
    public int ParameterIndex(string name) => IndexOf(Parameters.Select(p => p.Name), name);

    private static int IndexOf(IEnumerable<string> names, string name)
    {
        int k = 0;
        foreach (var n in names)
        {
            if (n == name) return k;
            k++;
        }
        return -1;
    }

    /// <summary>
    /// Compiles an extra expression in the model's scope (initial values such as <c>'El'</c> or
    /// <c>'alpha_h/(alpha_h+beta_h)'</c>, monitored subexpressions). Returns its IR and dimension.
    /// </summary>
    public (IrNode Node, Dimension Dimension, bool IsBoolean) CompileExpression(string text, string context)
    {
        var t = Scope.CompileStandalone(text, context);
        return (t.Node, t.Dimension, t.IsBoolean);
    }

    /// <summary>
    /// As <see cref="CompileExpression"/>, but namespace constants made per-neuron keep their namespace
    /// value: the scope of the quantities an experiment file gives (dt, durations, sweep bounds).
    /// </summary>
    internal (IrNode Node, Dimension Dimension, bool IsBoolean) CompileWithNamespaceValues(string text, string context)
    {
        var t = Scope.CompileStandalone(text, context, namespaceValues: true);
        return (t.Node, t.Dimension, t.IsBoolean);
    }
}
