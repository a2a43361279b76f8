namespace NeuroNative.Models.IR;

/// <summary>
/// Removable singularities of the form c·a/(exp(k·a) − 1) — the Hodgkin–Huxley rate functions, 0/0 at
/// a = 0 — rewritten as (c/k)/exprel(k·a) with Brian's exprel (1 near 0): the same function, finite
/// everywhere, in every precision (docs/numerics.md).
/// </summary>
public static class IrSingularities
{
    public static IrNode Remove(IrBuilder b, IrNode root) => b.Substitute(root, n => Rewrite(b, n));

    private static IrNode? Rewrite(IrBuilder b, IrNode n)
    {
        if (n.Op != IrOp.Divide) return null;
        var denominator = n.Args[1];
        if (denominator.Op != IrOp.Subtract || !denominator.Args[1].IsConstantValue(1) || denominator.Args[0].Op != IrOp.Exp)
            return null;
        var exponent = denominator.Args[0].Args[0];
        var (a, k) = Scaled(exponent);
        var (numerator, c) = Scaled(n.Args[0]);
        if (!ReferenceEquals(a, numerator) || k == 0 || !double.IsFinite(c / k)) return null;
        return b.Divide(b.Constant(c / k), b.Unary(IrOp.Exprel, Remove(b, exponent)));
    }

    /// <summary>x as s·y for a constant s (1 when x is no such product).</summary>
    private static (IrNode Y, double S) Scaled(IrNode x) => x.Op switch
    {
        IrOp.Multiply when x.Args[0].IsConstant => (x.Args[1], x.Args[0].Value),
        IrOp.Multiply when x.Args[1].IsConstant => (x.Args[0], x.Args[1].Value),
        IrOp.Negate => (x.Args[0], -1),
        _ => (x, 1),
    };
}
