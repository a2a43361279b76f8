/*
 * kernel_abi.h — the model kernel interface: what one block of lanes (neurons) needs from a model
 * in every step. The bytecode interpreter implements it inside libneuronative; a compiled kernel
 * (generated C++, built at run time) exports it from its own shared library:
 *
 *   int32_t     nn_kernel_abi_version(void);   must return NN_KERNEL_ABI_VERSION
 *   const char* nn_kernel_model_hash(void);    the hash the library was generated for
 *   void nn_kernel_integrate(const nn_kernel_block*);  state t_k -> t_k+1 (the integrator step)
 *   void nn_kernel_threshold(const nn_kernel_block*);  out[i] = threshold condition
 *   void nn_kernel_refractory(const nn_kernel_block*); out[i] = refractory expression
 *   void nn_kernel_observables(const nn_kernel_block*); out[j*out_stride + i] = observable j
 *   void nn_kernel_statements(const nn_kernel_block*, int32_t section, int32_t lane);
 *        section -1: reset, e >= 0: event e; on one lane
 *   void nn_kernel_operation(const nn_kernel_block*, int32_t operation);  operation's statements on every lane
 *
 * Sections a model does not have are never called. Semantics as in neuronative.h (nn_model_desc).
 * NN_KERNEL_ABI_VERSION bumps with every change of this file.
 */
#ifndef NEURONATIVE_KERNEL_ABI_H
#define NEURONATIVE_KERNEL_ABI_H

#include <stdint.h>

#define NN_KERNEL_ABI_VERSION 3

/* What a kernel library puts before each exported function. */
#if defined(_WIN32)
#  define NN_KERNEL_EXPORT __declspec(dllexport)
#else
#  define NN_KERNEL_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* A TimedArray (docs/brian2-semantics.md §5) as the kernels read it: values[n_times][n_columns]. */
typedef struct nn_kernel_input {
    const double* values;
    int64_t n_times, n_columns;
    double epsilon; /* dt_input / k */
    double k;       /* upsampling factor */
} nn_kernel_input;

/* One block of n lanes at step k. Arrays point at the block's first lane. */
typedef struct nn_kernel_block {
    double* state;                 /* variable v of lane i at state[v*stride + i] */
    double* params;                /* parameter p of lane i at params[p*stride + i] */
    int64_t stride;
    const double* index;           /* neuron index of each lane, as double */
    const double* lastspike;
    const double* not_refractory;  /* 0.0 / 1.0 */
    const double* refractory_mask; /* not_refractory where the model has unless-refractory variables, else NULL */
    double* out;                   /* threshold and refractory results: out[i]; observables: out[j*out_stride + i] */
    int64_t out_stride;
    double* workspace;             /* nn::workspace_doubles(method, ..., n) doubles */
    const nn_kernel_input* inputs;
    void* context;                 /* the implementation's per-thread data (interpreter: its frame) */
    uint64_t seed;
    int64_t first_neuron;          /* global index of lane 0 */
    int64_t step;                  /* k */
    double t;                      /* t_k = k*dt */
    double dt;
    double n_neurons;
    double event_value;            /* the value of the event being applied, else 0 */
    int32_t n;                     /* lanes */
    int32_t reserved;
} nn_kernel_block;

typedef int32_t (*nn_kernel_abi_version_fn)(void);
typedef const char* (*nn_kernel_model_hash_fn)(void);
typedef void (*nn_kernel_block_fn)(const nn_kernel_block* block);
typedef void (*nn_kernel_statements_fn)(const nn_kernel_block* block, int32_t section, int32_t lane);
typedef void (*nn_kernel_operation_fn)(const nn_kernel_block* block, int32_t operation);

#ifdef __cplusplus
}
#endif

#endif /* NEURONATIVE_KERNEL_ABI_H */
