// (a) LIF, dv/dt = (El - v + R I)/tau (unless refractory), integrated 'exactly' by exponential
// Euler; threshold v > Vt, reset v = Vr, refractory 5 ms. Spike steps against the closed form,
// refractory hold in the monitor, lastspike / not_refractory.
#include "check.hpp"
#include "bytecode.hpp"

#include <cmath>
#include <vector>

namespace {

constexpr double dt = 1e-4, tau = 10e-3, El = -70e-3, R = 1e8, Vt = -50e-3, Vr = -65e-3, refractory = 5e-3;

bc::Model lif() {
    bc::Model m;
    m.state_names = {"v"};
    m.param_names = {"I"};
    m.method = NN_METHOD_EXPONENTIAL_EULER;
    m.flags = {NN_STATE_UNLESS_REFRACTORY};
    m.refractory = NN_REFRACTORY_DURATION;
    m.has_threshold = 1;
    bc::Expr e{m.linear};
    m.linear.n_outputs = 2; // A = -1/tau, B = (El + R I)/tau
    e.set(bc::out(0), e.div(m.k(-1.0), m.k(tau)));
    e.set(bc::out(1), e.div(e.add(m.k(El), e.mul(m.k(R), bc::param(0))), m.k(tau)));
    m.threshold.n_outputs = 1;
    m.threshold.emit(NN_OP_GT, bc::out(0), bc::state(0), m.k(Vt));
    m.reset.emit(NN_OP_MOV, bc::state(0), m.k(Vr));
    m.refractory_expr.n_outputs = 1;
    m.refractory_expr.emit(NN_OP_MOV, bc::out(0), m.k(refractory));
    return m;
}

} // namespace

int main() {
    bc::Model m = lif();
    nn_model_desc d = m.desc();
    nn_model* model = nullptr;
    CHECK_OK(nn_model_create(&d, &model));
    if (model == nullptr) return nn_test::report();

    const std::vector<double> I = {0.1e-9, 0.21e-9, 0.3e-9, 0.5e-9, 1e-9};
    const int64_t n = static_cast<int64_t>(I.size()), steps = 3000;
    nn_simulation* sim = nullptr;
    CHECK_OK(nn_simulation_create(model, n, dt, 0, &sim));
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_STATE, 0, &Vr, 1));
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 0, I.data(), n));
    const int32_t kind = NN_ARRAY_STATE, index = 0;
    const int64_t all[5] = {0, 1, 2, 3, 4};
    int32_t mon = -1;
    CHECK_OK(nn_simulation_add_state_monitor(sim, &kind, &index, 1, all, n, 1, &mon));
    CHECK_OK(nn_simulation_run(sim, steps, nullptr, nullptr));

    int64_t total = 0;
    CHECK_OK(nn_simulation_get_spike_total(sim, &total));
    std::vector<int64_t> idx(static_cast<size_t>(total));
    std::vector<double> times(static_cast<size_t>(total));
    CHECK_OK(nn_simulation_get_spikes(sim, idx.data(), times.data(), total, &total));
    std::vector<double> v(static_cast<size_t>(n * steps));
    CHECK_OK(nn_simulation_get_monitor_values(sim, mon, 0, v.data(), n * steps));

    // Closed form: from Vr the discrete trajectory is v_j = Vinf + (Vr - Vinf) e^{-j dt/tau}, so the
    // first spike is at step j0 = m - 1 with m the smallest integer > (tau/dt) ln((Vinf-Vr)/(Vinf-Vt));
    // v is held at Vr for the refractory steps s+1 .. s+R-1 and step s+R integrates again, so the
    // inter-spike interval is R + j0 steps with R = 50.
    const int64_t R_steps = static_cast<int64_t>(std::trunc((refractory + 1e-3 * dt) / dt));
    for (int64_t i = 0; i < n; ++i) {
        const double Vinf = El + R * I[static_cast<size_t>(i)];
        std::vector<int64_t> expected;
        if (Vinf > Vt) {
            const double x = tau / dt * std::log((Vinf - Vr) / (Vinf - Vt));
            CHECK(std::fabs(x - std::round(x)) > 1e-6); // no rounding-sensitive crossing
            const int64_t j0 = static_cast<int64_t>(std::floor(x + 1.0)) - 1;
            for (int64_t s = j0; s < steps; s += R_steps + j0) expected.push_back(s);
        }
        std::vector<int64_t> got;
        for (size_t j = 0; j < idx.size(); ++j)
            if (idx[j] == i) got.push_back(static_cast<int64_t>(std::llround(times[j] / dt)));
        std::printf("neuron %lld: %zu spikes (expected %zu)\n", static_cast<long long>(i), got.size(), expected.size());
        CHECK(got == expected);
        // Monitor rows s+1 .. s+R hold the reset value exactly; row s+R+1 has moved on.
        for (int64_t s : got)
            if (s + R_steps + 1 < steps) {
                for (int64_t r = s + 1; r <= s + R_steps; ++r) CHECK(v[static_cast<size_t>(i * steps + r)] == Vr);
                CHECK(v[static_cast<size_t>(i * steps + s + R_steps + 1)] != Vr);
            }
    }
    // Spikes are ordered by (time, index).
    for (size_t j = 1; j < idx.size(); ++j) CHECK(times[j - 1] < times[j] || (times[j - 1] == times[j] && idx[j - 1] < idx[j]));

    // lastspike = time of the last spike; not_refractory reflects the end of the run.
    std::vector<double> lastspike(static_cast<size_t>(n)), nr(static_cast<size_t>(n));
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_LASTSPIKE, 0, lastspike.data(), n));
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_NOT_REFRACTORY, 0, nr.data(), n));
    CHECK(lastspike[0] == -1e4 && nr[0] == 1.0); // never spikes
    for (int64_t i = 1; i < n; ++i) {
        double last = -1e4;
        for (size_t j = 0; j < idx.size(); ++j)
            if (idx[j] == i) last = times[j];
        CHECK(lastspike[static_cast<size_t>(i)] == last);
    }
    int64_t step = 0;
    double t = 0;
    CHECK_OK(nn_simulation_get_time(sim, &step, &t));
    CHECK(step == steps && t == static_cast<double>(steps) * dt);

    nn_simulation_destroy(sim);
    nn_model_destroy(model);
    return nn_test::report();
}
