using NeuroNative.Cli;

namespace NeuroNative.Tests.Cli;

/// <summary>Runs the CLI in-process with captured output, in a temporary directory deleted afterwards.</summary>
internal sealed class CliHarness : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("nn-cli").FullName;

    public string Path(string name) => System.IO.Path.Combine(Directory, name);

    public string Write(string name, string text)
    {
        File.WriteAllText(Path(name), text);
        return Path(name);
    }

    public static (int Code, string Out, string Err) Invoke(CancellationToken cancellation, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr, cancellation);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public static (int Code, string Out, string Err) Invoke(params string[] args) => Invoke(CancellationToken.None, args);

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
