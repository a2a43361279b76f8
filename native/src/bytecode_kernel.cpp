// The interpreter as a model kernel (kernel_abi.h), compiled once per ISA level: each function binds
// the block to the frame's slots and runs a bytecode section; integration instantiates the shared
// templates with an Rhs that runs the derivative, noise or linear section.
#include "bytecode_context.hpp"
#include "isa.hpp"

#include "neuronative/kernel.hpp"

namespace nn::rt::NN_ISA {
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
    void linear_system(nn::Lanes x, double t, nn::Lanes rows, int n) {
        bind_state(x);
        for (int32_t k = 0; k < m.n_state * (m.n_state + 1); ++k) f.vp[m.layout.v_out(k)] = rows[k];
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

void operation(const nn_kernel_block* b, int32_t op) {
    Impl& c = context(b);
    execute(c.m.operations[static_cast<size_t>(op)], c.bind(*b, 0), b->n);
}

} // namespace

KernelTable bytecode_kernel() {
    KernelTable k;
    k.integrate = &integrate;
    k.threshold = &threshold;
    k.refractory = &refractory;
    k.observables = &observables;
    k.statements = &statements;
    k.operation = &operation;
    return k;
}

} // namespace nn::rt::NN_ISA
