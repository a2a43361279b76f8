using NeuroNative.Backends.Reference;
using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using NeuroNative.Models.IR;
using Xunit;

namespace NeuroNative.Tests.Models;

/// <summary>
/// Exponential Euler splits dv/dt into A·v + B as Brian 2.5.1's get_conditionally_linear_system does.
/// The expected splits are what that function returned for these equations (tau a constant).
/// </summary>
[Trait("Category", "CodegenIndependent")]
public class ExponentialEulerTests
{
    private const double Tau = 1e-2, Dt = 1e-3, V0 = 0.3;

    private static ModelDefinition Model(string rhs, string method = "exponential_euler") =>
        new($"dv/dt = {rhs} : 1") { Namespace = new Dictionary<string, NamespaceValue> { ["tau"] = "10*ms" }, Method = method };

    /// <summary>Brian's A and B at v, for each accepted right-hand side.</summary>
    private static readonly Dictionary<string, Func<double, (double A, double B)>> Accepted = new()
    {
        ["-v*tanh(v)/tau"] = v => (-Math.Tanh(v) / Tau, 0),
        ["-v*sqrt(v)/tau"] = v => (-Math.Sqrt(v) / Tau, 0),
        ["-v/(1+v)/tau"] = v => (-1 / (Tau * v + Tau), 0),
        ["-(v+1)/(1+v**2)/tau"] = v => (-1 / (Tau * v * v + Tau), -1 / (Tau * v * v + Tau)),
        ["-v*exprel(v)/tau + 1/tau"] = v => (-IrMath.Exprel(v) / Tau, 1 / Tau),
        ["-v*(1+v)**-2/tau"] = v => (-1 / (Tau * v * v + 2 * Tau * v + Tau), 0),
        ["-(v*v)/(2*v*tau)"] = _ => (-1 / (2 * Tau), 0),
        ["(2 - v)*exp(-v)/tau"] = v => (-Math.Exp(-v) / Tau, 2 * Math.Exp(-v) / Tau),
    };

    public static IEnumerable<object[]> AcceptedCases() => Accepted.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(AcceptedCases))]
    public void CoefficientsMayContainTheVariableAndAreFrozenOverTheStep(string rhs)
    {
        var program = IntegrationMethods.Derive(ModelAnalyzer.Analyze(Model(rhs)));
        var sim = new ReferenceSimulator(program, 1, Dt);
        sim.StateArray("v")[0] = V0;
        sim.Run(1);
        var (a, b) = Accepted[rhs](V0);
        double expected = b == 0 ? V0 * Math.Exp(a * Dt) : -b / a + (V0 + b / a) * Math.Exp(a * Dt);
        Assert.Equal(expected, sim.StateArray("v")[0], 1e-14);
    }

    [Theory]
    [InlineData("-v*(1+v)/tau + 1/tau", "expanded, it has a term in v**2")]
    [InlineData("-(1+v)**2/tau", "expanded, it has a term in v**2")]
    [InlineData("-v**1.5/tau", "expanded, it has a term in v**1.5")]
    [InlineData("exp(-v)/tau", "v appears only inside functions or denominators, with no term in v itself")]
    [InlineData("-v**(v/2)/tau", "v is raised to a power that is not a number")]
    // Brian accepts these two and integrates -v/tau, dropping the other term: we refuse instead.
    [InlineData("-v*(1+v)/tau", "expanded, it has a term in v**2, which Brian 2.5.1 would silently drop")]
    [InlineData("(-v + 1/v)/tau", "expanded, it has a term in v**-1, which Brian 2.5.1 would silently drop")]
    public void OtherPowersOfTheVariableAreRefused(string rhs, string why)
    {
        var error = Assert.Throws<ModelException>(() => IntegrationMethods.Derive(ModelAnalyzer.Analyze(Model(rhs))));
        Assert.Equal($"method: exponential_euler cannot integrate the equation for 'v': 'dv/dt = {rhs}' is not linear " +
            $"in v ({why}); use rk4, euler or heun", error.Message);
    }

    [Fact]
    public void TheInstantaneousSodiumOfWangBuzsakiIsRefusedAsByBrian()
    {
        // m = alpha_m/(alpha_m + beta_m) has a term in v (alpha_m's numerator), so m**3*(v - ENa) has v**4:
        // Brian's gallery example notes that exponential Euler cannot be used.
        var model = new ModelDefinition("""
            dv/dt = (-gNa*m**3*(v-ENa) - gL*(v-EL))/Cm : volt
            m = alpha_m/(alpha_m+beta_m) : 1
            alpha_m = -0.1/mV*(v+35*mV)/(exp(-0.1/mV*(v+35*mV))-1)/ms : Hz
            beta_m = 4*exp(-(v+60*mV)/(18*mV))/ms : Hz
            """)
        {
            Namespace = new Dictionary<string, NamespaceValue>
            {
                ["Cm"] = "1*uF", ["gL"] = "0.1*msiemens", ["EL"] = "-65*mV", ["ENa"] = "55*mV", ["gNa"] = "35*msiemens",
            },
            Method = "exponential_euler",
        };
        var error = Assert.Throws<ModelException>(() => IntegrationMethods.Derive(ModelAnalyzer.Analyze(model)));
        Assert.Contains("is not linear in v (expanded, it has a term in v**", error.Message);
    }

    [Fact]
    public void TheDeprecatedNameIndependentIsExactWithBriansWarning()
    {
        var program = IntegrationMethods.Derive(ModelAnalyzer.Analyze(Model("-v/tau", "independent")));
        Assert.Equal("exact", program.MethodName);
        Assert.Equal("method 'independent' requested (deprecated): integrated with 'exact'", program.MethodReason);
        Assert.Equal(["method 'independent': The 'independent' state updater is deprecated and might be removed in " +
            "future versions of Brian; integrated with 'exact'"], program.Warnings);
        Assert.Empty(IntegrationMethods.Derive(ModelAnalyzer.Analyze(Model("-v/tau", "exact"))).Warnings);
    }

    [Fact]
    public void MethodNamesAreLookedUpInLowerCaseAsInBrian() =>
        Assert.Equal("rk4", IntegrationMethods.Derive(ModelAnalyzer.Analyze(Model("-v/tau", " RK4 "))).MethodName);
}
