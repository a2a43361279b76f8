using NeuroNative.Models.IR;
using NeuroNative.Models.Parsing;
using NeuroNative.Models.Units;

namespace NeuroNative.Models.Analysis;

/// <summary>
/// The model's namespace: TimedArray inputs, constants evaluated in dependency order (cycles
/// rejected), and the namespace constants made per-neuron parameters.
/// </summary>
internal sealed class NamespaceResolver
{
    private readonly ModelDefinition _def;
    private readonly IrBuilder _b;
    private readonly Dictionary<string, Symbol> _symbols;
    private readonly Declarations _declarations;
    private readonly List<ModelInput> _inputs = [];
    private readonly List<ModelConstant> _constants = [];
    private readonly Dictionary<string, Typed> _namespaceValues = new(StringComparer.Ordinal);
    private readonly HashSet<string> _resolving = new(StringComparer.Ordinal);

    public NamespaceResolver(ModelDefinition definition, IrBuilder builder, Dictionary<string, Symbol> symbols,
        Declarations declarations)
    {
        _def = definition;
        _b = builder;
        _symbols = symbols;
        _declarations = declarations;
    }

    public IReadOnlyList<ModelInput> Inputs => _inputs;
    public IReadOnlyList<ModelConstant> Constants => _constants;

    public void Resolve()
    {
        foreach (var (name, value) in _def.Namespace.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            string context = $"namespace '{name}'";
            if (_declarations.ByName.ContainsKey(name))
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
            _symbols[name] = new ParameterSymbol(_declarations.Parameters.Count, value.Dimension, IsConstant: true, IsBoolean: false);
            _declarations.Parameters.Add(new ModelParameter(name, value.Dimension, VariableType.Float, IsConstant: true, IsShared: false,
                FromNamespace: true, Default: value.Node.Value, Description: null));
        }
    }

    /// <summary>The namespace value of a namespace constant made per-neuron; null for any other name.</summary>
    public Typed? PerNeuronValue(string name) =>
        _def.PerNeuronConstants.Contains(name) && _namespaceValues.TryGetValue(name, out var v) ? v : null;

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

    private IEnumerable<string> NamespaceNames() =>
        _def.Namespace.Keys.Concat(UnitRegistry.AllNames).Concat(BuiltIns.SuggestedConstants);

    /// <summary>What every scope falls back to: the built-in constants, then Brian's units.</summary>
    public static Symbol? BuiltIn(string name)
    {
        if (BuiltIns.ConstantNamed(name) is { } c) return new ConstantSymbol(c.Value, Dimension.Dimensionless, c.IsBoolean);
        return UnitRegistry.TryLookup(name, out var unit) ? new ConstantSymbol(unit.Value, unit.Dimension) : null;
    }
}
