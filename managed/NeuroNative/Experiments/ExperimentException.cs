namespace NeuroNative.Experiments;

/// <summary>
/// A problem in an experiment file: the message names the file, the 1-based line (and column where
/// known), the key (<c>sweep.parameters.I.lo</c>) and what was expected. Model errors found while
/// reading the file keep their own text (with line, column and caret) after the file position.
/// </summary>
public sealed class ExperimentException : Exception
{
    public string File { get; }
    public int Line { get; }
    public int Column { get; }

    public ExperimentException(string file, int line, int column, string message, Exception? inner = null)
        : base(Format(file, line, column, message), inner)
    {
        File = file;
        Line = line;
        Column = column;
    }

    private static string Format(string file, int line, int column, string message) =>
        line <= 0 ? $"{file}: {message}"
        : column <= 0 ? $"{file}:{line}: {message}"
        : $"{file}:{line}:{column}: {message}";
}
