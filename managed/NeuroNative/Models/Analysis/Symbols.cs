using NeuroNative.Models.IR;
using NeuroNative.Models.Units;

namespace NeuroNative.Models.Analysis;

/// <summary>What a name in a model expression refers to.</summary>
internal abstract record Symbol(Dimension Dimension);

internal sealed record StateSymbol(int Index, Dimension Dimension) : Symbol(Dimension);

internal sealed record ParameterSymbol(int Index, Dimension Dimension, bool IsConstant, bool IsBoolean, bool IsInteger = false)
    : Symbol(Dimension);

/// <summary>A subexpression, already lowered (in terms of state and parameter leaves).</summary>
internal sealed record SubexpressionSymbol(IrNode Node, Dimension Dimension, bool IsBoolean, bool IsInteger) : Symbol(Dimension);

internal sealed record ConstantSymbol(double Value, Dimension Dimension, bool IsBoolean = false) : Symbol(Dimension);

internal sealed record SpecialSymbol(IrSpecial Special, Dimension Dimension, bool IsBoolean = false, bool IsInteger = false)
    : Symbol(Dimension);

internal sealed record NoiseSymbol(int Term, Dimension Dimension) : Symbol(Dimension);

internal sealed record TimedArraySymbol(int Input, TimedArray Array) : Symbol(Array.Unit);

/// <summary>A user function (or a BinomialFunction): its signature and arguments, which every call is checked against;
/// <see cref="Inline"/> lowers a call from checked arguments (in the caller's builder, drawing the caller's random
/// streams).</summary>
internal sealed record FunctionSymbol(string Signature, IReadOnlyList<(string Name, Dimension Dimension, VariableType Type)> Arguments,
    Dimension Result, Func<IrBuilder, IReadOnlyList<Typed>, Func<int>, Typed> Inline) : Symbol(Result);

/// <summary>An argument inside a function's body: the caller's value.</summary>
internal sealed record ArgumentSymbol(Typed Value) : Symbol(Value.Dimension);

/// <summary>A name that exists but may not be used where it appears; <see cref="Reason"/> says why.</summary>
internal sealed record RejectedSymbol(string Reason) : Symbol(Dimension.Dimensionless);

/// <summary>An IR value with its physical dimension; IsBoolean marks results of comparisons and
/// logic, which Brian does not allow in arithmetic without int(). IsInteger follows Brian's integer
/// dtype (integer literals and variables, int(), and +, -, *, //, % of integers), which a function's
/// integer argument demands.</summary>
internal readonly record struct Typed(IrNode Node, Dimension Dimension, bool IsBoolean, bool IsInteger = false);
