// poisson(lam) and BinomialFunction(n, p, approximate=False), with Brian 2.5.1's algorithms — numpy's legacy
// samplers as Brian's generated C++ writes them (brian2/codegen/generators/cpp_generator.py, brian2/input/binomial.py)
// — on the uniforms of one call site (nn::Uniforms), so every backend draws the same numbers. Results are whole
// numbers as doubles.
#pragma once

#include "math.hpp"
#include "philox.hpp"
#include "portable.hpp"

#include <stdint.h>

namespace nn {
NN_ISA_BEGIN
namespace detail {

// log(Gamma(x)) for x >= 1 (numpy's loggam): Stirling's series, shifted up to 7 for small x.
NN_HD inline double loggam(double x) {
    constexpr double a[10] = {8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04,
                              -5.952380952380952e-04, 8.417508417508418e-04, -1.917526917526918e-03,
                              6.410256410256410e-03, -2.955065359477124e-02, 1.796443723688307e-01,
                              -1.39243221690590e+00};
    if (x == 1.0 || x == 2.0) return 0.0;
    double x0 = x;
    int32_t n = 0;
    if (x <= 7.0) {
        n = static_cast<int32_t>(7 - x);
        x0 = x + n;
    }
    const double x2 = 1.0 / (x0 * x0);
    double gl0 = a[9];
    for (int k = 8; k >= 0; --k) gl0 = gl0 * x2 + a[k];
    constexpr double two_pi = 6.283185307179586476925;
    double gl = gl0 / x0 + 0.5 * log(two_pi) + (x0 - 0.5) * log(x0) - x0;
    for (int32_t k = 1; k <= n; ++k) {
        gl -= log(x0 - 1.0);
        x0 -= 1.0;
    }
    return gl;
}

// lam < 10: multiply uniforms until the product falls to exp(-lam) or below.
NN_HD inline double poisson_mult(double lam, Uniforms& u) {
    const double enlam = nn::exp(-lam);
    double x = 0.0, prod = 1.0;
    for (;;) {
        prod *= u.next();
        if (!(prod > enlam)) return x;
        x += 1.0;
    }
}

// lam >= 10: Hörmann's transformed rejection with squeeze (PTRS). k stays a double where Brian's int32_t would
// overflow (lam beyond 2^31).
NN_HD inline double poisson_ptrs(double lam, Uniforms& u) {
    const double slam = sqrt(lam), loglam = log(lam);
    const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    const double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
        const double U = u.next() - 0.5, V = u.next();
        const double us = 0.5 - __builtin_fabs(U);
        const double k = __builtin_floor((2 * a / us + b) * U + lam + 0.43);
        if (us >= 0.07 && V <= vr) return k;
        if (k < 0 || (us < 0.013 && V > us)) continue;
        if (log(V) + log(invalpha) - log(a / (us * us) + b) <= -lam + k * loglam - loggam(k + 1)) return k;
    }
}

} // namespace detail

// Brian's poisson(lam): 0 for lam == 0 (and, as Brian's code does, for negative or NaN lam).
NN_HD inline double poisson(uint64_t seed, int64_t neuron, int64_t step, uint32_t stream, double lam) {
    Uniforms u{seed, neuron, step, stream};
    if (lam >= 10) return detail::poisson_ptrs(lam, u);
    if (lam == 0) return 0.0;
    return detail::poisson_mult(lam, u);
}

// BinomialFunction(n, p, approximate=False): inversion (numpy's rk_binomial_inversion), restarted when X passes
// min(n, nP + 10 sqrt(nPq + 1)). Brian prints qn and the bound into its code with 15 decimals (a qn below 1e-15
// becomes 0 there and the loop never ends); here they stay doubles. NaN unless n is a whole number >= 0,
// 0 <= p <= 1 and (1 - P)^n > 0 in double.
NN_HD inline double binomial(uint64_t seed, int64_t neuron, int64_t step, uint32_t stream, double n, double p) {
    const bool reverse = p > 0.5;
    const double P = reverse ? 1.0 - p : p, q = 1.0 - P;
    const double qn = nn::exp(n * detail::log(q));
    if (!(n >= 0 && n == __builtin_floor(n) && p >= 0 && p <= 1 && qn > 0)) return __builtin_nan("");
    const double spread = n * P + 10.0 * detail::sqrt(n * P * q + 1);
    const double bound = n < spread ? n : spread;
    Uniforms u{seed, neuron, step, stream};
    double x = 0.0, px = qn, U = u.next();
    while (U > px) {
        x += 1.0;
        if (x > bound) {
            x = 0.0;
            px = qn;
            U = u.next();
        } else {
            U -= px;
            px = ((n - x + 1) * P * px) / (x * q);
        }
    }
    return reverse ? n - x : x;
}

NN_ISA_END
} // namespace nn
