namespace NeuroNative.Fitting.Optimizers;

/// <summary>A parameter vector (in the order of <see cref="ParameterSpace.Parameters"/>) and the error told for it.</summary>
public sealed record Evaluation(IReadOnlyList<double> Parameters, double Error);

/// <summary>
/// A derivative-free minimizer driven from outside, as nevergrad's and scikit-optimize's ask/tell: the fitter
/// owns the loop and the simulations, the optimizer only proposes and learns. Each round the fitter asks for
/// one batch (simulated as one batched run), then tells the batch's errors:
/// <code>
/// int n = optimizer.Initialize(space, populationSize: 100, seed: 1);
/// for (int round = 0; round &lt; rounds; round++)
/// {
///     var batch = optimizer.Ask();              // n parameter vectors inside the bounds
///     optimizer.Tell(batch, Simulate(batch));   // n errors; NaN or ±inf for a diverged simulation
/// }
/// var best = optimizer.Best;
/// </code>
/// The same seed gives the same sequence of batches for the same errors.
/// </summary>
public interface IOptimizer
{
    /// <summary>The factory name of the method ("DE", "CMAES", ...).</summary>
    string Method { get; }

    /// <summary>Starts (or restarts) the search of <paramref name="space"/>. <paramref name="populationSize"/> is the
    /// batch the fitter would like (its n_samples; null for the method's default); the result is the size every
    /// <see cref="Ask"/> returns, which a method may change (each method documents how).</summary>
    int Initialize(ParameterSpace space, int? populationSize, ulong seed);

    /// <summary>The next batch: exactly the population size that <see cref="Initialize"/> returned, each vector inside
    /// the bounds. Each batch must be told before the next is asked.</summary>
    IReadOnlyList<double[]> Ask();

    /// <summary>The errors of the batch the last <see cref="Ask"/> returned, one per vector. A non-finite error
    /// (a diverged simulation) counts as worse than every finite one.</summary>
    void Tell(IReadOnlyList<double[]> batch, IReadOnlyList<double> errors);

    /// <summary>The lowest error told so far (non-finite ones read as +∞) and its parameters; null before the first Tell.</summary>
    Evaluation? Best { get; }
}
