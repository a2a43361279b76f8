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

#if defined(__CUDA_ARCH__) && defined(__clang__)
// clang device code: call libdevice directly, so the templates also compile under -nocudainc.
extern "C" NN_DEVICE double __nv_log(double);
extern "C" NN_DEVICE double __nv_cos(double);
extern "C" NN_DEVICE double __nv_sqrt(double);
extern "C" NN_DEVICE double __nv_expm1(double);
#elif !defined(__CUDA_ARCH__)
#  include <cmath>
#endif

namespace nn::detail {
// libm functions the templates need besides nn::exp (CUDA: libdevice / CUDA math API).
NN_HD inline double log(double x) {
#if defined(__CUDA_ARCH__) && defined(__clang__)
    return __nv_log(x);
#elif defined(__CUDA_ARCH__)
    return ::log(x);
#else
    return std::log(x);
#endif
}
NN_HD inline double cos(double x) {
#if defined(__CUDA_ARCH__) && defined(__clang__)
    return __nv_cos(x);
#elif defined(__CUDA_ARCH__)
    return ::cos(x);
#else
    return std::cos(x);
#endif
}
NN_HD inline double sqrt(double x) {
#if defined(__CUDA_ARCH__) && defined(__clang__)
    return __nv_sqrt(x);
#elif defined(__CUDA_ARCH__)
    return ::sqrt(x);
#else
    return std::sqrt(x);
#endif
}
NN_HD inline double expm1(double x) {
#if defined(__CUDA_ARCH__) && defined(__clang__)
    return __nv_expm1(x);
#elif defined(__CUDA_ARCH__)
    return ::expm1(x);
#else
    return std::expm1(x);
#endif
}
} // namespace nn::detail
