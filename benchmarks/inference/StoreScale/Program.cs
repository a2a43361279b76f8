// Inference training data streamed from disk (SimulationStore) against the same data in memory (issue 14, "Scale").
// A synthetic simulator of F features (x_0,1 = θ + N(0, 0.3²), the others N(0, 1)), θ uniform on [-3, 3]², chunks of
// 1,000; SNPE with a small MDN, one epoch of sbi's batches of 200. Prints the time and the process's peak RSS (VmHWM).
//   StoreScale write DIR MB [F]    simulate MB of x (float32) into the store DIR
//   StoreScale disk DIR MB [F]     train from the store DIR
//   StoreScale memory MB [F]       the same simulations in memory (AppendSimulations of θ, x arrays), trained
using System.Diagnostics;
using System.Globalization;
using NeuroNative.Inference;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
const int Chunk = SimulationStore.DefaultChunkSize, Seed = 1;

int Features(string[] a, int i) => a.Length > i ? int.Parse(a[i], CultureInfo.InvariantCulture) : 1000;
int Rows(string mb, int f) => (int)(double.Parse(mb, CultureInfo.InvariantCulture) * 1e6 / (4.0 * f) / Chunk) * Chunk;
SimulationPlan Plan(int rows, int f) =>
    SimulationStore.Plan(new Dictionary<string, string> { ["model"] = "StoreScale synthetic", ["seed"] = $"{Seed}" }, rows, Chunk, 2, f);

double[,] Theta(int k, int rows)
{
    var rng = new Random(SimulationStore.ChunkSeed(Seed, k));
    var t = new double[rows, 2];
    for (int i = 0; i < rows; i++) for (int j = 0; j < 2; j++) t[i, j] = -3 + 6 * rng.NextDouble();
    return t;
}

double[,] Simulate(double[,] theta, int f)
{
    int rows = theta.GetLength(0);
    var rng = new Random((int)BitConverter.DoubleToInt64Bits(theta[0, 0]) ^ rows);
    var x = new double[rows, f];
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < f; j++)
        {
            double z = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            x[i, j] = j < 2 ? theta[i, j] + 0.3 * z : z;
        }
    return x;
}

void Train(Action<NeuralInference> append, string what, int rows, int f)
{
    TorchRuntime.EnsureLoaded(1);
    var clock = Stopwatch.StartNew();
    var inference = new NeuralInference(InferenceMethod.SNPE, EstimatorKind.Mdn, new BoxUniformPrior(["a", "b"], [-3.0, -3.0], [3.0, 3.0]), Seed,
        new EstimatorOptions { HiddenFeatures = 32, NumComponents = 4 }, new TrainingOptions { MaxEpochs = 1 });
    append(inference);
    double load = clock.Elapsed.TotalSeconds;
    var summary = inference.Train();
    var draws = inference.BuildPosterior([0.5, -0.4, .. new double[f - 2]]).Sample(1000, seed: 1);
    double mean0 = Enumerable.Range(0, 1000).Average(i => draws[i, 0]);
    string hwm = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:"));
    Console.WriteLine($"{what}: {rows} simulations x {f} features ({rows * (double)f * 4 / 1e6:F0} MB of x), load {load:F1} s, " +
        $"train {summary.Elapsed.TotalSeconds:F1} s (1 epoch, validation loss {summary.BestValidationLoss:F3}), total {clock.Elapsed.TotalSeconds:F1} s, " +
        $"posterior mean a {mean0:F3}, peak RSS {long.Parse(hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024} MB");
}

switch (args)
{
    case ["write", var dir, var mb, ..]:
    {
        int f = Features(args, 3), rows = Rows(mb, f);
        var clock = Stopwatch.StartNew();
        var run = SimulationStore.Simulate(dir, Plan(rows, f), Theta, t => Simulate(t, f));
        Console.WriteLine($"write: {rows} simulations in {run.ShardChunks} chunks ({run.Simulated} simulated) in {clock.Elapsed.TotalSeconds:F1} s");
        break;
    }
    case ["disk", var dir, var mb, ..]:
    {
        int f = Features(args, 3), rows = Rows(mb, f);
        Train(ni => ni.AppendSimulations(SimulationStore.Open([dir], Plan(rows, f))), "from disk", rows, f);
        break;
    }
    case ["memory", var mb, ..]:
    {
        int f = Features(args, 2), rows = Rows(mb, f);
        var theta = new double[rows, 2];
        var x = new double[rows, f];
        for (int k = 0; k < rows / Chunk; k++)
        {
            var t = Theta(k, Chunk);
            var xs = Simulate(t, f);
            for (int i = 0; i < Chunk; i++)
            {
                for (int j = 0; j < 2; j++) theta[k * Chunk + i, j] = t[i, j];
                for (int j = 0; j < f; j++) x[k * Chunk + i, j] = xs[i, j];
            }
        }
        Train(ni => ni.AppendSimulations(theta, x), "in memory", rows, f);
        break;
    }
    default:
        Console.Error.WriteLine("usage: StoreScale write DIR MB [F] | disk DIR MB [F] | memory MB [F]");
        return 2;
}
return 0;
