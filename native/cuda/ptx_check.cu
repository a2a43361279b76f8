// Compiles the shared integrator templates and random samplers as CUDA device code (clang, no CUDA
// toolkit needed: -nocudainc -nocudalib), so CI notices when they stop being portable. Not linked anywhere.
#include "neuronative/distributions.hpp"
#include "neuronative/integrators.hpp"
#include "neuronative/reducers.hpp"
#include "neuronative/schedule.hpp"

#define __global__ __attribute__((global))

namespace {

// dv/dt = (w - v)/tau + sigma*xi, dw/dt = -w/tau_w: exercises every Rhs member, in double and in
// the float32 option's float.
template <class R>
struct TwoVariableRhs {
    using real = R;
    double tau, tau_w, sigma;
    template <class X>
    NN_HD void derivatives(X x, double, nn::LanesOf<R> f, int n) {
        for (int i = 0; i < n; ++i) {
            f[0][i] = static_cast<R>((x[1][i] - x[0][i]) / tau);
            f[1][i] = static_cast<R>(-x[1][i] / tau_w);
        }
    }
    template <class X>
    NN_HD void noise(X, double, nn::LanesOf<R> g, int n) {
        for (int i = 0; i < n; ++i) {
            g[0][i] = static_cast<R>(sigma);
            g[1][i] = 0;
        }
    }
    NN_HD void linear(nn::Lanes x, double, nn::LanesOf<R> A, nn::LanesOf<R> B, int n) {
        for (int i = 0; i < n; ++i) {
            A[0][i] = static_cast<R>(-1.0 / tau);
            B[0][i] = static_cast<R>(x[1][i] / tau);
            A[1][i] = static_cast<R>(-1.0 / tau_w);
            B[1][i] = 0;
        }
    }
    NN_HD void linear_system(nn::Lanes, double, nn::LanesOf<R> m, int n) { // rows [M c] of the system above
        for (int i = 0; i < n; ++i) {
            m[0][i] = static_cast<R>(-1.0 / tau);
            m[1][i] = static_cast<R>(1.0 / tau);
            m[2][i] = 0;
            m[3][i] = 0;
            m[4][i] = static_cast<R>(-1.0 / tau_w);
            m[5][i] = 0;
        }
    }
};

constexpr int n_state = 2;
constexpr int n_stages = 4;

} // namespace

// One thread per neuron; state is [variable][neuron] in global memory, one lane per thread.
extern "C" __global__ void step_all_methods(double* state, const double* not_refractory, long long n_neurons,
                                            int method, int n_noise, double t, double dt,
                                            unsigned long long seed, long long step, int float32) {
    const long long i = static_cast<long long>(__nvvm_read_ptx_sreg_ctaid_x()) * __nvvm_read_ptx_sreg_ntid_x() +
                        __nvvm_read_ptx_sreg_tid_x();
    if (i >= n_neurons) return;
    static constexpr double a[n_stages * n_stages] = {0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 1, 0};
    static constexpr double b[n_stages] = {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6};
    static constexpr double c[n_stages] = {0, 0.5, 0.5, 1};
    static constexpr int32_t flags[n_state] = {nn::UNLESS_REFRACTORY, nn::LINEAR_B_ZERO};
    constexpr int64_t heun = nn::workspace_doubles(nn::STOCHASTIC_HEUN, n_state, 1, 1, 1);
    constexpr int64_t rk4 = nn::workspace_doubles(nn::EXPLICIT_RK, n_state, 0, n_stages, 1);
    static_assert(nn::workspace_doubles(nn::LINEAR_SYSTEM, n_state, 0, 1, 1) <= heun);
    double ws[heun > rk4 ? heun : rk4]; // the largest of the methods dispatched below
    const nn::StepArgs args{nn::Lanes{state + i, n_neurons}, not_refractory + i, flags, n_state, n_noise, 1, t, dt,
                            seed, step, i, ws};
    if (float32) {
        TwoVariableRhs<float> rhs{0.01, 0.1, 0.002};
        nn::integrate_step(rhs, method, nn::Tableau{n_stages, a, b, c}, args);
    } else {
        TwoVariableRhs<double> rhs{0.01, 0.1, 0.002};
        nn::integrate_step(rhs, method, nn::Tableau{n_stages, a, b, c}, args);
    }
}

namespace {

// The step schedule around the same model: threshold v > 1, reset v = 0, 2 ms refractoriness, a
// spike-count and a mean reducer; one lane per thread.
struct ThresholdKernel {
    TwoVariableRhs<double> rhs;
    NN_HD void refractory(const nn_kernel_block* b) { b->out[0] = 2e-3; }
    NN_HD void integrate(const nn_kernel_block* b) {
        const nn::StepArgs args{nn::Lanes{b->state, b->stride}, b->refractory_mask, nullptr, n_state, 0, 1, b->t, b->dt,
                                b->seed, b->step, b->first_neuron, b->workspace};
        nn::integrate_step(rhs, nn::EXPLICIT_RK, nn::Tableau{1, rhs_a, rhs_b, rhs_c}, args);
    }
    NN_HD void threshold(const nn_kernel_block* b) { b->out[0] = b->state[0] > 1.0 ? 1.0 : 0.0; }
    NN_HD void statements(const nn_kernel_block* b, int32_t, int32_t lane) { b->state[lane] = 0.0; }
    NN_HD void operation(const nn_kernel_block*, int32_t) {}
    static constexpr double rhs_a[1] = {0}, rhs_b[1] = {1}, rhs_c[1] = {0};
};

struct ReducerHooks {
    double* count;
    double* mean;
    NN_HD void sample(const nn_kernel_block& b, int32_t slot, int32_t op) {
        if (slot == nn::SLOT_UPDATE && op == 0) nn::reducer_sample(nn::REDUCE_MEAN, 0, mean, b.step, b.state[0], 0.0);
    }
    NN_HD void spike(int) { nn::reducer_spike(nn::REDUCE_SPIKE_COUNT, 0, count, 0.0); }
    NN_HD void events(nn_kernel_block&) {}
};

} // namespace

extern "C" __global__ void schedule_steps(double* state, double* lastspike, double* not_refractory, double* reducers,
                                          long long n_neurons, double dt, long long k0, long long k1, int* failed) {
    const long long i = static_cast<long long>(__nvvm_read_ptx_sreg_ctaid_x()) * __nvvm_read_ptx_sreg_ntid_x() +
                        __nvvm_read_ptx_sreg_tid_x();
    if (i >= n_neurons) return;
    double out[1], ws[nn::workspace_doubles(nn::EXPLICIT_RK, n_state, 0, 1, 1)];
    nn_kernel_block b{};
    b.state = state + i;
    b.stride = n_neurons;
    b.lastspike = lastspike + i;
    b.not_refractory = not_refractory + i;
    b.refractory_mask = not_refractory + i;
    b.out = out;
    b.out_stride = 1;
    b.workspace = ws;
    b.first_neuron = i;
    b.dt = dt;
    b.n = 1;
    ThresholdKernel kernel{TwoVariableRhs<double>{0.01, 0.1, 0.0}};
    ReducerHooks hooks{reducers + 4 * i, reducers + 4 * i + 1};
    const nn::ScheduleModel m{n_state, nn::REFRACTORY_UNIFORM_DURATION, true, true};
    nn::StepCache cache;
    nn::StepFailure failure;
    for (long long k = k0; k < k1; ++k)
        if (!nn::schedule_step<1>(m, kernel, hooks, b, not_refractory + i, lastspike + i, k, cache, failure)) {
            failed[i] = 1;
            return;
        }
}

// poisson() and BinomialFunction's sampler, their loops over a call site's uniforms, one lane per thread.
extern "C" __global__ void draw_distributions(double* out, const double* lam, long long n_neurons, unsigned long long seed,
                                              long long step) {
    const long long i = static_cast<long long>(__nvvm_read_ptx_sreg_ctaid_x()) * __nvvm_read_ptx_sreg_ntid_x() +
                        __nvvm_read_ptx_sreg_tid_x();
    if (i >= n_neurons) return;
    out[2 * i] = nn::poisson(seed, i, step, 0, lam[i]);
    out[2 * i + 1] = nn::binomial(seed, i, step, 1, 100.0, 0.1);
}
