// The libm functions the model language calls (sin, log, pow, ...) for every backend, in double and
// in float: the host's <cmath>, libdevice (__nv_*) in clang's CUDA device code (which compiles
// without the CUDA headers, -nocudainc), the CUDA math API under NVRTC/nvcc. Unlike nn::exp, these
// are not part of the bit-identical numerics: libdevice and glibc may differ in the last bit
// (docs/gpu.md).
#pragma once

#include "portable.hpp"

#if !defined(__CUDA_ARCH__)
#  include <cmath>
#endif

namespace nn {
NN_ISA_BEGIN
namespace libm {

#if defined(__CUDA_ARCH__) && defined(__clang__)
#  define NN_LIBM_UNARY(name, nv)                                                                  \
      extern "C" NN_DEVICE double __nv_##nv(double);                                               \
      extern "C" NN_DEVICE float __nv_##nv##f(float);                                              \
      NN_HD inline double name(double x) { return __nv_##nv(x); }                                  \
      NN_HD inline float name(float x) { return __nv_##nv##f(x); }
#  define NN_LIBM_BINARY(name, nv)                                                                 \
      extern "C" NN_DEVICE double __nv_##nv(double, double);                                       \
      extern "C" NN_DEVICE float __nv_##nv##f(float, float);                                       \
      NN_HD inline double name(double x, double y) { return __nv_##nv(x, y); }                     \
      NN_HD inline float name(float x, float y) { return __nv_##nv##f(x, y); }
#elif defined(__CUDA_ARCH__)
#  define NN_LIBM_UNARY(name, nv)                                                                  \
      NN_HD inline double name(double x) { return ::nv(x); }                                       \
      NN_HD inline float name(float x) { return ::nv##f(x); }
#  define NN_LIBM_BINARY(name, nv)                                                                 \
      NN_HD inline double name(double x, double y) { return ::nv(x, y); }                          \
      NN_HD inline float name(float x, float y) { return ::nv##f(x, y); }
#else
#  define NN_LIBM_UNARY(name, nv)                                                                  \
      inline double name(double x) { return std::nv(x); }                                          \
      inline float name(float x) { return std::nv(x); }
#  define NN_LIBM_BINARY(name, nv)                                                                 \
      inline double name(double x, double y) { return std::nv(x, y); }                            \
      inline float name(float x, float y) { return std::nv(x, y); }
#endif

NN_LIBM_UNARY(log, log)
NN_LIBM_UNARY(log10, log10)
NN_LIBM_UNARY(log1p, log1p)
NN_LIBM_UNARY(sqrt, sqrt)
NN_LIBM_UNARY(sin, sin)
NN_LIBM_UNARY(cos, cos)
NN_LIBM_UNARY(tan, tan)
NN_LIBM_UNARY(sinh, sinh)
NN_LIBM_UNARY(cosh, cosh)
NN_LIBM_UNARY(tanh, tanh)
NN_LIBM_UNARY(asin, asin)
NN_LIBM_UNARY(acos, acos)
NN_LIBM_UNARY(atan, atan)
NN_LIBM_UNARY(fabs, fabs)
NN_LIBM_UNARY(floor, floor)
NN_LIBM_UNARY(ceil, ceil)
NN_LIBM_UNARY(trunc, trunc)
NN_LIBM_BINARY(pow, pow)
NN_LIBM_BINARY(fmod, fmod)
NN_LIBM_BINARY(copysign, copysign)

#undef NN_LIBM_UNARY
#undef NN_LIBM_BINARY

} // namespace libm
NN_ISA_END
} // namespace nn
