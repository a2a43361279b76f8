using System.CommandLine;
using System.Globalization;
using NeuroNative.Experiments;
using NeuroNative.Inference;

namespace NeuroNative.Cli;

public static partial class CliApp
{
    /// <summary><c>neuronative sample POSTERIOR --n N --out FILE.npy</c>: draws of a saved posterior at the observation
    /// it was built for, in a process of its own — the same draws as the process that trained it for the same seed and
    /// LibTorch thread count (docs/inference.md, "Posterior files").</summary>
    private static Command SampleCommand(TextWriter stdout, TextWriter stderr, CancellationToken cancellation)
    {
        var file = new Argument<string>("POSTERIOR") { Description = "A posterior file written by 'neuronative infer' (posterior.nnpost) or Posterior.Save." };
        var output = new Option<string>("--out", "-o") { Description = "The draws as a .npy file [draws, parameters] (SI, the prior's order).", Required = true };
        var count = new Option<int>("--n") { Description = "Number of draws.", DefaultValueFactory = _ => 10_000 };
        count.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--n must be 1 or more"); });
        var seed = new Option<int>("--seed") { Description = "Random seed of the draws.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--torch-threads") { Description = "LibTorch threads (draws are identical for the same count).", DefaultValueFactory = _ => 1 };
        threads.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--torch-threads must be 1 or more"); });
        var sample = new Command("sample", "Draw from a saved posterior at its observation.") { file, output, count, seed, threads };
        sample.SetAction(p => Guard(stderr, p.GetValue(file)!, () =>
        {
            string path = p.GetValue(file)!;
            double[,] draws;
            Posterior posterior;
            try
            {
                TorchRuntime.EnsureLoaded(p.GetValue(threads));
                posterior = Posterior.Load(path);
                if (posterior.Observation is null)
                    throw new InferenceException("the posterior holds no observation to sample at (build it with one, or use Posterior.Sample(n, seed, x))");
                draws = posterior.Sample(p.GetValue(count), p.GetValue(seed), cancellationToken: cancellation);
            }
            catch (InferenceException e)
            {
                stderr.WriteLine($"neuronative: {path}: {e.Message}");
                return ExitUsageError;
            }
            string target = Path.GetFullPath(p.GetValue(output)!);
            var flat = new double[draws.Length];
            Buffer.BlockCopy(draws, 0, flat, 0, flat.Length * sizeof(double));
            ExperimentOutput.Open(Path.GetDirectoryName(target)!).WriteArray(Path.GetFileName(target), flat, draws.GetLength(0), draws.GetLength(1));
            PrintMeans(stdout, posterior.ParameterNames, draws);
            stdout.WriteLine(target);
            return ExitOk;
        }));
        return sample;
    }

    /// <summary>"name: mean M" per column of posterior draws [draws, parameters].</summary>
    private static void PrintMeans(TextWriter stdout, IReadOnlyList<string> names, double[,] draws)
    {
        for (int j = 0; j < draws.GetLength(1); j++)
        {
            double mean = 0;
            for (int i = 0; i < draws.GetLength(0); i++) mean += draws[i, j];
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{names[j]}: mean {mean / draws.GetLength(0):G4}"));
        }
    }
}
