using NeuroNative.Models.IR;
using NeuroNative.Models.Parsing;
using NeuroNative.Models.Units;

namespace NeuroNative.Models.Analysis;

/// <summary>A checked function definition. <see cref="DiscardUnits"/>: the body computes with SI numbers
/// (arguments, units and namespace constants dimensionless) and its value is taken in the result's unit.</summary>
internal sealed record UserFunction(
    string Name, string Signature, IReadOnlyList<(string Name, Dimension Dimension, VariableType Type)> Arguments,
    Dimension Result, VariableType ResultType, bool DiscardUnits, FunctionDecl Declaration);

/// <summary>
/// The model's functions (<see cref="ModelDefinition.Functions"/>): user functions and Brian's BinomialFunction
/// (<c>name = BinomialFunction(n, p, approximate=...)</c>). A function is an expression of its
/// arguments, namespace constants, units and other functions; every call is inlined into the caller's IR,
/// so every backend runs it as ordinary arithmetic. Definitions are checked once, before any call: names,
/// units and types of the arguments and the result, calls in a cycle, and the body compiled on placeholder
/// arguments.
/// </summary>
internal sealed class UserFunctions
{
    public const string Context = "functions";
    private const string DiscardUnitsFlag = "discard units";

    private readonly ModelDefinition _def;
    private readonly Func<string, Symbol?> _resolve;
    private readonly Func<IEnumerable<string>> _knownNames;
    private readonly string _source;
    private readonly List<ModelFunction> _declared = [];

    /// <param name="resolve">The model's resolution, where bodies find constants, TimedArrays and other functions.</param>
    public UserFunctions(ModelDefinition definition, Func<string, Symbol?> resolve, Func<IEnumerable<string>> knownNames)
    {
        _def = definition;
        _source = definition.Functions ?? "";
        _resolve = resolve;
        _knownNames = knownNames;
    }

    /// <summary>Checks the definitions and adds a symbol per function to <paramref name="symbols"/>, which
    /// holds the equations' names and the namespace already.</summary>
    public void Declare(Dictionary<string, Symbol> symbols)
    {
        if (string.IsNullOrWhiteSpace(_source)) return;
        var parsed = ModelParser.ParseFunctions(_source, Context);
        // Random functions first: they depend on constants only, and function bodies may call them.
        var random = new Dictionary<string, RandomFunctionDecl>(StringComparer.Ordinal);
        foreach (var decl in parsed.RandomFunctions)
        {
            CheckName(decl.Name, decl.NameSpan, symbols, random.TryGetValue(decl.Name, out var first) ? first.NameSpan.Line : null);
            symbols[decl.Name] = Binomial(decl);
            random.Add(decl.Name, decl);
        }
        var functions = new Dictionary<string, UserFunction>(StringComparer.Ordinal);
        foreach (var decl in parsed.Functions)
        {
            var f = Check(decl, symbols, functions);
            functions.Add(f.Name, f);
        }
        RejectCycles(functions);
        foreach (var f in functions.Values)
            symbols[f.Name] = new FunctionSymbol(f.Signature, f.Arguments, f.Result, (b, args, streams) => Inline(f, args, b, streams));
        foreach (var f in functions.Values) CheckBody(f);
        _declared.AddRange(functions.Values.Select(f =>
            new ModelFunction(f.Name, f.Signature, f.Declaration.Body.Span.Slice(_source).Trim(), f.DiscardUnits)));
    }

    public IReadOnlyList<ModelFunction> Declared => _declared;

    private ModelException Error(SourceSpan span, string reason) => new(Context, _source, span, reason);

    /// <summary>A function's name must be new: not defined before (at <paramref name="firstLine"/>), not a reserved, unit,
    /// namespace or variable name.</summary>
    private void CheckName(string name, SourceSpan span, Dictionary<string, Symbol> symbols, int? firstLine)
    {
        if (firstLine is { } line) throw Error(span, $"function '{name}' is defined twice (first at line {line})");
        string? clash = Declarations.WhyNotAName(name)
            ?? (_def.Namespace.ContainsKey(name) ? "a namespace entry"
                : symbols.TryGetValue(name, out var known) ? (known is FunctionSymbol ? "a BinomialFunction" : "a variable of the equations")
                : null);
        if (clash is not null)
            throw Error(span, $"'{name}' cannot be used as a function name: it is {clash}");
    }

    private UserFunction Check(FunctionDecl decl, Dictionary<string, Symbol> symbols, Dictionary<string, UserFunction> earlier)
    {
        CheckName(decl.Name, decl.NameSpan, symbols, earlier.TryGetValue(decl.Name, out var previous) ? previous.Declaration.NameSpan.Line : null);
        foreach (var flag in decl.Flags.Where(f => f.Name != DiscardUnitsFlag))
            throw Error(flag.Span, $"flag '{flag.Name}' does not apply to a function ('{decl.Name}'); allowed: '{DiscardUnitsFlag}'");

        var arguments = new List<(string, Dimension, VariableType)>();
        for (int k = 0; k < decl.Parameters.Count; k++)
        {
            var p = decl.Parameters[k];
            if (decl.Parameters.Take(k).Any(q => q.Name == p.Name))
                throw Error(p.NameSpan, $"function '{decl.Name}' has two arguments named '{p.Name}'");
            if (Declarations.WhyNotAName(p.Name) is { } why)
                throw Error(p.NameSpan, $"'{p.Name}' cannot be used as an argument name: it is {why}");
            var (dimension, type) = Declarations.UnitOf(p.Unit, p.Name, Context, _source);
            arguments.Add((p.Name, dimension, type));
        }
        var (result, resultType) = Declarations.UnitOf(decl.Result, decl.Name, Context, _source);
        string Unit(UnitSpec u) => u.Span.Slice(_source).Trim();
        string signature = $"{decl.Name}({string.Join(", ", decl.Parameters.Select(p => $"{p.Name} : {Unit(p.Unit)}"))}) : {Unit(decl.Result)}";
        return new UserFunction(decl.Name, signature, arguments, result, resultType, decl.Flags.Any(x => x.Name == DiscardUnitsFlag), decl);
    }

    /// <summary>Brian's <c>BinomialFunction(n, p, approximate=True)</c> (brian2/input/binomial.py): a function of no
    /// arguments with a dimensionless result, each call a new draw. With approximate and n·p &gt; 5 and n·(1 − p) &gt; 5,
    /// Brian's normal approximation randn()·sqrt(n·p·(1 − p)) + n·p (not a whole number; Brian's C++ targets round it to
    /// float, numpy's does not: here it stays double); else a whole number by Brian's inversion (nn::binomial).</summary>
    private FunctionSymbol Binomial(RandomFunctionDecl decl)
    {
        string[] names = ["n", "p", "approximate"];
        if (decl.Arguments.Count > names.Length)
            throw Error(decl.Arguments[names.Length].Span, $"BinomialFunction takes n, p and approximate, not {decl.Arguments.Count} arguments");
        var given = new Dictionary<string, Expr>(StringComparer.Ordinal);
        for (int k = 0; k < decl.Arguments.Count; k++) given[names[k]] = decl.Arguments[k];
        foreach (var (name, span, value) in decl.Keywords)
        {
            if (!names.Contains(name))
                throw Error(span, $"BinomialFunction has no argument '{name}' (it takes n, p and approximate" +
                    (name == "name" ? "; the function's name is the one before '='" : "") + ")");
            if (!given.TryAdd(name, value)) throw Error(span, $"BinomialFunction's argument '{name}' is given twice");
        }
        Expr Required(string name) => given.TryGetValue(name, out var e) ? e
            : throw Error(decl.KindSpan, $"BinomialFunction needs its argument '{name}', e.g. BinomialFunction(100, 0.1)");
        var nExpr = Required("n");
        var pExpr = Required("p");
        double n = Number(decl, nExpr, "n", boolean: false), p = Number(decl, pExpr, "p", boolean: false);
        bool approximate = !given.TryGetValue("approximate", out var a) || Number(decl, a, "approximate", boolean: true) != 0;
        if (!(n >= 0) || n != Math.Floor(n) || double.IsInfinity(n))
            throw Error(nExpr.Span, $"BinomialFunction's n, the number of trials, must be a whole number >= 0, not {n:R}");
        if (!(p >= 0 && p <= 1)) throw Error(pExpr.Span, $"BinomialFunction's p, a probability, must be in [0, 1], not {p:R}");
        bool normal = approximate && n * p > 5 && n * (1 - p) > 5;
        double smaller = Math.Min(p, 1 - p);
        if (!normal && !(Math.Exp(n * Math.Log(1 - smaller)) > 0))
            throw Error(decl.Span, $"BinomialFunction({n:R}, {p:R}) without the normal approximation: (1 - {smaller:R})^{n:R} is 0 in " +
                "double precision, so Brian's inversion cannot sample it; use approximate=True");
        double loc = n * p, scale = Math.Sqrt(n * p * (1 - p));
        string text = _source[decl.KindSpan.Offset..decl.Span.End];
        _declared.Add(new ModelFunction(decl.Name, $"{decl.Name}() : 1",
            $"{text}: " + (normal ? $"randn()*{scale:R} + {loc:R} (normal approximation)" : "exact (inversion)"), false));
        return new FunctionSymbol($"{decl.Name}()", [], Dimension.Dimensionless, (b, _, streams) =>
        {
            int stream = streams();
            var node = normal ? b.Add(b.Multiply(b.Randn(stream), b.Constant(scale)), b.Constant(loc))
                : b.Binomial(stream, b.Constant(n), b.Constant(p));
            return new Typed(node, Dimension.Dimensionless, false);
        });
    }

    /// <summary>An argument of a random function: a dimensionless number (or condition) of literals and namespace constants.</summary>
    private double Number(RandomFunctionDecl decl, Expr e, string name, bool boolean)
    {
        var compiler = new ExpressionCompiler(new IrBuilder(), n => _resolve(n) switch
        {
            ConstantSymbol c => c,
            null => null,
            _ => new RejectedSymbol($"{decl.Kind}'s arguments are numbers: '{n}' is not a namespace constant"),
        }, _knownNames, () => throw Error(e.Span, $"{decl.Kind}'s arguments are numbers, not random draws"), Context, _source);
        var value = compiler.Compile(e);
        string text = e.Span.Slice(_source).Trim();
        if (boolean != value.IsBoolean)
            throw Error(e.Span, boolean ? $"{decl.Kind}'s '{name}' is True or False, not '{text}'"
                : $"{decl.Kind}'s '{name}' is a number, not the condition '{text}'");
        if (!value.Dimension.IsDimensionless)
            throw Error(e.Span, $"{decl.Kind}'s '{name}' must be dimensionless, but '{text}' is {ExpressionCompiler.Describe(value.Dimension)}");
        if (!value.Node.IsConstant) throw Error(e.Span, $"{decl.Kind}'s '{name}' must be a number, but '{text}' is not constant");
        return value.Node.Value;
    }

    private void RejectCycles(Dictionary<string, UserFunction> functions)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var f in functions.Values) Visit(f);

        void Visit(UserFunction f)
        {
            if (done.Contains(f.Name)) return;
            int start = path.IndexOf(f.Name);
            if (start >= 0)
                throw Error(f.Declaration.NameSpan, $"functions cannot call themselves: " +
                    $"{string.Join(" -> ", path.Skip(start).Append(f.Name))}");
            path.Add(f.Name);
            foreach (var call in Declarations.Nodes(f.Declaration.Body).OfType<CallExpr>())
                if (functions.TryGetValue(call.Function, out var callee)) Visit(callee);
            path.RemoveAt(path.Count - 1);
            done.Add(f.Name);
        }
    }

    /// <summary>Compiles the body once on placeholder arguments (in a scratch builder) and checks its result.</summary>
    private void CheckBody(UserFunction f)
    {
        var scratch = new IrBuilder();
        var placeholders = f.Arguments.Select((a, k) => new Typed(scratch.Parameter(k), a.Dimension,
            a.Type == VariableType.Boolean, a.Type == VariableType.Integer)).ToList();
        int streams = 0;
        var body = Body(f, placeholders, scratch, () => streams++);
        var decl = f.Declaration;
        string text = decl.Body.Span.Slice(_source).Trim();
        if ((f.ResultType == VariableType.Boolean) != body.IsBoolean)
            throw Error(decl.Body.Span, f.ResultType == VariableType.Boolean
                ? $"function '{f.Name}' is declared boolean but '{text}' is not a condition"
                : $"function '{f.Name}' returns a condition; declare its result as ': boolean'");
        // With discarded units every name in the body is a number, so only the declared unit can be wrong.
        if (!f.DiscardUnits && body.Dimension != f.Result)
            throw Error(decl.Body.Span, $"function '{f.Name}' is declared to return {ExpressionCompiler.Describe(f.Result)} but " +
                $"'{text}' is {ExpressionCompiler.Describe(body.Dimension)}");
    }

    /// <summary>A call's value: the body compiled on the caller's (checked) arguments in the caller's builder.
    /// An integer result is truncated toward zero, as an integer subexpression is.</summary>
    private Typed Inline(UserFunction f, IReadOnlyList<Typed> arguments, IrBuilder builder, Func<int> streams)
    {
        var body = Body(f, arguments, builder, streams);
        var node = f.ResultType == VariableType.Integer ? builder.Unary(IrOp.Trunc, body.Node) : body.Node;
        return new Typed(node, f.Result, body.IsBoolean, f.ResultType == VariableType.Integer);
    }

    private Typed Body(UserFunction f, IReadOnlyList<Typed> arguments, IrBuilder builder, Func<int> streams)
    {
        var compiler = new ExpressionCompiler(builder, name => BodySymbol(f, arguments, name),
            () => f.Arguments.Select(a => a.Name).Concat(_knownNames()), streams, Context, _source);
        return compiler.Compile(f.Declaration.Body);
    }

    private Symbol? BodySymbol(UserFunction f, IReadOnlyList<Typed> arguments, string name)
    {
        for (int k = 0; k < f.Arguments.Count; k++)
            if (f.Arguments[k].Name == name)
                return new ArgumentSymbol(f.DiscardUnits ? arguments[k] with { Dimension = Dimension.Dimensionless } : arguments[k]);
        var symbol = _resolve(name);
        return symbol switch
        {
            null => null,
            ConstantSymbol c => f.DiscardUnits ? c with { Dimension = Dimension.Dimensionless } : c,
            // A namespace constant made per-neuron (swept or fitted) is still a constant of the namespace.
            ParameterSymbol p when _def.Namespace.ContainsKey(name) => f.DiscardUnits ? p with { Dimension = Dimension.Dimensionless } : p,
            TimedArraySymbol or FunctionSymbol => symbol,
            _ => new RejectedSymbol($"function '{f.Name}' cannot read the model's '{name}': a function sees its arguments, " +
                $"namespace constants, units and other functions only; pass '{name}' as an argument"),
        };
    }
}
