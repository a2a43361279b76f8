namespace NeuroNative.Models.Parsing;

/// <summary>
/// Entry points of the parsing stage: Brian 2 model text to syntax trees with source positions.
/// Every problem is a <see cref="ModelException"/> that names the context, line, column and
/// offending text; nothing else escapes. Spans are relative to the text passed in.
/// </summary>
public static class ModelParser
{
    /// <summary>Parses equations: one declaration per logical line, <c>dx/dt = expr : unit (flags)</c>,
    /// <c>name = expr : unit (flags)</c> or <c>name : unit (flags)</c>; <c>#</c> comments; an empty text
    /// gives no equations. Errors use the context "equations".</summary>
    public static ParsedEquations ParseEquations(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parser.Equations(text);
    }

    /// <summary>Parses function definitions, one per logical line: <c>name(arg : unit, ...) = expr : unit (flags)</c>,
    /// each argument's and the result's unit written like an equation's (<c>1</c>, <c>volt</c>, <c>integer</c>,
    /// <c>boolean</c>); <c>#</c> comments.</summary>
    public static ParsedFunctions ParseFunctions(string text, string context)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(context);
        return Parser.Functions(text, context);
    }

    /// <summary>Parses a whole text as one expression (threshold, refractory condition, initial value...);
    /// it may run over several lines like an equation's right-hand side.</summary>
    public static Expr ParseExpression(string text, string context)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(context);
        return Parser.Expression(text, context);
    }

    /// <summary>Parses reset/event code: statements <c>target op expr</c> (op one of = += -= *= /= **= %=)
    /// separated by newlines or ';'. An empty text gives an empty list.</summary>
    public static IReadOnlyList<Statement> ParseStatements(string text, string context)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(context);
        return Parser.Statements(text, context);
    }
}
