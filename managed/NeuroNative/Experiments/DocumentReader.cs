using System.Globalization;
using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Units;

namespace NeuroNative.Experiments;

/// <summary>
/// The structure and values of an experiment document: mappings with their allowed keys, required
/// keys, scalars, quantities in a model's scope, and errors that point at the file's line and column.
/// </summary>
internal sealed class DocumentReader(string source)
{
    // Model errors name a context ("equations", "namespace 'Cm'"); this finds the node it came from.
    private readonly Dictionary<string, ConfigScalar> _contexts = new(StringComparer.Ordinal);

    /// <summary>Remembers the node whose text a model error with this context refers to.</summary>
    public void Remember(string context, ConfigScalar node) => _contexts[context] = node;

    /// <summary>The model's message verbatim, after the file line it points at.</summary>
    public ExperimentException FromModel(ModelException e, ConfigScalar? node = null)
    {
        if (node is null) _contexts.TryGetValue(e.Context, out node);
        if (node is null) return new ExperimentException(source, 0, 0, e.Message, e);
        // A block scalar's text starts on the line after its '|'.
        int line = node.Line + (node.Style == ScalarStyle.Block ? 0 : -1) + Math.Max(e.Line, 1);
        return new ExperimentException(source, line, 0, e.Message, e);
    }

    public ExperimentException Error(ConfigNode node, string message) => new(source, node.Line, node.Column, message);

    public static string Hint(string name, IEnumerable<string> candidates) =>
        ExpressionCompiler.Suggest(name, candidates) is { } s ? $" (did you mean '{s}'?)" : "";

    // ---- structure -----------------------------------------------------------------------

    public Fields Fields(ConfigNode node, string key, string[]? allowed)
    {
        if (node is not ConfigMapping mapping)
            throw Error(node, $"{key}: expected a mapping (name: value), found {node.Kind}");
        var fields = new Fields(mapping);
        foreach (var (k, value) in mapping.Entries)
        {
            if (allowed is not null && !allowed.Contains(k.Text))
                throw Error(k, $"{key}: unknown key '{k.Text}'{Hint(k.Text, allowed)}; expected one of {string.Join(", ", allowed)}");
            if (!fields.TryAdd(k.Text, value))
                throw Error(k, $"{key}: '{k.Text}' is given twice");
        }
        return fields;
    }

    public ConfigNode Required(Fields fields, string name, ConfigNode parent, string key) =>
        fields.TryGetValue(name, out var node) ? node : throw Error(parent, $"{key}: missing required key '{name}'");

    public ConfigScalar Scalar(ConfigNode node, string key)
    {
        if (node is not ConfigScalar scalar)
            throw Error(node, $"{key}: expected a single value, found {node.Kind}");
        if (scalar.IsNull) throw Error(node, $"{key}: expected a value, found nothing");
        return scalar;
    }

    public string? OptionalText(Fields fields, string name, string key)
    {
        if (!fields.TryGetValue(name, out var node) || node is ConfigScalar { IsNull: true }) return null;
        var scalar = Scalar(node, $"{key}.{name}");
        _contexts[name] = scalar;
        return scalar.Text.Trim().Length == 0 ? null : scalar.Text;
    }

    // ---- values --------------------------------------------------------------------------

    /// <summary>A constant of the expected dimension, in the model's scope with namespace values.</summary>
    public double Quantity(AnalyzedModel scope, ConfigNode node, string key, Dimension expected, string what)
    {
        var (value, dimension) = Constant(scope, node, key);
        if (dimension != expected)
            throw Error(node, $"{key}: '{((ConfigScalar)node).Text.Trim()}' is {ExpressionCompiler.Describe(dimension)}, " +
                $"expected {what}: {ExpressionCompiler.Describe(expected)}");
        return value;
    }

    public (double Value, Dimension Dimension) Constant(AnalyzedModel scope, ConfigNode node, string key)
    {
        var text = Scalar(node, key);
        return Constant(scope, text, text.Text, key);
    }

    /// <summary>The value of <paramref name="text"/>, part or all of <paramref name="node"/>'s text.</summary>
    public (double Value, Dimension Dimension) Constant(AnalyzedModel scope, ConfigScalar node, string text, string key)
    {
        (Models.IR.IrNode Node, Dimension Dimension, bool IsBoolean) compiled;
        try { compiled = scope.CompileWithNamespaceValues(text, key); }
        catch (ModelException e) { throw FromModel(e, node); }
        if (compiled.IsBoolean) throw Error(node, $"{key}: '{text.Trim()}' is a condition, expected a quantity");
        if (!compiled.Node.IsConstant)
            throw Error(node, $"{key}: '{text.Trim()}' is not a constant (use numbers, units and namespace constants)");
        return (compiled.Node.Value, compiled.Dimension);
    }

    public ulong Seed(ConfigNode node)
    {
        var text = Scalar(node, "seed");
        if (!ulong.TryParse(text.Text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
            throw Error(node, $"seed: expected a whole number from 0 to {ulong.MaxValue}, not '{text.Text}'");
        return seed;
    }

    public int Integer(ConfigNode node, string key, int min)
    {
        var text = Scalar(node, key);
        if (!int.TryParse(text.Text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < min)
            throw Error(node, $"{key}: expected a whole number >= {min}, not '{text.Text}'");
        return value;
    }

    public bool Boolean(ConfigNode node, string key) => Scalar(node, key).Text.Trim() switch
    {
        "true" or "True" or "TRUE" => true,
        "false" or "False" or "FALSE" => false,
        var other => throw Error(node, $"{key}: expected true or false, not '{other}'"),
    };

    public string Choice(ConfigNode node, string key, string[] choices)
    {
        string text = Scalar(node, key).Text.Trim();
        if (choices.Contains(text)) return text;
        throw Error(node, $"{key}: '{text}' is not one of {string.Join(", ", choices)}" + Hint(text, choices));
    }
}

/// <summary>A mapping's entries by name, remembering the mapping for messages.</summary>
internal sealed class Fields(ConfigMapping node) : Dictionary<string, ConfigNode>(StringComparer.Ordinal)
{
    public ConfigMapping Node { get; } = node;
}
