using NeuroNative.Experiments;
using NeuroNative.Inference;

namespace NeuroNative.Inference.Tests;

/// <summary>The Inferencer on the SBI tutorial's HH model (examples/infer_hh.yaml), small: its errors, and one short
/// run through InferRunner to the files of <c>neuronative infer</c>. The full-size run is benchmarks/inference/hh_sbi.sh.</summary>
public class InferencerTests
{
    static readonly string Examples = Path.Combine(AppContext.BaseDirectory, "examples");

    static InferJob Job(Func<string, string>? edit = null, int nSamples = 400)
    {
        string yaml = File.ReadAllText(Path.Combine(Examples, "infer_hh.yaml"))
            .Replace("n_samples: 15000", $"n_samples: {nSamples}").Replace("n_draws: 10000", "n_draws: 500");
        yaml = yaml.Replace("seed: 1", "seed: 1\n  max_epochs: 5\n  sbc_simulations: 20");
        return InferFile.Parse(edit?.Invoke(yaml) ?? yaml, "infer_hh.yaml", Examples);
    }

    static Inferencer Create(InferJob job, IReadOnlyList<SummaryFeature>? features = null)
    {
        TorchRuntime.EnsureLoaded(2);
        return new Inferencer(job.Model, job.Input, job.Observation,
            new InferencerSettings { Dt = job.Dt, ParamInit = job.ParamInit, Threads = 2, BatchSize = 200 }, features ?? InferRunner.Features(job));
    }

    [Fact]
    public void RunWritesPosteriorSamplesSummaryAndFigures()
    {
        var job = Job();
        var report = InferRunner.Run(job, new InferRunSettings { Threads = 2 });
        string dir = Path.Combine(Path.GetTempPath(), $"nn-infer-{Environment.ProcessId}");
        try
        {
            using (report.Inferencer)
            {
                var files = InferRunner.Write(report, dir);
                Assert.Equal(["posterior.nnpost", "samples.npy", "summary.json", "pairplot.png", "sbc.png"], files);
                var shape = Npy.ReadHeader(File.ReadAllBytes(Path.Combine(dir, "samples.npy"))).Shape;
                Assert.Equal([500L, 2L], shape);
                string summary = File.ReadAllText(Path.Combine(dir, "summary.json"));
                Assert.Contains("\"g_Na\"", summary);
                Assert.Contains("\"lower95\"", summary);
                // Every draw lies in the prior's box.
                for (int i = 0; i < report.Samples.GetLength(0); i++)
                {
                    Assert.InRange(report.Samples[i, 0], 1e-6, 100e-6);
                    Assert.InRange(report.Samples[i, 1], 0.1e-6, 10e-6);
                }
                // The saved posterior is the model's, and reloads with the same draws.
                var loaded = Posterior.Load(Path.Combine(dir, "posterior.nnpost"), report.Inferencer.Model);
                Assert.Equal(report.Posterior.Sample(50, seed: 3), loaded.Sample(50, seed: 3));
                var traces = report.Inferencer.GenerateTraces(2, seed: 1);
                Assert.Equal(2, traces.Length);
                Assert.Equal(job.Observation["v"].Samples, traces[0][0].Length);
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void PriorMustNameConstantParametersWithOrderedBounds()
    {
        using var inferencer = Create(Job());
        var e = Assert.Throws<InferenceException>(() => inferencer.InitPrior([new("g_X", (1e-6, 2e-6))]));
        Assert.Contains("g_X", e.Message);
        e = Assert.Throws<InferenceException>(() => inferencer.InitPrior([new("g_Na", (2e-6, 1e-6))]));
        Assert.Contains("lower < upper", e.Message);
    }

    [Fact]
    public void FeatureReturningNaNNamesFeatureAndSimulation()
    {
        var job = Job();
        // Undefined on silent traces: the observation spikes, small g_Na from the prior does not.
        var features = new List<SummaryFeature> { new("max", v => v.Max()), new("broken", v => v.Max() < 0 ? double.NaN : 0) };
        using var inferencer = Create(job, features);
        inferencer.InitPrior(job.Prior);
        var theta = inferencer.GenerateTrainingData(50, seed: 1);
        var e = Assert.Throws<InferenceException>(() => inferencer.ExtractFeatures(theta));
        Assert.Contains("'broken'", e.Message);
        Assert.Contains("simulation", e.Message);
        Assert.Contains("g_Na=", e.Message);
    }

    [Fact]
    public void FileErrorsNameTheKey()
    {
        var e = Assert.Throws<ExperimentException>(() => Job(y => y.Replace("g_K: [0.1*uS, 10*uS]", "g_K: [10*uS, 0.1*uS]")));
        Assert.Contains("infer.prior.g_K", e.Message);
        e = Assert.Throws<ExperimentException>(() => Job(y => y.Replace("g_K: [0.1*uS", "E_x: [0.1*uS")));
        Assert.Contains("not a constant parameter", e.Message);
        e = Assert.Throws<ExperimentException>(() => Job(y => y.Replace("estimator: maf", "estimator: mlp")));
        Assert.Contains("density estimator", e.Message);
        e = Assert.Throws<ExperimentException>(() => Job(y => y.Replace("features: default", "features: [max, nonsense]")));
        Assert.Contains("nonsense", e.Message);
    }

    [Fact]
    public void LoadingAPosteriorOfAnotherModelIsRefused()
    {
        var job = Job();
        using var inferencer = Create(job);
        inferencer.InitPrior(job.Prior);
        var theta = inferencer.GenerateTrainingData(100, seed: 1);
        var x = inferencer.ExtractFeatures(theta);
        var posterior = inferencer.InferStep(theta, x, job.Options, fromProposal: false);
        string path = Path.Combine(Path.GetTempPath(), $"nn-infer-model-{Environment.ProcessId}.nnpost");
        try
        {
            posterior.Save(path);
            var other = Job(y => y.Replace("g_l: 10*nS", "g_l: 20*nS"));
            using var second = Create(other);
            var e = Assert.Throws<InferenceException>(() => second.LoadPosterior(path));
            Assert.Contains("another model", e.Message);
            inferencer.LoadPosterior(path);
        }
        finally { File.Delete(path); }
    }
}
