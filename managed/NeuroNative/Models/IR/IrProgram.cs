namespace NeuroNative.Models.IR;

/// <summary>The leaf values an <see cref="IrProgram"/> reads while evaluating one neuron.</summary>
public interface IIrLeaves
{
    double State(int index);
    double Parameter(int index);
    double Special(IrSpecial special);
    double Input(int input, double time, double column);
    double Rand(int stream);
    double Randn(int stream);
    double Poisson(int stream, double lambda);
    double Binomial(int stream, double n, double p);
}

/// <summary>
/// A set of IR roots flattened into evaluation order, for the managed reference evaluator: one
/// neuron at a time, plain doubles, every shared node computed once.
/// </summary>
public sealed class IrProgram
{
    private readonly IrNode[] _nodes;
    private readonly int[][] _args;
    private readonly int[] _roots;

    public IrProgram(IReadOnlyList<IrNode> roots)
    {
        _nodes = [.. IrCalculus.TopologicalOrder(roots)];
        var position = new Dictionary<IrNode, int>(ReferenceEqualityComparer.Instance);
        for (int k = 0; k < _nodes.Length; k++) position[_nodes[k]] = k;
        _args = _nodes.Select(n => n.Args.Select(a => position[a]).ToArray()).ToArray();
        _roots = roots.Select(r => position[r]).ToArray();
    }

    public int RootCount => _roots.Length;

    /// <summary>Evaluates every root; <paramref name="results"/> receives them in root order.</summary>
    public void Evaluate<TLeaves>(TLeaves leaves, Span<double> results) where TLeaves : IIrLeaves
    {
        Span<double> values = _nodes.Length <= 512 ? stackalloc double[_nodes.Length] : new double[_nodes.Length];
        for (int k = 0; k < _nodes.Length; k++)
        {
            var n = _nodes[k];
            var a = _args[k];
            values[k] = n.Op switch
            {
                IrOp.Constant => n.Value,
                IrOp.State => leaves.State(n.Index),
                IrOp.Parameter => leaves.Parameter(n.Index),
                IrOp.Special => leaves.Special((IrSpecial)n.Index),
                IrOp.Rand => leaves.Rand(n.Index),
                IrOp.Randn => leaves.Randn(n.Index),
                IrOp.Noise => throw new InvalidOperationException("noise terms must be removed by the integrator derivation"),
                IrOp.Input => leaves.Input(n.Index, values[a[0]], values[a[1]]),
                IrOp.Poisson => leaves.Poisson(n.Index, values[a[0]]),
                IrOp.Binomial => leaves.Binomial(n.Index, values[a[0]], values[a[1]]),
                _ => a.Length switch
                {
                    1 => IrMath.Apply(n.Op, values[a[0]], index: n.Index),
                    2 => IrMath.Apply(n.Op, values[a[0]], values[a[1]]),
                    _ => IrMath.Apply(n.Op, values[a[0]], values[a[1]], values[a[2]]),
                },
            };
        }
        for (int r = 0; r < _roots.Length; r++) results[r] = values[_roots[r]];
    }

    public double Evaluate<TLeaves>(TLeaves leaves) where TLeaves : IIrLeaves
    {
        Span<double> result = stackalloc double[Math.Max(1, _roots.Length)];
        Evaluate(leaves, result);
        return result[0];
    }
}
