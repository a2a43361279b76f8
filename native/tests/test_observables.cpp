// Observables (nn_model_desc.observables, NN_ARRAY_OBSERVABLE): validation of the section and of
// NN_SECTION_DEFINED on the interpreter, nn_simulation_get_array of an observable, monitors that
// record observables, and that an observable cannot be set; event monitors with the values of variables, and a state
// monitor's extra sample.
#include "check.hpp"
#include "bytecode.hpp"

#include <cmath>
#include <cstring>
#include <tuple>
#include <vector>

namespace {

constexpr double dt = 1e-4, tau = 10e-3;
constexpr int64_t n = 300; // two blocks of lanes

using nn_test::says;

// dv/dt = -v/tau with the observables vp = v*p, time = t and vi = v + i.
bc::Model decay() {
    bc::Model m;
    m.state_names = {"v"};
    m.param_names = {"p"};
    bc::Expr f{m.derivatives};
    m.derivatives.n_outputs = 1;
    f.set(bc::out(0), f.div(f.neg(bc::state(0)), m.k(tau)));
    m.observable_names = {"vp", "time", "vi"};
    bc::Expr o{m.observables};
    m.observables.n_outputs = 3;
    o.set(bc::out(0), o.mul(bc::state(0), bc::param(0)));
    o.set(bc::out(1), bc::special(NN_SPECIAL_T));
    o.set(bc::out(2), o.add(bc::state(0), bc::special(NN_SPECIAL_I)));
    return m;
}

void expect_invalid(bc::Model m, const char* needle) {
    nn_model_desc d = m.desc();
    nn_model* model = nullptr;
    CHECK_STATUS(nn_model_create(&d, &model), NN_ERR_INVALID_ARGUMENT);
    CHECK(says(needle));
    CHECK(model == nullptr);
}

void test_validation() {
    { bc::Model m = decay(); m.observables.n_outputs = 2; expect_invalid(m, "desc->observables instruction 4 (MOV): dst writes OUT 2 but the section has 2 outputs"); }
    { bc::Model m = decay(); m.observables.n_outputs = 4; m.observable_names.push_back("w"); expect_invalid(m, "desc->observables: no instruction writes OUT 3"); }
    { bc::Model m = decay(); m.observables.n_outputs = -1; expect_invalid(m, "desc->observables.n_outputs (the number of observables) is -1"); }
    { bc::Model m = decay(); m.observables.emit(NN_OP_MOV, bc::state(0), m.k(1)); expect_invalid(m, "dst writes STATE, which only reset and event statements may write"); }
    {
        bc::Model m = decay();
        nn_model_desc d = m.desc();
        d.observable_names = nullptr;
        nn_model* model = nullptr;
        CHECK_STATUS(nn_model_create(&d, &model), NN_ERR_INVALID_ARGUMENT);
        CHECK(says("desc->observable_names is NULL but 3 names are needed"));
    }
    // NN_SECTION_DEFINED: code in a compiled kernel library, which the interpreter does not have.
    {
        bc::Model m = decay();
        m.derivatives = bc::Section{};
        m.derivatives.n_outputs = 1;
        m.derivatives.flags = NN_SECTION_DEFINED;
        expect_invalid(m, "desc->derivatives is flagged NN_SECTION_DEFINED (its code is in a compiled kernel library), but the "
                          "interpreter (nn_model_create) needs the section's instructions");
    }
    { bc::Model m = decay(); m.observables.flags = NN_SECTION_DEFINED; expect_invalid(m, "desc->observables.n_instructions is 5 but a section flagged NN_SECTION_DEFINED has none"); }
    { bc::Model m = decay(); m.reset.flags = NN_SECTION_DEFINED; expect_invalid(m, "desc->reset is flagged NN_SECTION_DEFINED but must not exist (has_threshold is 0)"); }
    { bc::Model m = decay(); m.observables.flags = 2; expect_invalid(m, "desc->observables.flags is 2 (unknown bits"); }
}

void test_values_and_monitors() {
    bc::Model m = decay();
    nn_model_desc d = m.desc();
    nn_model* model = nullptr;
    CHECK_OK(nn_model_create(&d, &model));
    nn_simulation* sim = nullptr;
    CHECK_OK(nn_simulation_create(model, n, dt, 0, &sim));
    nn_model_destroy(model);
    if (sim == nullptr) return;
    std::vector<double> v(n), p(n), got(n);
    for (int64_t i = 0; i < n; ++i) {
        v[static_cast<size_t>(i)] = 1.0 + 0.01 * static_cast<double>(i);
        p[static_cast<size_t>(i)] = 2.0 - 0.003 * static_cast<double>(i);
    }
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_STATE, 0, v.data(), n));
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 0, p.data(), n));

    const int32_t kinds[] = {NN_ARRAY_STATE, NN_ARRAY_OBSERVABLE, NN_ARRAY_OBSERVABLE, NN_ARRAY_OBSERVABLE};
    const int32_t indices[] = {0, 0, 1, 2};
    const int64_t neurons[] = {299, 0, 255, 256};
    int32_t mon = -1;
    CHECK_OK(nn_simulation_add_state_monitor(sim, kinds, indices, 4, neurons, 4, 3, &mon));
    const int32_t bad_kind = NN_ARRAY_OBSERVABLE, bad_index = 3;
    CHECK_STATUS(nn_simulation_add_state_monitor(sim, &bad_kind, &bad_index, 1, neurons, 1, 1, &mon), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("variable 0: index is 3 but the model has 3 observables (kind NN_ARRAY_OBSERVABLE)"));

    const int64_t steps = 20;
    CHECK_OK(nn_simulation_run(sim, steps, nullptr, nullptr));

    // get_array: the observables of the current state, at t = step * dt.
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_STATE, 0, v.data(), n));
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_OBSERVABLE, 0, got.data(), n));
    for (int64_t i = 0; i < n; ++i) CHECK(got[static_cast<size_t>(i)] == v[static_cast<size_t>(i)] * p[static_cast<size_t>(i)]);
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_OBSERVABLE, 1, got.data(), n));
    for (double t : got) CHECK(t == static_cast<double>(steps) * dt);
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_OBSERVABLE, 2, got.data(), n));
    for (int64_t i = 0; i < n; ++i) CHECK(got[static_cast<size_t>(i)] == v[static_cast<size_t>(i)] + static_cast<double>(i));
    CHECK_STATUS(nn_simulation_get_array(sim, NN_ARRAY_OBSERVABLE, 3, got.data(), n), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("index is 3 but the model has 3 observables (kind NN_ARRAY_OBSERVABLE)"));
    CHECK_STATUS(nn_simulation_set_array(sim, NN_ARRAY_OBSERVABLE, 0, got.data(), n), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("kind is NN_ARRAY_OBSERVABLE: observable 'vp' is computed from the state; it cannot be set"));

    // The monitor: observables of the state it records, at the sample times.
    int64_t samples = 0;
    CHECK_OK(nn_simulation_get_monitor_size(sim, mon, &samples));
    CHECK(samples == 7); // steps 0, 3, ..., 18
    std::vector<double> times(static_cast<size_t>(samples));
    std::vector<std::vector<double>> trace(4, std::vector<double>(static_cast<size_t>(samples * 4)));
    CHECK_OK(nn_simulation_get_monitor_times(sim, mon, times.data(), samples));
    for (int32_t var = 0; var < 4; ++var)
        CHECK_OK(nn_simulation_get_monitor_values(sim, mon, var, trace[static_cast<size_t>(var)].data(), samples * 4));
    for (int64_t j = 0; j < 4; ++j)
        for (int64_t s = 0; s < samples; ++s) {
            const size_t at = static_cast<size_t>(j * samples + s);
            const double vj = trace[0][at];
            CHECK(trace[1][at] == vj * p[static_cast<size_t>(neurons[j])]);
            CHECK(trace[2][at] == times[static_cast<size_t>(s)]);
            CHECK(trace[3][at] == vj + static_cast<double>(neurons[j]));
        }
    CHECK(trace[0][static_cast<size_t>(samples - 1)] < 1.0 + 0.01 * 299); // the state decayed: the monitor saw it move
    nn_simulation_destroy(sim);
}

// dv/dt = rate, threshold v > 1, reset v = 0; count += 1, the observable vp = 2*v.
bc::Model spiking() {
    bc::Model m;
    m.state_names = {"v"};
    m.param_names = {"rate", "count"};
    m.derivatives.n_outputs = 1;
    m.derivatives.emit(NN_OP_MOV, bc::out(0), bc::param(0));
    m.has_threshold = 1;
    m.threshold.n_outputs = 1;
    m.threshold.emit(NN_OP_GT, bc::out(0), bc::state(0), m.k(1.0));
    m.reset.emit(NN_OP_MOV, bc::state(0), m.k(0.0));
    m.reset.emit(NN_OP_ADD, bc::param(1), bc::param(1), m.k(1.0));
    m.observable_names = {"vp"};
    m.observables.n_outputs = 1;
    m.observables.emit(NN_OP_MUL, bc::out(0), bc::state(0), m.k(2.0));
    return m;
}

// Event monitors of the spikes with the values of variables where they sit (before and after the reset), in the
// spike list's order for any thread count and through a snapshot; a state monitor's extra sample of the current
// state (record_monitor_sample).
void test_event_values() {
    bc::Model m = spiking();
    nn_model_desc d = m.desc();
    nn_model* model = nullptr;
    CHECK_OK(nn_model_create(&d, &model));
    if (model == nullptr) return;
    const int32_t kinds[] = {NN_ARRAY_STATE, NN_ARRAY_PARAM, NN_ARRAY_OBSERVABLE, NN_ARRAY_LASTSPIKE};
    const int32_t indices[] = {0, 1, 0, 0};
    std::vector<double> rate(n);
    for (int64_t i = 0; i < n; ++i) rate[static_cast<size_t>(i)] = 100.0 + 37.0 * static_cast<double>(i % 17);
    auto make = [&](int32_t threads, int32_t* before, int32_t* after) {
        nn_simulation* sim = nullptr;
        CHECK_OK(nn_simulation_create(model, n, dt, 0, &sim));
        CHECK_OK(nn_simulation_set_threads(sim, threads));
        CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 0, rate.data(), n));
        nn_event_monitor_desc e{sizeof(nn_event_monitor_desc), NN_EVENT_SPIKES, NN_SLOT_EVENTS, 0, 4, 0, kinds, indices};
        CHECK_OK(nn_simulation_add_event_monitor_v2(sim, &e, before));
        e.slot = NN_SLOT_END;
        e.n_vars = 2;
        CHECK_OK(nn_simulation_add_event_monitor_v2(sim, &e, after));
        return sim;
    };
    auto events = [](nn_simulation* sim, int32_t mon, int32_t n_vars) {
        int64_t total = 0, count = 0;
        CHECK_OK(nn_simulation_get_event_total(sim, mon, &total));
        std::vector<int64_t> i(static_cast<size_t>(total));
        std::vector<double> t(static_cast<size_t>(total));
        std::vector<std::vector<double>> values(static_cast<size_t>(n_vars), std::vector<double>(static_cast<size_t>(total)));
        CHECK_OK(nn_simulation_get_events(sim, mon, i.data(), t.data(), total, &count));
        for (int32_t v = 0; v < n_vars; ++v)
            CHECK_OK(nn_simulation_get_event_values(sim, mon, v, values[static_cast<size_t>(v)].data(), total));
        return std::make_tuple(i, t, values);
    };
    int32_t before = -1, after = -1;
    nn_simulation* sim = make(2, &before, &after);
    const int64_t samples_of[] = {5, 299};
    int32_t state = -1;
    CHECK_OK(nn_simulation_add_state_monitor(sim, kinds, indices, 3, samples_of, 2, 3, &state));
    CHECK_OK(nn_simulation_run(sim, 150, nullptr, nullptr));

    int64_t total = 0, count = 0;
    CHECK_OK(nn_simulation_get_spike_total(sim, &total));
    std::vector<int64_t> si(static_cast<size_t>(total));
    std::vector<double> st(static_cast<size_t>(total));
    CHECK_OK(nn_simulation_get_spikes(sim, si.data(), st.data(), total, &count));
    CHECK(total > 300);
    const auto [bi, bt, bv] = events(sim, before, 4);
    const auto [ai, at, av] = events(sim, after, 2);
    CHECK(bi == si && bt == st && ai == si && at == st);
    std::vector<double> seen(n, 0.0); // spikes of each neuron so far
    bool ok = true;
    for (size_t j = 0; j < si.size(); ++j) {
        const double k = seen[static_cast<size_t>(si[j])]++;
        ok = ok && bv[0][j] > 1.0 && bv[1][j] == k && bv[2][j] == 2 * bv[0][j] && bv[3][j] == st[j];
        ok = ok && av[0][j] == 0.0 && av[1][j] == k + 1;
    }
    CHECK(ok);
    double wrong[1];
    CHECK_STATUS(nn_simulation_get_event_values(sim, before, 0, wrong, 1), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("count is 1 but event monitor 0 holds"));
    CHECK_STATUS(nn_simulation_get_event_values(sim, after, 2, wrong, 1), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("var is 2 but event monitor 1 records 2 variables"));

    // One thread, and a run interrupted by a snapshot, give the same events and values.
    int32_t b1 = -1, a1 = -1;
    nn_simulation* first = make(1, &b1, &a1);
    CHECK_OK(nn_simulation_run(first, 70, nullptr, nullptr));
    int64_t size = 0;
    CHECK_OK(nn_simulation_snapshot(first, nullptr, 0, &size));
    std::vector<uint8_t> blob(static_cast<size_t>(size));
    CHECK_OK(nn_simulation_snapshot(first, blob.data(), size, &size));
    nn_simulation* second = make(1, &b1, &a1);
    CHECK_OK(nn_simulation_restore(second, blob.data(), size));
    CHECK_OK(nn_simulation_run(second, 80, nullptr, nullptr));
    CHECK(events(second, b1, 4) == std::make_tuple(bi, bt, bv));
    CHECK(events(second, a1, 2) == std::make_tuple(ai, at, av));
    nn_simulation* other = nullptr; // a monitor of other variables refuses the snapshot
    CHECK_OK(nn_simulation_create(model, n, dt, 0, &other));
    nn_event_monitor_desc e{sizeof(nn_event_monitor_desc), NN_EVENT_SPIKES, NN_SLOT_EVENTS, 0, 3, 0, kinds, indices};
    CHECK_OK(nn_simulation_add_event_monitor_v2(other, &e, &b1));
    e.slot = NN_SLOT_END;
    e.n_vars = 2;
    CHECK_OK(nn_simulation_add_event_monitor_v2(other, &e, &a1));
    CHECK_STATUS(nn_simulation_restore(other, blob.data(), size), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("event monitor 0 of the snapshot records other variables than this simulation's"));

    // What an event monitor cannot be.
    e.slot = NN_SLOT_THRESHOLD;
    CHECK_STATUS(nn_simulation_add_event_monitor_v2(other, &e, &b1), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("desc->slot is 1 but the spikes are recorded after the threshold (NN_SLOT_EVENTS or later)"));
    e.slot = NN_SLOT_EVENTS;
    const int32_t bad_kind = NN_ARRAY_OBSERVABLE, bad_index = 1;
    e.kinds = &bad_kind;
    e.indices = &bad_index;
    e.n_vars = 1;
    CHECK_STATUS(nn_simulation_add_event_monitor_v2(other, &e, &b1), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("variable 0: index is 1 but the model has 1 observables"));
    e.n_vars = 0;
    e.param = 2;
    CHECK_STATUS(nn_simulation_add_event_monitor_v2(other, &e, &b1), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("desc->param is 2 but the model has 2 parameters (or NN_EVENT_SPIKES)"));
    e.struct_size = 8;
    CHECK_STATUS(nn_simulation_add_event_monitor_v2(other, &e, &b1), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("desc->struct_size is 8"));

    // The extra sample: samples at steps 0, 3, ..., 147, then the state at step 150 (t = 150 dt).
    CHECK_OK(nn_simulation_record_monitor_sample(sim, state));
    int64_t samples = 0;
    CHECK_OK(nn_simulation_get_monitor_size(sim, state, &samples));
    CHECK(samples == 51);
    std::vector<double> times(static_cast<size_t>(samples)), trace(static_cast<size_t>(2 * samples)), v(n), vp(n);
    CHECK_OK(nn_simulation_get_monitor_times(sim, state, times.data(), samples));
    CHECK(times[49] == 147 * dt && times[50] == 150 * dt);
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_STATE, 0, v.data(), n));
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_OBSERVABLE, 0, vp.data(), n));
    CHECK_OK(nn_simulation_get_monitor_values(sim, state, 0, trace.data(), 2 * samples));
    CHECK(trace[50] == v[5] && trace[101] == v[299]);
    CHECK_OK(nn_simulation_get_monitor_values(sim, state, 2, trace.data(), 2 * samples));
    CHECK(trace[50] == vp[5] && trace[101] == vp[299]);
    CHECK_STATUS(nn_simulation_record_monitor_sample(sim, 1), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("monitor is 1 but the simulation has 1 monitors"));

    for (nn_simulation* x : {sim, first, second, other}) nn_simulation_destroy(x);
    nn_model_destroy(model);

    // A model without a threshold has no spikes to record.
    bc::Model quiet = decay();
    d = quiet.desc();
    CHECK_OK(nn_model_create(&d, &model));
    CHECK_OK(nn_simulation_create(model, n, dt, 0, &other));
    nn_event_monitor_desc q{sizeof(nn_event_monitor_desc), NN_EVENT_SPIKES, NN_SLOT_EVENTS, 0, 0, 0, nullptr, nullptr};
    CHECK_STATUS(nn_simulation_add_event_monitor_v2(other, &q, &b1), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("desc->param is NN_EVENT_SPIKES but the model has no threshold"));
    nn_simulation_destroy(other);
    nn_model_destroy(model);
}

} // namespace

int main() {
    test_validation();
    test_values_and_monitors();
    test_event_values();
    return nn_test::report();
}
