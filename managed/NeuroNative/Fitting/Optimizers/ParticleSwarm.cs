namespace NeuroNative.Fitting.Optimizers;

/// <summary>Options of <see cref="ParticleSwarm"/> (factory names: popsize, omega, phip, phig, nevergrad's).</summary>
/// <param name="PopSize">Swarm size; null takes the fitter's request, else 40 (nevergrad's). At least 2.</param>
/// <param name="Omega">Inertia weight, 1/(2 ln 2) ≈ 0.721 (SPSO 2011, nevergrad's default).</param>
/// <param name="PhiP">Cognitive weight, the pull towards the particle's own best: 1/2 + ln 2 ≈ 1.193.</param>
/// <param name="PhiG">Social weight, the pull towards the swarm's best: 1/2 + ln 2 ≈ 1.193.</param>
public sealed record PSOOptions(int? PopSize = null, double Omega = 0.72134752044448170, double PhiP = 1.1931471805599453,
    double PhiG = 1.1931471805599453);

/// <summary>
/// Particle swarm optimisation (Kennedy &amp; Eberhart 1995) with inertia weight (Shi &amp; Eberhart 1998), global-best
/// topology, synchronous: every round moves all particles, v ← ω v + φp r_p ∘ (p − x) + φg r_g ∘ (g − x), x ← x + v,
/// with r_p, r_g uniform per coordinate, p the particle's best and g the swarm's. Positions start as a Latin hypercube,
/// velocities uniform in [−x, 1 − x] per coordinate (SPSO 2011); a particle that leaves the box stops at its wall,
/// that coordinate's velocity set to 0.
/// </summary>
public sealed class ParticleSwarm : OptimizerBase
{
    private int _d;
    private double[][] _x = [], _v = [], _p = [];
    private double[] _pError = [];

    public ParticleSwarm(PSOOptions? options = null)
    {
        Options = options ?? new PSOOptions();
        if (Options.PopSize is < 2) throw new ArgumentOutOfRangeException(nameof(options), $"PSO option popsize must be at least 2; got {Options.PopSize}.");
        if (!(Options.Omega >= 0 && Options.Omega < 1)) throw new ArgumentOutOfRangeException(nameof(options), $"PSO option omega must be in [0, 1); got {Options.Omega}.");
        if (!(Options.PhiP >= 0 && Options.PhiP <= 4)) throw new ArgumentOutOfRangeException(nameof(options), $"PSO option phip must be in [0, 4]; got {Options.PhiP}.");
        if (!(Options.PhiG > 0 && Options.PhiG <= 4)) throw new ArgumentOutOfRangeException(nameof(options), $"PSO option phig must be in (0, 4]; got {Options.PhiG}.");
    }

    /// <summary>The options this optimizer runs with.</summary>
    public PSOOptions Options { get; }

    public override string Method => "PSO";

    private protected override int Start(int dimension, int? requested)
    {
        _d = dimension;
        _x = _v = _p = [];
        _pError = [];
        return PopulationOf(Options.PopSize, requested, 40, 2);
    }

    private protected override double[][] Propose()
    {
        if (_x.Length == 0)
        {
            _x = Random.LatinHypercube(PopulationSize, _d);
            _v = _x.Select(x => x.Select(xj => Random.NextDouble() - xj).ToArray()).ToArray();
            return Copy(_x);
        }
        var g = _p[ArgMin(_pError)];
        for (int i = 0; i < _x.Length; i++)
        {
            double[] x = _x[i], v = _v[i], p = _p[i];
            for (int j = 0; j < _d; j++)
            {
                v[j] = Options.Omega * v[j] + Options.PhiP * Random.NextDouble() * (p[j] - x[j])
                     + Options.PhiG * Random.NextDouble() * (g[j] - x[j]);
                x[j] += v[j];
                if (x[j] is < 0 or > 1)
                {
                    x[j] = Math.Clamp(x[j], 0, 1);
                    v[j] = 0;
                }
            }
        }
        return Copy(_x);
    }

    private protected override void Learn(double[][] batch, double[] errors)
    {
        if (_p.Length == 0)
        {
            _p = batch;
            _pError = errors;
            return;
        }
        for (int i = 0; i < batch.Length; i++)
        {
            if (errors[i] < _pError[i])
            {
                _p[i] = batch[i];
                _pError[i] = errors[i];
            }
        }
    }

    // The positions move on in place, while the batch handed out becomes a particle's best.
    private static double[][] Copy(double[][] points) => points.Select(x => (double[])x.Clone()).ToArray();
}
