using NeuroNative.Experiments;
using NeuroNative.Inference;

namespace NeuroNative.Inference.Tests;

/// <summary>Measurement noise (InferencerSettings.NoiseStd, the file's <c>noise:</c>): white, of the asked size, and a
/// function of the seed and θ only, so batches, chunks and shards of the same simulations agree.</summary>
public class NoiseTests
{
    static readonly string Examples = Path.Combine(AppContext.BaseDirectory, "examples");

    static InferJob Job(Func<string, string>? edit = null)
    {
        string yaml = File.ReadAllText(Path.Combine(Examples, "infer_hh.yaml"));
        return InferFile.Parse(edit?.Invoke(yaml) ?? yaml, "infer_hh.yaml", Examples);
    }

    // The raw samples 0, 1 and 600 (resting, then inside the stimulus) as features.
    static readonly SummaryFeature[] Samples = [new("s0", v => v[0]), new("s1", v => v[1]), new("s600", v => v[600])];

    static Inferencer Create(InferJob job, double noise, int batch, ulong seed = 1)
    {
        TorchRuntime.EnsureLoaded(2);
        var inferencer = new Inferencer(job.Model, job.Input, job.Observation, new InferencerSettings
        {
            Dt = job.Dt, ParamInit = job.ParamInit, Threads = 2, BatchSize = batch, NoiseStd = noise, NoiseSeed = seed,
        }, Samples);
        inferencer.InitPrior(job.Prior);
        return inferencer;
    }

    [Fact]
    public void NoiseIsWhiteOfTheGivenSizeAndKeyedBySeedAndTheta()
    {
        var job = Job();
        Assert.Equal(1e-3, job.NoiseStd, 15);
        using var clean = Create(job, 0, 100);
        var theta = clean.GenerateTrainingData(400, seed: 5);
        var x0 = clean.ExtractFeatures(theta);
        using var noisy = Create(job, 2e-3, 100);
        var x1 = noisy.ExtractFeatures(theta);
        int n = theta.GetLength(0);
        for (int f = 0; f < 3; f++)
        {
            var d = Enumerable.Range(0, n).Select(i => x1[i, f] - x0[i, f]).ToArray();
            double mean = d.Average(), sd = Math.Sqrt(d.Sum(e => (e - mean) * (e - mean)) / (n - 1));
            Assert.InRange(mean, -3 * 2e-3 / Math.Sqrt(n), 3 * 2e-3 / Math.Sqrt(n));
            Assert.InRange(sd, 2e-3 * 0.85, 2e-3 * 1.15);
        }
        // Samples 0 and 1 of a trace get independent noise.
        var d0 = Enumerable.Range(0, n).Select(i => x1[i, 0] - x0[i, 0]).ToArray();
        var d1 = Enumerable.Range(0, n).Select(i => x1[i, 1] - x0[i, 1]).ToArray();
        double r = d0.Zip(d1, (a, b) => a * b).Sum() / Math.Sqrt(d0.Sum(a => a * a) * d1.Sum(b => b * b));
        Assert.InRange(r, -0.2, 0.2);

        // Other batch sizes and an order of their own: each θ's features are the same numbers.
        using var other = Create(job, 2e-3, 37);
        var reversed = new double[n, 2];
        for (int i = 0; i < n; i++) for (int j = 0; j < 2; j++) reversed[i, j] = theta[n - 1 - i, j];
        var x2 = other.ExtractFeatures(reversed);
        for (int i = 0; i < n; i++) for (int f = 0; f < 3; f++) Assert.Equal(x1[i, f], x2[n - 1 - i, f]);

        // Another seed, other noise.
        using var reseeded = Create(job, 2e-3, 100, seed: 2);
        var x3 = reseeded.ExtractFeatures(theta);
        Assert.NotEqual(x1[0, 0], x3[0, 0]);
        // The posterior's model digest says the noise: a posterior trained without it is not this model's.
        Assert.NotEqual(clean.Model, noisy.Model);
    }

    [Fact]
    public void NoiseErrorsNameTheKey()
    {
        var e = Assert.Throws<ExperimentException>(() => Job(y => y.Replace("noise: {v: 1*mV}", "noise: {m: 0.1}")));
        Assert.Contains("infer.noise.m", e.Message);
        e = Assert.Throws<ExperimentException>(() => Job(y => y.Replace("noise: {v: 1*mV}", "noise: {v: 1*nA}")));
        Assert.Contains("infer.noise.v", e.Message);
        Assert.Contains("volt", e.Message);
        e = Assert.Throws<ExperimentException>(() => Job(y => y.Replace("noise: {v: 1*mV}", "noise: {v: -1*mV}")));
        Assert.Contains("0 or more", e.Message);
        Assert.Throws<InferenceException>(() => Create(Job(), double.NaN, 10));
    }
}

/// <summary>The inference simulations through the GPU backend's pipeline (docs/gpu.md), emulated on the host: the
/// same features as the CPU's, bit for bit, noise included.</summary>
public class GpuInferenceTests
{
    [Fact]
    public void EmulatedGpuSimulationsGiveTheCpusFeatures()
    {
        string examples = Path.Combine(AppContext.BaseDirectory, "examples");
        var job = InferFile.Load(Path.Combine(examples, "infer_hh.yaml"));
        TorchRuntime.EnsureLoaded(1);
        double[,] Features(Backend backend)
        {
            using var inferencer = new Inferencer(job.Model, job.Input, job.Observation, new InferencerSettings
            {
                Dt = job.Dt, ParamInit = job.ParamInit, Threads = 2, BatchSize = 64, NoiseStd = job.NoiseStd, Backend = backend,
                Gpu = new NeuroNative.Backends.Cuda.GpuOptions { Emulate = true },
            }, InferRunner.Features(job));
            inferencer.InitPrior(job.Prior);
            return inferencer.ExtractFeatures(inferencer.GenerateTrainingData(100, seed: 9));
        }
        var cpu = Features(Backend.Interpreted);
        Assert.Equal(cpu, Features(Backend.Cuda));
        Assert.True(Enumerable.Range(0, 100).Select(i => cpu[i, 4]).Distinct().Count() > 3, "the draws should spike differently");
    }
}
