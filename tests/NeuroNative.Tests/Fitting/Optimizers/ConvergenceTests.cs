using NeuroNative.Fitting.Optimizers;
using Xunit;
using Xunit.Abstractions;

namespace NeuroNative.Tests.Fitting.Optimizers;

/// <summary>
/// Each method with its default options and population on the standard functions: every seed must bring the best
/// point within the tolerance (max-norm, in parameter units) of the known minimum within the budget. Rastrigin's
/// tolerance 0.1 is inside the global basin (|x_i| &lt; 0.5), whose neighbours' minima lie at distance 0.995. The
/// budgets are 1.5 to 2 times the worst of seeds 1–10 measured when they were set (docs/optimizers.md); the
/// evaluations each seed took are written to the test output.
/// </summary>
public class ConvergenceTests(ITestOutputHelper output)
{
    private static readonly ulong[] Seeds = [1, 2, 3, 4, 5];

    public static TheoryData<string, string, double, int> Cases => new()
    {
        // method, function, tolerance, budget (evaluations)
        { "DE", "sphere2", 1e-3, 1500 },
        { "DE", "sphere5", 1e-3, 3500 },
        { "DE", "rosenbrock2", 1e-3, 3000 },
        { "DE", "rastrigin2", 0.1, 1500 },
        { "CMAES", "sphere2", 1e-3, 400 },
        { "CMAES", "sphere5", 1e-3, 1200 },
        { "CMAES", "rosenbrock2", 1e-3, 1600 },
        { "CMAES", "rastrigin2", 0.1, 3000 },
        { "PSO", "sphere2", 1e-3, 2800 },
        { "PSO", "sphere5", 1e-3, 4000 },
        { "PSO", "rosenbrock2", 1e-3, 6500 },
        { "PSO", "rastrigin2", 0.1, 2500 },
        { "NelderMead", "sphere2", 1e-3, 250 },
        { "NelderMead", "sphere5", 1e-3, 1500 },
        { "NelderMead", "rosenbrock2", 1e-3, 600 },
        { "NelderMead", "rastrigin2", 0.1, 1000 }, // by its restarts, each a local search from a new random vertex
        { "GP", "sphere2", 1e-2, 30 },
        { "GP", "sphere5", 1e-2, 90 },
        { "GP", "rosenbrock2", 3e-2, 120 },
    };

    [Theory, MemberData(nameof(Cases))]
    public void ConvergesWithinBudget(string method, string function, double tolerance, int budget)
    {
        var f = TestFunction.Named(function);
        var used = Seeds.Select(seed => Driver.EvaluationsToConverge(OptimizerFactory.Create(method), f, null, seed, tolerance, budget)).ToArray();
        output.WriteLine($"{method} {function}: evaluations to {tolerance} per seed: {string.Join(", ", used.Select(u => u?.ToString() ?? "not within budget"))}");
        Assert.All(used, u => Assert.NotNull(u));
    }
}
