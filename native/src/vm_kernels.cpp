// The interpreter's kernels, compiled once per ISA level (NN_ISA; native/CMakeLists.txt): each
// opcode's scalar semantics in a loop over the lanes of a block.
#include "isa.hpp"

#include "neuronative/distributions.hpp"
#include "neuronative/math.hpp"
#include "neuronative/ops.hpp"
#include "neuronative/philox.hpp"
#include "neuronative/portable.hpp"

#include <cmath>

namespace nn::rt::NN_ISA {
namespace {

// ---- scalar semantics of every opcode ----------------------------------------------------------

template <int Op>
inline double f1(double a) {
    if constexpr (Op == NN_OP_MOV) return a;
    else if constexpr (Op == NN_OP_NEG) return -a;
    else if constexpr (Op == NN_OP_EXP) return nn::exp(a);
    else if constexpr (Op == NN_OP_LOG) return std::log(a);
    else if constexpr (Op == NN_OP_LOG10) return std::log10(a);
    else if constexpr (Op == NN_OP_EXPM1) return nn::expm1(a);
    else if constexpr (Op == NN_OP_LOG1P) return std::log1p(a);
    else if constexpr (Op == NN_OP_SQRT) return std::sqrt(a);
    else if constexpr (Op == NN_OP_SIN) return std::sin(a);
    else if constexpr (Op == NN_OP_COS) return std::cos(a);
    else if constexpr (Op == NN_OP_TAN) return std::tan(a);
    else if constexpr (Op == NN_OP_SINH) return std::sinh(a);
    else if constexpr (Op == NN_OP_COSH) return std::cosh(a);
    else if constexpr (Op == NN_OP_TANH) return std::tanh(a);
    else if constexpr (Op == NN_OP_ASIN) return std::asin(a);
    else if constexpr (Op == NN_OP_ACOS) return std::acos(a);
    else if constexpr (Op == NN_OP_ATAN) return std::atan(a);
    else if constexpr (Op == NN_OP_ABS) return std::fabs(a);
    else if constexpr (Op == NN_OP_SIGN) return nn::sign(a);
    else if constexpr (Op == NN_OP_FLOOR) return std::floor(a);
    else if constexpr (Op == NN_OP_CEIL) return std::ceil(a);
    else if constexpr (Op == NN_OP_TRUNC) return std::trunc(a);
    else if constexpr (Op == NN_OP_EXPREL) return nn::exprel(a);
    else if constexpr (Op == NN_OP_NOT) return a == 0.0 ? 1.0 : 0.0;
    else static_assert(Op < 0, "not a unary opcode");
}

template <int Op>
inline double f2(double a, double b) {
    if constexpr (Op == NN_OP_ADD) return a + b;
    else if constexpr (Op == NN_OP_SUB) return a - b;
    else if constexpr (Op == NN_OP_MUL) return a * b;
    else if constexpr (Op == NN_OP_DIV) return a / b;
    else if constexpr (Op == NN_OP_POW) return std::pow(a, b);
    else if constexpr (Op == NN_OP_FLOORDIV) return std::floor(a / b);
    else if constexpr (Op == NN_OP_MOD) return nn::py_mod(a, b);
    else if constexpr (Op == NN_OP_LT) return a < b ? 1.0 : 0.0;
    else if constexpr (Op == NN_OP_LE) return a <= b ? 1.0 : 0.0;
    else if constexpr (Op == NN_OP_GT) return a > b ? 1.0 : 0.0;
    else if constexpr (Op == NN_OP_GE) return a >= b ? 1.0 : 0.0;
    else if constexpr (Op == NN_OP_EQ) return a == b ? 1.0 : 0.0;
    else if constexpr (Op == NN_OP_NE) return a != b ? 1.0 : 0.0;
    else if constexpr (Op == NN_OP_AND) return ((a != 0.0) & (b != 0.0)) ? 1.0 : 0.0;
    else if constexpr (Op == NN_OP_OR) return ((a != 0.0) | (b != 0.0)) ? 1.0 : 0.0;
    else static_assert(Op < 0, "not a binary opcode");
}

template <int Op>
inline double f3(double a, double b, double c) {
    if constexpr (Op == NN_OP_SELECT) return a != 0.0 ? b : c;
    else if constexpr (Op == NN_OP_CLIP) return a < b ? b : (a > c ? c : a);
    else static_assert(Op < 0, "not a ternary opcode");
}

// ---- kernels: operands are slots, d never aliases a source (guaranteed by the lowering) --------

template <int Op>
void k_v(const Instr& in, Frame& f, int n) {
    double* NN_RESTRICT d = f.vp[in.d];
    const double* NN_RESTRICT a = f.vp[in.a];
    for (int i = 0; i < n; ++i) d[i] = f1<Op>(a[i]);
}
template <int Op>
void k_s(const Instr& in, Frame& f, int) {
    f.sp[in.d] = f1<Op>(f.sp[in.a]);
}
template <int Op>
void k_vv(const Instr& in, Frame& f, int n) {
    double* NN_RESTRICT d = f.vp[in.d];
    const double* NN_RESTRICT a = f.vp[in.a];
    const double* NN_RESTRICT b = f.vp[in.b];
    for (int i = 0; i < n; ++i) d[i] = f2<Op>(a[i], b[i]);
}
template <int Op>
void k_vs(const Instr& in, Frame& f, int n) {
    double* NN_RESTRICT d = f.vp[in.d];
    const double* NN_RESTRICT a = f.vp[in.a];
    const double b = f.sp[in.b];
    for (int i = 0; i < n; ++i) d[i] = f2<Op>(a[i], b);
}
template <int Op>
void k_sv(const Instr& in, Frame& f, int n) {
    double* NN_RESTRICT d = f.vp[in.d];
    const double a = f.sp[in.a];
    const double* NN_RESTRICT b = f.vp[in.b];
    for (int i = 0; i < n; ++i) d[i] = f2<Op>(a, b[i]);
}
template <int Op>
void k_ss(const Instr& in, Frame& f, int) {
    f.sp[in.d] = f2<Op>(f.sp[in.a], f.sp[in.b]);
}
template <int Op>
void k_vvv(const Instr& in, Frame& f, int n) {
    double* NN_RESTRICT d = f.vp[in.d];
    const double* NN_RESTRICT a = f.vp[in.a];
    const double* NN_RESTRICT b = f.vp[in.b];
    const double* NN_RESTRICT c = f.vp[in.c];
    for (int i = 0; i < n; ++i) d[i] = f3<Op>(a[i], b[i], c[i]);
}
template <int Op>
void k_sss(const Instr& in, Frame& f, int) {
    f.sp[in.d] = f3<Op>(f.sp[in.a], f.sp[in.b], f.sp[in.c]);
}
void k_broadcast(const Instr& in, Frame& f, int n) {
    double* NN_RESTRICT d = f.vp[in.d];
    const double s = f.sp[in.a];
    for (int i = 0; i < n; ++i) d[i] = s;
}
void k_rand(const Instr& in, Frame& f, int n) {
    double* NN_RESTRICT d = f.vp[in.d];
    for (int i = 0; i < n; ++i) d[i] = nn::uniform(f.seed, f.first_neuron + i, f.step, static_cast<uint32_t>(in.imm));
}
void k_randn(const Instr& in, Frame& f, int n) {
    double* NN_RESTRICT d = f.vp[in.d];
    for (int i = 0; i < n; ++i) d[i] = nn::normal(f.seed, f.first_neuron + i, f.step, static_cast<uint32_t>(in.imm));
}
void k_poisson(const Instr& in, Frame& f, int n) {
    double* NN_RESTRICT d = f.vp[in.d];
    const double* NN_RESTRICT lam = f.vp[in.a];
    for (int i = 0; i < n; ++i) d[i] = nn::poisson(f.seed, f.first_neuron + i, f.step, static_cast<uint32_t>(in.imm), lam[i]);
}
void k_binomial(const Instr& in, Frame& f, int n) {
    double* NN_RESTRICT d = f.vp[in.d];
    const double* NN_RESTRICT trials = f.vp[in.a];
    const double* NN_RESTRICT p = f.vp[in.b];
    for (int i = 0; i < n; ++i)
        d[i] = nn::binomial(f.seed, f.first_neuron + i, f.step, static_cast<uint32_t>(in.imm), trials[i], p[i]);
}
void k_input_vv(const Instr& in, Frame& f, int n) {
    double* NN_RESTRICT d = f.vp[in.d];
    const double* NN_RESTRICT t = f.vp[in.a];
    const double* NN_RESTRICT col = f.vp[in.b];
    const nn_kernel_input& inp = f.inputs[in.imm];
    for (int i = 0; i < n; ++i) d[i] = nn::timed_array(inp, t[i], col[i]);
}
void k_input_ss(const Instr& in, Frame& f, int) {
    f.sp[in.d] = nn::timed_array(f.inputs[in.imm], f.sp[in.a], f.sp[in.b]);
}

Kernel unary_kernel(int32_t op, bool scalar) {
    switch (op) {
#define X(OP) case OP: return scalar ? &k_s<OP> : &k_v<OP>;
#define NN_OPCODE(NAME, VALUE, FORM, ROLES) NN_FORM_##FORM(X(NN_OP_##NAME), , )
#include "neuronative/opcodes.def"
#undef NN_OPCODE
#undef X
    default: return nullptr;
    }
}

Kernel binary_kernel(int32_t op, Shape shape) {
    switch (op) {
#define X(OP)                                                                                              \
    case OP:                                                                                               \
        return shape == Shape::VV ? &k_vv<OP> : shape == Shape::VS ? &k_vs<OP> : shape == Shape::SV ? &k_sv<OP> \
                                                                                                    : &k_ss<OP>;
#define NN_OPCODE(NAME, VALUE, FORM, ROLES) NN_FORM_##FORM(, X(NN_OP_##NAME), )
#include "neuronative/opcodes.def"
#undef NN_OPCODE
#undef X
    default: return nullptr;
    }
}

Kernel ternary_kernel(int32_t op, bool scalar) {
    switch (op) {
#define X(OP) case OP: return scalar ? &k_sss<OP> : &k_vvv<OP>;
#define NN_OPCODE(NAME, VALUE, FORM, ROLES) NN_FORM_##FORM(, , X(NN_OP_##NAME))
#include "neuronative/opcodes.def"
#undef NN_OPCODE
#undef X
    default: return nullptr;
    }
}

} // namespace

const IsaLevel level{NN_ISA_NAME,
                     VmKernels{&unary_kernel, &binary_kernel, &ternary_kernel, &k_broadcast, &k_rand, &k_randn,
                               &k_input_vv, &k_input_ss, &k_poisson, &k_binomial},
                     &bytecode_kernel};

} // namespace nn::rt::NN_ISA
