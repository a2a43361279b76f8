// The step loop (neuronative.h, docs/brian2-semantics.md §1-2), the block scheduler and the result buffers.
#include "simulation.hpp"

#include "error.hpp"
#include "isa.hpp"
#include "neuronative/integrators.hpp"
#include "neuronative/reducers.hpp"

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

} // namespace

// Per-thread memory: integrator workspace, the output buffer (one value per lane and observable, at
// least one), the interpreter's frame.
struct Simulation::Worker {
    std::unique_ptr<BytecodeContext> bytecode; // null for a compiled kernel
    Doubles workspace, out;

    Worker(const Model& m, double dt, int64_t n, uint64_t seed) {
        if (!m.kernel.compiled()) bytecode = std::make_unique<BytecodeContext>(m, dt, n, seed);
        workspace.assign(static_cast<size_t>(std::max<int64_t>(
                             nn::workspace_doubles(m.method, m.n_state, m.n_noise, m.n_stages, kBlock), 1)),
                         0.0);
        out.assign(static_cast<size_t>(std::max(m.n_observables, 1)) * kBlock, 0.0);
    }
};

Simulation::Simulation(std::shared_ptr<const Model> model, const nn_simulation_config& c)
    : model_(std::move(model)), dt_(c.dt), seed_(c.seed) {
    if (c.struct_size != static_cast<int32_t>(sizeof(nn_simulation_config)))
        invalid("config->struct_size is ", c.struct_size, " but this library expects sizeof(nn_simulation_config) = ",
                sizeof(nn_simulation_config));
    if (c.reserved != 0) invalid("config->reserved is ", c.reserved, " (must be 0)");
    if (c.n_neurons < 1 || c.n_neurons > kMaxNeurons) invalid("n_neurons is ", c.n_neurons, " (must be 1..", kMaxNeurons, ")");
    if (!(std::isfinite(c.dt) && c.dt > 0.0)) invalid("dt is ", c.dt, " (must be a finite duration > 0 in seconds)");
    if (c.first_neuron < 0 || c.first_neuron > kMaxNeurons - c.n_neurons)
        invalid("first_neuron is ", c.first_neuron, " (must be 0..", kMaxNeurons - c.n_neurons, " for ", c.n_neurons, " neurons)");
    const int64_t total = c.total_neurons == 0 ? c.first_neuron + c.n_neurons : c.total_neurons;
    if (total < c.first_neuron + c.n_neurons || total > kMaxNeurons)
        invalid("total_neurons is ", c.total_neurons, " but the slice ends at neuron ", c.first_neuron + c.n_neurons,
                " (must be first_neuron + n_neurons..", kMaxNeurons, ", or 0)");
    const Model& m = *model_;
    n_ = c.n_neurons;
    first_ = c.first_neuron;
    total_ = total;
    stride_ = (n_ + 7) / 8 * 8;
    n_blocks_ = (n_ + kBlock - 1) / kBlock;
    state_.assign(static_cast<size_t>(stride_ * m.n_state), 0.0);
    params_.assign(static_cast<size_t>(stride_ * m.n_param), 0.0);
    lastspike_.assign(static_cast<size_t>(n_), -1e4);
    not_refractory_.assign(static_cast<size_t>(n_), 1.0);
    index_.resize(static_cast<size_t>(n_));
    for (int64_t i = 0; i < n_; ++i) index_[static_cast<size_t>(i)] = static_cast<double>(first_ + i);
    inputs_.resize(static_cast<size_t>(m.n_inputs));
    input_set_.assign(static_cast<size_t>(m.n_inputs), 0);
    counts_.assign(static_cast<size_t>(n_), 0);
    results_.resize(static_cast<size_t>(n_blocks_));
    // An operation's clock ticks with the simulation's on the steps that are multiples of its dt (Brian's
    // clocks agree within 1e-4 dt); other dts would run it between steps, which one group cannot express.
    for (size_t j = 0; j < m.operations.size(); ++j) {
        const double d = m.operation_dts[j], steps = std::round(d / dt_);
        if (d != 0.0 && (steps < 1.0 || std::fabs(steps * dt_ - d) > 1e-4 * dt_ || steps > 9e15))
            invalid("operation ", j, " has dt ", d, " s, which is not a whole multiple of the simulation's dt ", dt_, " s");
        operations_.push_back(nn::Operation{m.operation_slots[j], d == 0.0 ? 1 : static_cast<int64_t>(steps)});
    }
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
    case NN_ARRAY_OBSERVABLE:
        if (index < 0 || index >= m.n_observables)
            invalid("index is ", index, " but the model has ", m.n_observables, " observables (kind NN_ARRAY_OBSERVABLE)");
        break;
    case NN_ARRAY_LASTSPIKE:
    case NN_ARRAY_NOT_REFRACTORY: break;
    default: invalid("kind is ", kind, " (must be an nn_array_kind, 0..4)");
    }
    if (count != n_ && !(allow_broadcast && count == 1))
        invalid("count is ", count, " but the simulation has ", n_, " neurons", allow_broadcast ? " (or pass 1 to broadcast)" : "");
}

// A stored array (every kind but NN_ARRAY_OBSERVABLE).
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
    if (kind == NN_ARRAY_OBSERVABLE)
        invalid("kind is NN_ARRAY_OBSERVABLE: observable '", model_->observable_names[static_cast<size_t>(index)],
                "' is computed from the state; it cannot be set");
    if (values == nullptr) invalid("values is NULL");
    double* dst = const_cast<double*>(array(kind, index));
    for (int64_t i = 0; i < n_; ++i) {
        const double x = values[count == 1 ? 0 : i];
        dst[i] = kind == NN_ARRAY_NOT_REFRACTORY ? (x != 0.0 ? 1.0 : 0.0) : x;
    }
}

void Simulation::get_array(int32_t kind, int32_t index, double* out, int64_t count) {
    check_array(kind, index, count, false);
    if (out == nullptr) invalid("out_values is NULL");
    if (kind != NN_ARRAY_OBSERVABLE) {
        std::copy(array(kind, index), array(kind, index) + n_, out);
        return;
    }
    // What a monitor would record at the current step: the observables of the state at t_k.
    prepare_kernels(1);
    Worker& w = *workers_.front();
    for (int64_t block = 0; block < n_blocks_; ++block) {
        nn_kernel_block b = kernel_block(w, block);
        b.step = step_;
        b.t = static_cast<double>(step_) * dt_;
        model_->kernel.observables(&b);
        std::copy_n(w.out.data() + index * kBlock, b.n, out + block * kBlock);
    }
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
    check_variables(kinds, indices, n_vars);
    mon.kinds.assign(kinds, kinds + n_vars);
    mon.indices.assign(indices, indices + n_vars);
    for (int64_t p = 0; p < n_neurons; ++p) {
        if (neurons[p] < 0 || neurons[p] >= n_) invalid("neurons[", p, "] is ", neurons[p], " but the simulation has ", n_, " neurons");
        mon.by_neuron.emplace_back(neurons[p], p);
    }
    std::sort(mon.by_neuron.begin(), mon.by_neuron.end());
    mon.neurons.assign(neurons, neurons + n_neurons);
    mon.every = every_steps;
    mon.after = model_->sample_after;
    mon.data.resize(static_cast<size_t>(n_vars));
    monitors_.push_back(std::move(mon));
    return static_cast<int32_t>(monitors_.size() - 1);
}

// Variables a monitor records: (kinds[j], indices[j]) must name arrays of the model.
void Simulation::check_variables(const int32_t* kinds, const int32_t* indices, int32_t n_vars) const {
    for (int32_t j = 0; j < n_vars; ++j) {
        try {
            check_array(kinds[j], indices[j], n_, false);
        } catch (const Error& e) {
            invalid("variable ", j, ": ", e.message);
        }
    }
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
    const int n_workers = static_cast<int>(std::min<int64_t>(n_threads_, n_blocks_));
    prepare_kernels(n_workers);
    const BlockLoop loop = block_loop(); // once per run: no per-step dispatch
    sample_points_ = sample_points();
    if (!initial_.captured)
        initial_ = Initial{true, state_, params_, lastspike_, not_refractory_, events_};

    // The samples of the whole call are reserved at once: grown segment by segment, the arrays would double
    // their capacity and copy themselves, up to three times the memory of what they hold.
    for (Monitor& mon : monitors_) {
        const int64_t first = (step_ + mon.every - 1) / mon.every * mon.every, end = step_ + n_steps;
        const int64_t count = mon.enabled && first < end ? (end - 1 - first) / mon.every + 1 : 0;
        const size_t samples = mon.steps.size() + static_cast<size_t>(count);
        mon.steps.reserve(samples);
        for (Doubles& d : mon.data) d.reserve(samples * mon.neurons.size());
    }
    int64_t done = 0;
    while (done < n_steps) {
        const int64_t k0 = step_, k1 = k0 + std::min(kSegment, n_steps - done);
        for (Monitor& mon : monitors_) {
            const int64_t first = (k0 + mon.every - 1) / mon.every * mon.every;
            const int64_t count = mon.enabled && first < k1 ? (k1 - 1 - first) / mon.every + 1 : 0;
            mon.segment_first = first;
            mon.segment_base = static_cast<int64_t>(mon.steps.size());
            for (int64_t s = 0; s < count; ++s) mon.steps.push_back(first + s * mon.every);
            for (Doubles& d : mon.data) d.resize(mon.steps.size() * mon.neurons.size());
        }
        for (BlockResult& r : results_) {
            r.spikes.clear();
            r.events.resize(event_monitors_.size());
            r.event_values.resize(event_monitors_.size());
            for (auto& e : r.events) e.clear();
            for (auto& v : r.event_values) v.clear();
            r.fail_step = INT64_MAX;
        }
        std::atomic<int64_t> next{0};
        pool_.run(n_workers, [&](int w) {
            for (int64_t b = next.fetch_add(1); b < n_blocks_; b = next.fetch_add(1))
                (this->*loop)(*workers_[static_cast<size_t>(w)], b, k0, k1, results_[static_cast<size_t>(b)]);
        });
        merge_segment(k0, k1);
        if (!failure_.empty()) fail(NN_ERR_NUMERICAL, failure_);
        done += k1 - k0;
        if (progress != nullptr && progress(done, n_steps, user) != 0 && done < n_steps)
            fail(NN_ERR_CANCELLED, "cancelled by the progress callback after ", done, " of ", n_steps,
                 " steps (the simulation is at step ", step_, ", t = ", static_cast<double>(step_) * dt_, " s, and can continue)");
    }
}

// The step loop of the ISA level this process runs.
Simulation::BlockLoop Simulation::block_loop() {
#define NN_ISA_LOOP(L) \
    if (&isa() == &L::level) return &Simulation::run_block<L::Level>;
    NN_ISA_LEVELS(NN_ISA_LOOP)
#undef NN_ISA_LOOP
    fail(NN_ERR_INTERNAL, "the ISA level '", isa().name, "' has no step loop");
}

// What the kernels read: every input has values; their views; at least n_workers workers.
void Simulation::prepare_kernels(int n_workers) {
    for (size_t i = 0; i < input_set_.size(); ++i)
        if (!input_set_[i]) fail(NN_ERR_INVALID_STATE, "input ", i, " has no values (call nn_simulation_set_input first)");
    while (static_cast<int>(workers_.size()) < n_workers)
        workers_.push_back(std::make_unique<Worker>(*model_, dt_, total_, seed_));
    input_views_.clear();
    for (const Input& in : inputs_)
        input_views_.push_back(nn_kernel_input{in.values.data(), in.n_times, in.n_columns, in.epsilon, in.k});
}

// Neuron `neuron` (slice index) spiked in step k: the block's result and the spike reducers.
void Simulation::spiked(BlockResult& result, int64_t k, int64_t neuron) {
    result.spikes.push_back(Spike{k, neuron});
    if (!spike_reducers_) return;
    const double t = static_cast<double>(k) * dt_;
    for (Reducer& r : reducers_)
        if (nn::reducer_counts_spikes(r.kind) && k >= r.start && k < r.end)
            nn::reducer_spike(r.kind, r.capacity, r.acc.data() + neuron * r.slots, t);
}

// The kernel's view of `block` with w's buffers; step, t and event_value are left to the caller.
nn_kernel_block Simulation::kernel_block(Worker& w, int64_t block) {
    const int64_t i0 = block * kBlock;
    double* const nr = not_refractory_.data() + i0;
    nn_kernel_block b{};
    b.state = state_.data() + i0;
    b.params = params_.data() + i0;
    b.stride = stride_;
    b.index = index_.data() + i0;
    b.lastspike = lastspike_.data() + i0;
    b.not_refractory = nr;
    b.refractory_mask = model_->any_unless_refractory ? nr : nullptr;
    b.out = w.out.data();
    b.out_stride = kBlock;
    b.workspace = w.workspace.data();
    b.inputs = input_views_.data();
    b.context = w.bytecode != nullptr ? w.bytecode->get() : nullptr;
    b.seed = seed_;
    b.first_neuron = first_ + i0;
    b.dt = dt_;
    b.n_neurons = static_cast<double>(total_);
    b.n = static_cast<int>(std::min<int64_t>(kBlock, n_ - i0));
    return b;
}

// A point of the step: slot (nn_slot) after operations [0, after), which must run in slots <= slot, the others in >= slot.
void Simulation::check_point(int32_t slot, int32_t after) const {
    const std::vector<int32_t>& slots = model_->operation_slots;
    const int32_t n = static_cast<int32_t>(slots.size());
    if (slot < NN_SLOT_UPDATE || slot > NN_SLOT_END) invalid("slot is ", slot, " (must be an nn_slot, 0..", int(NN_SLOT_END), ")");
    if (after < 0 || after > n) invalid("after_operations is ", after, " (must be 0..", n, ", the model's operations)");
    if ((after > 0 && slots[static_cast<size_t>(after - 1)] > slot) || (after < n && slots[static_cast<size_t>(after)] < slot))
        invalid("after_operations is ", after, " but operations [0, ", after, ") must run in slots <= ", slot,
                " and the others in slots >= ", slot);
}

void Simulation::set_monitor_slot(int32_t index, int32_t slot, int32_t after) {
    monitor(index); // checks the index
    check_point(slot, after);
    Monitor& mon = monitors_[static_cast<size_t>(index)];
    mon.slot = slot;
    mon.after = after;
}

int32_t Simulation::add_event_monitor(const nn_event_monitor_desc& d) {
    if (d.struct_size != static_cast<int32_t>(sizeof(nn_event_monitor_desc)))
        invalid("desc->struct_size is ", d.struct_size, " but this library expects sizeof(nn_event_monitor_desc) = ",
                sizeof(nn_event_monitor_desc));
    if (d.reserved != 0) invalid("desc->reserved is ", d.reserved, " (must be 0)");
    if (d.param == NN_EVENT_SPIKES) {
        if (!model_->has_threshold) invalid("desc->param is NN_EVENT_SPIKES but the model has no threshold");
        // Before the threshold the step's spikes are not known yet.
        if (d.slot < NN_SLOT_EVENTS)
            invalid("desc->slot is ", d.slot, " but the spikes are recorded after the threshold (NN_SLOT_EVENTS or later)");
    } else if (d.param < 0 || d.param >= model_->n_param) {
        invalid("desc->param is ", d.param, " but the model has ", model_->n_param, " parameters (or NN_EVENT_SPIKES)");
    }
    check_point(d.slot, d.after_operations);
    if (d.n_vars < 0) invalid("desc->n_vars is ", d.n_vars, " (must be >= 0)");
    if (d.n_vars > 0 && (d.kinds == nullptr || d.indices == nullptr)) invalid("desc->", d.kinds == nullptr ? "kinds" : "indices", " is NULL");
    check_variables(d.kinds, d.indices, d.n_vars);
    if (event_monitors_.size() >= static_cast<size_t>(INT32_MAX)) invalid("too many event monitors");
    EventMonitor mon{d.param, d.slot, d.after_operations, {}, {}, {}, {}, {}};
    mon.kinds.assign(d.kinds, d.kinds + d.n_vars);
    mon.indices.assign(d.indices, d.indices + d.n_vars);
    mon.values.resize(static_cast<size_t>(d.n_vars));
    event_monitors_.push_back(std::move(mon));
    return static_cast<int32_t>(event_monitors_.size() - 1);
}

const Simulation::EventMonitor& Simulation::event_monitor(int32_t index) const {
    if (index < 0 || static_cast<size_t>(index) >= event_monitors_.size())
        invalid("monitor is ", index, " but the simulation has ", event_monitors_.size(), " event monitors");
    return event_monitors_[static_cast<size_t>(index)];
}

int64_t Simulation::event_total(int32_t monitor) const { return static_cast<int64_t>(event_monitor(monitor).neuron.size()); }

void Simulation::get_monitor_events(int32_t monitor, int64_t* indices, double* times, int64_t capacity, int64_t* out_count) const {
    const EventMonitor& mon = event_monitor(monitor);
    copy_events(mon.neuron, mon.step, indices, times, capacity, out_count, "events");
}

void Simulation::get_event_values(int32_t monitor, int32_t var, double* out, int64_t count) const {
    const EventMonitor& mon = event_monitor(monitor);
    if (var < 0 || static_cast<size_t>(var) >= mon.values.size())
        invalid("var is ", var, " but event monitor ", monitor, " records ", mon.values.size(), " variables");
    const Doubles& v = mon.values[static_cast<size_t>(var)];
    if (count != static_cast<int64_t>(v.size())) invalid("count is ", count, " but event monitor ", monitor, " holds ", v.size(), " events");
    if (out == nullptr && count > 0) invalid("out_values is NULL");
    std::copy(v.begin(), v.end(), out);
}

void Simulation::record_monitor_sample(int32_t index) {
    monitor(index); // checks the index
    Monitor& mon = monitors_[static_cast<size_t>(index)];
    const size_t width = mon.neurons.size(), sample = mon.steps.size();
    std::vector<double> all(static_cast<size_t>(n_));
    for (size_t v = 0; v < mon.kinds.size(); ++v) {
        get_array(mon.kinds[v], mon.indices[v], all.data(), n_); // observables: of the current state
        mon.data[v].resize((sample + 1) * width);
        for (size_t p = 0; p < width; ++p) mon.data[v][sample * width + p] = all[static_cast<size_t>(mon.neurons[p])];
    }
    mon.steps.push_back(step_);
}

void Simulation::copy_events(const std::vector<int64_t>& neuron, const std::vector<int64_t>& step, int64_t* indices,
                             double* times, int64_t capacity, int64_t* out_count, const char* what) const {
    const int64_t total = static_cast<int64_t>(neuron.size());
    if (out_count == nullptr) invalid("out_count is NULL");
    if (capacity < total) invalid("capacity is ", capacity, " but ", total, " ", what, " are recorded");
    if (total > 0 && (indices == nullptr || times == nullptr)) invalid(indices == nullptr ? "out_indices" : "out_times", " is NULL");
    for (int64_t j = 0; j < total; ++j) {
        indices[j] = neuron[static_cast<size_t>(j)];
        times[j] = static_cast<double>(step[static_cast<size_t>(j)]) * dt_;
    }
    *out_count = total;
}

std::vector<char> Simulation::sample_points() const {
    const size_t width = operations_.size() + 1;
    std::vector<char> points(width * (NN_SLOT_END + 1), 0);
    for (const Monitor& mon : monitors_) points[static_cast<size_t>(mon.slot) * width + static_cast<size_t>(mon.after)] = 1;
    for (const EventMonitor& mon : event_monitors_) points[static_cast<size_t>(mon.slot) * width + static_cast<size_t>(mon.after)] = 1;
    if (sample_reducers_) points[static_cast<size_t>(model_->sample_after)] = 1;
    return points;
}

// Samples the block b at step k, at the point (slot, op) of the step, for the monitors placed there and,
// where monitors sample by default, the variable reducers. The observables are computed into b.out once
// for the block when one of them needs one.
void Simulation::record(const nn_kernel_block& b, int64_t k, int32_t slot, int32_t op, BlockResult& result) {
    const int64_t i0 = b.first_neuron - first_, i1 = i0 + b.n;
    bool observed = false;
    auto observe = [&] {
        if (observed) return;
        nn_kernel_block at = b;
        at.step = k;
        at.t = static_cast<double>(k) * dt_;
        model_->kernel.observables(&at);
        observed = true;
    };
    auto values = [&](int32_t kind, int32_t index) {
        if (kind != NN_ARRAY_OBSERVABLE) return array(kind, index) + i0;
        observe();
        return static_cast<const double*>(b.out + index * b.out_stride);
    };
    for (size_t j = 0; j < event_monitors_.size(); ++j) {
        const EventMonitor& mon = event_monitors_[j];
        if (mon.slot != slot || mon.after != op) continue;
        std::vector<Spike>& events = result.events[j];
        const size_t first = events.size();
        if (mon.param == NN_EVENT_SPIKES) { // the block's spikes of step k: the end of its list
            size_t s = result.spikes.size();
            while (s > 0 && result.spikes[s - 1].step == k) --s;
            events.insert(events.end(), result.spikes.begin() + static_cast<std::ptrdiff_t>(s), result.spikes.end());
        } else {
            const double* flags = b.params + mon.param * b.stride;
            for (int i = 0; i < b.n; ++i)
                if (flags[i] != 0.0) events.push_back(Spike{k, i0 + i});
        }
        for (size_t e = first; e < events.size(); ++e)
            for (size_t v = 0; v < mon.kinds.size(); ++v)
                result.event_values[j].push_back(values(mon.kinds[v], mon.indices[v])[events[e].neuron - i0]);
    }
    for (Monitor& mon : monitors_) {
        if (!mon.enabled || mon.slot != slot || mon.after != op || k % mon.every != 0) continue;
        const int64_t sample = mon.segment_base + (k - mon.segment_first) / mon.every;
        const size_t width = mon.neurons.size();
        auto it = std::lower_bound(mon.by_neuron.begin(), mon.by_neuron.end(), std::make_pair(i0, int64_t(0)));
        if (it == mon.by_neuron.end() || it->first >= i1) continue;
        for (size_t v = 0; v < mon.kinds.size(); ++v) {
            const double* x = values(mon.kinds[v], mon.indices[v]);
            for (auto at = it; at != mon.by_neuron.end() && at->first < i1; ++at)
                mon.data[v][static_cast<size_t>(sample) * width + static_cast<size_t>(at->second)] = x[at->first - i0];
        }
    }
    const bool reducers = slot == NN_SLOT_UPDATE && op == model_->sample_after;
    for (Reducer& r : reducers_) {
        if (!reducers || nn::reducer_counts_spikes(r.kind) || k < r.start || k >= r.end || (k - r.start) % r.every != 0) continue;
        const int64_t j = (k - r.start) / r.every;
        const double* x = values(r.var_kind, r.var_index);
        for (int64_t i = i0; i < i1; ++i) {
            const double target = r.kind == nn::REDUCE_MSE
                ? r.target[static_cast<size_t>(((first_ + i) % r.target_rows) * r.target_samples + j)] : 0.0;
            nn::reducer_sample(r.kind, r.capacity, r.acc.data() + i * r.slots, j, x[i - i0], target);
        }
    }
}

void Simulation::clear_results() {
    spike_neuron_.clear();
    spike_step_.clear();
    step_counts_.clear();
    std::fill(counts_.begin(), counts_.end(), 0);
    for (Monitor& mon : monitors_) {
        mon.steps.clear();
        for (Doubles& d : mon.data) d.clear();
    }
    for (EventMonitor& mon : event_monitors_) {
        mon.neuron.clear();
        mon.step.clear();
        for (Doubles& v : mon.values) v.clear();
    }
    for (Reducer& r : reducers_)
        for (int64_t i = 0; i < n_; ++i) nn::reducer_init(r.kind, r.capacity, r.acc.data() + i * r.slots);
}

void Simulation::reset() {
    if (initial_.captured) {
        state_ = initial_.state;
        params_ = initial_.params;
        lastspike_ = initial_.lastspike;
        not_refractory_ = initial_.not_refractory;
        events_ = initial_.events;
        initial_.captured = false; // the next run starts from here, with whatever is set until then
    }
    step_ = 0;
    failure_.clear();
    clear_results();
}

int32_t Simulation::add_reducer(const nn_reducer_desc& d) {
    if (d.struct_size != static_cast<int32_t>(sizeof(nn_reducer_desc)))
        invalid("desc->struct_size is ", d.struct_size, " but this library expects sizeof(nn_reducer_desc) = ", sizeof(nn_reducer_desc));
    if (d.kind < nn::REDUCE_SPIKE_COUNT || d.kind > nn::REDUCE_SAMPLES)
        invalid("desc->kind is ", d.kind, " (must be an nn_reducer_kind, 0..", int(nn::REDUCE_SAMPLES), ")");
    if (reducers_.size() >= static_cast<size_t>(INT32_MAX)) invalid("too many reducers");
    const bool spikes = nn::reducer_counts_spikes(d.kind);
    if (spikes && !model_->has_threshold) invalid("desc->kind is a spike reducer (", d.kind, ") but the model has no threshold");
    if (d.start_step < step_) invalid("desc->start_step is ", d.start_step, " but the simulation is already at step ", step_);
    if (d.end_step != -1 && d.end_step <= d.start_step)
        invalid("desc->end_step is ", d.end_step, " (must be > start_step = ", d.start_step, ", or -1 for no end)");
    Reducer r{};
    r.kind = d.kind;
    r.start = d.start_step;
    r.end = d.end_step == -1 ? INT64_MAX : d.end_step;
    r.every = 1;
    const bool has_capacity = d.kind == nn::REDUCE_SPIKE_TIMES || d.kind == nn::REDUCE_SAMPLES;
    if (has_capacity ? (d.capacity < 1 || d.capacity > (int64_t(1) << 32)) : d.capacity != 0)
        invalid("desc->capacity is ", d.capacity, has_capacity ? " (must be 1..2^32 values per neuron)" : " (must be 0 for this kind)");
    r.capacity = d.capacity;
    if (!spikes) {
        try {
            check_array(d.var_kind, d.var_index, n_, false);
        } catch (const Error& e) {
            invalid("desc->var_kind/var_index: ", e.message);
        }
        if (d.every_steps < 1) invalid("desc->every_steps is ", d.every_steps, " (must be >= 1)");
        r.var_kind = d.var_kind;
        r.var_index = d.var_index;
        r.every = d.every_steps;
    } else if (d.var_kind != 0 || d.var_index != 0) {
        invalid("desc->var_kind and var_index must be 0 for a spike reducer");
    }
    if (d.kind == nn::REDUCE_MSE) {
        if (d.target_rows < 1 || d.target_samples < 1)
            invalid("desc->target_rows and target_samples are ", d.target_rows, " and ", d.target_samples, " (must be >= 1)");
        if (d.target_rows > (int64_t(1) << 40) / d.target_samples) invalid("desc->target is too large (", d.target_rows, " x ", d.target_samples, ")");
        if (d.target == nullptr) invalid("desc->target is NULL");
        r.target.assign(d.target, d.target + d.target_rows * d.target_samples);
        r.target_rows = d.target_rows;
        r.target_samples = d.target_samples;
        if (d.target_samples <= (r.end - r.start - 1) / r.every) r.end = r.start + d.target_samples * r.every;
    } else if (d.target != nullptr || d.target_rows != 0 || d.target_samples != 0) {
        invalid("desc->target, target_rows and target_samples are only for NN_REDUCE_MSE (must be NULL, 0, 0)");
    }
    r.slots = nn::reducer_slots(r.kind, r.capacity);
    if (r.slots > (int64_t(1) << 40) / n_) invalid("the reducer needs too much memory (", r.slots, " values x ", n_, " neurons)");
    r.acc.resize(static_cast<size_t>(r.slots * n_));
    for (int64_t i = 0; i < n_; ++i) nn::reducer_init(r.kind, r.capacity, r.acc.data() + i * r.slots);
    (spikes ? spike_reducers_ : sample_reducers_) = true;
    reducers_.push_back(std::move(r));
    return static_cast<int32_t>(reducers_.size() - 1);
}

const Simulation::Reducer& Simulation::reducer(int32_t index) const {
    if (index < 0 || static_cast<size_t>(index) >= reducers_.size())
        invalid("reducer is ", index, " but the simulation has ", reducers_.size(), " reducers");
    return reducers_[static_cast<size_t>(index)];
}

int64_t Simulation::reducer_width(int32_t index) const {
    const Reducer& r = reducer(index);
    return nn::reducer_width(r.kind, r.capacity);
}

void Simulation::get_reducer_values(int32_t index, double* out, int64_t count) const {
    const Reducer& r = reducer(index);
    const int64_t width = nn::reducer_width(r.kind, r.capacity);
    if (count != n_ * width) invalid("count is ", count, " but reducer ", index, " holds ", n_, " neurons x ", width, " values = ", n_ * width);
    if (out == nullptr) invalid("out_values is NULL");
    const double seconds = static_cast<double>(std::max<int64_t>(std::min(step_, r.end) - r.start, 0)) * dt_;
    for (int64_t i = 0; i < n_; ++i) nn::reducer_value(r.kind, r.capacity, r.acc.data() + i * r.slots, seconds, out + i * width);
}

// Counting sort by step: blocks are visited in index order and each block's list is ordered, so the result
// is ordered by (step, neuron) for any thread count. neuron and step may be NULL (only counted).
std::vector<int64_t> Simulation::merge_ordered(const std::vector<const std::vector<Spike>*>& lists, int64_t k0, int64_t end,
                                               std::vector<int64_t>* neuron, std::vector<int64_t>* step,
                                               const std::vector<const std::vector<double>*>& values,
                                               std::vector<Doubles>* columns) {
    std::vector<int64_t> per_step(static_cast<size_t>(end - k0), 0);
    for (const auto* list : lists)
        for (const Spike& s : *list)
            if (s.step < end) ++per_step[static_cast<size_t>(s.step - k0)];
    if (neuron == nullptr) return per_step;
    std::vector<int64_t> offset(per_step.size());
    int64_t pos = static_cast<int64_t>(neuron->size());
    for (size_t j = 0; j < per_step.size(); ++j) {
        offset[j] = pos;
        pos += per_step[j];
    }
    neuron->resize(static_cast<size_t>(pos));
    step->resize(static_cast<size_t>(pos));
    const size_t width = columns != nullptr ? columns->size() : 0;
    for (size_t v = 0; v < width; ++v) (*columns)[v].resize(static_cast<size_t>(pos));
    for (size_t l = 0; l < lists.size(); ++l)
        for (size_t m = 0; m < lists[l]->size(); ++m) {
            const Spike& s = (*lists[l])[m];
            if (s.step >= end) continue;
            const size_t at = static_cast<size_t>(offset[static_cast<size_t>(s.step - k0)]++);
            (*neuron)[at] = s.neuron;
            (*step)[at] = s.step;
            for (size_t v = 0; v < width; ++v) (*columns)[v][at] = (*values[l])[m * width + v];
        }
    return per_step;
}

void Simulation::merge_segment(int64_t k0, int64_t k1) {
    // The earliest failure (step, then neuron) ends the segment there for everyone.
    const BlockResult* failed = nullptr;
    for (const BlockResult& r : results_)
        if (r.fail_step != INT64_MAX && (failed == nullptr || r.fail_step < failed->fail_step)) failed = &r;
    const int64_t end = failed != nullptr ? failed->fail_step : k1;

    std::vector<const std::vector<Spike>*> lists;
    for (const BlockResult& r : results_) lists.push_back(&r.spikes);
    const std::vector<int64_t> per_step = record_spikes_ ? merge_ordered(lists, k0, end, &spike_neuron_, &spike_step_)
                                                          : merge_ordered(lists, k0, end, nullptr, nullptr);
    for (size_t j = 0; j < event_monitors_.size(); ++j) {
        lists.clear();
        std::vector<const std::vector<double>*> values;
        for (const BlockResult& r : results_) {
            lists.push_back(&r.events[j]);
            values.push_back(&r.event_values[j]);
        }
        EventMonitor& mon = event_monitors_[j];
        merge_ordered(lists, k0, end, &mon.neuron, &mon.step, values, &mon.values);
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
    copy_events(spike_neuron_, spike_step_, indices, times, capacity, out_count, "spikes");
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

void Simulation::set_monitor_enabled(int32_t index, bool enabled) {
    monitor(index); // checks the index
    monitors_[static_cast<size_t>(index)].enabled = enabled;
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
