// Hand assembly of NeuroNative bytecode for the tests and benchmarks.
#pragma once

#include "neuronative.h"

#include <string>
#include <vector>

namespace bc {

constexpr int32_t operand(int32_t space, int32_t index) { return (space << 24) | index; }
constexpr int32_t state(int32_t i) { return operand(NN_SPACE_STATE, i); }
constexpr int32_t param(int32_t i) { return operand(NN_SPACE_PARAM, i); }
constexpr int32_t special(int32_t i) { return operand(NN_SPACE_SPECIAL, i); }
constexpr int32_t out(int32_t i) { return operand(NN_SPACE_OUT, i); }
constexpr int32_t temp(int32_t i) { return operand(NN_SPACE_TEMP, i); }

struct Section {
    std::vector<int32_t> code;
    int32_t n_temps = 0, n_outputs = 0, flags = 0;
    void emit(int32_t op, int32_t dst, int32_t a = 0, int32_t b = 0, int32_t c = 0) {
        code.insert(code.end(), {op, dst, a, b, c});
    }
    int32_t size() const { return static_cast<int32_t>(code.size() / 5); }
    nn_section view() const { return nn_section{code.empty() ? nullptr : code.data(), size(), n_temps, n_outputs, flags}; }
};

// A model description with owned storage; desc() points into it.
struct Model {
    std::vector<std::string> state_names, param_names, observable_names;
    std::vector<double> constants;
    int32_t method = NN_METHOD_EXPLICIT_RK, n_noise = 0, n_inputs = 0;
    std::vector<double> rk_a{0.0}, rk_b{1.0}, rk_c{0.0}; // forward Euler
    std::vector<int32_t> flags;
    int32_t refractory = NN_REFRACTORY_NONE, has_threshold = 0;
    Section derivatives, noise, linear, threshold, reset, refractory_expr, observables;
    std::vector<Section> events;
    struct Operation {
        Section code;
        int32_t slot = NN_SLOT_UPDATE;
        double dt = 0.0;
    };
    std::vector<Operation> operations;
    int32_t sample_after = 0;

    // A CONST operand with this value (pooled).
    int32_t k(double value) {
        for (size_t i = 0; i < constants.size(); ++i)
            if (constants[i] == value) return operand(NN_SPACE_CONST, static_cast<int32_t>(i));
        constants.push_back(value);
        return operand(NN_SPACE_CONST, static_cast<int32_t>(constants.size() - 1));
    }

    nn_model_desc desc() {
        names_.clear();
        for (auto& s : state_names) names_.push_back(s.c_str());
        for (auto& s : param_names) names_.push_back(s.c_str());
        for (auto& s : observable_names) names_.push_back(s.c_str());
        event_views_.clear();
        for (auto& e : events) event_views_.push_back(e.view());
        operation_views_.clear();
        for (auto& o : operations) operation_views_.push_back(nn_operation{o.code.view(), o.slot, 0, o.dt});
        if (flags.size() < state_names.size()) flags.resize(state_names.size(), 0);
        nn_model_desc d{};
        d.struct_size = sizeof(nn_model_desc);
        d.n_state = static_cast<int32_t>(state_names.size());
        d.n_param = static_cast<int32_t>(param_names.size());
        d.n_noise = n_noise;
        d.n_inputs = n_inputs;
        d.n_constants = static_cast<int32_t>(constants.size());
        d.state_names = names_.data();
        d.param_names = names_.data() + state_names.size();
        d.constants = constants.data();
        d.method = method;
        d.n_stages = method == NN_METHOD_EXPLICIT_RK ? static_cast<int32_t>(rk_b.size()) : 1;
        d.rk_a = rk_a.data();
        d.rk_b = rk_b.data();
        d.rk_c = rk_c.data();
        d.state_flags = flags.data();
        d.refractory = refractory;
        d.has_threshold = has_threshold;
        d.derivatives = derivatives.view();
        d.noise = noise.view();
        d.linear = linear.view();
        d.threshold = threshold.view();
        d.reset = reset.view();
        d.refractory_expr = refractory_expr.view();
        d.n_events = static_cast<int32_t>(events.size());
        d.events = event_views_.data();
        d.observables = observables.view();
        d.observable_names = names_.data() + state_names.size() + param_names.size();
        d.n_operations = static_cast<int32_t>(operations.size());
        d.sample_after = sample_after;
        d.operations = operation_views_.data();
        return d;
    }

    void use_rk4() {
        rk_a = {0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 1, 0};
        rk_b = {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6};
        rk_c = {0, 0.5, 0.5, 1};
    }

private:
    std::vector<const char*> names_;
    std::vector<nn_section> event_views_;
    std::vector<nn_operation> operation_views_;
};

// Emits expressions into a section, one fresh TEMP per result.
struct Expr {
    Section& s;
    int32_t fresh() { return temp(s.n_temps++); }
    int32_t un(int32_t op, int32_t a) {
        const int32_t t = fresh();
        s.emit(op, t, a);
        return t;
    }
    int32_t bin(int32_t op, int32_t a, int32_t b) {
        const int32_t t = fresh();
        s.emit(op, t, a, b);
        return t;
    }
    int32_t add(int32_t a, int32_t b) { return bin(NN_OP_ADD, a, b); }
    int32_t sub(int32_t a, int32_t b) { return bin(NN_OP_SUB, a, b); }
    int32_t mul(int32_t a, int32_t b) { return bin(NN_OP_MUL, a, b); }
    int32_t div(int32_t a, int32_t b) { return bin(NN_OP_DIV, a, b); }
    int32_t exp(int32_t a) { return un(NN_OP_EXP, a); }
    int32_t neg(int32_t a) { return un(NN_OP_NEG, a); }
    void set(int32_t dst, int32_t value) { s.emit(NN_OP_MOV, dst, value); }
};

} // namespace bc
