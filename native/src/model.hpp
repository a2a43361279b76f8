// A validated, immutable copy of an nn_model_desc with its sections lowered for the interpreter, and
// the kernel that runs them.
#pragma once

#include "kernel.hpp"
#include "vm.hpp"

#include <string>
#include <vector>

namespace nn::rt {

struct Model {
    int32_t n_state = 0, n_param = 0, n_noise = 0, n_inputs = 0, n_observables = 0;
    std::vector<std::string> state_names, param_names, observable_names;
    std::vector<double> constants;
    int32_t method = 0, n_stages = 1;
    std::vector<double> rk_a, rk_b, rk_c;
    std::vector<int32_t> state_flags;
    bool any_unless_refractory = false;
    int32_t refractory = NN_REFRACTORY_NONE;
    bool has_threshold = false;
    bool has_reset = false; // whether the reset section exists; its program is empty when it is in a kernel library
    Layout layout;
    Program derivatives, noise, linear, threshold, reset, refractory_expr, observables;
    std::vector<Program> events;
    std::vector<Program> operations;
    std::vector<int32_t> operation_slots; // nn_slot, non-decreasing
    std::vector<double> operation_dts;    // seconds, 0: every step
    int32_t sample_after = 0;             // nn_model_desc.sample_after
    int32_t max_vregs = 0, max_sregs = 0; // over all programs: the per-thread register file
    KernelTable kernel;                   // the interpreter, or a compiled kernel library
    uint64_t fingerprint = 0;             // model_fingerprint(desc): what snapshots are checked against

    // Validates; throws Error(NN_ERR_INVALID_ARGUMENT). Only a model for a compiled kernel library
    // (`compiled`) may have sections flagged NN_SECTION_DEFINED, whose code is in the library.
    Model(const nn_model_desc& desc, bool compiled);
};

// The identity of a description that snapshots carry: structure, names, method and model_hash.
uint64_t model_fingerprint(const nn_model_desc& desc);

} // namespace nn::rt
