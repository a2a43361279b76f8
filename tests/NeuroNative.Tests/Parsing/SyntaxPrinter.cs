using System.Globalization;
using NeuroNative.Models.Parsing;

namespace NeuroNative.Tests.Parsing;

/// <summary>Renders a tree fully parenthesised, so a test states structure in one readable string.</summary>
internal static class SyntaxPrinter
{
    public static string Show(Expr expr) => expr switch
    {
        NumberLiteral n => n.Value.ToString("R", CultureInfo.InvariantCulture) + (n.IsInteger ? "" : "f"),
        NameRef r => r.Name,
        UnaryExpr u => $"({Symbol(u.Op)}{Show(u.Operand)})",
        BinaryExpr b => $"({Show(b.Left)} {Symbol(b.Op)} {Show(b.Right)})",
        CallExpr c => $"{c.Function}({string.Join(", ", c.Arguments.Select(Show))})",
        _ => throw new ArgumentOutOfRangeException(nameof(expr)),
    };

    public static string Show(UnitSpec unit) => unit.Keyword switch
    {
        UnitKeyword.Boolean => "boolean",
        UnitKeyword.Integer => "integer",
        _ => Show(unit.Expression!),
    };

    private static string Symbol(UnaryOperator op) => op switch
    {
        UnaryOperator.Negate => "-",
        UnaryOperator.Plus => "+",
        _ => "not ",
    };

    private static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.FloorDivide => "//",
        BinaryOperator.Modulo => "%",
        BinaryOperator.Power => "**",
        BinaryOperator.Less => "<",
        BinaryOperator.LessEqual => "<=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterEqual => ">=",
        BinaryOperator.Equal => "==",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.And => "and",
        _ => "or",
    };
}
