namespace NeuroNative.Tests.Experiments;

/// <summary>Experiment files for the spiking reference cases (models as in each case's PROVENANCE.md
/// and tests/NeuroNative.Tests/Models/ReferenceScenarios.cs), without sweep and record sections.</summary>
internal static class ExperimentFiles
{
    public static string Hh(double seconds) => $"""
        model:
          equations: |
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
            dv/dt = (El - v + R*I)/tau : volt (unless refractory)
            I : amp (constant)
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
            dv/dt = (gL*(EL-v)+gL*DeltaT*exp((v-VT)/DeltaT)+I-w)/C : volt
            dw/dt = (a*(v-EL)-w)/tauw : amp
            I : amp (constant)
          namespace: {"{"}C: 281*pF, gL: 30*nS, EL: -70.6*mV, VT: -50.4*mV, DeltaT: 2*mV, tauw: 144*ms, a: 4*nS, b: 0.0805*nA, Vr: EL{"}"}
          threshold: v>-40*mV
          reset: "v=Vr; w+=b"
          method: euler
          initial: {"{"}v: EL{"}"}
        dt: {dt}
        duration: {duration}

        """;
}
