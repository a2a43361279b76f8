namespace NeuroNative.Fitting.Optimizers;

/// <summary>Options of <see cref="NelderMead"/> (factory names: popsize, rho, chi, gamma, sigma, step, xatol; the
/// coefficients in the notation of Lagarias et al. 1998, xatol as scipy's).</summary>
/// <param name="PopSize">The batch wanted; null takes the fitter's request, else d + 1. See <see cref="NelderMead"/> for what is used.</param>
/// <param name="Rho">Reflection coefficient ρ &gt; 0.</param>
/// <param name="Chi">Expansion coefficient χ &gt; max(1, ρ).</param>
/// <param name="Gamma">Contraction coefficient 0 &lt; γ &lt; 1.</param>
/// <param name="Sigma">Shrink coefficient 0 &lt; σ &lt; 1.</param>
/// <param name="Step">Edge of the initial simplex in the unit cube (a tenth of each parameter's range).</param>
/// <param name="XATol">The simplex restarts once every vertex is this close to its best one in every unit coordinate.</param>
public sealed record NelderMeadOptions(int? PopSize = null, double Rho = 1, double Chi = 2, double Gamma = 0.5, double Sigma = 0.5,
    double Step = 0.1, double XATol = 1e-7);

/// <summary>
/// The Nelder–Mead simplex method (Nelder &amp; Mead 1965) with the acceptance rules of Lagarias et al. (1998),
/// batched. Every trial point of a vertex's move — reflection r, expansion e, outside and inside contraction — is a
/// fixed point on the line from the vertex through the centroid of the others, so one round evaluates all four and
/// decides the move exactly as the sequential method would. A round moves the k worst vertices at once (the
/// parallel variant of Lee &amp; Wiswall 2007), each through the centroid of the d + 1 − k best, compared with the
/// best vertex and the worst kept one; when none of the k improves, the next round shrinks the simplex towards its
/// best vertex (d points). k = clamp(⌊wanted/4⌋, 1, max(1, ⌊d/2⌋)): the centroid stays that of at least half the
/// simplex (with k = d it would be the best vertex alone, and the method degrades into a slow pattern search). The
/// population is max(4k, d + 1). Slots a round does not need (the first simplex needs d + 1, a shrink d) carry
/// uniform random points of the box, which never enter the simplex but are remembered for restarts.
/// The first simplex is a uniform random vertex and its d neighbours at <c>Step</c> along each axis (towards the
/// box's inside); trial points outside the box are clamped to it. Once the simplex has collapsed (<c>XATol</c>) it
/// restarts: around the best point seen when that is better than its vertices (a random slot found it, e.g. while
/// every simulation of the simplex diverged), else at a new uniform random vertex, so the remaining rounds become
/// another local search.
/// </summary>
public sealed class NelderMead : OptimizerBase
{
    private enum Phase { Simplex, Move, Shrink }

    private int _d, _k;
    private Phase _phase;
    private double[] _start = [];
    private double[][] _vertices = [];
    private double[] _errors = [];
    private double[] _bestSeen = [];
    private double _bestSeenError;

    public NelderMead(NelderMeadOptions? options = null)
    {
        var o = Options = options ?? new NelderMeadOptions();
        if (o.PopSize is < 1) throw new ArgumentOutOfRangeException(nameof(options), $"NelderMead option popsize must be at least 1; got {o.PopSize}.");
        if (!(o.Rho > 0)) throw new ArgumentOutOfRangeException(nameof(options), $"NelderMead option rho must be positive; got {o.Rho}.");
        if (!(o.Chi > 1 && o.Chi > o.Rho)) throw new ArgumentOutOfRangeException(nameof(options), $"NelderMead option chi must exceed 1 and rho; got {o.Chi}.");
        if (!(o.Gamma > 0 && o.Gamma < 1)) throw new ArgumentOutOfRangeException(nameof(options), $"NelderMead option gamma must be in (0, 1); got {o.Gamma}.");
        if (!(o.Sigma > 0 && o.Sigma < 1)) throw new ArgumentOutOfRangeException(nameof(options), $"NelderMead option sigma must be in (0, 1); got {o.Sigma}.");
        if (!(o.Step > 0 && o.Step <= 1)) throw new ArgumentOutOfRangeException(nameof(options), $"NelderMead option step must be in (0, 1]; got {o.Step}.");
        if (!(o.XATol > 0 && o.XATol < o.Step)) throw new ArgumentOutOfRangeException(nameof(options), $"NelderMead option xatol must be in (0, step); got {o.XATol}.");
    }

    /// <summary>The options this optimizer runs with.</summary>
    public NelderMeadOptions Options { get; }

    public override string Method => "NelderMead";

    private protected override int Start(int dimension, int? requested)
    {
        _d = dimension;
        _k = Math.Clamp((Options.PopSize ?? requested ?? dimension + 1) / 4, 1, Math.Max(1, dimension / 2));
        _phase = Phase.Simplex;
        _start = Uniform();
        _vertices = [];
        _errors = [];
        _bestSeen = [];
        _bestSeenError = double.PositiveInfinity;
        return Math.Max(4 * _k, dimension + 1);
    }

    private protected override double[][] Propose()
    {
        var batch = new List<double[]>(PopulationSize);
        switch (_phase)
        {
            case Phase.Simplex:
                batch.Add(_start);
                for (int i = 0; i < _d; i++)
                {
                    var v = (double[])_start.Clone();
                    v[i] += _start[i] + Options.Step <= 1 ? Options.Step : -Options.Step;
                    batch.Add(v);
                }
                break;
            case Phase.Move:
                // Sorted in place, so that Learn finds the worst vertices where Propose took them.
                var order = Enumerable.Range(0, _d + 1).OrderBy(i => _errors[i]).ToArray();
                _vertices = order.Select(i => _vertices[i]).ToArray();
                _errors = order.Select(i => _errors[i]).ToArray();
                var centroid = new double[_d];
                int kept = _d + 1 - _k;
                for (int i = 0; i < kept; i++)
                    for (int j = 0; j < _d; j++) centroid[j] += _vertices[i][j] / kept;
                var o = Options;
                foreach (var w in _vertices.Skip(kept))
                    foreach (double t in (double[])[o.Rho, o.Rho * o.Chi, o.Rho * o.Gamma, -o.Gamma])
                        batch.Add(centroid.Select((c, j) => Math.Clamp(c + t * (c - w[j]), 0, 1)).ToArray());
                break;
            case Phase.Shrink:
                var best = _vertices[0];
                for (int i = 1; i <= _d; i++)
                    batch.Add(best.Select((b, j) => b + Options.Sigma * (_vertices[i][j] - b)).ToArray());
                break;
        }
        while (batch.Count < PopulationSize) batch.Add(Uniform());
        return batch.ToArray();
    }

    private protected override void Learn(double[][] batch, double[] errors)
    {
        for (int i = 0; i < batch.Length; i++)
            if (_bestSeen.Length == 0 || errors[i] < _bestSeenError)
                (_bestSeen, _bestSeenError) = (batch[i], errors[i]);

        switch (_phase)
        {
            case Phase.Simplex:
                _vertices = batch[..(_d + 1)];
                _errors = errors[..(_d + 1)];
                _phase = Phase.Move;
                break;
            case Phase.Move:
                int kept = _d + 1 - _k;
                double best = _errors[0], worstKept = _errors[kept - 1];
                bool moved = false;
                for (int m = 0; m < _k; m++)
                {
                    int v = kept + m, at = 4 * m;
                    double fr = errors[at], fe = errors[at + 1], foc = errors[at + 2], fic = errors[at + 3];
                    int accept =
                        fr < best ? (fe < fr ? at + 1 : at) :
                        fr < worstKept ? at :
                        fr < _errors[v] ? (foc <= fr ? at + 2 : -1) :
                        fic < _errors[v] ? at + 3 : -1;
                    if (accept < 0) continue;
                    _vertices[v] = batch[accept];
                    _errors[v] = errors[accept];
                    moved = true;
                }
                _phase = moved ? Phase.Move : Phase.Shrink;
                break;
            case Phase.Shrink:
                for (int i = 1; i <= _d; i++)
                {
                    _vertices[i] = batch[i - 1];
                    _errors[i] = errors[i - 1];
                }
                _phase = Phase.Move;
                break;
        }

        var bestVertex = _vertices[ArgMin(_errors)];
        if (_vertices.All(v => v.Zip(bestVertex, (a, b) => Math.Abs(a - b)).Max() < Options.XATol))
        {
            _start = _bestSeenError < _errors.Min() ? (double[])_bestSeen.Clone() : Uniform();
            _phase = Phase.Simplex;
        }
    }

    private double[] Uniform()
    {
        var x = new double[_d];
        for (int j = 0; j < _d; j++) x[j] = Random.NextDouble();
        return x;
    }
}
