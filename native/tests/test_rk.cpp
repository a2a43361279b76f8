// (b) Explicit Runge–Kutta: van der Pol (dx/dt = y, dy/dt = mu (1 - x^2) y - x) with rk4, rk2 and
// Euler tableaus against a direct C++ loop with the same order of operations (bit-identical),
// a state monitor every 7 steps over two consecutive runs, and heun without noise = Euler; the
// exact step of a coupled linear system against its closed form, and the checks on its description.
#include "check.hpp"
#include "bytecode.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace {

constexpr double dt = 1e-3;

bc::Model van_der_pol(const std::vector<double>& a, const std::vector<double>& b, const std::vector<double>& c) {
    bc::Model m;
    m.state_names = {"x", "y"};
    m.param_names = {"mu"};
    m.rk_a = a;
    m.rk_b = b;
    m.rk_c = c;
    bc::Expr e{m.derivatives};
    m.derivatives.n_outputs = 2;
    const int32_t x = bc::state(0), y = bc::state(1);
    e.set(bc::out(0), y);
    e.set(bc::out(1), e.sub(e.mul(e.mul(bc::param(0), e.sub(m.k(1.0), e.mul(x, x))), y), x));
    return m;
}

struct Xy {
    double x, y;
};
Xy f(Xy s, double mu) { return {s.y, mu * (1.0 - s.x * s.x) * s.y - s.x}; }

// The reference: K_s = dt*f(X + sum_j a_sj K_j); X' = X + sum_s b_s K_s, sums left to right.
Xy reference_step(Xy x, double mu, const std::vector<double>& a, const std::vector<double>& b) {
    const size_t S = b.size();
    std::vector<Xy> k(S);
    for (size_t s = 0; s < S; ++s) {
        Xy stage = x;
        for (size_t j = 0; j < s; ++j)
            if (a[s * S + j] != 0.0) stage = {stage.x + a[s * S + j] * k[j].x, stage.y + a[s * S + j] * k[j].y};
        const Xy d = f(stage, mu);
        k[s] = {dt * d.x, dt * d.y};
    }
    Xy out = x;
    for (size_t s = 0; s < S; ++s)
        if (b[s] != 0.0) out = {out.x + b[s] * k[s].x, out.y + b[s] * k[s].y};
    return out;
}

void check_method(const char* name, const std::vector<double>& a, const std::vector<double>& b, const std::vector<double>& c,
                  int32_t method = NN_METHOD_EXPLICIT_RK) {
    bc::Model m = van_der_pol(a, b, c);
    m.method = method;
    nn_model_desc d = m.desc();
    nn_model* model = nullptr;
    CHECK_OK(nn_model_create(&d, &model));
    if (model == nullptr) return;
    const int64_t n = 70; // two blocks, the second partial
    std::vector<double> mu(n), x0(n), y0(n);
    for (int64_t i = 0; i < n; ++i) {
        mu[static_cast<size_t>(i)] = 0.1 + 0.05 * static_cast<double>(i);
        x0[static_cast<size_t>(i)] = 0.5 + 0.01 * static_cast<double>(i);
        y0[static_cast<size_t>(i)] = -0.2;
    }
    nn_simulation* sim = nullptr;
    CHECK_OK(nn_simulation_create(model, n, dt, 0, &sim));
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 0, mu.data(), n));
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_STATE, 0, x0.data(), n));
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_STATE, 1, y0.data(), n));
    const int32_t kinds[2] = {NN_ARRAY_STATE, NN_ARRAY_PARAM}, indices[2] = {0, 0};
    const int64_t watched[2] = {69, 3};
    int32_t mon = -1;
    CHECK_OK(nn_simulation_add_state_monitor(sim, kinds, indices, 2, watched, 2, 7, &mon));
    const int64_t steps1 = 1500, steps2 = 1700;
    CHECK_OK(nn_simulation_run(sim, steps1, nullptr, nullptr));
    CHECK_OK(nn_simulation_run(sim, steps2, nullptr, nullptr));
    const int64_t steps = steps1 + steps2;

    std::vector<double> x(n), y(n);
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_STATE, 0, x.data(), n));
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_STATE, 1, y.data(), n));
    int64_t samples = 0;
    CHECK_OK(nn_simulation_get_monitor_size(sim, mon, &samples));
    CHECK(samples == (steps - 1) / 7 + 1);
    std::vector<double> rec(static_cast<size_t>(2 * samples)), rec_mu(static_cast<size_t>(2 * samples)), times(static_cast<size_t>(samples));
    CHECK_OK(nn_simulation_get_monitor_values(sim, mon, 0, rec.data(), 2 * samples));
    CHECK_OK(nn_simulation_get_monitor_values(sim, mon, 1, rec_mu.data(), 2 * samples));
    CHECK_OK(nn_simulation_get_monitor_times(sim, mon, times.data(), samples));
    for (int64_t s = 0; s < samples; ++s) CHECK(times[static_cast<size_t>(s)] == static_cast<double>(7 * s) * dt);

    int identical = 0;
    for (int64_t i = 0; i < n; ++i) {
        Xy s{x0[static_cast<size_t>(i)], y0[static_cast<size_t>(i)]};
        for (int64_t k = 0; k < steps; ++k) {
            for (int p = 0; p < 2; ++p)
                if (watched[p] == i && k % 7 == 0) {
                    CHECK(rec[static_cast<size_t>(p * samples + k / 7)] == s.x);
                    CHECK(rec_mu[static_cast<size_t>(p * samples + k / 7)] == mu[static_cast<size_t>(i)]);
                }
            s = reference_step(s, mu[static_cast<size_t>(i)], a, b);
        }
        identical += std::memcmp(&s.x, &x[static_cast<size_t>(i)], 8) == 0 && std::memcmp(&s.y, &y[static_cast<size_t>(i)], 8) == 0;
    }
    std::printf("%s: %d of %lld neurons bit-identical to the direct loop after %lld steps\n", name, identical,
                static_cast<long long>(n), static_cast<long long>(steps));
    CHECK(identical == n);
    nn_simulation_destroy(sim);
    nn_model_destroy(model);
}

// dx/dt = (y - x)/tau, dy/dt = c - y/tau_y (tau_y per neuron) with NN_METHOD_LINEAR_SYSTEM: the section
// writes the rows of [M c]. Closed form from x = y = 0: y = c tau_y (1 - e^{-t/tau_y}),
// x = c tau_y [1 - (tau e^{-t/tau} - tau_y e^{-t/tau_y})/(tau - tau_y)].
bc::Model coupled(double tau, double c) {
    bc::Model m;
    m.state_names = {"x", "y"};
    m.param_names = {"tau_y"};
    m.method = NN_METHOD_LINEAR_SYSTEM;
    bc::Expr e{m.linear};
    m.linear.n_outputs = 6;
    e.set(bc::out(0), m.k(-1.0 / tau));
    e.set(bc::out(1), m.k(1.0 / tau));
    e.set(bc::out(2), m.k(0.0));
    e.set(bc::out(3), m.k(0.0));
    e.set(bc::out(4), e.neg(e.div(m.k(1.0), bc::param(0))));
    e.set(bc::out(5), m.k(c));
    return m;
}

void check_linear_system() {
    const double tau = 0.01, c = 3.0;
    bc::Model m = coupled(tau, c);
    nn_model_desc d = m.desc();
    nn_model* model = nullptr;
    CHECK_OK(nn_model_create(&d, &model));
    if (model == nullptr) return;
    const int64_t n = 70, steps = 2000;
    std::vector<double> tau_y(n);
    for (int64_t i = 0; i < n; ++i) tau_y[static_cast<size_t>(i)] = 0.002 + 0.0005 * static_cast<double>(i);
    nn_simulation* sim = nullptr;
    CHECK_OK(nn_simulation_create(model, n, dt, 0, &sim));
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 0, tau_y.data(), n));
    CHECK_OK(nn_simulation_run(sim, steps, nullptr, nullptr));
    std::vector<double> x(n), y(n);
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_STATE, 0, x.data(), n));
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_STATE, 1, y.data(), n));
    double worst = 0.0;
    const double t = static_cast<double>(steps) * dt;
    for (int64_t i = 0; i < n; ++i) {
        const double ty = tau_y[static_cast<size_t>(i)];
        if (std::fabs(ty - tau) < 1e-9) continue; // the closed form divides by tau - tau_y
        const double want_y = c * ty * -std::expm1(-t / ty);
        const double want_x = c * ty * (1.0 - (tau * std::exp(-t / tau) - ty * std::exp(-t / ty)) / (tau - ty));
        worst = std::max({worst, std::fabs(x[static_cast<size_t>(i)] - want_x) / (c * ty),
                          std::fabs(y[static_cast<size_t>(i)] - want_y) / (c * ty)});
    }
    std::printf("linear system: largest error %.2g of the steady state after %lld steps\n", worst, static_cast<long long>(steps));
    CHECK(worst < 1e-12);
    nn_simulation_destroy(sim);
    nn_model_destroy(model);

    auto refused = [](bc::Model bad, const char* needle) {
        nn_model_desc bd = bad.desc();
        nn_model* none = nullptr;
        CHECK_STATUS(nn_model_create(&bd, &none), NN_ERR_INVALID_ARGUMENT);
        CHECK(nn_test::says(needle));
    };
    { bc::Model bad = coupled(tau, c); bad.linear.n_outputs = 4; refused(bad, "desc->linear.n_outputs is 4"); }
    { bc::Model bad = coupled(tau, c); bad.n_noise = 1; refused(bad, "NN_METHOD_LINEAR_SYSTEM cannot integrate noise"); }
    {
        bc::Model bad = coupled(tau, c);
        bad.state_names.assign(NN_LINEAR_SYSTEM_MAX_STATES + 1, "x");
        refused(bad, "NN_LINEAR_SYSTEM_MAX_STATES");
    }
}

} // namespace

int main() {
    check_linear_system();
    check_method("rk4", {0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 1, 0}, {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6},
                 {0, 0.5, 0.5, 1});
    check_method("rk2", {0, 0, 0.5, 0}, {0, 1}, {0, 0.5});
    check_method("euler", {0}, {1}, {0});
    // Brian's heun and milstein without noise are forward Euler.
    check_method("heun (no noise)", {0}, {1}, {0}, NN_METHOD_STOCHASTIC_HEUN);
    check_method("milstein (no noise)", {0}, {1}, {0}, NN_METHOD_MILSTEIN);
    return nn_test::report();
}
