using NeuroNative.Models.Analysis;
using NeuroNative.Models.IR;

namespace NeuroNative.Fitting;

/// <summary>
/// The output traces of a <see cref="BatchedTraceSimulator"/>'s model and their exact derivatives in the fitted
/// parameters: one run of n_traces neurons of the model augmented with its sensitivity equations
/// (<see cref="Sensitivities"/>), the outputs and their sensitivities recorded. It gives Levenberg–Marquardt the
/// residuals and their Jacobian from one run per point.
/// </summary>
public sealed class TraceSensitivities : IDisposable
{
    private readonly BatchedTraceSimulator _simulator;
    private readonly CompiledModel _compiled;
    private readonly NeuronGroup _group;
    private readonly StateMonitor _monitor;
    private readonly IReadOnlyList<string> _parameters, _outputs;
    private double[]? _at;
    private double _iteration;
    private Dictionary<string, double[][]> _traces = [];
    private Dictionary<string, double[][]?[]> _derivatives = [];

    /// <param name="parameters">The fitted per-neuron parameters, in the order of <see cref="Run"/>'s values.</param>
    /// <param name="outputs">State variables whose traces and derivatives are recorded.</param>
    public TraceSensitivities(BatchedTraceSimulator simulator, IReadOnlyList<string> parameters, IReadOnlyList<string> outputs)
    {
        var model = simulator.Compiled;
        foreach (string output in outputs.Where(o => model.Model.StateIndex(o) < 0))
            throw new FitException($"refine: gradient needs the output '{output}' to be a state variable of the model " +
                "(the sensitivities of subexpressions are not generated)");
        foreach (var (variable, expression) in simulator.Settings.ParamInit)
        {
            var (node, _, _) = model.Model.CompileExpression(expression, $"initial value of '{variable}'");
            var fitted = parameters.FirstOrDefault(p =>
                IrCalculus.DependsOn(node, x => x.Op == IrOp.Parameter && x.Index == model.Model.ParameterIndex(p)));
            if (fitted is not null)
                throw new FitException($"refine: param_init.{variable} = '{expression}' depends on the fitted parameter '{fitted}'; " +
                    "gradient refinement needs initial values independent of the fitted parameters");
        }
        SensitivitySystem system;
        try { system = Sensitivities.Augment(model.Program, parameters); }
        catch (ArgumentException e) { throw new FitException($"refine: gradient: {e.Message}"); }
        System = system;
        _simulator = simulator;
        _parameters = parameters;
        _outputs = outputs;
        // Levenberg–Marquardt runs it tens of times (up to its iteration limit): worth a compiled kernel, as Auto weighs it.
        _compiled = CompiledModel.Compile(system.Program, model.Options with { ExpectedNeuronSteps = (double)simulator.TraceCount * simulator.Steps * 200 });
        _group = _compiled.CreateGroup(simulator.TraceCount, new GroupOptions { Dt = simulator.Settings.Dt, Threads = simulator.Settings.Threads });
        _monitor = _group.Record([.. outputs, .. outputs.SelectMany(o => parameters.Select(p => system.NameOf(o, p))).OfType<string>()]);
    }

    /// <summary>The augmented model: which sensitivities it integrates.</summary>
    public SensitivitySystem System { get; }

    /// <summary>Runs of the augmented model so far (a repeated point is not run again).</summary>
    public int Runs { get; private set; }

    /// <summary>Runs with the parameters' <paramref name="values"/> (SI, in the constructor's order) at
    /// <c>iteration</c> = <paramref name="iteration"/>, unless that was the last call's point, and returns each output's
    /// traces (a row per trace) and, per parameter, d trace/d parameter (null where identically zero).</summary>
    public (IReadOnlyDictionary<string, double[][]> Traces, IReadOnlyDictionary<string, double[][]?[]> Derivatives) Run(
        IReadOnlyList<double> values, double iteration = 0)
    {
        if (_at is not null && values.SequenceEqual(_at) && iteration == _iteration) return (_traces, _derivatives);
        Runs++;
        _group.Reset();
        for (int k = 0; k < _parameters.Count; k++) _group.Set(_parameters[k], values[k]);
        _group.Set(BatchedTraceSimulator.IterationVariable, iteration);
        foreach (var (variable, expression) in _simulator.Settings.ParamInit) _group.Set(variable, expression);
        _group.RunSteps(_simulator.Steps);
        _traces = _outputs.ToDictionary(o => o, o => _monitor.Get(o).Values.ToArray());
        _derivatives = _outputs.ToDictionary(o => o, o => _parameters.Select(p => System.NameOf(o, p) is { } s ? _monitor.Get(s).Values.ToArray() : null).ToArray());
        _at = [.. values];
        _iteration = iteration;
        return (_traces, _derivatives);
    }

    public void Dispose()
    {
        _group.Dispose();
        _compiled.Dispose();
    }
}
