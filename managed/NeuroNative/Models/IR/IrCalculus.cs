namespace NeuroNative.Models.IR;

/// <summary>Symbolic questions about IR graphs: dependence, differentiation and collection in a variable.</summary>
public static class IrCalculus
{
    /// <summary>Whether any node below <paramref name="root"/> (itself included) satisfies the predicate.</summary>
    public static bool DependsOn(IrNode root, Func<IrNode, bool> isTarget)
    {
        var seen = new HashSet<IrNode>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<IrNode>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n)) continue;
            if (isTarget(n)) return true;
            foreach (var a in n.Args) stack.Push(a);
        }
        return false;
    }

    /// <summary>Whether the value is the same for every neuron in a step: built from constants, t, dt, N and
    /// the step number only (no state, parameter, neuron index, random number or input).</summary>
    public static bool IsLaneUniform(IrNode root) => !DependsOn(root, n => n.Op switch
    {
        IrOp.Constant => false,
        IrOp.Special => n.Index is not ((int)IrSpecial.Time or (int)IrSpecial.Dt or (int)IrSpecial.NeuronCount or (int)IrSpecial.TimeStep),
        _ => n.Args.Count == 0 || n.Op == IrOp.Input || IrMath.IsRandom(n.Op),
    });

    /// <summary>All nodes reachable from the roots, children before parents.</summary>
    public static List<IrNode> TopologicalOrder(IEnumerable<IrNode> roots)
    {
        var seen = new HashSet<IrNode>(ReferenceEqualityComparer.Instance);
        var order = new List<IrNode>();
        foreach (var root in roots) Visit(root);
        return order;

        void Visit(IrNode root)
        {
            // Iterative post-order: deep expressions must not overflow the stack.
            var stack = new Stack<(IrNode Node, int NextArg)>();
            if (!seen.Add(root)) return;
            stack.Push((root, 0));
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                if (next < node.Args.Count)
                {
                    stack.Push((node, next + 1));
                    var child = node.Args[next];
                    if (seen.Add(child)) stack.Push((child, 0));
                }
                else order.Add(node);
            }
        }
    }

    /// <summary>
    /// d(root)/d(variable), where <paramref name="isVariable"/> picks the leaf. Returns null when the
    /// expression is not differentiable in the variable (a comparison, floor, random draw... of it).
    /// <paramref name="piecewise"/>: the derivative of the function as computed, branch by branch — a condition
    /// (of a select, a comparison, floor, sign, clip) is held at its value, so its derivative is 0 and a select
    /// differentiates the branch it takes (exact except where the condition changes).
    /// </summary>
    public static IrNode? Differentiate(IrBuilder b, IrNode root, Func<IrNode, bool> isVariable, bool piecewise = false)
    {
        var memo = new Dictionary<IrNode, IrNode?>(ReferenceEqualityComparer.Instance);
        var dependent = new Dictionary<IrNode, bool>(ReferenceEqualityComparer.Instance);
        foreach (var n in TopologicalOrder([root]))
        {
            dependent[n] = isVariable(n) || n.Args.Any(a => dependent[a]);
            memo[n] = dependent[n] ? Derive(n) : b.Constant(0);
            if (dependent[n] && memo[n] is null) return null;
        }
        return memo[root];

        IrNode? Derive(IrNode n)
        {
            if (isVariable(n)) return b.Constant(1);
            IrNode A(int k) => n.Args[k];
            IrNode D(int k) => memo[n.Args[k]]!;
            IrNode one = b.Constant(1);
            switch (n.Op)
            {
                case IrOp.Add: return b.Add(D(0), D(1));
                case IrOp.Subtract: return b.Subtract(D(0), D(1));
                case IrOp.Negate: return b.Negate(D(0));
                case IrOp.Multiply: return b.Add(b.Multiply(D(0), A(1)), b.Multiply(A(0), D(1)));
                case IrOp.Divide:
                    // (u/v)' = u'/v - u v'/v^2
                    return b.Subtract(b.Divide(D(0), A(1)),
                        b.Divide(b.Multiply(A(0), D(1)), b.PowerInt(A(1), 2)));
                case IrOp.PowerInt:
                    return b.Multiply(b.Multiply(b.Constant(n.Index), b.PowerInt(A(0), n.Index - 1)), D(0));
                case IrOp.Power:
                    if (!dependent[A(1)])
                        return b.Multiply(b.Multiply(A(1), b.Binary(IrOp.Power, A(0), b.Subtract(A(1), one))), D(0));
                    // u^v (u' v/u + v' ln u)
                    return b.Multiply(n, b.Add(b.Divide(b.Multiply(D(0), A(1)), A(0)),
                        b.Multiply(D(1), b.Unary(IrOp.Log, A(0)))));
                case IrOp.Exp: return b.Multiply(n, D(0));
                case IrOp.Expm1: return b.Multiply(b.Unary(IrOp.Exp, A(0)), D(0));
                case IrOp.Log: return b.Divide(D(0), A(0));
                case IrOp.Log10: return b.Divide(D(0), b.Multiply(A(0), b.Constant(Math.Log(10))));
                case IrOp.Log1p: return b.Divide(D(0), b.Add(one, A(0)));
                case IrOp.Sqrt: return b.Divide(D(0), b.Multiply(b.Constant(2), n));
                case IrOp.Sin: return b.Multiply(b.Unary(IrOp.Cos, A(0)), D(0));
                case IrOp.Cos: return b.Negate(b.Multiply(b.Unary(IrOp.Sin, A(0)), D(0)));
                case IrOp.Tan: return b.Divide(D(0), b.PowerInt(b.Unary(IrOp.Cos, A(0)), 2));
                case IrOp.Sinh: return b.Multiply(b.Unary(IrOp.Cosh, A(0)), D(0));
                case IrOp.Cosh: return b.Multiply(b.Unary(IrOp.Sinh, A(0)), D(0));
                case IrOp.Tanh: return b.Multiply(b.Subtract(one, b.PowerInt(n, 2)), D(0));
                case IrOp.Arcsin:
                    return b.Divide(D(0), b.Unary(IrOp.Sqrt, b.Subtract(one, b.PowerInt(A(0), 2))));
                case IrOp.Arccos:
                    return b.Negate(b.Divide(D(0), b.Unary(IrOp.Sqrt, b.Subtract(one, b.PowerInt(A(0), 2)))));
                case IrOp.Arctan: return b.Divide(D(0), b.Add(one, b.PowerInt(A(0), 2)));
                case IrOp.Abs: return b.Multiply(b.Unary(IrOp.Sign, A(0)), D(0));
                case IrOp.Exprel:
                    // exprel(x) = (e^x - 1)/x  ->  (e^x - exprel(x))/x
                    return b.Multiply(b.Divide(b.Subtract(b.Unary(IrOp.Exp, A(0)), n), A(0)), D(0));
                case IrOp.Select:
                    if (dependent[A(0)] && !piecewise) return null;
                    return b.Select(A(0), D(1), D(2));
                case IrOp.Clip when piecewise:
                    return b.Select(b.Binary(IrOp.Less, A(0), A(1)), D(1), b.Select(b.Binary(IrOp.Greater, A(0), A(2)), D(2), D(0)));
                case IrOp.Sign or IrOp.Floor or IrOp.Ceil or IrOp.Trunc or IrOp.Not or IrOp.Less or IrOp.LessEqual or IrOp.Greater
                    or IrOp.GreaterEqual or IrOp.Equal or IrOp.NotEqual or IrOp.And or IrOp.Or when piecewise:
                    return b.Constant(0);
                default:
                    return null;
            }
        }
    }

    /// <summary>
    /// The expression as Σ c_p·x^p, the way Brian's exponential Euler sees it (sympy's expand, then
    /// collect in x): products and integer powers of sums are multiplied out, a denominator that is a
    /// single term divides its powers out; x inside a function call, a denominator that is a sum or the
    /// base of a fractional power of anything but x itself stays inside the coefficient c_p. Returns the
    /// non-zero coefficients by power p; null when x is raised to a power that is not a number.
    /// </summary>
    public static SortedDictionary<double, IrNode>? CollectPowers(IrBuilder b, IrNode root, Func<IrNode, bool> isVariable)
    {
        var terms = new Dictionary<IrNode, SortedDictionary<double, IrNode>>(ReferenceEqualityComparer.Instance);
        foreach (var n in TopologicalOrder([root]))
        {
            if (!isVariable(n) && !n.Args.Any(terms.ContainsKey)) continue; // free of x: the term c·x^0
            var collected = Collect(n);
            if (collected is null) return null;
            terms[n] = collected;
        }
        return Of(root);

        SortedDictionary<double, IrNode> Of(IrNode n) => terms.TryGetValue(n, out var t) ? t : Single(0, n);

        SortedDictionary<double, IrNode>? Collect(IrNode n)
        {
            if (isVariable(n)) return Single(1, b.Constant(1));
            IrNode A(int k) => n.Args[k];
            switch (n.Op)
            {
                case IrOp.Add: return Sum(Of(A(0)), Of(A(1)), negateSecond: false);
                case IrOp.Subtract: return Sum(Of(A(0)), Of(A(1)), negateSecond: true);
                case IrOp.Negate: return Map(Of(A(0)), (p, c) => (p, b.Negate(c)));
                case IrOp.Multiply: return Product(Of(A(0)), Of(A(1)));
                case IrOp.Divide:
                    if (Of(A(1)) is { Count: 1 } single && single.First() is var (q, d))
                        return Map(Of(A(0)), (p, c) => (p - q, b.Divide(c, d)));
                    return Map(Of(A(0)), (p, c) => (p, b.Divide(c, A(1))));
                case IrOp.PowerInt:
                    var basis = Of(A(0));
                    if (basis.Count == 1 && basis.First() is var (pb, cb))
                        return Single(pb * n.Index, b.PowerInt(cb, n.Index));
                    if (n.Index < 0) break;
                    var power = basis;
                    for (int k = 1; k < n.Index; k++) power = Product(power, basis);
                    return power;
                case IrOp.Power when isVariable(A(0)):
                    return A(1).IsConstant ? Single(A(1).Value, b.Constant(1)) : null;
            }
            return Single(0, n);
        }

        static SortedDictionary<double, IrNode> Single(double p, IrNode c) => new() { [p] = c };

        SortedDictionary<double, IrNode> Map(SortedDictionary<double, IrNode> t, Func<double, IrNode, (double, IrNode)> f)
        {
            var result = new SortedDictionary<double, IrNode>();
            foreach (var (p, c) in t) Accumulate(result, f(p, c));
            return result;
        }

        SortedDictionary<double, IrNode> Sum(SortedDictionary<double, IrNode> x, SortedDictionary<double, IrNode> y, bool negateSecond)
        {
            var result = new SortedDictionary<double, IrNode>(x);
            foreach (var (p, c) in y) Accumulate(result, (p, negateSecond ? b.Negate(c) : c));
            return result;
        }

        SortedDictionary<double, IrNode> Product(SortedDictionary<double, IrNode> x, SortedDictionary<double, IrNode> y)
        {
            var result = new SortedDictionary<double, IrNode>();
            foreach (var (p, c) in x)
                foreach (var (q, d) in y) Accumulate(result, (p + q, b.Multiply(c, d)));
            return result;
        }

        void Accumulate(SortedDictionary<double, IrNode> into, (double P, IrNode C) term)
        {
            var sum = into.TryGetValue(term.P, out var existing) ? b.Add(existing, term.C) : term.C;
            if (sum.IsConstantValue(0)) into.Remove(term.P);
            else into[term.P] = sum;
        }
    }
}
