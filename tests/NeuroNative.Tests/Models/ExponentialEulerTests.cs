using System.Text.Json;
using NeuroNative.Backends.Reference;
using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using Xunit;

namespace NeuroNative.Tests.Models;

/// <summary>
/// Exponential Euler splits dv/dt into A·v + B as Brian 2.5.1's get_conditionally_linear_system does:
/// tests/data/exponential_euler/brian_splits.json holds Brian's verdicts and A, B (see its PROVENANCE.md).
/// </summary>
[Trait("Category", "CodegenIndependent")]
public class ExponentialEulerTests
{
    private const double Dt = 1e-3;

    private static ModelDefinition Model(string rhs, string method = "exponential_euler") =>
        new($"dv/dt = {rhs} : 1") { Namespace = new Dictionary<string, NamespaceValue> { ["tau"] = "10*ms" }, Method = method };

    private static JsonElement BrianSplits() => JsonDocument.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "data", "exponential_euler", "brian_splits.json"))).RootElement;

    public static IEnumerable<object[]> BrianCases() =>
        BrianSplits().GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("rhs").GetString()! });

    [Theory]
    [MemberData(nameof(BrianCases))]
    public void AcceptsWhatBrianAcceptsAndStepsWithBriansFrozenCoefficients(string rhs)
    {
        var data = BrianSplits();
        Assert.Equal(0.01, data.GetProperty("tau").GetDouble());
        var c = data.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("rhs").GetString() == rhs);
        var model = ModelAnalyzer.Analyze(Model(rhs));
        if (!c.GetProperty("accepted").GetBoolean() || c.GetProperty("drops_terms").GetBoolean())
        {
            Assert.Throws<ModelException>(() => IntegrationMethods.Derive(model));
            return;
        }
        double v0 = data.GetProperty("v0").GetDouble(), a = c.GetProperty("A_value").GetDouble(), b = c.GetProperty("B_value").GetDouble();
        var sim = new ReferenceSimulator(IntegrationMethods.Derive(model), 1, Dt);
        sim.StateArray("v")[0] = v0;
        sim.Run(1);
        double expected = b == 0 ? v0 * Math.Exp(a * Dt) : -b / a + (v0 + b / a) * Math.Exp(a * Dt);
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
