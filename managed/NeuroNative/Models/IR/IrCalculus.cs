namespace NeuroNative.Models.IR;

/// <summary>Symbolic questions about IR graphs: dependence and differentiation.</summary>
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
        _ => n.Args.Count == 0 || n.Op == IrOp.Input,
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
    /// </summary>
    public static IrNode? Differentiate(IrBuilder b, IrNode root, Func<IrNode, bool> isVariable)
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
                    if (dependent[A(0)]) return null;
                    return b.Select(A(0), D(1), D(2));
                default:
                    return null;
            }
        }
    }
}
