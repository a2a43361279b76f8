// What a model kernel (kernel_abi.h) shares between its implementations: the integrator step
// arguments of a block. Included by the interpreter and by generated C++.
#pragma once

#include "distributions.hpp"
#include "integrators.hpp"
#include "kernel_abi.h"
#include "ops.hpp"

namespace nn {
NN_ISA_BEGIN

NN_HD inline StepArgs step_args(const nn_kernel_block& b, const int32_t* flags, int32_t n_state, int32_t n_noise) {
    return StepArgs{Lanes{b.state, b.stride}, b.refractory_mask, flags, n_state, n_noise, b.n, b.t, b.dt,
                    b.seed, b.step, b.first_neuron, b.workspace};
}

NN_ISA_END
} // namespace nn
