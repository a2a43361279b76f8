using NeuroNative.Models.Parsing;
using NeuroNative.Models.Units;

namespace NeuroNative.Models.Analysis;

/// <summary>
/// The declarations of a model's equations: names, flags and unit specifications checked, noise terms
/// collected, and symbols given to states, parameters and noise terms.
/// </summary>
internal sealed class Declarations
{
    public const string EquationsContext = "equations";

    private readonly ParsedEquations _parsed;
    private readonly Dictionary<string, Symbol> _symbols;
    private readonly Dictionary<string, EquationDecl> _byName = new(StringComparer.Ordinal);
    private readonly List<string> _noiseTerms = [];
    private readonly List<ModelParameter> _parameters = [];

    public Declarations(ParsedEquations parsed, Dictionary<string, Symbol> symbols)
    {
        _parsed = parsed;
        _symbols = symbols;
    }

    public IReadOnlyDictionary<string, EquationDecl> ByName => _byName;
    public IReadOnlyList<string> NoiseTerms => _noiseTerms;
    /// <summary>The parameters of the equations; namespace constants made per-neuron are appended later.</summary>
    public List<ModelParameter> Parameters => _parameters;

    public void Declare()
    {
        foreach (var decl in _parsed.Equations)
        {
            if (_byName.TryGetValue(decl.Name, out var previous))
                throw Error(decl.NameSpan, $"'{decl.Name}' is defined twice (first at line {previous.NameSpan.Line})");
            CheckName(decl);
            CheckFlags(decl);
            _byName.Add(decl.Name, decl);
        }
        CollectNoiseTerms();

        int stateIndex = 0;
        foreach (var decl in _parsed.Equations.Where(d => d.Kind == EquationKind.Differential))
        {
            var (dim, type) = UnitOf(decl);
            if (type != VariableType.Float)
                throw Error(decl.Unit.Span, $"the differential equation for '{decl.Name}' must have a " +
                    $"physical unit (or 1), not {type.ToString().ToLowerInvariant()}");
            _symbols[decl.Name] = new StateSymbol(stateIndex++, dim);
        }
        foreach (var decl in _parsed.Equations.Where(d => d.Kind == EquationKind.Parameter))
        {
            var (dim, type) = UnitOf(decl);
            _symbols[decl.Name] = new ParameterSymbol(_parameters.Count, dim, HasFlag(decl, "constant"), type == VariableType.Boolean,
                type == VariableType.Integer);
            _parameters.Add(new ModelParameter(decl.Name, dim, type, HasFlag(decl, "constant"), HasFlag(decl, "shared"),
                FromNamespace: false, Default: null, Description(decl)));
        }
    }

    public ModelException Error(SourceSpan span, string reason) => new(EquationsContext, _parsed.Source, span, reason);

    private void CheckName(EquationDecl decl)
    {
        if (WhyNotAName(decl.Name) is { } why)
            throw Error(decl.NameSpan, $"'{decl.Name}' cannot be used as a variable name: it is {why}");
    }

    /// <summary>Why a model may not give <paramref name="name"/> to a variable, function or argument; null when it may.</summary>
    public static string? WhyNotAName(string name)
    {
        if (BuiltIns.Reserved.Contains(name) || name.StartsWith("xi_", StringComparison.Ordinal)) return "a reserved name";
        if (BuiltIns.Functions.ContainsKey(name)) return "the name of a function";
        if (UnitRegistry.TryLookup(name, out _)) return "the name of a unit";
        if (name.StartsWith('_')) return "reserved: names starting with '_' are internal";
        return null;
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
            throw Error(flag.Span, $"flag '{flag.Name}' does not apply to {kind} ('{decl.Name}'); " +
                $"allowed: {string.Join(", ", allowed.Select(a => $"'{a}'"))}");
        }
    }

    public static bool HasFlag(EquationDecl decl, string flag) => decl.Flags.Any(f => f.Name == flag);

    /// <summary>The trailing comment of a declaration's last line, used as its description.</summary>
    public string? Description(EquationDecl decl)
    {
        int end = decl.Span.End;
        int lineEnd = _parsed.Source.IndexOf('\n', Math.Min(end, _parsed.Source.Length));
        string rest = lineEnd < 0 ? _parsed.Source[Math.Min(end, _parsed.Source.Length)..] : _parsed.Source[end..lineEnd];
        int hash = rest.IndexOf('#');
        string text = hash < 0 ? "" : rest[(hash + 1)..].Trim();
        return text.Length == 0 ? null : text;
    }

    public (Dimension Dimension, VariableType Type) UnitOf(EquationDecl decl) =>
        UnitOf(decl.Unit, decl.Name, EquationsContext, _parsed.Source);

    /// <summary>The dimension and type a unit specification (after ':') gives <paramref name="variable"/>;
    /// errors are in <paramref name="context"/>, whose text is <paramref name="source"/>.</summary>
    public static (Dimension Dimension, VariableType Type) UnitOf(UnitSpec unit, string variable, string context, string source)
    {
        switch (unit.Keyword)
        {
            case UnitKeyword.Boolean: return (Dimension.Dimensionless, VariableType.Boolean);
            case UnitKeyword.Integer: return (Dimension.Dimensionless, VariableType.Integer);
        }
        if (unit.Expression is null)
            throw new ModelException(context, source, unit.Span, $"missing unit for '{variable}'");
        return (UnitSpecDimension(unit.Expression, variable, context, source), VariableType.Float);
    }

    /// <summary>A unit after ':' must be built from base units (scale 1), like Brian demands.</summary>
    private static Dimension UnitSpecDimension(Expr e, string variable, string context, string source)
    {
        ModelException Error(SourceSpan span, string reason) => new(context, source, span, reason);
        switch (e)
        {
            case NumberLiteral { Value: 1 }:
                return Dimension.Dimensionless;
            case NameRef r:
                if (UnitRegistry.IsBaseUnitName(r.Name) && UnitRegistry.TryLookup(r.Name, out var unit))
                    return unit.Dimension;
                string? baseName = UnitRegistry.BaseNameFor(r.Name);
                if (baseName is not null)
                    throw Error(r.Span, $"the unit of '{variable}' refers to '{r.Name}', but this is not a base " +
                        $"unit; use '{baseName}' instead");
                if (UnitRegistry.TryLookup(r.Name, out _))
                    throw Error(r.Span, $"the unit of '{variable}' refers to '{r.Name}', which is not a base unit " +
                        "(its scale is not 1); write it with base units such as volt, amp, siemens, metre, second");
                string? suggestion = ExpressionCompiler.Suggest(r.Name, UnitRegistry.AllNames.Where(UnitRegistry.IsBaseUnitName));
                throw Error(r.Span, $"unknown unit '{r.Name}' for '{variable}'" +
                    (suggestion is null ? "" : $" (did you mean '{suggestion}'?)"));
            case BinaryExpr { Op: BinaryOperator.Multiply } m:
                return UnitSpecDimension(m.Left, variable, context, source) * UnitSpecDimension(m.Right, variable, context, source);
            case BinaryExpr { Op: BinaryOperator.Divide } d:
                return UnitSpecDimension(d.Left, variable, context, source) / UnitSpecDimension(d.Right, variable, context, source);
            case BinaryExpr { Op: BinaryOperator.Power } p:
                return UnitSpecDimension(p.Left, variable, context, source).Pow(p.Right switch
                {
                    NumberLiteral n => n.Value,
                    UnaryExpr { Op: UnaryOperator.Negate, Operand: NumberLiteral n } => -n.Value,
                    UnaryExpr { Op: UnaryOperator.Plus, Operand: NumberLiteral n } => n.Value,
                    _ => throw Error(p.Right.Span, $"the exponent in the unit of '{variable}' must be a number"),
                });
            default:
                throw Error(e.Span, $"'{e.Span.Slice(source)}' is not a unit; expected a product of base " +
                    "units such as 'volt', 'siemens/metre**2' or '1'");
        }
    }

    private void CollectNoiseTerms()
    {
        var uses = new Dictionary<string, List<EquationDecl>>(StringComparer.Ordinal);
        foreach (var decl in _parsed.Equations)
        {
            if (decl.Expression is null) continue;
            foreach (var r in NameRefs(decl.Expression).Where(r => IsNoiseName(r.Name)))
            {
                if (decl.Kind != EquationKind.Differential)
                    throw Error(r.Span, $"noise '{r.Name}' can only appear in differential equations, not in " +
                        $"'{decl.Name}'");
                if (!uses.TryGetValue(r.Name, out var list)) uses[r.Name] = list = [];
                if (!list.Contains(decl)) list.Add(decl);
            }
        }
        if (uses.TryGetValue("xi", out var bare) && bare.Count > 1)
            throw Error(bare[1].Span, "the bare noise term 'xi' may appear in one equation only; use " +
                "named terms such as xi_1, xi_2 for independent noise or one shared name for common noise");
        foreach (var name in uses.Keys.Order(StringComparer.Ordinal))
        {
            _symbols[name] = new NoiseSymbol(_noiseTerms.Count, Dimension.Time.Pow(-0.5));
            _noiseTerms.Add(name);
        }
    }

    private static bool IsNoiseName(string name) => name == "xi" || name.StartsWith("xi_", StringComparison.Ordinal);

    internal static IEnumerable<NameRef> NameRefs(Expr e) => Nodes(e).OfType<NameRef>();

    /// <summary>Every node of an expression, in text order.</summary>
    internal static IEnumerable<Expr> Nodes(Expr e)
    {
        var stack = new Stack<Expr>();
        stack.Push(e);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            yield return node;
            switch (node)
            {
                case UnaryExpr u: stack.Push(u.Operand); break;
                case BinaryExpr bin: stack.Push(bin.Right); stack.Push(bin.Left); break;
                case CallExpr c:
                    for (int k = c.Arguments.Count - 1; k >= 0; k--) stack.Push(c.Arguments[k]);
                    break;
            }
        }
    }
}
