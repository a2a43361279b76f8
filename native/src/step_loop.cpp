// The step loop of one block, compiled once per ISA level: the shared step schedule over the
// model's kernel table, with the CPU backend's hooks.
#include "isa.hpp"
#include "simulation.hpp"

#include "neuronative/schedule.hpp"

#include <algorithm>

namespace nn::rt {
namespace NN_ISA {
struct Level {};
namespace {
// The model's sections through the kernel table (interpreter or compiled library).
struct TableKernel {
    const KernelTable& t;
    void refractory(const nn_kernel_block* b) { t.refractory(b); }
    void integrate(const nn_kernel_block* b) { t.integrate(b); }
    void threshold(const nn_kernel_block* b) { t.threshold(b); }
    void statements(const nn_kernel_block* b, int32_t section, int32_t lane) { t.statements(b, section, lane); }
    void operation(const nn_kernel_block* b, int32_t op) { t.operation(b, op); }
};
} // namespace
} // namespace NN_ISA

template <class Level>
void Simulation::run_block(Worker& w, int64_t block, int64_t k0, int64_t k1, BlockResult& result) {
    // The CPU backend's hooks of the shared step schedule: monitors and reducers sample the block,
    // spikes go to the block's result, events come from the sorted event list. Whatever would
    // instantiate a library template (the spike list's growth) is left to the baseline code.
    struct Hooks {
        Simulation& sim;
        const KernelTable& kernel;
        int64_t block, i0, end_neuron;
        BlockResult& result;
        std::vector<Event>::const_iterator ev, ev_end;
        const char* points; // Simulation::sample_points
        int32_t width;      // operations + 1
        int64_t k = 0;

        void sample(const nn_kernel_block& b, int32_t slot, int32_t op) {
            k = b.step;
            if (points[slot * width + op]) sim.record(b, k, slot, op, result);
        }
        void spike(int lane) { sim.spiked(result, k, i0 + lane); }
        void events(nn_kernel_block& b) {
            for (; ev != ev_end && ev->step == k && ev->neuron < end_neuron; ++ev) {
                b.event_value = ev->value;
                kernel.statements(&b, ev->section, static_cast<int32_t>(ev->neuron - i0));
            }
        }
    };

    const Model& m = *model_;
    nn_kernel_block b = kernel_block(w, block);
    const int64_t i0 = block * kBlock;
    const int nl = b.n;
    double* const nr = not_refractory_.data() + i0;
    double* const lastspike = lastspike_.data() + i0;
    auto ev = std::lower_bound(events_.begin(), events_.end(), std::make_pair(block, k0), [](const Event& e, const std::pair<int64_t, int64_t>& key) {
        const int64_t blk = e.neuron / kBlock;
        return blk != key.first ? blk < key.first : e.step < key.second;
    });
    const int32_t width = static_cast<int32_t>(operations_.size()) + 1;
    Hooks hooks{*this, m.kernel, block, i0, i0 + nl, result, ev, events_.cend(), sample_points_.data(), width};
    NN_ISA::TableKernel kernel{m.kernel};
    const nn::ScheduleModel schedule{m.n_state, m.refractory, m.has_threshold, m.has_reset, operations_.data(), width - 1};
    nn::StepCache cache;
    nn::StepFailure failure;
    for (int64_t k = k0; k < k1; ++k) {
        if (nn::schedule_step<kBlock>(schedule, kernel, hooks, b, nr, lastspike, k, cache, failure)) continue;
        result.fail_step = k;
        result.fail_neuron = i0 + failure.lane;
        result.fail_var = failure.var;
        result.fail_value = failure.value;
        return;
    }
}

template void Simulation::run_block<NN_ISA::Level>(Worker&, int64_t, int64_t, int64_t, BlockResult&);

} // namespace nn::rt
