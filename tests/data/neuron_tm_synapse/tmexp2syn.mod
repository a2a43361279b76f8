COMMENT
Exp2Syn with Tsodyks-Markram short-term plasticity as NeuroNative issue 15 defines it: u decays to 0 between
events (u = 0 when tau_facil = 0), u <- u + U(1 - u), release = u*R, R <- R - release, R recovers as
1 - (1 - R)*exp(-dt/tau_rec); the conductance jumps by weight*factor*release (Exp2Syn's peak normalisation).
u, R and tlast belong to the synapse, shared by every NetCon onto it.
ENDCOMMENT

NEURON {
    POINT_PROCESS TmExp2Syn
    RANGE tau1, tau2, e, i, g, U, tau_rec, tau_facil, u, R, tlast, release, factor
    NONSPECIFIC_CURRENT i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    tau1 = 0.5 (ms)
    tau2 = 5 (ms)
    e = 0 (mV)
    U = 0.5 (1)
    tau_rec = 800 (ms)
    tau_facil = 0 (ms)
}

ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
    factor
    u
    R
    release
    tlast (ms)
}

STATE {
    A (uS)
    B (uS)
}

INITIAL {
    LOCAL tp
    A = 0
    B = 0
    tp = (tau1*tau2)/(tau2 - tau1) * log(tau2/tau1)
    factor = 1/(-exp(-tp/tau1) + exp(-tp/tau2))
    u = 0
    R = 1
    release = 0
    tlast = -1e9
}

BREAKPOINT {
    SOLVE state METHOD cnexp
    g = B - A
    i = g*(v - e)
}

DERIVATIVE state {
    A' = -A/tau1
    B' = -B/tau2
}

NET_RECEIVE(weight (uS)) {
    if (tau_facil > 0) {
        u = u*exp(-(t - tlast)/tau_facil)
    } else {
        u = 0
    }
    R = 1 - (1 - R)*exp(-(t - tlast)/tau_rec)
    u = u + U*(1 - u)
    release = u*R
    R = R - release
    tlast = t
    A = A + weight*factor*release
    B = B + weight*factor*release
}
