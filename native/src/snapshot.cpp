// Snapshots (nn_simulation_snapshot / nn_simulation_restore): the dynamic state of a simulation as
// a self-checking binary blob. Layout: magic, format version, then the identity of the simulation
// (model fingerprint, neuron slice, dt, seed), then the state, then an FNV-1a checksum of all that
// precedes it. Little-endian fields as the machine stores them (x86-64 and arm64 alike).
#include "simulation.hpp"

#include "error.hpp"

#include <cstring>
#include <type_traits>

namespace nn::rt {
namespace {

constexpr char kMagic[8] = {'N', 'N', 'S', 'N', 'A', 'P', 'S', 'H'};
constexpr uint32_t kFormatVersion = 5; // 2: state monitors carry their on/off flag; 3: and their slot; 4: event monitors;
                                       // 5: their variables and values

uint64_t fnv1a(const uint8_t* p, size_t n, uint64_t h = 0xcbf29ce484222325ull) {
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

class Writer {
public:
    template <class T>
    void put(const T& x) {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto* p = reinterpret_cast<const uint8_t*>(&x);
        bytes.insert(bytes.end(), p, p + sizeof(T));
    }
    template <class V>
    void array(const V& v) {
        put(static_cast<int64_t>(v.size()));
        const auto* p = reinterpret_cast<const uint8_t*>(v.data());
        bytes.insert(bytes.end(), p, p + v.size() * sizeof(v[0]));
    }
    void string(const std::string& s) { array(s); }
    std::vector<uint8_t> bytes;
};

class Reader {
public:
    Reader(const uint8_t* p, int64_t n) : p_(p), n_(n) {}
    template <class T>
    T get() {
        T x;
        need(sizeof(T));
        std::memcpy(&x, p_ + at_, sizeof(T));
        at_ += sizeof(T);
        return x;
    }
    template <class V>
    void array(V& v, const char* what) {
        const int64_t count = get<int64_t>();
        using E = std::remove_reference_t<decltype(v[0])>;
        if (count < 0 || count > (n_ - at_) / static_cast<int64_t>(sizeof(E)))
            invalid("the snapshot is damaged (", what, " has ", count, " entries, more than the blob holds)");
        v.resize(static_cast<size_t>(count));
        std::memcpy(v.data(), p_ + at_, static_cast<size_t>(count) * sizeof(E));
        at_ += count * static_cast<int64_t>(sizeof(E));
    }
    std::string string(const char* what) {
        std::string s;
        array(s, what);
        return s;
    }
    int64_t position() const { return at_; }

private:
    void need(size_t n) {
        if (static_cast<int64_t>(n) > n_ - at_) invalid("the snapshot is truncated (", n_, " bytes)");
    }
    const uint8_t* p_;
    int64_t n_, at_ = 0;
};

template <class A, class B>
void same(const A& expected, const B& found, const char* what) {
    if (!(expected == found)) invalid("the snapshot's ", what, " differs from this simulation's");
}

// Per variable n values (the padding of the stride is not state).
void put_lanes(Writer& w, const Doubles& a, int64_t count, int64_t n, int64_t stride) {
    for (int64_t v = 0; v < count; ++v) {
        std::vector<double> lane(a.begin() + v * stride, a.begin() + v * stride + n);
        w.array(lane);
    }
}

void get_lanes(Reader& r, Doubles& a, int64_t count, int64_t n, int64_t stride, const char* what) {
    for (int64_t v = 0; v < count; ++v) {
        std::vector<double> lane;
        r.array(lane, what);
        if (static_cast<int64_t>(lane.size()) != n) invalid("the snapshot's ", what, " has ", lane.size(), " neurons, not ", n);
        std::copy(lane.begin(), lane.end(), a.begin() + v * stride);
    }
}

// Field by field: the padding of Event is not state (and would make equal snapshots differ).
template <class Event>
void put_events(Writer& w, const std::vector<Event>& events) {
    w.put(static_cast<int64_t>(events.size()));
    for (const Event& e : events) {
        w.put(e.step);
        w.put(e.neuron);
        w.put(e.section);
        w.put(e.value);
    }
}

template <class Event>
std::vector<Event> get_events(Reader& r, const char* what, int64_t n_neurons, size_t n_sections) {
    const auto count = r.get<int64_t>();
    if (count < 0 || count > (int64_t(1) << 40)) invalid("the snapshot is damaged (", what, " has ", count, " entries)");
    std::vector<Event> events;
    for (int64_t j = 0; j < count; ++j) {
        Event e{};
        e.step = r.get<int64_t>();
        e.neuron = r.get<int64_t>();
        e.section = r.get<int32_t>();
        e.value = r.get<double>();
        if (e.neuron < 0 || e.neuron >= n_neurons || e.section < 0 || static_cast<size_t>(e.section) >= n_sections)
            invalid("the snapshot is damaged (", what, " ", j, " is for neuron ", e.neuron, ", section ", e.section, ")");
        events.push_back(e);
    }
    return events;
}

} // namespace

std::vector<uint8_t> Simulation::snapshot() const {
    const Model& m = *model_;
    Writer w;
    for (char c : kMagic) w.put(c);
    w.put(kFormatVersion);
    w.put(static_cast<uint32_t>(NN_ABI_VERSION));
    w.put(m.fingerprint);
    w.put(n_);
    w.put(first_);
    w.put(total_);
    w.put(dt_);
    w.put(seed_);

    w.put(step_);
    w.string(failure_);
    put_lanes(w, state_, m.n_state, n_, stride_);
    put_lanes(w, params_, m.n_param, n_, stride_);
    w.array(lastspike_);
    w.array(not_refractory_);
    put_events(w, events_);
    w.put(static_cast<uint8_t>(initial_.captured));
    if (initial_.captured) {
        put_lanes(w, initial_.state, m.n_state, n_, stride_);
        put_lanes(w, initial_.params, m.n_param, n_, stride_);
        w.array(initial_.lastspike);
        w.array(initial_.not_refractory);
        put_events(w, initial_.events);
    }
    w.put(static_cast<uint8_t>(record_spikes_));
    w.array(spike_neuron_);
    w.array(spike_step_);
    w.array(counts_);
    w.array(step_counts_);

    w.put(static_cast<int64_t>(monitors_.size()));
    for (const Monitor& mon : monitors_) {
        w.array(mon.kinds);
        w.array(mon.indices);
        w.array(mon.neurons);
        w.put(mon.every);
        w.put(mon.slot);
        w.put(mon.after);
        w.put(static_cast<uint8_t>(mon.enabled));
        w.array(mon.steps);
        for (const Doubles& d : mon.data) w.array(d);
    }
    w.put(static_cast<int64_t>(event_monitors_.size()));
    for (const EventMonitor& mon : event_monitors_) {
        for (int32_t x : {mon.param, mon.slot, mon.after}) w.put(x);
        w.array(mon.kinds);
        w.array(mon.indices);
        w.array(mon.neuron);
        w.array(mon.step);
        for (const Doubles& v : mon.values) w.array(v);
    }
    w.put(static_cast<int64_t>(reducers_.size()));
    for (const Reducer& r : reducers_) {
        for (int32_t x : {r.kind, r.var_kind, r.var_index}) w.put(x);
        for (int64_t x : {r.start, r.end, r.every, r.capacity, r.target_rows, r.target_samples}) w.put(x);
        w.put(fnv1a(reinterpret_cast<const uint8_t*>(r.target.data()), r.target.size() * sizeof(double)));
        w.array(r.acc);
    }
    w.put(fnv1a(w.bytes.data(), w.bytes.size()));
    return std::move(w.bytes);
}

void Simulation::restore(const uint8_t* blob, int64_t size) {
    if (blob == nullptr) invalid("blob is NULL");
    if (size < static_cast<int64_t>(sizeof(kMagic) + 8) || std::memcmp(blob, kMagic, sizeof(kMagic)) != 0)
        invalid("the blob is not a NeuroNative snapshot (no NNSNAPSH header)");
    uint64_t stored;
    std::memcpy(&stored, blob + size - 8, 8);
    Reader r(blob, size - 8);
    for (size_t i = 0; i < sizeof(kMagic); ++i) r.get<char>();
    const auto version = r.get<uint32_t>();
    if (version != kFormatVersion)
        invalid("the snapshot has format version ", version, " but this library reads version ", kFormatVersion);
    r.get<uint32_t>(); // the ABI version it was written under: informative
    if (fnv1a(blob, static_cast<size_t>(size - 8)) != stored) invalid("the snapshot is damaged (checksum mismatch)");

    const Model& m = *model_;
    if (r.get<uint64_t>() != m.fingerprint)
        invalid("the snapshot was taken from another model (its fingerprint differs from this model's)");
    const auto n = r.get<int64_t>(), first = r.get<int64_t>(), total = r.get<int64_t>();
    if (n != n_ || first != first_ || total != total_)
        invalid("the snapshot is of neurons [", first, ", ", first + n, ") of ", total, " but this simulation has [", first_, ", ",
                first_ + n_, ") of ", total_);
    const auto dt = r.get<double>();
    const auto seed = r.get<uint64_t>();
    if (dt != dt_) invalid("the snapshot has dt = ", dt, " s but this simulation has dt = ", dt_, " s");
    if (seed != seed_) invalid("the snapshot has seed ", seed, " but this simulation has seed ", seed_);

    // Everything is read into a copy first: a bad blob leaves the simulation as it was.
    const auto step = r.get<int64_t>();
    std::string failure = r.string("failure");
    Doubles state = state_, params = params_, lastspike, nr;
    get_lanes(r, state, m.n_state, n_, stride_, "state");
    get_lanes(r, params, m.n_param, n_, stride_, "parameters");
    r.array(lastspike, "lastspike");
    r.array(nr, "not_refractory");
    same(lastspike.size(), lastspike_.size(), "number of neurons (lastspike)");
    same(nr.size(), not_refractory_.size(), "number of neurons (not_refractory)");
    std::vector<Event> events = get_events<Event>(r, "events", n_, m.events.size());
    Initial initial;
    initial.captured = r.get<uint8_t>() != 0;
    if (initial.captured) {
        initial.state = state_;
        initial.params = params_;
        get_lanes(r, initial.state, m.n_state, n_, stride_, "initial state");
        get_lanes(r, initial.params, m.n_param, n_, stride_, "initial parameters");
        r.array(initial.lastspike, "initial lastspike");
        r.array(initial.not_refractory, "initial not_refractory");
        same(initial.lastspike.size(), lastspike_.size(), "number of neurons (initial lastspike)");
        same(initial.not_refractory.size(), not_refractory_.size(), "number of neurons (initial not_refractory)");
        initial.events = get_events<Event>(r, "initial events", n_, m.events.size());
    }
    const bool record_spikes = r.get<uint8_t>() != 0;
    std::vector<int64_t> spike_neuron, spike_step, counts, step_counts;
    r.array(spike_neuron, "spike indices");
    r.array(spike_step, "spike steps");
    r.array(counts, "spike counts");
    r.array(step_counts, "step spike counts");
    same(spike_neuron.size(), spike_step.size(), "spike list");
    same(counts.size(), counts_.size(), "number of neurons (spike counts)");

    const auto n_monitors = r.get<int64_t>();
    if (n_monitors != static_cast<int64_t>(monitors_.size()))
        invalid("the snapshot has ", n_monitors, " state monitors but this simulation has ", monitors_.size(),
                " (add the same monitors, in the same order, before restoring)");
    std::vector<Monitor> monitors = monitors_;
    for (size_t j = 0; j < monitors.size(); ++j) {
        Monitor& mon = monitors[j];
        std::vector<int32_t> kinds, indices;
        std::vector<int64_t> neurons;
        r.array(kinds, "monitor variables");
        r.array(indices, "monitor variables");
        r.array(neurons, "monitor neurons");
        const auto every = r.get<int64_t>();
        const auto slot = r.get<int32_t>(), after = r.get<int32_t>();
        const bool enabled = r.get<uint8_t>() != 0;
        if (kinds != mon.kinds || indices != mon.indices || neurons != mon.neurons || every != mon.every)
            invalid("state monitor ", j, " of the snapshot records other variables, neurons or intervals than this simulation's");
        if (slot != mon.slot || after != mon.after)
            invalid("state monitor ", j, " of the snapshot samples at another point of the step than this simulation's");
        if (enabled != mon.enabled)
            invalid("state monitor ", j, " is ", enabled ? "on" : "off", " in the snapshot but ", mon.enabled ? "on" : "off",
                    " in this simulation (set_monitor_enabled before restoring)");
        r.array(mon.steps, "monitor steps");
        for (Doubles& d : mon.data) {
            r.array(d, "monitor samples");
            same(d.size(), mon.steps.size() * mon.neurons.size(), "monitor sample count");
        }
    }
    const auto n_event_monitors = r.get<int64_t>();
    if (n_event_monitors != static_cast<int64_t>(event_monitors_.size()))
        invalid("the snapshot has ", n_event_monitors, " event monitors but this simulation has ", event_monitors_.size(),
                " (add the same monitors, in the same order, before restoring)");
    std::vector<EventMonitor> event_monitors = event_monitors_;
    for (size_t j = 0; j < event_monitors.size(); ++j) {
        EventMonitor& mon = event_monitors[j];
        bool ok = true;
        for (int32_t x : {mon.param, mon.slot, mon.after}) ok &= r.get<int32_t>() == x;
        if (!ok) invalid("event monitor ", j, " of the snapshot records another event or point of the step than this simulation's");
        std::vector<int32_t> kinds, indices;
        r.array(kinds, "event monitor variables");
        r.array(indices, "event monitor variables");
        if (kinds != mon.kinds || indices != mon.indices)
            invalid("event monitor ", j, " of the snapshot records other variables than this simulation's");
        r.array(mon.neuron, "event neurons");
        r.array(mon.step, "event steps");
        same(mon.neuron.size(), mon.step.size(), "event count");
        for (Doubles& v : mon.values) {
            r.array(v, "event values");
            same(v.size(), mon.neuron.size(), "event value count");
        }
    }
    const auto n_reducers = r.get<int64_t>();
    if (n_reducers != static_cast<int64_t>(reducers_.size()))
        invalid("the snapshot has ", n_reducers, " reducers but this simulation has ", reducers_.size(),
                " (add the same reducers, in the same order, before restoring)");
    std::vector<Reducer> reducers = reducers_;
    for (size_t j = 0; j < reducers.size(); ++j) {
        Reducer& red = reducers[j];
        bool ok = true;
        for (int32_t x : {red.kind, red.var_kind, red.var_index}) ok &= r.get<int32_t>() == x;
        for (int64_t x : {red.start, red.end, red.every, red.capacity, red.target_rows, red.target_samples}) ok &= r.get<int64_t>() == x;
        ok &= r.get<uint64_t>() == fnv1a(reinterpret_cast<const uint8_t*>(red.target.data()), red.target.size() * sizeof(double));
        if (!ok) invalid("reducer ", j, " of the snapshot is defined differently from this simulation's");
        const size_t slots = red.acc.size();
        r.array(red.acc, "reducer accumulators");
        same(red.acc.size(), slots, "reducer size");
    }
    if (r.position() != size - 8) invalid("the snapshot is damaged (", size - 8 - r.position(), " bytes left over)");

    step_ = step;
    failure_ = std::move(failure);
    state_ = std::move(state);
    params_ = std::move(params);
    lastspike_ = std::move(lastspike);
    not_refractory_ = std::move(nr);
    events_ = std::move(events);
    initial_ = std::move(initial);
    record_spikes_ = record_spikes;
    spike_neuron_ = std::move(spike_neuron);
    spike_step_ = std::move(spike_step);
    counts_ = std::move(counts);
    step_counts_ = std::move(step_counts);
    monitors_ = std::move(monitors);
    event_monitors_ = std::move(event_monitors);
    reducers_ = std::move(reducers);
}

uint64_t model_fingerprint(const nn_model_desc& d) {
    Writer w;
    for (int32_t x : {d.n_state, d.n_param, d.n_noise, d.n_inputs, d.method, d.n_stages, d.refractory, d.has_threshold, d.n_events,
                      d.observables.n_outputs})
        w.put(x);
    auto names = [&](const char* const* list, int32_t count) {
        for (int32_t i = 0; list != nullptr && i < count; ++i) w.string(list[i] != nullptr ? list[i] : "");
    };
    names(d.state_names, d.n_state);
    names(d.param_names, d.n_param);
    names(d.observable_names, d.observables.n_outputs);
    for (int32_t i = 0; d.state_flags != nullptr && i < d.n_state; ++i) w.put(d.state_flags[i]);
    const int64_t stages = d.method == NN_METHOD_EXPLICIT_RK ? d.n_stages : 0;
    for (int64_t i = 0; d.rk_a != nullptr && i < stages * stages; ++i) w.put(d.rk_a[i]);
    for (int64_t i = 0; d.rk_b != nullptr && i < stages; ++i) w.put(d.rk_b[i]);
    w.string(d.model_hash != nullptr ? d.model_hash : "");
    w.put(d.n_operations);
    w.put(d.sample_after);
    for (int32_t j = 0; d.operations != nullptr && j < d.n_operations; ++j) {
        w.put(d.operations[j].slot);
        w.put(d.operations[j].dt);
    }
    return fnv1a(w.bytes.data(), w.bytes.size());
}

} // namespace nn::rt
