// Observables (nn_model_desc.observables, NN_ARRAY_OBSERVABLE): validation of the section and of
// NN_SECTION_DEFINED on the interpreter, nn_simulation_get_array of an observable, monitors that
// record observables, and that an observable cannot be set.
#include "check.hpp"
#include "bytecode.hpp"

#include <cmath>
#include <cstring>
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

} // namespace

int main() {
    test_validation();
    test_values_and_monitors();
    return nn_test::report();
}
