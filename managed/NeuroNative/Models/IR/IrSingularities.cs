namespace NeuroNative.Models.IR;

/// <summary>
/// Removable singularities of the form c·a/(exp(k·a) − 1) — the Hodgkin–Huxley rate functions, 0/0 at
/// a = 0 — rewritten as (c/k)·y/expm1(y) with y = k·a and the limit 1 of y/expm1(y) where |y| < 1e-16
/// (Brian's exprel threshold): the same function, finite everywhere, in every precision, with one
/// division as written (docs/numerics.md).
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
        var y = Remove(b, exponent);
        var ratio = b.Select(b.Binary(IrOp.Less, b.Unary(IrOp.Abs, y), b.Constant(1e-16)), b.Constant(1),
            b.Divide(y, b.Unary(IrOp.Expm1, y)));
        return b.Multiply(b.Constant(c / k), ratio);
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
