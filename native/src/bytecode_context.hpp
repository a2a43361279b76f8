// The interpreter's per-thread state (BytecodeContext::Impl): the model, its frame of slots and the
// register storage. Built for the baseline CPU (bytecode_context.cpp); each ISA level's kernels
// (bytecode_kernel.cpp) bind blocks through it.
#pragma once

#include "kernel.hpp"
#include "model.hpp"
#include "vm.hpp"

namespace nn::rt {

struct BytecodeContext::Impl {
    const Model& m;
    Frame frame;
    Doubles registers;

    Impl(const Model& model, double dt, int64_t n_neurons, uint64_t seed);
    // Slots of STATE, PARAM, the lane specials and the uniforms: the block's lanes from `lane` on.
    Frame& bind(const nn_kernel_block& b, int32_t lane);
};

} // namespace nn::rt
