using NeuroNative.Inference;

namespace NeuroNative.Inference.Tests;

public class PosteriorTests
{
    static NeuralInference Trained(InferenceMethod method, EstimatorKind kind, int seed = 3)
    {
        TorchRuntime.EnsureLoaded(2);
        var inference = new NeuralInference(method, kind, GaussianToy.Prior(), seed, GaussianToy.Small, GaussianToy.Quick with { MaxEpochs = 15 });
        var (theta, x) = GaussianToy.Simulate(GaussianToy.PriorDraws(600, 1), 2);
        inference.AppendSimulations(theta, x);
        inference.Train();
        return inference;
    }

    [Fact]
    public void SameSeedSameSamples()
    {
        var a = Trained(InferenceMethod.SNPE, EstimatorKind.Maf).BuildPosterior(GaussianToy.Observation).Sample(200, seed: 9);
        var b = Trained(InferenceMethod.SNPE, EstimatorKind.Maf).BuildPosterior(GaussianToy.Observation).Sample(200, seed: 9);
        Assert.Equal(a, b);
    }

    [Theory]
    [InlineData(InferenceMethod.SNPE, EstimatorKind.Nsf)]
    [InlineData(InferenceMethod.SNLE, EstimatorKind.Mdn)]
    [InlineData(InferenceMethod.SNRE, EstimatorKind.Linear)]
    public void SaveLoadRoundTripGivesIdenticalSamples(InferenceMethod method, EstimatorKind kind)
    {
        var posterior = Trained(method, kind).BuildPosterior(GaussianToy.Observation, new McmcOptions { WarmupSteps = 20 });
        posterior = posterior.WithObservation(GaussianToy.Observation);
        string path = Path.Combine(Path.GetTempPath(), $"nn-posterior-{method}-{kind}-{Environment.ProcessId}.nnpost");
        try
        {
            posterior.Save(path);
            var loaded = Posterior.Load(path);
            Assert.Equal(method, loaded.Method);
            Assert.Equal(kind, loaded.Estimator);
            Assert.Equal(posterior.Sample(100, seed: 4), loaded.Sample(100, seed: 4));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void LoadRefusesAnotherModel()
    {
        var posterior = Trained(InferenceMethod.SNPE, EstimatorKind.Mdn).BuildPosterior(GaussianToy.Observation);
        posterior.Model = "model A";
        string path = Path.Combine(Path.GetTempPath(), $"nn-posterior-model-{Environment.ProcessId}.nnpost");
        try
        {
            posterior.Save(path);
            var e = Assert.Throws<InferenceException>(() => Posterior.Load(path, "model B"));
            Assert.Contains("another model", e.Message);
            File.WriteAllText(path, "not a posterior");
            e = Assert.Throws<InferenceException>(() => Posterior.Load(path));
            Assert.Contains("not a NeuroNative posterior", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void MultiRoundSnpeWithAtomicLossFocusesOnObservation()
    {
        TorchRuntime.EnsureLoaded(2);
        var inference = new NeuralInference(InferenceMethod.SNPE, EstimatorKind.Maf, GaussianToy.Prior(), 3, GaussianToy.Small, GaussianToy.Quick);
        var (theta, x) = GaussianToy.Simulate(GaussianToy.PriorDraws(500, 1), 2);
        inference.AppendSimulations(theta, x);
        inference.Train();
        var proposal = inference.BuildPosterior(GaussianToy.Observation);
        var (theta2, x2) = GaussianToy.Simulate(proposal.Sample(500, seed: 7), 8);
        inference.AppendSimulations(theta2, x2, fromProposal: true);
        inference.Train();
        var m = GaussianToy.Moments(inference.BuildPosterior(GaussianToy.Observation).Sample(1000, seed: 5));
        for (int j = 0; j < 2; j++)
        {
            Assert.True(Math.Abs(m[j].mean - GaussianToy.Observation[j]) < 0.1, $"mean[{j}] = {m[j].mean:F3}");
            Assert.True(Math.Abs(m[j].std / GaussianToy.Sigma - 1) < 0.3, $"std[{j}] = {m[j].std:F3}");
        }
    }

    [Fact]
    public void ObservationOfWrongLengthOrNaNIsRefused()
    {
        var posterior = Trained(InferenceMethod.SNPE, EstimatorKind.Mdn).BuildPosterior();
        Assert.Throws<InferenceException>(() => posterior.Sample(10, x: new[] { 1.0 }));
        var e = Assert.Throws<InferenceException>(() => posterior.Sample(10, x: new[] { 1.0, double.NaN }));
        Assert.Contains("NaN", e.Message);
    }
}
