using NeuroNative.Models;
using NeuroNative.Models.Parsing;
using Xunit;

namespace NeuroNative.Tests.Parsing;

[Trait("Category", "CodegenIndependent")]
public class ParserErrorTests
{
    private static ModelException Equations(string text) =>
        Assert.Throws<ModelException>(() => ModelParser.ParseEquations(text));

    private static ModelException Expression(string text) =>
        Assert.Throws<ModelException>(() => ModelParser.ParseExpression(text, "threshold"));

    private static ModelException Statements(string text) =>
        Assert.Throws<ModelException>(() => ModelParser.ParseStatements(text, "reset"));

    // Typical mistakes, with the whole message as the user sees it.

    [Fact]
    public void UnclosedParenthesisNamesWhereItWasOpened()
    {
        var error = Equations("dv/dt = -v/tau : volt\ndw/dt = (a*(v - EL)\n         - w/tauw : amp");
        Assert.Equal("""
            equations, line 3, column 19: expected ')' to close '(' opened at line 2, column 9
                         - w/tauw : amp
                                  ^
            """.ReplaceLineEndings("\n"), error.Message);
        Assert.Equal(("equations", 3, 19, ":"), (error.Context, error.Line, error.Column, error.OffendingText));
    }

    [Fact]
    public void BitwiseAndSuggestsAnd()
    {
        var error = Expression("v > -50*mV & w > 0");
        Assert.Equal("""
            threshold, line 1, column 12: unexpected '&'; use 'and'
                v > -50*mV & w > 0
                           ^
            """.ReplaceLineEndings("\n"), error.Message);
        Assert.Equal("&", error.OffendingText);
    }

    [Fact]
    public void MissingUnitPointsAtTheLineEnd()
    {
        var error = Equations("dv/dt = -v/tau : volt\ndw/dt = -w/tau\n");
        Assert.Equal("""
            equations, line 2, column 15: expected ':' followed by a unit, e.g. 'dv/dt = -v/tau : volt'
                dw/dt = -w/tau
                              ^
            """.ReplaceLineEndings("\n"), error.Message);
    }

    [Fact]
    public void MalformedDerivative()
    {
        var error = Equations("dx/ds = -x/tau : 1");
        Assert.Equal("""
            equations, line 1, column 1: a differential equation must look like 'dx/dt = ...'
                dx/ds = -x/tau : 1
                ^^^^^
            """.ReplaceLineEndings("\n"), error.Message);
        Assert.Equal("dx/ds", error.OffendingText);
    }

    [Fact]
    public void ChainedComparison()
    {
        var error = Expression("a<b<c");
        Assert.Equal("""
            threshold, line 1, column 4: Can only handle single comparisons like a<b not a<b<c
                a<b<c
                   ^
            """.ReplaceLineEndings("\n"), error.Message);
    }

    [Fact]
    public void BoolUnitSuggestsBoolean()
    {
        var error = Equations("spiking : bool");
        Assert.Equal("Use 'boolean' not 'bool' as the unit for the variable 'spiking'", error.Reason);
        Assert.Equal((1, 11, "bool"), (error.Line, error.Column, error.OffendingText));
    }

    // Every other rejected construct: line, column, offending text and reason.

    [Theory]
    [InlineData("x : int", 1, 5, "int", "Use 'integer' not 'int' as the unit for the variable 'x'")]
    [InlineData("x/dt = -x/tau : 1", 1, 1, "x/dt", "a differential equation must look like 'dx/dt = ...'")]
    [InlineData("I : amp (constant, constant)", 1, 20, "constant", "duplicate flag 'constant'")]
    [InlineData("I : amp (constant,)", 1, 19, ")", "empty flag; expected a flag name such as 'constant'")]
    [InlineData("I : amp ()", 1, 10, ")", "empty flag; expected a flag name such as 'constant'")]
    [InlineData("I : amp (constant", 1, 18, "", "expected ',' or ')' to close '(' opened at line 1, column 9")]
    [InlineData("I : amp constant", 1, 9, "constant",
        "unexpected 'constant'; flags must be written in parentheses after the unit, e.g. ': volt (constant)'")]
    [InlineData("I : amp (constant) shared", 1, 20, "shared", "unexpected 'shared'; expected the end of the line after the flags")]
    [InlineData("I : amp (event - driven)", 1, 10, "event - driven", "invalid flag 'event - driven'")]
    [InlineData("I : (constant)", 1, 5, "(", "expected a unit before the flags, e.g. ': volt (constant)'")]
    [InlineData("I : ", 1, 5, "", "expected a unit after ':', e.g. 'volt', '1' or 'boolean'")]
    [InlineData("I : volt/(metre*second)", 1, 10, "(", "parentheses are not allowed in a unit; write e.g. 'siemens/metre**2'")]
    [InlineData("I = 3 : amp\n* 2", 2, 1, "*",
        "unexpected '*'; expected an equation such as 'dv/dt = -v/tau : volt', 'x = 2*v : volt' or 'g : siemens'")]
    [InlineData("and : 1", 1, 1, "and", "'and' is a reserved word and cannot be a variable name")]
    [InlineData("dlambda/dt = 1/second : 1", 1, 2, "lambda", "'lambda' is a reserved word and cannot be a variable name")]
    [InlineData("I", 1, 2, "", "expected ':' followed by a unit, e.g. 'dv/dt = -v/tau : volt'")]
    [InlineData("x = : 1", 1, 5, ":", "unexpected ':'; expected a number, a name or '('")]
    [InlineData("x = a b : 1", 1, 7, "b", "unexpected 'b'; expected an operator, or ':' followed by a unit")]
    [InlineData("x = a if c else b : 1", 1, 7, "if", "conditional expressions ('a if c else b') are not supported")]
    [InlineData("dv/dt = (1 +\n 2 : volt\nx = 1 & 2 : 1", 2, 4, ":", "expected ')' to close '(' opened at line 1, column 9")]
    [InlineData("dv/dt = -v/tau : volt\nx = 1 & 2 : 1", 2, 7, "&", "unexpected '&'; use 'and'")]
    public void EquationErrors(string text, int line, int column, string offending, string reason) =>
        AssertError(Equations(text), "equations", line, column, offending, reason);

    [Theory]
    [InlineData("v > 1 && w", 1, 7, "&&", "unexpected '&&'; use 'and'")]
    [InlineData("v > 1 | w", 1, 7, "|", "unexpected '|'; use 'or'")]
    [InlineData("!v", 1, 1, "!", "unexpected '!'; use 'not'")]
    [InlineData("v^2", 1, 2, "^", "unexpected '^'; use '**' for powers")]
    [InlineData("a < b\n  <= c", 2, 3, "<=", "Can only handle single comparisons like a<b not a<b<c")]
    [InlineData("a if c else b", 1, 3, "if", "conditional expressions ('a if c else b') are not supported")]
    [InlineData("v = 1", 1, 3, "=", "unexpected '='; use '==' to compare values")]
    [InlineData("(a + b", 1, 7, "", "expected ')' to close '(' opened at line 1, column 1")]
    [InlineData("a + b)", 1, 6, ")", "unexpected ')'; expected an operator or the end of the expression")]
    [InlineData("f(a, b", 1, 7, "", "expected ',' or ')' to close '(' opened at line 1, column 2")]
    [InlineData("f(a b)", 1, 5, "b", "expected ',' or ')' to close '(' opened at line 1, column 2")]
    [InlineData("", 1, 1, "", "expected an expression, but the text is empty")]
    [InlineData("$x", 1, 1, "$", "unexpected character '$'")]
    [InlineData("v[0]", 1, 2, "[", "unexpected '['; only '(' and ')' can group expressions")]
    [InlineData("v > 1 w", 1, 7, "w", "unexpected 'w'; expected an operator or the end of the expression")]
    [InlineData("3x", 1, 1, "3x", "invalid number '3x'")]
    [InlineData("1e", 1, 1, "1e", "invalid number '1e'")]
    [InlineData("1.2.3", 1, 1, "1.2.3", "invalid number '1.2.3'")]
    [InlineData("007", 1, 1, "007", "invalid number '007'; leading zeros are not allowed in integers")]
    [InlineData("a.b", 1, 2, ".", "unexpected character '.'")]
    [InlineData("a +", 1, 4, "", "unexpected end of text; expected a number, a name or '('")]
    [InlineData("a + not b", 1, 5, "not", "unexpected 'not'; expected a number, a name or '('")]
    [InlineData("\tv\u00e9", 1, 3, "\u00e9", "unexpected character '\u00e9'")]
    [InlineData("v\u0001", 1, 2, "\u0001", "unexpected character 'U+0001'")]
    public void ExpressionErrors(string text, int line, int column, string offending, string reason) =>
        AssertError(Expression(text), "threshold", line, column, offending, reason);

    [Theory]
    [InlineData("v == 1", 1, 3, "==",
        "unexpected '=='; expected an assignment ('=', '+=', '-=', '*=', '/=', '**=' or '%=') after 'v'")]
    [InlineData("v //= 1", 1, 3, "//=",
        "unexpected '//='; expected an assignment ('=', '+=', '-=', '*=', '/=', '**=' or '%=') after 'v'")]
    [InlineData("v = 1 w = 2", 1, 7, "w", "unexpected 'w'; expected an operator, ';' or the end of the line")]
    [InlineData("v = Vr;\n1 = v", 2, 1, "1", "unexpected '1'; expected a statement such as 'v = v_reset' or 'w += b'")]
    [InlineData("if = 2", 1, 1, "if", "'if' is a reserved word and cannot be a variable name")]
    [InlineData("v = w & 1", 1, 7, "&", "unexpected '&'; use 'and'")]
    public void StatementErrors(string text, int line, int column, string offending, string reason) =>
        AssertError(Statements(text), "reset", line, column, offending, reason);

    [Fact]
    public void DeepNestingIsAModelErrorNotAStackOverflow()
    {
        foreach (var text in new[]
                 {
                     new string('(', 100_000) + "1" + new string(')', 100_000),
                     new string('-', 100_000) + "1",
                     string.Concat(Enumerable.Repeat("not ", 100_000)) + "a",
                     string.Join("**", Enumerable.Repeat("a", 100_000)),
                     string.Concat(Enumerable.Repeat("f(", 100_000)) + "1",
                 })
        {
            var error = Expression(text);
            Assert.Equal("expression is nested too deeply (more than 200 levels)", error.Reason);
            Assert.Equal(1, error.Line);
        }
        // Up to the limit nesting is fine, and long flat chains are not nesting.
        Assert.IsType<NumberLiteral>(ModelParser.ParseExpression(new string('(', 150) + "1" + new string(')', 150), "x"));
        Assert.IsType<BinaryExpr>(ModelParser.ParseExpression(string.Join("+", Enumerable.Repeat("a", 100_000)), "x"));
    }

    private static void AssertError(ModelException error, string context, int line, int column, string offending, string reason)
    {
        Assert.Equal(reason, error.Reason);
        Assert.Equal((context, line, column, offending), (error.Context, error.Line, error.Column, error.OffendingText));
        Assert.StartsWith($"{context}, line {line}, column {column}: {reason}", error.Message);
    }
}
