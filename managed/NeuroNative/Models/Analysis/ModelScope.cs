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
        var (subexpressions, constantOverDt) = LowerSubexpressions();
        var states = LowerDifferentialEquations();
        var threshold = LowerThreshold();
        var reset = _statements.Lower(_def.Reset, "reset", extra: null);
        var (refractoryKind, refractory) = LowerRefractory();
        var events = _def.Events.Select((e, k) => _statements.LowerEvent(e, k)).ToList();
        var operations = LowerOperations(constantOverDt, states);
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
            Operations = operations,
        };
    }

    /// <summary>The run_regularly operations and the update of the (constant over dt) subexpressions, sorted
    /// into Brian's schedule.</summary>
    private List<ModelOperation> LowerOperations(IReadOnlyList<IrStore> constantOverDt, IReadOnlyList<StateVariable> states)
    {
        var operations = new List<ModelOperation>();
        // Brian's SubexpressionUpdater: 'before_start' with the group's order 0.
        if (constantOverDt.Count > 0)
            operations.Add(Operation($"{Schedule.GroupName}_subexpression_update", "(constant over dt) subexpressions",
                constantOverDt, "before_start", 0, null));
        for (int k = 0; k < _def.RunRegularly.Count; k++)
        {
            var r = _def.RunRegularly[k];
            string context = $"run_regularly {k}";
            if (r is null) throw new ModelException(context, "the operation is null");
            if (Schedule.Position(r.When ?? "") is null)
                throw new ModelException(context, $"when is '{r.When}'; expected one of {string.Join(", ", Schedule.SlotNames)}");
            if (r.Dt is { } dt && !(dt > 0 && double.IsFinite(dt)))
                throw new ModelException(context, $"dt is {dt} s; expected a positive duration (a whole multiple of the group's dt)");
            var stores = _statements.Lower(r.Code, context, extra: null);
            if (stores.Count == 0) throw new ModelException(context, "the operation has no statements; expected code such as 'v += 1*mV'");
            // Brian's conditional write: outside a resetter, an (unless refractory) variable is written only where
            // not_refractory holds (docs/brian2-semantics.md §2).
            if (_def.Refractory is not null)
                stores = [.. stores.Select(s => s.Kind == VariableKind.State && states[s.Index].UnlessRefractory
                    ? s with { Value = _b.Select(_b.Special(IrSpecial.NotRefractory), s.Value, _b.State(s.Index)) } : s)];
            // find_name(f"{group.name}_run_regularly*"): the first without a suffix, then _1, _2, ...
            string name = $"{Schedule.GroupName}_run_regularly" + (k == 0 ? "" : $"_{k}");
            operations.Add(Operation(name, context, stores, r.When!, r.Order, r.Dt));
        }
        operations.AddRange(LowerCustomEvents());
        operations.Sort((a, b) => a.Key.CompareTo(b.Key));
        return operations;
    }

    /// <summary>Each custom event as Brian's two objects: its thresholder stores the condition into the event's
    /// space (a parameter), its resetter runs the statements where the space is set (every store a select,
    /// so the other neurons keep their values).</summary>
    private List<ModelOperation> LowerCustomEvents()
    {
        var operations = new List<ModelOperation>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in _def.CustomEvents)
        {
            string context = $"event '{e?.Name}'";
            if (e is null) throw new ModelException("events", "a custom event is null");
            if (string.IsNullOrEmpty(e.Name) || !Lexer.IsIdentifierStart(e.Name[0]) || !e.Name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                throw new ModelException(context, $"'{e.Name}' cannot be used as an event name; expected an identifier such as 'my_event'");
            if (e.Name == "spike")
                throw new ModelException(context, "'spike' is the event of the threshold; give its condition as the threshold");
            if (!names.Add(e.Name)) throw new ModelException(context, $"the event '{e.Name}' is defined twice");
            foreach (var (when, key) in new[] { (e.ConditionWhen, "its condition's when"), (e.When, "when") })
                if (Schedule.Position(when ?? "") is null)
                    throw new ModelException(context, $"{key} is '{when}'; expected one of {string.Join(", ", Schedule.SlotNames)}");
            if (string.IsNullOrWhiteSpace(e.Condition))
                throw new ModelException(context, "the event has no condition; expected one such as 'v > 1'");
            var condition = LowerCondition(e.Condition, context, $"the condition of the event '{e.Name}',", "v > 1");

            int space = _declarations.Parameters.Count;
            _declarations.Parameters.Add(new ModelParameter($"_{e.Name}space", Units.Dimension.Dimensionless, VariableType.Boolean,
                IsConstant: false, IsShared: false, FromNamespace: false, Default: null, $"the neurons of the event '{e.Name}'")
                { EventSpaceOf = e.Name });
            operations.Add(Operation($"{Schedule.GroupName}_{e.Name}_thresholder", context,
                [new IrStore(VariableKind.Parameter, space, condition)], e.ConditionWhen!, e.ConditionOrder, null));
            var stores = _statements.Lower(e.Code, $"{context} code", extra: null);
            if (stores.Count == 0) continue;
            var flag = _b.Parameter(space);
            IrNode Old(IrStore s) => s.Kind == VariableKind.State ? _b.State(s.Index) : _b.Parameter(s.Index);
            operations.Add(Operation($"{Schedule.GroupName}_{e.Name}_resetter", $"{context} code",
                [.. stores.Select(s => s with { Value = _b.Select(flag, s.Value, Old(s)) })], e.When!, e.Order, null));
        }
        return operations;
    }

    private static ModelOperation Operation(string name, string context, IReadOnlyList<IrStore> stores, string when, int order,
        double? dt)
    {
        var key = new Schedule.Key(Schedule.Position(when)!.Value, order, name);
        return new ModelOperation(name, context, stores, Schedule.SlotOf(key), dt) { Key = key };
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

    /// <summary>The subexpressions, and the stores that update the (constant over dt) ones: those become
    /// parameters, as in Brian, computed in dependency order, each seeing the new values of those before it.</summary>
    private (List<ModelSubexpression>, List<IrStore>) LowerSubexpressions()
    {
        var decls = _parsed.Equations.Where(d => d.Kind == EquationKind.Subexpression).ToList();
        var byName = decls.ToDictionary(d => d.Name, StringComparer.Ordinal);
        var order = new List<EquationDecl>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        var path = new List<string>();
        foreach (var d in decls) Visit(d);

        var result = new List<ModelSubexpression>();
        var updates = new List<IrStore>();
        var updated = new Dictionary<IrNode, IrNode>(ReferenceEqualityComparer.Instance);
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
            if (Declarations.HasFlag(d, "shared") && IrCalculus.DependsOn(t.Node, PerNeuron))
                throw _declarations.Error(d.Expression!.Span, $"subexpression '{d.Name}' is shared (one value for the group) but " +
                    $"'{compiler.Text(d.Expression!)}' differs between neurons (a per-neuron variable, i, lastspike, " +
                    "not_refractory or a rand()/randn() draw); remove '(shared)' or use shared parameters only");
            // Brian's generated code stores an integer subexpression in an int32_t: C++ truncates toward zero.
            var node = type == VariableType.Integer ? _b.Unary(IrOp.Trunc, t.Node) : t.Node;
            if (Declarations.HasFlag(d, "constant over dt"))
            {
                int index = _declarations.Parameters.Count;
                _symbols[d.Name] = new ParameterSymbol(index, declared, IsConstant: false, t.IsBoolean);
                _declarations.Parameters.Add(new ModelParameter(d.Name, declared, type, IsConstant: false,
                    Declarations.HasFlag(d, "shared"), FromNamespace: false, Default: null, _declarations.Description(d))
                    { ConstantOverDt = true });
                var value = _b.Substitute(node, n => updated.GetValueOrDefault(n));
                updated[_b.Parameter(index)] = value;
                updates.Add(new IrStore(VariableKind.Parameter, index, value));
                continue;
            }
            _symbols[d.Name] = new SubexpressionSymbol(node, declared, t.IsBoolean, type == VariableType.Integer);
            result.Add(new ModelSubexpression(d.Name, declared, node, compiler.Text(d.Expression!),
                t.IsBoolean, _declarations.Description(d)));
        }
        return (result, updates);

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

    /// <summary>A leaf whose value is not the same in every neuron (Brian: not scalar).</summary>
    private bool PerNeuron(IrNode n) => n.Op switch
    {
        IrOp.State => true,
        _ when IrMath.IsRandom(n.Op) => true,
        IrOp.Parameter => !_declarations.Parameters[n.Index].IsShared,
        IrOp.Special => (IrSpecial)n.Index is IrSpecial.NeuronIndex or IrSpecial.LastSpike or IrSpecial.NotRefractory,
        _ => false,
    };

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

    private IrNode? LowerThreshold() =>
        string.IsNullOrWhiteSpace(_def.Threshold) ? null : LowerCondition(_def.Threshold, "threshold", "the threshold", "v > -50*mV");

    /// <summary>A boolean expression of the state (the threshold, an event's condition), without noise.</summary>
    private IrNode LowerCondition(string text, string context, string what, string example)
    {
        var expr = ModelParser.ParseExpression(text, context);
        var compiler = Compiler(context, text);
        var t = compiler.Compile(expr);
        if (!t.IsBoolean)
            throw compiler.Error(expr.Span, $"{what} '{compiler.Text(expr)}' is not a boolean expression; " +
                $"expected a condition such as '{example}'");
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
