namespace NeuroNative.Models.Parsing;

// The immutable output of the parsing stage. Every node keeps the span of its text in the parsed
// string; a parenthesised expression's span includes its parentheses, so Span.Slice(source) gives
// back exactly what the user wrote.

public abstract record Expr(SourceSpan Span);

/// <summary>A numeric literal. <see cref="IsInteger"/> is true for digit-only literals ("3"), false
/// for "3.", ".5", "4e-3", "1E5" (Brian folds int**int as integers, so the distinction matters).</summary>
public sealed record NumberLiteral(double Value, bool IsInteger, SourceSpan Span) : Expr(Span);

/// <summary>Any identifier (variables, units, constants such as pi or True, t, dt, xi_1); names are
/// resolved by later stages.</summary>
public sealed record NameRef(string Name, SourceSpan Span) : Expr(Span);

public enum UnaryOperator { Negate, Plus, Not }

public sealed record UnaryExpr(UnaryOperator Op, Expr Operand, SourceSpan Span) : Expr(Span);

public enum BinaryOperator
{
    Add, Subtract, Multiply, Divide, FloorDivide, Modulo, Power,
    Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual, And, Or,
}

public sealed record BinaryExpr(BinaryOperator Op, Expr Left, Expr Right, SourceSpan Span) : Expr(Span);

/// <summary>A function call <c>f(a, b)</c>; <c>rand()</c> has no arguments.</summary>
public sealed record CallExpr(string Function, SourceSpan FunctionSpan, IReadOnlyList<Expr> Arguments, SourceSpan Span)
    : Expr(Span);

public enum EquationKind { Differential, Subexpression, Parameter }

public enum UnitKeyword { None, Boolean, Integer }

/// <summary>The text after ':' — a unit expression (<c>volt</c>, <c>siemens/metre**2</c>, <c>1</c>,
/// <c>metre**-2</c>) with <see cref="Keyword"/> None, or a type keyword with a null expression.</summary>
public sealed record UnitSpec(Expr? Expression, UnitKeyword Keyword, SourceSpan Span);

/// <summary>A flag such as "constant", "shared", "constant over dt" or "unless refractory"; words are
/// joined by single spaces whatever whitespace separated them.</summary>
public sealed record Flag(string Name, SourceSpan Span);

/// <summary>One declaration: <c>dx/dt = expr : unit</c>, <c>name = expr : unit</c> or <c>name : unit</c>,
/// each with optional flags. <see cref="Expression"/> is null for parameters. <see cref="NameSpan"/>
/// covers the name itself (the "v" of "dv/dt"), so NameSpan.Slice(source) == Name.</summary>
public sealed record EquationDecl(
    EquationKind Kind, string Name, SourceSpan NameSpan, Expr? Expression, UnitSpec Unit,
    IReadOnlyList<Flag> Flags, SourceSpan Span);

public sealed record ParsedEquations(string Source, IReadOnlyList<EquationDecl> Equations);

/// <summary>One argument of a function definition, <c>x : volt</c>, <c>n : integer</c> or <c>c : boolean</c>.</summary>
public sealed record FunctionParameterDecl(string Name, SourceSpan NameSpan, UnitSpec Unit);

/// <summary>A function defined in the model language: <c>name(arg : unit, ...) = body : unit (flags)</c>.</summary>
public sealed record FunctionDecl(
    string Name, SourceSpan NameSpan, IReadOnlyList<FunctionParameterDecl> Parameters, Expr Body, UnitSpec Result,
    IReadOnlyList<Flag> Flags, SourceSpan Span);

/// <summary>One of Brian's random functions declared as in Python, <c>name = BinomialFunction(100, 0.1, approximate=False)</c>:
/// <see cref="Kind"/> the class, its positional and keyword arguments (keyword: its name and span).</summary>
public sealed record RandomFunctionDecl(
    string Name, SourceSpan NameSpan, string Kind, SourceSpan KindSpan, IReadOnlyList<Expr> Arguments,
    IReadOnlyList<(string Name, SourceSpan NameSpan, Expr Value)> Keywords, SourceSpan Span);

public sealed record ParsedFunctions(string Source, IReadOnlyList<FunctionDecl> Functions, IReadOnlyList<RandomFunctionDecl> RandomFunctions);

public enum AssignOperator { Assign, AddAssign, SubtractAssign, MultiplyAssign, DivideAssign, PowerAssign, ModuloAssign }

/// <summary>One reset/event statement <c>target op value</c>.</summary>
public sealed record Statement(string Target, SourceSpan TargetSpan, AssignOperator Op, Expr Value, SourceSpan Span);
