// Scalar semantics of the operations that are more than one C++ operator or libm call. The
// interpreter's kernels, generated C++ and generated CUDA all call these, so that every backend rounds alike.
#pragma once

#include "kernel_abi.h"
#include "libm.hpp"
#include "portable.hpp"

namespace nn {
NN_ISA_BEGIN

// Python's modulo: the result has the sign of b.
NN_HD inline double py_mod(double a, double b) {
    double r = libm::fmod(a, b);
    if (r != 0.0) {
        if ((r < 0.0) != (b < 0.0)) r += b;
    } else {
        r = libm::copysign(0.0, b);
    }
    return r;
}

// -1, 0, +1 (0 for +-0, NaN for NaN).
NN_HD inline double sign(double a) { return a > 0.0 ? 1.0 : (a < 0.0 ? -1.0 : (a == a ? 0.0 : a)); }

// TimedArray lookup (docs/brian2-semantics.md §5); an out-of-range column or a NaN time gives NaN.
NN_HD inline double timed_array(const nn_kernel_input& in, double t, double column) {
    const double col = libm::trunc(column);
    const double pos = libm::trunc((t / in.epsilon + 0.5) / in.k);
    if (!(col >= 0.0 && col < static_cast<double>(in.n_columns)) || pos != pos)
        return __builtin_nan("");
    const double last = static_cast<double>(in.n_times - 1);
    const double row = pos < 0.0 ? 0.0 : (pos > last ? last : pos);
    return in.values[static_cast<int64_t>(row) * in.n_columns + static_cast<int64_t>(col)];
}

NN_ISA_END
} // namespace nn
