using System.Globalization;
using NeuroNative.Models;
using NeuroNative.Models.Units;
using NeuroNative.Tests.Reference;

namespace NeuroNative.Tests.Models;

/// <summary>A trace file of a reference case: rows every <see cref="Every"/> steps, maybe with a
/// last row holding the state after the run.</summary>
public sealed record TraceFile(string File, int Every, bool FinalRow);

/// <summary>
/// One reference case as NeuroNative runs it: the model exactly as given to Brian (see each case's
/// PROVENANCE.md), per-neuron values from conditions.csv, initial values, dt and number of steps.
/// </summary>
public sealed record ReferenceScenario(
    string Case,
    ModelDefinition Model,
    int Neurons,
    double Dt,
    long Steps,
    IReadOnlyDictionary<string, double[]> PerNeuron,
    IReadOnlyDictionary<string, string> Initial,
    IReadOnlyList<TraceFile> Traces,
    bool HasSpikes,
    double TraceTolerance = ReferenceComparison.RelativeTraceTolerance)
{
    public override string ToString() => Case;

    public ReferenceCase Data => ReferenceCase.Load(Case);

    /// <summary>"v[57]" -> ("v", 57).</summary>
    public static (string Variable, int Neuron) ParseColumn(string column)
    {
        int open = column.IndexOf('[');
        return (column[..open], int.Parse(column[(open + 1)..^1], CultureInfo.InvariantCulture));
    }

    public const string HhExplorationEquations = Parsing.ModelEquationsTests.HhExploration;


    public static readonly IReadOnlyDictionary<string, NamespaceValue> HhExplorationNamespace = new Dictionary<string, NamespaceValue>
    {
        ["area"] = "20000*umetre**2",
        ["Cm"] = "(1*ufarad*cm**-2) * area",
        ["gl"] = "(5e-5*siemens*cm**-2) * area",
        ["El"] = "-60*mV",
        ["EK"] = "-90*mV",
        ["ENa"] = "50*mV",
        ["g_kd"] = "(30*msiemens*cm**-2) * area",
        ["VT"] = "-63*mV",
    };

    private static Dictionary<string, double[]> Conditions(string @case, params string[] names)
    {
        var all = ReferenceCase.Load(@case).Conditions();
        return names.ToDictionary(n => n, n => all[n]);
    }

    private static ReferenceScenario HhExploration(string @case) => new(
        @case,
        new ModelDefinition(HhExplorationEquations)
        {
            Namespace = HhExplorationNamespace,
            Threshold = "v>-20*mV",
            Refractory = "v>-20*mV",
            Method = "exponential_euler",
        },
        400, 1e-4, 20000, Conditions(@case, "g_na", "I"), new Dictionary<string, string> { ["v"] = "El" },
        [new TraceFile("traces.csv", 1, false)], HasSpikes: true);

    private static ReferenceScenario HhFitting()
    {
        const string @case = "hh_fitting_tutorial";
        var input = ReferenceCase.Load(@case).ReadCsv("input_traces_hh.csv");
        int traces = input.Rows.Length, samples = input.Columns.Count - 1;
        var values = new double[samples * traces];
        for (int k = 0; k < samples; k++)
            for (int r = 0; r < traces; r++) values[k * traces + r] = input.Rows[r][k + 1];
        var model = new ModelDefinition(Parsing.ModelEquationsTests.HhFitting)
        {
            Namespace = new Dictionary<string, NamespaceValue>
            {
                ["area"] = "20000*umetre**2",
                ["El"] = "-65*mV",
                ["EK"] = "-90*mV",
                ["ENa"] = "50*mV",
                ["VT"] = "-63*mV",
                ["I_input"] = new TimedArray(values, traces, 1e-5, Dimension.Current),
            },
            Threshold = "v>-20*mV",
            Refractory = "v>-20*mV",
            Method = "exponential_euler",
        };
        return new ReferenceScenario(@case, model, traces, 1e-5, 1497, Conditions(@case, "gl", "g_na", "g_kd", "Cm"),
            new Dictionary<string, string> { ["v"] = "-65*mV" }, [new TraceFile("traces.csv", 1, false)], HasSpikes: true);
    }

    private static ReferenceScenario Lif(string @case, string method) => new(
        @case,
        new ModelDefinition(Parsing.ModelEquationsTests.Lif)
        {
            Namespace = new Dictionary<string, NamespaceValue> { ["El"] = "-70*mV", ["R"] = "100*Mohm", ["tau"] = "10*ms" },
            Threshold = "v>-50*mV",
            Reset = "v=-70*mV",
            Refractory = "5*ms",
            Method = method,
        },
        50, 1e-4, 10000, Conditions(@case, "I"), new Dictionary<string, string> { ["v"] = "El" }, [], HasSpikes: true);

    private static ReferenceScenario Adex(string @case, double dt, long steps, IReadOnlyList<TraceFile> traces) => new(
        @case,
        new ModelDefinition(Parsing.ModelEquationsTests.AdEx)
        {
            Namespace = new Dictionary<string, NamespaceValue>
            {
                ["C"] = "281*pF", ["gL"] = "30*nS", ["EL"] = "-70.6*mV", ["VT"] = "-50.4*mV", ["DeltaT"] = "2*mV",
                ["tauw"] = "144*ms", ["a"] = "4*nS", ["b"] = "0.0805*nA", ["Vr"] = "EL",
            },
            Threshold = "v>-40*mV",
            Reset = "v=Vr; w+=b",
            Method = "euler",
        },
        20, dt, steps, Conditions(@case, "I"), new Dictionary<string, string> { ["v"] = "EL" }, traces, HasSpikes: true);

    private static ReferenceScenario VanDerPol(string @case, string method) => new(
        @case,
        new ModelDefinition(Parsing.ModelEquationsTests.VanDerPol) { Method = method },
        6, 0.01, 5000, Conditions(@case, "mu"), new Dictionary<string, string> { ["x"] = "0.1" },
        [new TraceFile("traces.csv", 10, true)], HasSpikes: false);

    private static ReferenceScenario FitzHughNagumo() => new(
        "fitzhugh_nagumo",
        new ModelDefinition(Parsing.ModelEquationsTests.FitzHughNagumo)
        {
            Namespace = new Dictionary<string, NamespaceValue> { ["b"] = 0.8, ["tau"] = 12.5 },
            Method = "rk4",
        },
        9, 5e-3, 20000, Conditions("fitzhugh_nagumo", "a", "I_ext"), new Dictionary<string, string>(),
        [new TraceFile("traces.csv", 20, true)], HasSpikes: false);

    private static ReferenceScenario Qif(string @case, string method) => new(
        @case,
        new ModelDefinition(Parsing.ModelEquationsTests.QifMeanField)
        {
            Namespace = new Dictionary<string, NamespaceValue> { ["Delta"] = 1.0, ["tau"] = 1.0, ["J"] = 15.0 },
            Method = method,
        },
        15, 5e-3, 40000, Conditions(@case, "eta"), new Dictionary<string, string> { ["r"] = "0.1", ["v"] = "-2" },
        [new TraceFile("traces.csv", 100, true)], HasSpikes: false);

    private static ReferenceScenario JansenRit() => new(
        "jansen_rit",
        new ModelDefinition(Parsing.ModelEquationsTests.JansenRit)
        {
            Namespace = new Dictionary<string, NamespaceValue>
            {
                ["He"] = "3.25*mV", ["Hi"] = "22*mV", ["tau_e"] = "10*ms", ["tau_i"] = "20*ms", ["e0"] = "2.5*Hz",
                ["v0"] = "6*mV", ["r"] = "0.56/mV", ["p"] = "220*Hz",
            },
            Method = "euler",
        },
        6, 1e-4, 20000, Conditions("jansen_rit", "C1", "C2", "C3", "C4"), new Dictionary<string, string>(),
        [new TraceFile("traces.csv", 10, true)], HasSpikes: false);

    // tests/data/reference/morris_lecar and inap_ik: instantaneous activations m_inf(v) make the coefficient
    // of v under exponential_euler depend on v (Brian's conditionally linear split, frozen over the step).
    private const string MorrisLecar = """
        dv/dt = (I - gL*(v - EL) - gCa*m_inf*(v - ECa) - gK*w*(v - EK))/C : volt
        dw/dt = phi*(w_inf - w)/tau_w : 1
        m_inf = 0.5*(1 + tanh((v - V1)/V2)) : 1
        w_inf = 0.5*(1 + tanh((v - V3)/V4)) : 1
        tau_w = 1/cosh((v - V3)/(2*V4)) : 1
        I : amp (constant)
        """;

    private const string INapIK = """
        dv/dt = (I - gL*(v - EL) - gNa*m_inf*(v - ENa) - gK*n*(v - EK))/C : volt
        dn/dt = (n_inf - n)/tau_n : 1
        m_inf = 1/(1 + exp((V_half_m - v)/k_m)) : 1
        n_inf = 1/(1 + exp((V_half_n - v)/k_n)) : 1
        I : amp (constant)
        """;

    private static ReferenceScenario ExponentialEuler(string @case, string equations, Dictionary<string, NamespaceValue> ns,
        string threshold, string v0, double dt, long steps) => new(
        @case,
        new ModelDefinition(equations) { Namespace = ns, Threshold = threshold, Refractory = threshold, Method = "exponential_euler" },
        20, dt, steps, Conditions(@case, "I"), new Dictionary<string, string> { ["v"] = v0 },
        [new TraceFile("traces.csv", 10, false)], HasSpikes: true);

    // tests/data/reference/exact_biexp_lif: a coupled linear system with a per-neuron coefficient and no
    // method, for which Brian chooses exact; the matrix exponential reproduces its closed form to rounding.
    public const string BiexpLif = """
        dv/dt = (El - v + R*(I_syn + I_b))/tau_m : volt (unless refractory)
        dI_syn/dt = (x - I_syn)/tau_r : amp
        dx/dt = -x/tau_d : amp
        tau_d : second (constant)
        I_b : amp (constant)
        """;

    private static ReferenceScenario ExactBiexpLif() => new(
        "exact_biexp_lif",
        new ModelDefinition(BiexpLif)
        {
            Namespace = new Dictionary<string, NamespaceValue>
            {
                ["El"] = "-70*mV", ["Vr"] = "-60*mV", ["R"] = "100*Mohm", ["tau_m"] = "10*ms", ["tau_r"] = "1*ms", ["w"] = "0.08*nA",
            },
            Threshold = "v > -50*mV",
            Reset = "v = Vr; x += w",
            Refractory = "2*ms",
        },
        20, 1e-4, 5000, Conditions("exact_biexp_lif", "tau_d", "I_b"),
        new Dictionary<string, string> { ["v"] = "El", ["x"] = "0.3*nA" }, [new TraceFile("traces.csv", 1, false)],
        HasSpikes: true, TraceTolerance: 1e-9);

    /// <summary>Every deterministic reference case of Brian 2.</summary>
    public static IReadOnlyList<ReferenceScenario> All() =>
    [
        HhExploration("hh_exploration_small"),
        HhExploration("hh_exploration_small_nA"),
        HhFitting(),
        Lif("lif_refractory_exact", "exact"),
        Lif("lif_refractory_euler", "euler"),
        Adex("adex_dt0.1", 1e-4, 5000, [new TraceFile("traces.csv", 1, false)]),
        Adex("adex_dt0.01", 1e-5, 50000, [new TraceFile("traces.csv", 10, false), new TraceFile("traces_fullres.csv", 1, false)]),
        VanDerPol("vanderpol_rk4", "rk4"),
        VanDerPol("vanderpol_euler", "euler"),
        FitzHughNagumo(),
        Qif("qif_meanfield_rk4", "rk4"),
        Qif("qif_meanfield_euler", "euler"),
        JansenRit(),
        ExponentialEuler("morris_lecar", MorrisLecar, new()
        {
            ["C"] = "20*uF", ["gL"] = "2*mS", ["EL"] = "-60*mV", ["gCa"] = "4.4*mS", ["ECa"] = "120*mV", ["gK"] = "8*mS",
            ["EK"] = "-84*mV", ["V1"] = "-1.2*mV", ["V2"] = "18*mV", ["V3"] = "2*mV", ["V4"] = "30*mV", ["phi"] = "0.04/ms",
        }, "v > 0*mV", "-60*mV", 5e-5, 20000),
        ExponentialEuler("inap_ik", INapIK, new()
        {
            ["C"] = "1*uF", ["gL"] = "8*mS", ["EL"] = "-80*mV", ["gNa"] = "20*mS", ["ENa"] = "60*mV", ["gK"] = "10*mS",
            ["EK"] = "-90*mV", ["V_half_m"] = "-20*mV", ["k_m"] = "15*mV", ["V_half_n"] = "-25*mV", ["k_n"] = "5*mV",
            ["tau_n"] = "1*ms",
        }, "v > -20*mV", "-65*mV", 1e-5, 20000),
        ExactBiexpLif(),
    ];

    public static ReferenceScenario Get(string @case) => All().Single(s => s.Case == @case);

    public static IEnumerable<object[]> Cases() => All().Select(s => new object[] { s.Case });
}
