using NeuroNative.Fitting.Optimizers;

namespace NeuroNative.Tests.Fitting.Optimizers;

/// <summary>A standard test function on a box whose centre is not its minimum, so no method starts at the answer.</summary>
public sealed record TestFunction(string Name, ParameterSpace Space, Func<double[], double> F, double[] Minimum)
{
    public override string ToString() => Name;

    /// <summary>Σ x², minimum 0 at the origin, on [−3, 7]^d.</summary>
    public static TestFunction Sphere(int d) =>
        new($"sphere{d}", Box(d, -3, 7), x => x.Sum(v => v * v), new double[d]);

    /// <summary>Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)², minimum 0 at (1, ..., 1), on [−2, 2]^d.</summary>
    public static TestFunction Rosenbrock(int d) =>
        new($"rosenbrock{d}", Box(d, -2, 2),
            x => Enumerable.Range(0, d - 1).Sum(i => 100 * Math.Pow(x[i + 1] - x[i] * x[i], 2) + Math.Pow(1 - x[i], 2)),
            Enumerable.Repeat(1.0, d).ToArray());

    /// <summary>10 d + Σ x² − 10 cos 2πx, minimum 0 at the origin among local minima near every integer point,
    /// on [−4.12, 6.12]^d: the usual width 10.24, centred on the local minimum (1, ..., 1).</summary>
    public static TestFunction Rastrigin(int d) =>
        new($"rastrigin{d}", Box(d, -4.12, 6.12), x => 10 * d + x.Sum(v => v * v - 10 * Math.Cos(2 * Math.PI * v)), new double[d]);

    public static TestFunction Named(string name) => name switch
    {
        "sphere2" => Sphere(2),
        "sphere5" => Sphere(5),
        "rosenbrock2" => Rosenbrock(2),
        "rastrigin2" => Rastrigin(2),
        _ => throw new ArgumentException(name),
    };

    public double Distance(IReadOnlyList<double> x) => x.Select((v, i) => Math.Abs(v - Minimum[i])).Max();

    private static ParameterSpace Box(int d, double lo, double hi) =>
        new(Enumerable.Range(0, d).Select(i => new Parameter($"x{i}", lo, hi)));
}

public static class Driver
{
    /// <summary>Runs whole rounds until the best point is within <paramref name="tolerance"/> (max-norm) of the minimum or
    /// the budget is spent; the evaluations it took, or null when it did not get there.</summary>
    public static int? EvaluationsToConverge(IOptimizer optimizer, TestFunction f, int? population, ulong seed, double tolerance, int budget)
    {
        int n = optimizer.Initialize(f.Space, population, seed), used = 0;
        while (used < budget)
        {
            var batch = optimizer.Ask();
            optimizer.Tell(batch, batch.Select(f.F).ToArray());
            used += n;
            if (f.Distance(optimizer.Best!.Parameters) <= tolerance) return used;
        }
        return null;
    }
}
