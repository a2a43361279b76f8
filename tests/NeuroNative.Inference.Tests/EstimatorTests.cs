using System.Diagnostics;
using NeuroNative.Inference;
using Xunit.Abstractions;

namespace NeuroNative.Inference.Tests;

public class EstimatorTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(EstimatorKind.Mdn)]
    [InlineData(EstimatorKind.Made)]
    [InlineData(EstimatorKind.Maf)]
    [InlineData(EstimatorKind.Nsf)]
    public void SnpeEstimatorRecoversGaussianPosterior(EstimatorKind kind)
    {
        var sw = Stopwatch.StartNew();
        // MADE is one autoregressive layer: it needs more data than the flows for the same accuracy.
        GaussianToy.Recover(InferenceMethod.SNPE, kind, simulations: kind == EstimatorKind.Made ? 5000 : 1500);
        output.WriteLine($"SNPE/{kind}: {sw.Elapsed.TotalSeconds:F1} s");
    }

    [Theory]
    [InlineData(InferenceMethod.SNLE, EstimatorKind.Maf)]
    [InlineData(InferenceMethod.SNRE, EstimatorKind.ResNet)]
    public void McmcMethodRecoversGaussianPosterior(InferenceMethod method, EstimatorKind kind)
    {
        var sw = Stopwatch.StartNew();
        // The classifiers' validation loss is noisy (random atoms): they need more patience than the flows.
        GaussianToy.Recover(method, kind, simulations: 2000,
            training: method == InferenceMethod.SNRE ? GaussianToy.Quick with { StopAfterEpochs = 20, MaxEpochs = 150 } : null);
        output.WriteLine($"{method}/{kind}: {sw.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void ClassifierKindMustMatchMethod()
    {
        var e = Assert.Throws<InferenceException>(() => new NeuralInference(InferenceMethod.SNPE, EstimatorKind.Mlp, GaussianToy.Prior()));
        Assert.Contains("density estimator", e.Message);
        e = Assert.Throws<InferenceException>(() => new NeuralInference(InferenceMethod.SNRE, EstimatorKind.Maf, GaussianToy.Prior()));
        Assert.Contains("classifier", e.Message);
    }

    [Fact]
    public void BoxPriorRejectsBadBounds()
    {
        var e = Assert.Throws<InferenceException>(() => new BoxUniformPrior(new[] { "g_Na" }, new[] { 2.0 }, new[] { 1.0 }));
        Assert.Contains("g_Na", e.Message);
    }
}
