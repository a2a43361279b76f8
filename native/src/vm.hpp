// The bytecode interpreter: sections are validated and lowered once per model into programs of
// kernels; each kernel is a tight (vectorisable) loop over the lanes of a block.
#pragma once

#include "neuronative.h"
#include "neuronative/kernel_abi.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nn::rt {

// Lanes per block of the CPU backends. 64 keeps a section's registers (HH: ~20) in L1.
constexpr int kBlock = 256;

// Operand slots shared by every section of a model. Vector slots point to n lanes, scalar slots
// hold one value for all lanes (constants, lane-uniform specials, lane-uniform results).
struct Layout {
    int32_t n_state = 0, n_param = 0, n_constants = 0, max_outputs = 0;
    enum Lane : int32_t { LANE_I, LANE_LASTSPIKE, LANE_NOT_REFRACTORY, N_LANES };
    enum Uniform : int32_t { U_T, U_DT, U_N, U_K, U_EVENT_VALUE, U_ONE, N_UNIFORMS };
    int32_t v_state(int32_t v) const { return v; }
    int32_t v_param(int32_t p) const { return n_state + p; }
    int32_t v_lane(Lane l) const { return n_state + n_param + l; }
    int32_t v_out(int32_t j) const { return n_state + n_param + N_LANES + j; }
    int32_t v_reg(int32_t r) const { return v_out(max_outputs) + r; }
    int32_t s_const(int32_t c) const { return c; }
    int32_t s_uniform(Uniform u) const { return n_constants + u; }
    int32_t s_reg(int32_t r) const { return n_constants + N_UNIFORMS + r; }
};

// TimedArray input (docs/brian2-semantics.md §5): values[n_times][n_columns].
struct Input {
    std::vector<double> values;
    int64_t n_times = 0, n_columns = 0;
    double epsilon = 0; // dt_input / K
    double k = 1;       // upsampling factor K
};

struct Frame;
struct Instr;
using Kernel = void (*)(const Instr&, Frame&, int n);

struct Instr {
    Kernel fn;
    int32_t d, a, b, c; // slots
    int32_t imm;        // stream id (RAND, RANDN, POISSON, BINOMIAL) or input id (INPUT)
};

struct Program {
    std::vector<Instr> code;
    int32_t n_vregs = 0, n_sregs = 0;
    bool empty() const { return code.empty(); }
};

// Per-thread execution context: slot tables, register storage and what the lane-dependent
// kernels need.
struct Frame {
    std::vector<double*> vp;
    std::vector<double> sp;
    uint64_t seed = 0;
    int64_t first_neuron = 0; // global index of lane 0
    int64_t step = 0;
    const nn_kernel_input* inputs = nullptr;
};

// NN_FORM_<form>(U, B, T) keeps the argument of its form, so that a row of the one opcode table
// (neuronative/opcodes.def) expands only into the kernel switch (unary, binary, ternary) of its form.
#define NN_FORM_Unary(U, B, T) U
#define NN_FORM_Binary(U, B, T) B
#define NN_FORM_Ternary(U, B, T) T
#define NN_FORM_PowI(U, B, T)
#define NN_FORM_Random(U, B, T)
#define NN_FORM_Distribution(U, B, T)
#define NN_FORM_Input(U, B, T)

// Operand shapes of a binary kernel: vector or scalar d = a op b.
enum class Shape { VV, VS, SV, SS };

enum class SectionKind { Expression, Statements };

// Validates one section of a model description (message prefix `name`, e.g. "desc->threshold")
// and lowers it; throws Error naming the instruction and operand on any violation.
Program compile_section(const nn_section& s, const char* name, SectionKind kind, int32_t expected_outputs,
                        const Layout& layout, int32_t n_inputs);

inline void execute(const Program& p, Frame& f, int n) {
    for (const Instr& in : p.code) in.fn(in, f, n);
}

const char* opcode_name(int32_t op);

} // namespace nn::rt
