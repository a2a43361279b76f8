using NeuroNative.Interop;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Units;

namespace NeuroNative;

/// <summary>One recorded variable: <see cref="Values"/> is [neuron][sample] in SI units.</summary>
public sealed record StateTrace(string Variable, Dimension Unit, IReadOnlyList<long> Neurons, double[] Times, double[][] Values)
{
    /// <summary>The values as one array, neuron by neuron ([neuron * samples + sample]), when they were asked for
    /// that way (<see cref="StateMonitor.GetColumn"/>); <see cref="Values"/> is then empty.</summary>
    public double[]? Column { get; init; }
}

/// <summary>The native array a variable name reads: a state variable, a parameter, a subexpression (observable j
/// is subexpression j, computed natively from the state) or, with refractoriness, lastspike and not_refractory.</summary>
internal readonly record struct NativeVariable(nn_array_kind Kind, int Index, Dimension Unit)
{
    /// <summary>Throws <see cref="ModelException"/> for a name the model does not know and
    /// <see cref="ArgumentException"/> for an expression that is not a name.</summary>
    public static NativeVariable Resolve(AnalyzedModel model, string name, string context)
    {
        int s = model.StateIndex(name);
        if (s >= 0) return new(nn_array_kind.NN_ARRAY_STATE, s, model.States[s].Dimension);
        int p = model.ParameterIndex(name);
        if (p >= 0) return new(nn_array_kind.NN_ARRAY_PARAM, p, model.Parameters[p].Dimension);
        for (int j = 0; j < model.Subexpressions.Count; j++)
            if (model.Subexpressions[j].Name == name)
                return new(nn_array_kind.NN_ARRAY_OBSERVABLE, j, model.Subexpressions[j].Dimension);
        if (model.RefractoryKind != RefractoryKind.None && name == "lastspike")
            return new(nn_array_kind.NN_ARRAY_LASTSPIKE, 0, Dimension.Time);
        if (model.RefractoryKind != RefractoryKind.None && name == "not_refractory")
            return new(nn_array_kind.NN_ARRAY_NOT_REFRACTORY, 0, Dimension.Dimensionless);
        model.CompileExpression(name, context); // names what is unknown, with line and column
        throw new ArgumentException($"{context}: '{name}' is an expression; record state variables, parameters and " +
            "subexpressions by name (declare the expression as a subexpression of the model)", nameof(name));
    }
}

/// <summary>
/// Records variables of some neurons every k steps, before each step's update (Brian's StateMonitor:
/// sample j is the state at t = j·k·dt). The native core records every variable, subexpressions included
/// (computed from the state of each sample), so reading a trace is a copy.
/// </summary>
public sealed class StateMonitor
{
    private readonly NeuronGroup _group;
    private readonly int _monitor;
    private readonly Dictionary<string, (int Column, Dimension Unit)> _variables = new(StringComparer.Ordinal);

    internal StateMonitor(NeuronGroup group, IReadOnlyList<string> variables, IReadOnlyList<long> neurons, long every,
        string when, int order)
    {
        var (slot, after) = group.Model.MonitorPoint(when, order); // checks `when` before anything native
        if (variables.Count == 0) throw new ArgumentException("record at least one variable", nameof(variables));
        if (every <= 0) throw new ArgumentOutOfRangeException(nameof(every), every, "record every 1 or more steps");
        foreach (var n in neurons)
            if (n < 0 || n >= group.N)
                throw new ArgumentOutOfRangeException(nameof(neurons), n, $"neuron indices must be in 0..{group.N - 1}");
        _group = group;
        Neurons = neurons;
        Every = every;
        var recorded = new List<NativeVariable>();
        foreach (var name in variables)
        {
            if (_variables.ContainsKey(name)) continue;
            var v = NativeVariable.Resolve(group.Model, name, $"monitored variable '{name}'");
            _variables[name] = (recorded.Count, v.Unit);
            recorded.Add(v);
        }
        _monitor = Native.AddStateMonitor(group.Handle, recorded.Select(r => r.Kind).ToArray(),
            recorded.Select(r => r.Index).ToArray(), neurons.ToArray(), every);
        if ((slot, after) != (0, group.Model.SampleAfter)) Native.SetMonitorSlot(group.Handle, _monitor, slot, after);
        When = when;
        Order = order;
        _runsBefore = group.Runs;
    }

    private readonly long _runsBefore;

    /// <summary>Brian's <c>record_single_timestep()</c>: one more sample, of the values at the current time (after a
    /// run, the final state, which a monitor at 'start' otherwise never sees), whether the monitor is on or off. As in
    /// Brian, only after the group has run with this monitor (a run of 0 s suffices).</summary>
    public void RecordSingleTimestep()
    {
        if (_group.Runs == _runsBefore)
            throw new InvalidOperationException("a single time step can only be recorded after the group has run with this " +
                "monitor (Brian: 'Can only record a single time step after the network has been run once'); a run of 0 s suffices");
        Native.RecordMonitorSample(_group.Handle, _monitor);
    }

    /// <summary>Brian's <c>when</c> and <c>order</c> of the monitor: where in the step it samples.</summary>
    public string When { get; }
    public int Order { get; }

    public IReadOnlyList<long> Neurons { get; }
    public long Every { get; }

    /// <summary>On when created. Off: the coming runs take no samples (Brian's <c>monitor.active = False</c>),
    /// so a monitor can record only some phases of a protocol. A snapshot restores only into a group whose
    /// monitors are on and off as they were when it was taken.</summary>
    public bool Enabled
    {
        get => _enabled;
        set
        {
            Native.SetMonitorEnabled(_group.Handle, _monitor, value);
            _enabled = value;
        }
    }

    private bool _enabled = true;
    public IReadOnlyCollection<string> Variables => _variables.Keys;

    public double[] Times => Native.GetMonitorTimes(_group.Handle, _monitor);

    public StateTrace this[string variable] => Get(variable);

    /// <summary>As <see cref="Get"/>, the values in one array [neuron * samples + sample] (no copy per neuron: what
    /// large recordings that are written out whole need).</summary>
    public StateTrace GetColumn(string variable)
    {
        var v = Resolve(variable);
        var times = Times;
        return new StateTrace(variable, v.Unit, Neurons, times, []) { Column = Native.GetMonitorValues(_group.Handle, _monitor, v.Column, Neurons.Count) };
    }

    public StateTrace Get(string variable)
    {
        var v = Resolve(variable);
        var times = Times;
        int samples = times.Length;
        var column = Native.GetMonitorValues(_group.Handle, _monitor, v.Column, Neurons.Count); // [neuron][sample]
        var values = new double[Neurons.Count][];
        for (int n = 0; n < values.Length; n++) values[n] = column.AsSpan(n * samples, samples).ToArray();
        return new StateTrace(variable, v.Unit, Neurons, times, values);
    }

    private (int Column, Dimension Unit) Resolve(string variable) => _variables.TryGetValue(variable, out var v) ? v
        : throw new ArgumentException($"'{variable}' is not recorded by this monitor (recorded: {string.Join(", ", _variables.Keys)})",
            nameof(variable));
}
