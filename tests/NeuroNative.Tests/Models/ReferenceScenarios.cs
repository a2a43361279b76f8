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
    bool HasSpikes)
{
    public override string ToString() => Case;

    public ReferenceCase Data => ReferenceCase.Load(Case);

    /// <summary>"v[57]" -> ("v", 57).</summary>
    public static (string Variable, int Neuron) ParseColumn(string column)
    {
        int open = column.IndexOf('[');
        return (column[..open], int.Parse(column[(open + 1)..^1], CultureInfo.InvariantCulture));
    }

    public const string HhExplorationEquations = """
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
        var model = new ModelDefinition("""
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
            """)
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
        new ModelDefinition("""
            dv/dt = (El - v + R*I)/tau : volt (unless refractory)
            I : amp (constant)
            """)
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
        new ModelDefinition("""
            dv/dt = (gL*(EL-v)+gL*DeltaT*exp((v-VT)/DeltaT)+I-w)/C : volt
            dw/dt = (a*(v-EL)-w)/tauw : amp
            I : amp (constant)
            """)
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
        new ModelDefinition("""
            dx/dt = z/second : 1
            dz/dt = (mu*(1-x**2)*z - x)/second : 1
            mu : 1 (constant)
            """) { Method = method },
        6, 0.01, 5000, Conditions(@case, "mu"), new Dictionary<string, string> { ["x"] = "0.1" },
        [new TraceFile("traces.csv", 10, true)], HasSpikes: false);

    private static ReferenceScenario FitzHughNagumo() => new(
        "fitzhugh_nagumo",
        new ModelDefinition("""
            dv/dt = (v - v**3/3 - w + I_ext)/second : 1
            dw/dt = (v + a - b*w)/(tau*second) : 1
            a : 1 (constant)
            I_ext : 1 (constant)
            """)
        {
            Namespace = new Dictionary<string, NamespaceValue> { ["b"] = 0.8, ["tau"] = 12.5 },
            Method = "rk4",
        },
        9, 5e-3, 20000, Conditions("fitzhugh_nagumo", "a", "I_ext"), new Dictionary<string, string>(),
        [new TraceFile("traces.csv", 20, true)], HasSpikes: false);

    private static ReferenceScenario Qif(string @case, string method) => new(
        @case,
        new ModelDefinition("""
            dr/dt = (Delta/(tau*pi) + 2*r*v)/second : 1
            dv/dt = (v**2 + eta + J*r*tau - (pi*r*tau)**2)/second : 1
            eta : 1 (constant)
            """)
        {
            Namespace = new Dictionary<string, NamespaceValue> { ["Delta"] = 1.0, ["tau"] = 1.0, ["J"] = 15.0 },
            Method = method,
        },
        15, 5e-3, 40000, Conditions(@case, "eta"), new Dictionary<string, string> { ["r"] = "0.1", ["v"] = "-2" },
        [new TraceFile("traces.csv", 100, true)], HasSpikes: false);

    private static ReferenceScenario JansenRit() => new(
        "jansen_rit",
        new ModelDefinition("""
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
            """)
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
    ];

    public static ReferenceScenario Get(string @case) => All().Single(s => s.Case == @case);

    public static IEnumerable<object[]> Cases() => All().Select(s => new object[] { s.Case });
}
