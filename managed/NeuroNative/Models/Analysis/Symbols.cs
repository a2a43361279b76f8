using NeuroNative.Models.IR;
using NeuroNative.Models.Units;

namespace NeuroNative.Models.Analysis;

/// <summary>What a name in a model expression refers to.</summary>
internal abstract record Symbol(Dimension Dimension);

internal sealed record StateSymbol(int Index, Dimension Dimension) : Symbol(Dimension);

internal sealed record ParameterSymbol(int Index, Dimension Dimension, bool IsConstant, bool IsBoolean) : Symbol(Dimension);

/// <summary>A subexpression, already lowered (in terms of state and parameter leaves).</summary>
internal sealed record SubexpressionSymbol(IrNode Node, Dimension Dimension, bool IsBoolean) : Symbol(Dimension);

internal sealed record ConstantSymbol(double Value, Dimension Dimension, bool IsBoolean = false) : Symbol(Dimension);

internal sealed record SpecialSymbol(IrSpecial Special, Dimension Dimension, bool IsBoolean = false) : Symbol(Dimension);

internal sealed record NoiseSymbol(int Term, Dimension Dimension) : Symbol(Dimension);

internal sealed record TimedArraySymbol(int Input, TimedArray Array) : Symbol(Array.Unit);

/// <summary>An IR value with its physical dimension; IsBoolean marks results of comparisons and
/// logic, which Brian does not allow in arithmetic without int().</summary>
internal readonly record struct Typed(IrNode Node, Dimension Dimension, bool IsBoolean);
