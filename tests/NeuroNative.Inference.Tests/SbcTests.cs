using NeuroNative.Inference;

namespace NeuroNative.Inference.Tests;

public class SbcTests
{
    /// <summary>On the Gaussian toy the trained posterior is close to the analytic one, so SBC finds uniform ranks
    /// (the check that the HH case's humped ranks, docs/inference.md, come from its estimator and not from SBC).</summary>
    [Fact]
    public void SbcFindsTheToyPosteriorCalibrated()
    {
        var posterior = GaussianToy.Recover(InferenceMethod.SNPE, EstimatorKind.Mdn);
        var (theta, x) = GaussianToy.Simulate(GaussianToy.PriorDraws(200, 11), 12);
        // θ at least 2σ inside the bounds: the truncated posteriors at the edges are where the small network is worst.
        var keep = Enumerable.Range(0, 200).Where(i => Math.Abs(theta[i, 0]) < 2.4 && Math.Abs(theta[i, 1]) < 2.4).ToArray();
        var t = new double[keep.Length, 2];
        var xs = new double[keep.Length, 2];
        for (int k = 0; k < keep.Length; k++) for (int j = 0; j < 2; j++) { t[k, j] = theta[keep[k], j]; xs[k, j] = x[keep[k], j]; }
        var sbc = Diagnostics.Sbc(posterior, t, xs, draws: 500, seed: 1);
        Assert.True(sbc.Calibrated(), $"p = {string.Join(", ", sbc.PValues)}");
    }
}
