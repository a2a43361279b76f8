namespace NeuroNative.Models.Parsing;

/// <summary>A place in a model text: 1-based line and column, and a length in characters.</summary>
/// <remarks><see cref="Offset"/> is the 0-based index into the whole text, so spans that run over
/// several lines (continued expressions) can still be sliced.</remarks>
public readonly record struct SourceSpan(int Offset, int Length, int Line, int Column)
{
    public static readonly SourceSpan None = new(0, 0, 0, 0);

    public int End => Offset + Length;

    /// <summary>The smallest span covering both.</summary>
    public SourceSpan Union(SourceSpan other)
    {
        if (Length == 0 && Line == 0) return other;
        if (other.Length == 0 && other.Line == 0) return this;
        var first = other.Offset < Offset ? other : this;
        int end = Math.Max(End, other.End);
        return new SourceSpan(first.Offset, end - first.Offset, first.Line, first.Column);
    }

    public string Slice(string source)
    {
        if (Offset < 0 || Offset > source.Length) return "";
        int len = Math.Min(Length, source.Length - Offset);
        return source.Substring(Offset, Math.Max(0, len));
    }

    /// <summary>The text of a 1-based line, or null when out of range.</summary>
    public static string? LineText(string source, int line)
    {
        if (line < 1) return null;
        int start = 0;
        for (int l = 1; l < line; l++)
        {
            int nl = source.IndexOf('\n', start);
            if (nl < 0) return null;
            start = nl + 1;
        }
        int end = source.IndexOf('\n', start);
        return end < 0 ? source[start..] : source[start..end];
    }
}
