using NeuroNative.Models.Units;

namespace NeuroNative.Models;

/// <summary>
/// A model as a user writes it for Brian 2: equations, a namespace of external constants, and the
/// threshold/reset/refractory/method arguments of a NeuronGroup.
/// </summary>
public sealed record ModelDefinition
{
    public ModelDefinition(string equations) => Equations = equations;

    /// <summary>Brian 2 equations, verbatim (differential equations, subexpressions, parameters).</summary>
    public string Equations { get; init; }

    /// <summary>External names: quantities, expressions such as <c>(1*ufarad*cm**-2) * area</c>, or
    /// TimedArrays. Expressions may refer to each other and are resolved in dependency order.</summary>
    public IReadOnlyDictionary<string, NamespaceValue> Namespace { get; init; } = new Dictionary<string, NamespaceValue>();

    /// <summary>Functions written in the model language, one per line, e.g. <c>usersin(x : 1) = sin(x) : 1</c> or
    /// <c>scaled(v : volt, n : integer) = n*v : volt</c>: each argument's and the result's unit (or <c>integer</c>,
    /// <c>boolean</c>) as after an equation's ':'; the flag <c>(discard units)</c> computes the body with SI numbers.
    /// A body sees its arguments, namespace constants, units and other functions; calls are inlined.</summary>
    public string? Functions { get; init; }

    /// <summary>Boolean expression, e.g. <c>v &gt; -50*mV</c>; null: the model never spikes.</summary>
    public string? Threshold { get; init; }

    /// <summary>Statements run on each spiking neuron, e.g. <c>v = Vr; w += b</c>.</summary>
    public string? Reset { get; init; }

    /// <summary>A duration (<c>5*ms</c>, or an expression evaluating to one) or a boolean condition
    /// (<c>v &gt; -20*mV</c>) during which the neuron is refractory.</summary>
    public string? Refractory { get; init; }

    /// <summary>Brian's method name (euler, rk2, rk4, heun, milstein, exponential_euler, exact);
    /// null chooses like Brian: exact, else euler, else heun.</summary>
    public string? Method { get; init; }

    /// <summary>Input events: statements run on one neuron at scheduled times (what a synapse does
    /// on a presynaptic spike, e.g. <c>g += w</c>).</summary>
    public IReadOnlyList<EventDefinition> Events { get; init; } = [];

    /// <summary>Namespace names to turn into per-neuron parameters (the swept or fitted ones).</summary>
    public IReadOnlyList<string> PerNeuronConstants { get; init; } = [];

    /// <summary>Brian's <c>G.run_regularly(...)</c> operations, in the order they were added (which names them
    /// <c>run_regularly</c>, <c>run_regularly_1</c>, ... as Brian does, the last tie-break of its schedule).</summary>
    public IReadOnlyList<RunRegularly> RunRegularly { get; init; } = [];

    /// <summary>Brian's custom events (<c>events={'name': 'condition'}</c>, <c>run_on_event</c>,
    /// <c>set_event_schedule</c>): refractoriness does not gate them unless the condition says so.</summary>
    public IReadOnlyList<CustomEvent> CustomEvents { get; init; } = [];
}

/// <summary>A custom event: <paramref name="Condition"/> is checked on every neuron at
/// (<see cref="ConditionWhen"/>, <see cref="ConditionOrder"/>) — Brian's default 'after_thresholds' — and
/// <see cref="Code"/>, if any, runs at (<see cref="When"/>, <see cref="Order"/>) — Brian's default
/// 'after_resets' — on the neurons for which it held when it was last checked.</summary>
public sealed record CustomEvent(string Name, string Condition, string? Code = null)
{
    public string When { get; init; } = "after_resets";
    public int Order { get; init; }
    public string ConditionWhen { get; init; } = "after_thresholds";
    public int ConditionOrder { get; init; }
}

/// <summary>Brian's <c>run_regularly(code, dt, when, order)</c>: statements (as in a reset) run on every neuron in
/// the slot <paramref name="When"/> (start, groups, thresholds, synapses, resets, end, each also with before_ and
/// after_) at <paramref name="Order"/> within it, on the steps of a clock of <paramref name="Dt"/> seconds (a whole
/// multiple of the group's dt; null: the group's clock).</summary>
public sealed record RunRegularly(string Code, string When = "start", int Order = 0, double? Dt = null);

/// <summary>Statements run on a neuron when an event arrives; <see cref="ValueName"/> names the value
/// carried by each event (a synaptic weight), with unit <see cref="ValueUnit"/>.</summary>
public sealed record EventDefinition(string Code, string ValueName = "w", Dimension ValueUnit = default);

/// <summary>A value in a model's namespace.</summary>
public abstract record NamespaceValue
{
    public static implicit operator NamespaceValue(string expression) => new NamespaceExpression(expression);
    public static implicit operator NamespaceValue(Quantity quantity) => new NamespaceQuantity(quantity);
    public static implicit operator NamespaceValue(double value) => new NamespaceQuantity(Quantity.Dimensionless(value));
    public static implicit operator NamespaceValue(TimedArray array) => new NamespaceTimedArray(array);
}

public sealed record NamespaceExpression(string Text) : NamespaceValue;
public sealed record NamespaceQuantity(Quantity Value) : NamespaceValue;
public sealed record NamespaceTimedArray(TimedArray Array) : NamespaceValue;

/// <summary>
/// Brian's TimedArray: samples every <see cref="Dt"/> seconds, called as <c>ta(t)</c> (one column) or
/// <c>ta(t, i)</c> (one column per neuron). <see cref="Values"/> is row-major [time][column], SI.
/// </summary>
public sealed record TimedArray(double[] Values, int Columns, double Dt, Dimension Unit)
{
    public int Times => Columns == 0 ? 0 : Values.Length / Columns;

    /// <summary>
    /// Brian's lookup: with K = max(2^ceil(log2(8 dt_array/dt_group)), 1) and e = dt_array/K, the sample is
    /// trunc((t/e + 0.5)/K) clamped to the array, i.e. sample k at step k when the dts are equal.
    /// A column outside the array gives NaN, as in Brian's compiled targets.
    /// </summary>
    public double Sample(double time, double column, double groupDt)
    {
        int col = (int)Math.Truncate(column);
        if (column < 0 || col >= Columns || double.IsNaN(column)) return double.NaN;
        double k = Math.Max(Math.Pow(2, Math.Ceiling(Math.Log2(8 * Dt / groupDt))), 1);
        double epsilon = Dt / k;
        double index = Math.Truncate((time / epsilon + 0.5) / k);
        long row = (long)Math.Clamp(index, 0, Times - 1);
        return Values[row * Columns + col];
    }
}
