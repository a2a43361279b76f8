// (g) TimedArray inputs (docs/brian2-semantics.md §5): index = trunc((t/eps + 0.5)/K), clamped; sample k at step
// k for equal dt, floor(k/m) for dt_input = m dt, 2k for dt_input = dt/2; columns, NaN outside
// them; rk4's last stage samples k+1 (dv/dt = ta(t)/dt from 0, samples 1, 10: rk4 2.5, others 1).
#include "check.hpp"
#include "bytecode.hpp"

#include <cmath>
#include <vector>

namespace {

constexpr double dt = 1e-3;

// Every step: threshold true, reset writes value = ta(t, column). Monitor row k+1 = value at step k.
std::vector<double> probe(const std::vector<double>& values, int64_t n_times, int64_t n_columns, double dt_input,
                          const std::vector<double>& columns, int64_t steps) {
    bc::Model m;
    m.state_names = {"x"};
    m.param_names = {"value", "column"};
    m.n_inputs = 1;
    m.derivatives.n_outputs = 1;
    m.derivatives.emit(NN_OP_MOV, bc::out(0), m.k(0.0));
    m.has_threshold = 1;
    m.threshold.n_outputs = 1;
    m.threshold.emit(NN_OP_MOV, bc::out(0), m.k(1.0));
    m.reset.emit(NN_OP_INPUT, bc::param(0), bc::special(NN_SPECIAL_T), bc::param(1), 0);
    nn_model_desc d = m.desc();
    nn_model* model = nullptr;
    nn_simulation* sim = nullptr;
    CHECK_OK(nn_model_create(&d, &model));
    const int64_t n = static_cast<int64_t>(columns.size());
    CHECK_OK(nn_simulation_create(model, n, dt, 0, &sim));
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 1, columns.data(), n));
    CHECK_OK(nn_simulation_set_input(sim, 0, values.data(), n_times, n_columns, dt_input));
    const int32_t kind = NN_ARRAY_PARAM, index = 0;
    std::vector<int64_t> all(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) all[static_cast<size_t>(i)] = i;
    int32_t mon = -1;
    CHECK_OK(nn_simulation_add_state_monitor(sim, &kind, &index, 1, all.data(), n, 1, &mon));
    CHECK_OK(nn_simulation_run(sim, steps + 1, nullptr, nullptr));
    std::vector<double> rec(static_cast<size_t>(n * (steps + 1)));
    CHECK_OK(nn_simulation_get_monitor_values(sim, mon, 0, rec.data(), n * (steps + 1)));
    std::vector<double> out; // [neuron][k] = value at step k
    for (int64_t i = 0; i < n; ++i)
        for (int64_t k = 0; k < steps; ++k) out.push_back(rec[static_cast<size_t>(i * (steps + 1) + k + 1)]);
    nn_simulation_destroy(sim);
    nn_model_destroy(model);
    return out;
}

void test_indexing() {
    const std::vector<double> samples = {10, 11, 12, 13, 14, 15};
    const int64_t steps = 20;
    auto same_dt = probe(samples, 6, 1, dt, {0.0}, steps);
    auto triple = probe(samples, 6, 1, 3 * dt, {0.0}, steps);
    auto half = probe(samples, 6, 1, 0.5 * dt, {0.0}, steps);
    for (int64_t k = 0; k < steps; ++k) {
        CHECK(same_dt[static_cast<size_t>(k)] == samples[static_cast<size_t>(std::min<int64_t>(k, 5))]);
        CHECK(triple[static_cast<size_t>(k)] == samples[static_cast<size_t>(std::min<int64_t>(k / 3, 5))]);
        CHECK(half[static_cast<size_t>(k)] == samples[static_cast<size_t>(std::min<int64_t>(2 * k, 5))]);
    }
    // 2-D: values[time][column]; column = the neuron's parameter (truncated); outside -> NaN.
    const std::vector<double> grid = {0, 1, 100, 101, 200, 201}; // 3 times x 2 columns
    auto cols = probe(grid, 3, 2, dt, {0.0, 1.0, 1.7, 2.0, -1.0}, 4);
    for (int64_t k = 0; k < 4; ++k) {
        const double row = static_cast<double>(std::min<int64_t>(k, 2)) * 100;
        CHECK(cols[static_cast<size_t>(0 * 4 + k)] == row);
        CHECK(cols[static_cast<size_t>(1 * 4 + k)] == row + 1);
        CHECK(cols[static_cast<size_t>(2 * 4 + k)] == row + 1);
        CHECK(std::isnan(cols[static_cast<size_t>(3 * 4 + k)]));
        CHECK(std::isnan(cols[static_cast<size_t>(4 * 4 + k)]));
    }
}

// dv/dt = ta(t)/dt, one step from v = 0.
double one_step(const std::vector<double>& a, const std::vector<double>& b, const std::vector<double>& c) {
    bc::Model m;
    m.state_names = {"v"};
    m.n_inputs = 1;
    m.rk_a = a;
    m.rk_b = b;
    m.rk_c = c;
    bc::Expr e{m.derivatives};
    m.derivatives.n_outputs = 1;
    const int32_t u = e.fresh();
    m.derivatives.emit(NN_OP_INPUT, u, bc::special(NN_SPECIAL_T), m.k(0.0), 0);
    e.set(bc::out(0), e.div(u, bc::special(NN_SPECIAL_DT)));
    nn_model_desc d = m.desc();
    nn_model* model = nullptr;
    nn_simulation* sim = nullptr;
    CHECK_OK(nn_model_create(&d, &model));
    CHECK_OK(nn_simulation_create(model, 1, dt, 0, &sim));
    const double samples[2] = {1.0, 10.0};
    CHECK_OK(nn_simulation_set_input(sim, 0, samples, 2, 1, dt));
    CHECK_OK(nn_simulation_run(sim, 1, nullptr, nullptr));
    double v = NAN;
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_STATE, 0, &v, 1));
    nn_simulation_destroy(sim);
    nn_model_destroy(model);
    return v;
}

} // namespace

int main() {
    test_indexing();
    const double rk4 = one_step({0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 1, 0}, {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6}, {0, 0.5, 0.5, 1});
    const double rk2 = one_step({0, 0, 0.5, 0}, {0, 1}, {0, 0.5});
    const double euler = one_step({0}, {1}, {0});
    std::printf("one step of dv/dt = ta(t)/dt: rk4 %.17g, rk2 %.17g, euler %.17g\n", rk4, rk2, euler);
    CHECK(std::fabs(rk4 - 2.5) < 1e-15);
    CHECK(rk2 == 1.0 && euler == 1.0);
    return nn_test::report();
}
