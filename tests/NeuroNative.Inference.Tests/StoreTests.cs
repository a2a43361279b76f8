using NeuroNative.Cli;
using NeuroNative.Experiments;

namespace NeuroNative.Inference.Tests;

/// <summary>Simulations stored in chunks on disk (SimulationStore): training from them equals training in memory,
/// shards joined equal one run, damaged or incomplete stores are errors naming the file, an interrupted store resumes.</summary>
public sealed class StoreTests : IDisposable
{
    const int N = 1000, Chunk = 250, Seed = 7;
    readonly string root = Path.Combine(Path.GetTempPath(), $"nn-store-{Environment.ProcessId}-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, true);
    }

    static SimulationPlan Plan(int seed = Seed) =>
        SimulationStore.Plan(new Dictionary<string, string> { ["model"] = "gaussian toy", ["seed"] = $"{seed}" }, N, Chunk, 2, 2);

    /// <summary>Chunk k's θ: prior draws seeded by (seed, k) only.</summary>
    static double[,] Theta(int k, int rows, int seed = Seed) => GaussianToy.PriorDraws(rows, SimulationStore.ChunkSeed(seed, k));

    /// <summary>The toy's x, its noise seeded by the chunk's first θ (a function of the chunk alone).</summary>
    static double[,] Features(double[,] theta) => GaussianToy.Simulate(theta, (int)BitConverter.DoubleToInt64Bits(theta[0, 0])).x;

    string Simulate(string name, Shard? shard = null, Func<double[,], double[,]>? features = null)
    {
        string dir = Path.Combine(root, name);
        SimulationStore.Simulate(dir, Plan(), (k, n) => Theta(k, n), features ?? Features, shard);
        return dir;
    }

    static double[,] Draws(Action<NeuralInference> append)
    {
        TorchRuntime.EnsureLoaded(2);
        var inference = new NeuralInference(InferenceMethod.SNPE, EstimatorKind.Mdn, GaussianToy.Prior(), seed: 3, GaussianToy.Small,
            GaussianToy.Quick with { MaxEpochs = 8 });
        append(inference);
        inference.Train();
        return inference.BuildPosterior(GaussianToy.Observation).Sample(300, seed: 5);
    }

    [Fact]
    public void TrainingFromTheStoreGivesTheDrawsOfTrainingInMemory()
    {
        string dir = Simulate("one");
        var theta = new double[N, 2];
        var x = new double[N, 2];
        for (int k = 0; k < N / Chunk; k++)
        {
            var (t, xs) = (Theta(k, Chunk), Features(Theta(k, Chunk)));
            for (int i = 0; i < Chunk; i++)
                for (int j = 0; j < 2; j++) (theta[k * Chunk + i, j], x[k * Chunk + i, j]) = (t[i, j], xs[i, j]);
        }
        var memory = Draws(ni => ni.AppendSimulations(theta, x, blockSize: Chunk));
        var stored = Draws(ni => ni.AppendSimulations(SimulationStore.Open([dir], Plan(), (k, n) => Theta(k, n))));
        Assert.Equal(memory, stored);
        // And it learnt the toy's posterior N(x_o, 0.09 I) roughly (8 epochs of 900 simulations).
        var m = GaussianToy.Moments(stored);
        for (int j = 0; j < 2; j++) Assert.InRange(m[j].mean, GaussianToy.Observation[j] - 0.3, GaussianToy.Observation[j] + 0.3);
    }

    [Fact]
    public void TwoShardsJoinedHoldTheFilesOfOneRun()
    {
        string whole = Simulate("whole"), a = Simulate("a", new Shard(0, 2)), b = Simulate("b", new Shard(1, 2));
        for (int k = 0; k < N / Chunk; k++)
        {
            string shard = k % 2 == 0 ? a : b;
            Assert.Equal(File.ReadAllBytes(SimulationStore.ThetaPath(whole, k)), File.ReadAllBytes(SimulationStore.ThetaPath(shard, k)));
            Assert.Equal(File.ReadAllBytes(SimulationStore.XPath(whole, k)), File.ReadAllBytes(SimulationStore.XPath(shard, k)));
            Assert.False(File.Exists(SimulationStore.ThetaPath(k % 2 == 0 ? b : a, k)), $"chunk {k} simulated by both shards");
        }
        var joined = SimulationStore.Open([a, b], Plan(), (k, n) => Theta(k, n));
        Assert.Equal((N, N / Chunk), (joined.Count, joined.Chunks));
        Assert.Equal(Draws(ni => ni.AppendSimulations(SimulationStore.Open([whole], Plan()))), Draws(ni => ni.AppendSimulations(joined)));
    }

    [Fact]
    public void MissingDuplicatedDamagedOrForeignChunksAreErrorsNamingTheFile()
    {
        string whole = Simulate("whole"), a = Simulate("a", new Shard(0, 2));
        var e = Assert.Throws<InferenceException>(() => SimulationStore.Open([a], Plan()));
        Assert.Contains("chunk 1 (theta_000001.npy, x_000001.npy) is in none of", e.Message);
        e = Assert.Throws<InferenceException>(() => SimulationStore.Open([a, whole], Plan()));
        Assert.Contains($"chunk 0 is in two stores: {SimulationStore.ThetaPath(a, 0)} and {SimulationStore.ThetaPath(whole, 0)}", e.Message);
        e = Assert.Throws<InferenceException>(() => SimulationStore.Open([whole], Plan(seed: 8)));
        Assert.Contains(Path.Combine(whole, ".neuronative", "catalog.db"), e.Message);
        Assert.Contains("seed: '7' in the store, '8' expected", e.Message);
        e = Assert.Throws<InferenceException>(() => SimulationStore.Open([whole], Plan(), (k, n) => Theta(k, n, seed: 8)));
        Assert.Contains($"{SimulationStore.ThetaPath(whole, 0)}: θ is not chunk 0's seeded draws", e.Message);
        e = Assert.Throws<InferenceException>(() => SimulationStore.Open([Path.Combine(root, "nowhere")], Plan()));
        Assert.Contains("not a simulation store", e.Message);

        string x2 = SimulationStore.XPath(whole, 2);
        var bytes = File.ReadAllBytes(x2);
        bytes[^1] ^= 1;
        File.WriteAllBytes(x2, bytes);
        e = Assert.Throws<InferenceException>(() => SimulationStore.Open([whole], Plan()));
        Assert.Contains($"{SimulationStore.ThetaPath(whole, 2)}, {x2}: the files do not match the catalog's checksum", e.Message);
        bytes[^1] ^= 1;
        File.WriteAllBytes(x2, bytes);
        File.Delete(SimulationStore.ThetaPath(whole, 3));
        e = Assert.Throws<InferenceException>(() => SimulationStore.Open([whole], Plan()));
        Assert.Contains($"{SimulationStore.ThetaPath(whole, 3)} is missing", e.Message);
        // Simulating into a store of another plan is refused, naming its catalog.
        e = Assert.Throws<InferenceException>(() => SimulationStore.Simulate(whole, Plan(seed: 8), (k, n) => Theta(k, n, 8), Features));
        Assert.Contains("catalog.db: holds other simulations (seed:", e.Message);
    }

    [Fact]
    public void ResumingResimulatesOnlyTheMissingChunkWithTheSameBytes()
    {
        string dir = Simulate("resume");
        var before = Enumerable.Range(0, N / Chunk).Select(k => File.ReadAllBytes(SimulationStore.XPath(dir, k))).ToList();
        File.Delete(SimulationStore.XPath(dir, 2));
        int calls = 0;
        var run = SimulationStore.Simulate(dir, Plan(), (k, n) => Theta(k, n), t => { calls++; return Features(t); });
        Assert.Equal((1, N / Chunk - 1, 1), (run.Simulated, run.Reused, calls));
        for (int k = 0; k < N / Chunk; k++) Assert.Equal(before[k], File.ReadAllBytes(SimulationStore.XPath(dir, k)));
    }

    [Fact]
    public void ShardedCommandsTrainToTheDrawsOfOneCommand()
    {
        string examples = Path.Combine(AppContext.BaseDirectory, "examples");
        string yaml = File.ReadAllText(Path.Combine(examples, "infer_hh.yaml"))
            .Replace("n_samples: 15000", "n_samples: 300").Replace("n_draws: 10000", "n_draws: 100")
            .Replace("seed: 1", "seed: 1\n  max_epochs: 3\n  sbc_simulations: 0");
        string file = Path.Combine(examples, $"store-{Environment.ProcessId}.yaml");   // beside the example: same data paths
        File.WriteAllText(file, yaml);
        try
        {
            string Run(params string[] args)
            {
                var (stdout, stderr) = (new StringWriter(), new StringWriter());
                int code = CliApp.Run(["infer", file, "--threads", "2", "--chunk-size", "100", .. args], stdout, stderr, CancellationToken.None);
                Assert.True(code == 0, $"{string.Join(" ", args)}: {stderr}");
                return stdout.ToString();
            }
            string one = Path.Combine(root, "one"), s0 = Path.Combine(root, "s0"), s1 = Path.Combine(root, "s1"), joined = Path.Combine(root, "joined");
            Run("--out", one);
            Assert.Contains("shard 0/2: 2 chunks of round 1", Run("--out", s0, "--shard", "0/2"));
            Run("--out", s1, "--shard", "1/2");
            Assert.Equal(["theta_000000.npy", "theta_000002.npy", "x_000000.npy", "x_000002.npy"],
                Directory.GetFiles(Path.Combine(s0, "simulations", "round_1"), "*.npy").Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Run("--out", joined, "--simulations", s0, s1);
            Assert.Equal(File.ReadAllBytes(Path.Combine(one, "samples.npy")), File.ReadAllBytes(Path.Combine(joined, "samples.npy")));
        }
        finally { File.Delete(file); }
    }
}
