using NeuroNative.Models;

namespace NeuroNative.Synapses;

/// <summary>
/// A piece of a synapse rig written in the model language: equations, the defaults of its constants (model-language
/// expressions with units, each settable per neuron), initial values, and for a synapse the statements run at each
/// presynaptic event (<c>w</c> is the event's weight in siemens) and statements run at the start of every step.
/// The cell's membrane equation uses <c>i_syn</c> (the synapse's membrane current, positive outward as NEURON's
/// point-process current) and <c>i_clamp</c> (the electrode current, positive into the cell as SEClamp's and IClamp's).
/// </summary>
public sealed record ModelPart(string Name, string Equations)
{
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Initial { get; init; } = new Dictionary<string, string>();
    public string? OnPre { get; init; }
    public string? EveryStep { get; init; }
}

/// <summary>The library of cells and synapses (docs/synapses.md), each a new copy: <c>library: tm_exp2syn</c> in a
/// synapse file. Every entry is model text a user could have written.</summary>
public static class SynapseLibrary
{
    private static readonly Dictionary<string, Func<ModelPart>> Cells = new(StringComparer.Ordinal)
    {
        ["passive_soma"] = PassiveSoma,
    };

    private static readonly Dictionary<string, Func<ModelPart>> Synapses = new(StringComparer.Ordinal)
    {
        ["exp2syn"] = Exp2Syn,
        ["tm_exp2syn"] = TmExp2Syn,
        ["alpha"] = Alpha,
        ["nmda"] = Nmda,
        ["ampa_nmda"] = AmpaNmda,
        ["gap"] = Gap,
    };

    public static IReadOnlyList<string> CellNames => [.. Cells.Keys];
    public static IReadOnlyList<string> SynapseNames => [.. Synapses.Keys];

    public static ModelPart Cell(string name) => Lookup(Cells, name, "cell");
    public static ModelPart Synapse(string name) => Lookup(Synapses, name, "synapse");

    private static ModelPart Lookup(Dictionary<string, Func<ModelPart>> entries, string name, string what) =>
        entries.TryGetValue(name, out var make) ? make()
            : throw new ArgumentException($"no library {what} '{name}'" +
                (Models.Analysis.ExpressionCompiler.Suggest(name, entries.Keys) is { } s ? $" (did you mean '{s}'?)" : "") +
                $"; the library has {string.Join(", ", entries.Keys)}", nameof(name));

    /// <summary>NEURON's single section with <c>pas</c> (nseg = 1): a cylinder of length L and diameter diam
    /// (area pi·L·diam, the ends excluded as NEURON does), specific capacitance cm and leak g_pas, e_pas.</summary>
    public static ModelPart PassiveSoma() => new("passive_soma", """
        area = pi*L*diam : meter**2
        i_pas = g_pas*area*(v - e_pas) : amp
        dv/dt = (-i_pas - i_syn + i_clamp)/(cm*area) : volt
        """)
    {
        Parameters = new Dictionary<string, string>
        {
            ["L"] = "20*um", ["diam"] = "20*um", ["cm"] = "0.01*farad/meter**2", ["g_pas"] = "1*siemens/meter**2", ["e_pas"] = "-70*mV",
        },
        Initial = new Dictionary<string, string> { ["v"] = "e_pas" },
    };

    // Exp2Syn's normalisation: the peak of exp(-t/tau2) - exp(-t/tau1) is at tp, so a jump of w*factor peaks at w.
    private const string Exp2Factor = """
        tp = tau1*tau2/(tau2 - tau1)*log(tau2/tau1) : second
        factor = 1/(exp(-tp/tau2) - exp(-tp/tau1)) : 1
        """;

    private static readonly Dictionary<string, string> Exp2Defaults = new() { ["tau1"] = "0.5*ms", ["tau2"] = "5*ms", ["e"] = "0*mV" };

    /// <summary>NEURON's Exp2Syn: g = B - A, A and B decaying with tau1 &lt; tau2, both jumping by w·factor so that
    /// the peak conductance equals the weight.</summary>
    public static ModelPart Exp2Syn() => new("exp2syn", """
        dA/dt = -A/tau1 : siemens
        dB/dt = -B/tau2 : siemens
        g_syn = B - A : siemens
        i_syn = g_syn*(v - e) : amp
        """ + "\n" + Exp2Factor)
    {
        Parameters = Exp2Defaults,
        OnPre = "A += w*factor\nB += w*factor",
    };

    // Tsodyks-Markram with u decaying to 0 between spikes (issue 15): the state belongs to the synapse; tlast is the
    // previous event (initially far in the past, so R starts recovered).
    private const string TmUpdate = """
        u = u*exp(-(t - tlast)/tau_facil)
        R = 1 - (1 - R)*exp(-(t - tlast)/tau_rec)
        u = u + U*(1 - u)
        release = u*R
        R = R - release
        tlast = t
        """;

    private const string TmStates = """
        u : 1
        R : 1
        release : 1
        tlast : second
        """;

    private static readonly Dictionary<string, string> TmInitial = new() { ["R"] = "1", ["tlast"] = "-1e6*second" };

    /// <summary>Exp2Syn whose conductance jumps by w·u·R (Tsodyks–Markram short-term plasticity, issue 15):
    /// u ← u·e^(−Δt/tau_facil) (0 when tau_facil = 0), u ← u + U(1 − u), release = u·R, R ← R − release, and R
    /// recovers as 1 − (1 − R)·e^(−Δt/tau_rec).</summary>
    public static ModelPart TmExp2Syn() => new("tm_exp2syn", """
        dA/dt = -A/tau1 : siemens
        dB/dt = -B/tau2 : siemens
        g_syn = B - A : siemens
        i_syn = g_syn*(v - e) : amp
        """ + "\n" + TmStates + "\n" + Exp2Factor)
    {
        Parameters = new Dictionary<string, string>(Exp2Defaults) { ["U"] = "0.5", ["tau_rec"] = "800*ms", ["tau_facil"] = "0*ms" },
        Initial = TmInitial,
        OnPre = TmUpdate + "\nA += w*factor*release\nB += w*factor*release",
    };

    /// <summary>Alpha synapse: g = w·(t/tau)·e^(1 − t/tau) after an event, peaking at w at t = tau.</summary>
    public static ModelPart Alpha() => new("alpha", """
        dg_syn/dt = (x - g_syn)/tau : siemens
        dx/dt = -x/tau : siemens
        i_syn = g_syn*(v - e) : amp
        """)
    {
        Parameters = new Dictionary<string, string> { ["tau"] = "2*ms", ["e"] = "0*mV" },
        OnPre = "x += w*exp(1)",
    };

    // Jahr & Stevens (1990) Mg block at mg mM. It reads v_step, the membrane potential at the start of the step, which
    // keeps the equations conditionally linear in v for exponential Euler (NEURON's fixed step also linearises it there).
    private const string MgBlock = """
        v_step : volt
        mg_block = 1/(1 + exp(-0.062*v_step/mV)*mg/3.57) : 1
        """;

    /// <summary>NMDA: Exp2Syn kinetics (tau1 2 ms, tau2 65 ms) times the Mg block.</summary>
    public static ModelPart Nmda() => new("nmda", """
        dA/dt = -A/tau1 : siemens
        dB/dt = -B/tau2 : siemens
        g_syn = (B - A)*mg_block : siemens
        i_syn = g_syn*(v - e) : amp
        """ + "\n" + MgBlock + "\n" + Exp2Factor)
    {
        Parameters = new Dictionary<string, string> { ["tau1"] = "2*ms", ["tau2"] = "65*ms", ["e"] = "0*mV", ["mg"] = "1" },
        Initial = new Dictionary<string, string> { ["v_step"] = "v" },
        OnPre = "A += w*factor\nB += w*factor",
        EveryStep = "v_step = v",
    };

    /// <summary>AMPA + NMDA with one Tsodyks–Markram release: the AMPA conductance (Exp2Syn) jumps by w·release, the
    /// NMDA one (Exp2Syn times the Mg block) by nmda_ratio·w·release; each normalised to its own peak.</summary>
    public static ModelPart AmpaNmda() => new("ampa_nmda", """
        dA/dt = -A/tau1 : siemens
        dB/dt = -B/tau2 : siemens
        dA_n/dt = -A_n/tau1_nmda : siemens
        dB_n/dt = -B_n/tau2_nmda : siemens
        g_ampa = B - A : siemens
        g_nmda = (B_n - A_n)*mg_block : siemens
        g_syn = g_ampa + g_nmda : siemens
        i_syn = g_syn*(v - e) : amp
        tp_n = tau1_nmda*tau2_nmda/(tau2_nmda - tau1_nmda)*log(tau2_nmda/tau1_nmda) : second
        factor_n = 1/(exp(-tp_n/tau2_nmda) - exp(-tp_n/tau1_nmda)) : 1
        """ + "\n" + TmStates + "\n" + MgBlock + "\n" + Exp2Factor)
    {
        Parameters = new Dictionary<string, string>(Exp2Defaults)
        {
            ["tau1_nmda"] = "2*ms", ["tau2_nmda"] = "65*ms", ["nmda_ratio"] = "0.5", ["mg"] = "1",
            ["U"] = "0.5", ["tau_rec"] = "800*ms", ["tau_facil"] = "0*ms",
        },
        Initial = new Dictionary<string, string>(TmInitial) { ["v_step"] = "v" },
        OnPre = TmUpdate + "\nA += w*factor*release\nB += w*factor*release" +
                "\nA_n += nmda_ratio*w*factor_n*release\nB_n += nmda_ratio*w*factor_n*release",
        EveryStep = "v_step = v",
    };

    /// <summary>A gap junction of conductance g_gap between the cell (v) and a second copy of it (v_2), the same
    /// ohmic coupling as NEURON's usual gap.mod pair; <see cref="SynapseRig"/> builds the second cell.</summary>
    public static ModelPart Gap() => new("gap", """
        i_syn = g_gap*(v - v_2) : amp
        """)
    {
        Parameters = new Dictionary<string, string> { ["g_gap"] = "1*nS" },
    };
}
