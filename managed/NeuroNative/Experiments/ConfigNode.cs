namespace NeuroNative.Experiments;

/// <summary>How a scalar was written: plain, quoted, or as a multi-line block (<c>|</c> or <c>&gt;</c>),
/// whose text starts on the line after the node's position.</summary>
public enum ScalarStyle { Plain, Quoted, Block }

/// <summary>
/// A format-neutral document tree with source positions (1-based line and column), what the
/// experiment reader validates. The CLI builds it from YAML; any other front end can build it too.
/// </summary>
public abstract record ConfigNode(int Line, int Column)
{
    /// <summary>"a mapping", "a list", "a value": for messages.</summary>
    public abstract string Kind { get; }
}

public sealed record ConfigScalar(string Text, ScalarStyle Style, int Line, int Column) : ConfigNode(Line, Column)
{
    public override string Kind => "a value";

    /// <summary>YAML's null: an empty or <c>~</c>/<c>null</c> plain scalar.</summary>
    public bool IsNull => Style == ScalarStyle.Plain && Text is "" or "~" or "null" or "Null" or "NULL";
}

public sealed record ConfigSequence(IReadOnlyList<ConfigNode> Items, int Line, int Column) : ConfigNode(Line, Column)
{
    public override string Kind => "a list";
}

public sealed record ConfigMapping(IReadOnlyList<KeyValuePair<ConfigScalar, ConfigNode>> Entries, int Line, int Column)
    : ConfigNode(Line, Column)
{
    public override string Kind => "a mapping";
}
