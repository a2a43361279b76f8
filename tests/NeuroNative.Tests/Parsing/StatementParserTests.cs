using NeuroNative.Models;
using NeuroNative.Models.Parsing;
using Xunit;
using static NeuroNative.Tests.Parsing.SyntaxPrinter;

namespace NeuroNative.Tests.Parsing;

[Trait("Category", "CodegenIndependent")]
public class StatementParserTests
{
    private static string[] Parse(string text) => ModelParser.ParseStatements(text, "reset")
        .Select(s => $"{s.Target} {s.Op} {Show(s.Value)}").ToArray();

    [Fact]
    public void SemicolonsAndNewlinesSeparateStatements()
    {
        Assert.Equal(["v Assign Vr", "w AddAssign b"], Parse("v=Vr; w+=b"));
        Assert.Equal(["v Assign ((-70) * mV)"], Parse("v = -70*mV"));
        Assert.Equal(["v Assign 5", "w AddAssign (v + 1)", "z Assign s"],
            Parse("\n  v = 5  # first\n\n  w += v + 1;\n  z = s;\n"));
    }

    [Fact]
    public void AllAssignmentOperators() =>
        Assert.Equal(
            ["a Assign 1", "b AddAssign 2", "c SubtractAssign 3", "d MultiplyAssign 4",
             "e DivideAssign 5", "f PowerAssign 6", "g ModuloAssign 7"],
            Parse("a = 1; b += 2; c -= 3; d *= 4; e /= 5; f **= 6; g %= 7"));

    [Fact]
    public void EmptyCodeGivesNoStatements()
    {
        Assert.Empty(ModelParser.ParseStatements("", "reset"));
        Assert.Empty(ModelParser.ParseStatements(" \n # nothing\n ; \n", "reset"));
    }

    [Fact]
    public void ValuesContinueInsideParenthesesAndAfterOperators()
    {
        Assert.Equal(["v Assign (a + (b * c))"], Parse("v = a +\n  b * (\n c)"));
        Assert.Equal(["v Assign (a * b)"], Parse("v = a\n  * b"));
        // A line starting with '-' is not a continuation in code: it is a (broken) statement of its own.
        var error = Assert.Throws<ModelException>(() => ModelParser.ParseStatements("v = a\n-w", "reset"));
        Assert.Equal((2, 1), (error.Line, error.Column));
    }

    [Fact]
    public void SpansPointIntoTheCode()
    {
        const string text = "v = Vr\n  w += b*2";
        var statements = ModelParser.ParseStatements(text, "reset");
        Assert.Equal(new SourceSpan(9, 1, 2, 3), statements[1].TargetSpan);
        Assert.Equal("w += b*2", statements[1].Span.Slice(text));
        Assert.Equal("b*2", statements[1].Value.Span.Slice(text));
        Assert.Equal(new SourceSpan(0, 6, 1, 1), statements[0].Span);
    }
}
