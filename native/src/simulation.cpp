// The step loop (neuronative.h, docs/brian2-semantics.md §1-2), the block scheduler and the result buffers.
#include "simulation.hpp"

#include "error.hpp"
#include "neuronative/integrators.hpp"
#include "neuronative/portable.hpp"

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>

namespace nn::rt {
namespace {

// Steps a block advances before the next block (cache-friendly); progress, cancellation and
// result merging happen between segments.
constexpr int64_t kSegment = 1024;
constexpr int64_t kMaxNeurons = int64_t(1) << 40; // RNG counters distinguish neurons below 2^48
constexpr int32_t kMaxThreads = 1024;

// not_refractory[i] = timestep(t - lastspike[i]) >= timestep(duration[i]) over a block, with
// Brian's timestep(x, dt) = (int64)((x + 1e-3 dt)/dt) compared in double (no overflow for huge or
// infinite durations; equal to the int64 comparison wherever that is defined). g++ vectorises
// std::trunc only without -ftrapping-math (which changes no value, only whether FP exceptions may
// be raised speculatively); scalar, the two divisions per lane dominate cheap models.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-trapping-math"), noinline))
#endif
void refractory_duration(double* NN_RESTRICT nr, const double* NN_RESTRICT lastspike,
                         const double* NN_RESTRICT duration, int n, double t, double dt) {
    const double e = 1e-3 * dt;
    for (int i = 0; i < n; ++i) {
        const double a = std::trunc((t - lastspike[i] + e) / dt), b = std::trunc((duration[i] + e) / dt);
        nr[i] = a >= b ? 1.0 : 0.0;
    }
}

} // namespace

// Per-thread memory: integrator workspace, a one-output buffer, the interpreter's frame.
struct Simulation::Worker {
    std::unique_ptr<BytecodeContext> bytecode; // null for a compiled kernel
    Doubles workspace, out;
    std::vector<int32_t> spiking; // lanes that spiked in the current step

    Worker(const Model& m, double dt, int64_t n, uint64_t seed) {
        if (!m.kernel.compiled()) bytecode = std::make_unique<BytecodeContext>(m, dt, n, seed);
        workspace.assign(static_cast<size_t>(std::max<int64_t>(
                             nn::workspace_doubles(m.method, m.n_state, m.n_noise, m.n_stages, kBlock), 1)),
                         0.0);
        out.assign(kBlock, 0.0);
        spiking.reserve(kBlock);
    }
};

Simulation::Simulation(std::shared_ptr<const Model> model, int64_t n_neurons, double dt, uint64_t seed)
    : model_(std::move(model)), dt_(dt), seed_(seed) {
    if (n_neurons < 1 || n_neurons > kMaxNeurons) invalid("n_neurons is ", n_neurons, " (must be 1..", kMaxNeurons, ")");
    if (!(std::isfinite(dt) && dt > 0.0)) invalid("dt is ", dt, " (must be a finite duration > 0 in seconds)");
    const Model& m = *model_;
    n_ = n_neurons;
    stride_ = (n_ + 7) / 8 * 8;
    n_blocks_ = (n_ + kBlock - 1) / kBlock;
    state_.assign(static_cast<size_t>(stride_ * m.n_state), 0.0);
    params_.assign(static_cast<size_t>(stride_ * m.n_param), 0.0);
    lastspike_.assign(static_cast<size_t>(n_), -1e4);
    not_refractory_.assign(static_cast<size_t>(n_), 1.0);
    index_.resize(static_cast<size_t>(n_));
    for (int64_t i = 0; i < n_; ++i) index_[static_cast<size_t>(i)] = static_cast<double>(i);
    inputs_.resize(static_cast<size_t>(m.n_inputs));
    input_set_.assign(static_cast<size_t>(m.n_inputs), 0);
    counts_.assign(static_cast<size_t>(n_), 0);
    results_.resize(static_cast<size_t>(n_blocks_));
}

Simulation::~Simulation() = default;

void Simulation::set_threads(int32_t n_threads) {
    if (n_threads < 0 || n_threads > kMaxThreads)
        invalid("n_threads is ", n_threads, " (must be 1..", kMaxThreads, ", or 0 for all hardware threads)");
    n_threads_ = n_threads == 0 ? static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency())) : n_threads;
}

void Simulation::check_array(int32_t kind, int32_t index, int64_t count, bool allow_broadcast) const {
    const Model& m = *model_;
    switch (kind) {
    case NN_ARRAY_STATE:
        if (index < 0 || index >= m.n_state)
            invalid("index is ", index, " but the model has ", m.n_state, " state variables (kind NN_ARRAY_STATE)");
        break;
    case NN_ARRAY_PARAM:
        if (index < 0 || index >= m.n_param)
            invalid("index is ", index, " but the model has ", m.n_param, " parameters (kind NN_ARRAY_PARAM)");
        break;
    case NN_ARRAY_LASTSPIKE:
    case NN_ARRAY_NOT_REFRACTORY: break;
    default: invalid("kind is ", kind, " (must be an nn_array_kind, 0..3)");
    }
    if (count != n_ && !(allow_broadcast && count == 1))
        invalid("count is ", count, " but the simulation has ", n_, " neurons", allow_broadcast ? " (or pass 1 to broadcast)" : "");
}

const double* Simulation::array(int32_t kind, int32_t index) const {
    switch (kind) {
    case NN_ARRAY_STATE: return state_.data() + index * stride_;
    case NN_ARRAY_PARAM: return params_.data() + index * stride_;
    case NN_ARRAY_LASTSPIKE: return lastspike_.data();
    default: return not_refractory_.data();
    }
}

void Simulation::set_array(int32_t kind, int32_t index, const double* values, int64_t count) {
    check_array(kind, index, count, true);
    if (values == nullptr) invalid("values is NULL");
    double* dst = const_cast<double*>(array(kind, index));
    for (int64_t i = 0; i < n_; ++i) {
        const double x = values[count == 1 ? 0 : i];
        dst[i] = kind == NN_ARRAY_NOT_REFRACTORY ? (x != 0.0 ? 1.0 : 0.0) : x;
    }
}

void Simulation::get_array(int32_t kind, int32_t index, double* out, int64_t count) const {
    check_array(kind, index, count, false);
    if (out == nullptr) invalid("out_values is NULL");
    std::copy(array(kind, index), array(kind, index) + n_, out);
}

void Simulation::set_input(int32_t input, const double* values, int64_t n_times, int64_t n_columns, double dt_input) {
    if (input < 0 || input >= model_->n_inputs) invalid("input is ", input, " but the model has ", model_->n_inputs, " inputs");
    if (n_times < 1) invalid("n_times is ", n_times, " (must be >= 1)");
    if (n_columns < 1) invalid("n_columns is ", n_columns, " (must be >= 1)");
    if (n_times > (int64_t(1) << 40) / n_columns) invalid("n_times * n_columns is too large (", n_times, " x ", n_columns, ")");
    if (values == nullptr) invalid("values is NULL");
    if (!(std::isfinite(dt_input) && dt_input > 0.0)) invalid("dt_input is ", dt_input, " (must be a finite duration > 0)");
    // Brian's _find_K: upsampling so that t/epsilon is robust against rounding (docs/brian2-semantics.md §5).
    const double k = std::max(std::exp2(std::ceil(std::log2(8.0 / dt_ * dt_input))), 1.0);
    Input& in = inputs_[static_cast<size_t>(input)];
    in.values.assign(values, values + n_times * n_columns);
    in.n_times = n_times;
    in.n_columns = n_columns;
    in.k = k;
    in.epsilon = dt_input / k;
    input_set_[static_cast<size_t>(input)] = 1;
}

void Simulation::add_events(int32_t event, const int64_t* neurons, const double* times, const double* values, int64_t count) {
    const int32_t n_events = static_cast<int32_t>(model_->events.size());
    if (event < 0 || event >= n_events) invalid("event is ", event, " but the model has ", n_events, " event sections");
    if (count < 0) invalid("count is ", count, " (must be >= 0)");
    if (count > 0 && (neurons == nullptr || times == nullptr || values == nullptr))
        invalid(neurons == nullptr ? "neurons" : times == nullptr ? "times" : "values", " is NULL with count ", count);
    std::vector<Event> added;
    added.reserve(static_cast<size_t>(count));
    for (int64_t j = 0; j < count; ++j) {
        if (neurons[j] < 0 || neurons[j] >= n_) invalid("neurons[", j, "] is ", neurons[j], " but the simulation has ", n_, " neurons");
        const double steps = std::round(times[j] / dt_);
        if (!(steps < 9e15)) invalid("times[", j, "] is ", times[j], " (must be a finite time)");
        if (steps < static_cast<double>(step_))
            invalid("times[", j, "] is ", times[j], " s (step ", steps, ") but the simulation is at step ", step_,
                    " (t = ", static_cast<double>(step_) * dt_, " s); events cannot be in the past");
        added.push_back(Event{static_cast<int64_t>(steps), neurons[j], event, values[j]});
    }
    events_.insert(events_.end(), added.begin(), added.end());
    std::stable_sort(events_.begin(), events_.end(), [](const Event& a, const Event& b) {
        const int64_t ba = a.neuron / kBlock, bb = b.neuron / kBlock;
        return ba != bb ? ba < bb : a.step != b.step ? a.step < b.step : a.neuron < b.neuron;
    });
}

int32_t Simulation::add_state_monitor(const int32_t* kinds, const int32_t* indices, int32_t n_vars, const int64_t* neurons,
                                      int64_t n_neurons, int64_t every_steps) {
    if (n_vars < 1) invalid("n_vars is ", n_vars, " (must be >= 1)");
    if (kinds == nullptr || indices == nullptr) invalid(kinds == nullptr ? "kinds" : "indices", " is NULL");
    if (n_neurons < 1 || n_neurons > n_) invalid("n_neurons is ", n_neurons, " (must be 1..", n_, ")");
    if (neurons == nullptr) invalid("neurons is NULL");
    if (every_steps < 1) invalid("every_steps is ", every_steps, " (must be >= 1)");
    if (monitors_.size() >= static_cast<size_t>(INT32_MAX)) invalid("too many monitors");
    Monitor mon;
    for (int32_t j = 0; j < n_vars; ++j) {
        try {
            check_array(kinds[j], indices[j], n_, false);
        } catch (const Error& e) {
            invalid("variable ", j, ": ", e.message);
        }
    }
    mon.kinds.assign(kinds, kinds + n_vars);
    mon.indices.assign(indices, indices + n_vars);
    for (int64_t p = 0; p < n_neurons; ++p) {
        if (neurons[p] < 0 || neurons[p] >= n_) invalid("neurons[", p, "] is ", neurons[p], " but the simulation has ", n_, " neurons");
        mon.by_neuron.emplace_back(neurons[p], p);
    }
    std::sort(mon.by_neuron.begin(), mon.by_neuron.end());
    mon.neurons.assign(neurons, neurons + n_neurons);
    mon.every = every_steps;
    mon.data.resize(static_cast<size_t>(n_vars));
    monitors_.push_back(std::move(mon));
    return static_cast<int32_t>(monitors_.size() - 1);
}

const Simulation::Monitor& Simulation::monitor(int32_t index) const {
    if (index < 0 || static_cast<size_t>(index) >= monitors_.size())
        invalid("monitor is ", index, " but the simulation has ", monitors_.size(), " monitors");
    return monitors_[static_cast<size_t>(index)];
}

void Simulation::run(int64_t n_steps, nn_progress_fn progress, void* user) {
    if (!failure_.empty())
        fail(NN_ERR_INVALID_STATE, "the simulation stopped with a numerical error and cannot continue (", failure_, ")");
    if (n_steps < 0) invalid("n_steps is ", n_steps, " (must be >= 0)");
    if (n_steps > (int64_t(1) << 47) - step_) invalid("n_steps is ", n_steps, ": the run would exceed 2^47 steps");
    for (size_t i = 0; i < input_set_.size(); ++i)
        if (!input_set_[i]) fail(NN_ERR_INVALID_STATE, "input ", i, " has no values (call nn_simulation_set_input first)");

    const int n_workers = static_cast<int>(std::min<int64_t>(n_threads_, n_blocks_));
    while (static_cast<int>(workers_.size()) < n_workers)
        workers_.push_back(std::make_unique<Worker>(*model_, dt_, n_, seed_));
    input_views_.clear();
    for (const Input& in : inputs_)
        input_views_.push_back(nn_kernel_input{in.values.data(), in.n_times, in.n_columns, in.epsilon, in.k});

    int64_t done = 0;
    while (done < n_steps) {
        const int64_t k0 = step_, k1 = k0 + std::min(kSegment, n_steps - done);
        for (Monitor& mon : monitors_) {
            const int64_t first = (k0 + mon.every - 1) / mon.every * mon.every;
            const int64_t count = first < k1 ? (k1 - 1 - first) / mon.every + 1 : 0;
            mon.segment_first = first;
            mon.segment_base = static_cast<int64_t>(mon.steps.size());
            for (int64_t s = 0; s < count; ++s) mon.steps.push_back(first + s * mon.every);
            for (Doubles& d : mon.data) d.resize(mon.steps.size() * mon.neurons.size());
        }
        for (BlockResult& r : results_) {
            r.spikes.clear();
            r.fail_step = INT64_MAX;
        }
        std::atomic<int64_t> next{0};
        pool_.run(n_workers, [&](int w) {
            for (int64_t b = next.fetch_add(1); b < n_blocks_; b = next.fetch_add(1))
                run_block(*workers_[static_cast<size_t>(w)], b, k0, k1, results_[static_cast<size_t>(b)]);
        });
        merge_segment(k0, k1);
        if (!failure_.empty()) fail(NN_ERR_NUMERICAL, failure_);
        done += k1 - k0;
        if (progress != nullptr && progress(done, n_steps, user) != 0 && done < n_steps)
            fail(NN_ERR_CANCELLED, "cancelled by the progress callback after ", done, " of ", n_steps,
                 " steps (the simulation is at step ", step_, ", t = ", static_cast<double>(step_) * dt_, " s, and can continue)");
    }
}

// Records the monitored neurons of `block` at step k (state at t_k, before the update).
void Simulation::record(int64_t block, int64_t k) {
    const int64_t i0 = block * kBlock, i1 = std::min(i0 + kBlock, n_);
    for (Monitor& mon : monitors_) {
        if (k % mon.every != 0) continue;
        const int64_t sample = mon.segment_base + (k - mon.segment_first) / mon.every;
        const size_t width = mon.neurons.size();
        auto it = std::lower_bound(mon.by_neuron.begin(), mon.by_neuron.end(), std::make_pair(i0, int64_t(0)));
        for (; it != mon.by_neuron.end() && it->first < i1; ++it)
            for (size_t v = 0; v < mon.kinds.size(); ++v)
                mon.data[v][static_cast<size_t>(sample) * width + static_cast<size_t>(it->second)] =
                    array(mon.kinds[v], mon.indices[v])[it->first];
    }
}

void Simulation::run_block(Worker& w, int64_t block, int64_t k0, int64_t k1, BlockResult& result) {
    const Model& m = *model_;
    const KernelTable& kernel = m.kernel;
    const int64_t i0 = block * kBlock;
    const int nl = static_cast<int>(std::min<int64_t>(kBlock, n_ - i0));
    double* const state = state_.data() + i0;
    double* const nr = not_refractory_.data() + i0;
    double* const lastspike = lastspike_.data() + i0;
    const double* const out = w.out.data();
    nn_kernel_block b{};
    b.state = state;
    b.params = params_.data() + i0;
    b.stride = stride_;
    b.index = index_.data() + i0;
    b.lastspike = lastspike;
    b.not_refractory = nr;
    b.refractory_mask = m.any_unless_refractory ? nr : nullptr;
    b.out = w.out.data();
    b.workspace = w.workspace.data();
    b.inputs = input_views_.data();
    b.context = w.bytecode != nullptr ? w.bytecode->get() : nullptr;
    b.seed = seed_;
    b.first_neuron = i0;
    b.dt = dt_;
    b.n_neurons = static_cast<double>(n_);
    b.n = nl;
    auto ev = std::lower_bound(events_.begin(), events_.end(), std::make_pair(block, k0), [](const Event& e, const std::pair<int64_t, int64_t>& key) {
        const int64_t blk = e.neuron / kBlock;
        return blk != key.first ? blk < key.first : e.step < key.second;
    });
    const bool has_monitors = !monitors_.empty();

    for (int64_t k = k0; k < k1; ++k) {
        const double t = static_cast<double>(k) * dt_;
        if (has_monitors) record(block, k);
        b.step = k;
        b.t = t;
        b.event_value = 0.0;

        if (m.refractory != NN_REFRACTORY_NONE) {
            kernel.refractory(&b);
            if (m.refractory == NN_REFRACTORY_DURATION) {
                refractory_duration(nr, lastspike, out, nl, t, dt_);
            } else {
                for (int i = 0; i < nl; ++i) nr[i] = ((nr[i] != 0.0) | (out[i] == 0.0)) ? 1.0 : 0.0;
            }
        }

        kernel.integrate(&b);

        // Non-finite check as an integer OR over the exponent bits (vectorises; a bool reduction
        // over comparisons does not): all ones in the exponent is +-inf or NaN.
        uint64_t bad = 0;
        for (int32_t v = 0; v < m.n_state; ++v) {
            const double* NN_RESTRICT x = state + v * stride_;
            for (int i = 0; i < nl; ++i) {
                const uint64_t e = __builtin_bit_cast(uint64_t, x[i]) & 0x7ff0000000000000ull;
                bad |= e == 0x7ff0000000000000ull ? 1u : 0u;
            }
        }
        if (bad != 0) { // report the lowest neuron, then the first variable; this block stops here
            for (int i = 0; i < nl; ++i)
                for (int32_t v = 0; v < m.n_state; ++v) {
                    const double x = state[v * stride_ + i];
                    if (std::fabs(x) <= DBL_MAX) continue;
                    result.fail_step = k;
                    result.fail_neuron = i0 + i;
                    result.fail_var = v;
                    result.fail_value = x;
                    return;
                }
        }

        w.spiking.clear();
        if (m.has_threshold) {
            kernel.threshold(&b);
            const bool refractory = m.refractory != NN_REFRACTORY_NONE;
            // Count the spiking lanes first (vectorises); most blocks have none in a step.
            int32_t spikes = 0;
            if (refractory)
                for (int i = 0; i < nl; ++i) spikes += (out[i] != 0.0) & (nr[i] != 0.0);
            else
                for (int i = 0; i < nl; ++i) spikes += out[i] != 0.0;
            for (int i = 0; spikes > 0 && i < nl; ++i) {
                if (out[i] == 0.0 || (refractory && nr[i] == 0.0)) continue;
                w.spiking.push_back(i);
                result.spikes.push_back(Spike{k, i0 + i});
                lastspike[i] = t;
                if (refractory) nr[i] = 0.0;
                --spikes;
            }
        }
        for (; ev != events_.end() && ev->step == k && ev->neuron < i0 + nl; ++ev) {
            b.event_value = ev->value;
            kernel.statements(&b, ev->section, static_cast<int32_t>(ev->neuron - i0));
        }
        b.event_value = 0.0;
        if (!m.reset.empty())
            for (int32_t i : w.spiking) kernel.statements(&b, -1, i);
    }
}

void Simulation::merge_segment(int64_t k0, int64_t k1) {
    // The earliest failure (step, then neuron) ends the segment there for everyone.
    const BlockResult* failed = nullptr;
    for (const BlockResult& r : results_)
        if (r.fail_step != INT64_MAX && (failed == nullptr || r.fail_step < failed->fail_step)) failed = &r;
    const int64_t end = failed != nullptr ? failed->fail_step : k1;

    // Counting sort by step: blocks are visited in index order and each block's spikes are
    // ordered, so the result is ordered by (step, neuron) for any thread count.
    std::vector<int64_t> per_step(static_cast<size_t>(end - k0), 0);
    for (const BlockResult& r : results_)
        for (const Spike& s : r.spikes)
            if (s.step < end) ++per_step[static_cast<size_t>(s.step - k0)];
    if (record_spikes_) {
        std::vector<int64_t> offset(per_step.size());
        int64_t pos = static_cast<int64_t>(spike_neuron_.size());
        for (size_t j = 0; j < per_step.size(); ++j) {
            offset[j] = pos;
            pos += per_step[j];
        }
        spike_neuron_.resize(static_cast<size_t>(pos));
        spike_step_.resize(static_cast<size_t>(pos));
        for (const BlockResult& r : results_)
            for (const Spike& s : r.spikes)
                if (s.step < end) {
                    const size_t at = static_cast<size_t>(offset[static_cast<size_t>(s.step - k0)]++);
                    spike_neuron_[at] = s.neuron;
                    spike_step_[at] = s.step;
                }
    }
    for (const BlockResult& r : results_)
        for (const Spike& s : r.spikes)
            if (s.step < end) ++counts_[static_cast<size_t>(s.neuron)];
    step_counts_.insert(step_counts_.end(), per_step.begin(), per_step.end());
    step_ = end;

    if (failed != nullptr) {
        // Monitors keep the samples up to and including the failing step (taken before its update).
        for (Monitor& mon : monitors_) {
            const auto keep = std::upper_bound(mon.steps.begin(), mon.steps.end(), end) - mon.steps.begin();
            mon.steps.resize(static_cast<size_t>(keep));
            for (Doubles& d : mon.data) d.resize(static_cast<size_t>(keep) * mon.neurons.size());
        }
        const double v = failed->fail_value;
        failure_ = cat(v != v ? "NaN" : v > 0 ? "+inf" : "-inf", " in state variable '",
                       model_->state_names[static_cast<size_t>(failed->fail_var)], "' of neuron ", failed->fail_neuron,
                       " at t = ", static_cast<double>(end) * dt_, " s (step ", end, ")");
    }
}

void Simulation::get_spikes(int64_t* indices, double* times, int64_t capacity, int64_t* out_count) const {
    const int64_t total = spike_total();
    if (out_count == nullptr) invalid("out_count is NULL");
    if (capacity < total) invalid("capacity is ", capacity, " but ", total, " spikes are recorded");
    if (total > 0 && (indices == nullptr || times == nullptr)) invalid(indices == nullptr ? "out_indices" : "out_times", " is NULL");
    for (int64_t j = 0; j < total; ++j) {
        indices[j] = spike_neuron_[static_cast<size_t>(j)];
        times[j] = static_cast<double>(spike_step_[static_cast<size_t>(j)]) * dt_;
    }
    *out_count = total;
}

void Simulation::get_spike_counts(int64_t* out, int64_t count) const {
    if (count != n_) invalid("count is ", count, " but the simulation has ", n_, " neurons");
    if (out == nullptr) invalid("out_counts is NULL");
    std::copy(counts_.begin(), counts_.end(), out);
}

void Simulation::get_step_spike_counts(int64_t* out, int64_t count, int64_t* out_n_steps) const {
    const int64_t steps = static_cast<int64_t>(step_counts_.size());
    if (out_n_steps == nullptr) invalid("out_n_steps is NULL");
    if (!(out == nullptr && count == 0)) {
        if (count < steps) invalid("count is ", count, " but ", steps, " steps were simulated (pass NULL and 0 to ask for the number)");
        if (out == nullptr) invalid("out_counts is NULL");
        std::copy(step_counts_.begin(), step_counts_.end(), out);
    }
    *out_n_steps = steps;
}

int64_t Simulation::monitor_samples(int32_t index) const { return static_cast<int64_t>(monitor(index).steps.size()); }

void Simulation::get_monitor_values(int32_t index, int32_t var, double* out, int64_t count) const {
    const Monitor& mon = monitor(index);
    if (var < 0 || static_cast<size_t>(var) >= mon.kinds.size())
        invalid("var is ", var, " but monitor ", index, " records ", mon.kinds.size(), " variables");
    const int64_t samples = static_cast<int64_t>(mon.steps.size()), width = static_cast<int64_t>(mon.neurons.size());
    if (count != samples * width)
        invalid("count is ", count, " but monitor ", index, " holds ", width, " neurons x ", samples, " samples = ", samples * width);
    if (out == nullptr && count > 0) invalid("out_values is NULL");
    const Doubles& d = mon.data[static_cast<size_t>(var)];
    for (int64_t p = 0; p < width; ++p)
        for (int64_t s = 0; s < samples; ++s) out[p * samples + s] = d[static_cast<size_t>(s * width + p)];
}

void Simulation::get_monitor_times(int32_t index, double* out, int64_t count) const {
    const Monitor& mon = monitor(index);
    const int64_t samples = static_cast<int64_t>(mon.steps.size());
    if (count != samples) invalid("count is ", count, " but monitor ", index, " holds ", samples, " samples");
    if (out == nullptr && count > 0) invalid("out_times is NULL");
    for (int64_t s = 0; s < samples; ++s) out[s] = static_cast<double>(mon.steps[static_cast<size_t>(s)]) * dt_;
}

} // namespace nn::rt
