// Compiles the shared integrator templates as CUDA device code (clang, no CUDA toolkit needed:
// -nocudainc -nocudalib), so CI notices when they stop being portable. Not linked anywhere.
#include "neuronative/integrators.hpp"

#define __global__ __attribute__((global))

namespace {

// dv/dt = (w - v)/tau + sigma*xi, dw/dt = -w/tau_w: exercises every Rhs member.
struct TwoVariableRhs {
    double tau, tau_w, sigma;
    NN_HD void derivatives(nn::Lanes x, double, nn::Lanes f, int n) {
        for (int i = 0; i < n; ++i) {
            f[0][i] = (x[1][i] - x[0][i]) / tau;
            f[1][i] = -x[1][i] / tau_w;
        }
    }
    NN_HD void noise(nn::Lanes, double, nn::Lanes g, int n) {
        for (int i = 0; i < n; ++i) {
            g[0][i] = sigma;
            g[1][i] = 0.0;
        }
    }
    NN_HD void linear(nn::Lanes x, double, nn::Lanes A, nn::Lanes B, int n) {
        for (int i = 0; i < n; ++i) {
            A[0][i] = -1.0 / tau;
            B[0][i] = x[1][i] / tau;
            A[1][i] = -1.0 / tau_w;
            B[1][i] = 0.0;
        }
    }
};

constexpr int n_state = 2;
constexpr int n_stages = 4;

} // namespace

// One thread per neuron; state is [variable][neuron] in global memory, one lane per thread.
extern "C" __global__ void step_all_methods(double* state, const double* not_refractory, long long n_neurons,
                                            int method, int n_noise, double t, double dt,
                                            unsigned long long seed, long long step) {
    const long long i = static_cast<long long>(__nvvm_read_ptx_sreg_ctaid_x()) * __nvvm_read_ptx_sreg_ntid_x() +
                        __nvvm_read_ptx_sreg_tid_x();
    if (i >= n_neurons) return;
    static constexpr double a[n_stages * n_stages] = {0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 1, 0};
    static constexpr double b[n_stages] = {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6};
    static constexpr double c[n_stages] = {0, 0.5, 0.5, 1};
    static constexpr int32_t flags[n_state] = {nn::UNLESS_REFRACTORY, nn::LINEAR_B_ZERO};
    constexpr int64_t heun = nn::workspace_doubles(nn::STOCHASTIC_HEUN, n_state, 1, 1, 1);
    constexpr int64_t rk4 = nn::workspace_doubles(nn::EXPLICIT_RK, n_state, 0, n_stages, 1);
    double ws[heun > rk4 ? heun : rk4]; // the largest of the methods dispatched below
    TwoVariableRhs rhs{0.01, 0.1, 0.002};
    const nn::StepArgs args{nn::Lanes{state + i, n_neurons}, not_refractory + i, flags, n_state, n_noise, 1, t, dt,
                            seed, step, i, ws};
    nn::integrate_step(rhs, method, nn::Tableau{n_stages, a, b, c}, args);
}
