namespace NeuroNative.Fitting.Optimizers;

/// <summary>Options of <see cref="DifferentialEvolution"/> (factory names: popsize, F, CR).</summary>
/// <param name="PopSize">Population; null takes the fitter's request, else 30 (nevergrad's "standard"). At least 4.</param>
/// <param name="F">Differential weight, of both the step to the best and the difference of two members (nevergrad: F1 = F2 = 0.8).</param>
/// <param name="CR">Binomial crossover probability (nevergrad: crossover = 0.5).</param>
/// <remarks>The defaults are not nevergrad's: on brian2modelfitting's HH tutorial (100 × 10 rounds)
/// F = 0.6, CR = 0.9 lowers the median error of F = 0.8, CR = 0.5 from 2.7e-6 to 1.6e-6 V² over seeds 1–40 (docs/optimizers.md).</remarks>
public sealed record DEOptions(int? PopSize = null, double F = 0.6, double CR = 0.9);

/// <summary>
/// Differential evolution (Storn &amp; Price 1997), DE/current-to-best/1/bin as nevergrad's default "DE" (with other
/// default weights, <see cref="DEOptions"/>): each
/// member x_i gets the trial v = x_i + F (x_best − x_i) + F (x_r1 − x_r2) (r1 ≠ r2 ≠ i drawn at random), crossed
/// over binomially with x_i (each coordinate from v with probability CR, one at random always), and the trial
/// replaces x_i when its error is not worse. A coordinate that leaves the box is put halfway between the parent's
/// and the bound. The first batch is a Latin hypercube; every later batch is the population's trials.
/// </summary>
public sealed class DifferentialEvolution : OptimizerBase
{
    private int _d;
    private double[][] _population = [];
    private double[] _errors = [];

    public DifferentialEvolution(DEOptions? options = null)
    {
        Options = options ?? new DEOptions();
        if (Options.PopSize is < 4) throw new ArgumentOutOfRangeException(nameof(options), $"DE option popsize must be at least 4; got {Options.PopSize}.");
        if (!(Options.F > 0 && Options.F <= 2)) throw new ArgumentOutOfRangeException(nameof(options), $"DE option F must be in (0, 2]; got {Options.F}.");
        if (!(Options.CR >= 0 && Options.CR <= 1)) throw new ArgumentOutOfRangeException(nameof(options), $"DE option CR must be in [0, 1]; got {Options.CR}.");
    }

    /// <summary>The options this optimizer runs with.</summary>
    public DEOptions Options { get; }

    public override string Method => "DE";

    private protected override int Start(int dimension, int? requested)
    {
        _d = dimension;
        int n = PopulationOf(Options.PopSize, requested, 30, 4);
        _population = [];
        _errors = [];
        return n;
    }

    private protected override double[][] Propose()
    {
        if (_population.Length == 0) return Random.LatinHypercube(PopulationSize, _d);
        int n = _population.Length, best = ArgMin(_errors);
        var trials = new double[n][];
        for (int i = 0; i < n; i++)
        {
            int r1 = Other(n, i, -1), r2 = Other(n, i, r1);
            double[] x = _population[i], xb = _population[best], a = _population[r1], b = _population[r2];
            var trial = (double[])x.Clone();
            int always = Random.NextInt(_d);
            for (int j = 0; j < _d; j++)
            {
                if (j != always && Random.NextDouble() >= Options.CR) continue;
                double v = x[j] + Options.F * (xb[j] - x[j]) + Options.F * (a[j] - b[j]);
                trial[j] = v < 0 ? x[j] / 2 : v > 1 ? (x[j] + 1) / 2 : v;
            }
            trials[i] = trial;
        }
        return trials;
    }

    private protected override void Learn(double[][] batch, double[] errors)
    {
        if (_population.Length == 0)
        {
            _population = batch;
            _errors = errors;
            return;
        }
        for (int i = 0; i < batch.Length; i++)
        {
            // Not worse, rather than better: a trial as good as its parent moves the population along plateaus,
            // including the +∞ plateau of diverged simulations.
            if (errors[i] <= _errors[i])
            {
                _population[i] = batch[i];
                _errors[i] = errors[i];
            }
        }
    }

    /// <summary>A member index other than <paramref name="a"/> and <paramref name="b"/>, uniformly.</summary>
    private int Other(int n, int a, int b)
    {
        while (true)
        {
            int r = Random.NextInt(n);
            if (r != a && r != b) return r;
        }
    }
}
