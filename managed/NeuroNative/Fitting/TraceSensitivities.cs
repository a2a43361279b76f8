using MathNet.Numerics.LinearAlgebra;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.IR;

namespace NeuroNative.Fitting;

/// <summary>
/// The traces of a fitter's model and their exact derivatives in the fitted parameters: one run of n_traces neurons
/// of the model augmented with its sensitivity equations (<see cref="Sensitivities"/>), the output and its
/// sensitivities recorded. It gives Levenberg–Marquardt the residuals and their Jacobian from one run per point.
/// </summary>
public sealed class TraceSensitivities : IDisposable
{
    private readonly CompiledModel _compiled;
    private readonly NeuronGroup _group;
    private readonly StateMonitor _monitor;
    private readonly IReadOnlyDictionary<string, string> _init;
    private readonly string _output;
    private readonly string?[] _sensitivity;
    private readonly long _steps;
    private double[]? _at;
    private double[][] _traces = [];
    private double[][]?[] _derivatives = [];

    /// <param name="model">The fitter's compiled model (its step program is augmented and compiled once more).</param>
    /// <param name="parameters">The fitted per-neuron parameters, in the order of the points.</param>
    /// <param name="init">Initial values (expressions) set before every run; they must not depend on a fitted parameter.</param>
    public TraceSensitivities(CompiledModel model, IReadOnlyList<string> parameters, string output, int traces, long steps, double dt,
        IReadOnlyDictionary<string, string> init, int threads = 0)
    {
        if (model.Model.StateIndex(output) < 0)
            throw new FitException($"refine: gradient needs the output '{output}' to be a state variable of the model " +
                "(the sensitivities of subexpressions are not generated)");
        foreach (var (variable, expression) in init)
        {
            var (node, _, _) = model.Model.CompileExpression(expression, $"initial value of '{variable}'");
            var fitted = parameters.FirstOrDefault(p => IrCalculus.DependsOn(node, x => x.Op == IrOp.Parameter && x.Index == model.Model.ParameterIndex(p)));
            if (fitted is not null)
                throw new FitException($"refine: param_init.{variable} = '{expression}' depends on the fitted parameter '{fitted}'; " +
                    "gradient refinement needs initial values independent of the fitted parameters");
        }
        SensitivitySystem system;
        try { system = Sensitivities.Augment(model.Program, parameters); }
        catch (ArgumentException e) { throw new FitException($"refine: gradient: {e.Message}"); }
        System = system;
        _compiled = CompiledModel.Compile(system.Program, model.Options with { ExpectedNeuronSteps = (double)traces * steps * 200 });
        _output = output;
        _steps = steps;
        _init = init;
        _sensitivity = [.. parameters.Select(p => system.NameOf(output, p))];
        _group = _compiled.CreateGroup(traces, new GroupOptions { Dt = dt, Threads = threads });
        _monitor = _group.Record([output, .. _sensitivity.OfType<string>()]);
    }

    /// <summary>Runs of the augmented model so far (a repeated point is not run again).</summary>
    public int Runs { get; private set; }

    /// <summary>The augmented model: which sensitivities it integrates.</summary>
    public SensitivitySystem System { get; }

    /// <summary>Runs (when <paramref name="values"/> changed since the last call) and returns the output's traces
    /// (a row per trace) and, per parameter, d trace/d parameter (null where identically zero).</summary>
    public (double[][] Traces, double[][]?[] Derivatives) Run(IReadOnlyList<(string Name, double Value)> values)
    {
        var at = values.Select(v => v.Value).ToArray();
        if (_at is not null && at.SequenceEqual(_at)) return (_traces, _derivatives);
        Runs++;
        _group.Reset();
        foreach (var (name, value) in values) _group.Set(name, value);
        foreach (var (variable, expression) in _init) _group.Set(variable, expression);
        _group.RunSteps(_steps);
        _traces = [.. _monitor.Get(_output).Values];
        _derivatives = [.. _sensitivity.Select(s => s is null ? null : _monitor.Get(s).Values.ToArray())];
        _at = at;
        return (_traces, _derivatives);
    }

    /// <summary>The Jacobian of the concatenated residual samples (trace r, samples from <paramref name="first"/>) in
    /// parameters scaled by <paramref name="scale"/> (d/dq with p = q·scale).</summary>
    public Matrix<double> Jacobian(IReadOnlyList<(string Name, double Value)> values, int first, IReadOnlyList<double> scale)
    {
        var (traces, derivatives) = Run(values);
        int samples = traces[0].Length - first;
        var jacobian = Matrix<double>.Build.Dense(traces.Length * samples, derivatives.Length);
        for (int k = 0; k < derivatives.Length; k++)
        {
            if (derivatives[k] is not { } d) continue;
            for (int r = 0; r < traces.Length; r++)
                for (int j = 0; j < samples; j++) jacobian[r * samples + j, k] = d[r][first + j] * scale[k];
        }
        return jacobian;
    }

    public void Dispose()
    {
        _group.Dispose();
        _compiled.Dispose();
    }
}
