// (f) Error paths: invalid descriptions and sections, sizes, handles, NaN reports, cancellation
// and continuing, inputs and events, and that errors name the argument.
#include "check.hpp"
#include "bytecode.hpp"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace {

using nn_test::says;

// dv/dt = log(c - t): NaN once t > c.
bc::Model log_model() {
    bc::Model m;
    m.state_names = {"v"};
    m.param_names = {"c"};
    bc::Expr e{m.derivatives};
    m.derivatives.n_outputs = 1;
    e.set(bc::out(0), e.un(NN_OP_LOG, e.sub(bc::param(0), bc::special(NN_SPECIAL_T))));
    m.has_threshold = 1;
    m.threshold.n_outputs = 1;
    m.threshold.emit(NN_OP_LT, bc::out(0), bc::state(0), m.k(-1e9)); // never
    return m;
}

nn_status create(bc::Model& m, nn_model** out) {
    nn_model_desc d = m.desc();
    return nn_model_create(&d, out);
}

void test_descriptions() {
    nn_model* model = nullptr;
    CHECK_STATUS(nn_model_create(nullptr, &model), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("desc is NULL"));
    bc::Model ok = log_model();
    nn_model_desc d = ok.desc();
    CHECK_STATUS(nn_model_create(&d, nullptr), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("out_model"));
    d.struct_size = 8;
    CHECK_STATUS(nn_model_create(&d, &model), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("struct_size"));
    CHECK(model == nullptr);

    auto expect = [](bc::Model m, const char* needle) {
        nn_model* model = nullptr;
        CHECK_STATUS(create(m, &model), NN_ERR_INVALID_ARGUMENT);
        CHECK(says(needle));
        CHECK(model == nullptr);
    };
    { bc::Model m = log_model(); m.method = 7; expect(m, "desc->method is 7"); }
    { bc::Model m = log_model(); m.rk_a = {0, 1, 0, 0}; m.rk_b = {0.5, 0.5}; m.rk_c = {0, 1}; expect(m, "strictly lower triangular"); }
    { bc::Model m = log_model(); m.flags = {64}; expect(m, "state_flags[0]"); }
    { bc::Model m = log_model(); m.flags = {NN_STATE_LINEAR_B_ZERO}; expect(m, "only NN_METHOD_EXPONENTIAL_EULER"); }
    { bc::Model m = log_model(); m.n_noise = 1; expect(m, "desc->noise.n_outputs is 0 but this section must have 1"); }
    { bc::Model m = log_model(); m.derivatives.n_outputs = 2; expect(m, "desc->derivatives.n_outputs is 2"); }
    { bc::Model m = log_model(); m.linear.emit(NN_OP_MOV, bc::temp(0), m.k(1)); m.linear.n_temps = 1; expect(m, "desc->linear has 1 instructions but must be empty"); }
    { bc::Model m = log_model(); m.refractory = NN_REFRACTORY_DURATION; expect(m, "desc->refractory_expr"); }
    // Operands of a section.
    auto section = [&](void (*build)(bc::Model&), const char* needle) {
        bc::Model m = log_model();
        m.derivatives = bc::Section{};
        m.derivatives.n_outputs = 1;
        build(m);
        expect(m, needle);
    };
    section([](bc::Model& m) { m.derivatives.emit(NN_OP_ADD, bc::out(0), bc::temp(3), m.k(1)); m.derivatives.n_temps = 2; },
            "desc->derivatives instruction 0 (ADD): operand a reads TEMP 3 but the section has 2 temporaries");
    section([](bc::Model& m) { m.derivatives.emit(NN_OP_ADD, bc::out(0), bc::temp(0), m.k(1)); m.derivatives.n_temps = 1; },
            "reads TEMP 0 before any instruction writes it");
    section([](bc::Model& m) { m.derivatives.emit(NN_OP_MOV, bc::out(0), bc::state(5)); }, "reads STATE 5 but the model has 1 state variables");
    section([](bc::Model& m) { m.derivatives.emit(NN_OP_MOV, bc::out(0), bc::param(1)); }, "reads PARAM 1");
    section([](bc::Model& m) { m.derivatives.emit(NN_OP_MOV, bc::out(0), bc::operand(NN_SPACE_CONST, 99)); }, "reads CONST 99");
    section([](bc::Model& m) { m.derivatives.emit(NN_OP_MOV, bc::out(0), bc::special(12)); }, "reads SPECIAL 12");
    section([](bc::Model& m) { m.derivatives.emit(NN_OP_MOV, bc::out(0), bc::operand(9, 0)); }, "unknown space 9");
    section([](bc::Model& m) { m.derivatives.emit(NN_OP_MOV, bc::out(0), m.k(1), 5); }, "operand b is unused and must be 0");
    section([](bc::Model& m) { m.derivatives.emit(99, bc::out(0), m.k(1)); }, "instruction 0: unknown opcode 99");
    section([](bc::Model& m) { m.derivatives.emit(NN_OP_MOV, bc::state(0), m.k(1)); }, "dst writes STATE, which only reset and event statements may write");
    section([](bc::Model& m) { m.derivatives.emit(NN_OP_MOV, m.k(1), m.k(1)); }, "dst is CONST, which is read-only");
    section([](bc::Model& m) { m.derivatives.emit(NN_OP_MOV, bc::out(1), m.k(1)); }, "dst writes OUT 1 but the section has 1 outputs");
    section([](bc::Model& m) { m.derivatives.emit(NN_OP_MOV, bc::temp(0), m.k(1)); m.derivatives.n_temps = 1; }, "no instruction writes OUT 0");
    section([](bc::Model& m) { m.derivatives.emit(NN_OP_INPUT, bc::out(0), m.k(0), m.k(0), 2); }, "input id (immediate c) is 2 but the model has 0 inputs");
    section([](bc::Model& m) { m.derivatives.emit(NN_OP_RAND, bc::out(0), -1); }, "stream id (immediate a) is -1");
    {
        bc::Model m = log_model();
        m.reset.emit(NN_OP_MOV, bc::out(0), m.k(1));
        expect(m, "desc->reset instruction 0 (MOV): dst writes OUT, but statement sections have no outputs");
    }
}

void test_handles_and_sizes() {
    bc::Model m = log_model();
    nn_model* model = nullptr;
    CHECK_OK(create(m, &model));
    nn_simulation* sim = nullptr;
    CHECK_STATUS(nn_simulation_create(nullptr, 10, 1e-4, 0, &sim), NN_ERR_INVALID_HANDLE);
    CHECK(says("model is NULL"));
    CHECK_STATUS(nn_simulation_create(model, 0, 1e-4, 0, &sim), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("n_neurons is 0"));
    CHECK_STATUS(nn_simulation_create(model, 10, -1.0, 0, &sim), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("dt is -1"));
    CHECK_STATUS(nn_simulation_create(model, 10, NAN, 0, &sim), NN_ERR_INVALID_ARGUMENT);
    CHECK_OK(nn_simulation_create(model, 10, 1e-4, 0, &sim));
    nn_model_destroy(model); // the simulation keeps its own reference
    nn_simulation* other = nullptr;
    CHECK_STATUS(nn_simulation_create(model, 10, 1e-4, 0, &other), NN_ERR_INVALID_HANDLE);
    CHECK(says("model is not a live nn_model"));
    CHECK(other == nullptr);
    nn_model_destroy(model); // a second destroy is ignored

    const double three[3] = {1, 2, 3};
    CHECK_STATUS(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 0, three, 3), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("nn_simulation_set_array: count is 3 but the simulation has 10 neurons (or pass 1 to broadcast)"));
    CHECK_STATUS(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 1, three, 1), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("index is 1 but the model has 1 parameters"));
    CHECK_STATUS(nn_simulation_set_array(sim, 9, 0, three, 1), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("kind is 9"));
    CHECK_STATUS(nn_simulation_set_array(sim, NN_ARRAY_STATE, 0, nullptr, 1), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("values is NULL"));
    double ten[10];
    CHECK_STATUS(nn_simulation_get_array(sim, NN_ARRAY_STATE, 0, ten, 1), NN_ERR_INVALID_ARGUMENT);
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_NOT_REFRACTORY, 0, ten, 10));
    CHECK(ten[0] == 1.0);
    CHECK_STATUS(nn_simulation_set_threads(sim, -1), NN_ERR_INVALID_ARGUMENT);
    CHECK_OK(nn_simulation_set_threads(sim, 0));
    CHECK_STATUS(nn_simulation_record_spikes(sim, 2), NN_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(nn_simulation_run(sim, -5, nullptr, nullptr), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("n_steps is -5"));

    const int32_t kind = NN_ARRAY_STATE, bad_index = 4;
    const int64_t neurons[2] = {0, 10};
    int32_t mon = -1;
    CHECK_STATUS(nn_simulation_add_state_monitor(sim, &kind, &bad_index, 1, neurons, 1, 1, &mon), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("variable 0: index is 4"));
    const int32_t index = 0;
    CHECK_STATUS(nn_simulation_add_state_monitor(sim, &kind, &index, 1, neurons, 2, 1, &mon), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("neurons[1] is 10"));
    CHECK_STATUS(nn_simulation_add_state_monitor(sim, &kind, &index, 1, neurons, 1, 0, &mon), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("every_steps is 0"));
    int64_t samples = 0;
    CHECK_STATUS(nn_simulation_get_monitor_size(sim, 0, &samples), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("monitor is 0 but the simulation has 0 monitors"));
    CHECK_STATUS(nn_simulation_set_input(sim, 0, three, 3, 1, 1e-4), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("input is 0 but the model has 0 inputs"));
    const int64_t one = 1;
    const double t = 0.0, v = 0.0;
    CHECK_STATUS(nn_simulation_add_events(sim, 0, &one, &t, &v, 1), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("event is 0 but the model has 0 event sections"));
    int64_t total = 0;
    CHECK_STATUS(nn_simulation_get_spike_total(sim, nullptr), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("out_total is NULL"));

    nn_simulation_destroy(sim);
    CHECK_STATUS(nn_simulation_run(sim, 1, nullptr, nullptr), NN_ERR_INVALID_HANDLE);
    CHECK(says("sim is not a live nn_simulation"));
    CHECK_STATUS(nn_simulation_get_spike_total(nullptr, &total), NN_ERR_INVALID_HANDLE);
    CHECK(says("sim is NULL"));
    int foreign = 0;
    CHECK_STATUS(nn_simulation_get_spike_total(reinterpret_cast<nn_simulation*>(&foreign), &total), NN_ERR_INVALID_HANDLE);
    nn_simulation_destroy(nullptr);

    CHECK(std::strcmp(nn_status_string(NN_ERR_NUMERICAL), "numerical error (NaN or infinity)") == 0);
    CHECK(std::strcmp(nn_status_string(12345), "unknown status") == 0);
    CHECK(nn_version_number() == NN_VERSION_NUMBER && nn_abi_version() == NN_ABI_VERSION);
    CHECK(std::strcmp(nn_version_string(), "0.1.0") == 0);
    CHECK(nn_hardware_threads() >= 1);
}

void test_nan() {
    bc::Model m = log_model();
    nn_model* model = nullptr;
    CHECK_OK(create(m, &model));
    nn_simulation* sim = nullptr;
    const int64_t n = 100;
    CHECK_OK(nn_simulation_create(model, n, 1e-4, 0, &sim));
    std::vector<double> c(n, 1.0);
    c[17] = 0.01225;
    c[90] = 0.0124; // later than neuron 17
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 0, c.data(), n));
    const int32_t kind = NN_ARRAY_STATE, index = 0;
    const int64_t neurons[1] = {17};
    int32_t mon = -1;
    CHECK_OK(nn_simulation_add_state_monitor(sim, &kind, &index, 1, neurons, 1, 1, &mon));
    CHECK_OK(nn_simulation_set_threads(sim, 2));
    CHECK_STATUS(nn_simulation_run(sim, 1000, nullptr, nullptr), NN_ERR_NUMERICAL);
    CHECK(says("nn_simulation_run: NaN in state variable 'v' of neuron 17 at t = 0.0123 s (step 123)"));
    int64_t step = 0;
    double t = 0;
    CHECK_OK(nn_simulation_get_time(sim, &step, &t));
    CHECK(step == 123);
    int64_t samples = 0, n_steps = 0;
    CHECK_OK(nn_simulation_get_monitor_size(sim, mon, &samples));
    CHECK(samples == 124); // steps 0..123: the state before the failing update is kept
    std::vector<double> trace(static_cast<size_t>(samples));
    CHECK_OK(nn_simulation_get_monitor_values(sim, mon, 0, trace.data(), samples));
    CHECK(std::isfinite(trace[123]));
    CHECK_OK(nn_simulation_get_step_spike_counts(sim, nullptr, 0, &n_steps));
    CHECK(n_steps == 123);
    CHECK_STATUS(nn_simulation_run(sim, 1, nullptr, nullptr), NN_ERR_INVALID_STATE);
    CHECK(says("cannot continue"));
    nn_simulation_destroy(sim);
    nn_model_destroy(model);
}

int32_t stop_after_first(int64_t done, int64_t total, void* user) {
    auto* calls = static_cast<std::vector<int64_t>*>(user);
    calls->push_back(done);
    (void)total;
    return calls->size() == 1 ? 1 : 0;
}

void test_cancel_and_continue() {
    bc::Model m = log_model();
    nn_model* model = nullptr;
    CHECK_OK(create(m, &model));
    nn_simulation *a = nullptr, *b = nullptr;
    CHECK_OK(nn_simulation_create(model, 50, 1e-5, 0, &a));
    CHECK_OK(nn_simulation_create(model, 50, 1e-5, 0, &b));
    std::vector<double> c(50);
    for (int i = 0; i < 50; ++i) c[static_cast<size_t>(i)] = 1.0 + i;
    CHECK_OK(nn_simulation_set_array(a, NN_ARRAY_PARAM, 0, c.data(), 50));
    CHECK_OK(nn_simulation_set_array(b, NN_ARRAY_PARAM, 0, c.data(), 50));
    std::vector<int64_t> calls;
    CHECK_STATUS(nn_simulation_run(a, 3000, stop_after_first, &calls), NN_ERR_CANCELLED);
    CHECK(says("cancelled by the progress callback after 1024 of 3000 steps"));
    int64_t step = 0;
    double t = 0;
    CHECK_OK(nn_simulation_get_time(a, &step, &t));
    CHECK(step == 1024 && calls.size() == 1);
    CHECK_OK(nn_simulation_run(a, 3000 - step, stop_after_first, &calls));
    CHECK(calls.size() == 3 && calls.back() == 3000 - 1024);
    CHECK_OK(nn_simulation_run(b, 3000, nullptr, nullptr));
    std::vector<double> va(50), vb(50);
    CHECK_OK(nn_simulation_get_array(a, NN_ARRAY_STATE, 0, va.data(), 50));
    CHECK_OK(nn_simulation_get_array(b, NN_ARRAY_STATE, 0, vb.data(), 50));
    CHECK(std::memcmp(va.data(), vb.data(), sizeof(double) * 50) == 0);
    nn_simulation_destroy(a);
    nn_simulation_destroy(b);
    nn_model_destroy(model);
}

void test_events_and_inputs() {
    bc::Model m = log_model();
    m.n_inputs = 1;
    bc::Section ev; // c += EVENT_VALUE
    ev.emit(NN_OP_ADD, bc::param(0), bc::param(0), bc::special(NN_SPECIAL_EVENT_VALUE));
    m.events.push_back(ev);
    nn_model* model = nullptr;
    CHECK_OK(create(m, &model));
    nn_simulation* sim = nullptr;
    CHECK_OK(nn_simulation_create(model, 4, 1e-3, 0, &sim));
    const double one = 1.0;
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 0, &one, 1));
    CHECK_STATUS(nn_simulation_run(sim, 1, nullptr, nullptr), NN_ERR_INVALID_STATE);
    CHECK(says("input 0 has no values"));
    CHECK_STATUS(nn_simulation_set_input(sim, 0, &one, 1, 1, 0.0), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("dt_input is 0"));
    CHECK_OK(nn_simulation_set_input(sim, 0, &one, 1, 1, 1e-3));
    const int64_t neurons[3] = {2, 2, 3};
    const double times[3] = {0.0049, 0.005, 0.002}, values[3] = {10.0, 100.0, 7.0};
    CHECK_OK(nn_simulation_add_events(sim, 0, neurons, times, values, 3));
    CHECK_OK(nn_simulation_run(sim, 4, nullptr, nullptr));
    double c[4];
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_PARAM, 0, c, 4));
    CHECK(c[0] == 1.0 && c[2] == 1.0 && c[3] == 8.0); // neuron 2's events are at step 5
    CHECK_OK(nn_simulation_run(sim, 2, nullptr, nullptr));
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_PARAM, 0, c, 4));
    CHECK(c[2] == 111.0);
    CHECK_STATUS(nn_simulation_add_events(sim, 0, neurons, times, values, 1), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("events cannot be in the past"));
    const int64_t bad = 4;
    CHECK_STATUS(nn_simulation_add_events(sim, 0, &bad, times, values, 1), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("neurons[0] is 4"));
    nn_simulation_destroy(sim);
    nn_model_destroy(model);
}

} // namespace

// Operations (run_regularly): description errors, clocks that are not multiples of dt, monitor slots, and
// where they run: v += 1 at the end of every second step, one monitor before the update, one at the end.
void test_operations() {
    auto counter = [] {
        bc::Model m;
        m.param_names = {"v"};
        bc::Model::Operation op;
        op.code.emit(NN_OP_ADD, bc::param(0), bc::param(0), m.k(1));
        op.slot = NN_SLOT_END;
        op.dt = 2e-4;
        m.operations.push_back(op);
        return m;
    };
    auto expect = [](bc::Model m, const char* needle) {
        nn_model* model = nullptr;
        CHECK_STATUS(create(m, &model), NN_ERR_INVALID_ARGUMENT);
        CHECK(says(needle));
    };
    { bc::Model m = counter(); m.operations[0].slot = 5; expect(m, "desc->operations[0].slot is 5"); }
    { bc::Model m = counter(); m.operations.push_back(m.operations[0]); m.operations[1].slot = NN_SLOT_UPDATE;
      expect(m, "operations must be in the order they run"); }
    { bc::Model m = counter(); m.operations[0].dt = -1; expect(m, "desc->operations[0].dt is -1"); }
    { bc::Model m = counter(); m.sample_after = 1; expect(m, "desc->sample_after is 1"); }
    { bc::Model m = counter(); m.operations[0].code.n_outputs = 1; expect(m, "desc->operations[0].code.n_outputs is 1"); }

    bc::Model m = counter();
    nn_model* model = nullptr;
    CHECK_OK(create(m, &model));
    nn_simulation* sim = nullptr;
    CHECK_STATUS(nn_simulation_create(model, 2, 0.8e-4, 0, &sim), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("which is not a whole multiple of the simulation's dt"));
    CHECK_OK(nn_simulation_create(model, 2, 1e-4, 0, &sim));
    const int32_t kind = NN_ARRAY_PARAM, index = 0;
    const int64_t neurons[] = {0};
    int32_t start = -1, end = -1;
    CHECK_OK(nn_simulation_add_state_monitor(sim, &kind, &index, 1, neurons, 1, 1, &start));
    CHECK_OK(nn_simulation_add_state_monitor(sim, &kind, &index, 1, neurons, 1, 1, &end));
    CHECK_STATUS(nn_simulation_set_monitor_slot(sim, end, NN_SLOT_END, 2), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("after_operations is 2"));
    CHECK_STATUS(nn_simulation_set_monitor_slot(sim, end, NN_SLOT_RESET, 1), NN_ERR_INVALID_ARGUMENT);
    CHECK(says("must run in slots <= 3"));
    CHECK_STATUS(nn_simulation_set_monitor_slot(sim, 7, NN_SLOT_END, 1), NN_ERR_INVALID_ARGUMENT);
    CHECK_OK(nn_simulation_set_monitor_slot(sim, end, NN_SLOT_END, 1));
    CHECK_OK(nn_simulation_run(sim, 5, nullptr, nullptr));
    double at_start[5], at_end[5], v[2] = {0, 0};
    CHECK_OK(nn_simulation_get_monitor_values(sim, start, 0, at_start, 5));
    CHECK_OK(nn_simulation_get_monitor_values(sim, end, 0, at_end, 5));
    const double want_start[] = {0, 1, 1, 2, 2}, want_end[] = {1, 1, 2, 2, 3};
    for (int k = 0; k < 5; ++k) {
        CHECK(at_start[k] == want_start[k]);
        CHECK(at_end[k] == want_end[k]);
    }
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_PARAM, 0, v, 2));
    CHECK(v[0] == 3 && v[1] == 3);
    nn_simulation_destroy(sim);
    nn_model_destroy(model);
}

int main() {
    test_descriptions();
    test_handles_and_sizes();
    test_nan();
    test_cancel_and_continue();
    test_events_and_inputs();
    test_operations();
    return nn_test::report();
}
