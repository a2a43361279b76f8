// nn_model_desc validation and copying.
#include "model.hpp"

#include "error.hpp"
#include "isa.hpp"

#include <algorithm>
#include <cmath>

namespace nn::rt {
namespace {

constexpr int32_t kMaxVariables = 1 << 16; // keeps every operand index far below 2^24
constexpr int32_t kMaxStages = 64;

void check_count(int32_t value, const char* what, int32_t limit) {
    if (value < 0 || value > limit) invalid("desc->", what, " is ", value, " (must be 0..", limit, ")");
}

std::vector<std::string> copy_names(const char* const* names, int32_t count, const char* what) {
    std::vector<std::string> out;
    if (count == 0) return out;
    if (names == nullptr) invalid("desc->", what, " is NULL but ", count, " names are needed");
    for (int32_t i = 0; i < count; ++i) {
        if (names[i] == nullptr) invalid("desc->", what, "[", i, "] is NULL");
        out.emplace_back(names[i]);
    }
    return out;
}

std::vector<double> copy_finite(const double* values, int64_t count, const char* what) {
    if (values == nullptr) invalid("desc->", what, " is NULL but ", count, " values are needed");
    std::vector<double> out(values, values + count);
    for (int64_t i = 0; i < count; ++i)
        if (!std::isfinite(out[i])) invalid("desc->", what, "[", i, "] is ", out[i], " (must be finite)");
    return out;
}

void require_empty(const nn_section& s, const char* name, const char* why) {
    if (s.n_instructions != 0)
        invalid("desc->", name, " has ", s.n_instructions, " instructions but must be empty (", why, ")");
    if ((s.flags & NN_SECTION_DEFINED) != 0)
        invalid("desc->", name, " is flagged NN_SECTION_DEFINED but must not exist (", why, ")");
}

} // namespace

Model::Model(const nn_model_desc& d, bool compiled) {
    if (d.struct_size != static_cast<int32_t>(sizeof(nn_model_desc)))
        invalid("desc->struct_size is ", d.struct_size, " but this library expects sizeof(nn_model_desc) = ",
                sizeof(nn_model_desc));
    check_count(d.n_state, "n_state", kMaxVariables);
    check_count(d.n_param, "n_param", kMaxVariables);
    check_count(d.n_noise, "n_noise", kMaxVariables);
    check_count(d.n_inputs, "n_inputs", kMaxVariables);
    check_count(d.n_constants, "n_constants", kMaxVariables);
    check_count(d.observables.n_outputs, "observables.n_outputs (the number of observables)", kMaxVariables);
    if (static_cast<int64_t>(d.n_state) * d.n_noise > kMaxVariables)
        invalid("desc->n_state * desc->n_noise is ", static_cast<int64_t>(d.n_state) * d.n_noise, " (must be <= ", kMaxVariables, ")");
    if (d.reserved != 0) invalid("desc->reserved is ", d.reserved, " (must be 0)");
    n_state = d.n_state;
    n_param = d.n_param;
    n_noise = d.n_noise;
    n_inputs = d.n_inputs;
    state_names = copy_names(d.state_names, d.n_state, "state_names");
    param_names = copy_names(d.param_names, d.n_param, "param_names");
    n_observables = d.observables.n_outputs;
    observable_names = copy_names(d.observable_names, n_observables, "observable_names");
    if (d.n_constants > 0) {
        if (d.constants == nullptr) invalid("desc->constants is NULL but n_constants is ", d.n_constants);
        constants.assign(d.constants, d.constants + d.n_constants);
    }

    // ---- method ----
    method = d.method;
    if (method < NN_METHOD_EXPLICIT_RK || method > NN_METHOD_LINEAR_SYSTEM)
        invalid("desc->method is ", method, " (must be an nn_method, 0..", int(NN_METHOD_LINEAR_SYSTEM), ")");
    n_stages = d.n_stages;
    if (method == NN_METHOD_EXPLICIT_RK) {
        if (n_stages < 1 || n_stages > kMaxStages)
            invalid("desc->n_stages is ", n_stages, " (an explicit Runge-Kutta tableau has 1..", kMaxStages, " stages)");
        if (n_noise > 0 && n_stages != 1)
            invalid("desc->n_stages is ", n_stages, " but with noise (n_noise = ", n_noise,
                    ") NN_METHOD_EXPLICIT_RK is Euler-Maruyama and needs 1 stage");
        rk_a = copy_finite(d.rk_a, static_cast<int64_t>(n_stages) * n_stages, "rk_a");
        rk_b = copy_finite(d.rk_b, n_stages, "rk_b");
        rk_c = copy_finite(d.rk_c, n_stages, "rk_c");
        for (int32_t i = 0; i < n_stages; ++i)
            for (int32_t j = i; j < n_stages; ++j)
                if (rk_a[static_cast<size_t>(i * n_stages + j)] != 0.0)
                    invalid("desc->rk_a[", i, "][", j, "] is ", rk_a[static_cast<size_t>(i * n_stages + j)],
                            " but the tableau must be strictly lower triangular (explicit)");
    } else {
        if (n_stages != 1) invalid("desc->n_stages is ", n_stages, " (must be 1 for methods other than NN_METHOD_EXPLICIT_RK)");
        if (method == NN_METHOD_EXPONENTIAL_EULER && n_noise > 0)
            invalid("desc->n_noise is ", n_noise, " but NN_METHOD_EXPONENTIAL_EULER cannot integrate noise");
        if (method == NN_METHOD_LINEAR_SYSTEM && n_noise > 0)
            invalid("desc->n_noise is ", n_noise, " but NN_METHOD_LINEAR_SYSTEM cannot integrate noise");
        if (method == NN_METHOD_LINEAR_SYSTEM && n_state > NN_LINEAR_SYSTEM_MAX_STATES)
            invalid("desc->n_state is ", n_state, " but NN_METHOD_LINEAR_SYSTEM integrates at most ",
                    NN_LINEAR_SYSTEM_MAX_STATES, " (NN_LINEAR_SYSTEM_MAX_STATES)");
    }

    // ---- flags, refractoriness, threshold ----
    if (n_state > 0) {
        if (d.state_flags == nullptr) invalid("desc->state_flags is NULL but n_state is ", n_state);
        state_flags.assign(d.state_flags, d.state_flags + n_state);
    }
    constexpr int32_t linear_bits = NN_STATE_LINEAR_A_ZERO | NN_STATE_LINEAR_B_ZERO | NN_STATE_LINEAR_A_UNIFORM;
    constexpr int32_t known = NN_STATE_UNLESS_REFRACTORY | linear_bits;
    for (int32_t v = 0; v < n_state; ++v) {
        const int32_t f = state_flags[static_cast<size_t>(v)];
        if ((f & ~known) != 0) invalid("desc->state_flags[", v, "] is ", f, " (unknown bits; known: nn_state_flag)");
        if ((f & linear_bits) != 0 && method != NN_METHOD_EXPONENTIAL_EULER)
            invalid("desc->state_flags[", v, "] has NN_STATE_LINEAR_* bits, which only NN_METHOD_EXPONENTIAL_EULER uses");
        if ((f & NN_STATE_LINEAR_A_ZERO) && (f & NN_STATE_LINEAR_B_ZERO))
            invalid("desc->state_flags[", v, "] has both NN_STATE_LINEAR_A_ZERO and NN_STATE_LINEAR_B_ZERO (dx/dt = 0 needs no equation)");
        if ((f & NN_STATE_LINEAR_A_ZERO) && (f & NN_STATE_LINEAR_A_UNIFORM))
            invalid("desc->state_flags[", v, "] has both NN_STATE_LINEAR_A_ZERO and NN_STATE_LINEAR_A_UNIFORM");
    }
    refractory = d.refractory;
    if (refractory < NN_REFRACTORY_NONE || refractory > NN_REFRACTORY_UNIFORM_DURATION)
        invalid("desc->refractory is ", refractory, " (must be an nn_refractory_kind, 0..3)");
    any_unless_refractory = refractory != NN_REFRACTORY_NONE &&
                            std::any_of(state_flags.begin(), state_flags.end(),
                                        [](int32_t f) { return (f & NN_STATE_UNLESS_REFRACTORY) != 0; });
    if (d.has_threshold != 0 && d.has_threshold != 1) invalid("desc->has_threshold is ", d.has_threshold, " (must be 0 or 1)");
    has_threshold = d.has_threshold == 1;
    check_count(d.n_events, "n_events", kMaxVariables);
    if (d.n_events > 0 && d.events == nullptr) invalid("desc->events is NULL but n_events is ", d.n_events);

    // ---- sections ----
    layout.n_state = n_state;
    layout.n_param = n_param;
    layout.n_constants = d.n_constants;
    const bool system = method == NN_METHOD_LINEAR_SYSTEM;
    const int32_t linear_outputs = system ? n_state * (n_state + 1) : 2 * n_state;
    layout.max_outputs = std::max({n_state, n_state * n_noise, linear_outputs, n_observables, 1});
    const bool uses_f = method != NN_METHOD_EXPONENTIAL_EULER && !system;
    auto section = [&](const nn_section& s, const char* name, SectionKind kind, int32_t outputs) {
        if ((s.flags & NN_SECTION_DEFINED) != 0 && s.n_instructions == 0 && !compiled)
            invalid("desc->", name, " is flagged NN_SECTION_DEFINED (its code is in a compiled kernel library), but the "
                    "interpreter (nn_model_create) needs the section's instructions; use nn_model_create_compiled");
        Program p = compile_section(s, (std::string("desc->") + name).c_str(), kind, outputs, layout, n_inputs);
        max_vregs = std::max(max_vregs, p.n_vregs);
        max_sregs = std::max(max_sregs, p.n_sregs);
        return p;
    };
    if (uses_f)
        derivatives = section(d.derivatives, "derivatives", SectionKind::Expression, n_state);
    else
        require_empty(d.derivatives, "derivatives", "NN_METHOD_EXPONENTIAL_EULER and NN_METHOD_LINEAR_SYSTEM use the linear section");
    if (n_noise > 0)
        noise = section(d.noise, "noise", SectionKind::Expression, n_state * n_noise);
    else
        require_empty(d.noise, "noise", "n_noise is 0");
    if (!uses_f)
        linear = section(d.linear, "linear", SectionKind::Expression, linear_outputs);
    else
        require_empty(d.linear, "linear", "only NN_METHOD_EXPONENTIAL_EULER and NN_METHOD_LINEAR_SYSTEM use it");
    if (has_threshold) {
        threshold = section(d.threshold, "threshold", SectionKind::Expression, 1);
        reset = section(d.reset, "reset", SectionKind::Statements, 0);
        has_reset = d.reset.n_instructions > 0 || (d.reset.flags & NN_SECTION_DEFINED) != 0;
    } else {
        require_empty(d.threshold, "threshold", "has_threshold is 0");
        require_empty(d.reset, "reset", "has_threshold is 0");
    }
    if (refractory != NN_REFRACTORY_NONE)
        refractory_expr = section(d.refractory_expr, "refractory_expr", SectionKind::Expression, 1);
    else
        require_empty(d.refractory_expr, "refractory_expr", "refractory is NN_REFRACTORY_NONE");
    for (int32_t e = 0; e < d.n_events; ++e)
        events.push_back(section(d.events[e], cat("events[", e, "]").c_str(), SectionKind::Statements, 0));
    observables = section(d.observables, "observables", SectionKind::Expression, n_observables);

    // ---- operations ----
    check_count(d.n_operations, "n_operations", kMaxVariables);
    if (d.n_operations > 0 && d.operations == nullptr) invalid("desc->operations is NULL but n_operations is ", d.n_operations);
    for (int32_t j = 0; j < d.n_operations; ++j) {
        const nn_operation& o = d.operations[j];
        if (o.slot < NN_SLOT_UPDATE || o.slot > NN_SLOT_END)
            invalid("desc->operations[", j, "].slot is ", o.slot, " (must be an nn_slot, 0..", int(NN_SLOT_END), ")");
        if (j > 0 && o.slot < operation_slots.back())
            invalid("desc->operations[", j, "].slot is ", o.slot, " but operations[", j - 1, "] runs later (slot ",
                    operation_slots.back(), "): operations must be in the order they run");
        if (o.reserved != 0) invalid("desc->operations[", j, "].reserved is ", o.reserved, " (must be 0)");
        if (!(o.dt >= 0.0) || !std::isfinite(o.dt))
            invalid("desc->operations[", j, "].dt is ", o.dt, " (must be 0 or a positive number of seconds)");
        operations.push_back(section(o.code, cat("operations[", j, "].code").c_str(), SectionKind::Statements, 0));
        operation_slots.push_back(o.slot);
        operation_dts.push_back(o.dt);
    }
    if (d.sample_after < 0 || d.sample_after > d.n_operations ||
        (d.sample_after > 0 && operation_slots[static_cast<size_t>(d.sample_after - 1)] != NN_SLOT_UPDATE))
        invalid("desc->sample_after is ", d.sample_after, " (must be 0..n_operations = ", d.n_operations,
                ", with operations [0, sample_after) in NN_SLOT_UPDATE)");
    sample_after = d.sample_after;
    if (!compiled) kernel = isa().bytecode_kernel();
}

} // namespace nn::rt
