using NeuroNative.Models.Analysis;
using NeuroNative.Models.IR;

namespace NeuroNative.Models.Integrators;

/// <summary>The step algorithms of the shared native integrator templates (nn_method).</summary>
public enum MethodKind
{
    ExplicitRungeKutta = 0,
    ExponentialEuler = 1,
    StochasticHeun = 2,
    Milstein = 3,
    LinearSystem = 4,
}

/// <summary>
/// A method as data: the algorithm family and, for Runge–Kutta, its Butcher tableau
/// (<see cref="A"/> row-major, strictly lower triangular). The step code is shared by all backends.
/// </summary>
public sealed record MethodDescription(MethodKind Kind, int Stages, double[] A, double[] B, double[] C)
{
    public static MethodDescription Tableau(double[,] a, double[] b, double[] c)
    {
        int s = b.Length;
        var flat = new double[s * s];
        for (int r = 0; r < s; r++)
            for (int k = 0; k < s; k++) flat[r * s + k] = a[r, k];
        return new MethodDescription(MethodKind.ExplicitRungeKutta, s, flat, b, c);
    }

    public static readonly MethodDescription Euler = Tableau(new double[,] { { 0 } }, [1], [0]);
    public static MethodDescription SingleStage(MethodKind kind) => new(kind, 1, [0], [1], [0]);
}

/// <summary>Bits of nn_state_flag.</summary>
[Flags]
public enum StateFlags
{
    None = 0,
    UnlessRefractory = 1,
    LinearAZero = 2,
    LinearBZero = 4,
    LinearAUniform = 8,
}

/// <summary>
/// What one time step computes, ready for any backend: the method, and the IR of every section
/// (derivatives, noise factors, linear coefficients, threshold, reset, refractoriness, events).
/// </summary>
public sealed record StepProgram
{
    public required AnalyzedModel Model { get; init; }
    /// <summary>The Brian method name that was used (after the default choice).</summary>
    public required string MethodName { get; init; }
    /// <summary>Why this method: the requested one, or the default choice with the reasons the earlier candidates failed.</summary>
    public required string MethodReason { get; init; }
    /// <summary>What Brian would warn about while choosing the method (e.g. a deprecated method name); empty when nothing.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
    public required MethodDescription Method { get; init; }
    /// <summary>f_v, the deterministic part of dx_v/dt (empty for exponential Euler).</summary>
    public required IReadOnlyList<IrNode> Derivatives { get; init; }
    /// <summary>g[v][j], the factor of dW_j in the equation for v (empty without noise).</summary>
    public required IReadOnlyList<IReadOnlyList<IrNode>> Noise { get; init; }
    /// <summary>dx/dt = A x + B per variable (exponential Euler and exact only); for
    /// <see cref="MethodKind.LinearSystem"/> dX/dt = M X + c with M row-major in A (n*n) and c in B.</summary>
    public required IReadOnlyList<IrNode> LinearA { get; init; }
    public required IReadOnlyList<IrNode> LinearB { get; init; }
    public required IReadOnlyList<StateFlags> Flags { get; init; }

    public int NoiseTerms => Model.NoiseTerms.Count;

    /// <summary>The outputs of the native linear section in order: A_v, B_v per variable, or for
    /// <see cref="MethodKind.LinearSystem"/> the rows of [M c].</summary>
    public IReadOnlyList<IrNode> LinearSection()
    {
        var roots = new List<IrNode>();
        int n = LinearB.Count, width = Method.Kind == MethodKind.LinearSystem ? n : 1;
        for (int v = 0; v < n; v++)
        {
            for (int j = 0; j < width; j++) roots.Add(LinearA[v * width + j]);
            roots.Add(LinearB[v]);
        }
        return roots;
    }

    /// <summary>Refuses a group time step under which 'exact' no longer applies: a TimedArray in its coefficients whose
    /// samples do not last a whole number of steps (the program was derived for another dt, or without one).</summary>
    public void CheckDt(double dt)
    {
        if (MethodName != "exact") return;
        foreach (var term in LinearA.Concat(LinearB))
            if (LinearForm.ChangeWithinStep(Model, term, dt) is { } why)
                throw new ArgumentException($"exact cannot integrate this model with dt = {dt:R} s: {why}; give another method, " +
                    "or compile the model for this dt (CompileOptions.Dt), where no method chooses euler as Brian does", nameof(dt));
    }
}
