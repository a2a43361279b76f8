using NeuroNative.Interop;
using NeuroNative.Models.IR;
using NeuroNative.Models.Units;

namespace NeuroNative;

/// <summary>One recorded variable: <see cref="Values"/> is [neuron][sample] in SI units.</summary>
public sealed record StateTrace(string Variable, Dimension Unit, IReadOnlyList<long> Neurons, double[] Times, double[][] Values);

/// <summary>
/// Records variables of some neurons every k steps, before each step's update (Brian's StateMonitor:
/// sample j is the state at t = j·k·dt). Subexpressions are recorded through the variables they
/// depend on and evaluated afterwards with the model's IR.
/// </summary>
public sealed class StateMonitor
{
    private readonly NeuronGroup _group;
    private readonly int _monitor;
    private readonly List<(nn_array_kind Kind, int Index)> _recorded = [];
    private readonly Dictionary<string, (IrNode Node, Dimension Unit)> _variables = new(StringComparer.Ordinal);

    internal StateMonitor(NeuronGroup group, IReadOnlyList<string> variables, IReadOnlyList<long> neurons, long every)
    {
        if (variables.Count == 0) throw new ArgumentException("record at least one variable", nameof(variables));
        if (every <= 0) throw new ArgumentOutOfRangeException(nameof(every), every, "record every 1 or more steps");
        foreach (var n in neurons)
            if (n < 0 || n >= group.N)
                throw new ArgumentOutOfRangeException(nameof(neurons), n, $"neuron indices must be in 0..{group.N - 1}");
        _group = group;
        Neurons = neurons;
        Every = every;
        var model = group.Model;
        foreach (var name in variables)
        {
            var (node, unit, _) = model.CompileExpression(name, $"monitored variable '{name}'");
            _variables[name] = (node, unit);
            foreach (var leaf in IrCalculus.TopologicalOrder([node]).Where(x => x.Op is IrOp.State or IrOp.Parameter))
            {
                var key = (leaf.Op == IrOp.State ? nn_array_kind.NN_ARRAY_STATE : nn_array_kind.NN_ARRAY_PARAM, leaf.Index);
                if (!_recorded.Contains(key)) _recorded.Add(key);
            }
        }
        if (_recorded.Count == 0) _recorded.Add((nn_array_kind.NN_ARRAY_STATE, 0)); // keeps the sample times of constant expressions
        _monitor = Native.AddStateMonitor(group.Handle, _recorded.Select(r => r.Kind).ToArray(),
            _recorded.Select(r => r.Index).ToArray(), neurons.ToArray(), every);
    }

    public IReadOnlyList<long> Neurons { get; }
    public long Every { get; }
    public IReadOnlyCollection<string> Variables => _variables.Keys;

    public double[] Times => Native.GetMonitorTimes(_group.Handle, _monitor);

    public StateTrace this[string variable] => Get(variable);

    public StateTrace Get(string variable)
    {
        if (!_variables.TryGetValue(variable, out var v))
            throw new ArgumentException($"'{variable}' is not recorded by this monitor (recorded: {string.Join(", ", _variables.Keys)})",
                nameof(variable));
        var times = Times;
        int samples = times.Length, neurons = Neurons.Count;
        var columns = _recorded.Select((_, k) => Native.GetMonitorValues(_group.Handle, _monitor, k, neurons)).ToArray();
        var values = new double[neurons][];
        var program = new IrProgram([v.Node]);
        for (int n = 0; n < neurons; n++)
        {
            values[n] = new double[samples];
            for (int s = 0; s < samples; s++)
                values[n][s] = program.Evaluate(new SampleLeaves(this, columns, n, s, times[s]));
        }
        return new StateTrace(variable, v.Unit, Neurons, times, values);
    }

    private readonly struct SampleLeaves(StateMonitor monitor, double[][] columns, int neuron, int sample, double t) : IIrLeaves
    {
        private double Column(nn_array_kind kind, int index)
        {
            int k = monitor._recorded.IndexOf((kind, index));
            return columns[k][neuron * (columns[k].Length / monitor.Neurons.Count) + sample];
        }

        public double State(int index) => Column(nn_array_kind.NN_ARRAY_STATE, index);
        public double Parameter(int index) => Column(nn_array_kind.NN_ARRAY_PARAM, index);
        public double Special(IrSpecial special) => special switch
        {
            IrSpecial.Time => t,
            IrSpecial.Dt => monitor._group.Dt,
            IrSpecial.NeuronIndex => monitor.Neurons[neuron],
            IrSpecial.NeuronCount => monitor._group.N,
            IrSpecial.TimeStep => Math.Round(t / monitor._group.Dt),
            _ => throw new InvalidOperationException($"'{special}' cannot be recorded after the fact; record it as a variable"),
        };
        public double Input(int input, double time, double column) =>
            monitor._group.Model.Inputs[input].Array.Sample(time, column, monitor._group.Dt);
        public double Rand(int stream) => throw new InvalidOperationException("a monitored expression cannot draw random numbers");
        public double Randn(int stream) => throw new InvalidOperationException("a monitored expression cannot draw random numbers");
    }
}
