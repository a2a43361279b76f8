using System.Globalization;
using NeuroNative.Models.Parsing;

namespace NeuroNative.Models.Reporting;

/// <summary>Expressions of the model language as LaTeX, for reports: fractions for divisions, powers as
/// superscripts, Greek names as letters, x_y subscripts; parentheses only where precedence needs them.</summary>
public static class Latex
{
    private static readonly HashSet<string> Greek =
    [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu",
        "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
        "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
    ];

    /// <summary><c>tau_e</c> → <c>\tau_{e}</c>; <c>I_ext</c> → <c>I_{ext}</c>.</summary>
    public static string Symbol(string name)
    {
        int underscore = name.IndexOf('_', 1);
        string head = underscore > 0 ? name[..underscore] : name, tail = underscore > 0 ? name[(underscore + 1)..] : "";
        string h = Greek.Contains(head) ? "\\" + head : head.Length > 1 ? $"\\mathrm{{{head}}}" : head;
        return tail.Length == 0 ? h : $"{h}_{{{(Greek.Contains(tail) ? "\\" + tail : tail.Replace("_", "\\_"))}}}";
    }

    /// <summary>The expression <paramref name="text"/> in LaTeX (its text verbatim if it does not parse).</summary>
    public static string Expression(string text)
    {
        try { return Print(Parser.Expression(text, "report"), 0); }
        catch (ModelException) { return $"\\texttt{{{text.Replace("_", "\\_")}}}"; }
    }

    // Precedence: 1 or, 2 and, 3 comparisons, 4 + -, 5 * / // %, 6 unary, 7 power, 8 atoms.
    private static string Print(Expr e, int context)
    {
        (string text, int level) = e switch
        {
            NumberLiteral n => (n.Value.ToString("R", CultureInfo.InvariantCulture), 8),
            NameRef r => (Symbol(r.Name), 8),
            CallExpr c => (Call(c), 8),
            UnaryExpr { Op: UnaryOperator.Negate } u => ("-" + Print(u.Operand, 6), 6),
            UnaryExpr { Op: UnaryOperator.Plus } u => (Print(u.Operand, 6), 6),
            UnaryExpr u => ("\\lnot " + Print(u.Operand, 6), 6),
            BinaryExpr b => Binary(b),
            _ => (e.ToString() ?? "", 8),
        };
        return level < context ? $"\\left({text}\\right)" : text;
    }

    private static (string, int) Binary(BinaryExpr b) => b.Op switch
    {
        BinaryOperator.Add => ($"{Print(b.Left, 4)} + {Print(b.Right, 5)}", 4),
        BinaryOperator.Subtract => ($"{Print(b.Left, 4)} - {Print(b.Right, 5)}", 4),
        BinaryOperator.Multiply => (Product(Print(b.Left, 5), Print(b.Right, 6)), 5),
        BinaryOperator.Divide => ($"\\frac{{{Print(b.Left, 0)}}}{{{Print(b.Right, 0)}}}", 8),
        BinaryOperator.FloorDivide => ($"\\left\\lfloor \\frac{{{Print(b.Left, 0)}}}{{{Print(b.Right, 0)}}} \\right\\rfloor", 8),
        BinaryOperator.Modulo => ($"{Print(b.Left, 5)} \\bmod {Print(b.Right, 6)}", 5),
        BinaryOperator.Power => ($"{Print(b.Left, 8)}^{{{Print(b.Right, 0)}}}", 7),
        BinaryOperator.Less => ($"{Print(b.Left, 4)} < {Print(b.Right, 4)}", 3),
        BinaryOperator.LessEqual => ($"{Print(b.Left, 4)} \\le {Print(b.Right, 4)}", 3),
        BinaryOperator.Greater => ($"{Print(b.Left, 4)} > {Print(b.Right, 4)}", 3),
        BinaryOperator.GreaterEqual => ($"{Print(b.Left, 4)} \\ge {Print(b.Right, 4)}", 3),
        BinaryOperator.Equal => ($"{Print(b.Left, 4)} = {Print(b.Right, 4)}", 3),
        BinaryOperator.NotEqual => ($"{Print(b.Left, 4)} \\ne {Print(b.Right, 4)}", 3),
        BinaryOperator.And => ($"{Print(b.Left, 2)} \\land {Print(b.Right, 3)}", 2),
        _ => ($"{Print(b.Left, 1)} \\lor {Print(b.Right, 2)}", 1),
    };

    /// <summary>Juxtaposition, with a dot where a number follows (c 0.8 would read as one term).</summary>
    private static string Product(string left, string right) =>
        right.Length > 0 && (char.IsDigit(right[0]) || right[0] == '-') ? $"{left} \\cdot {right}" : $"{left} {right}";

    private static string Call(CallExpr c)
    {
        var args = c.Arguments.Select(a => Print(a, 0)).ToList();
        return c.Function switch
        {
            "sqrt" when args.Count == 1 => $"\\sqrt{{{args[0]}}}",
            "exp" when args.Count == 1 => $"e^{{{args[0]}}}",
            "abs" when args.Count == 1 => $"\\left|{args[0]}\\right|",
            "sin" or "cos" or "tan" or "sinh" or "cosh" or "tanh" or "log" =>
                $"\\{c.Function}\\left({string.Join(", ", args)}\\right)",
            _ => $"\\operatorname{{{c.Function.Replace("_", "\\_")}}}\\left({string.Join(", ", args)}\\right)",
        };
    }
}
