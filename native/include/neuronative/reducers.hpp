// Reducers (neuronative.h, nn_reducer_kind): per-neuron accumulators updated while a run goes,
// written once for every backend. Each neuron owns `reducer_slots(kind, capacity)` doubles,
// initialised by reducer_init, updated by reducer_sample / reducer_spike and read by reducer_value.
#pragma once

#include "portable.hpp"

#include <stdint.h>

namespace nn {
NN_ISA_BEGIN

// Values of nn_reducer_kind, repeated so that device code needs no C header.
enum ReducerKind : int32_t {
    REDUCE_SPIKE_COUNT = 0,
    REDUCE_SPIKE_RATE = 1,
    REDUCE_FIRST_SPIKE = 2,
    REDUCE_SPIKE_TIMES = 3,
    REDUCE_MIN = 4,
    REDUCE_MAX = 5,
    REDUCE_MEAN = 6,
    REDUCE_VARIANCE = 7,
    REDUCE_MSE = 8,
    REDUCE_SAMPLES = 9,
};

NN_HD constexpr bool reducer_counts_spikes(int32_t kind) { return kind <= REDUCE_SPIKE_TIMES; }

// Values per neuron a reader gets.
NN_HD constexpr int64_t reducer_width(int32_t kind, int64_t capacity) {
    return kind == REDUCE_SPIKE_TIMES || kind == REDUCE_SAMPLES ? capacity : 1;
}

// Accumulator doubles per neuron.
NN_HD constexpr int64_t reducer_slots(int32_t kind, int64_t capacity) {
    switch (kind) {
    case REDUCE_SPIKE_TIMES: return 1 + capacity; // count, times
    case REDUCE_MEAN:
    case REDUCE_VARIANCE: return 3;               // samples, mean, sum of squared deviations
    case REDUCE_MSE: return 2;                    // samples, sum of squared errors
    case REDUCE_SAMPLES: return capacity;
    default: return 1;
    }
}

NN_HD inline double reducer_nan() { return __builtin_nan(""); }

NN_HD inline void reducer_init(int32_t kind, int64_t capacity, double* acc) {
    const int64_t slots = reducer_slots(kind, capacity);
    const bool nan = kind == REDUCE_FIRST_SPIKE || kind == REDUCE_MIN || kind == REDUCE_MAX || kind == REDUCE_SAMPLES;
    for (int64_t j = 0; j < slots; ++j) acc[j] = nan ? reducer_nan() : 0.0;
    if (kind == REDUCE_SPIKE_TIMES)
        for (int64_t j = 1; j < slots; ++j) acc[j] = reducer_nan();
}

// A spike at time t inside the window.
NN_HD inline void reducer_spike(int32_t kind, int64_t capacity, double* acc, double t) {
    switch (kind) {
    case REDUCE_SPIKE_COUNT:
    case REDUCE_SPIKE_RATE: acc[0] += 1.0; break;
    case REDUCE_FIRST_SPIKE:
        if (acc[0] != acc[0]) acc[0] = t;
        break;
    case REDUCE_SPIKE_TIMES:
        if (acc[0] < static_cast<double>(capacity)) acc[1 + static_cast<int64_t>(acc[0])] = t;
        acc[0] += 1.0;
        break;
    default: break;
    }
}

// Sample number j (0, 1, ...) of the window: the variable's value x, and the target (MSE only).
NN_HD inline void reducer_sample(int32_t kind, int64_t capacity, double* acc, int64_t j, double x, double target) {
    switch (kind) {
    case REDUCE_MIN:
        if (!(acc[0] <= x)) acc[0] = x; // the first sample replaces the NaN
        break;
    case REDUCE_MAX:
        if (!(acc[0] >= x)) acc[0] = x;
        break;
    case REDUCE_MEAN:
    case REDUCE_VARIANCE: { // Welford
        acc[0] += 1.0;
        const double d = x - acc[1];
        acc[1] += d / acc[0];
        acc[2] += d * (x - acc[1]);
        break;
    }
    case REDUCE_MSE:
        if (target == target) {
            const double e = x - target;
            acc[0] += 1.0;
            acc[1] += e * e;
        }
        break;
    case REDUCE_SAMPLES:
        if (j < capacity) acc[j] = x;
        break;
    default: break;
    }
}

// The reduced value(s) into out (reducer_width values); window_seconds: the part of the window run so far.
NN_HD inline void reducer_value(int32_t kind, int64_t capacity, const double* acc, double window_seconds, double* out) {
    switch (kind) {
    case REDUCE_SPIKE_RATE: out[0] = window_seconds > 0.0 ? acc[0] / window_seconds : reducer_nan(); break;
    case REDUCE_SPIKE_TIMES:
        for (int64_t j = 0; j < capacity; ++j) out[j] = acc[1 + j];
        break;
    case REDUCE_MEAN: out[0] = acc[0] > 0.0 ? acc[1] : reducer_nan(); break;
    case REDUCE_VARIANCE: out[0] = acc[0] > 0.0 ? acc[2] / acc[0] : reducer_nan(); break;
    case REDUCE_MSE: out[0] = acc[0] > 0.0 ? acc[1] / acc[0] : reducer_nan(); break;
    case REDUCE_SAMPLES:
        for (int64_t j = 0; j < capacity; ++j) out[j] = acc[j];
        break;
    default: out[0] = acc[0]; break;
    }
}

NN_ISA_END
} // namespace nn
