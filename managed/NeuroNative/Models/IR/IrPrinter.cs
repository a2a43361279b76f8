using System.Globalization;
using System.Text;
using NeuroNative.Models.Analysis;

namespace NeuroNative.Models.IR;

/// <summary>Prints IR as a readable infix expression (for `codegen --target ir` and debugging).</summary>
public static class IrPrinter
{
    /// <summary>Names leaves; null entries fall back to generic names (state[0], param[1], ...).</summary>
    public sealed record Names(IReadOnlyList<string>? States = null, IReadOnlyList<string>? Parameters = null,
        IReadOnlyList<string>? Noise = null, IReadOnlyList<string>? Inputs = null);

    public static string Print(IrNode node, Names? names = null)
    {
        var sb = new StringBuilder();
        Write(sb, node, names ?? new Names(), 0);
        return sb.ToString();
    }

    public static string FormatNumber(double v) => v switch
    {
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        _ when double.IsNaN(v) => "nan",
        _ => v.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string Leaf(IrNode n, Names names) => n.Op switch
    {
        IrOp.Constant => FormatNumber(n.Value),
        IrOp.State => Name(names.States, n.Index, "state"),
        IrOp.Parameter => Name(names.Parameters, n.Index, "param"),
        IrOp.Special => BuiltIns.NameOf((IrSpecial)n.Index)
            ?? ((IrSpecial)n.Index == IrSpecial.EventValue ? "event_value" : $"special[{n.Index}]"),
        IrOp.Rand => $"rand[{n.Index}]()",
        IrOp.Randn => $"randn[{n.Index}]()",
        IrOp.Noise => Name(names.Noise, n.Index, "xi"),
        _ => throw new InvalidOperationException(),
    };

    private static string Name(IReadOnlyList<string>? list, int index, string kind)
        => list is not null && index < list.Count ? list[index] : $"{kind}[{index}]";

    private static int Precedence(IrOp op) => op switch
    {
        IrOp.Or => 1,
        IrOp.And => 2,
        IrOp.Not => 3,
        IrOp.Less or IrOp.LessEqual or IrOp.Greater or IrOp.GreaterEqual or IrOp.Equal or IrOp.NotEqual => 4,
        IrOp.Add or IrOp.Subtract => 5,
        IrOp.Multiply or IrOp.Divide or IrOp.FloorDivide or IrOp.Modulo => 6,
        IrOp.Negate => 7,
        IrOp.Power or IrOp.PowerInt => 8,
        _ => 9,
    };

    private static string Symbol(IrOp op) => op switch
    {
        IrOp.Add => " + ", IrOp.Subtract => " - ", IrOp.Multiply => "*", IrOp.Divide => "/",
        IrOp.FloorDivide => "//", IrOp.Modulo => " % ", IrOp.Power => "**",
        IrOp.Less => " < ", IrOp.LessEqual => " <= ", IrOp.Greater => " > ", IrOp.GreaterEqual => " >= ",
        IrOp.Equal => " == ", IrOp.NotEqual => " != ", IrOp.And => " and ", IrOp.Or => " or ",
        _ => throw new InvalidOperationException(),
    };

    private static void Write(StringBuilder sb, IrNode n, Names names, int outer)
    {
        int p = Precedence(n.Op);
        bool paren = p < outer;
        if (paren) sb.Append('(');
        switch (n.Op)
        {
            case IrOp.Constant or IrOp.State or IrOp.Parameter or IrOp.Special or IrOp.Rand or IrOp.Randn or IrOp.Noise:
                if (n.IsConstant && n.Value < 0 && outer > 0) sb.Append('(').Append(Leaf(n, names)).Append(')');
                else sb.Append(Leaf(n, names));
                break;
            case IrOp.Poisson or IrOp.Binomial: // with the stream, as rand[k]()
                sb.Append(n.Op == IrOp.Poisson ? "poisson" : "binomial").Append('[').Append(n.Index).Append("](");
                for (int k = 0; k < n.Args.Count; k++)
                {
                    if (k > 0) sb.Append(", ");
                    Write(sb, n.Args[k], names, 0);
                }
                sb.Append(')');
                break;
            case IrOp.Input:
                sb.Append(Name(names.Inputs, n.Index, "input")).Append('(');
                Write(sb, n.Args[0], names, 0);
                sb.Append(", ");
                Write(sb, n.Args[1], names, 0);
                sb.Append(')');
                break;
            case IrOp.Negate:
                sb.Append('-');
                Write(sb, n.Args[0], names, p + 1);
                break;
            case IrOp.Not:
                sb.Append("not ");
                Write(sb, n.Args[0], names, p);
                break;
            case IrOp.PowerInt:
                Write(sb, n.Args[0], names, p + 1);
                sb.Append("**").Append(n.Index < 0 ? $"({n.Index})" : n.Index.ToString(CultureInfo.InvariantCulture));
                break;
            case >= IrOp.Add and <= IrOp.Or:
                // Left-associative: the right operand needs parentheses at equal precedence; ** the reverse.
                bool rightAssoc = n.Op == IrOp.Power;
                Write(sb, n.Args[0], names, rightAssoc ? p + 1 : p);
                sb.Append(Symbol(n.Op));
                Write(sb, n.Args[1], names, rightAssoc ? p : p + 1);
                break;
            default:
                sb.Append(FunctionName(n.Op)).Append('(');
                for (int k = 0; k < n.Args.Count; k++)
                {
                    if (k > 0) sb.Append(", ");
                    Write(sb, n.Args[k], names, 0);
                }
                sb.Append(')');
                break;
        }
        if (paren) sb.Append(')');
    }

    public static string FunctionName(IrOp op) =>
        BuiltIns.FunctionNameOf(op) ?? (op == IrOp.Select ? "where" : op.ToString().ToLowerInvariant());
}
