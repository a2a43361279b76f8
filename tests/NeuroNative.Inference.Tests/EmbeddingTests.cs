using System.Diagnostics;
using System.Text;
using NeuroNative.Experiments;
using NeuroNative.Inference;
using Xunit.Abstractions;

namespace NeuroNative.Inference.Tests;

/// <summary>Embedding networks (sbi's embedding_net) on a high-dimensional x whose posterior is known, their files,
/// their errors, and <c>features: embedding</c> in an inference file.</summary>
public class EmbeddingTests(ITestOutputHelper output)
{
    /// <summary>A signal s_k = a + b·sin(2πk/50) + N(0, 3²), k = 0..199, θ = (a, b) uniform on [−3, 3]², seen as x by
    /// the means of <c>downsample</c> consecutive samples (<see cref="RawTraces"/>). Linear-Gaussian: the posterior at x_o
    /// is N((AᵀA)⁻¹Aᵀx_o, σ_x²(AᵀA)⁻¹) with A's columns the block means of 1 and of the sine (orthogonal: the sine sums
    /// to zero) and σ_x = 3/√downsample; the standard deviations are about 0.21 and 0.3, far inside the box for
    /// θ_o = (0.5, −0.4).</summary>
    static class SignalToy
    {
        public const int Samples = 200;
        public const double Noise = 3.0;
        static double Wave(int k) => Math.Sin(2 * Math.PI * k / 50);

        public static double[,] Simulate(double[,] theta, int seed, int downsample)
        {
            var blocks = RawTraces.Features(Samples, downsample);
            var rng = new Random(seed);
            int n = theta.GetLength(0);
            var x = new double[n, blocks.Count];
            var signal = new double[Samples];
            for (int i = 0; i < n; i++)
            {
                for (int k = 0; k < Samples; k++) signal[k] = theta[i, 0] + theta[i, 1] * Wave(k) + Noise * Normal(rng);
                for (int j = 0; j < blocks.Count; j++) x[i, j] = blocks[j].Compute(signal);
            }
            return x;
        }

        static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

        public static double[] Observation(int downsample)
        {
            var x = Simulate(new[,] { { 0.5, -0.4 } }, 99, downsample);
            return Enumerable.Range(0, x.GetLength(1)).Select(j => x[0, j]).ToArray();
        }

        /// <summary>The analytic posterior's means and standard deviations at <paramref name="x"/>.</summary>
        public static (double[] Mean, double[] Std) Truth(double[] x, int downsample)
        {
            var wave = Enumerable.Range(0, Samples).Select(Wave).ToArray();
            var w = RawTraces.Features(Samples, downsample).Select(f => f.Compute(wave)).ToArray();
            Assert.Equal(0, w.Sum(), 9);
            double sigma = Noise / Math.Sqrt(downsample), ww = w.Sum(v => v * v);
            return ([x.Average(), x.Zip(w, (a, b) => a * b).Sum() / ww], [sigma / Math.Sqrt(x.Length), sigma / Math.Sqrt(ww)]);
        }
    }

    static readonly TrainingOptions Quick = GaussianToy.Quick;

    /// <summary>One LibTorch thread: the networks are small, and on a loaded machine a second thread's barrier made the
    /// cnn case 9 times slower (docs/inference.md).</summary>
    static NeuralInference Trained(InferenceMethod method, EstimatorKind kind, EmbeddingOptions embedding, int simulations,
                                   TrainingOptions training, int downsample = 2)
    {
        TorchRuntime.EnsureLoaded(1);
        var inference = new NeuralInference(method, kind, GaussianToy.Prior(), seed: 3,
            GaussianToy.Small with { Embedding = embedding }, training);
        var theta = GaussianToy.PriorDraws(simulations, 1);
        inference.AppendSimulations(theta, SignalToy.Simulate(theta, 2, downsample));
        inference.Train();
        return inference;
    }

    /// <summary>fc sees blocks of 4 samples (50 inputs), cnn blocks of 2 (100): on the raw 200 samples fc's first layer
    /// (50 weights per input) fits the noise of 2,000 simulations within 7 epochs (validation loss 0.29 against 0.05,
    /// mean of a 0.5σ off); the cnn shares its weights along the trace.</summary>
    [Theory]
    [InlineData(EmbeddingKind.Fc, 4)]
    [InlineData(EmbeddingKind.Cnn, 2)]
    public void SnpeWithEmbeddingRecoversTheSignalsPosterior(EmbeddingKind kind, int downsample)
    {
        var sw = Stopwatch.StartNew();
        var xo = SignalToy.Observation(downsample);
        var inference = Trained(InferenceMethod.SNPE, EstimatorKind.Maf, new EmbeddingOptions { Kind = kind, OutFeatures = 8 }, 3000, Quick, downsample);
        var m = GaussianToy.Moments(inference.BuildPosterior(xo).Sample(2000, seed: 5));
        var (mean, std) = SignalToy.Truth(xo, downsample);
        output.WriteLine($"SNPE/MAF + {kind}: {sw.Elapsed.TotalSeconds:F1} s; means {m[0].mean:F3}, {m[1].mean:F3} (truth {mean[0]:F3}, {mean[1]:F3}); " +
                         $"std {m[0].std:F3}, {m[1].std:F3} (truth {std[0]:F3}, {std[1]:F3})");
        for (int j = 0; j < 2; j++)
        {
            Assert.True(Math.Abs(m[j].mean - mean[j]) < 0.1, $"{kind}: mean[{j}] = {m[j].mean:F3}, expected {mean[j]:F3} ± 0.1");
            Assert.True(Math.Abs(m[j].std / std[j] - 1) < 0.3, $"{kind}: std[{j}] = {m[j].std:F3}, expected {std[j]:F3} ± 30 %");
        }
    }

    [Theory]
    [InlineData(InferenceMethod.SNPE, EstimatorKind.Maf, EmbeddingKind.Cnn)]
    [InlineData(InferenceMethod.SNRE, EstimatorKind.ResNet, EmbeddingKind.Fc)]
    public void SaveLoadRoundTripKeepsTheEmbedding(InferenceMethod method, EstimatorKind kind, EmbeddingKind embedding)
    {
        var options = new EmbeddingOptions { Kind = embedding, OutFeatures = 6, HiddenFeatures = 16 };
        var posterior = Trained(method, kind, options, 300, Quick with { MaxEpochs = 3 })
            .BuildPosterior(SignalToy.Observation(2), new McmcOptions { WarmupSteps = 10, InitCandidates = 100 });
        string path = Path.Combine(Path.GetTempPath(), $"nn-embedding-{method}-{embedding}-{Environment.ProcessId}.nnpost");
        try
        {
            posterior.Save(path);
            var loaded = Posterior.Load(path);
            Assert.Equal(options, loaded.Embedding);
            Assert.Equal(posterior.Sample(100, seed: 4), loaded.Sample(100, seed: 4));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Version1FilesStillLoad()
    {
        TorchRuntime.EnsureLoaded(1);
        var inference = new NeuralInference(InferenceMethod.SNPE, EstimatorKind.Mdn, GaussianToy.Prior(), 3, GaussianToy.Small, Quick with { MaxEpochs = 5 });
        var (theta, x) = GaussianToy.Simulate(GaussianToy.PriorDraws(300, 1), 2);
        inference.AppendSimulations(theta, x);
        inference.Train();
        var posterior = inference.BuildPosterior(GaussianToy.Observation);
        string path = Path.Combine(Path.GetTempPath(), $"nn-embedding-v1-{Environment.ProcessId}.nnpost");
        try
        {
            posterior.Save(path);
            // Rewrite the header as version 1 wrote it: no embedding, the same weights after it.
            byte[] weights;
            string header;
            using (var r = new BinaryReader(File.OpenRead(path), Encoding.UTF8))
            {
                r.ReadString();
                header = r.ReadString();
                weights = r.ReadBytes((int)(r.BaseStream.Length - r.BaseStream.Position));
            }
            Assert.Contains("\"Version\":2", header);
            Assert.Contains("\"Embedding\":null", header);
            using (var w = new BinaryWriter(File.Create(path), Encoding.UTF8))
            {
                w.Write("NEURONATIVE-POSTERIOR");
                w.Write(header.Replace("\"Version\":2", "\"Version\":1").Replace(",\"Embedding\":null", ""));
                w.Write(weights);
            }
            var loaded = Posterior.Load(path);
            Assert.Null(loaded.Embedding);
            Assert.Equal(posterior.Sample(100, seed: 4), loaded.Sample(100, seed: 4));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void SnleRefusesAnEmbedding()
    {
        var e = Assert.Throws<InferenceException>(() => new NeuralInference(InferenceMethod.SNLE, EstimatorKind.Maf, GaussianToy.Prior(),
            estimatorOptions: new EstimatorOptions { Embedding = new EmbeddingOptions() }));
        Assert.Contains("SNLE", e.Message);
        Assert.Contains("embedding", e.Message);
    }

    [Theory]
    [InlineData(EmbeddingKind.Fc, 0, 2, 1, "embedding.out_features")]
    [InlineData(EmbeddingKind.Fc, 8, 1, 1, "embedding.layers")]
    [InlineData(EmbeddingKind.Cnn, 8, 9, 1, "embedding.layers")]
    [InlineData(EmbeddingKind.Cnn, 8, 2, 3, "embedding.channels")]
    public void BadEmbeddingOptionsNameTheOption(EmbeddingKind kind, int outFeatures, int layers, int channels, string option)
    {
        var o = new EmbeddingOptions { Kind = kind, OutFeatures = outFeatures, Layers = layers, Channels = channels };
        // Sizes are checked when the inference is made; the fit of x (100 blocks) when the network is built.
        var e = Assert.Throws<InferenceException>(() => Trained(InferenceMethod.SNPE, EstimatorKind.Maf, o, 20, Quick with { MaxEpochs = 1 }));
        Assert.Contains(option, e.Message);
    }

    static readonly string Examples = Path.Combine(AppContext.BaseDirectory, "examples");
    const string Block = "features: embedding\n  embedding: {kind: cnn, out_features: 8, hidden: 64, layers: 2, downsample: 10}";

    /// <summary>An example made small: 300 simulations, 3 epochs, 200 draws, no SBC.</summary>
    static InferJob Job(Func<string, string> edit, string example = "infer_hh.yaml")
    {
        string yaml = File.ReadAllText(Path.Combine(Examples, example))
            .Replace("n_samples: 15000", "n_samples: 300").Replace("n_samples: 5000", "n_samples: 300").Replace("n_draws: 10000", "n_draws: 200")
            .Replace("seed: 1", "seed: 1\n  max_epochs: 3\n  sbc_simulations: 0");
        return InferFile.Parse(edit(yaml), example, Examples);
    }

    [Fact]
    public void InferFileReadsTheEmbeddingBlock()
    {
        var job = Job(y => y.Replace("features: default", Block));
        Assert.Equal(new EmbeddingOptions { Kind = EmbeddingKind.Cnn, OutFeatures = 8, HiddenFeatures = 64, Layers = 2, Channels = 1 },
                     job.Options.EstimatorOptions.Embedding);
        Assert.Equal(10, job.Downsample);
        var features = InferRunner.Features(job);
        Assert.Equal(120, features.Count);                       // 1,200 samples of 0.05 ms in blocks of 10
        Assert.Equal("sample10", features[1].Name);
        Assert.Equal(14.5, features[1].Compute([.. Enumerable.Range(0, 1200).Select(i => (double)i)]));
        // Without a block: sbi's FCEmbedding, traces downsampled to at most 1,000 samples (here by 2).
        job = Job(y => y.Replace("features: default", "features: embedding"));
        Assert.Equal(new EmbeddingOptions(), job.Options.EstimatorOptions.Embedding);
        Assert.Equal(600, InferRunner.Features(job).Count);
    }

    [Theory]
    [InlineData("method: SNPE", "method: SNLE", "SNLE")]
    [InlineData("kind: cnn", "kind: rnn", "infer.embedding.kind")]
    [InlineData("layers: 2", "layers: 9", "infer.embedding.layers")]
    [InlineData("layers: 2", "depth: 2", "infer.embedding: unknown key 'depth'")]
    [InlineData("out_features: 8", "out_features: 0", "infer.embedding.out_features")]
    [InlineData("downsample: 10", "downsample: 2000", "infer.embedding.downsample")]
    [InlineData("features: embedding", "features: default", "needs 'features: embedding'")]
    public void FileErrorsNameTheEmbeddingKey(string from, string to, string expected)
    {
        var e = Assert.Throws<ExperimentException>(() => Job(y => y.Replace("features: default", Block).Replace(from, to)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ExampleRunsOnRawTracesToAReloadablePosterior()
    {
        var job = Job(y => y, "infer_hh_embedding.yaml");
        Assert.Equal(300, job.NSamples);
        var report = InferRunner.Run(job, new InferRunSettings { Threads = 2 });
        string dir = Path.Combine(Path.GetTempPath(), $"nn-embedding-run-{Environment.ProcessId}"), path = Path.Combine(dir, "posterior.nnpost");
        using (report.Inferencer)
        {
            Assert.Equal(120, report.Inferencer.FeatureNames.Count);
            Assert.Equal("v[0].sample0", report.Inferencer.FeatureNames[0]);
            // The observation's x is its voltage in volts, block by block.
            Assert.Equal(job.Observation["v"].Rows[0].Take(10).Average(), report.Inferencer.Observation[0], 12);
            for (int i = 0; i < report.Samples.GetLength(0); i++)
            {
                Assert.InRange(report.Samples[i, 0], 1e-6, 100e-6);
                Assert.InRange(report.Samples[i, 1], 0.1e-6, 10e-6);
            }
            try
            {
                InferRunner.Write(report, dir);
                using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
                var embedding = summary.RootElement.GetProperty("embedding");
                Assert.Equal("fc", embedding.GetProperty("kind").GetString());
                Assert.Equal(10, embedding.GetProperty("downsample").GetInt32());
                var loaded = Posterior.Load(path, report.Inferencer.Model);
                Assert.Equal(new EmbeddingOptions { Kind = EmbeddingKind.Fc, OutFeatures = 8, HiddenFeatures = 64, Layers = 2 }, loaded.Embedding);
                Assert.Equal(report.Posterior.Sample(50, seed: 3), loaded.Sample(50, seed: 3));
            }
            finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
        }
    }
}
