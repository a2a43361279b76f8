using System.Globalization;
using NeuroNative.Interop;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.IR;

namespace NeuroNative.Models.Integrators;

/// <summary>
/// A registered integration method: it decides whether it can integrate a model and describes the
/// step as data. Adding a method needs no backend change.
/// </summary>
public interface IIntegrationMethod
{
    string Name { get; }
    IReadOnlyList<string> Aliases { get; }
    /// <summary>The step program, or null with the reason this method cannot integrate the model.
    /// <paramref name="dt"/>: the time step the groups will use, when known (Brian chooses at run time,
    /// when it is; exact needs it to know whether a TimedArray is constant over a step).</summary>
    StepProgram? TryDerive(AnalyzedModel model, double? dt, out string reason);
}

/// <summary>The method registry, with Brian 2's names and default choice.</summary>
public static class IntegrationMethods
{
    private static readonly List<IIntegrationMethod> Registered =
    [
        new RungeKuttaMethod("euler", [], MethodDescription.Euler, allowsAdditiveNoise: true),
        new RungeKuttaMethod("rk2", [], MethodDescription.Tableau(new double[,] { { 0, 0 }, { 0.5, 0 } }, [0, 1], [0, 0.5]),
            allowsAdditiveNoise: false),
        new RungeKuttaMethod("rk4", [], MethodDescription.Tableau(
            new double[,] { { 0, 0, 0, 0 }, { 0.5, 0, 0, 0 }, { 0, 0.5, 0, 0 }, { 0, 0, 1, 0 } },
            [1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6], [0, 0.5, 0.5, 1]), allowsAdditiveNoise: false),
        new StochasticMethod("heun", MethodKind.StochasticHeun, diagonalOnly: false),
        // PyRates' and TVB-O's heun (the predictor–corrector); Brian's heun is the stochastic scheme above,
        // which is Euler on deterministic equations. Unitless dynamics map their 'heun' to this one.
        new RungeKuttaMethod("explicit_heun", [], MethodDescription.Tableau(new double[,] { { 0, 0 }, { 1, 0 } }, [0.5, 0.5], [0, 1]),
            allowsAdditiveNoise: false),
        new StochasticMethod("milstein", MethodKind.Milstein, diagonalOnly: true),
        new ExponentialEulerMethod(),
        new ExactLinearMethod(),
    ];

    /// <summary>Brian's NeuronGroup default: the first of these that can integrate the model.</summary>
    private static readonly string[] DefaultOrder = ["exact", "euler", "heun"];

    public static IReadOnlyList<string> Names => Registered.Select(m => m.Name).ToList();

    public static void Register(IIntegrationMethod method)
    {
        lock (Registered)
        {
            if (Find(method.Name) is not null) throw new ArgumentException($"method '{method.Name}' is already registered");
            Registered.Add(method);
        }
    }

    public static IIntegrationMethod? Find(string name)
    {
        lock (Registered)
            return Registered.FirstOrDefault(m => m.Name == name || m.Aliases.Contains(name));
    }

    /// <summary>Names Brian 2.5.1 still accepts with a warning, the method we integrate them with, and
    /// Brian's warning. 'independent' solves each equation on its own with sympy; for decoupled linear
    /// equations that is exact's closed form (coupled ones, whose other variables it holds constant, are
    /// refused).</summary>
    private static readonly Dictionary<string, (string Method, string Warning)> Deprecated = new()
    {
        ["independent"] = ("exact", "The 'independent' state updater is deprecated and might be removed in future " +
            "versions of Brian; integrated with 'exact'"),
    };

    /// <summary>Derives the step program with the model's method (or Brian's default choice), its
    /// right-hand sides free of removable singularities (<see cref="IrSingularities"/>). <paramref name="dt"/>: the
    /// groups' time step when known (see <see cref="IIntegrationMethod.TryDerive"/>).</summary>
    public static StepProgram Derive(AnalyzedModel model, double? dt = null)
    {
        var program = Choose(model, dt);
        IrNode Remove(IrNode root) => IrSingularities.Remove(model.Builder, root);
        return program with
        {
            Derivatives = program.Derivatives.Select(Remove).ToList(),
            Noise = program.Noise.Select(g => (IReadOnlyList<IrNode>)g.Select(Remove).ToList()).ToList(),
            LinearA = program.LinearA.Select(Remove).ToList(),
            LinearB = program.LinearB.Select(Remove).ToList(),
        };
    }

    private static StepProgram Choose(AnalyzedModel model, double? dt)
    {
        string? requested = model.Definition.Method;
        if (!string.IsNullOrWhiteSpace(requested))
        {
            // Brian looks method names up in lower case ('RK4' is rk4).
            string name = requested.Trim().ToLowerInvariant();
            if (Deprecated.TryGetValue(name, out var deprecated))
            {
                var program = Find(deprecated.Method)!.TryDerive(model, dt, out var why) ?? throw new ModelException("method", why);
                if (program.Method.Kind == MethodKind.LinearSystem)
                    throw new ModelException("method", $"method '{name}' solves each equation with the other variables " +
                        "held constant over the step, which is not implemented for coupled equations; use 'exact'");
                return Chosen(program, $"method '{name}' requested (deprecated): integrated with '{program.MethodName}'",
                    [$"method '{name}': {deprecated.Warning}"]);
            }
            var method = Find(name) ?? throw new ModelException("method",
                $"no integration method named '{requested.Trim()}' is known; available: {string.Join(", ", Names)}");
            return method.TryDerive(model, dt, out var reason) ?? throw new ModelException("method", reason);
        }
        var rejected = new List<string>();
        foreach (var name in DefaultOrder)
        {
            var program = Find(name)!.TryDerive(model, dt, out var reason);
            if (program is not null)
                return Chosen(program, rejected.Count == 0
                    ? $"no method given: chose '{name}', the first of {string.Join(", ", DefaultOrder)} that applies"
                    : $"no method given: chose '{name}' ({string.Join("; ", rejected)})", []);
            rejected.Add($"{name}: {reason}");
        }
        throw new ModelException("method", $"no integration method applies to this model ({string.Join("; ", rejected)})");
    }

    private static StepProgram Chosen(StepProgram program, string reason, IReadOnlyList<string> warnings) =>
        program with { MethodReason = reason, Warnings = warnings };

    // ---- shared derivation steps ---------------------------------------------------------------

    internal static StateFlags BaseFlags(StateVariable s) => s.UnlessRefractory ? StateFlags.UnlessRefractory : StateFlags.None;

    internal static bool HasNoise(AnalyzedModel model) => model.NoiseTerms.Count > 0;

    /// <summary>Splits each right-hand side into f + Σ g_j xi_j. Null with a reason when a noise term
    /// does not enter linearly.</summary>
    internal static (IrNode[] F, IrNode[][] G)? SplitNoise(AnalyzedModel model, out string reason)
    {
        var b = model.Builder;
        var f = new IrNode[model.States.Count];
        var g = new IrNode[model.States.Count][];
        reason = "";
        for (int v = 0; v < model.States.Count; v++)
        {
            var rhs = model.States[v].Rhs;
            f[v] = b.Substitute(rhs, n => n.Op == IrOp.Noise ? b.Constant(0) : null);
            g[v] = new IrNode[model.NoiseTerms.Count];
            for (int j = 0; j < model.NoiseTerms.Count; j++)
            {
                int term = j;
                var gj = IrCalculus.Differentiate(b, rhs, n => n.Op == IrOp.Noise && n.Index == term);
                if (gj is null || IrCalculus.DependsOn(gj, n => n.Op == IrOp.Noise))
                {
                    reason = $"the noise term '{model.NoiseTerms[j]}' does not enter the equation for '{model.States[v].Name}' " +
                        "linearly (expected ... + g*xi)";
                    return null;
                }
                g[v][j] = gj;
            }
        }
        return (f, g);
    }

    internal static bool DependsOnState(IrNode n) => IrCalculus.DependsOn(n, x => x.Op == IrOp.State);

    internal static StepProgram Program(AnalyzedModel model, string name, MethodDescription method,
        IReadOnlyList<IrNode> derivatives, IReadOnlyList<IReadOnlyList<IrNode>> noise,
        IReadOnlyList<IrNode>? a = null, IReadOnlyList<IrNode>? bCoeff = null, IReadOnlyList<StateFlags>? flags = null)
        => new()
        {
            Model = model,
            MethodName = name,
            MethodReason = $"method '{name}' requested",
            Method = method,
            Derivatives = derivatives,
            Noise = noise,
            LinearA = a ?? [],
            LinearB = bCoeff ?? [],
            Flags = flags ?? model.States.Select(BaseFlags).ToList(),
        };
}

/// <summary>Explicit Runge–Kutta from a tableau (euler, rk2, rk4); Euler–Maruyama for additive noise.</summary>
internal sealed class RungeKuttaMethod(string name, IReadOnlyList<string> aliases, MethodDescription tableau,
    bool allowsAdditiveNoise) : IIntegrationMethod
{
    public string Name => name;
    public IReadOnlyList<string> Aliases => aliases;

    public StepProgram? TryDerive(AnalyzedModel model, double? dt, out string reason)
    {
        var split = IntegrationMethods.SplitNoise(model, out reason);
        if (split is null) return null;
        var (f, g) = split.Value;
        if (IntegrationMethods.HasNoise(model))
        {
            if (!allowsAdditiveNoise)
            {
                reason = $"{name} cannot integrate stochastic equations; use euler (additive noise), heun or milstein";
                return null;
            }
            for (int v = 0; v < g.Length; v++)
                if (g[v].Any(IntegrationMethods.DependsOnState))
                {
                    reason = $"{name} can only integrate additive noise, but the noise in the equation for " +
                        $"'{model.States[v].Name}' depends on state variables; use heun or milstein";
                    return null;
                }
        }
        reason = "";
        return IntegrationMethods.Program(model, name, tableau, f, g);
    }
}

/// <summary>Brian's stochastic Heun (Stratonovich) and derivative-free Milstein. Without noise both
/// are forward Euler, exactly as in Brian.</summary>
internal sealed class StochasticMethod(string name, MethodKind kind, bool diagonalOnly) : IIntegrationMethod
{
    public string Name => name;
    public IReadOnlyList<string> Aliases => [];

    public StepProgram? TryDerive(AnalyzedModel model, double? dt, out string reason)
    {
        var split = IntegrationMethods.SplitNoise(model, out reason);
        if (split is null) return null;
        var (f, g) = split.Value;
        if (!IntegrationMethods.HasNoise(model))
            return IntegrationMethods.Program(model, name, MethodDescription.Euler, f, g);
        if (diagonalOnly)
        {
            for (int j = 0; j < model.NoiseTerms.Count; j++)
            {
                int users = g.Count(row => !row[j].IsConstantValue(0));
                if (users > 1)
                {
                    reason = $"{name} needs diagonal noise, but '{model.NoiseTerms[j]}' appears in {users} equations";
                    return null;
                }
            }
        }
        return IntegrationMethods.Program(model, name, MethodDescription.SingleStage(kind), f, g);
    }
}

/// <summary>
/// Exponential Euler as Brian defines it (get_conditionally_linear_system): each right-hand side,
/// expanded and collected in its variable x, must be A·x + B, where A and B may contain x inside
/// function calls and denominators (x·tanh(x), v/(1+exp(-v))); both are evaluated on the state at
/// the start of the step. Other powers of x are refused: Brian too refuses them, except where x^n is
/// the only other term, which it silently drops.
/// </summary>
internal sealed class ExponentialEulerMethod : IIntegrationMethod
{
    public string Name => "exponential_euler";
    public IReadOnlyList<string> Aliases => [];

    public StepProgram? TryDerive(AnalyzedModel model, double? dt, out string reason)
    {
        reason = "";
        if (IntegrationMethods.HasNoise(model))
        {
            reason = "exponential_euler cannot integrate stochastic equations; use euler, heun or milstein";
            return null;
        }
        var b = model.Builder;
        int n = model.States.Count;
        var a = new IrNode[n];
        var bb = new IrNode[n];
        var flags = new StateFlags[n];
        for (int v = 0; v < n; v++)
        {
            var s = model.States[v];
            int index = v;
            bool IsX(IrNode x) => x.Op == IrOp.State && x.Index == index;
            var powers = IrCalculus.CollectPowers(b, s.Rhs, IsX);
            string? why = powers is null ? $"{s.Name} is raised to a power that is not a number"
                : NonLinearPower(powers) is { } p
                    ? $"expanded, it has a term in {s.Name}**{p.ToString(CultureInfo.InvariantCulture)}" +
                      (powers.Count == 2 && powers.ContainsKey(1) ? ", which Brian 2.5.1 would silently drop" : "")
                : !powers.ContainsKey(1) && IrCalculus.DependsOn(s.Rhs, IsX)
                    ? $"{s.Name} appears only inside functions or denominators, with no term in {s.Name} itself"
                : null;
            if (powers is null || why is not null)
            {
                reason = $"{Name} cannot integrate the equation for '{s.Name}': 'd{s.Name}/dt = {s.Expression}' is not " +
                    $"linear in {s.Name} ({why}); use rk4, euler or heun";
                return null;
            }
            a[v] = powers.GetValueOrDefault(1) ?? b.Constant(0);
            bb[v] = powers.GetValueOrDefault(0) ?? b.Constant(0);
            flags[v] = LinearForm.Flags(s, a[v], bb[v]);
        }
        return IntegrationMethods.Program(model, Name, MethodDescription.SingleStage(MethodKind.ExponentialEuler), [], [], a, bb, flags);
    }

    private static double? NonLinearPower(SortedDictionary<double, IrNode> powers) =>
        powers.Keys.Where(p => p is not (0 or 1)).Cast<double?>().FirstOrDefault();
}

/// <summary>
/// Brian's 'exact' (alias 'linear', its LinearStateUpdater) for dX/dt = M X + c with M and c free of
/// state variables and constant over a step. Brian refuses what sympy cannot solve: a singular M
/// (here: no nonzero diagonal after reordering rows, which is what a variable missing from every
/// equation or an equation without state gives, or a numerically singular M of numbers) and a
/// solution with complex values (here: a coupled pair with constant coefficients and complex
/// eigenvalues, e.g. a rotation; docs/brian2-semantics.md §3). Decoupled equations keep
/// the scalar closed form x' = -B/A + (x + B/A) exp(A dt) of the exponential Euler step; a coupled
/// system is integrated with the matrix exponential, per neuron (NN_METHOD_LINEAR_SYSTEM).
/// </summary>
internal sealed class ExactLinearMethod : IIntegrationMethod
{
    public string Name => "exact";
    public IReadOnlyList<string> Aliases => ["linear"];

    public StepProgram? TryDerive(AnalyzedModel model, double? dt, out string reason)
    {
        if (IntegrationMethods.HasNoise(model))
        {
            reason = "exact cannot integrate stochastic equations";
            return null;
        }
        var system = LinearForm.Derive(model, dt, out reason);
        if (system is null) return null;
        var (m, c) = system.Value;
        int n = c.Length;
        bool Nonzero(int r, int j) => !m[r, j].IsConstantValue(0);
        if (!LinearForm.HasNonzeroDiagonal(n, Nonzero) || LinearForm.NumericallySingular(m))
        {
            int empty = Enumerable.Range(0, n).FirstOrDefault(v => Enumerable.Range(0, n).All(r => !Nonzero(r, v)), -1);
            reason = empty >= 0
                ? $"exact cannot integrate the equation for '{model.States[empty].Name}': no equation depends on " +
                  $"'{model.States[empty].Name}' (a singular linear system); use euler"
                : "exact cannot integrate these equations: their linear system is singular; use euler";
            return null;
        }
        for (int r = 0; r < n; r++)
            for (int j = r + 1; j < n; j++)
                if (LinearForm.ComplexPair(m, r, j) is true)
                {
                    reason = $"exact cannot integrate the equations for '{model.States[r].Name}' and '{model.States[j].Name}': " +
                        "their solution oscillates (complex eigenvalues), which Brian's exact does not support; use euler or rk4";
                    return null;
                }
        var flags = model.States.Select(IntegrationMethods.BaseFlags).ToArray();
        bool coupled = Enumerable.Range(0, n).Any(r => Enumerable.Range(0, n).Any(j => j != r && Nonzero(r, j)));
        if (!coupled)
        {
            var a = Enumerable.Range(0, n).Select(v => m[v, v]).ToArray();
            for (int v = 0; v < n; v++) flags[v] = LinearForm.Flags(model.States[v], a[v], c[v]);
            return IntegrationMethods.Program(model, Name, MethodDescription.SingleStage(MethodKind.ExponentialEuler), [], [], a, c, flags);
        }
        if (n > Native.LinearSystemMaxStates)
        {
            reason = $"exact integrates coupled linear systems of at most {Native.LinearSystemMaxStates} " +
                $"variables; this one has {n}; use euler or rk4";
            return null;
        }
        var matrix = new IrNode[n * n];
        for (int r = 0; r < n; r++)
            for (int j = 0; j < n; j++) matrix[r * n + j] = m[r, j];
        return IntegrationMethods.Program(model, Name, MethodDescription.SingleStage(MethodKind.LinearSystem), [], [], matrix, c, flags);
    }
}

internal static class LinearForm
{
    /// <summary>dX/dt = M X + c with M_vj = ∂f_v/∂x_j and c = f(0), all free of state variables.</summary>
    public static (IrNode[,] M, IrNode[] C)? Derive(AnalyzedModel model, double? dt, out string reason)
    {
        var b = model.Builder;
        int n = model.States.Count;
        var m = new IrNode[n, n];
        var c = new IrNode[n];
        reason = "";
        for (int v = 0; v < n; v++)
        {
            var s = model.States[v];
            for (int j = 0; j < n; j++)
            {
                int index = j;
                bool IsX(IrNode x) => x.Op == IrOp.State && x.Index == index;
                var derivative = IrCalculus.Differentiate(b, s.Rhs, IsX);
                string other = model.States[j].Name;
                if (derivative is null || IntegrationMethods.DependsOnState(derivative))
                {
                    reason = $"exact cannot integrate the equation for '{s.Name}': 'd{s.Name}/dt = {s.Expression}' is not " +
                        $"linear in {other}" + (derivative is null ? "" : $" (its coefficient of {other} depends on state variables)") +
                        "; use rk4, euler or heun";
                    return null;
                }
                m[v, j] = derivative;
            }
            c[v] = b.Substitute(s.Rhs, x => x.Op == IrOp.State ? b.Constant(0) : null);
            for (int j = 0; j <= n; j++)
            {
                var term = j < n ? m[v, j] : c[v];
                if (ChangeWithinStep(model, term, dt) is { } why)
                {
                    reason = $"exact cannot integrate the equation for '{s.Name}': its " +
                        (j < n ? $"coefficient of {model.States[j].Name}" : "constant term") + $" changes within a time step ({why})";
                    return null;
                }
            }
        }
        return (m, c);
    }

    /// <summary>Whether the rows can be reordered so that every diagonal entry is nonzero (a perfect
    /// matching of rows to columns, by augmenting paths): else M is singular whatever its values.</summary>
    internal static bool HasNonzeroDiagonal(int n, Func<int, int, bool> nonzero)
    {
        var rowOf = Enumerable.Repeat(-1, n).ToArray();
        bool Assign(int r, bool[] seen)
        {
            for (int j = 0; j < n; j++)
            {
                if (!nonzero(r, j) || seen[j]) continue;
                seen[j] = true;
                if (rowOf[j] < 0 || Assign(rowOf[j], seen)) { rowOf[j] = r; return true; }
            }
            return false;
        }
        return Enumerable.Range(0, n).All(r => Assign(r, new bool[n]));
    }

    /// <summary>Whether M, all of whose entries are numbers, is singular: Gaussian elimination with partial
    /// pivoting meets a pivot below 1e-12 of the largest entry (Brian's symbols cancel exactly, folded
    /// constants to rounding). False when an entry is not a number.</summary>
    internal static bool NumericallySingular(IrNode[,] m)
    {
        int n = m.GetLength(0);
        var a = new double[n, n];
        double largest = 0;
        for (int r = 0; r < n; r++)
            for (int j = 0; j < n; j++)
            {
                if (!m[r, j].IsConstant) return false;
                a[r, j] = m[r, j].Value;
                largest = Math.Max(largest, Math.Abs(a[r, j]));
            }
        for (int k = 0; k < n; k++)
        {
            int pivot = Enumerable.Range(k, n - k).MaxBy(r => Math.Abs(a[r, k]));
            if (!(Math.Abs(a[pivot, k]) > 1e-12 * largest)) return true;
            for (int j = 0; j < n; j++) (a[k, j], a[pivot, j]) = (a[pivot, j], a[k, j]);
            for (int r = k + 1; r < n; r++)
            {
                double f = a[r, k] / a[k, k];
                for (int j = k; j < n; j++) a[r, j] -= f * a[k, j];
            }
        }
        return false;
    }

    /// <summary>For variables r and j coupled both ways and to nothing else, with constant coefficients:
    /// whether the 2x2 block has complex eigenvalues ((a - d)^2 + 4 b c &lt; 0); null when that is not known.</summary>
    internal static bool? ComplexPair(IrNode[,] m, int r, int j)
    {
        int n = m.GetLength(0);
        for (int k = 0; k < n; k++)
            if (k != r && k != j && !(m[r, k].IsConstantValue(0) && m[j, k].IsConstantValue(0) && m[k, r].IsConstantValue(0) && m[k, j].IsConstantValue(0)))
                return null;
        IrNode a = m[r, r], b = m[r, j], c = m[j, r], d = m[j, j];
        if (!(a.IsConstant && b.IsConstant && c.IsConstant && d.IsConstant) || b.Value == 0 || c.Value == 0) return null;
        return (a.Value - d.Value) * (a.Value - d.Value) + 4 * b.Value * c.Value < 0;
    }

    /// <summary>The step flags of dx/dt = A x + B: A or B identically zero take the shorter closed forms.</summary>
    internal static StateFlags Flags(StateVariable s, IrNode a, IrNode b) => IntegrationMethods.BaseFlags(s)
        | (a.IsConstantValue(0) ? StateFlags.LinearAZero : IrCalculus.IsLaneUniform(a) ? StateFlags.LinearAUniform : 0)
        | (b.IsConstantValue(0) ? StateFlags.LinearBZero : 0);

    /// <summary>Why a term is not constant over a step (Brian's is_constant_over_dt), null when it is: t is allowed only
    /// as the time argument of a TimedArray whose samples last a whole number of steps (its dt a multiple of the
    /// group's; unchecked while the group's dt is unknown); random numbers never are.</summary>
    internal static string? ChangeWithinStep(AnalyzedModel model, IrNode root, double? dt)
    {
        var stack = new Stack<IrNode>();
        var seen = new HashSet<IrNode>(ReferenceEqualityComparer.Instance);
        stack.Push(root);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n)) continue;
            if (IrMath.IsRandom(n.Op)) return "random numbers";
            if (n.Op == IrOp.Special && (IrSpecial)n.Index is IrSpecial.Time or IrSpecial.TimeStep) return "explicit t";
            if (n.Op == IrOp.Input && n.Args[0] is { Op: IrOp.Special, Index: (int)IrSpecial.Time })
            {
                var input = model.Inputs[n.Index];
                if (dt is { } step && (step > input.Array.Dt || Math.Floor(input.Array.Dt / step) != input.Array.Dt / step))
                    return $"the dt of TimedArray '{input.Name}', {input.Array.Dt:R} s, is not a whole multiple of the group's " +
                        $"dt, {step:R} s, so its value is not constant over a step";
                stack.Push(n.Args[1]);
                continue;
            }
            foreach (var c in n.Args) stack.Push(c);
        }
        return null;
    }
}
