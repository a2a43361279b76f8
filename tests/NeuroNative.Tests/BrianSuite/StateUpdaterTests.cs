using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using NeuroNative.Models.Units;
using Xunit;
using static NeuroNative.Tests.BrianSuite.BrianSuite;

namespace NeuroNative.Tests.BrianSuite;

/// <summary>Brian 2.5.1 brian2/tests/test_stateupdaters.py (and test_neurongroup.py's scalar subexpression run).</summary>
public class StateUpdaterTests
{
    private const double Dt = 1e-4;

    private static StepProgram Derive(string equations, TimedArray? ta = null, string? method = "exact") =>
        IntegrationMethods.Derive(ModelAnalyzer.Analyze(new ModelDefinition(equations)
        {
            Method = method, Namespace = ta is null ? [] : new Dictionary<string, NamespaceValue> { ["ta"] = ta },
        }), Dt);

    private static TimedArray Ta(double dt) => new([1], 1, dt, Dimension.Dimensionless);

    // test_locally_constant_check: exact takes a TimedArray of t as constant over a step only when its dt is a whole
    // multiple of the group's (Brian's is_locally_constant) and t is its argument itself; any other use of t is refused.
    [Fact, Trait("Category", "CodegenIndependent")]
    public void LocallyConstantCheck()
    {
        foreach (var (dt, ok) in new[] { (Dt, true), (2 * Dt, true), (Dt / 2, false), (1.5 * Dt, false) })
            foreach (var equations in new[] { "dv/dt = -v/(10*ms) + ta(t)*Hz : 1", "dv/dt = -v*ta(t)/(10*ms) : 1" })
            {
                if (ok) Assert.Equal("exact", Derive(equations, Ta(dt)).MethodName);
                else
                {
                    var e = Assert.Throws<ModelException>(() => Derive(equations, Ta(dt)));
                    Assert.Contains($"the dt of TimedArray 'ta', {dt:R} s, is not a whole multiple of the group's dt", e.Message);
                    // Brian's default choice moves on.
                    Assert.Equal("euler", Derive(equations, Ta(dt), method: null).MethodName);
                }
            }
        Assert.Contains("explicit t", Assert.Throws<ModelException>(() => Derive("dv/dt = -v*ta(t/2.0)/(10*ms) : 1", Ta(Dt))).Message);
        Assert.Contains("explicit t", Assert.Throws<ModelException>(() => Derive("dv/dt = -v/(10*ms) + sin(2*pi*100*Hz*t)*Hz : 1")).Message);
        Assert.Contains("explicit t", Assert.Throws<ModelException>(() => Derive("dv/dt = -v/(10*ms) + t/second**2 : 1")).Message);
        Assert.Equal("exact", Derive("dv/dt = -v/(10*ms) + sin(2*pi*100*Hz*5*second)*Hz : 1").MethodName);

        // A model derived for one dt cannot run exact at a dt its TimedArray does not last whole steps of.
        using var model = CompiledModel.Compile(new ModelDefinition("dv/dt = -v*ta(t)/(10*ms) : 1")
        {
            Method = "exact", Namespace = new Dictionary<string, NamespaceValue> { ["ta"] = Ta(Dt) },
        }, new CompileOptions { Backend = Backend.Interpreted, Dt = Dt });
        using (model.CreateGroup(1, new GroupOptions { Dt = Dt / 2 })) { }
        var refused = Assert.Throws<ArgumentException>(() => model.CreateGroup(1, new GroupOptions { Dt = 0.3e-4 }));
        Assert.Contains("exact cannot integrate this model with dt = 3E-05 s", refused.Message);
    }

    // test_check_for_invalid_values_linear_integrator: a linear system whose solution has complex values is refused
    // rather than integrated into wrong numbers (Brian 2.5.1 raises UnsupportedEquationsException here).
    [Fact, Trait("Category", "CodegenIndependent")]
    public void CheckForInvalidValuesLinearIntegrator()
    {
        var e = Assert.Throws<ModelException>(() => IntegrationMethods.Derive(ModelAnalyzer.Analyze(
            new ModelDefinition("dx/dt = a*x + b*y : 1\ndy/dt = c*x + d*y : 1")
            {
                Threshold = "x > 100", Reset = "x = 0", Method = "exact",
                Namespace = new Dictionary<string, NamespaceValue> { ["a"] = "0.0/ms", ["b"] = "1.0/ms", ["c"] = "-0.5/ms", ["d"] = "-0.1/ms" },
            })));
        Assert.Contains("complex eigenvalues", e.Message);
    }

    // test_sim_with_scalar_subexpression (test_neurongroup.py): a shared subexpression as a time constant.
    [SkippableTheory, MemberData(nameof(Backends), MemberType = typeof(BrianSuite))]
    public void SimWithScalarSubexpression(Backend backend)
    {
        using var g = Group(backend, 10, "tau = 10*ms : second (shared)\ndv/dt = -v/tau : 1", method: "exact");
        g.Set("v", "1.0*i/N");
        g.Run(1e-3);
        AllClose(Enumerable.Range(0, 10).Select(i => Math.Exp(-0.1) * i / 10.0), g.Get("v"), 1e-12);
    }
}
