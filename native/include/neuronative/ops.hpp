// Scalar semantics of the operations that are more than one C++ operator or libm call. The
// interpreter's kernels and generated C++ both call these, so that every backend rounds alike.
#pragma once

#include "kernel_abi.h"
#include "portable.hpp"

#include <cmath>
#include <limits>

namespace nn {
NN_ISA_BEGIN

// Python's modulo: the result has the sign of b.
inline double py_mod(double a, double b) {
    double r = std::fmod(a, b);
    if (r != 0.0) {
        if ((r < 0.0) != (b < 0.0)) r += b;
    } else {
        r = std::copysign(0.0, b);
    }
    return r;
}

// -1, 0, +1 (0 for +-0, NaN for NaN).
inline double sign(double a) { return a > 0.0 ? 1.0 : (a < 0.0 ? -1.0 : (a == a ? 0.0 : a)); }

// TimedArray lookup (docs/brian2-semantics.md §5); an out-of-range column or a NaN time gives NaN.
inline double timed_array(const nn_kernel_input& in, double t, double column) {
    const double col = std::trunc(column);
    const double pos = std::trunc((t / in.epsilon + 0.5) / in.k);
    if (!(col >= 0.0 && col < static_cast<double>(in.n_columns)) || pos != pos)
        return std::numeric_limits<double>::quiet_NaN();
    const double last = static_cast<double>(in.n_times - 1);
    const double row = pos < 0.0 ? 0.0 : (pos > last ? last : pos);
    return in.values[static_cast<int64_t>(row) * in.n_columns + static_cast<int64_t>(col)];
}

NN_ISA_END
} // namespace nn
