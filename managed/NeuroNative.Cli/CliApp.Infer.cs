using System.CommandLine;
using System.Globalization;
using NeuroNative.Inference;

namespace NeuroNative.Cli;

public static partial class CliApp
{
    /// <summary><c>neuronative infer INFER.yaml --out DIR</c>: <see cref="InferRunner"/> on the file, then the files
    /// written (posterior.nnpost, samples.npy, summary.json, pairplot.png, sbc.png) and the posterior's summary.</summary>
    private static Command InferCommand(TextWriter stdout, TextWriter stderr, CancellationToken cancellation)
    {
        var file = new Argument<string>("INFER") { Description = "The inference file (YAML): a model block, dt and an infer block; see docs/inference.md." };
        var output = new Option<string>("--out", "-o") { Description = "Directory for the posterior, samples.npy, summary.json and the figures.", Required = true };
        var backend = new Option<string>("--backend") { Description = "auto, interpreted, compiled or cuda (as for run).", DefaultValueFactory = _ => "auto" };
        backend.AcceptOnlyFromAmong("auto", "interpreted", "compiled", "cuda");
        var threads = new Option<int>("--threads") { Description = "Simulation threads; 0 uses every hardware thread. LibTorch uses one (docs/inference.md).", DefaultValueFactory = _ => 0 };
        threads.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--threads must be 0 (all hardware threads) or more"); });
        var seed = new Option<int?>("--seed") { Description = "Random seed; overrides the file's infer.seed." };
        var shard = new Option<string?>("--shard") { Description = "Simulate only chunks k ≡ K mod N (K/N, K from 0) of round 1 into OUT/simulations/round_1 and exit; train later with --simulations." };
        var simulations = new Option<string[]>("--simulations") { Description = "Train round 1 from these simulation stores (the --out directories of the shards) instead of simulating.", AllowMultipleArgumentsPerToken = true };
        var chunkSize = new Option<int>("--chunk-size") { Description = "Simulations per stored chunk (OUT/simulations/round_R/theta_K.npy, x_K.npy).", DefaultValueFactory = _ => SimulationStore.DefaultChunkSize };
        chunkSize.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--chunk-size must be 1 or more"); });
        var infer = new Command("infer", "Simulation-based inference (brian2modelfitting's Inferencer: SNPE, SNLE or SNRE on TorchSharp): " +
            "the posterior of a model's parameters given recorded traces. Simulations are stored in OUT/simulations and streamed from disk.")
            { file, output, backend, threads, seed, shard, simulations, chunkSize };
        infer.SetAction(p => Guard(stderr, p.GetValue(file)!, () =>
        {
            string path = p.GetValue(file)!;
            var job = InferFile.Load(path);
            string dir = p.GetValue(output)!;
            var stores = p.GetValue(simulations) ?? [];
            var settings = new InferRunSettings
            {
                Backend = ParseBackend(p.GetValue(backend)), Threads = p.GetValue(threads), Seed = p.GetValue(seed),
                Store = Path.Combine(dir, "simulations"), Simulations = stores, ChunkSize = p.GetValue(chunkSize),
            };
            var progress = new ProgressRelay<InferProgress>(e =>
            {
                if (e.Phase == "simulate" && e.Done == e.Total) stdout.WriteLine($"round {e.Round}: simulated {e.Total}");
            });
            InferReport report;
            try
            {
                if (p.GetValue(shard) is { } text)
                {
                    if (stores.Length > 0) throw new NotSupportedException("--shard simulates; --simulations trains: give one of them");
                    var part = ParseShard(text);
                    var run = InferRunner.SimulateShard(job, settings, part, null, cancellation);
                    stdout.WriteLine($"shard {part.Index}/{part.Count}: {run.ShardChunks} chunks of round 1 in {run.Directory} " +
                        $"({run.Simulated} simulated, {run.Reused} already there)");
                    return ExitOk;
                }
                report = InferRunner.Run(job, settings, progress, cancellation);
            }
            catch (InferenceException e)
            {
                stderr.WriteLine($"neuronative: {path}: {e.Message}");
                return ExitUsageError;
            }
            using (report.Inferencer)
            {
                var files = InferRunner.Write(report, dir);
                PrintMeans(stdout, report.Posterior.ParameterNames, report.Samples);
                if (report.Sbc is { } sbc)
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"SBC: p = {string.Join(", ", sbc.PValues.Select(v => v.ToString("G3", CultureInfo.InvariantCulture)))} ({(sbc.Calibrated() ? "calibrated" : "MISCALIBRATED")})"));
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"simulation {report.Timings.Simulation:F1} s, training {report.Timings.Training:F1} s, total {report.Timings.Total:F1} s"));
                foreach (string f in files) stdout.WriteLine(Path.Combine(dir, f));
            }
            return ExitOk;
        }));
        return infer;
    }
}
