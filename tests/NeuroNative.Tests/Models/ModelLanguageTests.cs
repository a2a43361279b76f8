using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using NeuroNative.Models.IR;
using NeuroNative.Models.Reporting;
using NeuroNative.Models.Units;
using Xunit;

namespace NeuroNative.Tests.Models;

[Trait("Category", "CodegenIndependent")]
public class ModelLanguageTests
{
    private static readonly string[] AllMethods = ["exact", "euler", "rk2", "rk4", "heun", "milstein", "exponential_euler"];

    public const string OrnsteinUhlenbeck = Parsing.ModelEquationsTests.Ou;

    public static readonly Dictionary<string, NamespaceValue> OuNamespace = new()
    {
        ["mu"] = 0.5, ["sigma"] = 0.2, ["tau"] = "10*ms",
    };

    /// <summary>The methods Brian 2 accepts for each reference model (the others it rejects).</summary>
    public static IEnumerable<object[]> MethodMatrix() =>
    [
        ["hh_exploration_small", new[] { "euler", "rk2", "rk4", "heun", "milstein", "exponential_euler" }],
        ["hh_fitting_tutorial", new[] { "euler", "rk2", "rk4", "heun", "milstein", "exponential_euler" }],
        ["lif_refractory_exact", AllMethods],
        ["adex_dt0.1", new[] { "euler", "rk2", "rk4", "heun", "milstein", "exponential_euler" }],
        ["vanderpol_rk4", new[] { "euler", "rk2", "rk4", "heun", "milstein", "exponential_euler" }],
        ["fitzhugh_nagumo", new[] { "euler", "rk2", "rk4", "heun", "milstein" }],
        ["qif_meanfield_rk4", new[] { "euler", "rk2", "rk4", "heun", "milstein" }],
        ["jansen_rit", new[] { "euler", "rk2", "rk4", "heun", "milstein", "exponential_euler" }],
    ];

    [Theory]
    [MemberData(nameof(MethodMatrix))]
    public void DerivesEveryMethodBrianAcceptsAndRejectsTheOthers(string @case, string[] accepted)
    {
        var model = ReferenceScenario.Get(@case).Model;
        foreach (var method in AllMethods)
        {
            var analyzed = ModelAnalyzer.Analyze(model with { Method = method });
            if (accepted.Contains(method))
            {
                var program = IntegrationMethods.Derive(analyzed);
                Assert.Equal(method, program.MethodName);
            }
            else
            {
                var error = Assert.Throws<ModelException>(() => IntegrationMethods.Derive(analyzed));
                Assert.Contains(method, error.Message);
            }
        }
    }

    [Fact]
    public void StochasticModelAcceptsOnlyStochasticMethods()
    {
        var model = new ModelDefinition(OrnsteinUhlenbeck) { Namespace = OuNamespace };
        foreach (var method in AllMethods)
        {
            var analyzed = ModelAnalyzer.Analyze(model with { Method = method });
            if (method is "euler" or "heun" or "milstein") Assert.Equal(method, IntegrationMethods.Derive(analyzed).MethodName);
            else Assert.Throws<ModelException>(() => IntegrationMethods.Derive(analyzed));
        }
        var program = IntegrationMethods.Derive(ModelAnalyzer.Analyze(model));
        Assert.Equal("euler", program.MethodName);
        Assert.Contains("exact", program.MethodReason);
        // g = sigma*sqrt(2/tau) with tau = 10 ms
        Assert.Equal(0.2 * Math.Sqrt(2 / 0.01), program.Noise[0][0].Value, 12);
    }

    [Fact]
    public void MultiplicativeNoiseNeedsHeunOrMilstein()
    {
        var model = new ModelDefinition("dv/dt = -v/tau + v*xi/sqrt(tau) : 1")
        { Namespace = new Dictionary<string, NamespaceValue> { ["tau"] = "10*ms" } };
        Assert.Equal("heun", IntegrationMethods.Derive(ModelAnalyzer.Analyze(model)).MethodName);
        var error = Assert.Throws<ModelException>(() => IntegrationMethods.Derive(ModelAnalyzer.Analyze(model with { Method = "euler" })));
        Assert.Contains("additive", error.Message);
    }

    [Fact]
    public void DefaultMethodFollowsBrian()
    {
        Assert.Equal("exact", IntegrationMethods.Derive(ModelAnalyzer.Analyze(ReferenceScenario.Get("lif_refractory_exact").Model with { Method = null })).MethodName);
        Assert.Equal("euler", IntegrationMethods.Derive(ModelAnalyzer.Analyze(ReferenceScenario.Get("adex_dt0.1").Model with { Method = null })).MethodName);
        // dv/dt = I/C is singular for exact: Brian falls back to euler.
        var singular = new ModelDefinition("dv/dt = I/C : volt\nI : amp") { Namespace = new Dictionary<string, NamespaceValue> { ["C"] = "200*pF" } };
        Assert.Equal("euler", IntegrationMethods.Derive(ModelAnalyzer.Analyze(singular)).MethodName);
    }

    /// <summary>Coupled linear systems as Brian 2.5.1 chose for them with no method given (checked by running
    /// Brian: the biexponential synapse of exact_biexp_lif and an alpha synapse, whose matrix is a Jordan
    /// block, and a rotation at a parameter's rate (cos/sin) are exact; a rotation at a constant rate, whose
    /// solution keeps complex values, and singular systems fall back to euler).</summary>
    [Theory]
    [InlineData("exact", "dg/dt = (h - g)/tau : 1\ndh/dt = -h/tau : 1")]
    [InlineData("exact", "dv/dt = (-v - w)/tau : 1\ndw/dt = (a*v - w)/(10*tau) : 1\na : 1")]
    [InlineData("exact", "dx/dt = -w*y : 1\ndy/dt = w*x : 1\nw : Hz")]
    [InlineData("euler", "dx/dt = -y/tau : 1\ndy/dt = x/tau : 1")]
    [InlineData("euler", "dx/dt = (x + y)/tau : 1\ndy/dt = (x + y)/tau : 1")]
    [InlineData("euler", "dx/dt = y/tau : 1\ndy/dt = -y/tau : 1")]
    [InlineData("euler", "dx/dt = 1/tau : 1\ndy/dt = -y/tau : 1")]
    [InlineData("euler", "dv/dt = (-v + t/second)/tau : 1\ndw/dt = (v - w)/tau : 1")]
    public void DefaultMethodOfCoupledLinearSystemsFollowsBrian(string method, string equations)
    {
        var model = new ModelDefinition(equations) { Namespace = new Dictionary<string, NamespaceValue> { ["tau"] = "5*ms" } };
        var program = IntegrationMethods.Derive(ModelAnalyzer.Analyze(model));
        Assert.Equal(method, program.MethodName);
        if (method == "exact") Assert.Equal(MethodKind.LinearSystem, program.Method.Kind);
    }

    [Fact]
    public void DefaultMethodOfTheBiexponentialSynapseIsBriansExact()
    {
        var s = ReferenceScenario.Get("exact_biexp_lif");
        using var info = s.Data.RunInfo();
        var program = IntegrationMethods.Derive(ModelAnalyzer.Analyze(s.Model));
        Assert.Null(s.Model.Method);
        Assert.Equal(info.RootElement.GetProperty("method").GetString(), program.MethodName);
        Assert.Equal(MethodKind.LinearSystem, program.Method.Kind);
        // Row v of M: -1/tau_m and R/tau_m; x drives I_syn; nothing drives x.
        var model = program.Model;
        int v = model.StateIndex("v"), i = model.StateIndex("I_syn"), x = model.StateIndex("x"), n = model.States.Count;
        Assert.Equal(-100.0, program.LinearA[v * n + v].Value, 12);
        Assert.True(program.LinearA[v * n + x].IsConstantValue(0));
        Assert.Equal(1000.0, program.LinearA[i * n + x].Value, 12);
        Assert.True(program.LinearA[x * n + v].IsConstantValue(0) && program.LinearA[x * n + i].IsConstantValue(0));
        string listing = IrListing.Write(program, "biexp");
        Assert.Contains("linear system (dX/dt = M*X + c):", listing);
        Assert.Contains("M[v, I_syn] = ", listing);
        Assert.DoesNotContain("M[v, x] = ", listing);
    }

    [Fact]
    public void ExponentialEulerFindsTheLinearFormOfHodgkinHuxley()
    {
        var program = IntegrationMethods.Derive(ModelAnalyzer.Analyze(ReferenceScenario.Get("hh_exploration_small").Model));
        var model = program.Model;
        int v = model.StateIndex("v");
        var names = model.Names;
        // A_v = -(gl + g_na m^3 h + g_kd n^4)/Cm depends on the gates and g_na, not on v.
        Assert.False(IrCalculus.DependsOn(program.LinearA[v], n => n.Op == IrOp.State && n.Index == v));
        Assert.True(IrCalculus.DependsOn(program.LinearA[v], n => n.Op == IrOp.Parameter && names.Parameters![n.Index] == "g_na"));
        Assert.True(IrCalculus.DependsOn(program.LinearB[v], n => n.Op == IrOp.Parameter && names.Parameters![n.Index] == "I"));
    }

    [Fact]
    public void UnknownMethodListsTheKnownOnes()
    {
        var error = Assert.Throws<ModelException>(() => IntegrationMethods.Derive(
            ModelAnalyzer.Analyze(new ModelDefinition("dv/dt = -v/second : 1") { Method = "rk5" })));
        Assert.Equal("method: no integration method named 'rk5' is known; available: euler, rk2, rk4, heun, explicit_heun, milstein, " +
            "exponential_euler, exact", error.Message);
    }

    // ---- error messages, verbatim ------------------------------------------------------------

    private static ModelException Fails(ModelDefinition model) =>
        Assert.Throws<ModelException>(() => IntegrationMethods.Derive(ModelAnalyzer.Analyze(model)));

    private static readonly Dictionary<string, NamespaceValue> LifNamespace = new()
    {
        ["El"] = "-70*mV", ["R"] = "100*Mohm", ["tau"] = "10*ms", ["C"] = "200*pF",
    };

    [Fact]
    public void RightHandSideWithTheWrongUnitNamesBothUnits()
    {
        var e = Fails(new ModelDefinition("dv/dt = (El - v + R*I)/tau : volt\ndw/dt = I : volt\nI : amp") { Namespace = LifNamespace });
        Assert.Equal("inconsistent units in the differential equation for 'w': the right-hand side 'I' has unit amp (A), " +
            "but dw/dt needs volt/second (m^2 kg s^-4 A^-1)", e.Reason);
        Assert.Equal((2, 9, "I"), (e.Line, e.Column, e.OffendingText));
    }

    [Fact]
    public void AddingVoltsToAmpsIsReported()
    {
        var e = Fails(new ModelDefinition("dv/dt = (El - v + I)/tau : volt\nI : amp") { Namespace = LifNamespace });
        Assert.Equal("'(El - v + I)' combines values of different units: 'El - v' is volt (m^2 kg s^-3 A^-1) but 'I' is amp (A)", e.Reason);
        Assert.Equal(1, e.Line);
        Assert.Equal(9, e.Column);
    }

    [Fact]
    public void UnknownIdentifierSuggestsTheClosestName()
    {
        var e = Fails(new ModelDefinition("dv/dt = (El - v)/tauu : volt") { Namespace = LifNamespace });
        Assert.Equal("unknown identifier 'tauu' (did you mean 'tau'?)", e.Reason);
        Assert.Equal((1, 18, "tauu"), (e.Line, e.Column, e.OffendingText));
        Assert.StartsWith("equations, line 1, column 18: unknown identifier 'tauu' (did you mean 'tau'?)", e.Message);
    }

    [Fact]
    public void ThresholdComparingVoltsWithANumberIsReported()
    {
        var e = Fails(new ModelDefinition("dv/dt = (El - v)/tau : volt") { Namespace = LifNamespace, Threshold = "v > -50" });
        Assert.Equal("threshold", e.Context);
        Assert.Equal("cannot compare values of different units: 'v' is volt (m^2 kg s^-3 A^-1) but '-50' is 1 (dimensionless)", e.Reason);
    }

    [Fact]
    public void ResetOfAnUnknownVariableIsAnErrorNotATemporary()
    {
        var e = Fails(new ModelDefinition("dv/dt = (El - v)/tau : volt") { Namespace = LifNamespace, Threshold = "v > -50*mV", Reset = "vv = El" });
        Assert.Equal("reset", e.Context);
        Assert.Equal("unknown variable to assign 'vv' (did you mean 'v'?); statements can only assign model variables " +
            "(Brian would silently create a temporary)", e.Reason);
    }

    [Fact]
    public void PrefixedUnitAfterTheColonIsRejectedLikeBrian()
    {
        var e = Fails(new ModelDefinition("dv/dt = (El - v)/tau : mV") { Namespace = LifNamespace });
        Assert.Equal("the unit of 'v' refers to 'mV', but this is not a base unit; use 'volt' instead", e.Reason);
    }

    [Fact]
    public void FunctionArgumentMustBeDimensionless()
    {
        var e = Fails(new ModelDefinition("dv/dt = exp(v)/tau : volt") { Namespace = LifNamespace });
        Assert.Equal("argument 1 of exp must be dimensionless, but 'v' is volt (m^2 kg s^-3 A^-1)", e.Reason);
    }

    [Fact]
    public void CyclicSubexpressionsAndMisplacedFlags()
    {
        var cycle = Fails(new ModelDefinition("dv/dt = a/second : 1\na = b : 1\nb = a : 1"));
        Assert.Equal("subexpressions depend on each other in a cycle: a -> b -> a", cycle.Reason);
        var flag = Fails(new ModelDefinition("dv/dt = -v/second : 1 (constant)"));
        Assert.Equal("flag 'constant' does not apply to a differential equation ('v'); allowed: 'unless refractory'", flag.Reason);
    }

    [Fact]
    public void NamespaceIsResolvedInDependencyOrderWithUnits()
    {
        var analyzed = ModelAnalyzer.Analyze(ReferenceScenario.Get("hh_exploration_small").Model);
        var cm = analyzed.Constants.Single(c => c.Name == "Cm");
        Assert.Equal(2e-10, cm.Value.Value, 1e-24);
        Assert.Equal(Dimension.Dimensionless, cm.Value.Dimension / (Dimension.Current * Dimension.Time / (Dimension.Length.Pow(2) * Dimension.Mass / (Dimension.Time.Pow(3) * Dimension.Current))));
        var cyclic = Assert.Throws<ModelException>(() => ModelAnalyzer.Analyze(new ModelDefinition("dv/dt = -v/a : 1")
        { Namespace = new Dictionary<string, NamespaceValue> { ["a"] = "2*b", ["b"] = "a/2" } }));
        Assert.Contains("cycle", cyclic.Message);
    }

    [Fact]
    public void AnalysisClassifiesNamesAndReportsFreeParameters()
    {
        var analyzed = ModelAnalyzer.Analyze(ReferenceScenario.Get("hh_exploration_small").Model with { PerNeuronConstants = ["El"] });
        Assert.Equal(["v", "m", "n", "h"], analyzed.States.Select(s => s.Name));
        Assert.Equal(["I", "g_na", "El"], analyzed.Parameters.Select(p => p.Name));
        Assert.Equal(-0.06, analyzed.Parameters[2].Default!.Value, 15);
        var order = analyzed.Subexpressions.Select(s => s.Name).ToList();
        Assert.Equal(6, order.Count);
        Assert.Contains("g_na", analyzed.FreeParameters);
        Assert.Contains("ENa", analyzed.FreeParameters);
    }

    [Fact]
    public void ResetStatementsSeeEarlierAssignmentsAndSubexpressions()
    {
        // Brian: v=5; w+=v+1; z=s with s=2v gives w+6 and z=10 (docs/brian2-semantics.md §4).
        var model = new ModelDefinition("dv/dt = 0/second : 1\ndw/dt = 0/second : 1\ndz/dt = 0/second : 1\ns = 2*v : 1")
        { Threshold = "True", Reset = "v = 5; w += v + 1\nz = s", Method = "euler" };
        var program = IntegrationMethods.Derive(ModelAnalyzer.Analyze(model));
        var sim = new NeuroNative.Backends.Reference.ReferenceSimulator(program, 1, 1e-4);
        sim.Run(1);
        Assert.Equal(5, sim.StateArray("v")[0]);
        Assert.Equal(6, sim.StateArray("w")[0]);
        Assert.Equal(10, sim.StateArray("z")[0]);
    }

    [Fact]
    public void ConstantFoldingAndCommonSubexpressionsShareNodes()
    {
        var b = new IrBuilder();
        var v = b.State(0);
        var e1 = b.Unary(IrOp.Exp, b.Divide(b.Subtract(b.Constant(0.013), v), b.Multiply(b.Constant(4), b.Constant(1e-3))));
        var e2 = b.Unary(IrOp.Exp, b.Divide(b.Subtract(b.Constant(0.013), v), b.Constant(0.004)));
        Assert.Same(e1, e2);
        Assert.Equal(Math.Exp(1), b.Unary(IrOp.Exp, b.Constant(1)).Value);
        Assert.Same(v, b.Add(b.Multiply(v, b.Constant(1)), b.Constant(0)));
    }

    [Fact]
    public void ReportDescribesTheModel()
    {
        var program = IntegrationMethods.Derive(ModelAnalyzer.Analyze(ReferenceScenario.Get("hh_exploration_small").Model));
        string report = ModelReport.Markdown(program, "HH exploration");
        Assert.Contains("# HH exploration", report);
        Assert.Contains("| v | `dv/dt = ", report);
        Assert.Contains("| g_na | set per neuron | siemens | per neuron, constant |", report);
        Assert.Contains("| Cm | 2E-10 | farad | constant | `(1*ufarad*cm**-2) * area` |", report);
        Assert.Contains("- Method: `exponential_euler` (method 'exponential_euler' requested)", report);
        Assert.Contains("- Refractory: `v>-20*mV` (a condition: refractory while it holds)", report);
    }

    /// <summary>The Inferencer HH model of the brian2modelfitting documentation, as extracted from
    /// the seed document (blank lines inside continued expressions included).</summary>
    [Fact]
    public void SeedInferencerModelParsesChecksAndDerives()
    {
        const string eqs = Parsing.ModelEquationsTests.HhInference;
        var model = new ModelDefinition(eqs)
        {
            Namespace = new Dictionary<string, NamespaceValue>
            {
                ["E_Na"] = "53*mV", ["E_K"] = "-107*mV", ["E_l"] = "-70*mV", ["VT"] = "-60*mV", ["I"] = "1*nA",
            },
            Method = "exponential_euler",
            Threshold = "m > 0.5",
            Refractory = "m > 0.5",
        };
        var program = IntegrationMethods.Derive(ModelAnalyzer.Analyze(model));
        Assert.Equal(["v", "m", "n", "h"], program.Model.States.Select(s => s.Name));
        Assert.Equal(["g_Na", "g_K", "g_l", "Cm"], program.Model.Parameters.Select(p => p.Name));
    }

    // ---- fuzz --------------------------------------------------------------------------------

    /// <summary>Thousands of mutated and random models through the whole front end: nothing but a
    /// ModelException may come out (bounded to a few seconds).</summary>
    [Fact]
    public void FuzzedModelsOnlyEverThrowModelException()
    {
        var seeds = ReferenceScenario.All().Select(s => s.Model).Append(new ModelDefinition(OrnsteinUhlenbeck) { Namespace = OuNamespace }).ToList();
        var random = new Random(12345);
        string[] tokens = ["v", "dv/dt", "=", ":", "volt", "(", ")", "*", "/", "**", "-", "+", "exp(", "xi", "mV", "1",
            "0.5", "\n", "(constant)", "(unless refractory)", ",", "and", "not", ">", "<", "i", "t", "rand()", "clip(", "#", ";",
            "boolean", "integer", "I", "amp", "second", "inf", "e", "1e999", "//", "%", "=="];
        string[] methods = ["euler", "rk4", "exact", "exponential_euler", "heun", "milstein", "rk2", "bogus"];
        var deadline = DateTime.UtcNow.AddSeconds(4);
        int runs = 0;
        while (runs < 3000 && DateTime.UtcNow < deadline)
        {
            var model = seeds[random.Next(seeds.Count)];
            model = random.Next(3) switch
            {
                0 => model with { Equations = Mutate(model.Equations, random, tokens) },
                1 => model with { Threshold = Mutate(model.Threshold ?? "v > 0", random, tokens), Reset = Mutate(model.Reset ?? "", random, tokens) },
                _ => model with
                {
                    Equations = string.Join(" ", Enumerable.Range(0, random.Next(1, 30)).Select(_ => tokens[random.Next(tokens.Length)])),
                    Refractory = random.Next(2) == 0 ? null : Mutate("5*ms", random, tokens),
                },
            };
            model = model with { Method = methods[random.Next(methods.Length)] };
            try
            {
                var program = IntegrationMethods.Derive(ModelAnalyzer.Analyze(model));
                ModelReport.Markdown(program);
            }
            catch (ModelException)
            {
            }
            runs++;
        }
        Assert.True(runs >= 500, $"only {runs} fuzz cases ran");
    }

    private static string Mutate(string text, Random random, string[] tokens)
    {
        var chars = text.ToList();
        int edits = random.Next(1, 5);
        for (int k = 0; k < edits; k++)
        {
            int at = chars.Count == 0 ? 0 : random.Next(chars.Count);
            switch (random.Next(4))
            {
                case 0 when chars.Count > 0: chars.RemoveAt(at); break;
                case 1: chars.InsertRange(at, tokens[random.Next(tokens.Length)]); break;
                case 2 when chars.Count > 0: chars.InsertRange(at, chars.Skip(at).Take(random.Next(1, 10)).ToList()); break;
                default: chars.Insert(at, (char)random.Next(32, 127)); break;
            }
        }
        return new string(chars.ToArray());
    }
}
