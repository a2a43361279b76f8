using NeuroNative.Fitting.Optimizers;
using Xunit;

namespace NeuroNative.Tests.Fitting.Optimizers;

public class FactoryTests
{
    [Fact]
    public void MethodsAreCreatedByNameWhateverTheCase()
    {
        Assert.Equal(["DE", "CMAES", "PSO", "NelderMead", "GP"], OptimizerFactory.Methods);
        Assert.IsType<DifferentialEvolution>(OptimizerFactory.Create("de"));
        Assert.IsType<CmaEs>(OptimizerFactory.Create("CmaEs"));
        Assert.IsType<ParticleSwarm>(OptimizerFactory.Create("pso"));
        Assert.IsType<NelderMead>(OptimizerFactory.Create("neldermead"));
        Assert.IsType<BayesianOptimization>(OptimizerFactory.Create("gp"));
        Assert.All(OptimizerFactory.Methods, m => Assert.Equal(m, OptimizerFactory.Create(m).Method));
    }

    [Fact]
    public void AnUnknownMethodIsNamedWithTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => OptimizerFactory.Create("SQP"));
        Assert.Contains("Unknown optimizer 'SQP'; the known ones are DE, CMAES, PSO, NelderMead, GP.", e.Message);
    }

    [Fact]
    public void OptionsOverrideTheDefaultsFromNumbersOrText()
    {
        var de = (DifferentialEvolution)OptimizerFactory.Create("DE", new Dictionary<string, object?> { ["popsize"] = "12", ["f"] = 0.9, ["CR"] = "0.7" });
        Assert.Equal(new DEOptions(12, 0.9, 0.7), de.Options);
        var cma = (CmaEs)OptimizerFactory.Create("CMAES", new Dictionary<string, object?> { ["sigma0"] = 0.2, ["tolx"] = "1e-6" });
        Assert.Equal(new CMAESOptions(Sigma0: 0.2, TolX: 1e-6), cma.Options);
        var pso = (ParticleSwarm)OptimizerFactory.Create("PSO", new Dictionary<string, object?> { ["omega"] = 0.5, ["phip"] = 1, ["phig"] = 2L });
        Assert.Equal(new PSOOptions(Omega: 0.5, PhiP: 1, PhiG: 2), pso.Options);
        var nm = (NelderMead)OptimizerFactory.Create("NelderMead", new Dictionary<string, object?>
        {
            ["rho"] = 1.5, ["chi"] = 3, ["gamma"] = 0.4, ["sigma"] = 0.6, ["step"] = 0.2, ["xatol"] = 1e-5, ["popsize"] = 8.0,
        });
        Assert.Equal(new NelderMeadOptions(8, 1.5, 3, 0.4, 0.6, 0.2, 1e-5), nm.Options);
        var gp = (BayesianOptimization)OptimizerFactory.Create("GP", new Dictionary<string, object?>
        {
            ["acq_func"] = "lcb", ["kappa"] = 3, ["xi"] = 0.1, ["n_initial_points"] = 5, ["n_points"] = 200, ["n_restarts_optimizer"] = 0,
        });
        Assert.Equal(new GPOptions(AcqFunc: Acquisition.LCB, Kappa: 3, Xi: 0.1, NInitialPoints: 5, NPoints: 200, NRestartsOptimizer: 0), gp.Options);
    }

    [Fact]
    public void AnUnknownOptionIsNamedWithTheMethodsOptions()
    {
        var e = Assert.Throws<ArgumentException>(() => OptimizerFactory.Create("DE", new Dictionary<string, object?> { ["F1"] = 0.5 }));
        Assert.Contains("Unknown option 'F1' for optimizer DE; its options are popsize, F, CR.", e.Message);
        e = Assert.Throws<ArgumentException>(() => OptimizerFactory.Create("GP", new Dictionary<string, object?> { ["acq"] = "EI" }));
        Assert.Contains("its options are popsize, n_initial_points, acq_func, xi, kappa, n_points, n_restarts_optimizer.", e.Message);
    }

    [Theory]
    [InlineData("DE", "F", "fast", "Option 'F' of optimizer DE")]
    [InlineData("DE", "popsize", 2.5, "Option 'popsize' of optimizer DE: expected an integer")]
    [InlineData("DE", "popsize", null, "Option 'popsize' of optimizer DE has no value")]
    [InlineData("GP", "acq_func", "PI", "Option 'acq_func' of optimizer GP: expected one of EI, LCB; got 'PI'")]
    [InlineData("GP", "acq_func", "1", "expected one of EI, LCB; got '1'")]
    [InlineData("PSO", "omega", true, "Option 'omega' of optimizer PSO: expected a number; got Boolean 'True'")]
    public void AValueOfTheWrongKindIsRefused(string method, string option, object? value, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => OptimizerFactory.Create(method, new Dictionary<string, object?> { [option] = value }));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("DE", "F", 0.0, "DE option F must be in (0, 2]")]
    [InlineData("DE", "CR", 1.5, "DE option CR must be in [0, 1]")]
    [InlineData("DE", "popsize", 3, "DE option popsize must be at least 4")]
    [InlineData("CMAES", "sigma0", 2.0, "CMAES option sigma0 must be in (0, 1]")]
    [InlineData("CMAES", "tolx", 0.5, "CMAES option tolx must be in (0, sigma0)")]
    [InlineData("PSO", "omega", 1.0, "PSO option omega must be in [0, 1)")]
    [InlineData("PSO", "phig", 0.0, "PSO option phig must be in (0, 4]")]
    [InlineData("NelderMead", "chi", 0.9, "NelderMead option chi must exceed 1 and rho")]
    [InlineData("NelderMead", "gamma", 1.0, "NelderMead option gamma must be in (0, 1)")]
    [InlineData("NelderMead", "xatol", 0.5, "NelderMead option xatol must be in (0, step)")]
    [InlineData("GP", "n_initial_points", 0, "GP option n_initial_points must be at least 1")]
    [InlineData("GP", "kappa", -1.0, "GP option kappa must be finite and non-negative")]
    public void AnOptionOutOfItsRangeIsRefused(string method, string option, object value, string message)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => OptimizerFactory.Create(method, new Dictionary<string, object?> { [option] = value }));
        Assert.Contains(message, e.Message);
    }

    /// <summary>Each method's options reach the algorithm: a changed value changes the asks.</summary>
    [Theory]
    [InlineData("DE", "F", 0.8)]
    [InlineData("DE", "CR", 0.5)]
    [InlineData("CMAES", "sigma0", 0.1)]
    [InlineData("PSO", "omega", 0.4)]
    [InlineData("PSO", "phip", 0.5)]
    [InlineData("PSO", "phig", 0.5)]
    [InlineData("NelderMead", "rho", 0.8)]
    [InlineData("NelderMead", "step", 0.2)]
    [InlineData("GP", "acq_func", "LCB")]
    [InlineData("GP", "n_initial_points", 6)]
    public void AnOptionChangesTheSearch(string method, string option, object value)
    {
        var f = TestFunction.Rosenbrock(2);
        Assert.NotEqual(Asks(OptimizerFactory.Create(method)), Asks(OptimizerFactory.Create(method, new Dictionary<string, object?> { [option] = value })));

        List<double> Asks(IOptimizer optimizer)
        {
            optimizer.Initialize(f.Space, 4, 1);
            var asked = new List<double>();
            for (int round = 0; round < 5; round++)
            {
                var batch = optimizer.Ask();
                asked.AddRange(batch.SelectMany(x => x));
                optimizer.Tell(batch, batch.Select(f.F).ToArray());
            }
            return asked;
        }
    }
}
