// The step schedule (neuronative.h, nn_model_desc): what happens to a block of lanes in step k,
// written once for every backend — the CPU loop runs it per block of neurons (n lanes, loops
// vectorise), a CUDA kernel per thread (n = 1).
//
// The backend supplies a Kernel (the model's sections, kernel_abi.h) and Hooks (where samples,
// spikes and events go):
//   void kernel.refractory(const nn_kernel_block*), integrate, threshold
//   void kernel.statements(const nn_kernel_block*, int32_t section, int32_t lane) // -1: reset
//   void kernel.operation(const nn_kernel_block*, int32_t operation)             // on every lane
//   void hooks.sample(const nn_kernel_block&, int32_t slot, int32_t op) // monitors, reducers placed in
//                                                 // slot after operations [0, op) (every point is offered)
//   void hooks.spike(int lane)                    // lane spiked in step k (after lastspike is set)
//   void hooks.events(nn_kernel_block&)           // runs the scheduled events of step k
#pragma once

#include "kernel_abi.h"
#include "portable.hpp"

#include <stdint.h>

namespace nn {
NN_ISA_BEGIN

// nn_refractory_kind, repeated so that device code needs no C header.
enum Refractory : int32_t { REFRACTORY_NONE = 0, REFRACTORY_DURATION = 1, REFRACTORY_CONDITION = 2, REFRACTORY_UNIFORM_DURATION = 3 };

// nn_slot, repeated so that device code needs no C header.
enum Slot : int32_t { SLOT_UPDATE = 0, SLOT_THRESHOLD = 1, SLOT_EVENTS = 2, SLOT_RESET = 3, SLOT_END = 4 };

// An operation (nn_operation) as the schedule runs it: in its slot, on the steps k % every == 0.
struct Operation {
    int32_t slot;
    int64_t every;
};

// What the schedule needs to know of a model.
struct ScheduleModel {
    int32_t n_state;
    int32_t refractory; // Refractory
    bool has_threshold;
    bool has_reset;
    const Operation* operations = nullptr; // in the order they run, slots non-decreasing
    int32_t n_operations = 0;
};

// The operations of one slot, from `op` on, with the samples offered before and after each.
template <class Kernel, class Hooks>
NN_HD inline void run_slot(const ScheduleModel& m, Kernel& kernel, Hooks& hooks, nn_kernel_block& b, int32_t slot,
                           int32_t& op) {
    for (;; ++op) {
        hooks.sample(b, slot, op);
        if (op >= m.n_operations || m.operations[op].slot != slot) return;
        if (b.step % m.operations[op].every == 0) kernel.operation(&b, op);
    }
}

// The first non-finite value a step produced: lane < 0 when there was none.
struct StepFailure {
    int32_t lane = -1, var = 0;
    double value = 0.0;
};

// not_refractory[i] = timestep(t - lastspike[i]) >= timestep(duration[i]), Brian's
// timestep(x, dt) = (int64)((x + 1e-3 dt)/dt) compared in double (no overflow for huge or infinite
// durations; equal to the int64 comparison wherever that is defined). g++ vectorises trunc only
// without -ftrapping-math (which changes no value, only whether FP exceptions may be raised
// speculatively); scalar, the two divisions per lane dominate cheap models.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-trapping-math"), noinline))
#endif
NN_HD inline void refractory_duration(double* NN_RESTRICT nr, const double* NN_RESTRICT lastspike,
                                      const double* NN_RESTRICT duration, int n, double t, double dt) {
    const double e = 1e-3 * dt;
    for (int i = 0; i < n; ++i) {
        const double a = __builtin_trunc((t - lastspike[i] + e) / dt), b = __builtin_trunc((duration[i] + e) / dt);
        nr[i] = a >= b ? 1.0 : 0.0;
    }
}

// With a duration d the same in every lane, timestep(t - lastspike) >= timestep(d) is a monotone
// predicate of x = t - lastspike + 1e-3 dt (the double the division would see): it holds exactly for
// x >= x0, where x0 is found once per duration by bisection over the doubles with the very same
// division. The per-lane test is then one comparison, with the results of the division form.
struct RefractoryThreshold {
    double duration = 0.0, x0 = 0.0;
    bool known = false;

    NN_HD double at(double d, double dt) {
        if (known && __builtin_bit_cast(uint64_t, d) == __builtin_bit_cast(uint64_t, duration)) return x0;
        known = true;
        duration = d;
        const double e = 1e-3 * dt, b = __builtin_trunc((d + e) / dt);
        auto holds = [&](double x) { return __builtin_trunc(x / dt) >= b; };
        if (b != b) return x0 = b;                                // NaN: never
        if (b > 1.7976931348623157e308 || b < -1.7976931348623157e308) return x0 = b; // +inf: only x = inf
        double lo = (b - 2.0) * dt, hi = (b + 1.0) * dt;
        while (holds(lo)) lo -= (lo < 0 ? -lo : lo) + dt;
        while (!holds(hi)) hi += (hi < 0 ? -hi : hi) + dt;
        // Bisect on the doubles' ordering (the bits of non-negative doubles order like integers;
        // negative ones are mapped below them).
        auto key = [](double x) {
            const int64_t k = __builtin_bit_cast(int64_t, x);
            return k < 0 ? INT64_MIN - k : k;
        };
        auto from_key = [](int64_t k) { return __builtin_bit_cast(double, k < 0 ? INT64_MIN - k : k); };
        int64_t klo = key(lo), khi = key(hi);
        while (khi - klo > 1) {
            const int64_t mid = klo + static_cast<int64_t>((static_cast<uint64_t>(khi) - static_cast<uint64_t>(klo)) / 2);
            (holds(from_key(mid)) ? khi : klo) = mid;
        }
        return x0 = from_key(khi);
    }
};

// What the schedule keeps between steps of a block.
struct StepCache {
    RefractoryThreshold refractory;
};

// Step k of a block: b.step/t are set here; b.state, params, out... are the block's. nr and
// lastspike are the block's writable not_refractory and lastspike (b reads them too).
// spiking holds up to MaxLanes lane numbers. Returns false, with `failure` set, when the update made
// a state variable NaN or infinite (then nothing after the update ran; the step is not complete).
// NState: m.n_state as a compile-time constant where the caller has it (the GPU kernel: its loops unroll and the
// thread's state stays in registers); -1: read m.n_state.
template <int MaxLanes, class Kernel, class Hooks, int32_t NState = -1>
NN_HD inline bool schedule_step(const ScheduleModel& m, Kernel& kernel, Hooks& hooks, nn_kernel_block& b, double* nr,
                                double* lastspike, int64_t k, StepCache& cache, StepFailure& failure) {
    const int n = b.n;
    const int32_t n_state = NState >= 0 ? NState : m.n_state;
    const double t = static_cast<double>(k) * b.dt;
    b.step = k;
    b.t = t;
    b.event_value = 0.0;
    int32_t op = 0;
    run_slot(m, kernel, hooks, b, SLOT_UPDATE, op);

    const double* const out = b.out;
    if (m.refractory != REFRACTORY_NONE) {
        kernel.refractory(&b);
        if (m.refractory == REFRACTORY_DURATION) {
            refractory_duration(nr, lastspike, out, n, t, b.dt);
        } else if (m.refractory == REFRACTORY_UNIFORM_DURATION) {
            const double x0 = cache.refractory.at(out[0], b.dt), e = 1e-3 * b.dt;
            for (int i = 0; i < n; ++i) nr[i] = t - lastspike[i] + e >= x0 ? 1.0 : 0.0;
        } else {
            for (int i = 0; i < n; ++i) nr[i] = ((nr[i] != 0.0) | (out[i] == 0.0)) ? 1.0 : 0.0;
        }
    }

    kernel.integrate(&b);

    // Non-finite check as an integer OR over the exponent bits (vectorises; a bool reduction over
    // comparisons does not): all ones in the exponent is +-inf or NaN.
    uint64_t bad = 0;
    NN_UNROLL
    for (int32_t v = 0; v < n_state; ++v) {
        const double* NN_RESTRICT x = b.state + v * b.stride;
        for (int i = 0; i < n; ++i) {
            const uint64_t e = __builtin_bit_cast(uint64_t, x[i]) & 0x7ff0000000000000ull;
            bad |= e == 0x7ff0000000000000ull ? 1u : 0u;
        }
    }
    if (bad != 0) { // the lowest lane, then the first variable
        for (int i = 0; i < n; ++i)
            NN_UNROLL
            for (int32_t v = 0; v < n_state; ++v) {
                const double x = b.state[v * b.stride + i];
                if (__builtin_fabs(x) <= 1.7976931348623157e308) continue;
                failure.lane = i;
                failure.var = v;
                failure.value = x;
                return false;
            }
    }

    run_slot(m, kernel, hooks, b, SLOT_THRESHOLD, op);
    int spiking[MaxLanes];
    int n_spiking = 0;
    if (m.has_threshold) {
        kernel.threshold(&b);
        const bool refractory = m.refractory != REFRACTORY_NONE;
        // Count the spiking lanes first (vectorises); most blocks have none in a step.
        int32_t spikes = 0;
        if (refractory)
            for (int i = 0; i < n; ++i) spikes += (out[i] != 0.0) & (nr[i] != 0.0);
        else
            for (int i = 0; i < n; ++i) spikes += out[i] != 0.0;
        for (int i = 0; spikes > 0 && i < n; ++i) {
            if (out[i] == 0.0 || (refractory && nr[i] == 0.0)) continue;
            spiking[n_spiking++] = i;
            lastspike[i] = t;
            if (refractory) nr[i] = 0.0;
            hooks.spike(i);
            --spikes;
        }
    }
    run_slot(m, kernel, hooks, b, SLOT_EVENTS, op);
    hooks.events(b);
    b.event_value = 0.0;
    run_slot(m, kernel, hooks, b, SLOT_RESET, op);
    if (m.has_reset)
        NN_UNROLL
        for (int s = 0; s < n_spiking; ++s) kernel.statements(&b, -1, spiking[s]);
    run_slot(m, kernel, hooks, b, SLOT_END, op);
    return true;
}

NN_ISA_END
} // namespace nn
