namespace NeuroNative.Cli;

internal static class Program
{
    public static int Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        // The first Ctrl+C asks the run to stop at the next step boundary and write what it has;
        // a second one ends the process at once.
        Console.CancelKeyPress += (_, e) =>
        {
            if (cancel.IsCancellationRequested) return;
            e.Cancel = true;
            cancel.Cancel();
        };
        // SIGTERM (what Slurm sends at a job's time limit) stops a run the same way: the chunks done are kept.
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            cancel.Cancel();
        });
        // A bar on a terminal; plain lines in a file or pipe (a Slurm job's log).
        return CliApp.Run(args, Console.Out, Console.Error, cancel.Token, Console.IsErrorRedirected ? ProgressMode.Lines : ProgressMode.Terminal);
    }
}
