using System.Diagnostics;
using System.Text;

namespace NeuroNative;

/// <summary>Runs a program to completion with its stdout and stderr merged into one log, in the C locale
/// (one language for logs and for anything parsed from them).</summary>
internal static class ChildProcess
{
    /// <param name="workingDirectory">Null: the current directory.</param>
    /// <exception cref="System.ComponentModel.Win32Exception">The program cannot be started.</exception>
    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, string? workingDirectory = null,
        CancellationToken cancellation = default)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["LC_ALL"] = "C";
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (cancellation.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }))
            process.WaitForExit();
        cancellation.ThrowIfCancellationRequested();
        lock (output) return (process.ExitCode, output.ToString());
    }
}
