// Elementary functions whose exact results are part of NeuroNative's numerics: every backend
// (interpreter, compiled C++, CUDA) calls these, so a model gives bit-identical results on all.
#pragma once

#include "portable.hpp"

#include <stdint.h>

namespace nn {
NN_ISA_BEGIN

namespace detail {

// The reduction of nn::exp: x (clamped to where exp is finite and non-zero) = n ln2 + r, and
// expm1(r) = r + r^2 (1/2 + r s(r)) with r's rounding error added in.
NN_HD inline double expm1_reduced(double x, int64_t& n) {
    constexpr double log2e = 1.4426950408889634074;
    constexpr double ln2_hi = 6.93147180369123816490e-01; // 21 trailing zero bits: n*ln2_hi exact
    constexpr double ln2_lo = 1.90821492927058770002e-10;
    constexpr double shifter = 6755399441055744.0;        // 1.5*2^52: adding it rounds to integer
    constexpr int64_t shifter_bits = 0x4338000000000000;

    x = x < -746.0 ? -746.0 : x; // exp(-746) already rounds to 0
    x = x > 710.0 ? 710.0 : x;   // exp(710) already overflows
    const double t = fma(x, log2e, shifter);
    const double nd = t - shifter; // n = round(x / ln2) as a double, |n| <= 1077
    n = __builtin_bit_cast(int64_t, t) - shifter_bits;

    // r = x - n ln2 as r + r_lo: hi is exact (Sterbenz), r = hi - n ln2_lo rounded once, hi - r
    // exact (Sterbenz again), so r_lo is the rounding error of r (up to a negligible rounding).
    const double hi = fma(-nd, ln2_hi, x);
    const double r = fma(-nd, ln2_lo, hi);
    const double r_lo = fma(-nd, ln2_lo, hi - r);

    // exp(r) = 1 + r + r^2 (1/2 + r s(r)), s of degree 9 (Chebyshev fit of (exp(r)-1-r-r^2/2)/r^3).
    double s = 2.0911300044662252e-09;
    s = fma(s, r, 2.510047429632267e-08);
    s = fma(s, r, 2.7557282836107253e-07);
    s = fma(s, r, 2.7557268273134303e-06);
    s = fma(s, r, 2.480158731723046e-05);
    s = fma(s, r, 0.00019841269863173989);
    s = fma(s, r, 0.0013888888888886535);
    s = fma(s, r, 0.008333333333330037);
    s = fma(s, r, 0.041666666666666664);
    s = fma(s, r, 0.16666666666666669);
    const double q = fma(s, r, 0.5);
    return r + fma(r * r, q, r_lo);
}

} // namespace detail

// exp(x) with max error ~1 ulp, written without branches or calls so that loops over it
// vectorise (g++ will not vectorise calls to libm's exp). Cody–Waite reduction x = n ln2 + r,
// |r| <= ln2/2 (r kept as r + r_lo), a degree-12 polynomial for exp(r) (near-minimax on
// |r| <= 0.347, relative error < 2^-59), then scaling by 2^n built from bits. Every multiply-add
// is an explicit fused one (nn::detail::fma: IEEE-exact, so every backend and ISA rounds the
// same). Out-of-range inputs are clamped; the scaling then overflows to +inf / underflows to 0
// by itself, and NaN propagates through the arithmetic (no data-dependent branch anywhere).
NN_HD inline double exp(double x) {
    int64_t n;
    const double p = 1.0 + detail::expm1_reduced(x, n);
    // 2^n = 2^n1 * 2^n2 with both factors normal (|n1|, |n2| <= 539): p*2^n1 is exact, so
    // results down to subnormals round once.
    const int64_t n1 = n >> 1, n2 = n - n1;
    const double s1 = __builtin_bit_cast(double, static_cast<uint64_t>(n1 + 1023) << 52);
    const double s2 = __builtin_bit_cast(double, static_cast<uint64_t>(n2 + 1023) << 52);
    return p * s1 * s2;
}

namespace detail {

// The float32 twin of expm1_reduced: x = n ln2 + r, |r| <= ln2/2, expm1(r) by a degree-7 Taylor
// polynomial (truncation < 2^-29 relative), every multiply-add fused (detail::fma: exact, so every ISA
// and backend rounds alike, as in the double version; unfused it was a third more operations).
NN_HD inline float expm1_reduced(float x, int32_t& n) {
    constexpr float log2e = 1.44269504f;
    constexpr float ln2_hi = 0.693145752f; // 12 trailing zero bits: n*ln2_hi exact
    constexpr float ln2_lo = 1.42860677e-6f;
    constexpr float shifter = 12582912.0f; // 1.5*2^23
    constexpr int32_t shifter_bits = 0x4B400000;

    x = x < -104.0f ? -104.0f : x; // expf(-104) already rounds to 0
    x = x > 89.0f ? 89.0f : x;     // expf(89) already overflows
    const float t = fma(x, log2e, shifter);
    const float nd = t - shifter;
    n = __builtin_bit_cast(int32_t, t) - shifter_bits;
    const float r = fma(-nd, ln2_lo, fma(-nd, ln2_hi, x));
    float q = 1.0f / 5040.0f;
    q = fma(q, r, 1.0f / 720.0f);
    q = fma(q, r, 1.0f / 120.0f);
    q = fma(q, r, 1.0f / 24.0f);
    q = fma(q, r, 1.0f / 6.0f);
    q = fma(q, r, 0.5f);
    return fma(r * r, q, r);
}

} // namespace detail

// Single-precision exp for the float32 option of compiled kernels: the scheme of exp(double).
NN_HD inline float exp(float x) {
    int32_t n;
    const float p = 1.0f + detail::expm1_reduced(x, n);
    const int32_t n1 = n >> 1, n2 = n - n1; // both factors normal down to subnormal results
    const float s1 = __builtin_bit_cast(float, static_cast<uint32_t>(n1 + 127) << 23);
    const float s2 = __builtin_bit_cast(float, static_cast<uint32_t>(n2 + 127) << 23);
    return p * s1 * s2;
}

// expm1(x) from nn::exp's reduction: 2^n expm1(r) + (2^n - 1), with no cancellation near 0 (there
// r = x) and none elsewhere (|x| >= ln2/2 when n != 0); no branch, so that loops over it vectorise.
// Evaluated as (2^n1 expm1(r) + (2^n1 - 2^-n2)) 2^n2 with n = n1 + n2: the scaling by 2^n2 is exact
// and no factor overflows below exp's own overflow (2^n alone is infinite for n = 1024).
NN_HD inline double expm1(double x) {
    int64_t n;
    const double em1r = detail::expm1_reduced(x, n);
    const int64_t n1 = n >> 1, n2 = n - n1;
    const double s1 = __builtin_bit_cast(double, static_cast<uint64_t>(n1 + 1023) << 52);
    const double s2 = __builtin_bit_cast(double, static_cast<uint64_t>(n2 + 1023) << 52);
    const double inv_s2 = __builtin_bit_cast(double, static_cast<uint64_t>(1023 - n2) << 52);
    return detail::fma(s1, em1r, s1 - inv_s2) * s2;
}

NN_HD inline float expm1(float x) {
    int32_t n;
    const float em1r = detail::expm1_reduced(x, n);
    const int32_t n1 = n >> 1, n2 = n - n1;
    const float s1 = __builtin_bit_cast(float, static_cast<uint32_t>(n1 + 127) << 23);
    const float s2 = __builtin_bit_cast(float, static_cast<uint32_t>(n2 + 127) << 23);
    const float inv_s2 = __builtin_bit_cast(float, static_cast<uint32_t>(127 - n2) << 23);
    return detail::fma(s1, em1r, s1 - inv_s2) * s2;
}

// Brian's exprel: 1 if |x| < 1e-16, +inf if x > 717, else expm1(x)/x (with nn::expm1).
NN_HD inline double exprel(double x) {
    const double ax = x < 0 ? -x : x;
    const double y = x > 717.0 ? __builtin_huge_val() : nn::expm1(x) / x;
    return ax < 1e-16 ? 1.0 : y;
}

// The same in single precision (expm1f overflows from 88.73 on, so only +inf needs the branch).
NN_HD inline float exprel(float x) {
    const float ax = x < 0 ? -x : x;
    const float y = x > 89.0f ? __builtin_huge_valf() : nn::expm1(x) / x;
    return ax < 1e-16f ? 1.0f : y;
}

// x**n for an integer n by repeated squaring (left to right over the bits of |n|, starting with
// r = x at the lowest set bit), 1/r for n < 0. This exact order of multiplications is the
// definition of NN_OP_POWI on every backend.
template <class T>
NN_HD inline T powi(T x, int32_t n) {
    uint32_t m = n < 0 ? 0u - static_cast<uint32_t>(n) : static_cast<uint32_t>(n);
    T r = 1;
    bool have = false;
    T b = x;
    while (m != 0) {
        if (m & 1u) {
            r = have ? r * b : b;
            have = true;
        }
        m >>= 1;
        if (m != 0) b = b * b;
    }
    return n < 0 ? T(1) / r : r;
}

// Largest matrix nn::expm takes: [M I; 0 0] of a linear system of up to 8 variables
// (NN_LINEAR_SYSTEM_MAX_STATES).
constexpr int kExpmMax = 16;

namespace detail {
// The largest column sum of |a| (NaN columns are skipped: a NaN entry makes the result NaN anyway).
NN_HD inline double norm1(const double* a, int m) {
    double norm = 0.0;
    for (int j = 0; j < m; ++j) {
        double col = 0.0;
        for (int i = 0; i < m; ++i) col = col + (a[i * m + j] < 0 ? -a[i * m + j] : a[i * m + j]);
        norm = col > norm ? col : norm;
    }
    return norm;
}

// out = a*b (m x m, row-major), sums left to right.
NN_HD inline void matmul(const double* a, const double* b, int m, double* NN_RESTRICT out) {
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < m; ++j) {
            double p = 0.0;
            for (int k = 0; k < m; ++k) p = p + a[i * m + k] * b[k * m + j];
            out[i * m + j] = p;
        }
}
} // namespace detail

// e = e^a for an m x m row-major matrix (m <= kExpmMax); a is overwritten. Scaling and squaring:
// e^a = (e^{a/2^s})^{2^s}, the Taylor series of a/2^s summed until a term changes no entry (at most
// 30 terms). s is the least with alpha/2^s <= 1/2, alpha = min over p of max(||a^p||^(1/p),
// ||a^(p+1)||^(1/p+1)), p = 1..5 (1-norms; Al-Mohy and Higham's bound on the series' tail): unlike
// ||a||, alpha is not inflated by large couplings between variables of different units (a membrane
// in volts driven by a current in amperes), which would cost squarings and with them accuracy. The
// scaling by 2^-s is exact; no fused multiply-adds, so every backend rounds alike.
NN_HD inline void expm(double* NN_RESTRICT a, int m, double* NN_RESTRICT e) {
    double term[kExpmMax * kExpmMax], next[kExpmMax * kExpmMax];
    const int mm = m * m;
    double norms[7]; // ||a^p||, p = 1..6
    norms[1] = detail::norm1(a, m);
    for (int k = 0; k < mm; ++k) term[k] = a[k];
    for (int p = 2; p <= 6; ++p) {
        detail::matmul(term, a, m, next);
        for (int k = 0; k < mm; ++k) term[k] = next[k];
        norms[p] = detail::norm1(term, m);
    }
    int s = 0;
    double bound = 0.5; // 2^(s-1)
    for (; s < 1023; ++s, bound = 2.0 * bound) { // norm1 skips NaN columns; an infinite norm ends at 1023
        double powers[7];
        powers[1] = bound;
        for (int p = 2; p <= 6; ++p) powers[p] = powers[p - 1] * bound;
        bool small = norms[1] <= bound;
        for (int p = 2; p <= 5; ++p) small = small || (norms[p] <= powers[p] && norms[p + 1] <= powers[p + 1]);
        if (small) break;
    }
    double scale = 1.0;
    for (int k = 0; k < s; ++k) scale = 0.5 * scale;
    for (int k = 0; k < mm; ++k) {
        a[k] = a[k] * scale;
        term[k] = (k % (m + 1)) == 0 ? 1.0 : 0.0;
        e[k] = term[k];
    }
    for (int order = 1; order <= 30; ++order) {
        detail::matmul(term, a, m, next);
        bool changed = false;
        for (int k = 0; k < mm; ++k) {
            term[k] = next[k] / static_cast<double>(order);
            const double sum = e[k] + term[k];
            changed = changed || sum != e[k];
            e[k] = sum;
        }
        if (!changed) break;
    }
    for (; s > 0; --s) {
        detail::matmul(e, e, m, next);
        for (int k = 0; k < mm; ++k) e[k] = next[k];
    }
}

NN_ISA_END
} // namespace nn
