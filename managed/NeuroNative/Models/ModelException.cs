using System.Text;
using NeuroNative.Models.Parsing;

namespace NeuroNative.Models;

/// <summary>
/// The one exception type of the model language: every problem in a model (syntax, unknown name,
/// unit mismatch, unsupported method...) is reported as this, with where it is and what was expected.
/// </summary>
public sealed class ModelException : Exception
{
    /// <summary>What was being read: "equations", "threshold", "reset", "namespace 'Cm'", ...</summary>
    public string Context { get; }

    /// <summary>1-based line inside the text of <see cref="Context"/>; 0 when not tied to a place.</summary>
    public int Line { get; }

    /// <summary>1-based column; 0 when not tied to a place.</summary>
    public int Column { get; }

    /// <summary>The offending text (a token, an expression or a name); empty when none.</summary>
    public string OffendingText { get; }

    /// <summary>The message without location decoration.</summary>
    public string Reason { get; }

    public ModelException(string context, string reason)
        : base($"{context}: {reason}")
    {
        Context = context;
        Reason = reason;
        OffendingText = "";
    }

    public ModelException(string context, string source, SourceSpan span, string reason)
        : base(Format(context, source, span, reason))
    {
        Context = context;
        Reason = reason;
        Line = span.Line;
        Column = span.Column;
        OffendingText = span.Slice(source);
    }

    private static string Format(string context, string source, SourceSpan span, string reason)
    {
        var sb = new StringBuilder();
        sb.Append(context).Append(", line ").Append(span.Line).Append(", column ").Append(span.Column)
          .Append(": ").Append(reason);
        string? lineText = SourceSpan.LineText(source, span.Line);
        if (lineText is not null)
        {
            sb.Append('\n').Append("    ").Append(lineText.TrimEnd());
            int caretLength = Math.Max(1, Math.Min(span.Length, Math.Max(1, lineText.Length - span.Column + 1)));
            sb.Append('\n').Append("    ").Append(' ', Math.Max(0, span.Column - 1)).Append('^', caretLength);
        }
        return sb.ToString();
    }
}
