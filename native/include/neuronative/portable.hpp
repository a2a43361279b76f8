// Portability macros shared by the CPU and CUDA instantiations of the header-only templates.
#pragma once

#if defined(__CUDA__) || defined(__CUDACC__)
#  define NN_HD __attribute__((host)) __attribute__((device))
#  define NN_DEVICE __attribute__((device))
#else
#  define NN_HD
#  define NN_DEVICE
#endif

#define NN_RESTRICT __restrict__

// libm functions the templates need besides nn::exp.
#if defined(__CUDA_ARCH__) && defined(__clang__)
// clang device code: call libdevice directly, so the templates also compile under -nocudainc.
extern "C" NN_DEVICE double __nv_log(double);
extern "C" NN_DEVICE double __nv_cos(double);
extern "C" NN_DEVICE double __nv_sqrt(double);
extern "C" NN_DEVICE double __nv_expm1(double);
#  define NN_LIBM(fn, x) __nv_##fn(x)
#elif defined(__CUDA_ARCH__)
#  define NN_LIBM(fn, x) ::fn(x) // the CUDA math API
#else
#  include <cmath>
#  define NN_LIBM(fn, x) std::fn(x)
#endif

namespace nn::detail {
NN_HD inline double log(double x) { return NN_LIBM(log, x); }
NN_HD inline double cos(double x) { return NN_LIBM(cos, x); }
NN_HD inline double sqrt(double x) { return NN_LIBM(sqrt, x); }
NN_HD inline double expm1(double x) { return NN_LIBM(expm1, x); }
// a*b + c rounded once (IEEE fusedMultiplyAdd: the same result on every ISA and backend; one
// instruction where the target has FMA, which -march=native and CUDA have).
#if defined(__CUDA_ARCH__) && !defined(__clang__)
NN_HD inline double fma(double a, double b, double c) { return ::fma(a, b, c); }
#elif defined(_MSC_VER) && !defined(__clang__)
inline double fma(double a, double b, double c) { return std::fma(a, b, c); } // MSVC has no __builtin_fma
#else
NN_HD inline double fma(double a, double b, double c) { return __builtin_fma(a, b, c); }
#endif
} // namespace nn::detail
