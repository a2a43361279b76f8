using NeuroNative.Models.IR;
using NeuroNative.Models.Parsing;
using NeuroNative.Models.Units;

namespace NeuroNative.Models.Analysis;

/// <summary>
/// The names visible to a model's expressions and the state of its lowering: declarations,
/// namespace and functions first, then subexpressions (in dependency order, cycles rejected), right-hand sides,
/// threshold, reset, refractoriness and events.
/// </summary>
internal sealed class ModelScope
{
    private readonly ModelDefinition _def;
    private readonly ParsedEquations _parsed;
    private readonly IrBuilder _b = new();
    private readonly Dictionary<string, Symbol> _symbols = new(StringComparer.Ordinal);
    private readonly Declarations _declarations;
    private readonly NamespaceResolver _namespace;
    private readonly StatementLowering _statements;
    private readonly UserFunctions _functions;

    public ModelScope(ModelDefinition definition, ParsedEquations parsed)
    {
        _def = definition;
        _parsed = parsed;
        _declarations = new Declarations(parsed, _symbols);
        _namespace = new NamespaceResolver(definition, _b, _symbols, _declarations);
        _functions = new UserFunctions(definition, Resolve, KnownNames);
        _statements = new StatementLowering(_b, Resolve, (context, source, resolve) => Compiler(context, source, resolve), _declarations.ByName);
    }

    public int RandomStreams { get; private set; }

    private int NextRandomStream() => RandomStreams++;

    public AnalyzedModel Build()
    {
        _declarations.Declare();
        _namespace.Resolve();
        _functions.Declare(_symbols);
        var subexpressions = LowerSubexpressions();
        var states = LowerDifferentialEquations();
        var threshold = LowerThreshold();
        var reset = _statements.Lower(_def.Reset, "reset", extra: null);
        var (refractoryKind, refractory) = LowerRefractory();
        var events = _def.Events.Select((e, k) => _statements.LowerEvent(e, k)).ToList();
        return new AnalyzedModel(_def, _b, this)
        {
            States = states,
            Parameters = _declarations.Parameters,
            Subexpressions = subexpressions,
            Constants = _namespace.Constants,
            Functions = _functions.Declared,
            Inputs = _namespace.Inputs,
            NoiseTerms = _declarations.NoiseTerms,
            Threshold = threshold,
            Reset = reset,
            RefractoryKind = refractoryKind,
            Refractory = refractory,
            Events = events,
        };
    }

    /// <summary>Model-level resolution: equations, then specials, namespace, units and constants.</summary>
    private Symbol? Resolve(string name)
    {
        if (_symbols.TryGetValue(name, out var s)) return s;
        if (BuiltIns.SpecialNamed(name, refractory: _def.Refractory is not null) is { } special)
            return new SpecialSymbol(special.Value, special.Dimension, special.IsBoolean, special.IsInteger);
        return NamespaceResolver.BuiltIn(name);
    }

    private IEnumerable<string> KnownNames() => _symbols.Keys
        .Concat(BuiltIns.SuggestedSpecials).Concat(BuiltIns.SuggestedConstants)
        .Concat(UnitRegistry.AllNames);

    private ExpressionCompiler Compiler(string context, string source, Func<string, Symbol?>? resolve = null,
        Func<int>? streams = null)
        => new(_b, resolve ?? Resolve, KnownNames, streams ?? NextRandomStream, context, source);

    private List<ModelSubexpression> LowerSubexpressions()
    {
        var decls = _parsed.Equations.Where(d => d.Kind == EquationKind.Subexpression).ToList();
        var byName = decls.ToDictionary(d => d.Name, StringComparer.Ordinal);
        var order = new List<EquationDecl>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        var path = new List<string>();
        foreach (var d in decls) Visit(d);

        var result = new List<ModelSubexpression>();
        var compiler = Compiler(Declarations.EquationsContext, _parsed.Source);
        foreach (var d in order)
        {
            var (declared, type) = _declarations.UnitOf(d);
            var t = compiler.Compile(d.Expression!);
            if (type == VariableType.Boolean != t.IsBoolean)
                throw _declarations.Error(d.Expression!.Span, type == VariableType.Boolean
                    ? $"subexpression '{d.Name}' is declared boolean but '{compiler.Text(d.Expression!)}' is not a condition"
                    : $"subexpression '{d.Name}' is a condition; declare it as ': boolean'");
            if (t.Dimension != declared)
                throw _declarations.Error(d.Expression!.Span, $"subexpression '{d.Name}' is declared as " +
                    $"{ExpressionCompiler.Describe(declared)} but '{compiler.Text(d.Expression!)}' has unit " +
                    $"{ExpressionCompiler.Describe(t.Dimension)}");
            if (IrCalculus.DependsOn(t.Node, n => n.Op == IrOp.Noise))
                throw _declarations.Error(d.Expression!.Span, $"subexpression '{d.Name}' cannot contain noise");
            // Brian's generated code stores an integer subexpression in an int32_t: C++ truncates toward zero.
            var node = type == VariableType.Integer ? _b.Unary(IrOp.Trunc, t.Node) : t.Node;
            _symbols[d.Name] = new SubexpressionSymbol(node, declared, t.IsBoolean, type == VariableType.Integer);
            result.Add(new ModelSubexpression(d.Name, declared, node, compiler.Text(d.Expression!),
                Declarations.HasFlag(d, "constant over dt"), t.IsBoolean, _declarations.Description(d)));
        }
        return result;

        void Visit(EquationDecl d)
        {
            if (state.TryGetValue(d.Name, out int s))
            {
                if (s == 2) return;
                int start = path.IndexOf(d.Name);
                throw _declarations.Error(d.NameSpan, $"subexpressions depend on each other in a cycle: " +
                    $"{string.Join(" -> ", path.Skip(start).Append(d.Name))}");
            }
            state[d.Name] = 1;
            path.Add(d.Name);
            foreach (var r in Declarations.NameRefs(d.Expression!))
                if (byName.TryGetValue(r.Name, out var dep)) Visit(dep);
            path.RemoveAt(path.Count - 1);
            state[d.Name] = 2;
            order.Add(d);
        }
    }

    private List<StateVariable> LowerDifferentialEquations()
    {
        var compiler = Compiler(Declarations.EquationsContext, _parsed.Source);
        var result = new List<StateVariable>();
        foreach (var d in _parsed.Equations.Where(d => d.Kind == EquationKind.Differential))
        {
            var dim = ((StateSymbol)_symbols[d.Name]).Dimension;
            var t = compiler.Numeric(d.Expression!, "right-hand side");
            var expected = dim / Dimension.Time;
            if (t.Dimension != expected)
                throw _declarations.Error(d.Expression!.Span, $"inconsistent units in the differential equation for " +
                    $"'{d.Name}': the right-hand side '{compiler.Text(d.Expression!)}' has unit " +
                    $"{ExpressionCompiler.Describe(t.Dimension)}, but d{d.Name}/dt needs {ExpressionCompiler.Describe(expected)}");
            result.Add(new StateVariable(d.Name, dim, Declarations.HasFlag(d, "unless refractory"), t.Node,
                compiler.Text(d.Expression!), _declarations.Description(d)));
        }
        return result;
    }

    private IrNode? LowerThreshold()
    {
        if (string.IsNullOrWhiteSpace(_def.Threshold)) return null;
        const string context = "threshold";
        var expr = ModelParser.ParseExpression(_def.Threshold, context);
        var compiler = Compiler(context, _def.Threshold);
        var t = compiler.Compile(expr);
        if (!t.IsBoolean)
            throw compiler.Error(expr.Span, $"the threshold '{compiler.Text(expr)}' is not a boolean expression; " +
                "expected a condition such as 'v > -50*mV'");
        compiler.RejectNoise(expr, t.Node);
        return t.Node;
    }

    private (RefractoryKind, IrNode?) LowerRefractory()
    {
        if (string.IsNullOrWhiteSpace(_def.Refractory)) return (RefractoryKind.None, null);
        const string context = "refractory";
        var expr = ModelParser.ParseExpression(_def.Refractory, context);
        var compiler = Compiler(context, _def.Refractory);
        var t = compiler.Compile(expr);
        compiler.RejectNoise(expr, t.Node);
        if (t.IsBoolean) return (RefractoryKind.Condition, t.Node);
        if (t.Dimension == Dimension.Time) return (RefractoryKind.Duration, t.Node);
        throw compiler.Error(expr.Span, $"the refractory period '{compiler.Text(expr)}' must be a duration " +
            $"(e.g. 5*ms) or a condition (e.g. v > -20*mV), but it is {ExpressionCompiler.Describe(t.Dimension)}");
    }

    /// <summary>Compiles an expression in the model scope (initial values, monitored expressions);
    /// with <paramref name="namespaceValues"/>, namespace constants made per-neuron keep their namespace
    /// value.</summary>
    public Typed CompileStandalone(string text, string context, bool namespaceValues = false)
    {
        var expr = ModelParser.ParseExpression(text, context);
        // rand() streams numbered from 0 (the caller offsets them): compiling leaves the analysed model
        // unchanged, so every group of one compiled model draws the same numbers.
        int streams = 0;
        var compiler = Compiler(context, text, namespaceValues ? ResolveWithNamespaceValues : null, () => streams++);
        var t = compiler.Compile(expr);
        compiler.RejectNoise(expr, t.Node);
        return t;
    }

    private Symbol? ResolveWithNamespaceValues(string name) =>
        _namespace.PerNeuronValue(name) is { } v ? new ConstantSymbol(v.Node.Value, v.Dimension) : Resolve(name);
}
