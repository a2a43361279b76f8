namespace NeuroNative.Experiments;

/// <summary>Experiment files: YAML read and checked into an <see cref="Experiment"/> (the format is in
/// examples/README.md). Every problem is an <see cref="ExperimentException"/> naming the file and line.</summary>
public static class ExperimentFile
{
    /// <summary>Reads and checks an experiment file (relative input files resolve next to it).</summary>
    public static Experiment Load(string path) =>
        Parse(ReadText(path, "the experiment file"), path, Path.GetDirectoryName(Path.GetFullPath(path))!);

    /// <summary>A document's text; a file that cannot be read is an <see cref="ExperimentException"/> naming it as
    /// <paramref name="what"/> ("the fit file").</summary>
    internal static string ReadText(string path, string what)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ExperimentException(path, 0, 0, $"cannot read {what}: {e.Message}", e);
        }
    }

    /// <param name="yaml">The experiment document.</param>
    /// <param name="source">The file name used in messages.</param>
    /// <param name="baseDirectory">Where relative paths (input CSV files) are resolved.</param>
    public static Experiment Parse(string yaml, string source, string baseDirectory) =>
        ExperimentReader.Read(YamlDocument.Parse(yaml, source), source, baseDirectory);
}
