// Bytecode validation and lowering (register allocation, scalar/vector shapes) onto the kernels of
// the ISA level this process runs (vm_kernels.cpp).
#include "vm.hpp"

#include "error.hpp"
#include "isa.hpp"

#include <algorithm>

namespace nn::rt {
namespace {

enum class Form { Unknown, Unary, Binary, Ternary, PowI, Random, Distribution, Input };

Form form_of(int32_t op) {
    switch (op) {
#define NN_OPCODE(NAME, VALUE, FORM, ROLES) case NN_OP_##NAME: return Form::FORM;
#include "neuronative/opcodes.def"
#undef NN_OPCODE
    default: return Form::Unknown;
    }
}

// Operand roles of a, b, c (opcodes.def); "---" for unknown opcodes.
const char* opcode_roles(int32_t op) {
    switch (op) {
#define NN_OPCODE(NAME, VALUE, FORM, ROLES) case NN_OP_##NAME: return ROLES;
#include "neuronative/opcodes.def"
#undef NN_OPCODE
    default: return "---";
    }
}

const char* space_name(int32_t space) {
    static const char* const names[] = {"TEMP", "STATE", "PARAM", "CONST", "SPECIAL", "OUT"};
    return space >= 0 && space <= NN_SPACE_OUT ? names[space] : "?";
}

struct Operand {
    int32_t space, index;
};
Operand decode(int32_t x) {
    const uint32_t u = static_cast<uint32_t>(x);
    return {static_cast<int32_t>(u >> 24), static_cast<int32_t>(u & 0xFFFFFFu)};
}

// A value during lowering: a scalar or a vector slot.
struct Loc {
    bool scalar;
    int32_t slot;
};

class Lowering {
public:
    Lowering(const Layout& layout, Program& prog) : L(layout), P(prog), K(isa().vm) {}

    Loc alloc(bool scalar) {
        std::vector<int32_t>& free = scalar ? sfree_ : vfree_;
        int32_t r;
        if (!free.empty()) {
            r = free.back();
            free.pop_back();
        } else {
            r = scalar ? P.n_sregs++ : P.n_vregs++;
        }
        return {scalar, scalar ? L.s_reg(r) : L.v_reg(r)};
    }
    // Returns a register to its pool; slots that are not registers are ignored.
    void release(Loc x) {
        if (x.scalar && x.slot >= L.s_reg(0))
            sfree_.push_back(x.slot - L.s_reg(0));
        else if (!x.scalar && x.slot >= L.v_reg(0))
            vfree_.push_back(x.slot - L.v_reg(0));
    }
    void emit(Kernel fn, Loc d, Loc a, Loc b = {false, -1}, Loc c = {false, -1}, int32_t imm = 0) {
        P.code.push_back(Instr{fn, d.slot, a.slot, b.slot, c.slot, imm});
    }
    Loc vectorised(Loc x, std::vector<Loc>& scratch) {
        if (!x.scalar) return x;
        const Loc v = alloc(false);
        emit(K.broadcast, v, x);
        scratch.push_back(v);
        return v;
    }

    // Emits `op` over the sources into a fresh register and returns it.
    Loc op(int32_t code, const Loc* s, int32_t imm) {
        switch (form_of(code)) {
        case Form::Unary: {
            const Loc d = alloc(s[0].scalar);
            emit(K.unary(code, s[0].scalar), d, s[0]);
            return d;
        }
        case Form::Binary: {
            const Shape shape = s[0].scalar ? (s[1].scalar ? Shape::SS : Shape::SV) : (s[1].scalar ? Shape::VS : Shape::VV);
            const Loc d = alloc(shape == Shape::SS);
            emit(K.binary(code, shape), d, s[0], s[1]);
            return d;
        }
        case Form::Ternary:
        case Form::Input: {
            const bool all_scalar = s[0].scalar && s[1].scalar && (code == NN_OP_INPUT || s[2].scalar);
            std::vector<Loc> scratch;
            Loc a = s[0], b = s[1], c = code == NN_OP_INPUT ? Loc{false, -1} : s[2];
            if (!all_scalar) {
                a = vectorised(a, scratch);
                b = vectorised(b, scratch);
                if (code != NN_OP_INPUT) c = vectorised(c, scratch);
            }
            const Loc d = alloc(all_scalar);
            if (code == NN_OP_INPUT)
                emit(all_scalar ? K.input_ss : K.input_vv, d, a, b, {false, -1}, imm);
            else
                emit(K.ternary(code, all_scalar), d, a, b, c);
            for (Loc x : scratch) release(x);
            return d;
        }
        case Form::Random: {
            const Loc d = alloc(false);
            emit(code == NN_OP_RAND ? K.rand : K.randn, d, {false, -1}, {false, -1}, {false, -1}, imm);
            return d;
        }
        case Form::Distribution: { // per lane, like RAND: its draws depend on the lane's neuron
            std::vector<Loc> scratch;
            const Loc a = vectorised(s[0], scratch);
            const Loc b = code == NN_OP_BINOMIAL ? vectorised(s[1], scratch) : Loc{false, -1};
            const Loc d = alloc(false);
            emit(code == NN_OP_POISSON ? K.poisson : K.binomial, d, a, b, {false, -1}, imm);
            for (Loc x : scratch) release(x);
            return d;
        }
        case Form::PowI: return powi(s[0], imm);
        default: return {false, -1};
        }
    }

    // x**n as MULs in the order of nn::powi (math.hpp), so all backends round alike.
    Loc powi(Loc x, int32_t n) {
        const Loc one{true, L.s_uniform(Layout::U_ONE)};
        uint32_t m = n < 0 ? 0u - static_cast<uint32_t>(n) : static_cast<uint32_t>(n);
        if (m == 0) {
            const Loc d = alloc(true);
            emit(K.unary(NN_OP_MOV, true), d, one);
            return d;
        }
        std::vector<Loc> owned; // registers made here; all but the result are released at the end
        auto mul = [&](Loc a, Loc b) {
            const Loc d = alloc(x.scalar);
            emit(K.binary(NN_OP_MUL, x.scalar ? Shape::SS : Shape::VV), d, a, b);
            owned.push_back(d);
            return d;
        };
        Loc r{false, -1}, b = x;
        bool have = false;
        while (m != 0) {
            if (m & 1u) {
                r = have ? mul(r, b) : b;
                have = true;
            }
            m >>= 1;
            if (m != 0) b = mul(b, b);
        }
        Loc result;
        if (n < 0) {
            result = alloc(x.scalar);
            emit(K.binary(NN_OP_DIV, x.scalar ? Shape::SS : Shape::SV), result, one, r);
        } else if (r.slot == x.slot) { // n == 1: a copy, so the result is a register of its own
            result = alloc(x.scalar);
            emit(K.unary(NN_OP_MOV, x.scalar), result, x);
        } else {
            result = r;
        }
        for (Loc o : owned)
            if (o.slot != result.slot) release(o);
        return result;
    }

    // Puts a value into a fixed vector slot (OUT, STATE, PARAM). Where the last instruction emitted
    // produced the value and nothing reads it afterwards, that instruction writes the slot directly.
    void store(Loc value, int32_t slot, bool value_dies) {
        const Loc target{false, slot};
        if (value.scalar) {
            emit(K.broadcast, target, value);
        } else if (value.slot != slot) { // MOV x, x needs nothing
            Instr* last = P.code.empty() ? nullptr : &P.code.back();
            if (value_dies && last != nullptr && last->d == value.slot && last->a != slot && last->b != slot && last->c != slot)
                last->d = slot;
            else
                emit(K.unary(NN_OP_MOV, false), target, value);
        }
    }

private:
    const Layout& L;
    Program& P;
    const VmKernels& K;
    std::vector<int32_t> vfree_, sfree_;
};

} // namespace

const char* opcode_name(int32_t op) {
    switch (op) {
#define NN_OPCODE(NAME, VALUE, FORM, ROLES) case NN_OP_##NAME: return #NAME;
#include "neuronative/opcodes.def"
#undef NN_OPCODE
    default: return "unknown";
    }
}

Program compile_section(const nn_section& s, const char* name, SectionKind kind, int32_t expected_outputs,
                        const Layout& L, int32_t n_inputs) {
    constexpr int32_t max_temps = 1 << 20;
    if (s.n_instructions < 0) invalid(name, ".n_instructions is ", s.n_instructions, " (must be >= 0)");
    if (s.n_instructions > 0 && s.code == nullptr) invalid(name, ".code is NULL with ", s.n_instructions, " instructions");
    if (s.n_temps < 0 || s.n_temps > max_temps)
        invalid(name, ".n_temps is ", s.n_temps, " (must be 0..", max_temps, ")");
    if (s.n_outputs != expected_outputs)
        invalid(name, ".n_outputs is ", s.n_outputs, " but this section must have ", expected_outputs);
    if ((s.flags & ~NN_SECTION_DEFINED) != 0) invalid(name, ".flags is ", s.flags, " (unknown bits; known: nn_section_flag)");
    // A defined section's code is in a compiled kernel library: there is nothing to validate or lower.
    const bool defined = (s.flags & NN_SECTION_DEFINED) != 0;
    if (defined && s.n_instructions != 0)
        invalid(name, ".n_instructions is ", s.n_instructions, " but a section flagged NN_SECTION_DEFINED has none "
                "(its code is in the compiled kernel library)");

    const bool statements = kind == SectionKind::Statements;
    const int32_t n = s.n_instructions;
    std::vector<char> temp_written(static_cast<size_t>(s.n_temps), 0), out_written(static_cast<size_t>(s.n_outputs), 0);
    // Liveness: every write of a TEMP starts a definition; last_use[def] = last instruction reading it.
    std::vector<int32_t> temp_def(static_cast<size_t>(s.n_temps), -1), last_use;

    // ---- pass 1: validate, and find the last use of every TEMP definition ----
    for (int32_t p = 0; p < n; ++p) {
        const int32_t* w = s.code + 5 * static_cast<int64_t>(p);
        const int32_t op = w[0];
        const Form form = form_of(op);
        auto where = [&] { return cat(name, " instruction ", p, " (", opcode_name(op), ")"); };
        if (form == Form::Unknown) invalid(name, " instruction ", p, ": unknown opcode ", op);

        static const char* const field_names[] = {"dst", "a", "b", "c"};
        // What each of a, b, c is (opcodes.def): 'o' operand read, 'i' immediate, '-' unused (must be 0).
        const char* const role = opcode_roles(op);
        for (int f = 0; f < 3; ++f) {
            const int32_t x = w[2 + f];
            const char* field = field_names[1 + f];
            if (role[f] == '-' && x != 0) invalid(where(), ": operand ", field, " is unused and must be 0, not ", x);
            if (role[f] != 'o') continue;
            const Operand o = decode(x);
            switch (o.space) {
            case NN_SPACE_TEMP:
                if (o.index >= s.n_temps)
                    invalid(where(), ": operand ", field, " reads TEMP ", o.index, " but the section has ", s.n_temps, " temporaries");
                if (!temp_written[o.index])
                    invalid(where(), ": operand ", field, " reads TEMP ", o.index, " before any instruction writes it");
                last_use[temp_def[o.index]] = p;
                break;
            case NN_SPACE_STATE:
                if (o.index >= L.n_state)
                    invalid(where(), ": operand ", field, " reads STATE ", o.index, " but the model has ", L.n_state, " state variables");
                break;
            case NN_SPACE_PARAM:
                if (o.index >= L.n_param)
                    invalid(where(), ": operand ", field, " reads PARAM ", o.index, " but the model has ", L.n_param, " parameters");
                break;
            case NN_SPACE_CONST:
                if (o.index >= L.n_constants)
                    invalid(where(), ": operand ", field, " reads CONST ", o.index, " but the model has ", L.n_constants, " constants");
                break;
            case NN_SPACE_SPECIAL:
                if (o.index > NN_SPECIAL_EVENT_VALUE)
                    invalid(where(), ": operand ", field, " reads SPECIAL ", o.index, " (known specials are 0..", int(NN_SPECIAL_EVENT_VALUE), ")");
                break;
            case NN_SPACE_OUT:
                if (statements) invalid(where(), ": operand ", field, " reads OUT, but statement sections have no outputs");
                if (o.index >= s.n_outputs)
                    invalid(where(), ": operand ", field, " reads OUT ", o.index, " but the section has ", s.n_outputs, " outputs");
                if (!out_written[o.index])
                    invalid(where(), ": operand ", field, " reads OUT ", o.index, " before any instruction writes it");
                break;
            default:
                invalid(where(), ": operand ", field, " has unknown space ", o.space, " (0x", std::hex, x, ")");
            }
        }
        if (form == Form::Random && w[2] < 0) invalid(where(), ": stream id (immediate a) is ", w[2], " (must be >= 0)");
        if (form == Form::Distribution) {
            const int f = op == NN_OP_POISSON ? 1 : 2;
            if (w[2 + f] < 0) invalid(where(), ": stream id (immediate ", field_names[1 + f], ") is ", w[2 + f], " (must be >= 0)");
        }
        if (form == Form::Input && (w[4] < 0 || w[4] >= n_inputs))
            invalid(where(), ": input id (immediate c) is ", w[4], " but the model has ", n_inputs, " inputs");

        const Operand d = decode(w[1]);
        switch (d.space) {
        case NN_SPACE_TEMP:
            if (d.index >= s.n_temps)
                invalid(where(), ": dst writes TEMP ", d.index, " but the section has ", s.n_temps, " temporaries");
            temp_written[d.index] = 1;
            temp_def[d.index] = static_cast<int32_t>(last_use.size());
            last_use.push_back(-1);
            break;
        case NN_SPACE_OUT:
            if (statements) invalid(where(), ": dst writes OUT, but statement sections have no outputs");
            if (d.index >= s.n_outputs)
                invalid(where(), ": dst writes OUT ", d.index, " but the section has ", s.n_outputs, " outputs");
            out_written[d.index] = 1;
            break;
        case NN_SPACE_STATE:
        case NN_SPACE_PARAM: {
            if (!statements)
                invalid(where(), ": dst writes ", space_name(d.space), ", which only reset and event statements may write");
            const int32_t limit = d.space == NN_SPACE_STATE ? L.n_state : L.n_param;
            if (d.index >= limit)
                invalid(where(), ": dst writes ", space_name(d.space), " ", d.index, " but the model has ", limit);
            break;
        }
        case NN_SPACE_CONST:
        case NN_SPACE_SPECIAL:
            invalid(where(), ": dst is ", space_name(d.space), ", which is read-only");
        default:
            invalid(where(), ": dst has unknown space ", d.space, " (0x", std::hex, w[1], ")");
        }
    }
    for (int32_t j = 0; j < s.n_outputs && !defined; ++j)
        if (!out_written[j]) invalid(name, ": no instruction writes OUT ", j);

    // ---- pass 2: lowering ----
    Program prog;
    Lowering low(L, prog);
    std::vector<Loc> temp_loc(static_cast<size_t>(s.n_temps), Loc{false, -1});
    std::fill(temp_def.begin(), temp_def.end(), -1);
    int32_t defs = 0;
    auto special = [&](int32_t index) -> Loc {
        switch (index) {
        case NN_SPECIAL_T: return {true, L.s_uniform(Layout::U_T)};
        case NN_SPECIAL_DT: return {true, L.s_uniform(Layout::U_DT)};
        case NN_SPECIAL_I: return {false, L.v_lane(Layout::LANE_I)};
        case NN_SPECIAL_N: return {true, L.s_uniform(Layout::U_N)};
        case NN_SPECIAL_LASTSPIKE: return {false, L.v_lane(Layout::LANE_LASTSPIKE)};
        case NN_SPECIAL_NOT_REFRACTORY: return {false, L.v_lane(Layout::LANE_NOT_REFRACTORY)};
        case NN_SPECIAL_T_IN_TIMESTEPS: return {true, L.s_uniform(Layout::U_K)};
        default: return {true, L.s_uniform(Layout::U_EVENT_VALUE)};
        }
    };
    for (int32_t p = 0; p < n; ++p) {
        const int32_t* w = s.code + 5 * static_cast<int64_t>(p);
        const int32_t op = w[0];
        const char* const role = opcode_roles(op);
        int n_src = 0; // operands are a, b, c from the left
        while (n_src < 3 && role[n_src] == 'o') ++n_src;
        Loc src[3];
        int32_t src_defs[3];
        for (int f = 0; f < n_src; ++f) {
            const Operand o = decode(w[2 + f]);
            src_defs[f] = -1;
            switch (o.space) {
            case NN_SPACE_TEMP:
                src[f] = temp_loc[o.index];
                src_defs[f] = temp_def[o.index];
                break;
            case NN_SPACE_STATE: src[f] = {false, L.v_state(o.index)}; break;
            case NN_SPACE_PARAM: src[f] = {false, L.v_param(o.index)}; break;
            case NN_SPACE_CONST: src[f] = {true, L.s_const(o.index)}; break;
            case NN_SPACE_SPECIAL: src[f] = special(o.index); break;
            default: src[f] = {false, L.v_out(o.index)}; break;
            }
        }
        int32_t imm = 0; // at most one of a, b, c is an immediate
        for (int f = 0; f < 3; ++f)
            if (role[f] == 'i') imm = w[2 + f];
        const Operand d = decode(w[1]);
        if (d.space == NN_SPACE_TEMP) {
            if (last_use[defs] >= 0) temp_loc[d.index] = low.op(op, src, imm); // else never read: dropped
        } else {
            const int32_t slot = d.space == NN_SPACE_OUT     ? L.v_out(d.index)
                                 : d.space == NN_SPACE_STATE ? L.v_state(d.index)
                                                             : L.v_param(d.index);
            if (op == NN_OP_MOV) { // straight into the slot, no register in between
                low.store(src[0], slot, src_defs[0] >= 0 && last_use[src_defs[0]] == p);
            } else {
                const Loc value = low.op(op, src, imm);
                low.store(value, slot, true);
                low.release(value);
            }
        }
        // Sources read for the last time give their registers back (after the result was placed,
        // so a result never shares a register with its own sources).
        for (int f = 0; f < n_src; ++f) {
            bool repeated = false;
            for (int g = 0; g < f; ++g) repeated = repeated || src_defs[g] == src_defs[f];
            if (src_defs[f] >= 0 && !repeated && last_use[src_defs[f]] == p) low.release(src[f]);
        }
        if (d.space == NN_SPACE_TEMP) temp_def[d.index] = defs++;
    }
    return prog;
}

} // namespace nn::rt
