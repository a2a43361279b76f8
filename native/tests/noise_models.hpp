// One-variable stochastic models, hand-assembled, for the noise and ISA-level tests.
#pragma once

#include "bytecode.hpp"

#include <cmath>

namespace noise_models {

// dx/dt = -x/tau + sigma sqrt(2/tau) xi (Ornstein–Uhlenbeck, additive noise)
inline bc::Model ou(int32_t method, double tau, double sigma) {
    bc::Model m;
    m.state_names = {"x"};
    m.method = method;
    m.n_noise = 1;
    bc::Expr e{m.derivatives};
    m.derivatives.n_outputs = 1;
    e.set(bc::out(0), e.div(e.neg(bc::state(0)), m.k(tau)));
    m.noise.n_outputs = 1;
    m.noise.emit(NN_OP_MOV, bc::out(0), m.k(sigma * std::sqrt(2.0 / tau)));
    return m;
}

// dv/dt = v xi (multiplicative noise)
inline bc::Model geometric(int32_t method) {
    bc::Model m;
    m.state_names = {"v"};
    m.method = method;
    m.n_noise = 1;
    m.derivatives.n_outputs = 1;
    m.derivatives.emit(NN_OP_MOV, bc::out(0), m.k(0.0));
    m.noise.n_outputs = 1;
    m.noise.emit(NN_OP_MOV, bc::out(0), bc::state(0));
    return m;
}

} // namespace noise_models
