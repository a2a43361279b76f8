// The HH model of the Brian 2 paper's parameter exploration (shared reference
// hh_exploration_small), hand-assembled for exponential Euler. State v, m, n, h; params g_na, I.
#pragma once

#include "bytecode.hpp"

namespace hh {

inline bc::Model model() {
    constexpr double mV = 1e-3, ms = 1e-3;
    constexpr double Cm = 2e-10, gl = 1e-8, El = -60 * mV, EK = -90 * mV, ENa = 50 * mV, g_kd = 6e-6, VT = -63 * mV;
    bc::Model m;
    m.state_names = {"v", "m", "n", "h"};
    m.param_names = {"g_na", "I"};
    m.method = NN_METHOD_EXPONENTIAL_EULER;
    m.refractory = NN_REFRACTORY_CONDITION;
    m.has_threshold = 1;
    const int32_t v = bc::state(0), mm = bc::state(1), n = bc::state(2), h = bc::state(3);
    const int32_t g_na = bc::param(0), I = bc::param(1);

    bc::Expr e{m.linear};
    m.linear.n_outputs = 8;
    auto k = [&](double x) { return m.k(x); };
    // (c - v) + VT, the shifted voltage of the rate functions
    auto shifted = [&](double c) { return e.add(e.sub(k(c), v), k(VT)); };
    // a/mV * u / (exp(u/(s)) - 1) / ms
    auto ratio = [&](double a, int32_t u, double s) {
        return e.div(e.div(e.mul(k(a / mV), u), e.sub(e.exp(e.div(u, k(s))), k(1.0))), k(ms));
    };
    const int32_t alpha_m = ratio(0.32, shifted(13 * mV), 4 * mV);
    const int32_t beta_m = ratio(0.28, e.sub(e.sub(v, k(VT)), k(40 * mV)), 5 * mV);
    const int32_t alpha_h = e.div(e.mul(k(0.128), e.exp(e.div(shifted(17 * mV), k(18 * mV)))), k(ms));
    const int32_t beta_h = e.div(e.div(k(4.0), e.add(k(1.0), e.exp(e.div(shifted(40 * mV), k(5 * mV))))), k(ms));
    const int32_t alpha_n = ratio(0.032, shifted(15 * mV), 5 * mV);
    const int32_t beta_n = e.div(e.mul(k(0.5), e.exp(e.div(shifted(10 * mV), k(40 * mV)))), k(ms));

    // v: A = -(gl + g_na m^3 h + g_kd n^4)/Cm, B = (gl El + g_na m^3 h ENa + g_kd n^4 EK + I)/Cm
    const int32_t na = e.mul(g_na, e.mul(e.mul(e.mul(mm, mm), mm), h));
    const int32_t kd = e.mul(k(g_kd), e.mul(e.mul(e.mul(n, n), n), n));
    e.set(bc::out(0), e.div(e.neg(e.add(e.add(k(gl), na), kd)), k(Cm)));
    e.set(bc::out(1), e.div(e.add(e.add(e.add(e.mul(k(gl), k(El)), e.mul(na, k(ENa))), e.mul(kd, k(EK))), I), k(Cm)));
    const int32_t rates[3][2] = {{alpha_m, beta_m}, {alpha_n, beta_n}, {alpha_h, beta_h}};
    for (int x = 0; x < 3; ++x) {
        e.set(bc::out(2 + 2 * x), e.neg(e.add(rates[x][0], rates[x][1])));
        e.set(bc::out(3 + 2 * x), rates[x][0]);
    }

    // threshold v > -20 mV; refractory condition v > -20 mV (no reset)
    for (bc::Section* s : {&m.threshold, &m.refractory_expr}) {
        s->n_outputs = 1;
        s->emit(NN_OP_GT, bc::out(0), v, k(-20 * mV));
    }
    return m;
}

} // namespace hh
