using NeuroNative.Models.Parsing;
using Xunit;
using static NeuroNative.Tests.Parsing.SyntaxPrinter;

namespace NeuroNative.Tests.Parsing;

[Trait("Category", "CodegenIndependent")]
public class ExpressionParserTests
{
    private static string Parse(string text) => Show(ModelParser.ParseExpression(text, "threshold"));

    // Python's precedence and associativity ("f" marks a non-integer literal).
    [Theory]
    [InlineData("-a**2", "(-(a ** 2))")]
    [InlineData("2**-1", "(2 ** (-1))")]
    [InlineData("a**b**c", "(a ** (b ** c))")]
    [InlineData("-a**-b**c", "(-(a ** (-(b ** c))))")]
    [InlineData("a - b - c", "((a - b) - c)")]
    [InlineData("a / b * c // d % e", "((((a / b) * c) // d) % e)")]
    [InlineData("a + b * c", "(a + (b * c))")]
    [InlineData("-a * b", "((-a) * b)")]
    [InlineData("--+a", "(-(-(+a)))")]
    [InlineData("not a and b or c", "(((not a) and b) or c)")]
    [InlineData("a or b and not c", "(a or (b and (not c)))")]
    [InlineData("not not a", "(not (not a))")]
    [InlineData("not a < b", "(not (a < b))")]
    [InlineData("a < b", "(a < b)")]
    [InlineData("a + 1 <= b * 2", "((a + 1) <= (b * 2))")]
    [InlineData("a > b and c >= d or e == f and g != h",
        "(((a > b) and (c >= d)) or ((e == f) and (g != h)))")]
    [InlineData("(a + b) * c", "((a + b) * c)")]
    [InlineData("(a < b) < c", "((a < b) < c)")]
    [InlineData("v>-20*mV", "(v > ((-20) * mV))")]
    [InlineData("rand() < 0.5", "(rand() < 0.5f)")]
    [InlineData("clip(v, -1, 1 + x)", "clip(v, (-1), (1 + x))")]
    [InlineData("exp (x)", "exp(x)")]
    [InlineData("True and not False", "(True and (not False))")]
    [InlineData("  pi*e*inf*t*dt*xi_1  ", "(((((pi * e) * inf) * t) * dt) * xi_1)")]
    public void PrecedenceAndAssociativityFollowPython(string text, string expected) =>
        Assert.Equal(expected, Parse(text));

    [Theory]
    [InlineData("3", 3.0, true)]
    [InlineData("0", 0.0, true)]
    [InlineData("000", 0.0, true)]
    [InlineData("3.", 3.0, false)]
    [InlineData(".5", 0.5, false)]
    [InlineData("4e-3", 0.004, false)]
    [InlineData("1E5", 1e5, false)]
    [InlineData("1E+5", 1e5, false)]
    [InlineData("2.5e3", 2500.0, false)]
    [InlineData("1.e2", 100.0, false)]
    [InlineData("12345678901234567890", 12345678901234567890.0, true)]
    [InlineData("1e999", double.PositiveInfinity, false)]
    public void NumberForms(string text, double value, bool isInteger)
    {
        var number = Assert.IsType<NumberLiteral>(ModelParser.ParseExpression(text, "value"));
        Assert.Equal(value, number.Value);
        Assert.Equal(isInteger, number.IsInteger);
        Assert.Equal(new SourceSpan(0, text.Length, 1, 1), number.Span);
    }

    [Fact]
    public void SpansCoverTheirText()
    {
        const string text = "v > -(El + 2)*mV and f(x, y**2)";
        var and = Assert.IsType<BinaryExpr>(ModelParser.ParseExpression(text, "threshold"));
        Assert.Equal(new SourceSpan(0, text.Length, 1, 1), and.Span);
        var comparison = Assert.IsType<BinaryExpr>(and.Left);
        Assert.Equal("v > -(El + 2)*mV", comparison.Span.Slice(text));
        var product = Assert.IsType<BinaryExpr>(comparison.Right);
        var negated = Assert.IsType<UnaryExpr>(product.Left);
        Assert.Equal("-(El + 2)", negated.Span.Slice(text));
        Assert.Equal("(El + 2)", negated.Operand.Span.Slice(text));
        var call = Assert.IsType<CallExpr>(and.Right);
        Assert.Equal(new SourceSpan(21, 1, 1, 22), call.FunctionSpan);
        Assert.Equal("f(x, y**2)", call.Span.Slice(text));
        Assert.Equal("y**2", call.Arguments[1].Span.Slice(text));
        Assert.Empty(Assert.IsType<CallExpr>(ModelParser.ParseExpression("rand()", "x")).Arguments);
    }

    [Fact]
    public void ExpressionsMayRunOverSeveralLines()
    {
        const string text = "\n  v > 0 and\n  # a comment\n  w < 1\n    or z\n";
        var or = Assert.IsType<BinaryExpr>(ModelParser.ParseExpression(text, "threshold"));
        Assert.Equal("(((v > 0) and (w < 1)) or z)", Show(or));
        Assert.Equal((2, 3), (or.Span.Line, or.Span.Column));
        var w = ((BinaryExpr)((BinaryExpr)or.Left).Right).Left;
        Assert.Equal(new SourceSpan(text.IndexOf('w'), 1, 4, 3), w.Span);
        Assert.Equal("(a * (b + c))", Parse("a * (b\n + c)"));
    }
}
