using NeuroNative.Experiments;
using NeuroNative.Explorations;
using NeuroNative.Tests.Reference;
using Xunit;

namespace NeuroNative.Tests.Explorations;

/// <summary>The library's models against Brian 2's reference cases, or against a published property where no
/// reference exists (Wilson–Cowan); and the C# form of TVB-O's examples.</summary>
public class ModelLibraryTests
{
    [Fact]
    public void TvbOsVanDerPolExampleGivesItsShape()
    {
        // Seed 004: duration 50, step 1e-2, mu in Range(0.1, 10, 6) -> timeseries=(6, 5000, 2).
        var vdp = new Dynamics("VdP")
            .AddParameter("mu", 1.0, "Damping parameter")
            .AddStateVariable("x", "z", 0.1)
            .AddStateVariable("z", "mu*(1 - x**2)*z - x", 0.0);
        var experiment = new SimulationExperiment(vdp) { Integration = new Integration { Method = "rk4", StepSize = 1e-2, Duration = 50 } };
        experiment.Explorations.Add(new Exploration("mu_sweep", [new ExploredParameter("mu", ParameterDomain.Range(0.1, 10.0, 6))]));
        var sweep = experiment.Run()["mu_sweep"];
        Assert.Equal((6, 5000, 2), sweep.Results.Shape);
        Assert.Equal("ExplorationResult(name='mu_sweep', grid=6, timeseries=(6, 5000, 2))", sweep.ToString());
        Assert.Equal([0.1, 2.08, 4.06, 6.039999999999999, 8.02, 10.0], sweep.Axes[0].ExploredValues);
        Assert.Equal(0.01, sweep.Dt);
        // Against the rk4 reference (every 10th step there).
        var reference = ReferenceCase.Load("vanderpol_rk4").ReadCsv("traces.csv");
        for (int c = 0; c < 6; c++)
        {
            var x = reference.Column($"x[{c}]");
            for (int k = 0; k < 500; k++) Assert.Equal(x[k], sweep.Results[c, 10 * k, 0], 1e-9);
        }
        // Relaxation oscillations: the amplitude of x approaches 4 (x between -2 and 2) for large mu.
        Assert.InRange(sweep.Summaries[5].Outputs["x"].PeakToPeak, 3.9, 4.1);
    }

    [Fact]
    public void QifMeanFieldDefaultsAreTheReferenceCase()
    {
        var experiment = new SimulationExperiment(ModelLibrary.QifMeanField())
        {
            Integration = new Integration { Method = "rk4", StepSize = 5e-3, Duration = 200 },
            Outputs = new OutputSpec { Variables = [new OutputVariable("r")], SamplingStep = 0.5 },
        };
        experiment.Explorations.Add(new Exploration("eta_sweep", [new ExploredParameter("eta", ParameterDomain.Range(-10, 5, 15))]));
        var sweep = experiment.Run()["eta_sweep"];
        var reference = ReferenceCase.Load("qif_meanfield_rk4").ReadCsv("traces.csv");
        for (int c = 0; c < 15; c++)
        {
            var r = reference.Column($"r[{c}]");
            double range = r.Max() - r.Min();
            for (int k = 0; k < sweep.Samples; k++) Assert.True(Math.Abs(r[k] - sweep.Results[c, k, 0]) <= 1e-6 * range);
        }
    }

    [Fact]
    public void WilsonCowanOscillatesWithThePapersDriveAndRestsWithout()
    {
        // Wilson & Cowan (1972): with these couplings a constant drive P = 1.25 gives a limit cycle; without drive
        // the activities settle to the resting state.
        var experiment = new SimulationExperiment(ModelLibrary.WilsonCowan())
        {
            Integration = new Integration { Method = "rk4", StepSize = 0.01, Duration = 200 },
            Outputs = new OutputSpec { Variables = [new OutputVariable("E")], SamplingStep = 0.1, Cutoff = 100 },
        };
        experiment.Explorations.Add(new Exploration("P", [new ExploredParameter("P", ParameterDomain.List(0.0, 1.25))]));
        var sweep = experiment.Run()["P"];
        var rest = sweep.Summaries[0].Outputs["E"];
        var cycle = sweep.Summaries[1].Outputs["E"];
        Assert.True(rest.PeakToPeak < 1e-6, $"P = 0: E varies by {rest.PeakToPeak}");
        // Measured: E between 0.102 and 0.271 at 0.2 cycles per time unit, the same in every window after t = 100.
        Assert.True(cycle.PeakToPeak > 0.15, $"P = 1.25: E varies by only {cycle.PeakToPeak}");
        Assert.InRange(cycle.DominantFrequency, 0.1, 0.4);
        var late = sweep.TimeSeries(1, "E")[(sweep.Samples / 2)..];
        Assert.True(late.ToArray().Max() - late.ToArray().Min() > 0.15, "the oscillation is sustained, not damped");
    }

    [Fact]
    public void TheSeed000HodgkinHuxleyModelReproducesBriansSpikeCounts()
    {
        var reference = ReferenceCase.Load("hh_exploration_small");
        var conditions = reference.ReadCsv("conditions.csv");
        var counts = reference.ReadCsv("spike_counts.csv").Column("count");
        using var model = CompiledModel.Compile(ModelLibrary.HodgkinHuxleyExploration(), new CompileOptions { Backend = Backend.Interpreted });
        using var group = model.CreateGroup(counts.Length, new GroupOptions { Dt = 1e-4 });
        group.Set("g_na", conditions.Column("g_na"));
        group.Set("I", conditions.Column("I"));
        group.Set("v", "El");
        var spikes = group.RecordSpikes();
        group.Run(2.0);
        Assert.Equal(counts.Select(c => (long)c), spikes.Count);
    }

    [Fact]
    public void LibraryModelsAreCopiesAndOverridable()
    {
        var a = ModelLibrary.Get("jansen_rit").SetParameter("c", 270);
        var b = ModelLibrary.JansenRit();
        Assert.Equal(270, a.Parameters.Single(p => p.Name == "c").Value);
        Assert.Equal(135, b.Parameters.Single(p => p.Name == "c").Value);
        var e = Assert.Throws<ArgumentException>(() => b.SetParameter("C", 1));
        Assert.Contains("'C' is not a parameter of JansenRit (did you mean 'c'?)", e.Message);
        Assert.Contains("the library has jansen_rit, van_der_pol", Assert.Throws<ArgumentException>(() => ModelLibrary.Get("jr")).Message);
    }

    [Fact]
    public void TheReportHasTheEquationsInLatexAndTheParameterTable()
    {
        string report = ModelLibrary.QifMeanField().Report();
        Assert.Contains("# QIF", report);
        Assert.Contains("$$\\dot{r} = \\frac{\\Delta}{\\tau \\pi} + 2 r v$$", report);
        Assert.Contains("$$\\dot{v} = v^{2} + \\eta + J r \\tau - \\left(\\pi r \\tau\\right)^{2}$$", report);
        Assert.Contains("| $\\eta$ | -5 | N/A | Background drive |", report);
    }

    [Fact]
    public void ParamMapDrivesSeveralParametersWithOneAxis()
    {
        var dynamics = new Dynamics("two").AddParameter("a", 1).AddParameter("b", 1)
            .AddStateVariable("x", "a - x").AddStateVariable("y", "b - y");
        var experiment = new SimulationExperiment(dynamics) { Integration = new Integration { StepSize = 0.01, Duration = 20 } };
        experiment.Explorations.Add(new Exploration("ab", [new ExploredParameter("k", ParameterDomain.List(2, 3)) { Targets = ["a", "b"] }]));
        var sweep = experiment.Run()["ab"];
        Assert.Equal("k", sweep.Axes[0].Name);
        Assert.Equal(["a", "b"], sweep.Axes[0].Targets);
        for (int c = 0; c < 2; c++)
        {
            Assert.Equal(2 + c, sweep.Results[c, sweep.Samples - 1, 0], 1e-6);
            Assert.Equal(2 + c, sweep.Results[c, sweep.Samples - 1, 1], 1e-6);
            Assert.Equal(2 + c, sweep.ConditionValues[c]["k"]);
        }
    }
}
