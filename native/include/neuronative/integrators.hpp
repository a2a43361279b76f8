// One integration step t_k -> t_k+1 over a block of n lanes (neurons), written once for the CPU
// backends (n = a block of neurons, loops vectorise) and CUDA (n = 1 lane per thread).
//
// The model is supplied by an Rhs type with these members (all NN_HD on CUDA; non-const is fine):
//   void derivatives(nn::Lanes x, double t, nn::Lanes f, int n); // f[v][i] = f_v(x_i, t)
//   void noise(nn::Lanes x, double t, nn::Lanes g, int n);       // g[v*n_noise + j][i] = g_vj(x_i, t)
//   void linear(nn::Lanes x, double t, nn::Lanes A, nn::Lanes B, int n); // dx_v/dt = A_v x_v + B_v
//   void linear_system(nn::Lanes x, double t, nn::Lanes m, int n); // m[v*(n_state+1) + j]: row v of [M c]
// x is read only; the Rhs binds everything else it needs (parameters, lane specials, the block's
// first neuron) itself. Only the members a method calls need to exist.
//
// An Rhs may declare `using real = float;` (the float32 option of compiled kernels): then its outputs,
// the stage states and the update arithmetic are float, x is passed as LanesOf<float> in later
// stages (so derivatives/noise take any LanesOf), and only the state itself stays double.
//
// Semantics follow Brian 2 (docs/brian2-semantics.md §2-3): every new value is computed from
// the old state before anything is written; variables flagged UNLESS_REFRACTORY have f and g
// multiplied by not_refractory in every stage and are not written while refractory.
#pragma once

#include "math.hpp"
#include "philox.hpp"
#include "portable.hpp"

#include <stdint.h>

namespace nn {
NN_ISA_BEGIN

// Values of nn_method and nn_state_flag (neuronative.h); repeated so that generated device code
// needs no C header.
enum Method : int32_t { EXPLICIT_RK = 0, EXPONENTIAL_EULER = 1, STOCHASTIC_HEUN = 2, MILSTEIN = 3, LINEAR_SYSTEM = 4 };
enum StateFlag : int32_t { UNLESS_REFRACTORY = 1, LINEAR_A_ZERO = 2, LINEAR_B_ZERO = 4, LINEAR_A_UNIFORM = 8 };

// Random stream of noise term j; RAND/RANDN in model code use streams below 2^31.
NN_HD constexpr uint32_t noise_stream(int j) { return 0x80000000u + static_cast<uint32_t>(j); }

// A set of variables over n lanes: variable v, lane i is at data[v*stride + i].
template <class T>
struct LanesOf {
    T* data;
    int64_t stride;
    NN_HD T* operator[](int v) const { return data + v * stride; }
};
using Lanes = LanesOf<double>;

namespace detail {
template <class Rhs, class = void>
struct RealOf {
    using type = double;
};
template <class Rhs>
struct RealOf<Rhs, decltype(void(static_cast<typename Rhs::real*>(nullptr)))> {
    using type = typename Rhs::real;
};
} // namespace detail

// The arithmetic type of an Rhs's outputs and of the step built on them: Rhs::real, else double.
template <class Rhs>
using real_of = typename detail::RealOf<Rhs>::type;

// The workspace of a step as lanes of R (float workspaces use the first half of the doubles).
template <class R>
NN_HD inline LanesOf<R> workspace_lanes(double* ws, int64_t offset, int64_t stride) {
    return LanesOf<R>{reinterpret_cast<R*>(ws) + offset, stride};
}

// Explicit Runge–Kutta coefficients: a is s*s row-major, strictly lower triangular.
struct Tableau {
    int32_t n_stages;
    const double* a;
    const double* b;
    const double* c;
};

struct StepArgs {
    Lanes x;                       // state at t_k on entry, at t_k+1 on return
    const double* not_refractory;  // n lanes (0.0 / 1.0); null: no lane is refractory
    const int32_t* flags;          // n_state StateFlag bits; null: none
    int32_t n_state;
    int32_t n_noise;
    int32_t n;                     // lanes
    double t;                      // t_k = k*dt
    double dt;
    uint64_t seed;                 // noise: dW_j of lane i = sqrt(dt) * normal(seed,
    int64_t step;                  //   first_neuron + i, step, noise_stream(j))
    int64_t first_neuron;
    double* ws;                    // workspace_doubles(...) doubles
};

// Doubles of workspace a step needs (CUDA code can size a local array with it).
NN_HD constexpr int64_t workspace_doubles(int32_t method, int32_t n_state, int32_t n_noise, int32_t n_stages,
                                          int32_t n) {
    const int64_t s = n_state, m = n_noise;
    switch (method) {
    case EXPLICIT_RK:
        return (m > 0 ? s + s * m + m : (n_stages + 1) * s) * n;
    case EXPONENTIAL_EULER:
        return 2 * s * n; // A, B
    case LINEAR_SYSTEM:
        return s * (s + 1) * n; // [M c]
    default: // heun, milstein: f, g, g at the support point, support state, accumulator, dW
        return (3 * s + 2 * s * m + m) * n;
    }
}

namespace detail {

NN_HD inline bool flagged(const StepArgs& a, int v) {
    return a.not_refractory != nullptr && a.flags != nullptr && (a.flags[v] & UNLESS_REFRACTORY) != 0;
}

// f *= not_refractory for the flagged variables of a set laid out as [v*per_var + j].
template <class R>
NN_HD inline void mask(const StepArgs& a, LanesOf<R> f, int per_var) {
    NN_UNROLL
    for (int v = 0; v < a.n_state; ++v) {
        if (!flagged(a, v)) continue;
        const double* NN_RESTRICT nr = a.not_refractory;
        NN_UNROLL
        for (int j = 0; j < per_var; ++j) {
            R* NN_RESTRICT fv = f[v * per_var + j];
            for (int i = 0; i < a.n; ++i) fv[i] = fv[i] * static_cast<R>(nr[i]);
        }
    }
}

// x_v = value, except in refractory lanes of a flagged variable (kept bit-identical).
template <class R>
NN_HD inline void store(const StepArgs& a, int v, const R* NN_RESTRICT value) {
    double* NN_RESTRICT xv = a.x[v];
    if (flagged(a, v)) {
        const double* NN_RESTRICT nr = a.not_refractory;
        for (int i = 0; i < a.n; ++i) xv[i] = nr[i] != 0.0 ? static_cast<double>(value[i]) : xv[i];
    } else {
        for (int i = 0; i < a.n; ++i) xv[i] = static_cast<double>(value[i]);
    }
}

// x_v[i] = value(i, x_v[i]) in one pass (value computed in R), except in refractory lanes of a
// flagged variable.
template <class R, class F>
NN_HD inline void store_each(const StepArgs& a, int v, F value) {
    double* xv = a.x[v];
    const int n = a.n;
    const double* NN_RESTRICT nr = flagged(a, v) ? a.not_refractory : nullptr;
    auto lane = [&](int i) {
        const double x = xv[i];
        const double y = static_cast<double>(value(i, static_cast<R>(x)));
        xv[i] = nr != nullptr && nr[i] == 0.0 ? x : y;
    };
    // Float lanes: the cost model would pick the doubles' vector width and leave half of each empty.
    if constexpr (sizeof(R) < sizeof(double)) {
        if (nr != nullptr) {
#pragma omp simd simdlen(NN_FLOAT_SIMDLEN)
            for (int i = 0; i < n; ++i) lane(i);
        } else {
#pragma omp simd simdlen(NN_FLOAT_SIMDLEN)
            for (int i = 0; i < n; ++i) xv[i] = static_cast<double>(value(i, static_cast<R>(xv[i])));
        }
    } else if (nr != nullptr) {
        for (int i = 0; i < n; ++i) lane(i);
    } else {
        for (int i = 0; i < n; ++i) xv[i] = value(i, xv[i]);
    }
}

template <class R>
NN_HD inline void draw_dw(const StepArgs& a, LanesOf<R> dw) {
    const double sqrt_dt = detail::sqrt(a.dt);
    NN_UNROLL
    for (int j = 0; j < a.n_noise; ++j) {
        R* NN_RESTRICT d = dw[j];
        for (int i = 0; i < a.n; ++i)
            d[i] = static_cast<R>(sqrt_dt * normal(a.seed, a.first_neuron + i, a.step, noise_stream(j)));
    }
}

} // namespace detail

// K_s = dt*f(X + sum_j a_sj K_j, t + c_s dt); X' = X + sum_s b_s K_s (zero coefficients skipped,
// sums left to right).
template <class Rhs>
NN_HD void explicit_rk_step(Rhs& rhs, const Tableau& tab, const StepArgs& a) {
    using R = real_of<Rhs>;
    const int S = tab.n_stages, ns = a.n_state, n = a.n;
    const R dt = static_cast<R>(a.dt);
    const LanesOf<R> xs = workspace_lanes<R>(a.ws, 0, n);                         // stage state, ns vars
    const LanesOf<R> k = workspace_lanes<R>(a.ws, static_cast<int64_t>(ns) * n, n); // K_s of variable v at k[s*ns + v]
    if (S == 1 && tab.b[0] == 1.0 && tab.c[0] == 0.0) { // Euler: x + dt*f in one pass, the same roundings
        rhs.derivatives(a.x, a.t, k, n);
        detail::mask(a, k, 1);
        NN_UNROLL
        for (int v = 0; v < ns; ++v) {
            const R* NN_RESTRICT kv = k[v];
            detail::store_each<R>(a, v, [&](int i, R x) { return x + dt * kv[i]; });
        }
        return;
    }
    NN_UNROLL
    for (int s = 0; s < S; ++s) {
        bool at_x = true;
        NN_UNROLL
        for (int j = 0; j < s; ++j) at_x = at_x && tab.a[s * S + j] == 0.0;
        if (!at_x) {
            NN_UNROLL
            for (int v = 0; v < ns; ++v) {
                const double* NN_RESTRICT xv = a.x[v];
                R* NN_RESTRICT out = xs[v];
                for (int i = 0; i < n; ++i) out[i] = static_cast<R>(xv[i]);
                NN_UNROLL
                for (int j = 0; j < s; ++j) {
                    const R c = static_cast<R>(tab.a[s * S + j]);
                    if (c == 0) continue;
                    const R* NN_RESTRICT kj = k[j * ns + v];
                    for (int i = 0; i < n; ++i) out[i] = out[i] + c * kj[i];
                }
            }
        }
        const LanesOf<R> ks{k[s * ns], n};
        if (at_x)
            rhs.derivatives(a.x, a.t + tab.c[s] * a.dt, ks, n);
        else
            rhs.derivatives(xs, a.t + tab.c[s] * a.dt, ks, n);
        detail::mask(a, ks, 1);
        NN_UNROLL
        for (int v = 0; v < ns; ++v) {
            R* NN_RESTRICT kv = ks[v];
            for (int i = 0; i < n; ++i) kv[i] = dt * kv[i];
        }
    }
    NN_UNROLL
    for (int v = 0; v < ns; ++v) {
        const double* NN_RESTRICT xv = a.x[v];
        R* NN_RESTRICT out = xs[v];
        for (int i = 0; i < n; ++i) out[i] = static_cast<R>(xv[i]);
        NN_UNROLL
        for (int s = 0; s < S; ++s) {
            const R b = static_cast<R>(tab.b[s]);
            if (b == 0) continue;
            const R* NN_RESTRICT ksv = k[s * ns + v];
            for (int i = 0; i < n; ++i) out[i] = out[i] + b * ksv[i];
        }
        detail::store(a, v, out);
    }
}

// Euler–Maruyama: X' = X + dt*f(X, t) + sum_j g_j(X, t)*dW_j.
template <class Rhs>
NN_HD void euler_maruyama_step(Rhs& rhs, const StepArgs& a) {
    using R = real_of<Rhs>;
    const int ns = a.n_state, m = a.n_noise, n = a.n;
    const R dt = static_cast<R>(a.dt);
    const LanesOf<R> f = workspace_lanes<R>(a.ws, 0, n), g{f[ns], n}, dw{g[ns * m], n};
    rhs.derivatives(a.x, a.t, f, n);
    detail::mask(a, f, 1);
    rhs.noise(a.x, a.t, g, n);
    detail::mask(a, g, m);
    detail::draw_dw(a, dw);
    NN_UNROLL
    for (int v = 0; v < ns; ++v) {
        const double* NN_RESTRICT xv = a.x[v];
        R* NN_RESTRICT fv = f[v];
        for (int i = 0; i < n; ++i) fv[i] = static_cast<R>(xv[i]) + dt * fv[i];
        NN_UNROLL
        for (int j = 0; j < m; ++j) {
            const R* NN_RESTRICT gj = g[v * m + j];
            const R* NN_RESTRICT dj = dw[j];
            for (int i = 0; i < n; ++i) fv[i] = fv[i] + gj[i] * dj[i];
        }
        detail::store(a, v, f[v]);
    }
}

// Exponential Euler with A, B at t_k: x' = -B/A + (B/A + x)*exp(A dt); x + dt*B where A is 0
// (symbolically by flag, or at run time instead of Brian's NaN); x*exp(A dt) where B is 0. Where A
// is the same in every lane (LIF's -1/tau), x' = x E + B F with E = exp(A dt) and F = (E - 1)/A =
// dt exprel(A dt) computed once: no exp and no division per lane (and F = dt where A is 0).
template <class Rhs>
NN_HD void exponential_euler_step(Rhs& rhs, const StepArgs& a) {
    using R = real_of<Rhs>;
    const int ns = a.n_state, n = a.n;
    const LanesOf<R> A = workspace_lanes<R>(a.ws, 0, n), B{A[ns], n};
    rhs.linear(a.x, a.t, A, B, n);
    NN_UNROLL
    for (int v = 0; v < ns; ++v) {
        const int32_t fl = a.flags != nullptr ? a.flags[v] : 0;
        const R* NN_RESTRICT av = A[v];
        const R* NN_RESTRICT bv = B[v];
        const R dt = static_cast<R>(a.dt);
        // The new value is written straight into x (lane i reads x_i before writing it).
        if (fl & LINEAR_A_ZERO) {
            detail::store_each<R>(a, v, [&](int i, R x) { return x + dt * bv[i]; });
        } else if (fl & LINEAR_A_UNIFORM) {
            const R e = nn::exp(av[0] * dt);
            if (fl & LINEAR_B_ZERO) {
                detail::store_each<R>(a, v, [&](int, R x) { return x * e; });
            } else {
                const R f = dt * nn::exprel(av[0] * dt);
                detail::store_each<R>(a, v, [&](int i, R x) { return x * e + bv[i] * f; });
            }
        } else if (fl & LINEAR_B_ZERO) {
            detail::store_each<R>(a, v, [&](int i, R x) { return x * nn::exp(av[i] * dt); });
        } else {
            detail::store_each<R>(a, v, [&](int i, R x) {
                const R ba = bv[i] / av[i];
                const R e = -ba + (ba + x) * nn::exp(av[i] * dt);
                return av[i] == 0 ? x + dt * bv[i] : e;
            });
        }
    }
}

// Exact integration of dX/dt = M X + c with M and c at t_k (Brian's 'exact' for linear systems):
// X' = E X + F c with E = e^{M dt} and F = integral_0^dt e^{M s} ds, both blocks of e^{G} for
// G = [M dt, I dt; 0, 0]. Unlike Brian's e^{M dt}(X + b) - b with b = M^-1 c this needs no inverse,
// so lanes whose M is singular at run time (equal time constants, refractory rows) stay exact. E and F
// depend on M alone: they are kept while the next lane's M is the same (parameters shared by neurons),
// and every lane's result is the same function of its own M, c and X whichever lane computed them.
// Rows of UNLESS_REFRACTORY variables are multiplied by not_refractory, as Brian's right-hand side is.
// The matrix exponential is in double in every precision (its series and squarings need it).
template <class Rhs>
NN_HD void linear_system_step(Rhs& rhs, const StepArgs& a) {
    using R = real_of<Rhs>;
    const int ns = a.n_state, n = a.n, w = ns + 1, g2 = 2 * ns;
    const LanesOf<R> m = workspace_lanes<R>(a.ws, 0, n);
    rhs.linear_system(a.x, a.t, m, n);
    detail::mask(a, m, w);
    double g[kExpmMax * kExpmMax], e[kExpmMax * kExpmMax], kept[kExpmMax * kExpmMax];
    bool have = false;
    for (int i = 0; i < n; ++i) {
        bool same = have;
        NN_UNROLL
        for (int r = 0; r < ns && same; ++r)
            NN_UNROLL
            for (int j = 0; j < ns && same; ++j) same = kept[r * ns + j] == static_cast<double>(m[r * w + j][i]);
        if (!same) {
            NN_UNROLL
            for (int r = 0; r < g2; ++r)
                NN_UNROLL
                for (int j = 0; j < g2; ++j)
                    g[r * g2 + j] = r >= ns ? 0.0 : j < ns ? static_cast<double>(m[r * w + j][i]) * a.dt : (j - ns == r ? a.dt : 0.0);
            expm(g, g2, e);
            NN_UNROLL
            for (int r = 0; r < ns; ++r)
                NN_UNROLL
                for (int j = 0; j < ns; ++j) kept[r * ns + j] = static_cast<double>(m[r * w + j][i]);
            have = true;
        }
        // The new values go where c was (this lane's [M c] is no longer needed).
        double y[kExpmMax];
        NN_UNROLL
        for (int r = 0; r < ns; ++r) {
            double s = 0.0;
            NN_UNROLL
            for (int j = 0; j < ns; ++j) s = s + e[r * g2 + j] * a.x[j][i];
            NN_UNROLL
            for (int j = 0; j < ns; ++j) s = s + e[r * g2 + ns + j] * static_cast<double>(m[j * w + ns][i]);
            y[r] = s;
        }
        NN_UNROLL
        for (int r = 0; r < ns; ++r) m[r * w + ns][i] = static_cast<R>(y[r]);
    }
    NN_UNROLL
    for (int v = 0; v < ns; ++v) detail::store(a, v, m[v * w + ns]);
}

// Stochastic Heun (Stratonovich), per noise term j: Xs_j = X + g_j(X, t) dW_j;
// X' = X + dt f(X, t) + sum_j 0.5*dW_j*(g_j(X, t) + g_j(Xs_j, t + dt)). Without noise: Euler.
// Milstein (derivative-free), per j: Xs_j = X + dt f + sqrt(dt) g_j;
// X' = X + dt f + sum_j [g_j dW_j + (g_j(Xs_j, t) - g_j(X, t)) * dW_j^2 / (2 sqrt(dt))].
template <class Rhs>
NN_HD void stochastic_step(Rhs& rhs, bool milstein, const StepArgs& a) {
    using R = real_of<Rhs>;
    const int ns = a.n_state, m = a.n_noise, n = a.n;
    const LanesOf<R> f = workspace_lanes<R>(a.ws, 0, n), g{f[ns], n}, gs{g[ns * m], n}, xs{gs[ns * m], n},
                     acc{xs[ns], n}, dw{acc[ns], n};
    const R dt = static_cast<R>(a.dt), sqrt_dt = static_cast<R>(detail::sqrt(a.dt)),
            half_inv_sqrt_dt = static_cast<R>(1.0 / (2.0 * detail::sqrt(a.dt))), half = static_cast<R>(0.5);
    rhs.derivatives(a.x, a.t, f, n);
    detail::mask(a, f, 1);
    NN_UNROLL
    for (int v = 0; v < ns; ++v) {
        const double* NN_RESTRICT xv = a.x[v];
        const R* NN_RESTRICT fv = f[v];
        R* NN_RESTRICT out = acc[v];
        for (int i = 0; i < n; ++i) out[i] = static_cast<R>(xv[i]) + dt * fv[i];
    }
    if (m > 0) {
        rhs.noise(a.x, a.t, g, n);
        detail::mask(a, g, m);
        detail::draw_dw(a, dw);
    }
    NN_UNROLL
    for (int j = 0; j < m; ++j) {
        const R* NN_RESTRICT dj = dw[j];
        NN_UNROLL
        for (int v = 0; v < ns; ++v) {
            const double* NN_RESTRICT xv = a.x[v];
            const R* NN_RESTRICT fv = f[v];
            const R* NN_RESTRICT gj = g[v * m + j];
            R* NN_RESTRICT out = xs[v];
            if (milstein)
                for (int i = 0; i < n; ++i) out[i] = (static_cast<R>(xv[i]) + dt * fv[i]) + sqrt_dt * gj[i];
            else
                for (int i = 0; i < n; ++i) out[i] = static_cast<R>(xv[i]) + gj[i] * dj[i];
        }
        rhs.noise(xs, milstein ? a.t : a.t + a.dt, gs, n);
        detail::mask(a, gs, m);
        NN_UNROLL
        for (int v = 0; v < ns; ++v) {
            const R* NN_RESTRICT gj = g[v * m + j];
            const R* NN_RESTRICT gsj = gs[v * m + j];
            R* NN_RESTRICT out = acc[v];
            if (milstein)
                for (int i = 0; i < n; ++i)
                    out[i] = out[i] + gj[i] * dj[i] + (gsj[i] - gj[i]) * (dj[i] * dj[i]) * half_inv_sqrt_dt;
            else
                for (int i = 0; i < n; ++i) out[i] = out[i] + half * dj[i] * (gj[i] + gsj[i]);
        }
    }
    NN_UNROLL
    for (int v = 0; v < ns; ++v) detail::store(a, v, acc[v]);
}

// One step of the given nn_method; n_noise > 0 with EXPLICIT_RK requires a 1-stage tableau.
template <class Rhs>
NN_HD void integrate_step(Rhs& rhs, int32_t method, const Tableau& tab, const StepArgs& a) {
    switch (method) {
    case EXPLICIT_RK:
        if (a.n_noise > 0)
            euler_maruyama_step(rhs, a);
        else
            explicit_rk_step(rhs, tab, a);
        break;
    case EXPONENTIAL_EULER:
        exponential_euler_step(rhs, a);
        break;
    case STOCHASTIC_HEUN:
        stochastic_step(rhs, false, a);
        break;
    case MILSTEIN:
        stochastic_step(rhs, true, a);
        break;
    case LINEAR_SYSTEM:
        linear_system_step(rhs, a);
        break;
    default:
        break;
    }
}

NN_ISA_END
} // namespace nn
