// The model kernel the step loop calls (kernel_abi.h): the interpreter's, or the functions of a
// compiled kernel library. Simulation has one code path for both.
#pragma once

#include "neuronative/kernel_abi.h"

#include <cstdint>
#include <memory>
#include <new>
#include <vector>

namespace nn::rt {

// 64-byte aligned storage, so that blocks of lanes start on cache lines.
template <class T>
struct AlignedAllocator {
    using value_type = T;
    AlignedAllocator() = default;
    template <class U>
    AlignedAllocator(const AlignedAllocator<U>&) {}
    T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64))); }
    void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t(64)); }
    template <class U>
    bool operator==(const AlignedAllocator<U>&) const { return true; }
};
using Doubles = std::vector<double, AlignedAllocator<double>>;

struct Model;

struct KernelTable {
    nn_kernel_block_fn integrate = nullptr, threshold = nullptr, refractory = nullptr, observables = nullptr;
    nn_kernel_statements_fn statements = nullptr;
    nn_kernel_operation_fn operation = nullptr;
    std::shared_ptr<void> library; // keeps a compiled kernel's library loaded; null for the interpreter
    bool compiled() const { return library != nullptr; }
};

// Per-thread interpreter state: slot tables and registers; the nn_kernel_block.context of the
// interpreter's kernel (IsaLevel::bytecode_kernel, isa.hpp).
class BytecodeContext {
public:
    BytecodeContext(const Model& m, double dt, int64_t n_neurons, uint64_t seed);
    ~BytecodeContext();
    void* get();
    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

// Loads a compiled kernel library (dlopen); throws Error(NN_ERR_COMPILE) with the loader's message
// when it cannot be loaded, lacks a kernel symbol, or was built for another kernel ABI or model.
KernelTable load_compiled_kernel(const char* path, const char* expected_hash);

} // namespace nn::rt
