using NeuroNative.Models.Integrators;
using NeuroNative.Models.IR;

namespace NeuroNative.Models.Analysis;

/// <summary>One sensitivity variable of an augmented model: S = ∂<see cref="State"/>/∂<see cref="Parameter"/>,
/// a state variable named <see cref="Name"/>.</summary>
public sealed record SensitivityVariable(string Name, string State, string Parameter);

/// <summary>A step program whose state variables are the model's followed by the sensitivities that are not
/// identically zero (<see cref="Variables"/>; every other ∂x/∂p is 0 throughout).</summary>
public sealed record SensitivitySystem(StepProgram Program, IReadOnlyList<string> Parameters, IReadOnlyList<SensitivityVariable> Variables)
{
    /// <summary>The variable holding ∂state/∂parameter, or null when that sensitivity is identically zero.</summary>
    public string? NameOf(string state, string parameter) =>
        Variables.FirstOrDefault(v => v.State == state && v.Parameter == parameter)?.Name;
}

/// <summary>
/// Forward sensitivity equations, generated symbolically from a step program (brian2modelfitting's
/// <c>calc_gradient=True, optimize=True</c>): for dx/dt = f(x, p), S_xp = ∂x/∂p with dS/dt = ∂f/∂x·S + ∂f/∂p, as
/// extra state variables integrated by the same engine and method, starting at 0. Sensitivities that are
/// identically zero (x depends on p neither directly nor through another variable) are pruned. The step of S is the
/// derivative of the model's discrete step, so S is the exact derivative of the simulated trace (docs/fitting.md):
/// for Runge–Kutta methods the method applied to the augmented system is exactly that; for exponential Euler the
/// equation of S is written so that its exponential Euler step is. Across a reset, S of a reset variable becomes
/// the derivative of the reset value (the spike's step held fixed).
/// </summary>
public static class Sensitivities
{
    /// <summary>The augmented program for the per-neuron parameters <paramref name="parameters"/>; an
    /// <see cref="ArgumentException"/> names what cannot be differentiated (noise, a coupled 'exact' system, a
    /// variable changed by something other than the integration and the reset...).</summary>
    public static SensitivitySystem Augment(StepProgram program, IReadOnlyList<string> parameters)
    {
        var model = program.Model;
        var b = model.Builder;
        int n = model.States.Count;
        if (program.NoiseTerms > 0)
            throw new ArgumentException("sensitivities: the model has noise terms; gradients of stochastic equations are not supported", nameof(program));
        if (program.Method.Kind is not (MethodKind.ExplicitRungeKutta or MethodKind.ExponentialEuler))
            throw new ArgumentException($"sensitivities: method '{program.MethodName}' (a coupled linear system) is not supported; " +
                "use exponential_euler, euler, rk2 or rk4", nameof(program));
        var indices = parameters.Select(p => model.ParameterIndex(p) is >= 0 and var k ? k
            : throw new ArgumentException($"sensitivities: '{p}' is not a per-neuron parameter of the model", nameof(parameters))).ToArray();
        CheckOtherWriters(model);

        bool exponential = program.Method.Kind == MethodKind.ExponentialEuler;
        // The expressions a state's new value is computed from: its derivative, or A and B of exponential Euler.
        var sections = Enumerable.Range(0, n).Select(v => exponential
            ? new[] { program.LinearA[v], program.LinearB[v] } : new[] { program.Derivatives[v] }).ToArray();
        var resets = model.Reset.Where(s => s.Kind == VariableKind.State).ToDictionary(s => s.Index, s => s.Value);

        var names = model.States.Select(s => s.Name).Concat(model.Parameters.Select(p => p.Name)).ToHashSet();
        var variables = new List<SensitivityVariable>();
        var states = new List<StateVariable>(model.States);
        var slot = new int[indices.Length, n]; // state index of S_{x,p}, -1 where it is identically zero
        for (int k = 0; k < indices.Length; k++)
        {
            var live = Live(model, sections, resets, indices[k]);
            for (int v = 0; v < n; v++)
            {
                slot[k, v] = -1;
                if (!live[v]) continue;
                slot[k, v] = states.Count;
                string name = $"S_{model.States[v].Name}_{parameters[k]}";
                while (!names.Add(name)) name += "_";
                variables.Add(new SensitivityVariable(name, model.States[v].Name, parameters[k]));
                var x = model.States[v];
                states.Add(x with
                {
                    Name = name, Dimension = x.Dimension / model.Parameters[indices[k]].Dimension, Rhs = b.Constant(0),
                    Expression = $"d({x.Name})/d({parameters[k]})", Description = $"sensitivity of {x.Name} to {parameters[k]}",
                });
            }
        }

        var derivatives = new List<IrNode>(program.Derivatives);
        var linearA = new List<IrNode>(program.LinearA);
        var linearB = new List<IrNode>(program.LinearB);
        var flags = new List<StateFlags>(program.Flags);
        var reset = new List<IrStore>(model.Reset);
        for (int k = 0; k < indices.Length; k++)
        {
            int p = indices[k];
            IrNode Total(IrNode e) => TotalDerivative(b, e, p, v => slot[k, v] < 0 ? null : b.State(slot[k, v]));
            for (int v = 0; v < n; v++)
            {
                int s = slot[k, v];
                if (s < 0) continue;
                var x = model.States[v];
                if (exponential)
                {
                    // x' = x E + B F with E = e^{A dt}, F = dt exprel(A dt) (A, B on the step's start). Its derivative is
                    // S' = S E + F (dB + dA (x E/φ + B H)), φ = exprel(A dt), H = (E/φ - 1)/A (dt/2 where A = 0); the
                    // exponential Euler step of dS/dt = A S + Bs is S E + F Bs, so Bs below makes it that derivative.
                    IrNode a = program.LinearA[v], bx = program.LinearB[v];
                    IrNode dA = Total(a), dB = Total(bx), bs = dB;
                    if (!dA.IsConstantValue(0))
                    {
                        var dt = b.Special(IrSpecial.Dt);
                        var adt = b.Multiply(a, dt);
                        var ratio = b.Divide(b.Unary(IrOp.Exp, adt), b.Unary(IrOp.Exprel, adt));
                        var h = b.Select(b.Binary(IrOp.Equal, a, b.Constant(0)), b.Multiply(dt, b.Constant(0.5)),
                            b.Divide(b.Subtract(ratio, b.Constant(1)), a));
                        bs = b.Add(dB, b.Multiply(dA, b.Add(b.Multiply(b.State(v), ratio), b.Multiply(bx, h))));
                    }
                    linearA.Add(a);
                    linearB.Add(bs);
                    flags.Add(LinearForm.Flags(states[s], a, bs));
                    states[s] = states[s] with { Rhs = Total(b.Add(b.Multiply(a, b.State(v)), bx)) };
                }
                else
                {
                    var f = Total(program.Derivatives[v]);
                    derivatives.Add(f);
                    flags.Add(IntegrationMethods.BaseFlags(x));
                    states[s] = states[s] with { Rhs = f };
                }
                if (resets.TryGetValue(v, out var value)) reset.Add(new IrStore(VariableKind.State, s, Total(value)));
            }
        }

        var augmented = new AnalyzedModel(model.Definition, b, model.Scope)
        {
            States = states,
            Parameters = model.Parameters,
            Subexpressions = model.Subexpressions,
            Constants = model.Constants,
            Functions = model.Functions,
            Inputs = model.Inputs,
            NoiseTerms = model.NoiseTerms,
            Threshold = model.Threshold,
            Reset = reset,
            RefractoryKind = model.RefractoryKind,
            Refractory = model.Refractory,
            Events = model.Events,
            Operations = model.Operations,
        };
        var augmentedProgram = program with
        {
            Model = augmented, Derivatives = derivatives, LinearA = linearA, LinearB = linearB, Flags = flags,
        };
        return new SensitivitySystem(augmentedProgram, parameters, variables);
    }

    /// <summary>Which states depend on parameter <paramref name="p"/>: directly in the expressions of their step or
    /// reset, or through a state that does (a fixed point; brian2modelfitting's optimize=True pruning).</summary>
    private static bool[] Live(AnalyzedModel model, IrNode[][] sections, Dictionary<int, IrNode> resets, int p)
    {
        int n = model.States.Count;
        var live = new bool[n];
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int v = 0; v < n; v++)
            {
                if (live[v]) continue;
                var roots = resets.TryGetValue(v, out var r) ? sections[v].Append(r) : sections[v];
                bool Reads(IrNode x) => (x.Op == IrOp.Parameter && x.Index == p) || (x.Op == IrOp.State && x.Index != v && live[x.Index]);
                if (roots.Any(root => IrCalculus.DependsOn(root, Reads))) changed = live[v] = true;
            }
        }
        return live;
    }

    /// <summary>d e/dp = Σ_y ∂e/∂y·S_y + ∂e/∂p over the states y with a sensitivity, piecewise (a condition held).</summary>
    private static IrNode TotalDerivative(IrBuilder b, IrNode e, int p, Func<int, IrNode?> sensitivity)
    {
        var total = Partial(b, e, x => x.Op == IrOp.Parameter && x.Index == p);
        foreach (var y in IrCalculus.TopologicalOrder([e]).Where(x => x.Op == IrOp.State).Select(x => x.Index).Distinct().Order())
        {
            if (sensitivity(y) is not { } s) continue;
            int index = y;
            total = b.Add(total, b.Multiply(Partial(b, e, x => x.Op == IrOp.State && x.Index == index), s));
        }
        return total;
    }

    private static IrNode Partial(IrBuilder b, IrNode e, Func<IrNode, bool> isVariable) =>
        IrCalculus.Differentiate(b, e, isVariable, piecewise: true)
        ?? throw new ArgumentException($"sensitivities: '{IrPrinter.Print(e)}' cannot be differentiated (a random draw or an input of the variable)");

    /// <summary>Sensitivities follow the integration and the reset only: a state or a parameter that the equations read,
    /// written by an event or a scheduled operation (run_regularly, a constant-over-dt subexpression), is refused.</summary>
    private static void CheckOtherWriters(AnalyzedModel model)
    {
        var written = model.Events.SelectMany(e => e).Concat(model.Operations.SelectMany(o => o.Stores))
            .Concat(model.Reset.Where(s => s.Kind == VariableKind.Parameter));
        foreach (var store in written)
        {
            string name = store.Kind == VariableKind.State ? model.States[store.Index].Name : model.Parameters[store.Index].Name;
            bool read = store.Kind == VariableKind.State || model.States.Any(s => IrCalculus.DependsOn(s.Rhs,
                x => x.Op == IrOp.Parameter && x.Index == store.Index));
            if (read)
                throw new ArgumentException($"sensitivities: '{name}' is changed by a statement other than the integration or the " +
                    "reset of a state variable (an event, run_regularly or a constant-over-dt subexpression); its sensitivity is not generated");
        }
    }
}
