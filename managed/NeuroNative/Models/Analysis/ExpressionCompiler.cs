using NeuroNative.Models.IR;
using NeuroNative.Models.Parsing;
using NeuroNative.Models.Units;

namespace NeuroNative.Models.Analysis;

/// <summary>
/// Checks the units of one expression and lowers it to IR in the same walk. Errors name the
/// context, the place, the offending text and what was expected.
/// </summary>
internal sealed class ExpressionCompiler
{
    private readonly IrBuilder _b;
    private readonly Func<string, Symbol?> _resolve;
    private readonly Func<IEnumerable<string>> _knownNames;
    private readonly Func<int> _nextRandomStream;
    private readonly string _context;
    private readonly string _source;

    public ExpressionCompiler(IrBuilder builder, Func<string, Symbol?> resolve, Func<IEnumerable<string>> knownNames,
        Func<int> nextRandomStream, string context, string source)
    {
        _b = builder;
        _resolve = resolve;
        _knownNames = knownNames;
        _nextRandomStream = nextRandomStream;
        _context = context;
        _source = source;
    }

    public ModelException Error(SourceSpan span, string reason) => new(_context, _source, span, reason);

    public string Text(Expr e) => e.Span.Slice(_source).Trim();

    public static string Describe(Dimension d) =>
        d.IsDimensionless ? "1 (dimensionless)" : $"{d.ToBrianString()} ({d.ToBaseString()})";

    public Typed Compile(Expr expr) => expr switch
    {
        NumberLiteral n => new Typed(_b.Constant(n.Value), Dimension.Dimensionless, false, n.IsInteger),
        NameRef r => Name(r),
        UnaryExpr u => Unary(u),
        BinaryExpr bin => Binary(bin),
        CallExpr call => Call(call),
        _ => throw Error(expr.Span, "unsupported expression"),
    };

    /// <summary>Compiles an expression that must evaluate to a number (not a comparison).</summary>
    public Typed Numeric(Expr expr, string what)
    {
        var t = Compile(expr);
        if (t.IsBoolean)
            throw Error(expr.Span, $"{what} '{Text(expr)}' is a boolean expression; use int(...) to turn it into a number");
        return t;
    }

    /// <summary>Compiles an expression whose value must be a compile-time constant (an exponent).</summary>
    public double ConstantValue(Expr expr, string what)
    {
        var t = Numeric(expr, what);
        if (!t.Node.IsConstant)
            throw Error(expr.Span, $"{what} '{Text(expr)}' must be a constant (numbers and namespace constants only)");
        return t.Node.Value;
    }

    private Typed Name(NameRef r)
    {
        var symbol = _resolve(r.Name);
        return symbol switch
        {
            StateSymbol s => new Typed(_b.State(s.Index), s.Dimension, false),
            ParameterSymbol p => new Typed(_b.Parameter(p.Index), p.Dimension, p.IsBoolean, p.IsInteger),
            SubexpressionSymbol s => new Typed(s.Node, s.Dimension, s.IsBoolean, s.IsInteger),
            ConstantSymbol c => new Typed(_b.Constant(c.Value), c.Dimension, c.IsBoolean),
            SpecialSymbol s => new Typed(_b.Special(s.Special), s.Dimension, false, s.IsInteger),
            NoiseSymbol n => new Typed(_b.Noise(n.Term), n.Dimension, false),
            ArgumentSymbol a => a.Value,
            TimedArraySymbol => throw Error(r.Span, $"'{r.Name}' is a TimedArray; call it as {r.Name}(t) or {r.Name}(t, i)"),
            FunctionSymbol f => throw Error(r.Span, $"'{r.Name}' is a function; call it as {f.Signature}"),
            RejectedSymbol rejected => throw Error(r.Span, rejected.Reason),
            _ => throw Unknown(r.Name, r.Span, "identifier"),
        };
    }

    /// <summary>Noise terms (xi) belong to differential equations only.</summary>
    public void RejectNoise(Expr expr, IrNode node)
    {
        if (IrCalculus.DependsOn(node, n => n.Op == IrOp.Noise))
            throw Error(expr.Span, "noise terms (xi) can only appear in differential equations");
    }

    public ModelException Unknown(string name, SourceSpan span, string kind)
    {
        string? suggestion = Suggest(name, _knownNames());
        string hint = suggestion is null ? "" : $" (did you mean '{suggestion}'?)";
        return Error(span, $"unknown {kind} '{name}'{hint}");
    }

    public static string? Suggest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            int d = Levenshtein(name, c);
            if (d < bestDistance || (d == bestDistance && best is not null && string.CompareOrdinal(c, best) < 0))
            {
                best = c;
                bestDistance = d;
            }
        }
        return best is not null && bestDistance <= Math.Max(1, name.Length / 3) ? best : null;
    }

    private static int Levenshtein(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    private Typed Unary(UnaryExpr u)
    {
        if (u.Op == UnaryOperator.Not)
        {
            var operand = Compile(u.Operand);
            return new Typed(_b.Unary(IrOp.Not, operand.Node), Dimension.Dimensionless, true);
        }
        var x = Numeric(u.Operand, "operand");
        return u.Op == UnaryOperator.Negate ? x with { Node = _b.Negate(x.Node) } : x;
    }

    private Typed Binary(BinaryExpr e)
    {
        switch (e.Op)
        {
            case BinaryOperator.And or BinaryOperator.Or:
            {
                var l = Compile(e.Left);
                var r = Compile(e.Right);
                return new Typed(_b.Binary(IrOpOf(e.Op), l.Node, r.Node), Dimension.Dimensionless, true);
            }
            case BinaryOperator.Less or BinaryOperator.LessEqual or BinaryOperator.Greater
                or BinaryOperator.GreaterEqual or BinaryOperator.Equal or BinaryOperator.NotEqual:
            {
                var l = Numeric(e.Left, "compared value");
                var r = Numeric(e.Right, "compared value");
                if (l.Dimension != r.Dimension)
                    throw Error(e.Span, $"cannot compare values of different units: '{Text(e.Left)}' is " +
                        $"{Describe(l.Dimension)} but '{Text(e.Right)}' is {Describe(r.Dimension)}");
                return new Typed(_b.Binary(IrOpOf(e.Op), l.Node, r.Node), Dimension.Dimensionless, true);
            }
            case BinaryOperator.Power:
            {
                var baseValue = Numeric(e.Left, "base");
                var exponent = Numeric(e.Right, "exponent");
                if (!exponent.Dimension.IsDimensionless)
                    throw Error(e.Right.Span, $"the exponent '{Text(e.Right)}' must be dimensionless, but it is {Describe(exponent.Dimension)}");
                if (baseValue.Dimension.IsDimensionless)
                    return new Typed(_b.Binary(IrOp.Power, baseValue.Node, exponent.Node), Dimension.Dimensionless, false);
                if (!exponent.Node.IsConstant)
                    throw Error(e.Right.Span, $"'{Text(e.Left)}' has units ({baseValue.Dimension.ToBrianString()}), so its exponent " +
                        $"'{Text(e.Right)}' must be a constant");
                return new Typed(_b.Binary(IrOp.Power, baseValue.Node, exponent.Node),
                    baseValue.Dimension.Pow(exponent.Node.Value), false);
            }
        }

        var left = Numeric(e.Left, "operand");
        var right = Numeric(e.Right, "operand");
        bool integer = left.IsInteger && right.IsInteger;
        switch (e.Op)
        {
            case BinaryOperator.Add or BinaryOperator.Subtract or BinaryOperator.Modulo:
                if (left.Dimension != right.Dimension)
                    throw Error(e.Span, $"'{Text(e)}' combines values of different units: '{Text(e.Left)}' is " +
                        $"{Describe(left.Dimension)} but '{Text(e.Right)}' is {Describe(right.Dimension)}");
                return new Typed(_b.Binary(IrOpOf(e.Op), left.Node, right.Node), left.Dimension, false, integer);
            case BinaryOperator.Multiply:
                return new Typed(_b.Multiply(left.Node, right.Node), left.Dimension * right.Dimension, false, integer);
            case BinaryOperator.Divide:
                return new Typed(_b.Divide(left.Node, right.Node), left.Dimension / right.Dimension, false);
            case BinaryOperator.FloorDivide:
                if (!left.Dimension.IsDimensionless || !right.Dimension.IsDimensionless)
                    throw Error(e.Span, $"'//' needs dimensionless operands, but '{Text(e.Left)}' is {Describe(left.Dimension)} " +
                        $"and '{Text(e.Right)}' is {Describe(right.Dimension)}");
                return new Typed(_b.Binary(IrOp.FloorDivide, left.Node, right.Node), Dimension.Dimensionless, false, integer);
            default:
                throw Error(e.Span, $"unsupported operator in '{Text(e)}'");
        }
    }

    /// <summary>The IR operation of a binary operator whose meaning needs no unit rewriting.</summary>
    private static IrOp IrOpOf(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => IrOp.Add,
        BinaryOperator.Subtract => IrOp.Subtract,
        BinaryOperator.Modulo => IrOp.Modulo,
        BinaryOperator.Less => IrOp.Less,
        BinaryOperator.LessEqual => IrOp.LessEqual,
        BinaryOperator.Greater => IrOp.Greater,
        BinaryOperator.GreaterEqual => IrOp.GreaterEqual,
        BinaryOperator.Equal => IrOp.Equal,
        BinaryOperator.NotEqual => IrOp.NotEqual,
        BinaryOperator.And => IrOp.And,
        BinaryOperator.Or => IrOp.Or,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    private Typed Call(CallExpr call)
    {
        var args = call.Arguments;
        switch (_resolve(call.Function))
        {
            case TimedArraySymbol ta: return TimedArrayCall(call, ta);
            case FunctionSymbol f: return UserCall(call, f);
        }

        if (BuiltIns.DimensionlessFunctions.TryGetValue(call.Function, out var op))
        {
            ExpectArgs(call, 1);
            var x = Numeric(args[0], "argument");
            RequireDimensionless(call, 0, x);
            return new Typed(_b.Unary(op, x.Node), Dimension.Dimensionless, false);
        }
        switch (call.Function)
        {
            case "sqrt":
            {
                ExpectArgs(call, 1);
                var x = Numeric(args[0], "argument");
                return new Typed(_b.Unary(IrOp.Sqrt, x.Node), x.Dimension.Pow(0.5), false);
            }
            case "abs" or "floor" or "ceil":
            {
                ExpectArgs(call, 1);
                var x = Numeric(args[0], "argument");
                return new Typed(_b.Unary(BuiltIns.Functions[call.Function]!.Value, x.Node), x.Dimension, false,
                    x.IsInteger && call.Function == "abs");
            }
            case "sign":
            {
                ExpectArgs(call, 1);
                var x = Numeric(args[0], "argument");
                return new Typed(_b.Unary(IrOp.Sign, x.Node), Dimension.Dimensionless, false);
            }
            case "int":
            {
                // int() is how Brian turns a boolean into a number, so booleans are accepted here.
                ExpectArgs(call, 1);
                var x = Compile(args[0]);
                RequireDimensionless(call, 0, x);
                return new Typed(_b.Unary(IrOp.Trunc, x.Node), Dimension.Dimensionless, false, true);
            }
            case "clip":
            {
                ExpectArgs(call, 3);
                var x = Numeric(args[0], "argument");
                var lo = Numeric(args[1], "argument");
                var hi = Numeric(args[2], "argument");
                foreach (var (a, k) in new[] { (lo, 1), (hi, 2) })
                    if (a.Dimension != x.Dimension)
                        throw Error(args[k].Span, $"argument {k + 1} of clip must have the unit of argument 1, " +
                            $"{Describe(x.Dimension)}, but '{Text(args[k])}' is {Describe(a.Dimension)}");
                return new Typed(_b.Clip(x.Node, lo.Node, hi.Node), x.Dimension, false, x.IsInteger && lo.IsInteger && hi.IsInteger);
            }
            case "rand" or "randn":
            {
                ExpectArgs(call, 0);
                int stream = _nextRandomStream();
                return new Typed(call.Function == "rand" ? _b.Rand(stream) : _b.Randn(stream), Dimension.Dimensionless, false);
            }
            case "poisson":
            {
                // Brian's poisson(lam): an integer (return_type 'integer'), lam dimensionless.
                ExpectArgs(call, 1);
                var lambda = Numeric(args[0], "argument");
                RequireDimensionless(call, 0, lambda);
                return new Typed(_b.Poisson(_nextRandomStream(), lambda.Node), Dimension.Dimensionless, false, true);
            }
            case "timestep":
            {
                // timestep(x, dt) = trunc((x + 1e-3*dt)/dt), Brian's rounding of times to steps.
                ExpectArgs(call, 2);
                var x = Numeric(args[0], "argument");
                var dt = Numeric(args[1], "argument");
                if (x.Dimension != Dimension.Time || dt.Dimension != Dimension.Time)
                    throw Error(call.Span, $"timestep(x, dt) needs two times, got {Describe(x.Dimension)} and {Describe(dt.Dimension)}");
                var shifted = _b.Add(x.Node, _b.Multiply(_b.Constant(1e-3), dt.Node));
                return new Typed(_b.Unary(IrOp.Trunc, _b.Divide(shifted, dt.Node)), Dimension.Dimensionless, false, true);
            }
        }
        string? suggestion = Suggest(call.Function,
            BuiltIns.Functions.Keys.Concat(_knownNames().Where(n => _resolve(n) is FunctionSymbol or TimedArraySymbol)));
        throw Error(call.FunctionSpan, $"unknown function '{call.Function}'" +
            (suggestion is null ? "" : $" (did you mean '{suggestion}'?)"));
    }

    private Typed TimedArrayCall(CallExpr call, TimedArraySymbol ta)
    {
        if (call.Arguments.Count is < 1 or > 2)
            throw Error(call.Span, $"TimedArray '{call.Function}' is called as {call.Function}(t) or {call.Function}(t, i), " +
                $"not with {call.Arguments.Count} arguments");
        var time = Numeric(call.Arguments[0], "argument");
        if (time.Dimension != Dimension.Time)
            throw Error(call.Arguments[0].Span, $"the first argument of TimedArray '{call.Function}' must be a time, " +
                $"but '{Text(call.Arguments[0])}' is {Describe(time.Dimension)}");
        IrNode column = _b.Constant(0);
        if (call.Arguments.Count == 2)
        {
            var c = Numeric(call.Arguments[1], "argument");
            RequireDimensionless(call, 1, c);
            column = c.Node;
        }
        else if (ta.Array.Columns != 1)
            throw Error(call.Span, $"TimedArray '{call.Function}' has {ta.Array.Columns} columns; call it as {call.Function}(t, i)");
        return new Typed(_b.Input(ta.Input, time.Node, column), ta.Array.Unit, false);
    }

    /// <summary>A call of a user function: the arguments checked against its declaration here, where the
    /// call is, then its body inlined.</summary>
    private Typed UserCall(CallExpr call, FunctionSymbol f)
    {
        if (call.Arguments.Count != f.Arguments.Count)
            throw Error(call.Span, $"function {f.Signature} takes {f.Arguments.Count} argument{(f.Arguments.Count == 1 ? "" : "s")}, " +
                $"but {call.Arguments.Count} {(call.Arguments.Count == 1 ? "was" : "were")} given");
        var values = new List<Typed>();
        for (int k = 0; k < call.Arguments.Count; k++)
        {
            var (name, dimension, type) = f.Arguments[k];
            var arg = call.Arguments[k];
            string what = $"argument {k + 1} ('{name}') of {f.Signature}";
            var value = type == VariableType.Boolean ? Compile(arg) : Numeric(arg, "argument");
            if (type == VariableType.Boolean && !value.IsBoolean)
                throw Error(arg.Span, $"{what} is boolean, but '{Text(arg)}' is not a condition");
            if (type == VariableType.Integer && !value.IsInteger)
                throw Error(arg.Span, $"{what} is an integer, but '{Text(arg)}' is not (Brian's integer type: integer " +
                    "literals and variables, int(...), and +, -, *, //, % of integers)");
            if (value.Dimension != dimension)
                throw Error(arg.Span, $"{what} must be {Describe(dimension)}, but '{Text(arg)}' is {Describe(value.Dimension)}");
            values.Add(value);
        }
        return f.Inline(_b, values, _nextRandomStream);
    }

    private void ExpectArgs(CallExpr call, int count)
    {
        if (call.Arguments.Count != count)
            throw Error(call.Span, $"function {call.Function} takes {count} argument{(count == 1 ? "" : "s")}, " +
                $"but {call.Arguments.Count} {(call.Arguments.Count == 1 ? "was" : "were")} given");
    }

    private void RequireDimensionless(CallExpr call, int index, Typed x)
    {
        if (!x.Dimension.IsDimensionless)
            throw Error(call.Arguments[index].Span, $"argument {index + 1} of {call.Function} must be dimensionless, " +
                $"but '{Text(call.Arguments[index])}' is {Describe(x.Dimension)}");
    }
}
