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
/// The model's functions (<see cref="ModelDefinition.Functions"/>). A function is an expression of its
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
        var functions = new Dictionary<string, UserFunction>(StringComparer.Ordinal);
        foreach (var decl in parsed.Functions)
        {
            var f = Check(decl, symbols, functions);
            functions.Add(f.Name, f);
        }
        RejectCycles(functions);
        foreach (var f in functions.Values)
            symbols[f.Name] = new FunctionSymbol(f, (b, args, streams) => Inline(f, args, b, streams));
        foreach (var f in functions.Values) CheckBody(f);
        _declared.AddRange(functions.Values.Select(f =>
            new ModelFunction(f.Name, f.Signature, f.Declaration.Body.Span.Slice(_source).Trim(), f.DiscardUnits)));
    }

    public IReadOnlyList<ModelFunction> Declared => _declared;

    private ModelException Error(SourceSpan span, string reason) => new(Context, _source, span, reason);

    private UserFunction Check(FunctionDecl decl, Dictionary<string, Symbol> symbols, Dictionary<string, UserFunction> earlier)
    {
        if (earlier.TryGetValue(decl.Name, out var previous))
            throw Error(decl.NameSpan, $"function '{decl.Name}' is defined twice (first at line {previous.Declaration.NameSpan.Line})");
        string? clash = Declarations.WhyNotAName(decl.Name)
            ?? (_def.Namespace.ContainsKey(decl.Name) ? "a namespace entry"
                : symbols.ContainsKey(decl.Name) ? "a variable of the equations" : null);
        if (clash is not null)
            throw Error(decl.NameSpan, $"'{decl.Name}' cannot be used as a function name: it is {clash}");
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
