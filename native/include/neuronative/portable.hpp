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

// NVRTC (the GPU backend's run-time compiler, EDG front end) is not known to take every GCC builtin the headers use;
// under it they are spelled with the CUDA math API and intrinsics, which compute the same exact operations.
// (Not yet compiled by NVRTC on a GPU machine: docs/gpu.md.)
#if defined(__CUDACC_RTC__)
#  define __builtin_trunc(x) ::trunc(x)
#  define __builtin_floor(x) ::floor(x)
#  define __builtin_fabs(x) ::fabs(x)
#  define __builtin_fma(a, b, c) ::fma(a, b, c)
#  define __builtin_fmaf(a, b, c) ::fmaf(a, b, c)
#  define __builtin_nan(s) __longlong_as_double(0x7ff8000000000000ll)
#  define __builtin_huge_val() __longlong_as_double(0x7ff0000000000000ll)
#  define __builtin_huge_valf() __int_as_float(0x7f800000)
#  define __builtin_bit_cast(T, x) ::nn_bit_cast<T>(x)
template <class T, class F>
__device__ inline T nn_bit_cast(const F& from) {
    static_assert(sizeof(T) == sizeof(F), "nn_bit_cast between types of different sizes");
    T to;
    memcpy(&to, &from, sizeof(T));
    return to;
}
#endif

// Loops over state variables, stages and noise terms: unrolled in device code, where the counts are constants
// after inlining, so that a thread's state and workspace stay in registers (an array indexed by a loop counter
// lives in local memory); where a count is not constant the hint is dropped (clang: -Wpass-failed). The CPU
// loops over lanes inside them vectorise as they are.
#if defined(__CUDA_ARCH__)
#  define NN_UNROLL _Pragma("unroll")
#else
#  define NN_UNROLL
#endif

// Lanes per iteration of float loops (the float32 option): 8 fill a 256-bit vector; compiled kernels pass 16
// on AVX-512 hosts, where they use 512-bit vectors (HostCompiler).
#ifndef NN_FLOAT_SIMDLEN
#  define NN_FLOAT_SIMDLEN 8
#endif

// The library compiles its hot loops once per x86-64 level (native/CMakeLists.txt) with NN_ISA set to
// the level's name; these headers then put every inline function in a namespace of that level, so
// that the linker never merges one level's copy of a function into another's (the copy it kept
// could use instructions the CPU lacks). Generated kernels and CUDA leave NN_ISA undefined.
#if defined(NN_ISA)
#  define NN_ISA_BEGIN inline namespace NN_ISA {
#  define NN_ISA_END }
#else
#  define NN_ISA_BEGIN
#  define NN_ISA_END
#endif

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

namespace nn {
NN_ISA_BEGIN
namespace detail {
NN_HD inline double log(double x) { return NN_LIBM(log, x); }
NN_HD inline double cos(double x) { return NN_LIBM(cos, x); }
NN_HD inline double sqrt(double x) { return NN_LIBM(sqrt, x); }
NN_HD inline double expm1(double x) { return NN_LIBM(expm1, x); }
// a*b + c rounded once (IEEE fusedMultiplyAdd: the same result on every ISA and backend; one
// instruction where the target has FMA (x86-64-v3 and up, CUDA), else a call to libm's fma,
// which is correctly rounded too).
#if defined(__CUDA_ARCH__) && !defined(__clang__)
NN_HD inline double fma(double a, double b, double c) { return ::fma(a, b, c); }
NN_HD inline float fma(float a, float b, float c) { return ::fmaf(a, b, c); }
#elif defined(_MSC_VER) && !defined(__clang__)
inline double fma(double a, double b, double c) { return std::fma(a, b, c); } // MSVC has no __builtin_fma
inline float fma(float a, float b, float c) { return std::fma(a, b, c); }
#else
NN_HD inline double fma(double a, double b, double c) { return __builtin_fma(a, b, c); }
NN_HD inline float fma(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
#endif
} // namespace detail
NN_ISA_END
} // namespace nn
