using System.CommandLine;
using System.Globalization;
using NeuroNative.Fitting;
using NeuroNative.Plotting;

namespace NeuroNative.Cli;

public static partial class CliApp
{
    /// <summary><c>neuronative fit FIT.yaml --out DIR</c>: <see cref="FitRunner"/> on the file, a line per round, then the
    /// files written (fit.json, history.csv, best_traces.npy or best_spikes.csv, fit.png).</summary>
    private static Command FitCommand(TextWriter stdout, TextWriter stderr, CancellationToken cancellation)
    {
        var file = new Argument<string>("FIT") { Description = "The fit file (YAML): a model block, dt and a fit block; see docs/fitting.md." };
        var output = new Option<string>("--out", "-o") { Description = "Directory for fit.json, history.csv, the best traces and fit.png.", Required = true };
        var backend = new Option<string>("--backend") { Description = "auto, interpreted or compiled (as for run).", DefaultValueFactory = _ => "auto" };
        backend.AcceptOnlyFromAmong("auto", "interpreted", "compiled");
        var threads = new Option<int>("--threads") { Description = "Worker threads; 0 uses every hardware thread.", DefaultValueFactory = _ => 0 };
        threads.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--threads must be 0 (all hardware threads) or more"); });
        var seed = new Option<ulong?>("--seed") { Description = "Random seed of the optimizer; overrides the file's fit.seed." };
        var fit = new Command("fit", "Fit a model's parameters to recorded traces or spike trains (brian2modelfitting's fitters), each round " +
            "one batched run; Ctrl-C stops after the current round and writes what is done.") { file, output, backend, threads, seed };
        fit.SetAction(p => Guard(stderr, p.GetValue(file)!, () =>
        {
            string path = p.GetValue(file)!;
            var job = FitFile.Load(path);
            FitReport report;
            try
            {
                report = FitRunner.Run(job, new FitRunSettings
                {
                    Backend = ParseBackend(p.GetValue(backend)),
                    Threads = p.GetValue(threads),
                    Seed = p.GetValue(seed),
                }, FitCallbacks.Text(stdout), cancellation);
            }
            catch (FitException e)
            {
                stderr.WriteLine($"neuronative: {path}: fit: {e.Message}");
                return ExitUsageError;
            }
            string dir = p.GetValue(output)!;
            var files = FitRunner.Write(report, dir).ToList();
            files.AddRange(DrawFit(report, dir));
            string refined = report.Refined is { } r ? FormattableString.Invariant($", refined {r.Error:G6}") : "";
            stdout.WriteLine(FormattableString.Invariant(
                $"best error {report.Result.BestError:G6}{refined} in {report.Timings.TotalSeconds:F2} s ({report.Result.Rounds} rounds of {job.NSamples})"));
            foreach (string f in files) stdout.WriteLine(Path.Combine(dir, f));
            if (!report.Cancelled) return ExitOk;
            stderr.WriteLine($"neuronative: cancelled after {report.Result.Rounds} of {job.NRounds} rounds; what was done is written to {dir}");
            return ExitCancelled;
        }));
        return fit;
    }

    /// <summary>fit.png (fit_&lt;variable&gt;.png for several outputs): the data against the final parameters' outputs.</summary>
    private static IEnumerable<string> DrawFit(FitReport report, string dir)
    {
        var job = report.Job;
        string title = string.Join(", ", (report.Refined?.Parameters ?? report.Result.BestParams)
            .Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value:G3}")));
        foreach (var (variable, fitted) in report.BestTraces)
        {
            string name = report.BestTraces.Count == 1 ? "fit.png" : $"fit_{variable}.png";
            var data = job.Output[variable];
            FitFigures.PlotTraces(variable, data.Unit, job.Dt, data.Rows, fitted, title).SavePng(Path.Combine(dir, name));
            yield return name;
        }
        if (report.BestSpikes is { } spikes)
        {
            FitFigures.PlotSpikes(job.OutputSpikes!, spikes, job.Input.First().Value.Samples * job.Dt).SavePng(Path.Combine(dir, "fit.png"));
            yield return "fit.png";
        }
    }
}
