// The interpreter's per-thread state: slot tables bound to the block being run.
#include "bytecode_context.hpp"

#include <algorithm>

namespace nn::rt {

BytecodeContext::Impl::Impl(const Model& model, double dt, int64_t n_neurons, uint64_t seed) : m(model) {
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

Frame& BytecodeContext::Impl::bind(const nn_kernel_block& b, int32_t lane) {
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

BytecodeContext::BytecodeContext(const Model& m, double dt, int64_t n_neurons, uint64_t seed)
    : impl_(std::make_unique<Impl>(m, dt, n_neurons, seed)) {}
BytecodeContext::~BytecodeContext() = default;
void* BytecodeContext::get() { return impl_.get(); }

} // namespace nn::rt
