using NeuroNative.Experiments;
using NeuroNative.Explorations;
using Xunit;

namespace NeuroNative.Tests.Explorations;

/// <summary>The conventions of PyRates and TVB-O that differ from Brian's: heun, sampling and cutoff, inputs.</summary>
public class ExplorationSemanticsTests
{
    private static Dynamics Decay() => new Dynamics("decay").AddParameter("k", 1.0).AddStateVariable("x", "-k*x + t", 1.0);

    [Fact]
    public void HeunIsThePredictorCorrector()
    {
        // x' = -k x + t from x = 1, dt = 0.1: Heun's step x + dt/2 (f(x, t) + f(x + dt f(x, t), t + dt)).
        var experiment = new SimulationExperiment(Decay()) { Integration = new Integration { Method = "heun", StepSize = 0.1, Duration = 1 } };
        var result = experiment.Run()[SimulationExperiment.DefaultExploration];
        double x = 1, t = 0;
        for (int k = 0; k < 10; k++)
        {
            Assert.Equal(x, result.Results[0, k, 0], 1e-15);
            double f1 = -x + t, f2 = -(x + 0.1 * f1) + (t + 0.1);
            x += 0.1 / 2 * (f1 + f2);
            t = (k + 1) * 0.1;
        }
        Assert.Equal("explicit_heun", experiment.Run().Runs[0].Experiment.Program.MethodName);
    }

    [Fact]
    public void SamplesAreAtTheStartOfEverySampledStepAndTheCutoffDropsTheFirst()
    {
        var experiment = new SimulationExperiment(Decay())
        {
            Integration = new Integration { StepSize = 0.01, Duration = 50 },
            Outputs = new OutputSpec { SamplingStep = 0.1, Cutoff = 10 },
        };
        var result = experiment.Run()[SimulationExperiment.DefaultExploration];
        Assert.Equal(400, result.Samples); // round(50/0.1) = 500 samples at 0, 0.1, ..., 49.9, the first 100 dropped
        Assert.Equal(10.0, result.Time[0], 1e-12);
        Assert.Equal(49.9, result.Time[^1], 1e-9);
        Assert.Equal(0.1, result.Dt);
    }

    [Fact]
    public void LogRangesAreGeomspaceAndZipPairsValues()
    {
        var dynamics = Decay().AddParameter("m", 0);
        var experiment = new SimulationExperiment(dynamics) { Integration = new Integration { StepSize = 0.1, Duration = 1 } };
        experiment.Explorations.Add(new Exploration("log", [new ExploredParameter("k", ParameterDomain.Range(0.01, 100, 5, ParameterScale.Log))]));
        experiment.Explorations.Add(new Exploration("zip",
            [new ExploredParameter("k", ParameterDomain.List(1, 2, 3)), new ExploredParameter("m", ParameterDomain.List(4, 5, 6))], SweepMode.Zip));
        var result = experiment.Run();
        Assert.Equal([0.01, 0.1, 1, 10, 100], result["log"].Axes[0].ExploredValues.Select(v => Math.Round(v, 12)));
        Assert.Equal(3, result["zip"].Conditions);
        Assert.Equal(5.0, result["zip"].ConditionValues[1]["m"]);
        Assert.Equal(2.0, result["zip"].ConditionValues[1]["k"]);
    }

    [Fact]
    public void SharedNoiseIsOneSeriesForAllConditionsAndPerConditionNoiseIsNot()
    {
        var dynamics = new Dynamics("driven").AddParameter("g", 1).AddStateVariable("x", "g*u - x", 0);
        SimulationExperiment Experiment(bool perCondition, ulong seed)
        {
            var e = new SimulationExperiment(dynamics) { Integration = new Integration { StepSize = 0.01, Duration = 5 }, Seed = seed };
            e.Explorations.Add(new Exploration("g", [new ExploredParameter("g", ParameterDomain.List(1, 1))]));
            e.Inputs["u"] = new NoiseInput(NoiseKind.Uniform, 120, 320, perCondition);
            return e;
        }
        var shared = Experiment(false, 7).Run()["g"];
        Assert.Equal(shared.TimeSeries(0, "x").ToArray(), shared.TimeSeries(1, "x").ToArray());
        Assert.InRange(shared.Summaries[0].Outputs["x"].Mean, 150, 290);
        var own = Experiment(true, 7).Run()["g"];
        Assert.NotEqual(own.TimeSeries(0, "x").ToArray(), own.TimeSeries(1, "x").ToArray());
        Assert.Equal(own.TimeSeries(1, "x").ToArray(), Experiment(true, 7).Run()["g"].TimeSeries(1, "x").ToArray());
        Assert.NotEqual(shared.TimeSeries(0, "x").ToArray(), Experiment(false, 8).Run()["g"].TimeSeries(0, "x").ToArray());
    }

    [Fact]
    public void AnInputReplacesTheParameterOfItsName()
    {
        var dynamics = new Dynamics("d").AddParameter("u", 5).AddStateVariable("x", "u", 0);
        var constant = new SimulationExperiment(dynamics) { Integration = new Integration { StepSize = 0.5, Duration = 2 } };
        Assert.Equal(7.5, constant.Run()[SimulationExperiment.DefaultExploration].Results[0, 3, 0], 1e-12);
        var driven = new SimulationExperiment(dynamics) { Integration = new Integration { StepSize = 0.5, Duration = 2 } };
        driven.Inputs["u"] = new ArrayInput([1, 2, 3, 4], 1);
        Assert.Equal(3.0, driven.Run()[SimulationExperiment.DefaultExploration].Results[0, 3, 0], 1e-12); // 0.5*(1+2+3)
    }

    [Fact]
    public void MistakesNameTheirDeclaration()
    {
        var experiment = new SimulationExperiment(Decay()) { Outputs = new OutputSpec { Cutoff = 1000 } };
        var e = Assert.Throws<ExplorationException>(() => experiment.Run());
        Assert.Equal("outputs.cutoff", e.Key);
        var bad = new SimulationExperiment(new Dynamics("b").AddStateVariable("x", "y*x"));
        Assert.Contains("'y' is used in the equations of b but is neither declared nor given as an input",
            Assert.Throws<ExplorationException>(() => bad.Run()).Message);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => new Dynamics().AddParameter("t", 1)).Message);
    }
}

public class SeriesSummaryTests
{
    [Theory]
    [InlineData(100, 0.5, 0.25, 0.25)]        // N = 128: bins k/64, 0.25 is bin 16
    [InlineData(100, 0.5, 0.3, 19.0 / 64)]    // the nearest bin below: 19/64
    [InlineData(9000, 1e-3, 10.8, 177 / 16.384)] // N = 16384: 10.8 Hz is nearest bin 177 (Jansen-Rit's alpha rhythm)
    public void TheDominantFrequencyIsTheStrongestBinOfThePaddedSpectrum(int m, double ds, double f, double expected)
    {
        var x = Enumerable.Range(0, m).Select(j => 3 + Math.Sin(2 * Math.PI * f * j * ds) + 0.3 * Math.Sin(2 * Math.PI * 3.7 * f * j * ds)).ToArray();
        Assert.Equal(expected, SeriesSummary.Of(x, ds).DominantFrequency, 1e-12);
        var s = SeriesSummary.Of(x, ds);
        Assert.Equal(x.Max() - x.Min(), s.PeakToPeak, 1e-12);
        Assert.Equal(0, SeriesSummary.Of(Enumerable.Repeat(2.0, 50).ToArray(), ds).DominantFrequency);
        Assert.True(double.IsNaN(SeriesSummary.Of([1, double.NaN, 2], ds).Mean));
    }
}
