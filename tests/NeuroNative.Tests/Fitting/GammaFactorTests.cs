using System.Globalization;
using NeuroNative.Fitting;
using Xunit;

namespace NeuroNative.Tests.Fitting;

/// <summary>GammaFactor against brian2modelfitting's own get_gamma_factor (tests/data/gamma_factor, PROVENANCE.md).</summary>
public class GammaFactorTests
{
    [Fact]
    public void TheErrorIsBrian2ModelfittingsOnEveryReferenceCase()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "data", "gamma_factor", "cases.csv")).Skip(1).ToArray();
        Assert.Equal(112, lines.Length);
        static double[] Train(string field) =>
            [.. field.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
        foreach (string line in lines)
        {
            var f = line.Split(',');
            double delta = double.Parse(f[1], CultureInfo.InvariantCulture), tStart = double.Parse(f[3], CultureInfo.InvariantCulture);
            double expected = double.Parse(f[4], CultureInfo.InvariantCulture);
            var (data, model) = (Train(f[5]), Train(f[6]));
            var metric = new GammaFactor(delta, time: 1, tStart: tStart, rateCorrection: f[2] == "1");
            double error = metric.PerTrace([model], [model.Length], [data], 1e-4)[0];
            Assert.True(Math.Abs(error - expected) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"case {f[0]}, delta {delta}, rate {f[2]}, t_start {tStart}: {error} vs {expected}");
        }
    }

    [Fact]
    public void TheExactCountEntersTheRatesWhenTheCapacityIsReached()
    {
        double[] data = [0.1, 0.2, 0.3, 0.4];
        var metric = new GammaFactor(2e-3, 1);
        // The same first spikes, but the neuron spiked 8 times in all: the model rate is twice the data's.
        double full = metric.Error([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], 8, data, 1e-4);
        Assert.Equal(full, metric.PerTrace([[0.1, 0.2, 0.3, 0.4]], [8], [data], 1e-4)[0], 1e-12);
        Assert.Equal(0, metric.PerTrace([data], [4], [data], 1e-4)[0]);
    }
}
