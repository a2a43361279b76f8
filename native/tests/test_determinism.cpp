// (d) Results are bit-identical for any thread count, across runs with one seed, and when a run
// is split into several calls: a noisy LIF population (Euler–Maruyama, rand() in the reset,
// refractoriness) and the HH model.
#include "check.hpp"
#include "bytecode.hpp"
#include "hh_model.hpp"

#include <cstring>
#include <vector>

namespace {

struct Result {
    std::vector<int64_t> spike_idx, counts, step_counts;
    std::vector<double> spike_t, state, monitor;
    bool operator==(const Result& o) const {
        return spike_idx == o.spike_idx && counts == o.counts && step_counts == o.step_counts &&
               state.size() == o.state.size() && monitor.size() == o.monitor.size() && spike_t == o.spike_t &&
               std::memcmp(state.data(), o.state.data(), state.size() * 8) == 0 &&
               std::memcmp(monitor.data(), o.monitor.data(), monitor.size() * 8) == 0;
    }
};

bc::Model noisy_lif() {
    bc::Model m;
    m.state_names = {"v", "w"};
    m.param_names = {"mu"};
    m.n_noise = 1;
    m.flags = {NN_STATE_UNLESS_REFRACTORY, 0};
    m.refractory = NN_REFRACTORY_DURATION;
    m.has_threshold = 1;
    bc::Expr e{m.derivatives};
    m.derivatives.n_outputs = 2; // dv/dt = (mu - v - w)/10ms + 0.5 xi/sqrt(10ms); dw/dt = -w/100ms
    e.set(bc::out(0), e.div(e.sub(e.sub(bc::param(0), bc::state(0)), bc::state(1)), m.k(10e-3)));
    e.set(bc::out(1), e.div(e.neg(bc::state(1)), m.k(100e-3)));
    m.noise.n_outputs = 2;
    m.noise.emit(NN_OP_MOV, bc::out(0), m.k(0.5 / 0.1));
    m.noise.emit(NN_OP_MOV, bc::out(1), m.k(0.0));
    m.threshold.n_outputs = 1;
    m.threshold.emit(NN_OP_GT, bc::out(0), bc::state(0), m.k(1.0));
    // reset: v = 0.2*rand(); w += 0.1
    bc::Expr r{m.reset};
    const int32_t u = r.un(NN_OP_RAND, 0); // rand(), stream 0
    m.reset.emit(NN_OP_MUL, bc::state(0), m.k(0.2), u);
    m.reset.emit(NN_OP_ADD, bc::state(1), bc::state(1), m.k(0.1));
    m.refractory_expr.n_outputs = 1;
    m.refractory_expr.emit(NN_OP_MOV, bc::out(0), m.k(2e-3));
    return m;
}

Result simulate(nn_model* model, int64_t n, int threads, const std::vector<int64_t>& chunks, int n_params) {
    nn_simulation* sim = nullptr;
    Result r;
    CHECK_OK(nn_simulation_create(model, n, 1e-4, 1234, &sim));
    if (sim == nullptr) return r;
    std::vector<double> p(static_cast<size_t>(n));
    for (int k = 0; k < n_params; ++k) {
        for (int64_t i = 0; i < n; ++i)
            p[static_cast<size_t>(i)] = k == 0 ? (n_params == 1 ? 1.0 + 0.5 * static_cast<double>(i % 17) / 16
                                                                : 2e-6 + 18e-6 * static_cast<double>(i % 37) / 36)
                                               : 2e-9 * static_cast<double>(i % 41) / 40;
        CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_PARAM, k, p.data(), n));
    }
    if (n_params == 2) {
        const double El = -60e-3;
        CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_STATE, 0, &El, 1));
    }
    const int32_t kind = NN_ARRAY_STATE, index = 0;
    const int64_t watched[3] = {n - 1, 0, 65};
    int32_t mon = -1;
    CHECK_OK(nn_simulation_add_state_monitor(sim, &kind, &index, 1, watched, 3, 3, &mon));
    CHECK_OK(nn_simulation_set_threads(sim, threads));
    int64_t steps = 0;
    for (int64_t c : chunks) {
        CHECK_OK(nn_simulation_run(sim, c, nullptr, nullptr));
        steps += c;
    }
    int64_t total = 0;
    CHECK_OK(nn_simulation_get_spike_total(sim, &total));
    r.spike_idx.resize(static_cast<size_t>(total));
    r.spike_t.resize(static_cast<size_t>(total));
    CHECK_OK(nn_simulation_get_spikes(sim, r.spike_idx.data(), r.spike_t.data(), total, &total));
    r.counts.resize(static_cast<size_t>(n));
    CHECK_OK(nn_simulation_get_spike_counts(sim, r.counts.data(), n));
    int64_t n_steps = 0;
    CHECK_OK(nn_simulation_get_step_spike_counts(sim, nullptr, 0, &n_steps));
    CHECK(n_steps == steps);
    r.step_counts.resize(static_cast<size_t>(n_steps));
    CHECK_OK(nn_simulation_get_step_spike_counts(sim, r.step_counts.data(), n_steps, &n_steps));
    r.state.resize(static_cast<size_t>(n));
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_STATE, 0, r.state.data(), n));
    int64_t samples = 0;
    CHECK_OK(nn_simulation_get_monitor_size(sim, mon, &samples));
    r.monitor.resize(static_cast<size_t>(3 * samples));
    CHECK_OK(nn_simulation_get_monitor_values(sim, mon, 0, r.monitor.data(), 3 * samples));
    nn_simulation_destroy(sim);

    int64_t sum = 0;
    for (int64_t c : r.step_counts) sum += c;
    CHECK(sum == total);
    return r;
}

void check_model(const char* name, bc::Model m, int64_t n, int n_params) {
    nn_model_desc d = m.desc();
    nn_model* model = nullptr;
    CHECK_OK(nn_model_create(&d, &model));
    if (model == nullptr) return;
    const Result one = simulate(model, n, 1, {3000}, n_params);
    const Result again = simulate(model, n, 1, {3000}, n_params);
    const Result two = simulate(model, n, 2, {3000}, n_params);
    const Result three_split = simulate(model, n, 3, {1, 999, 1100, 900}, n_params);
    std::printf("%s: %zu spikes; 1 thread twice, 2 threads, 3 threads in 4 calls\n", name, one.spike_idx.size());
    CHECK(!one.spike_idx.empty());
    CHECK(one == again);
    CHECK(one == two);
    CHECK(one == three_split);
    nn_model_destroy(model);
}

} // namespace

int main() {
    check_model("noisy LIF", noisy_lif(), 1000, 1);
    check_model("HH", hh::model(), 500, 2);
    return nn_test::report();
}
