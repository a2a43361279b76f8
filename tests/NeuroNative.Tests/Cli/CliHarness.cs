using System.Diagnostics;
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

    /// <summary>The CLI in a process of its own (the test host's copy of NeuroNative.Cli.dll), its output redirected.</summary>
    public static Process Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        // Tests kill these processes: without diagnostics they leave no IPC files in /tmp behind.
        info.Environment["DOTNET_EnableDiagnostics"] = "0";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(typeof(CliApp).Assembly.Location);
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    public static Process Start(params string[] args) => Start(null, args);

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
