// (e) Stochastic integration: an Ornstein–Uhlenbeck process with Euler–Maruyama (mean and
// variance against the exact discrete-time values), the same with heun and milstein, and
// multiplicative noise dv = v dW, whose Stratonovich mean is e^{t/2}, with heun and milstein.
#include "check.hpp"
#include "noise_models.hpp"

#include <cmath>
#include <vector>

namespace {

struct Stats {
    double mean, var;
};

Stats run(bc::Model m, int64_t n, double dt, int64_t steps, double x0) {
    nn_model_desc d = m.desc();
    nn_model* model = nullptr;
    nn_simulation* sim = nullptr;
    Stats st{NAN, NAN};
    CHECK_OK(nn_model_create(&d, &model));
    CHECK_OK(nn_simulation_create(model, n, dt, 99, &sim));
    if (sim == nullptr) return st;
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_STATE, 0, &x0, 1));
    CHECK_OK(nn_simulation_set_threads(sim, 2));
    CHECK_OK(nn_simulation_run(sim, steps, nullptr, nullptr));
    std::vector<double> x(static_cast<size_t>(n));
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_STATE, 0, x.data(), n));
    double s = 0, s2 = 0;
    for (double v : x) s += v;
    st.mean = s / static_cast<double>(n);
    for (double v : x) s2 += (v - st.mean) * (v - st.mean);
    st.var = s2 / static_cast<double>(n - 1);
    nn_simulation_destroy(sim);
    nn_model_destroy(model);
    return st;
}

using noise_models::geometric;
using noise_models::ou;

void check_ou(const char* name, int32_t method) {
    const double tau = 10e-3, sigma = 2.0, dt = 1e-4, x0 = 3.0;
    const int64_t n = 40000, steps = 300; // 3 tau
    const Stats st = run(ou(method, tau, sigma), n, dt, steps, x0);
    // Exact moments of x_{k+1} = a x_k + b dW (additive noise: all three methods are this recursion).
    const double a = 1.0 - dt / tau, b2 = sigma * sigma * 2.0 / tau * dt;
    const double mean = x0 * std::pow(a, steps), var = b2 * (1 - std::pow(a, 2 * steps)) / (1 - a * a);
    std::printf("OU %s: mean %.4f (exact %.4f), variance %.4f (exact %.4f)\n", name, st.mean, mean, st.var, var);
    CHECK(std::fabs(st.mean - mean) < 4 * std::sqrt(var / n));
    CHECK(std::fabs(st.var - var) < 4 * var * std::sqrt(2.0 / n));
}

void check_geometric(const char* name, int32_t method) {
    const double dt = 1e-3;
    const int64_t n = 40000, steps = 500; // t = 0.5 s: Stratonovich mean e^{t/2}
    const Stats st = run(geometric(method), n, dt, steps, 1.0);
    const double mean = std::exp(0.25), var = std::exp(0.5) * (std::exp(0.5) - 1);
    std::printf("dv = v dW %s: mean %.4f (Stratonovich %.4f, Ito 1)\n", name, st.mean, mean);
    CHECK(std::fabs(st.mean - mean) < 5 * std::sqrt(var / n) + 2e-3); // + time-discretisation bias
}

} // namespace

int main() {
    check_ou("Euler-Maruyama", NN_METHOD_EXPLICIT_RK);
    check_ou("heun", NN_METHOD_STOCHASTIC_HEUN);
    check_ou("milstein", NN_METHOD_MILSTEIN);
    check_geometric("heun", NN_METHOD_STOCHASTIC_HEUN);
    check_geometric("milstein", NN_METHOD_MILSTEIN);
    return nn_test::report();
}
