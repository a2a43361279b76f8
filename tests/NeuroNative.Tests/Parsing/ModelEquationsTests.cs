using NeuroNative.Models;
using NeuroNative.Models.Parsing;
using Xunit;
using static NeuroNative.Tests.Parsing.SyntaxPrinter;

namespace NeuroNative.Tests.Parsing;

/// <summary>The published models NeuroNative re-creates, verbatim, must parse to the expected trees.</summary>
[Trait("Category", "CodegenIndependent")]
public class ModelEquationsTests
{
    // tests/data/reference/hh_exploration_small*/PROVENANCE.md (Brian 2 paper, parameter exploration appendix).
    internal const string HhExploration = """
        dv/dt = (gl*(El-v)-
                 g_na*(m*m*m)*h*(v-ENa)-
                 g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
        dm/dt = alpha_m*(1-m)-beta_m*m : 1
        dn/dt = alpha_n*(1-n)-beta_n*n : 1
        dh/dt = alpha_h*(1-h)-beta_h*h : 1
        alpha_m = 0.32*(mV**-1)*(13*mV-v+VT)/
                 (exp((13*mV-v+VT)/(4*mV))-1.)/ms : Hz
        beta_m = 0.28*(mV**-1)*(v-VT-40*mV)/
                (exp((v-VT-40*mV)/(5*mV))-1)/ms : Hz
        alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
        beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
        alpha_n = 0.032*(mV**-1)*(15*mV-v+VT)/
                 (exp((15*mV-v+VT)/(5*mV))-1.)/ms : Hz
        beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
        I : amp (constant)
        g_na : siemens (constant)
        """;

    // The exploration notebook as in examples/hh_exploration.yaml (its own indentation: one space on continuation lines).
    internal const string HhSeed = """

        dv/dt = (gl*(El-v)-
         g_na*(m*m*m)*h*(v-ENa)-
         g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
        dm/dt = alpha_m*(1-m)-beta_m*m : 1
        dn/dt = alpha_n*(1-n)-beta_n*n : 1
        dh/dt = alpha_h*(1-h)-beta_h*h : 1
        alpha_m = 0.32*(mV**-1)*(13*mV-v+VT)/
         (exp((13*mV-v+VT)/(4*mV))-1.)/ms : Hz
        beta_m = 0.28*(mV**-1)*(v-VT-40*mV)/
         (exp((v-VT-40*mV)/(5*mV))-1)/ms : Hz
        alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
        beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
        alpha_n = 0.032*(mV**-1)*(15*mV-v+VT)/
         (exp((15*mV-v+VT)/(5*mV))-1.)/ms : Hz
        beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
        I : amp (constant)
        g_na : siemens (constant)

        """;

    // tests/data/reference/hh_fitting_tutorial/PROVENANCE.md (brian2modelfitting TraceFitter tutorial).
    internal const string HhFitting = """
        dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
        dm/dt = 0.32*(mV**-1)*(13.*mV-v+VT)/
          (exp((13.*mV-v+VT)/(4.*mV))-1.)/ms*(1-m)-0.28*(mV**-1)*(v-VT-40.*mV)/
          (exp((v-VT-40.*mV)/(5.*mV))-1.)/ms*m : 1
        dn/dt = 0.032*(mV**-1)*(15.*mV-v+VT)/
          (exp((15.*mV-v+VT)/(5.*mV))-1.)/ms*(1.-n)-.5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1
        dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h)-4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms*h : 1
        g_na : siemens (constant)
        g_kd : siemens (constant)
        gl   : siemens (constant)
        Cm   : farad (constant)
        I = I_input(t, i) : amp
        """;

    // brian2modelfitting docs: the tutorial model as printed, with blank lines inside
    // continued expressions and a line broken after '/' (the PDF's wrap marker removed).
    internal const string HhFittingDocs = """
        dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
        dm/dt = 0.32*(mV**-1)*(13.*mV-v+VT)/

        (exp((13.*mV-v+VT)/(4.*mV))-1.)/ms*(1-m)-0.28*(mV**-1)*(v-VT-40.*mV)/
        (exp((v-VT-40.*mV)/(5.*mV))-1.)/ms*m : 1

        dn/dt = 0.032*(mV**-1)*(15.*mV-v+VT)/
        (exp((15.*mV-v+VT)/(5.*mV))-1.)/ms*(1.-n)-.5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1

        dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h)-4./(1+exp((40.*mV-v+VT)/(5.*mV)))/
        ms*h : 1
        g_na : siemens (constant)
        g_kd : siemens (constant)
        gl : siemens (constant)
        """;

    // brian2modelfitting docs, Inferencer tutorial: comments, blank lines, lines that start with '+' and '/'.
    internal const string HhInference = """
        # non-linear set of ordinary differential equations
        dv/dt = - (g_Na * m ** 3 * h * (v - E_Na)

        + g_K * n ** 4 * (v - E_K)
        + g_l * (v - E_l) - I) / Cm : volt

        dm/dt = alpha_m * (1 - m) - beta_m * m : 1
        dn/dt = alpha_n * (1 - n) - beta_n * n : 1
        dh/dt = alpha_h * (1 - h) - beta_h * h : 1

        # time independent rate constants for activation and inactivation
        alpha_m = ((-0.32 / mV) * (v - VT - 13.*mV))

        / (exp((-(v - VT - 13.*mV)) / (4.*mV)) - 1) / ms : Hz
        beta_m = ((0.28/mV) * (v - VT - 40.*mV))

        / (exp((v - VT - 40.*mV) / (5.*mV)) - 1) / ms : Hz
        alpha_h = 0.128 * exp(-(v - VT - 17.*mV) / (18.*mV)) / ms : Hz
        beta_h = 4 / (1 + exp((-(v - VT - 40.*mV)) / (5.*mV))) / ms : Hz
        alpha_n = ((-0.032/mV) * (v - VT - 15.*mV))

        / (exp((-(v - VT - 15.*mV)) / (5.*mV)) - 1) / ms : Hz
        beta_n = 0.5 * exp(-(v - VT - 10.*mV) / (40.*mV)) / ms : Hz

        # free parameters
        g_Na : siemens (constant)
        g_K : siemens (constant)
        g_l : siemens (constant)
        Cm : farad (constant)
        """;

    // tests/data/reference/adex_dt0.1 and adex_dt0.01.
    internal const string AdEx = """
        dv/dt = (gL*(EL-v)+gL*DeltaT*exp((v-VT)/DeltaT)+I-w)/C : volt
        dw/dt = (a*(v-EL)-w)/tauw : amp
        I : amp (constant)
        """;

    // tests/data/reference/lif_refractory_euler and lif_refractory_exact.
    internal const string Lif = """
        dv/dt = (El - v + R*I)/tau : volt (unless refractory)
        I : amp (constant)
        """;

    // tests/data/reference/ou_process.
    internal const string Ou = "dv/dt = (mu - v)/tau + sigma*sqrt(2/tau)*xi : 1";

    // tests/data/reference/vanderpol_euler and vanderpol_rk4.
    internal const string VanDerPol = """
        dx/dt = z/second : 1
        dz/dt = (mu*(1-x**2)*z - x)/second : 1
        mu : 1 (constant)
        """;

    // tests/data/reference/fitzhugh_nagumo.
    internal const string FitzHughNagumo = """
        dv/dt = (v - v**3/3 - w + I_ext)/second : 1
        dw/dt = (v + a - b*w)/(tau*second) : 1
        a : 1 (constant)
        I_ext : 1 (constant)
        """;

    // tests/data/reference/qif_meanfield_euler and qif_meanfield_rk4.
    internal const string QifMeanField = """
        dr/dt = (Delta/(tau*pi) + 2*r*v)/second : 1
        dv/dt = (v**2 + eta + J*r*tau - (pi*r*tau)**2)/second : 1
        eta : 1 (constant)
        """;

    // tests/data/reference/jansen_rit.
    internal const string JansenRit = """
        dy0/dt = y3 : volt
        dy3/dt = He/tau_e*S_p - 2*y3/tau_e - y0/tau_e**2 : volt/second
        dy1/dt = y4 : volt
        dy4/dt = He/tau_e*(p + C2*S_e) - 2*y4/tau_e - y1/tau_e**2 : volt/second
        dy2/dt = y5 : volt
        dy5/dt = Hi/tau_i*C4*S_i - 2*y5/tau_i - y2/tau_i**2 : volt/second
        S_p = 2*e0/(1 + exp(r*(v0 - (y1 - y2)))) : Hz
        S_e = 2*e0/(1 + exp(r*(v0 - C1*y0))) : Hz
        S_i = 2*e0/(1 + exp(r*(v0 - C3*y0))) : Hz
        psp = y1 - y2 : volt
        C1 : 1 (constant)
        C2 : 1 (constant)
        C3 : 1 (constant)
        C4 : 1 (constant)
        """;

    private static readonly string[] HhDeclarations =
    [
        "Differential v : volt", "Differential m : 1", "Differential n : 1", "Differential h : 1",
        "Subexpression alpha_m : Hz", "Subexpression beta_m : Hz", "Subexpression alpha_h : Hz",
        "Subexpression beta_h : Hz", "Subexpression alpha_n : Hz", "Subexpression beta_n : Hz",
        "Parameter I : amp (constant)", "Parameter g_na : siemens (constant)",
    ];

    private static string[] Summary(ParsedEquations parsed) => parsed.Equations
        .Select(e => $"{e.Kind} {e.Name} : {Show(e.Unit)}" +
                     (e.Flags.Count == 0 ? "" : $" ({string.Join(", ", e.Flags.Select(f => f.Name))})"))
        .ToArray();

    /// <summary>Every node's span must slice out text that parses back to the same tree.</summary>
    private static void AssertSpansRoundTrip(ParsedEquations parsed)
    {
        foreach (var eq in parsed.Equations)
        {
            Assert.Equal(eq.Name, eq.NameSpan.Slice(parsed.Source));
            Assert.StartsWith(eq.Kind == EquationKind.Differential ? "d" + eq.Name + "/dt" : eq.Name,
                eq.Span.Slice(parsed.Source));
            if (eq.Expression is not null) AssertNodeRoundTrips(eq.Expression, parsed.Source);
            if (eq.Unit.Expression is not null) AssertNodeRoundTrips(eq.Unit.Expression, parsed.Source);
            foreach (var flag in eq.Flags) Assert.Equal(flag.Name, flag.Span.Slice(parsed.Source));
        }
    }

    private static void AssertNodeRoundTrips(Expr node, string source)
    {
        Assert.Equal(Show(node), Show(ModelParser.ParseExpression(node.Span.Slice(source), "span")));
        var line = SourceSpan.LineText(source, node.Span.Line)!;
        int lineStart = node.Span.Offset - (node.Span.Column - 1);
        Assert.Equal(line, source.Substring(lineStart, line.Length));
        var children = node switch
        {
            UnaryExpr u => [u.Operand],
            BinaryExpr b => [b.Left, b.Right],
            CallExpr c => c.Arguments,
            _ => Array.Empty<Expr>(),
        };
        foreach (var child in children) AssertNodeRoundTrips(child, source);
    }

    [Fact]
    public void HhExplorationModelParses()
    {
        var parsed = ModelParser.ParseEquations(HhExploration);
        Assert.Equal(HhDeclarations, Summary(parsed));
        var v = parsed.Equations[0];
        Assert.Equal("(((((gl * (El - v)) - (((g_na * ((m * m) * m)) * h) * (v - ENa))) - " +
                     "((g_kd * (((n * n) * n) * n)) * (v - EK))) + I) / Cm)", Show(v.Expression!));
        Assert.Equal(3, v.Unit.Span.Line);
        Assert.Equal((0, 1, 1), (v.Span.Offset, v.Span.Line, v.Span.Column));
        Assert.Equal("volt", v.Unit.Span.Slice(HhExploration));
        Assert.Equal("((((0.32f * (mV ** (-1))) * (((13 * mV) - v) + VT)) / (exp(((((13 * mV) - v) + VT) / (4 * mV))) - 1f)) / ms)",
            Show(parsed.Equations[4].Expression!));
        Assert.Equal("((0.5f * exp(((((10 * mV) - v) + VT) / (40 * mV)))) / ms)", Show(parsed.Equations[9].Expression!));
        var flag = Assert.Single(parsed.Equations[10].Flags);
        Assert.Equal(new SourceSpan(HhExploration.IndexOf("constant", StringComparison.Ordinal), 8, 16, 10), flag.Span);
        AssertSpansRoundTrip(parsed);
    }

    [Fact]
    public void HhSeedModelParsesLikeTheReferenceCopy()
    {
        var seed = ModelParser.ParseEquations(HhSeed);
        var reference = ModelParser.ParseEquations(HhExploration);
        Assert.Equal(HhDeclarations, Summary(seed));
        Assert.Equal(reference.Equations.Select(e => Show(e.Expression ?? e.Unit.Expression!)),
            seed.Equations.Select(e => Show(e.Expression ?? e.Unit.Expression!)));
        Assert.Equal(2, seed.Equations[0].Span.Line);
        AssertSpansRoundTrip(seed);
    }

    [Fact]
    public void HhFittingTutorialModelsParse()
    {
        string[] expected =
        [
            "Differential v : volt", "Differential m : 1", "Differential n : 1", "Differential h : 1",
            "Parameter g_na : siemens (constant)", "Parameter g_kd : siemens (constant)",
            "Parameter gl : siemens (constant)", "Parameter Cm : farad (constant)", "Subexpression I : amp",
        ];
        var reference = ModelParser.ParseEquations(HhFitting);
        Assert.Equal(expected, Summary(reference));
        Assert.Equal("I_input(t, i)", Show(reference.Equations[8].Expression!));
        AssertSpansRoundTrip(reference);

        var docs = ModelParser.ParseEquations(HhFittingDocs);
        Assert.Equal(expected[..7], Summary(docs));
        // The same right-hand sides whatever the line breaks.
        Assert.Equal(reference.Equations.Take(4).Select(e => Show(e.Expression!)),
            docs.Equations.Take(4).Select(e => Show(e.Expression!)));
        var dm = docs.Equations[1];
        Assert.Equal((2, 5), (dm.Span.Line, dm.Unit.Span.Line));
        Assert.EndsWith("/ms*m : 1", dm.Span.Slice(HhFittingDocs));
        AssertSpansRoundTrip(docs);
    }

    [Fact]
    public void HhInferenceModelWithLeadingOperatorLinesParses()
    {
        var parsed = ModelParser.ParseEquations(HhInference);
        Assert.Equal(
        [
            "Differential v : volt", "Differential m : 1", "Differential n : 1", "Differential h : 1",
            "Subexpression alpha_m : Hz", "Subexpression beta_m : Hz", "Subexpression alpha_h : Hz",
            "Subexpression beta_h : Hz", "Subexpression alpha_n : Hz", "Subexpression beta_n : Hz",
            "Parameter g_Na : siemens (constant)", "Parameter g_K : siemens (constant)",
            "Parameter g_l : siemens (constant)", "Parameter Cm : farad (constant)",
        ], Summary(parsed));
        Assert.Equal("((-((((((g_Na * (m ** 3)) * h) * (v - E_Na)) + ((g_K * (n ** 4)) * (v - E_K))) + " +
                     "(g_l * (v - E_l))) - I)) / Cm)", Show(parsed.Equations[0].Expression!));
        Assert.Equal("(((((-0.32f) / mV) * ((v - VT) - (13f * mV))) / " +
                     "(exp(((-((v - VT) - (13f * mV))) / (4f * mV))) - 1)) / ms)", Show(parsed.Equations[4].Expression!));
        Assert.Equal(12, parsed.Equations[4].Span.Line);
        Assert.Equal(14, parsed.Equations[4].Unit.Span.Line);
        AssertSpansRoundTrip(parsed);
    }

    [Fact]
    public void AdExParses()
    {
        var parsed = ModelParser.ParseEquations(AdEx);
        Assert.Equal(["Differential v : volt", "Differential w : amp", "Parameter I : amp (constant)"], Summary(parsed));
        Assert.Equal("(((((gL * (EL - v)) + ((gL * DeltaT) * exp(((v - VT) / DeltaT)))) + I) - w) / C)", Show(parsed.Equations[0].Expression!));
        Assert.Equal("(((a * (v - EL)) - w) / tauw)", Show(parsed.Equations[1].Expression!));
        Assert.Null(parsed.Equations[2].Expression);
        AssertSpansRoundTrip(parsed);
    }

    [Fact]
    public void LifWithUnlessRefractoryParses()
    {
        var parsed = ModelParser.ParseEquations(Lif);
        Assert.Equal(["Differential v : volt (unless refractory)", "Parameter I : amp (constant)"], Summary(parsed));
        Assert.Equal("(((El - v) + (R * I)) / tau)", Show(parsed.Equations[0].Expression!));
        var flag = parsed.Equations[0].Flags[0];
        Assert.Equal(new SourceSpan(35, 17, 1, 36), flag.Span);
        Assert.Equal("dv/dt = (El - v + R*I)/tau : volt (unless refractory)", parsed.Equations[0].Span.Slice(Lif));
        Assert.Equal(new SourceSpan(1, 1, 1, 2), parsed.Equations[0].NameSpan);
        AssertSpansRoundTrip(parsed);
    }

    [Fact]
    public void OrnsteinUhlenbeckWithNoiseParses()
    {
        var eq = Assert.Single(ModelParser.ParseEquations(Ou).Equations);
        Assert.Equal(EquationKind.Differential, eq.Kind);
        Assert.Equal("(((mu - v) / tau) + ((sigma * sqrt((2 / tau))) * xi))", Show(eq.Expression!));
        Assert.Equal("1", Show(eq.Unit));
        Assert.True(((NumberLiteral)eq.Unit.Expression!).IsInteger);
    }

    [Fact]
    public void DimensionlessOscillatorsParse()
    {
        var vdp = ModelParser.ParseEquations(VanDerPol);
        Assert.Equal(["Differential x : 1", "Differential z : 1", "Parameter mu : 1 (constant)"], Summary(vdp));
        Assert.Equal("((((mu * (1 - (x ** 2))) * z) - x) / second)", Show(vdp.Equations[1].Expression!));
        AssertSpansRoundTrip(vdp);

        var fhn = ModelParser.ParseEquations(FitzHughNagumo);
        Assert.Equal("((((v - ((v ** 3) / 3)) - w) + I_ext) / second)", Show(fhn.Equations[0].Expression!));
        Assert.Equal("(((v + a) - (b * w)) / (tau * second))", Show(fhn.Equations[1].Expression!));
        AssertSpansRoundTrip(fhn);

        var qif = ModelParser.ParseEquations(QifMeanField);
        Assert.Equal("(((((v ** 2) + eta) + ((J * r) * tau)) - (((pi * r) * tau) ** 2)) / second)", Show(qif.Equations[1].Expression!));
        AssertSpansRoundTrip(qif);
    }

    [Fact]
    public void JansenRitParses()
    {
        var parsed = ModelParser.ParseEquations(JansenRit);
        Assert.Equal(14, parsed.Equations.Count);
        Assert.Equal("Differential y3 : (volt / second)", Summary(parsed)[1]);
        Assert.Equal("Subexpression psp : volt", Summary(parsed)[9]);
        Assert.Equal("Parameter C4 : 1 (constant)", Summary(parsed)[13]);
        Assert.Equal("((2 * e0) / (1 + exp((r * (v0 - (y1 - y2))))))", Show(parsed.Equations[6].Expression!));
        Assert.Equal("((((He / tau_e) * S_p) - ((2 * y3) / tau_e)) - (y0 / (tau_e ** 2)))",
            Show(parsed.Equations[1].Expression!));
        AssertSpansRoundTrip(parsed);
    }

    [Fact]
    public void UnitSpecificationsAndFlagsParse()
    {
        var parsed = ModelParser.ParseEquations("""
            g : siemens/metre**2 (constant, shared)
            a : metre**-2
            b : volt*second**-1 (constant over dt)
            spiking : boolean
            count : integer (shared)
            x = v > 0 : boolean
            w : 1 (constant  over
                   dt, event-driven)
            """);
        Assert.Equal(
        [
            "Parameter g : (siemens / (metre ** 2)) (constant, shared)",
            "Parameter a : (metre ** (-2))",
            "Parameter b : (volt * (second ** (-1))) (constant over dt)",
            "Parameter spiking : boolean",
            "Parameter count : integer (shared)",
            "Subexpression x : boolean",
            "Parameter w : 1 (constant over dt, event-driven)",
        ], Summary(parsed));
        Assert.Null(parsed.Equations[3].Unit.Expression);
        Assert.Equal(UnitKeyword.Integer, parsed.Equations[4].Unit.Keyword);
        Assert.Equal(UnitKeyword.None, parsed.Equations[0].Unit.Keyword);
        Assert.Equal("siemens/metre**2", parsed.Equations[0].Unit.Span.Slice(parsed.Source));
        Assert.Equal("g : siemens/metre**2 (constant, shared)", parsed.Equations[0].Span.Slice(parsed.Source));
    }

    [Fact]
    public void CommentsBlankLinesAndWhitespaceAreIgnored()
    {
        var parsed = ModelParser.ParseEquations("# header\n\n   \t dv/dt = -v/tau : volt  # decay\r\n  # done\n");
        var eq = Assert.Single(parsed.Equations);
        Assert.Equal("((-v) / tau)", Show(eq.Expression!));
        Assert.Equal((15, 3, 6), (eq.Span.Offset, eq.Span.Line, eq.Span.Column));
        Assert.Empty(ModelParser.ParseEquations("").Equations);
        Assert.Empty(ModelParser.ParseEquations("  # only a comment\n\n").Equations);
    }

    [Fact]
    public void LineStartingWithAnOperatorContinuesTheExpressionButNotTheUnit()
    {
        var eq = Assert.Single(ModelParser.ParseEquations("x = a\n\n  - b\n  and c : boolean").Equations);
        Assert.Equal("((a - b) and c)", Show(eq.Expression!));
        Assert.Throws<ModelException>(() => ModelParser.ParseEquations("x = a : volt\n  - b"));
    }

    [Fact]
    public void ExpressionMayStartOnTheLineAfterTheEqualsSign()
    {
        var eq = Assert.Single(ModelParser.ParseEquations("dv/dt =\n\n    -v/tau : volt").Equations);
        Assert.Equal("((-v) / tau)", Show(eq.Expression!));
        Assert.Equal(3, eq.Expression!.Span.Line);
    }
}
