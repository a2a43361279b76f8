using NeuroNative.Models;

namespace NeuroNative.Explorations;

/// <summary>
/// Models with their literature defaults (docs/explorations.md, "The model library"), each handed out as a new
/// copy to change: <c>library: jansen_rit</c> in an exploration file, <see cref="JansenRit"/> in C#. (Not a class
/// named Models, which would clash with the NeuroNative.Models namespace.)
/// </summary>
public static class ModelLibrary
{
    private static readonly Dictionary<string, Func<Dynamics>> Entries = new(StringComparer.Ordinal)
    {
        ["jansen_rit"] = JansenRit,
        ["van_der_pol"] = VanDerPol,
        ["fitzhugh_nagumo"] = FitzHughNagumo,
        ["qif_mean_field"] = QifMeanField,
        ["wilson_cowan"] = WilsonCowan,
    };

    /// <summary>The names <c>library:</c> accepts.</summary>
    public static IReadOnlyList<string> Names => [.. Entries.Keys];

    public static Dynamics Get(string name) => Entries.TryGetValue(name, out var make) ? make()
        : throw new ArgumentException($"no library model '{name}'{(Models.Analysis.ExpressionCompiler.Suggest(name, Entries.Keys) is { } s ? $" (did you mean '{s}'?)" : "")}; " +
                                      $"the library has {string.Join(", ", Entries.Keys)}", nameof(name));

    /// <summary>
    /// Jansen &amp; Rit (1995) as PyRates' template <c>model_templates.neural_mass_models.jansenrit.JRC2</c> (the
    /// lumped operator <c>jrc_op</c>): volts and seconds, PSP kernels of efficacy h and time constant tau, the
    /// sigmoid m_max/(1 + exp(-r (V - V_thr))), connectivities scaled by c (0.8 c for PC←EIN, c/ei_ratio for the
    /// inhibitory loop). <c>V_e - V_i</c> is the pyramidal cells' membrane potential (the EEG-like signal); u is the
    /// extrinsic input (220 Hz by default; an input of that name replaces it).
    /// </summary>
    public static Dynamics JansenRit() => new Dynamics("JansenRit")
        .AddParameter("h_e", 3.25e-3, "Excitatory synaptic efficacy (V)")
        .AddParameter("tau_e", 10e-3, "Excitatory time constant (s)")
        .AddParameter("h_i", 22e-3, "Inhibitory synaptic efficacy (V)")
        .AddParameter("tau_i", 20e-3, "Inhibitory time constant (s)")
        .AddParameter("m_max", 5.0, "Maximal firing rate of the sigmoid (Hz)")
        .AddParameter("r", 560.0, "Slope of the sigmoid (1/V)")
        .AddParameter("V_thr", 6e-3, "Firing threshold of the sigmoid (V)")
        .AddParameter("c", 135.0, "Connectivity scaling C")
        .AddParameter("ei_ratio", 4.0, "Ratio of excitatory to inhibitory interneuron coupling")
        .AddParameter("io_ratio", 3.0, "Ratio of intrinsic to extrinsic network input")
        .AddParameter("m_in", 0.0, "Network input rate (Hz)")
        .AddParameter("u", 220.0, "Extrinsic input rate (Hz)")
        .AddDerivedVariable("m", "m_max/(1 + exp(-r*(V_e - V_i - V_thr)))", "Pyramidal cells' firing rate (Hz)")
        .AddStateVariable("V_ein", "X_ein", 0, "PSP at the excitatory interneurons (V)")
        .AddStateVariable("X_ein", "h_e*c/tau_e*m - V_ein/tau_e**2 - 2*X_ein/tau_e")
        .AddStateVariable("V_iin", "X_iin", 0, "PSP at the inhibitory interneurons (V)")
        .AddStateVariable("X_iin", "h_e*c/(ei_ratio*tau_e)*m - V_iin/tau_e**2 - 2*X_iin/tau_e")
        .AddStateVariable("V_e", "X_e", 0, "Excitatory PSP at the pyramidal cells (V)")
        .AddStateVariable("X_e", "h_e/tau_e*(c*0.8*m_max/(1 + exp(-r*(V_ein - V_thr))) + c*m_in/io_ratio + u) - V_e/tau_e**2 - 2*X_e/tau_e")
        .AddStateVariable("V_i", "X_i", 0, "Inhibitory PSP at the pyramidal cells (V)")
        .AddStateVariable("X_i", "h_i*c/(ei_ratio*tau_i)*m_max/(1 + exp(-r*(V_iin - V_thr))) - V_i/tau_i**2 - 2*X_i/tau_i");

    /// <summary>Van der Pol's oscillator as in TVB-O's example: x' = z, z' = mu (1 - x^2) z - x.</summary>
    public static Dynamics VanDerPol() => new Dynamics("VdP")
        .AddParameter("mu", 1.0, "Damping parameter")
        .AddStateVariable("x", "z", 0.1)
        .AddStateVariable("z", "mu*(1 - x**2)*z - x", 0.0);

    /// <summary>FitzHugh–Nagumo with FitzHugh's (1961) parameters, as in TVB-O's example.</summary>
    public static Dynamics FitzHughNagumo() => new Dynamics("FHN")
        .AddParameter("a", 0.7)
        .AddParameter("b", 0.8)
        .AddParameter("tau", 12.5, "Recovery time scale")
        .AddParameter("I_ext", 0.5, "External current")
        .AddStateVariable("v", "v - v**3/3 - w + I_ext", 0.0, "Membrane potential")
        .AddStateVariable("w", "(v + a - b*w)/tau", 0.0, "Recovery variable");

    /// <summary>The QIF mean field of Montbrió, Pazó &amp; Roxin (2015): firing rate r and mean potential v of
    /// quadratic integrate-and-fire neurons with Lorentzian-distributed drives (centre eta, half-width Delta).</summary>
    public static Dynamics QifMeanField() => new Dynamics("QIF")
        .AddParameter("tau", 1.0, "Membrane time constant")
        .AddParameter("eta", -5.0, "Background drive")
        .AddParameter("J", 15.0, "Coupling strength")
        .AddParameter("Delta", 1.0, "Heterogeneity")
        .AddStateVariable("r", "Delta/(tau*pi) + 2*r*v", 0.1, "Firing rate")
        .AddStateVariable("v", "v**2 + eta + J*r*tau - (pi*r*tau)**2", -2.0, "Mean membrane potential");

    /// <summary>Wilson &amp; Cowan (1972): excitatory and inhibitory activities with refractoriness r and the
    /// offset sigmoid S(x) = 1/(1 + exp(-a (x - theta))) - 1/(1 + exp(a theta)); the paper's limit-cycle
    /// parameters (c1..c4 = 16, 12, 15, 3; a_e 1.3, theta_e 4; a_i 2, theta_i 3.7) with drive P = 1.25.</summary>
    public static Dynamics WilsonCowan() => new Dynamics("WilsonCowan")
        .AddParameter("c1", 16.0, "E to E coupling")
        .AddParameter("c2", 12.0, "I to E coupling")
        .AddParameter("c3", 15.0, "E to I coupling")
        .AddParameter("c4", 3.0, "I to I coupling")
        .AddParameter("a_e", 1.3, "Slope of the excitatory sigmoid")
        .AddParameter("theta_e", 4.0, "Threshold of the excitatory sigmoid")
        .AddParameter("a_i", 2.0, "Slope of the inhibitory sigmoid")
        .AddParameter("theta_i", 3.7, "Threshold of the inhibitory sigmoid")
        .AddParameter("r_e", 1.0, "Excitatory refractoriness")
        .AddParameter("r_i", 1.0, "Inhibitory refractoriness")
        .AddParameter("tau_e", 1.0, "Excitatory time constant")
        .AddParameter("tau_i", 1.0, "Inhibitory time constant")
        .AddParameter("P", 1.25, "External drive to E")
        .AddParameter("Q", 0.0, "External drive to I")
        .AddDerivedVariable("S_e", "1/(1 + exp(-a_e*(c1*E - c2*I + P - theta_e))) - 1/(1 + exp(a_e*theta_e))")
        .AddDerivedVariable("S_i", "1/(1 + exp(-a_i*(c3*E - c4*I + Q - theta_i))) - 1/(1 + exp(a_i*theta_i))")
        .AddStateVariable("E", "(-E + (1 - r_e*E)*S_e)/tau_e", 0.1, "Excitatory activity")
        .AddStateVariable("I", "(-I + (1 - r_i*I)*S_i)/tau_i", 0.05, "Inhibitory activity");

    /// <summary>The Hodgkin–Huxley model of Brian 2's parameter exploration example (seed 000; Traub &amp; Miles
    /// rates, 20,000 µm² of membrane), a Brian model with units: g_na and I per neuron.</summary>
    public static ModelDefinition HodgkinHuxleyExploration() => new(
        """
        dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
        dm/dt = alpha_m*(1-m)-beta_m*m : 1
        dn/dt = alpha_n*(1-n)-beta_n*n : 1
        dh/dt = alpha_h*(1-h)-beta_h*h : 1
        alpha_m = 0.32*(mV**-1)*(13*mV-v+VT)/(exp((13*mV-v+VT)/(4*mV))-1.)/ms : Hz
        beta_m = 0.28*(mV**-1)*(v-VT-40*mV)/(exp((v-VT-40*mV)/(5*mV))-1)/ms : Hz
        alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
        beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
        alpha_n = 0.032*(mV**-1)*(15*mV-v+VT)/(exp((15*mV-v+VT)/(5*mV))-1.)/ms : Hz
        beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
        I : amp (constant)
        g_na : siemens (constant)
        """)
    {
        Namespace = new Dictionary<string, NamespaceValue>
        {
            ["area"] = "20000*umetre**2",
            ["Cm"] = "(1*ufarad*cm**-2) * area",
            ["gl"] = "(5e-5*siemens*cm**-2) * area",
            ["El"] = "-60*mV",
            ["EK"] = "-90*mV",
            ["ENa"] = "50*mV",
            ["g_kd"] = "(30*msiemens*cm**-2) * area",
            ["VT"] = "-63*mV",
        },
        Threshold = "v > -20*mV",
        Refractory = "v > -20*mV",
        Method = "exponential_euler",
    };
}
