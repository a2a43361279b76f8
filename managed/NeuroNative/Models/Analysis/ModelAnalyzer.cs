using NeuroNative.Models.IR;
using NeuroNative.Models.Parsing;
using NeuroNative.Models.Units;

namespace NeuroNative.Models.Analysis;

/// <summary>
/// Checks a parsed model and lowers it to IR: declarations, flags, unit specifications, the
/// namespace (in dependency order), subexpressions (in dependency order, cycles rejected), every
/// right-hand side, threshold, reset, refractoriness and event statements, all unit-checked.
/// </summary>
public static class ModelAnalyzer
{
    private const string EquationsContext = "equations";

    /// <summary>Names that no model variable may take (Brian reserves them too).</summary>
    private static readonly HashSet<string> ReservedNames =
    [
        "t", "dt", "i", "N", "t_in_timesteps", "xi", "lastspike", "not_refractory", "refractory", "refractory_until",
        "pi", "e", "inf", "True", "False", "and", "or", "not",
    ];

    public static AnalyzedModel Analyze(ModelDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var parsed = ModelParser.ParseEquations(definition.Equations ?? "");
        if (parsed.Equations.Count == 0)
            throw new ModelException(EquationsContext,
                "the model is empty: expected at least one equation such as 'dv/dt = -v/tau : volt'");
        var scope = new Scope(definition, parsed);
        return scope.Build();
    }

    /// <summary>The names visible to a model's expressions and the state of its lowering.</summary>
    internal sealed class Scope
    {
        private readonly ModelDefinition _def;
        private readonly ParsedEquations _parsed;
        private readonly IrBuilder _b = new();
        private readonly Dictionary<string, Symbol> _symbols = new(StringComparer.Ordinal);
        private readonly Dictionary<string, EquationDecl> _declarations = new(StringComparer.Ordinal);
        private readonly List<string> _noiseTerms = [];
        private readonly List<ModelInput> _inputs = [];
        private readonly List<ModelConstant> _constants = [];
        private readonly List<ModelParameter> _parameters = [];
        private readonly Dictionary<string, Typed> _namespaceValues = new(StringComparer.Ordinal);
        private readonly HashSet<string> _resolving = new(StringComparer.Ordinal);

        public Scope(ModelDefinition definition, ParsedEquations parsed)
        {
            _def = definition;
            _parsed = parsed;
        }

        public int RandomStreams { get; private set; }

        private int NextRandomStream() => RandomStreams++;

        public AnalyzedModel Build()
        {
            DeclareVariables();
            var subexpressions = LowerSubexpressions();
            var states = LowerDifferentialEquations();
            var threshold = LowerThreshold();
            var reset = LowerStatements(_def.Reset, "reset", extra: null);
            var (refractoryKind, refractory) = LowerRefractory();
            var events = _def.Events.Select((e, k) => LowerEvent(e, k)).ToList();
            return new AnalyzedModel(_def, _b, this)
            {
                States = states,
                Parameters = _parameters,
                Subexpressions = subexpressions,
                Constants = _constants,
                Inputs = _inputs,
                NoiseTerms = _noiseTerms,
                Threshold = threshold,
                Reset = reset,
                RefractoryKind = refractoryKind,
                Refractory = refractory,
                Events = events,
            };
        }

        // ---- declarations -------------------------------------------------------------------

        private void DeclareVariables()
        {
            foreach (var decl in _parsed.Equations)
            {
                if (_declarations.TryGetValue(decl.Name, out var previous))
                    throw EquationError(decl.NameSpan,
                        $"'{decl.Name}' is defined twice (first at line {previous.NameSpan.Line})");
                CheckName(decl);
                CheckFlags(decl);
                _declarations.Add(decl.Name, decl);
            }
            CollectNoiseTerms();

            int stateIndex = 0;
            foreach (var decl in _parsed.Equations.Where(d => d.Kind == EquationKind.Differential))
            {
                var (dim, type) = UnitOf(decl);
                if (type != VariableType.Float)
                    throw EquationError(decl.Unit.Span, $"the differential equation for '{decl.Name}' must have a " +
                        $"physical unit (or 1), not {type.ToString().ToLowerInvariant()}");
                _symbols[decl.Name] = new StateSymbol(stateIndex++, dim);
            }
            foreach (var decl in _parsed.Equations.Where(d => d.Kind == EquationKind.Parameter))
            {
                var (dim, type) = UnitOf(decl);
                _symbols[decl.Name] = new ParameterSymbol(_parameters.Count, dim, HasFlag(decl, "constant"), type == VariableType.Boolean);
                _parameters.Add(new ModelParameter(decl.Name, dim, type, HasFlag(decl, "constant"), HasFlag(decl, "shared"),
                    FromNamespace: false, Default: null, Description(decl)));
            }
            ResolveNamespace();
        }

        private void CheckName(EquationDecl decl)
        {
            string name = decl.Name;
            string? why = null;
            if (ReservedNames.Contains(name) || name.StartsWith("xi_", StringComparison.Ordinal)) why = "a reserved name";
            else if (ExpressionCompiler.FunctionNames.Contains(name)) why = "the name of a function";
            else if (UnitRegistry.TryLookup(name, out _)) why = "the name of a unit";
            else if (name.StartsWith('_')) why = "reserved: names starting with '_' are internal";
            if (why is not null)
                throw EquationError(decl.NameSpan, $"'{name}' cannot be used as a variable name: it is {why}");
        }

        private static readonly Dictionary<EquationKind, string[]> AllowedFlags = new()
        {
            [EquationKind.Differential] = ["unless refractory"],
            [EquationKind.Subexpression] = ["shared", "constant over dt"],
            [EquationKind.Parameter] = ["constant", "shared"],
        };

        private void CheckFlags(EquationDecl decl)
        {
            var allowed = AllowedFlags[decl.Kind];
            foreach (var flag in decl.Flags)
            {
                if (allowed.Contains(flag.Name)) continue;
                string kind = decl.Kind switch
                {
                    EquationKind.Differential => "a differential equation",
                    EquationKind.Subexpression => "a subexpression",
                    _ => "a parameter",
                };
                throw EquationError(flag.Span, $"flag '{flag.Name}' does not apply to {kind} ('{decl.Name}'); " +
                    $"allowed: {string.Join(", ", allowed.Select(a => $"'{a}'"))}");
            }
        }

        private static bool HasFlag(EquationDecl decl, string flag) => decl.Flags.Any(f => f.Name == flag);

        /// <summary>The trailing comment of a declaration's last line, used as its description.</summary>
        private string? Description(EquationDecl decl)
        {
            int end = decl.Span.End;
            int lineEnd = _parsed.Source.IndexOf('\n', Math.Min(end, _parsed.Source.Length));
            string rest = lineEnd < 0 ? _parsed.Source[Math.Min(end, _parsed.Source.Length)..] : _parsed.Source[end..lineEnd];
            int hash = rest.IndexOf('#');
            string text = hash < 0 ? "" : rest[(hash + 1)..].Trim();
            return text.Length == 0 ? null : text;
        }

        private (Dimension Dimension, VariableType Type) UnitOf(EquationDecl decl)
        {
            switch (decl.Unit.Keyword)
            {
                case UnitKeyword.Boolean: return (Dimension.Dimensionless, VariableType.Boolean);
                case UnitKeyword.Integer: return (Dimension.Dimensionless, VariableType.Integer);
            }
            if (decl.Unit.Expression is null)
                throw EquationError(decl.Unit.Span, $"missing unit for '{decl.Name}'");
            return (UnitSpecDimension(decl.Unit.Expression, decl.Name), VariableType.Float);
        }

        /// <summary>A unit after ':' must be built from base units (scale 1), like Brian demands.</summary>
        private Dimension UnitSpecDimension(Expr e, string variable)
        {
            switch (e)
            {
                case NumberLiteral { Value: 1 }:
                    return Dimension.Dimensionless;
                case NameRef r:
                    if (UnitRegistry.IsBaseUnitName(r.Name) && UnitRegistry.TryLookup(r.Name, out var unit))
                        return unit.Dimension;
                    string? baseName = UnitRegistry.BaseNameFor(r.Name);
                    if (baseName is not null)
                        throw EquationError(r.Span, $"the unit of '{variable}' refers to '{r.Name}', but this is not a base " +
                            $"unit; use '{baseName}' instead");
                    if (UnitRegistry.TryLookup(r.Name, out _))
                        throw EquationError(r.Span, $"the unit of '{variable}' refers to '{r.Name}', which is not a base unit " +
                            "(its scale is not 1); write it with base units such as volt, amp, siemens, metre, second");
                    string? suggestion = ExpressionCompiler.Suggest(r.Name, UnitRegistry.AllNames.Where(UnitRegistry.IsBaseUnitName));
                    throw EquationError(r.Span, $"unknown unit '{r.Name}' for '{variable}'" +
                        (suggestion is null ? "" : $" (did you mean '{suggestion}'?)"));
                case BinaryExpr { Op: BinaryOperator.Multiply } m:
                    return UnitSpecDimension(m.Left, variable) * UnitSpecDimension(m.Right, variable);
                case BinaryExpr { Op: BinaryOperator.Divide } d:
                    return UnitSpecDimension(d.Left, variable) / UnitSpecDimension(d.Right, variable);
                case BinaryExpr { Op: BinaryOperator.Power } p:
                    return UnitSpecDimension(p.Left, variable).Pow(UnitExponent(p.Right, variable));
                default:
                    throw EquationError(e.Span, $"'{e.Span.Slice(_parsed.Source)}' is not a unit; expected a product of base " +
                        "units such as 'volt', 'siemens/metre**2' or '1'");
            }
        }

        private double UnitExponent(Expr e, string variable) => e switch
        {
            NumberLiteral n => n.Value,
            UnaryExpr { Op: UnaryOperator.Negate, Operand: NumberLiteral n } => -n.Value,
            UnaryExpr { Op: UnaryOperator.Plus, Operand: NumberLiteral n } => n.Value,
            _ => throw EquationError(e.Span, $"the exponent in the unit of '{variable}' must be a number"),
        };

        private void CollectNoiseTerms()
        {
            var uses = new Dictionary<string, List<EquationDecl>>(StringComparer.Ordinal);
            foreach (var decl in _parsed.Equations)
            {
                if (decl.Expression is null) continue;
                foreach (var r in NameRefs(decl.Expression).Where(r => IsNoiseName(r.Name)))
                {
                    if (decl.Kind != EquationKind.Differential)
                        throw EquationError(r.Span, $"noise '{r.Name}' can only appear in differential equations, not in " +
                            $"'{decl.Name}'");
                    if (!uses.TryGetValue(r.Name, out var list)) uses[r.Name] = list = [];
                    if (!list.Contains(decl)) list.Add(decl);
                }
            }
            if (uses.TryGetValue("xi", out var bare) && bare.Count > 1)
                throw EquationError(bare[1].Span, "the bare noise term 'xi' may appear in one equation only; use " +
                    "named terms such as xi_1, xi_2 for independent noise or one shared name for common noise");
            foreach (var name in uses.Keys.Order(StringComparer.Ordinal))
            {
                _symbols[name] = new NoiseSymbol(_noiseTerms.Count, Dimension.Time.Pow(-0.5));
                _noiseTerms.Add(name);
            }
        }

        private static bool IsNoiseName(string name) => name == "xi" || name.StartsWith("xi_", StringComparison.Ordinal);

        internal static IEnumerable<NameRef> NameRefs(Expr e)
        {
            var stack = new Stack<Expr>();
            stack.Push(e);
            while (stack.Count > 0)
            {
                switch (stack.Pop())
                {
                    case NameRef r: yield return r; break;
                    case UnaryExpr u: stack.Push(u.Operand); break;
                    case BinaryExpr bin: stack.Push(bin.Right); stack.Push(bin.Left); break;
                    case CallExpr c:
                        for (int k = c.Arguments.Count - 1; k >= 0; k--) stack.Push(c.Arguments[k]);
                        break;
                }
            }
        }

        // ---- namespace ------------------------------------------------------------------------

        private void ResolveNamespace()
        {
            foreach (var (name, value) in _def.Namespace.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                string context = $"namespace '{name}'";
                if (_declarations.ContainsKey(name))
                    throw new ModelException(context, $"'{name}' is also defined in the equations; rename one of them");
                if (value is NamespaceTimedArray ta)
                {
                    if (ta.Array.Columns <= 0 || ta.Array.Values.Length == 0 || ta.Array.Values.Length % ta.Array.Columns != 0)
                        throw new ModelException(context, $"TimedArray '{name}' needs a non-empty [time][column] array " +
                            $"({ta.Array.Values.Length} values for {ta.Array.Columns} columns)");
                    if (!(ta.Array.Dt > 0) || double.IsInfinity(ta.Array.Dt))
                        throw new ModelException(context, $"TimedArray '{name}' needs a positive dt, not {ta.Array.Dt}");
                    _symbols[name] = new TimedArraySymbol(_inputs.Count, ta.Array);
                    _inputs.Add(new ModelInput(name, ta.Array));
                }
            }
            foreach (var name in _def.Namespace.Keys.Order(StringComparer.Ordinal))
                if (_def.Namespace[name] is not NamespaceTimedArray)
                    NamespaceValueOf(name);

            foreach (var name in _def.PerNeuronConstants)
            {
                if (_symbols.TryGetValue(name, out var s) && s is ParameterSymbol) continue;
                if (!_namespaceValues.TryGetValue(name, out var value))
                    throw new ModelException("per-neuron constants", $"'{name}' is neither a parameter of the equations nor " +
                        "a namespace constant, so it cannot be varied per neuron");
                _symbols[name] = new ParameterSymbol(_parameters.Count, value.Dimension, IsConstant: true, IsBoolean: false);
                _parameters.Add(new ModelParameter(name, value.Dimension, VariableType.Float, IsConstant: true, IsShared: false,
                    FromNamespace: true, Default: value.Node.Value, Description: null));
            }
        }

        private Typed NamespaceValueOf(string name)
        {
            if (_namespaceValues.TryGetValue(name, out var done)) return done;
            string context = $"namespace '{name}'";
            if (!_resolving.Add(name))
                throw new ModelException(context, $"the namespace entries refer to each other in a cycle: " +
                    $"{string.Join(" -> ", _resolving)} -> {name}");
            Typed result;
            string? expression = null;
            switch (_def.Namespace[name])
            {
                case NamespaceQuantity q:
                    result = new Typed(_b.Constant(q.Value.Value), q.Value.Dimension, false);
                    break;
                case NamespaceExpression e:
                    expression = e.Text;
                    var parsed = ModelParser.ParseExpression(e.Text, context);
                    var compiler = new ExpressionCompiler(_b, n => ResolveInNamespace(n), NamespaceNames,
                        () => throw new ModelException(context, "a namespace constant cannot use rand() or randn()"),
                        context, e.Text);
                    result = compiler.Numeric(parsed, "value");
                    if (!result.Node.IsConstant)
                        throw compiler.Error(parsed.Span, $"'{e.Text.Trim()}' is not a constant");
                    break;
                default:
                    throw new ModelException(context, "unsupported namespace value");
            }
            _resolving.Remove(name);
            _namespaceValues[name] = result;
            _symbols.TryAdd(name, new ConstantSymbol(result.Node.Value, result.Dimension));
            _constants.Add(new ModelConstant(name, new Quantity(result.Node.Value, result.Dimension), expression));
            return result;
        }

        private Symbol? ResolveInNamespace(string name)
        {
            if (_def.Namespace.ContainsKey(name))
            {
                if (_def.Namespace[name] is NamespaceTimedArray) return _symbols[name];
                var v = NamespaceValueOf(name);
                return new ConstantSymbol(v.Node.Value, v.Dimension);
            }
            return BuiltIn(name);
        }

        private IEnumerable<string> NamespaceNames() => _def.Namespace.Keys.Concat(UnitRegistry.AllNames).Concat(["pi", "e", "inf"]);

        private static Symbol? BuiltIn(string name)
        {
            switch (name)
            {
                case "pi": return new ConstantSymbol(Math.PI, Dimension.Dimensionless);
                case "e": return new ConstantSymbol(Math.E, Dimension.Dimensionless);
                case "inf": return new ConstantSymbol(double.PositiveInfinity, Dimension.Dimensionless);
                case "True": return new ConstantSymbol(1, Dimension.Dimensionless, IsBoolean: true);
                case "False": return new ConstantSymbol(0, Dimension.Dimensionless, IsBoolean: true);
            }
            return UnitRegistry.TryLookup(name, out var unit) ? new ConstantSymbol(unit.Value, unit.Dimension) : null;
        }

        // ---- model expressions ------------------------------------------------------------------

        /// <summary>Model-level resolution: equations, then specials, namespace, units and constants.</summary>
        private Symbol? Resolve(string name)
        {
            if (_symbols.TryGetValue(name, out var s)) return s;
            return name switch
            {
                "t" => new SpecialSymbol(IrSpecial.Time, Dimension.Time),
                "dt" => new SpecialSymbol(IrSpecial.Dt, Dimension.Time),
                "i" => new SpecialSymbol(IrSpecial.NeuronIndex, Dimension.Dimensionless),
                "N" => new SpecialSymbol(IrSpecial.NeuronCount, Dimension.Dimensionless),
                "t_in_timesteps" => new SpecialSymbol(IrSpecial.TimeStep, Dimension.Dimensionless),
                "lastspike" when _def.Refractory is not null => new SpecialSymbol(IrSpecial.LastSpike, Dimension.Time),
                "not_refractory" when _def.Refractory is not null =>
                    new SpecialSymbol(IrSpecial.NotRefractory, Dimension.Dimensionless, IsBoolean: true),
                _ => BuiltIn(name),
            };
        }

        private IEnumerable<string> KnownNames() => _symbols.Keys
            .Concat(["t", "dt", "i", "N", "pi", "e", "inf"])
            .Concat(UnitRegistry.AllNames);

        private ExpressionCompiler Compiler(string context, string source, Func<string, Symbol?>? resolve = null)
            => new(_b, resolve ?? Resolve, KnownNames, NextRandomStream, context, source);

        private ModelException EquationError(SourceSpan span, string reason) =>
            new(EquationsContext, _parsed.Source, span, reason);

        private List<ModelSubexpression> LowerSubexpressions()
        {
            var decls = _parsed.Equations.Where(d => d.Kind == EquationKind.Subexpression).ToList();
            var byName = decls.ToDictionary(d => d.Name, StringComparer.Ordinal);
            var order = new List<EquationDecl>();
            var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
            var path = new List<string>();
            foreach (var d in decls) Visit(d);

            var result = new List<ModelSubexpression>();
            var compiler = Compiler(EquationsContext, _parsed.Source);
            foreach (var d in order)
            {
                var (declared, type) = UnitOf(d);
                var t = compiler.Compile(d.Expression!);
                if (type == VariableType.Boolean != t.IsBoolean)
                    throw EquationError(d.Expression!.Span, type == VariableType.Boolean
                        ? $"subexpression '{d.Name}' is declared boolean but '{compiler.Text(d.Expression!)}' is not a condition"
                        : $"subexpression '{d.Name}' is a condition; declare it as ': boolean'");
                if (t.Dimension != declared)
                    throw EquationError(d.Expression!.Span, $"subexpression '{d.Name}' is declared as " +
                        $"{ExpressionCompiler.Describe(declared)} but '{compiler.Text(d.Expression!)}' has unit " +
                        $"{ExpressionCompiler.Describe(t.Dimension)}");
                if (IrCalculus.DependsOn(t.Node, n => n.Op == IrOp.Noise))
                    throw EquationError(d.Expression!.Span, $"subexpression '{d.Name}' cannot contain noise");
                _symbols[d.Name] = new SubexpressionSymbol(t.Node, declared, t.IsBoolean);
                result.Add(new ModelSubexpression(d.Name, declared, t.Node, compiler.Text(d.Expression!),
                    HasFlag(d, "constant over dt"), t.IsBoolean, Description(d)));
            }
            return result;

            void Visit(EquationDecl d)
            {
                if (state.TryGetValue(d.Name, out int s))
                {
                    if (s == 2) return;
                    int start = path.IndexOf(d.Name);
                    throw EquationError(d.NameSpan, $"subexpressions depend on each other in a cycle: " +
                        $"{string.Join(" -> ", path.Skip(start).Append(d.Name))}");
                }
                state[d.Name] = 1;
                path.Add(d.Name);
                foreach (var r in NameRefs(d.Expression!))
                    if (byName.TryGetValue(r.Name, out var dep)) Visit(dep);
                path.RemoveAt(path.Count - 1);
                state[d.Name] = 2;
                order.Add(d);
            }
        }

        private List<StateVariable> LowerDifferentialEquations()
        {
            var compiler = Compiler(EquationsContext, _parsed.Source);
            var result = new List<StateVariable>();
            foreach (var d in _parsed.Equations.Where(d => d.Kind == EquationKind.Differential))
            {
                var dim = ((StateSymbol)_symbols[d.Name]).Dimension;
                var t = compiler.Numeric(d.Expression!, "right-hand side");
                var expected = dim / Dimension.Time;
                if (t.Dimension != expected)
                    throw EquationError(d.Expression!.Span, $"inconsistent units in the differential equation for " +
                        $"'{d.Name}': the right-hand side '{compiler.Text(d.Expression!)}' has unit " +
                        $"{ExpressionCompiler.Describe(t.Dimension)}, but d{d.Name}/dt needs {ExpressionCompiler.Describe(expected)}");
                result.Add(new StateVariable(d.Name, dim, HasFlag(d, "unless refractory"), t.Node,
                    compiler.Text(d.Expression!), Description(d)));
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
            RejectNoise(compiler, expr, t.Node);
            return t.Node;
        }

        private void RejectNoise(ExpressionCompiler compiler, Expr expr, IrNode node)
        {
            if (IrCalculus.DependsOn(node, n => n.Op == IrOp.Noise))
                throw compiler.Error(expr.Span, "noise terms (xi) can only appear in differential equations");
        }

        private (RefractoryKind, IrNode?) LowerRefractory()
        {
            if (string.IsNullOrWhiteSpace(_def.Refractory)) return (RefractoryKind.None, null);
            const string context = "refractory";
            var expr = ModelParser.ParseExpression(_def.Refractory, context);
            var compiler = Compiler(context, _def.Refractory);
            var t = compiler.Compile(expr);
            RejectNoise(compiler, expr, t.Node);
            if (t.IsBoolean) return (RefractoryKind.Condition, t.Node);
            if (t.Dimension == Dimension.Time) return (RefractoryKind.Duration, t.Node);
            throw compiler.Error(expr.Span, $"the refractory period '{compiler.Text(expr)}' must be a duration " +
                $"(e.g. 5*ms) or a condition (e.g. v > -20*mV), but it is {ExpressionCompiler.Describe(t.Dimension)}");
        }

        private IReadOnlyList<IrStore> LowerEvent(EventDefinition e, int index)
        {
            string context = $"event {index}";
            if (_declarations.ContainsKey(e.ValueName) || ReservedNames.Contains(e.ValueName))
                throw new ModelException(context, $"the event value name '{e.ValueName}' clashes with a model name");
            var valueSymbol = new SpecialSymbol(IrSpecial.EventValue, e.ValueUnit);
            return LowerStatements(e.Code, context, (e.ValueName, valueSymbol));
        }

        /// <summary>
        /// Lowers statements run in sequence on one neuron. Each statement sees the values written by
        /// earlier ones (subexpressions included, as in Brian) because later expressions are rewritten
        /// in terms of the values current at that point.
        /// </summary>
        private IReadOnlyList<IrStore> LowerStatements(string? code, string context, (string Name, Symbol Symbol)? extra)
        {
            if (string.IsNullOrWhiteSpace(code)) return [];
            var statements = ModelParser.ParseStatements(code, context);
            var compiler = Compiler(context, code,
                extra is { } x ? n => n == x.Name ? x.Symbol : Resolve(n) : null);
            var current = new Dictionary<IrNode, IrNode>(ReferenceEqualityComparer.Instance);
            var targets = new List<IrNode>();
            foreach (var st in statements)
            {
                var symbol = Resolve(st.Target);
                IrNode leaf;
                Dimension dim;
                switch (symbol)
                {
                    case StateSymbol s:
                        leaf = _b.State(s.Index);
                        dim = s.Dimension;
                        break;
                    case ParameterSymbol { IsConstant: false } p:
                        leaf = _b.Parameter(p.Index);
                        dim = p.Dimension;
                        break;
                    case ParameterSymbol:
                        throw compiler.Error(st.TargetSpan, $"'{st.Target}' is a constant parameter and cannot be assigned; " +
                            "remove the '(constant)' flag to change it in statements");
                    case null:
                        var unknown = compiler.Unknown(st.Target, st.TargetSpan, "variable to assign");
                        throw new ModelException(context, code, st.TargetSpan, unknown.Reason +
                            "; statements can only assign model variables (Brian would silently create a temporary)");
                    default:
                        throw compiler.Error(st.TargetSpan, $"'{st.Target}' cannot be assigned: only state variables and " +
                            "non-constant parameters can");
                }
                var value = compiler.Compile(st.Value);
                RejectNoise(compiler, st.Value, value.Node);
                var valueNode = _b.Substitute(value.Node, n => current.GetValueOrDefault(n));
                var old = current.GetValueOrDefault(leaf) ?? leaf;
                string verb = $"'{compiler.Text(st.Value)}'";
                IrNode result;
                switch (st.Op)
                {
                    case AssignOperator.Assign or AssignOperator.AddAssign or AssignOperator.SubtractAssign
                        or AssignOperator.ModuloAssign:
                        if (value.Dimension != dim && !(st.Op == AssignOperator.Assign && value.IsBoolean && dim.IsDimensionless))
                            throw compiler.Error(st.Span, $"cannot assign {verb} to '{st.Target}': '{st.Target}' is " +
                                $"{ExpressionCompiler.Describe(dim)} but the value is {ExpressionCompiler.Describe(value.Dimension)}");
                        result = st.Op switch
                        {
                            AssignOperator.Assign => valueNode,
                            AssignOperator.AddAssign => _b.Add(old, valueNode),
                            AssignOperator.SubtractAssign => _b.Subtract(old, valueNode),
                            _ => _b.Binary(IrOp.Modulo, old, valueNode),
                        };
                        break;
                    case AssignOperator.MultiplyAssign or AssignOperator.DivideAssign or AssignOperator.PowerAssign:
                        if (!value.Dimension.IsDimensionless)
                            throw compiler.Error(st.Span, $"'{st.Target}' can only be multiplied, divided or raised by a " +
                                $"dimensionless value, but {verb} is {ExpressionCompiler.Describe(value.Dimension)}");
                        if (st.Op == AssignOperator.PowerAssign && !dim.IsDimensionless)
                            throw compiler.Error(st.Span, $"'{st.Target}' has units, so '**=' cannot be applied to it");
                        result = st.Op switch
                        {
                            AssignOperator.MultiplyAssign => _b.Multiply(old, valueNode),
                            AssignOperator.DivideAssign => _b.Divide(old, valueNode),
                            _ => _b.Binary(IrOp.Power, old, valueNode),
                        };
                        break;
                    default:
                        throw compiler.Error(st.Span, "unsupported assignment");
                }
                current[leaf] = result;
                if (!targets.Contains(leaf)) targets.Add(leaf);
            }
            return targets.Select(t => new IrStore(t.Op == IrOp.State ? VariableKind.State : VariableKind.Parameter,
                t.Index, current[t])).ToList();
        }

        /// <summary>Compiles an expression in the model scope (initial values, monitored expressions). Its
        /// rand() calls number their streams from 0 (the caller offsets them): compiling leaves the
        /// analysed model unchanged, so every group of one compiled model draws the same numbers.</summary>
        public Typed CompileStandalone(string text, string context)
        {
            var expr = ModelParser.ParseExpression(text, context);
            int streams = 0;
            var compiler = new ExpressionCompiler(_b, Resolve, KnownNames, () => streams++, context, text);
            var t = compiler.Compile(expr);
            RejectNoise(compiler, expr, t.Node);
            return t;
        }
    }
}
