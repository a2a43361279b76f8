namespace NeuroNative.Models.IR;

/// <summary>
/// Creates IR nodes: structurally equal nodes are returned as one object (common-subexpression
/// elimination) and operations on constants are folded at once. The algebraic rewrites kept here
/// are the ones sympy applies too (x*1, x+0, x*0, x-x), so that derivatives come out simple enough
/// to prove an equation linear.
/// </summary>
public sealed class IrBuilder
{
    private readonly Dictionary<(IrOp, long, int, int, int, int), IrNode> _nodes = new();
    private int _nextId;

    public IrNode Constant(double value) => Intern(IrOp.Constant, value, 0, []);
    public IrNode State(int index) => Intern(IrOp.State, 0, index, []);
    public IrNode Parameter(int index) => Intern(IrOp.Parameter, 0, index, []);
    public IrNode Special(IrSpecial special) => Intern(IrOp.Special, 0, (int)special, []);
    public IrNode Rand(int stream) => Intern(IrOp.Rand, 0, stream, []);
    public IrNode Randn(int stream) => Intern(IrOp.Randn, 0, stream, []);
    public IrNode Noise(int term) => Intern(IrOp.Noise, 0, term, []);
    public IrNode Input(int input, IrNode time, IrNode column) => Intern(IrOp.Input, 0, input, [time, column]);
    public IrNode Poisson(int stream, IrNode lambda) => Intern(IrOp.Poisson, 0, stream, [lambda]);
    public IrNode Binomial(int stream, IrNode n, IrNode p) => Intern(IrOp.Binomial, 0, stream, [n, p]);

    public IrNode Add(IrNode a, IrNode b) => Binary(IrOp.Add, a, b);
    public IrNode Subtract(IrNode a, IrNode b) => Binary(IrOp.Subtract, a, b);
    public IrNode Multiply(IrNode a, IrNode b) => Binary(IrOp.Multiply, a, b);
    public IrNode Divide(IrNode a, IrNode b) => Binary(IrOp.Divide, a, b);
    public IrNode Negate(IrNode a) => Unary(IrOp.Negate, a);

    public IrNode Unary(IrOp op, IrNode a)
    {
        if (a.IsConstant) return Constant(IrMath.Apply(op, a.Value));
        if (op == IrOp.Negate && a.Op == IrOp.Negate) return a.Args[0];
        return Intern(op, 0, 0, [a]);
    }

    public IrNode PowerInt(IrNode a, int exponent)
    {
        if (exponent == 1) return a;
        if (exponent == 0) return Constant(1.0);
        if (a.IsConstant) return Constant(IrMath.PowInt(a.Value, exponent));
        return Intern(IrOp.PowerInt, 0, exponent, [a]);
    }

    /// <summary>Integer exponents up to this size become repeated multiplication (fast, vectorisable).</summary>
    private const int MaxIntegerExponent = 16;

    public IrNode Binary(IrOp op, IrNode a, IrNode b)
    {
        if (a.IsConstant && b.IsConstant) return Constant(IrMath.Apply(op, a.Value, b.Value));
        switch (op)
        {
            case IrOp.Add:
                if (a.IsConstantValue(0)) return b;
                if (b.IsConstantValue(0)) return a;
                if (b.Op == IrOp.Negate) return Subtract(a, b.Args[0]);
                break;
            case IrOp.Subtract:
                if (b.IsConstantValue(0)) return a;
                if (a.IsConstantValue(0)) return Negate(b);
                if (ReferenceEquals(a, b)) return Constant(0);
                if (b.Op == IrOp.Negate) return Add(a, b.Args[0]);
                break;
            case IrOp.Multiply:
                if (a.IsConstantValue(0) || b.IsConstantValue(0)) return Constant(0);
                if (a.IsConstantValue(1)) return b;
                if (b.IsConstantValue(1)) return a;
                if (a.IsConstantValue(-1)) return Negate(b);
                if (b.IsConstantValue(-1)) return Negate(a);
                break;
            case IrOp.Divide:
                if (b.IsConstantValue(1)) return a;
                if (a.IsConstantValue(0)) return Constant(0);
                // Division by a constant becomes multiplication by its reciprocal (as Brian's compiled
                // code does under -ffast-math): a division costs several multiplications, and doing it
                // here keeps every backend on the same arithmetic.
                if (b.IsConstant && b.Value != 0 && double.IsFinite(1.0 / b.Value) && double.IsFinite(b.Value))
                    return Multiply(a, Constant(1.0 / b.Value));
                break;
            case IrOp.Power:
                if (b.IsConstant)
                {
                    double e = b.Value;
                    if (e == 1) return a;
                    if (e == 0) return Constant(1);
                    if (Math.Abs(e) <= MaxIntegerExponent && e == Math.Floor(e)) return PowerInt(a, (int)e);
                }
                break;
            case IrOp.And:
                if (a.IsConstant) return a.Value != 0 ? Truth(b) : Constant(0);
                if (b.IsConstant) return b.Value != 0 ? Truth(a) : Constant(0);
                break;
            case IrOp.Or:
                if (a.IsConstant) return a.Value != 0 ? Constant(1) : Truth(b);
                if (b.IsConstant) return b.Value != 0 ? Constant(1) : Truth(a);
                break;
        }
        return Intern(op, 0, 0, [a, b]);
    }

    /// <summary>A 0/1 version of a value used as a condition.</summary>
    private IrNode Truth(IrNode a) => IsBooleanValued(a) ? a : Binary(IrOp.NotEqual, a, Constant(0));

    private static bool IsBooleanValued(IrNode a) => a.Op is IrOp.Less or IrOp.LessEqual or IrOp.Greater
        or IrOp.GreaterEqual or IrOp.Equal or IrOp.NotEqual or IrOp.And or IrOp.Or or IrOp.Not;

    public IrNode Select(IrNode condition, IrNode ifTrue, IrNode ifFalse)
    {
        if (condition.IsConstant) return condition.Value != 0 ? ifTrue : ifFalse;
        if (ReferenceEquals(ifTrue, ifFalse)) return ifTrue;
        return Intern(IrOp.Select, 0, 0, [condition, ifTrue, ifFalse]);
    }

    public IrNode Clip(IrNode x, IrNode lo, IrNode hi)
    {
        if (x.IsConstant && lo.IsConstant && hi.IsConstant)
            return Constant(IrMath.Apply(IrOp.Clip, x.Value, lo.Value, hi.Value));
        return Intern(IrOp.Clip, 0, 0, [x, lo, hi]);
    }

    /// <summary>Builds a node of any operation from new arguments (used by rewriting passes).</summary>
    public IrNode Rebuild(IrNode node, IReadOnlyList<IrNode> args) => node.Op switch
    {
        IrOp.Constant => Constant(node.Value),
        IrOp.State or IrOp.Parameter or IrOp.Special or IrOp.Rand or IrOp.Randn or IrOp.Noise
            => Intern(node.Op, 0, node.Index, []),
        IrOp.Input => Input(node.Index, args[0], args[1]),
        IrOp.Poisson => Poisson(node.Index, args[0]),
        IrOp.Binomial => Binomial(node.Index, args[0], args[1]),
        IrOp.PowerInt => PowerInt(args[0], node.Index),
        IrOp.Select => Select(args[0], args[1], args[2]),
        IrOp.Clip => Clip(args[0], args[1], args[2]),
        _ when IrMath.Arity(node.Op) == 1 => Unary(node.Op, args[0]),
        _ => Binary(node.Op, args[0], args[1]),
    };

    /// <summary>Replaces leaves (or any node) for which <paramref name="replace"/> answers non-null.</summary>
    public IrNode Substitute(IrNode root, Func<IrNode, IrNode?> replace)
    {
        var memo = new Dictionary<IrNode, IrNode>(ReferenceEqualityComparer.Instance);
        return Walk(root);

        IrNode Walk(IrNode n)
        {
            if (memo.TryGetValue(n, out var done)) return done;
            var result = replace(n);
            if (result is null)
            {
                if (n.Args.Count == 0) result = n;
                else
                {
                    var args = new IrNode[n.Args.Count];
                    bool changed = false;
                    for (int k = 0; k < args.Length; k++)
                    {
                        args[k] = Walk(n.Args[k]);
                        changed |= !ReferenceEquals(args[k], n.Args[k]);
                    }
                    result = changed ? Rebuild(n, args) : n;
                }
            }
            memo[n] = result;
            return result;
        }
    }

    private IrNode Intern(IrOp op, double value, int index, IrNode[] args)
    {
        var key = (op, BitConverter.DoubleToInt64Bits(value), index,
            args.Length > 0 ? args[0].Id : -1, args.Length > 1 ? args[1].Id : -1, args.Length > 2 ? args[2].Id : -1);
        if (_nodes.TryGetValue(key, out var existing)) return existing;
        var node = new IrNode(_nextId++, op, value, index, args);
        _nodes.Add(key, node);
        return node;
    }
}
