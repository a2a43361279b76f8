namespace NeuroNative.Tests.Experiments;

/// <summary>Experiment files for the spiking reference cases (models as in each case's PROVENANCE.md
/// and tests/NeuroNative.Tests/Models/ReferenceScenarios.cs), without sweep and record sections.</summary>
internal static class ExperimentFiles
{
    /// <summary>A model text as the block scalar under <c>equations: |</c> (indented 4 past <c>model:</c>).</summary>
    public static string Yaml(string equations) => string.Join("\n    ", equations.Split('\n'));

    public static string Hh(double seconds) => $"""
        model:
          equations: |
            {Yaml(Parsing.ModelEquationsTests.HhExploration)}
          namespace:
            area: 20000*umetre**2
            Cm: (1*ufarad*cm**-2) * area
            gl: (5e-5*siemens*cm**-2) * area
            El: -60*mV
            EK: -90*mV
            ENa: 50*mV
            g_kd: (30*msiemens*cm**-2) * area
            VT: -63*mV
          threshold: v>-20*mV
          refractory: v>-20*mV
          method: exponential_euler
          initial: {"{"}v: El{"}"}
        dt: 0.1*ms
        duration: {seconds}*second

        """;

    public static string Lif(string method) => $"""
        model:
          equations: |
            {Yaml(Parsing.ModelEquationsTests.Lif)}
          namespace: {"{"}El: -70*mV, R: 100*Mohm, tau: 10*ms{"}"}
          threshold: v>-50*mV
          reset: v=-70*mV
          refractory: 5*ms
          method: {method}
          initial: {"{"}v: El{"}"}
        dt: 0.1*ms
        duration: 1*second

        """;

    public static string Adex(string dt, string duration) => $"""
        model:
          equations: |
            {Yaml(Parsing.ModelEquationsTests.AdEx)}
          namespace: {"{"}C: 281*pF, gL: 30*nS, EL: -70.6*mV, VT: -50.4*mV, DeltaT: 2*mV, tauw: 144*ms, a: 4*nS, b: 0.0805*nA, Vr: EL{"}"}
          threshold: v>-40*mV
          reset: "v=Vr; w+=b"
          method: euler
          initial: {"{"}v: EL{"}"}
        dt: {dt}
        duration: {duration}

        """;
}
