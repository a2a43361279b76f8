// The GPU backend's fused kernel (docs/gpu.md): one thread per neuron runs steps [k0, k1) of the
// shared step schedule (schedule.hpp) with its state, parameters, lastspike and not_refractory in
// registers, counts its spikes, appends them to a device event buffer and samples traces. Written
// once for three compilations: clang's CUDA device code without the CUDA headers (-nocudainc, the
// CI's PTX check), NVRTC at run time, and host C++ with NN_GPU_EMULATION (a loop over the threads:
// how the kernel and the host's event-buffer logic are tested on machines without a GPU).
#pragma once

#include "kernel.hpp"
#include "portable.hpp"
#include "reducers.hpp"
#include "schedule.hpp"

#include <stdint.h>

// The few device declarations the kernel needs, so that it compiles without the CUDA headers.
#if defined(__CUDA_ARCH__) && defined(__clang__)
#  define NN_GLOBAL extern "C" __attribute__((global))
#elif defined(__CUDA_ARCH__) || defined(__CUDACC_RTC__)
#  define NN_GLOBAL extern "C" __global__
#else
#  define NN_GLOBAL extern "C" NN_KERNEL_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* A reducer on the device (reducers.hpp, as the CPU's nn_reducer_desc): spikes (var < 0) or state variable var
 * sampled where monitors sample, every `every` steps of [start, end); acc[i*slots ...] accumulates, value[i*width ...]
 * is written at the end of each launch (nn::reducer_value over the part of the window run so far). */
typedef struct nn_gpu_reducer {
    int32_t kind, var;
    int64_t capacity, slots, width, start, end, every;
    double* acc;
    double* value;
    const double* target;            /* REDUCE_MSE: [target_rows][target_samples]; neuron i uses row (first_neuron+i) % rows */
    int64_t target_rows, target_samples;
} nn_gpu_reducer;

/* What one launch of the fused kernel reads and writes (device pointers), laid out as C#'s GpuArgs.
 * Arrays of neurons are [row][n]: state variable v of neuron i at state[v*n + i]. */
typedef struct nn_gpu_args {
    double* state;                   /* [n_state][n], updated */
    const double* params;            /* [n_params][n] */
    double* lastspike;               /* [n], updated */
    double* not_refractory;          /* [n], updated */
    const nn_kernel_input* inputs;   /* the model's TimedArrays, values in device memory */
    const nn::Operation* operations; /* run_regularly operations in schedule order */
    int64_t* spike_count;            /* [n], incremented */
    int64_t* event_neuron;           /* [event_capacity]: neuron of each appended spike */
    int64_t* event_step;             /* [event_capacity]: its step */
    unsigned long long* event_count; /* spikes appended this launch; > event_capacity: the buffer overflowed */
    double* trace;                   /* [sample][n_state][n_traced], the state at the start of steps k % trace_every == 0 */
    const int64_t* trace_column;     /* [n]: the neuron's column in trace, or -1 */
    double* failure;                 /* [n][3]: step, variable, value of a non-finite update (step NaN: none) */
    const nn_gpu_reducer* reducers;  /* [n_reducers] */
    int64_t n;                       /* threads (neurons) of this launch */
    int64_t first_neuron;            /* global index of neuron 0 (random numbers, i) */
    int64_t event_capacity;
    int64_t trace_every;             /* 0: no traces */
    int64_t n_traced;
    int64_t k0, k1;                  /* steps of this launch */
    uint64_t seed;
    double dt;
    double n_neurons;                /* N */
    int32_t n_operations;
    int32_t n_reducers;
    int32_t sample_after;            /* monitors and reducers sample in slot 0 after this many operations */
    int32_t init_reducers_from;      /* reducers from this index on are new: initialised (reducer_init) first */
} nn_gpu_args;

#ifdef __cplusplus
}
#endif

#if !defined(__CUDACC_RTC__)
// Mirrored by C#'s GpuArgs (GpuDevice.cs), whose test checks the same numbers.
static_assert(sizeof(nn_gpu_args) == 208 && __builtin_offsetof(nn_gpu_args, n) == 112 &&
                  __builtin_offsetof(nn_gpu_args, k0) == 152 && __builtin_offsetof(nn_gpu_args, seed) == 168 &&
                  __builtin_offsetof(nn_gpu_args, n_operations) == 192 && sizeof(nn_gpu_reducer) == 96 &&
                  __builtin_offsetof(nn_gpu_reducer, acc) == 56,
              "nn_gpu_args changed: change GpuArgs with it");
#endif

namespace nn {
NN_ISA_BEGIN
namespace gpu {

#if defined(NN_GPU_EMULATION)
inline thread_local int64_t emulated_thread = 0;
#endif

// blockIdx.x * blockDim.x + threadIdx.x.
NN_DEVICE inline int64_t thread_index() {
#if defined(__CUDA_ARCH__) && defined(__clang__)
    return static_cast<int64_t>(__nvvm_read_ptx_sreg_ctaid_x()) * __nvvm_read_ptx_sreg_ntid_x() + __nvvm_read_ptx_sreg_tid_x();
#elif defined(__CUDA_ARCH__)
    return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
#elif defined(NN_GPU_EMULATION)
    return emulated_thread;
#else
    return 0;
#endif
}

// The old value of *p, p incremented by one atomically.
NN_DEVICE inline unsigned long long fetch_increment(unsigned long long* p) {
#if defined(__CUDA_ARCH__) && defined(__clang__)
    return static_cast<unsigned long long>(__nvvm_atom_add_gen_ll(reinterpret_cast<long long*>(p), 1ll));
#elif defined(__CUDA_ARCH__)
    return atomicAdd(p, 1ull);
#else
    return __atomic_fetch_add(p, 1ull, __ATOMIC_RELAXED);
#endif
}

// A spike of neuron i in step k into the launch's event buffer. Past the capacity only the count
// grows: the host sees the overflow and runs the launch again from its start with a buffer that
// fits (the kernel is deterministic), so no spike is lost.
NN_DEVICE inline void append_spike(const nn_gpu_args& a, int64_t i, int64_t k) {
    const unsigned long long slot = fetch_increment(a.event_count);
    if (slot < static_cast<unsigned long long>(a.event_capacity)) {
        a.event_neuron[slot] = a.first_neuron + i;
        a.event_step[slot] = k;
    }
}

// The schedule's hooks for one thread: traces and variable reducers where monitors sample (slot 0 after
// sample_after operations: Brian's when='start'), spikes counted, appended and reduced. NState is a constant,
// so that the state stays in registers.
template <int32_t NState>
struct Hooks {
    const nn_gpu_args& a;
    int64_t i, column;
    int64_t step = 0, spikes = 0;
    NN_DEVICE void sample(const nn_kernel_block& b, int32_t slot, int32_t op) {
        if (slot != SLOT_UPDATE || op != a.sample_after) return;
        const int64_t k = b.step;
        for (int32_t r = 0; r < a.n_reducers; ++r) {
            const nn_gpu_reducer& d = a.reducers[r];
            if (d.var < 0 || k < d.start || k >= d.end || (k - d.start) % d.every != 0) continue;
            const int64_t j = (k - d.start) / d.every;
            const double target = d.kind == REDUCE_MSE ? d.target[((b.first_neuron) % d.target_rows) * d.target_samples + j] : 0.0;
            double x = 0.0; // b.state[d.var], by constant indices (an index known only at run time would move the state to local memory)
            NN_UNROLL
            for (int32_t v = 0; v < NState; ++v) x = v == d.var ? b.state[v] : x;
            reducer_sample(d.kind, d.capacity, d.acc + i * d.slots, j, x, target);
        }
        if (column < 0 || k % a.trace_every != 0) return;
        const int64_t s = k / a.trace_every - (a.k0 + a.trace_every - 1) / a.trace_every;
        NN_UNROLL
        for (int32_t v = 0; v < NState; ++v) a.trace[(s * NState + v) * a.n_traced + column] = b.state[v];
    }
    NN_DEVICE void spike(int) {
        ++spikes;
        append_spike(a, i, step);
        for (int32_t r = 0; r < a.n_reducers; ++r) {
            const nn_gpu_reducer& d = a.reducers[r];
            if (d.var < 0 && step >= d.start && step < d.end)
                reducer_spike(d.kind, d.capacity, d.acc + i * d.slots, static_cast<double>(step) * a.dt);
        }
    }
    NN_DEVICE void events(nn_kernel_block&) {}
};

// Thread i's part of the launch. Model: the generated sections (refractory, integrate, threshold,
// statements, operation) and its sizes as constants.
template <class Model>
NN_DEVICE inline void run_thread(const nn_gpu_args& a, int64_t i) {
    if (i >= a.n) return;
    for (int32_t r = a.init_reducers_from; r < a.n_reducers; ++r)
        reducer_init(a.reducers[r].kind, a.reducers[r].capacity, a.reducers[r].acc + i * a.reducers[r].slots);
    constexpr int32_t ns = Model::kStates, np = Model::kParams;
    double x[ns > 0 ? ns : 1], p[np > 0 ? np : 1], out[1], ws[Model::kWorkspace > 0 ? Model::kWorkspace : 1];
    NN_UNROLL
    for (int32_t v = 0; v < ns; ++v) x[v] = a.state[v * a.n + i];
    NN_UNROLL
    for (int32_t q = 0; q < np; ++q) p[q] = a.params[q * a.n + i];
    double index = static_cast<double>(a.first_neuron + i), lastspike = a.lastspike[i], nr = a.not_refractory[i];
    nn_kernel_block b{};
    b.state = x;
    b.params = p;
    b.stride = 1;
    b.index = &index;
    b.lastspike = &lastspike;
    b.not_refractory = &nr;
    b.refractory_mask = Model::kRefractoryMask ? &nr : nullptr;
    b.out = out;
    b.out_stride = 1;
    b.workspace = ws;
    b.inputs = a.inputs;
    b.seed = a.seed;
    b.first_neuron = a.first_neuron + i;
    b.dt = a.dt;
    b.n_neurons = a.n_neurons;
    b.n = 1;
    Model model{};
    Hooks<ns> hooks{a, i, a.trace_every > 0 ? a.trace_column[i] : -1};
    const ScheduleModel m{ns, Model::kRefractory, Model::kThreshold, Model::kReset, a.operations, a.n_operations};
    StepCache cache;
    StepFailure failure;
    for (int64_t k = a.k0; k < a.k1; ++k) {
        hooks.step = k;
        if (schedule_step<1, Model, Hooks<ns>, ns>(m, model, hooks, b, &nr, &lastspike, k, cache, failure)) continue;
        a.failure[3 * i] = static_cast<double>(k);
        a.failure[3 * i + 1] = failure.var;
        a.failure[3 * i + 2] = failure.value;
        break;
    }
    NN_UNROLL
    for (int32_t v = 0; v < ns; ++v) a.state[v * a.n + i] = x[v];
    a.lastspike[i] = lastspike;
    a.not_refractory[i] = nr;
    a.spike_count[i] += hooks.spikes;
    for (int32_t r = 0; r < a.n_reducers; ++r) {
        const nn_gpu_reducer& d = a.reducers[r];
        const int64_t done = (a.k1 < d.end ? a.k1 : d.end) - d.start;
        reducer_value(d.kind, d.capacity, d.acc + i * d.slots, static_cast<double>(done > 0 ? done : 0) * a.dt, d.value + i * d.width);
    }
}

} // namespace gpu
NN_ISA_END
} // namespace nn
