/*
 * neuronative.h — the C ABI of the NeuroNative native core.
 *
 * Rules:
 * - Opaque, typed handles; every fallible call returns an nn_status; out-pointers come last.
 * - No C++ exception, abort or signal ever crosses this boundary. On failure the calling thread's
 *   last-error message (nn_last_error_message) says what went wrong, naming the argument.
 * - Ownership is explicit: *_create gives the caller a handle it must pass to *_destroy (NULL-safe).
 * - Arrays are passed as (pointer, count); the count is always checked against what is expected.
 * - All quantities are SI doubles (seconds, volts, amperes, ...).
 * - Signature changes get a new _v2 function; NN_ABI_VERSION bumps with every change of this file.
 *
 * The C# declarations in bindings/Generated are generated from this file (bindings/generate.sh).
 */
#ifndef NEURONATIVE_H
#define NEURONATIVE_H

#include <stdint.h>

#if defined(_WIN32)
#  if defined(NN_BUILDING_LIBRARY)
#    define NN_API __declspec(dllexport)
#  else
#    define NN_API __declspec(dllimport)
#  endif
#else
#  define NN_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define NN_VERSION_MAJOR 0
#define NN_VERSION_MINOR 1
#define NN_VERSION_PATCH 0
/* major*10000 + minor*100 + patch; nn_version_number() must return the same. */
#define NN_VERSION_NUMBER 100
/* Bumped whenever a declaration in this file changes. */
#define NN_ABI_VERSION 10

typedef int32_t nn_status;

/* Status codes: 0 ok, < 0 error. */
typedef enum nn_status_code {
    NN_OK = 0,
    NN_ERR_INVALID_ARGUMENT = -1, /* a size, index, name or value is out of range */
    NN_ERR_INVALID_HANDLE = -2,   /* NULL or already destroyed handle */
    NN_ERR_OUT_OF_MEMORY = -3,
    NN_ERR_NUMERICAL = -4,        /* a state variable became NaN or infinite */
    NN_ERR_IO = -5,               /* a file could not be read or written */
    NN_ERR_CANCELLED = -6,        /* the progress callback asked to stop */
    NN_ERR_COMPILE = -7,          /* a compiled kernel could not be loaded */
    NN_ERR_INVALID_STATE = -8,    /* the call is not valid now (e.g. a failed simulation) */
    NN_ERR_INTERNAL = -100
} nn_status_code;

/* ---------------------------------------------------------------------------------------------
 * Bytecode. A section is a straight-line program of instructions of 5 int32 each:
 *   { opcode, dst, a, b, c }.
 * dst, a, b and c are operands: (space << 24) | index, except where an opcode says "immediate".
 * Every instruction runs over all lanes (neurons) of a block; comparisons and logic produce 0.0/1.0,
 * and any non-zero value counts as true. Operand fields an opcode does not use must be 0.
 * Functions are those of the C library, except EXP, EXPM1, EXPREL and POWI, which every backend computes
 * with nn::exp, nn::expm1, nn::exprel and nn::powi (include/neuronative/math.hpp) so that their results
 * are bit-identical.
 * ------------------------------------------------------------------------------------------- */
typedef enum nn_space {
    NN_SPACE_TEMP = 0,    /* section temporaries, index < nn_section.n_temps; read/write */
    NN_SPACE_STATE = 1,   /* integrated state variables (see section semantics); read, write in statements */
    NN_SPACE_PARAM = 2,   /* per-neuron parameters and non-integrated variables; read, write in statements */
    NN_SPACE_CONST = 3,   /* model constant pool (nn_model_desc.constants); read only */
    NN_SPACE_SPECIAL = 4, /* nn_special; read only */
    NN_SPACE_OUT = 5      /* section outputs (see section semantics); write, then read */
} nn_space;

typedef enum nn_special {
    NN_SPECIAL_T = 0,              /* time of the evaluation (stage time inside an integrator step) */
    NN_SPECIAL_DT = 1,
    NN_SPECIAL_I = 2,              /* neuron index 0..N-1 */
    NN_SPECIAL_N = 3,              /* number of neurons */
    NN_SPECIAL_LASTSPIKE = 4,      /* time of the last spike (-1e4 s before any) */
    NN_SPECIAL_NOT_REFRACTORY = 5, /* 1.0 or 0.0 */
    NN_SPECIAL_T_IN_TIMESTEPS = 6, /* step index k of the current step */
    NN_SPECIAL_EVENT_VALUE = 7     /* in event sections: the value given with the event, else 0 */
} nn_special;

typedef enum nn_opcode {
    /* Rows, forms, operand roles and semantics: neuronative/opcodes.def. */
#define NN_OPCODE(NAME, VALUE, FORM, ROLES) NN_OP_##NAME = VALUE,
#include "neuronative/opcodes.def"
#undef NN_OPCODE
} nn_opcode;

/* nn_section.flags bits */
typedef enum nn_section_flag {
    NN_SECTION_DEFINED = 1 /* the section exists although it has no instructions: its code is in the compiled
                              kernel library (nn_model_create_compiled only; n_instructions must be 0) */
} nn_section_flag;

typedef struct nn_section {
    const int32_t* code;    /* n_instructions * 5 int32 */
    int32_t n_instructions; /* 0 and no NN_SECTION_DEFINED = the model has no such section */
    int32_t n_temps;
    int32_t n_outputs;      /* must equal what the section kind expects (see nn_model_desc) */
    int32_t flags;          /* nn_section_flag bits */
} nn_section;

/* Integration methods. Coefficients are data (nn_model_desc.rk_*), the step code is shared. */
typedef enum nn_method {
    NN_METHOD_EXPLICIT_RK = 0,       /* Butcher tableau; with noise only 1 stage: Euler–Maruyama */
    NN_METHOD_EXPONENTIAL_EULER = 1, /* x' = -B/A + (x + B/A) exp(A dt) per variable ('exact' of decoupled equations) */
    NN_METHOD_STOCHASTIC_HEUN = 2,   /* Stratonovich Heun (Brian's 'heun') */
    NN_METHOD_MILSTEIN = 3,          /* derivative-free Milstein (Brian's 'milstein'); with several noise
                                        terms both, like Brian, use one support point per term */
    NN_METHOD_LINEAR_SYSTEM = 4      /* dX/dt = M X + c with M, c at t_k: [X'; 1] = expm([M c; 0 0] dt) [X; 1]
                                        per lane ('exact' for coupled systems); n_state <= NN_LINEAR_SYSTEM_MAX_STATES */
} nn_method;

/* Most state variables NN_METHOD_LINEAR_SYSTEM integrates (its matrices have a fixed size). */
#define NN_LINEAR_SYSTEM_MAX_STATES 8

/* nn_model_desc.state_flags bits */
typedef enum nn_state_flag {
    NN_STATE_UNLESS_REFRACTORY = 1, /* derivative x not_refractory, written only when not refractory */
    NN_STATE_LINEAR_A_ZERO = 2,     /* exponential Euler: A is 0 symbolically -> x' = x + dt*B */
    NN_STATE_LINEAR_B_ZERO = 4,     /* exponential Euler: B is 0 symbolically -> x' = x*exp(A*dt) */
    NN_STATE_LINEAR_A_UNIFORM = 8   /* exponential Euler: A is the same in every lane (no per-neuron quantity in
                                       it) -> x' = x*E + B*F, E = exp(A*dt) and F = dt*exprel(A*dt) once per block */
} nn_state_flag;

typedef enum nn_refractory_kind {
    NN_REFRACTORY_NONE = 0,
    NN_REFRACTORY_DURATION = 1,  /* refractory section OUT[0] = duration r in seconds:
                                    not_refractory = TS(t - lastspike) >= TS(r), TS(x) = trunc((x + 1e-3 dt)/dt) */
    NN_REFRACTORY_CONDITION = 2, /* refractory section OUT[0] = c: not_refractory = not_refractory || !c */
    NN_REFRACTORY_UNIFORM_DURATION = 3 /* as NN_REFRACTORY_DURATION, with OUT[0] the same in every lane (no
                                          per-neuron quantity in it): the comparison needs no division per lane */
} nn_refractory_kind;

/* Where in step k an operation or a state monitor runs, between the fixed parts of the step (below). */
typedef enum nn_slot {
    NN_SLOT_UPDATE = 0,    /* before refractoriness and the integrator step */
    NN_SLOT_THRESHOLD = 1, /* after the update (and its NaN check), before the threshold */
    NN_SLOT_EVENTS = 2,    /* after the threshold and its spikes, before the scheduled events */
    NN_SLOT_RESET = 3,     /* after the scheduled events, before the reset */
    NN_SLOT_END = 4        /* after the reset */
} nn_slot;

/* A statement section run on every neuron at a slot of the steps of its clock (Brian's run_regularly, and the
 * update of 'constant over dt' subexpressions). */
typedef struct nn_operation {
    nn_section code;  /* statements, STATE = the state at that point of the step, T = t_k; n_outputs = 0 */
    int32_t slot;     /* nn_slot */
    int32_t reserved; /* 0 */
    double dt;        /* seconds: runs in the steps k that are multiples of dt/dt_sim, which must be a whole number
                         (within 1e-4); 0: every step */
} nn_operation;

/*
 * A model program, backend-neutral. Section semantics (STATE = the state the section sees):
 * - derivatives: STATE = stage state, T = stage time; OUT[v] = f_v, n_outputs = n_state.
 * - noise:       STATE = stage state; OUT[v*n_noise + j] = g_vj (factor of dW_j), n_outputs = n_state*n_noise.
 * - linear:      STATE = state at t_k; OUT[2v] = A_v, OUT[2v+1] = B_v, n_outputs = 2*n_state; for
 *                NN_METHOD_LINEAR_SYSTEM row v of [M c]: OUT[v*(n_state+1) + j] = M_vj (j < n_state),
 *                OUT[v*(n_state+1) + n_state] = c_v, n_outputs = n_state*(n_state+1).
 * - threshold:   STATE = state after the update; OUT[0] = condition, n_outputs = 1.
 * - reset:       runs on each spiking neuron after threshold; statements write STATE/PARAM directly,
 *                n_outputs = 0.
 * - refractory:  STATE = state at t_k, before the update; OUT[0] per nn_refractory_kind.
 * - events[e]:   statements run on one neuron at the step of a scheduled event (after threshold,
 *                before reset), EVENT_VALUE = the event's value; n_outputs = 0.
 * - observables: STATE = state at t_k (before the update); OUT[j] = observable j (the model's
 *                subexpressions, which monitors and reducers read as NN_ARRAY_OBSERVABLE j);
 *                n_outputs = n_observables.
 * - operations[j]: statements run on every neuron at their slot (nn_operation); n_outputs = 0.
 * Sections a method or model does not use have n_instructions = 0.
 * T is t_k = k*dt in every section except derivatives and noise (stage times).
 * Step k: the NN_SLOT_UPDATE operations, with the monitors' samples of the state at t_k after the first
 * sample_after of them (a monitor can be moved: nn_simulation_set_monitor_slot); refractoriness; integrate
 * t_k -> t_k+1 with t = k*dt; NaN check; NN_SLOT_THRESHOLD operations; threshold (and not_refractory); spikes
 * recorded at t_k, lastspike = t_k, not_refractory = 0; NN_SLOT_EVENTS operations; events of step k;
 * NN_SLOT_RESET operations; reset; NN_SLOT_END operations; k <- k+1. Operations run in their array order,
 * which must have non-decreasing slots.
 */
typedef struct nn_model_desc {
    int32_t struct_size;              /* sizeof(nn_model_desc) */
    int32_t n_state;
    int32_t n_param;
    int32_t n_noise;
    int32_t n_inputs;
    int32_t n_constants;
    const char* const* state_names;   /* n_state UTF-8 names, used in error messages */
    const char* const* param_names;   /* n_param */
    const double* constants;          /* n_constants */
    int32_t method;                   /* nn_method */
    int32_t n_stages;                 /* explicit RK: stages of the tableau, else 1 */
    const double* rk_a;               /* n_stages*n_stages, row-major, strictly lower triangular */
    const double* rk_b;               /* n_stages */
    const double* rk_c;               /* n_stages */
    const int32_t* state_flags;       /* n_state, nn_state_flag bits */
    int32_t refractory;               /* nn_refractory_kind */
    int32_t has_threshold;            /* 0 or 1 */
    nn_section derivatives;
    nn_section noise;
    nn_section linear;
    nn_section threshold;
    nn_section reset;
    nn_section refractory_expr;
    int32_t n_events;
    int32_t reserved;
    const nn_section* events;         /* n_events */
    nn_section observables;           /* n_outputs = n_observables */
    const char* const* observable_names; /* n_observables UTF-8 names, used in error messages */
    const char* model_hash;           /* identifies the equations (e.g. a hash of the IR); part of the model's
                                         fingerprint that nn_simulation_restore compares; NULL: structure only */
    int32_t n_operations;
    int32_t sample_after;             /* monitors and reducers sample after operations [0, sample_after), all
                                         NN_SLOT_UPDATE ones; 0..n_operations */
    const nn_operation* operations;   /* n_operations, in the order they run */
} nn_model_desc;

/* Progress callback: called between segments of a run on the calling thread; return non-zero to
 * stop the run at the current step (the simulation stays consistent and can be continued). */
typedef int32_t (*nn_progress_fn)(int64_t steps_done, int64_t steps_total, void* user);

typedef struct nn_model nn_model;
typedef struct nn_simulation nn_simulation;

typedef enum nn_array_kind {
    NN_ARRAY_STATE = 0,
    NN_ARRAY_PARAM = 1,
    NN_ARRAY_LASTSPIKE = 2,       /* index ignored */
    NN_ARRAY_NOT_REFRACTORY = 3,  /* index ignored */
    NN_ARRAY_OBSERVABLE = 4       /* observable `index`, computed from the current state; read only */
} nn_array_kind;

/* How a simulation is made (nn_simulation_create_v2). A simulation of n_neurons can be a slice
 * [first_neuron, first_neuron + n_neurons) of a population of total_neurons: its neuron j sees
 * i = first_neuron + j and N = total_neurons, and draws the random numbers of that neuron, so that
 * slices run separately reproduce one run of the whole population bit for bit. */
typedef struct nn_simulation_config {
    int32_t struct_size;   /* sizeof(nn_simulation_config) */
    int32_t reserved;      /* 0 */
    int64_t n_neurons;
    double dt;             /* seconds */
    uint64_t seed;
    int64_t first_neuron;  /* >= 0 */
    int64_t total_neurons; /* >= first_neuron + n_neurons; 0 means first_neuron + n_neurons */
} nn_simulation_config;

/* Reducers: per-neuron results computed while the run goes, over the window of steps
 * [start_step, end_step), in memory independent of the run's length. Variable reducers sample the
 * variable at the steps k of the window with (k - start_step) % every_steps == 0, at t_k before the
 * update (where monitors sample). Spike reducers see the spikes of the window's steps. After
 * NN_ERR_NUMERICAL at step k, the failing neuron's block has accumulated steps < k but the other
 * blocks up to the end of the segment (at most 1024 steps further): read them only to diagnose, or
 * reset the simulation. */
typedef enum nn_reducer_kind {
    NN_REDUCE_SPIKE_COUNT = 0, /* spikes */
    NN_REDUCE_SPIKE_RATE = 1,  /* spikes / (steps of the window run so far * dt), Hz; NaN before the window */
    NN_REDUCE_FIRST_SPIKE = 2, /* time of the first spike (s), NaN without one */
    NN_REDUCE_SPIKE_TIMES = 3, /* the first `capacity` spike times (s), NaN-padded; capacity values per neuron */
    NN_REDUCE_MIN = 4,         /* of the samples; NaN before the first sample */
    NN_REDUCE_MAX = 5,
    NN_REDUCE_MEAN = 6,
    NN_REDUCE_VARIANCE = 7,    /* population variance (ddof 0), Welford's update */
    NN_REDUCE_MSE = 8,         /* mean over the samples of (x - target)^2; samples whose target is NaN are skipped */
    NN_REDUCE_SAMPLES = 9      /* the first `capacity` samples, NaN until taken; capacity values per neuron */
} nn_reducer_kind;

typedef struct nn_reducer_desc {
    int32_t struct_size;    /* sizeof(nn_reducer_desc) */
    int32_t kind;           /* nn_reducer_kind */
    int32_t var_kind;       /* variable reducers: nn_array_kind of the variable; else 0 */
    int32_t var_index;      /* variable reducers: its index; else 0 */
    int64_t start_step;     /* >= the simulation's current step */
    int64_t end_step;       /* > start_step, or -1 for no end */
    int64_t every_steps;    /* variable reducers: >= 1; else ignored */
    int64_t capacity;       /* SPIKE_TIMES and SAMPLES: >= 1 values per neuron; else 0 */
    const double* target;   /* MSE: target[row][sample], row-major, copied; else NULL */
    int64_t target_rows;    /* MSE: neuron j compares with row (first_neuron + j) % target_rows */
    int64_t target_samples; /* MSE: samples per row; the window ends after them (end_step is clipped to it) */
} nn_reducer_desc;

/* ---- library --------------------------------------------------------------------------------- */
NN_API int32_t nn_version_number(void);
NN_API int32_t nn_abi_version(void);
NN_API const char* nn_version_string(void);
/* Per thread; valid until the next nn_ call on the same thread. Never NULL. */
NN_API const char* nn_last_error_message(void);
NN_API const char* nn_status_string(nn_status status);
/* Threads the machine offers (std::thread::hardware_concurrency, at least 1). */
NN_API int32_t nn_hardware_threads(void);
/* The ISA level the hot loops run at ("v2", "v3", "v4" for x86-64-v2..v4; "generic" where only one
 * is built): the highest the CPU supports, or NEURONATIVE_ISA where set. NULL, with the reason in
 * nn_last_error_message, when NEURONATIVE_ISA names a level the CPU lacks or the build lacks (then
 * nn_model_create fails too). A static string. */
NN_API const char* nn_isa_level(void);

/* ---- model ----------------------------------------------------------------------------------- */
/* Validates and copies the description (the caller's arrays may be freed afterwards). */
NN_API nn_status nn_model_create(const nn_model_desc* desc, nn_model** out_model);
/* The same model run by a compiled kernel: library_path is a shared library exporting the kernel
 * interface of neuronative/kernel_abi.h, generated from this description. It is loaded (RTLD_NOW,
 * RTLD_LOCAL) and checked: NN_ERR_COMPILE, with the loader's message, when it cannot be loaded, is
 * not a kernel, was built for another kernel ABI, or its nn_kernel_model_hash() is not
 * expected_hash. The description is validated as for nn_model_create. */
NN_API nn_status nn_model_create_compiled(const nn_model_desc* desc, const char* library_path,
                                          const char* expected_hash, nn_model** out_model);
NN_API void nn_model_destroy(nn_model* model);

/* ---- simulation ------------------------------------------------------------------------------ */
/* The simulation keeps its own reference to the model; the caller may destroy the model after. */
NN_API nn_status nn_simulation_create(nn_model* model, int64_t n_neurons, double dt, uint64_t seed,
                                      nn_simulation** out_sim);
/* The same as nn_simulation_create_v2 with first_neuron 0 and total_neurons n_neurons. */
NN_API nn_status nn_simulation_create_v2(nn_model* model, const nn_simulation_config* config, nn_simulation** out_sim);
NN_API void nn_simulation_destroy(nn_simulation* sim);
/* A simulation must not be used from two threads at once. Worker threads: 1 by default, 0 = all
 * hardware threads; results are bit-identical for every thread count. */
NN_API nn_status nn_simulation_set_threads(nn_simulation* sim, int32_t n_threads);
/* count must be n_neurons, or 1 to set every neuron to values[0]. */
NN_API nn_status nn_simulation_set_array(nn_simulation* sim, int32_t kind, int32_t index,
                                         const double* values, int64_t count);
NN_API nn_status nn_simulation_get_array(nn_simulation* sim, int32_t kind, int32_t index,
                                         double* out_values, int64_t count);
/* TimedArray input: values[n_times][n_columns] row-major, sample spacing dt_input (seconds). */
NN_API nn_status nn_simulation_set_input(nn_simulation* sim, int32_t input, const double* values,
                                         int64_t n_times, int64_t n_columns, double dt_input);
/* Schedules events: event section `event` runs on neurons[j] at the step round(times[j]/dt) with
 * EVENT_VALUE = values[j]. Events before the current time are an error. */
NN_API nn_status nn_simulation_add_events(nn_simulation* sim, int32_t event, const int64_t* neurons,
                                          const double* times, const double* values, int64_t count);
/* On by default. Off: spikes are only counted (spike counts, step spike counts), not stored. */
NN_API nn_status nn_simulation_record_spikes(nn_simulation* sim, int32_t enabled);
/* Records the listed variables (kinds[j], indices[j]) of the listed neurons at every step k with
 * k % every_steps == 0. */
NN_API nn_status nn_simulation_add_state_monitor(nn_simulation* sim, const int32_t* kinds,
                                                 const int32_t* indices, int32_t n_vars,
                                                 const int64_t* neurons, int64_t n_neurons,
                                                 int64_t every_steps, int32_t* out_monitor);
/* On when added. Off: the monitor takes no samples until turned on again (a monitor recording only in
 * some runs, as Brian's `monitor.active = False`); the steps it would have sampled are skipped, not stored. */
NN_API nn_status nn_simulation_set_monitor_enabled(nn_simulation* sim, int32_t monitor, int32_t enabled);
/* Appends to a state monitor one sample of the current values at the current step (t = step*dt), outside its
 * schedule and whether it is on or off: Brian's record_single_timestep, which after a run records the final state. */
NN_API nn_status nn_simulation_record_monitor_sample(nn_simulation* sim, int32_t monitor);
/* Moves a state monitor from where monitors sample by default (nn_model_desc.sample_after) to `slot` (nn_slot),
 * after operations [0, after_operations): the operations before it must have slots <= slot, those from
 * after_operations on slots >= slot. */
NN_API nn_status nn_simulation_set_monitor_slot(nn_simulation* sim, int32_t monitor, int32_t slot,
                                                int32_t after_operations);
/* Records the neurons whose parameter `param` is non-zero (a custom event's flags, Brian's EventMonitor) at `slot`
 * (nn_slot) after operations [0, after_operations) of every step, as (neuron, t_k), ordered by (time, neuron). */
NN_API nn_status nn_simulation_add_event_monitor(nn_simulation* sim, int32_t param, int32_t slot, int32_t after_operations,
                                                 int32_t* out_monitor);
/* What an event monitor records instead of a parameter's non-zero neurons (nn_event_monitor_desc.param): the
 * neurons that spiked in the step (Brian's SpikeMonitor, an EventMonitor of the 'spike' event). */
#define NN_EVENT_SPIKES -1
/* An event monitor (nn_simulation_add_event_monitor_v2): at `slot` (nn_slot) after operations [0, after_operations)
 * of every step it records (neuron, t_k) of the neurons whose parameter `param` is non-zero, or with param
 * NN_EVENT_SPIKES of those that spiked in that step (slot NN_SLOT_EVENTS or later), ordered by (time, neuron), and
 * with each event the values at that point of n_vars variables (kinds[j] an nn_array_kind, index indices[j];
 * observables computed from the state there), as Brian's EventMonitor(..., variables=...). */
typedef struct nn_event_monitor_desc {
    int32_t struct_size;      /* sizeof(nn_event_monitor_desc) */
    int32_t param;            /* a parameter's index (a custom event's flags), or NN_EVENT_SPIKES */
    int32_t slot;             /* nn_slot */
    int32_t after_operations; /* 0..n_operations, as for nn_simulation_set_monitor_slot */
    int32_t n_vars;           /* >= 0 */
    int32_t reserved;         /* 0 */
    const int32_t* kinds;     /* n_vars nn_array_kind; NULL when n_vars is 0 */
    const int32_t* indices;   /* n_vars */
} nn_event_monitor_desc;
/* nn_simulation_add_event_monitor with variables and the spikes: see nn_event_monitor_desc. */
NN_API nn_status nn_simulation_add_event_monitor_v2(nn_simulation* sim, const nn_event_monitor_desc* desc, int32_t* out_monitor);
NN_API nn_status nn_simulation_get_event_total(nn_simulation* sim, int32_t monitor, int64_t* out_total);
/* The events recorded so far; capacity must be >= the total. */
NN_API nn_status nn_simulation_get_events(nn_simulation* sim, int32_t monitor, int64_t* out_indices, double* out_times,
                                          int64_t capacity, int64_t* out_count);
/* Variable `var` of an event monitor at each of its events, in the order of nn_simulation_get_events; count must
 * be the event total. */
NN_API nn_status nn_simulation_get_event_values(nn_simulation* sim, int32_t monitor, int32_t var, double* out_values,
                                                int64_t count);
/* Advances n_steps steps. Returns NN_ERR_CANCELLED when stopped by the callback (the steps done
 * are kept), NN_ERR_NUMERICAL for NaN/inf with variable, neuron and time in the message (records
 * up to that step are kept; the simulation cannot continue). progress may be NULL.
 * After NN_ERR_NUMERICAL at step k: the time is step k, spikes and step counts cover steps < k,
 * monitors hold the samples of steps <= k (taken before the failing update). */
NN_API nn_status nn_simulation_run(nn_simulation* sim, int64_t n_steps, nn_progress_fn progress,
                                   void* user);
NN_API nn_status nn_simulation_get_time(nn_simulation* sim, int64_t* out_step, double* out_t);
/* Back to the initial state: state, parameters, lastspike, not_refractory and scheduled events as they
 * were when the first run since creation (or since the last reset) began; step 0; recorded spikes,
 * spike counts, monitor samples and reducer accumulators emptied, monitors and reducers kept; inputs
 * and threads kept. A simulation stopped by NN_ERR_NUMERICAL can be reset. Then set new values and
 * run again: the results are those of a new simulation set up the same way, bit for bit. */
NN_API nn_status nn_simulation_reset(nn_simulation* sim);

/* ---- snapshots ------------------------------------------------------------------------------- */
/* The complete dynamic state as a versioned binary blob: step, state arrays, refractory bookkeeping,
 * pending scheduled events, the initial state of nn_simulation_reset, recorded spikes and counts,
 * monitor samples, recorded events with their values and reducer accumulators. Inputs (TimedArrays) and the thread count are not in it.
 * out_blob NULL with capacity 0 asks for *out_size only. */
NN_API nn_status nn_simulation_snapshot(nn_simulation* sim, uint8_t* out_blob, int64_t capacity, int64_t* out_size);
/* Replaces the dynamic state with a snapshot's. The simulation must be of the same model (same
 * description; interpreted or compiled alike), neuron slice, dt and seed, and have the same monitors
 * and reducers, added in the same order; otherwise NN_ERR_INVALID_ARGUMENT says what differs and the
 * simulation is unchanged. Continuing then gives what continuing the snapshotted one gives, bit for bit. */
NN_API nn_status nn_simulation_restore(nn_simulation* sim, const uint8_t* blob, int64_t size);

/* ---- reducers -------------------------------------------------------------------------------- */
NN_API nn_status nn_simulation_add_reducer(nn_simulation* sim, const nn_reducer_desc* desc, int32_t* out_reducer);
/* Values per neuron: 1, or capacity for SPIKE_TIMES and SAMPLES. */
NN_API nn_status nn_simulation_get_reducer_width(nn_simulation* sim, int32_t reducer, int64_t* out_width);
/* out[neuron][j], count = n_neurons * width. */
NN_API nn_status nn_simulation_get_reducer_values(nn_simulation* sim, int32_t reducer, double* out_values, int64_t count);

/* ---- results --------------------------------------------------------------------------------- */
NN_API nn_status nn_simulation_get_spike_total(nn_simulation* sim, int64_t* out_total);
/* All recorded spikes so far ordered by (time, index); capacity must be >= the total. */
NN_API nn_status nn_simulation_get_spikes(nn_simulation* sim, int64_t* out_indices, double* out_times,
                                          int64_t capacity, int64_t* out_count);
NN_API nn_status nn_simulation_get_spike_counts(nn_simulation* sim, int64_t* out_counts, int64_t count);
/* Number of spikes in each step so far (population rate = counts / (N dt)); count >= the number of
 * steps, or out_counts NULL with count 0 to ask for *out_n_steps only. */
NN_API nn_status nn_simulation_get_step_spike_counts(nn_simulation* sim, int64_t* out_counts,
                                                     int64_t count, int64_t* out_n_steps);
NN_API nn_status nn_simulation_get_monitor_size(nn_simulation* sim, int32_t monitor,
                                                int64_t* out_n_samples);
/* Variable j of the monitor: out[neuron][sample], count = n_neurons * n_samples. */
NN_API nn_status nn_simulation_get_monitor_values(nn_simulation* sim, int32_t monitor, int32_t var,
                                                  double* out_values, int64_t count);
NN_API nn_status nn_simulation_get_monitor_times(nn_simulation* sim, int32_t monitor,
                                                 double* out_times, int64_t count);

#ifdef __cplusplus
}
#endif

#endif /* NEURONATIVE_H */
