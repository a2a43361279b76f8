// The interpreter as a model kernel (kernel_abi.h): each function binds the block to the frame's
// slots and runs a bytecode section; integration instantiates the shared templates with an Rhs
// that runs the derivative, noise or linear section.
#include "kernel.hpp"

#include "model.hpp"
#include "neuronative/kernel.hpp"

#include <algorithm>

namespace nn::rt {

struct BytecodeContext::Impl {
    const Model& m;
    Frame frame;
    Doubles registers;

    Impl(const Model& model, double dt, int64_t n_neurons, uint64_t seed) : m(model) {
        const Layout& L = m.layout;
        frame.vp.assign(static_cast<size_t>(L.v_reg(m.max_vregs)), nullptr);
        frame.sp.assign(static_cast<size_t>(L.s_reg(m.max_sregs)), 0.0);
        std::copy(m.constants.begin(), m.constants.end(), frame.sp.begin());
        frame.sp[L.s_uniform(Layout::U_DT)] = dt;
        frame.sp[L.s_uniform(Layout::U_N)] = static_cast<double>(n_neurons);
        frame.sp[L.s_uniform(Layout::U_ONE)] = 1.0;
        frame.seed = seed;
        registers.assign(static_cast<size_t>(std::max(m.max_vregs, 1)) * kBlock, 0.0);
        for (int32_t r = 0; r < m.max_vregs; ++r)
            frame.vp[L.v_reg(r)] = registers.data() + static_cast<size_t>(r) * kBlock;
    }

    // Slots of STATE, PARAM, the lane specials and the uniforms: the block's lanes from `lane` on.
    Frame& bind(const nn_kernel_block& b, int32_t lane) {
        const Layout& L = m.layout;
        Frame& f = frame;
        for (int32_t v = 0; v < m.n_state; ++v) f.vp[L.v_state(v)] = b.state + v * b.stride + lane;
        for (int32_t p = 0; p < m.n_param; ++p) f.vp[L.v_param(p)] = b.params + p * b.stride + lane;
        // Read-only slots: the bytecode validation rejects writes to the lane specials.
        f.vp[L.v_lane(Layout::LANE_I)] = const_cast<double*>(b.index + lane);
        f.vp[L.v_lane(Layout::LANE_LASTSPIKE)] = const_cast<double*>(b.lastspike + lane);
        f.vp[L.v_lane(Layout::LANE_NOT_REFRACTORY)] = const_cast<double*>(b.not_refractory + lane);
        f.vp[L.v_out(0)] = b.out;
        f.first_neuron = b.first_neuron + lane;
        f.step = b.step;
        f.inputs = b.inputs;
        f.sp[L.s_uniform(Layout::U_T)] = b.t;
        f.sp[L.s_uniform(Layout::U_K)] = static_cast<double>(b.step);
        f.sp[L.s_uniform(Layout::U_EVENT_VALUE)] = b.event_value;
        return f;
    }
};

BytecodeContext::BytecodeContext(const Model& m, double dt, int64_t n_neurons, uint64_t seed)
    : impl_(std::make_unique<Impl>(m, dt, n_neurons, seed)) {}
BytecodeContext::~BytecodeContext() = default;
void* BytecodeContext::get() { return impl_.get(); }

namespace {

using Impl = BytecodeContext::Impl;
Impl& context(const nn_kernel_block* b) { return *static_cast<Impl*>(b->context); }

// The model seen by the integrator templates: each member runs one bytecode section over the
// lanes of the bound block.
struct BytecodeRhs {
    const Model& m;
    Frame& f;

    void bind_state(nn::Lanes x) {
        for (int32_t v = 0; v < m.n_state; ++v) f.vp[m.layout.v_state(v)] = x[v];
    }
    void derivatives(nn::Lanes x, double t, nn::Lanes out, int n) {
        bind_state(x);
        for (int32_t v = 0; v < m.n_state; ++v) f.vp[m.layout.v_out(v)] = out[v];
        f.sp[m.layout.s_uniform(Layout::U_T)] = t;
        execute(m.derivatives, f, n);
    }
    void noise(nn::Lanes x, double t, nn::Lanes g, int n) {
        bind_state(x);
        for (int32_t j = 0; j < m.n_state * m.n_noise; ++j) f.vp[m.layout.v_out(j)] = g[j];
        f.sp[m.layout.s_uniform(Layout::U_T)] = t;
        execute(m.noise, f, n);
    }
    void linear(nn::Lanes x, double t, nn::Lanes A, nn::Lanes B, int n) {
        bind_state(x);
        for (int32_t v = 0; v < m.n_state; ++v) {
            f.vp[m.layout.v_out(2 * v)] = A[v];
            f.vp[m.layout.v_out(2 * v + 1)] = B[v];
        }
        f.sp[m.layout.s_uniform(Layout::U_T)] = t;
        execute(m.linear, f, n);
    }
};

void integrate(const nn_kernel_block* b) {
    Impl& c = context(b);
    const Model& m = c.m;
    BytecodeRhs rhs{m, c.bind(*b, 0)};
    const nn::Tableau tableau{m.n_stages, m.rk_a.data(), m.rk_b.data(), m.rk_c.data()};
    nn::integrate_step(rhs, m.method, tableau, nn::step_args(*b, m.state_flags.data(), m.n_state, m.n_noise));
}

void threshold(const nn_kernel_block* b) {
    Impl& c = context(b);
    execute(c.m.threshold, c.bind(*b, 0), b->n);
}

void refractory(const nn_kernel_block* b) {
    Impl& c = context(b);
    execute(c.m.refractory_expr, c.bind(*b, 0), b->n);
}

void observables(const nn_kernel_block* b) {
    Impl& c = context(b);
    Frame& f = c.bind(*b, 0);
    for (int32_t j = 0; j < c.m.n_observables; ++j) f.vp[c.m.layout.v_out(j)] = b->out + j * b->out_stride;
    execute(c.m.observables, f, b->n);
}

void statements(const nn_kernel_block* b, int32_t section, int32_t lane) {
    Impl& c = context(b);
    execute(section < 0 ? c.m.reset : c.m.events[static_cast<size_t>(section)], c.bind(*b, lane), 1);
}

} // namespace

KernelTable bytecode_kernel() {
    KernelTable k;
    k.integrate = &integrate;
    k.threshold = &threshold;
    k.refractory = &refractory;
    k.observables = &observables;
    k.statements = &statements;
    return k;
}

} // namespace nn::rt
