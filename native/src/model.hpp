// A validated, immutable copy of an nn_model_desc with its sections lowered for the interpreter, and
// the kernel that runs them.
#pragma once

#include "kernel.hpp"
#include "vm.hpp"

#include <string>
#include <vector>

namespace nn::rt {

struct Model {
    int32_t n_state = 0, n_param = 0, n_noise = 0, n_inputs = 0;
    std::vector<std::string> state_names, param_names;
    std::vector<double> constants;
    int32_t method = 0, n_stages = 1;
    std::vector<double> rk_a, rk_b, rk_c;
    std::vector<int32_t> state_flags;
    bool any_unless_refractory = false;
    int32_t refractory = NN_REFRACTORY_NONE;
    bool has_threshold = false;
    Layout layout;
    Program derivatives, noise, linear, threshold, reset, refractory_expr;
    std::vector<Program> events;
    int32_t max_vregs = 0, max_sregs = 0; // over all programs: the per-thread register file
    KernelTable kernel;                   // the interpreter, or a compiled kernel library
    uint64_t fingerprint = 0;             // model_fingerprint(desc): what snapshots are checked against

    explicit Model(const nn_model_desc& desc); // validates; throws Error(NN_ERR_INVALID_ARGUMENT)
};

// The identity of a description that snapshots carry: structure, names, method and model_hash.
uint64_t model_fingerprint(const nn_model_desc& desc);

} // namespace nn::rt
