// (h) nn::exp accuracy, nn::expm against closed forms, Philox4x32-10 known answers, RNG properties, and the interpreter's
// elementwise opcodes against their definitions (through the C ABI).
#include "bytecode.hpp"
#include "check.hpp"
#include "neuronative/distributions.hpp"
#include "neuronative/math.hpp"
#include "neuronative/philox.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace {

// Error of nn::exp(x) in units in the last place of the correctly rounded result, using the
// 64-bit-mantissa expl as the reference.
double ulp_error(double x) {
    const long double ref = expl(static_cast<long double>(x));
    const double r = static_cast<double>(ref);
    if (std::isinf(r)) return std::isinf(nn::exp(x)) ? 0.0 : 1e9;
    const double ulp = std::nextafter(r, INFINITY) - r;
    return static_cast<double>(fabsl(static_cast<long double>(nn::exp(x)) - ref) / ulp);
}

void test_exp() {
    std::mt19937_64 gen(42);
    double worst = 0.0;
    auto sweep = [&](double lo, double hi, int count) {
        std::uniform_real_distribution<double> u(lo, hi);
        for (int i = 0; i < count; ++i) worst = std::max(worst, ulp_error(u(gen)));
    };
    sweep(-745.2, 709.8, 2000000); // the whole finite range, subnormal results included
    sweep(-1.0, 1.0, 1000000);
    sweep(-1e-6, 1e-6, 200000);
    sweep(-709.0, -700.0, 200000); // around the normal/subnormal boundary
    std::printf("nn::exp max error %.3f ulp\n", worst);
    CHECK(worst <= 0.9); // 0.83 measured (Chebyshev degree 12, r kept as r + r_lo)

    // nn::detail::fma rounds once (a fused multiply-add on every target), which nn::exp relies on
    // for identical results across backends: (1 + 2^-30)(1 - 2^-30) - 1 = -2^-60 exactly.
    CHECK(nn::detail::fma(1.0 + 0x1p-30, 1.0 - 0x1p-30, -1.0) == -0x1p-60);

    CHECK(std::isnan(nn::exp(NAN)));
    CHECK(nn::exp(INFINITY) == INFINITY);
    CHECK(nn::exp(-INFINITY) == 0.0);
    CHECK(nn::exp(0.0) == 1.0 && nn::exp(-0.0) == 1.0);
    CHECK(nn::exp(709.782712893384) == std::exp(709.782712893384)); // largest finite result
    CHECK(nn::exp(709.7827128933841) == INFINITY);
    CHECK(nn::exp(800.0) == INFINITY && nn::exp(1e300) == INFINITY);
    CHECK(nn::exp(-745.1332191019411) == 4.9406564584124654e-324);  // smallest subnormal
    CHECK(nn::exp(-745.1332191019412) == 0.0 && nn::exp(-1e300) == 0.0);
    CHECK(std::fabs(nn::exp(1.0) - std::exp(1.0)) <= 4.5e-16); // within 1 ulp

    CHECK(nn::exprel(0.0) == 1.0 && nn::exprel(1e-17) == 1.0);
    CHECK(nn::exprel(718.0) == INFINITY);
    CHECK(nn::exprel(-1e300) == 1e-300 && nn::exprel(-1000.0) == 1e-3 && std::isnan(nn::exprel(NAN)));
    // Within 2 ulp of expm1(x)/x over 1e-15..700 in magnitude, both signs, the HH range included.
    double worst_exprel = 0;
    for (double m = 1e-15; m < 700; m *= 1.0007)
        for (double x : {m, -m}) {
            const double ref = std::expm1(x) / x, got = nn::exprel(x);
            worst_exprel = std::max(worst_exprel, std::fabs(got - ref) / (std::nextafter(std::fabs(ref), INFINITY) - std::fabs(ref)));
        }
    std::printf("exprel: max %.2f ulp from expm1(x)/x\n", worst_exprel);
    double worst_expm1 = 0;
    for (double m = 1e-300; m < 700; m *= 1.0007)
        for (double x : {m, -m}) {
            const double ref = std::expm1(x), got = nn::expm1(x);
            worst_expm1 = std::max(worst_expm1, std::fabs(got - ref) / (std::nextafter(std::fabs(ref), INFINITY) - std::fabs(ref)));
        }
    std::printf("expm1: max %.2f ulp from libm's expm1\n", worst_expm1);
    CHECK(worst_expm1 <= 2.0);
    CHECK(nn::expm1(0.0) == 0.0 && nn::expm1(-1000.0) == -1.0 && nn::expm1(800.0) == INFINITY);
    // Up to exp's own overflow, where 2^n alone is already infinite (n = 1024 from x = 709.43 on).
    for (double x = 709.0; x < 709.7827; x += 0.01)
        CHECK(std::fabs(nn::expm1(x) - std::expm1(x)) <= 4.5e-16 * std::expm1(x));
    CHECK(nn::expm1(709.7827128933841) == INFINITY);
    CHECK(worst_exprel <= 2.0);

    // The float32 option's twins: within 2 ulp of float over the whole finite range, same edges.
    double worst_f = 0;
    for (double m = 1e-37; m < 88.7; m *= 1.0007)
        for (double x : {m, -m}) {
            const float xf = static_cast<float>(x);
            const double ref_e = std::exp(static_cast<double>(xf)), ref_m = std::expm1(static_cast<double>(xf));
            const double ulp_e = std::nextafter(static_cast<float>(ref_e), INFINITY) - static_cast<float>(ref_e);
            const double ulp_m = std::fabs(std::nextafter(static_cast<float>(ref_m), INFINITY) - static_cast<float>(ref_m));
            if (ref_e > 1.2e-38) worst_f = std::max(worst_f, std::fabs(nn::exp(xf) - ref_e) / ulp_e);
            worst_f = std::max(worst_f, std::fabs(nn::expm1(xf) - ref_m) / ulp_m);
            const double ref_r = ref_m / static_cast<double>(xf);
            worst_f = std::max(worst_f, std::fabs(nn::exprel(xf) - ref_r) /
                                            std::fabs(std::nextafter(static_cast<float>(ref_r), INFINITY) - static_cast<float>(ref_r)));
        }
    std::printf("float exp, expm1, exprel: max %.2f ulp\n", worst_f);
    CHECK(worst_f <= 2.0);
    CHECK(nn::expm1(88.7f) < INFINITY && nn::expm1(88.8f) == INFINITY && nn::expm1(-200.0f) == -1.0f);
    CHECK(nn::exprel(0.0f) == 1.0f && nn::exprel(90.0f) == INFINITY && std::isnan(nn::exprel(NAN)));
    CHECK(nn::powi(3.0, 0) == 1.0 && nn::powi(2.0, 10) == 1024.0 && nn::powi(2.0, -2) == 0.25);
    const double x = 1.1;
    CHECK(nn::powi(x, 3) == x * x * x);
    CHECK(nn::powi(x, 4) == (x * x) * (x * x));
    CHECK(nn::powi(x, -5) == 1.0 / (x * ((x * x) * (x * x))));
}

void test_philox() {
    // Known-answer vectors of Random123 (kat_vectors, philox4x32 with 10 rounds).
    struct Kat {
        uint32_t ctr[4], key[2], out[4];
    } const kats[] = {
        {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{~0u, ~0u, ~0u, ~0u}, {~0u, ~0u}, {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
         {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };
    for (const Kat& k : kats) {
        const nn::Philox4x32 r = nn::philox4x32_10({{k.ctr[0], k.ctr[1], k.ctr[2], k.ctr[3]}}, k.key[0], k.key[1]);
        CHECK(std::memcmp(r.v, k.out, sizeof k.out) == 0);
    }
    // Uniform in [0, 1), normal with mean 0 and variance 1; different streams/steps/neurons differ.
    const int n = 400000;
    double su = 0, sn = 0, sn2 = 0, umin = 1, umax = 0;
    for (int i = 0; i < n; ++i) {
        const double u = nn::uniform(7, i % 1000, i / 1000, 3);
        const double z = nn::normal(7, i % 1000, i / 1000, 4);
        su += u;
        sn += z;
        sn2 += z * z;
        umin = std::min(umin, u);
        umax = std::max(umax, u);
    }
    CHECK(umin >= 0.0 && umax < 1.0);
    CHECK(std::fabs(su / n - 0.5) < 4 * std::sqrt(1.0 / 12 / n));
    CHECK(std::fabs(sn / n) < 4 / std::sqrt(double(n)));
    CHECK(std::fabs(sn2 / n - 1.0) < 4 * std::sqrt(2.0 / n));
    CHECK(nn::uniform(1, 0, 0, 0) != nn::uniform(1, 0, 0, 1));
    CHECK(nn::uniform(1, 0, 0, 0) != nn::uniform(1, 0, 1, 0));
    CHECK(nn::uniform(1, 0, 0, 0) != nn::uniform(1, 1, 0, 0));
    CHECK(nn::uniform(1, 0, 0, 0) != nn::uniform(2, 0, 0, 0));
    CHECK(nn::uniform(1, 5, 9, 2) == nn::uniform(1, 5, 9, 2));
}

// Each opcode evaluated by the interpreter (in an event section, one neuron) equals its definition.
void test_opcodes() {
    const double xs[] = {-7.5, -2.0, -0.0, 0.0, 0.3, 1.0, 2.5, 3.0, 7.0, 1e-20, 800.0, NAN, INFINITY};
    const double ys[] = {2.0, -3.0, 0.5, 1.0};
    bc::Model m;
    m.state_names = {"x"};
    m.param_names = {"a", "b"};
    m.derivatives.n_outputs = 1;
    m.derivatives.emit(NN_OP_MOV, bc::out(0), m.k(0.0));
    struct Case {
        int32_t op;
        int32_t imm;
        double (*ref)(double, double);
    };
    const Case cases[] = {
        {NN_OP_ADD, 0, [](double a, double b) { return a + b; }},
        {NN_OP_SUB, 0, [](double a, double b) { return a - b; }},
        {NN_OP_MUL, 0, [](double a, double b) { return a * b; }},
        {NN_OP_DIV, 0, [](double a, double b) { return a / b; }},
        {NN_OP_POW, 0, [](double a, double b) { return std::pow(a, b); }},
        {NN_OP_FLOORDIV, 0, [](double a, double b) { return std::floor(a / b); }},
        {NN_OP_MOD, 0, [](double a, double b) { // Python: sign of b
             double r = std::fmod(a, b);
             return r != 0 && ((r < 0) != (b < 0)) ? r + b : (r == 0 ? std::copysign(0.0, b) : r);
         }},
        {NN_OP_LT, 0, [](double a, double b) { return double(a < b); }},
        {NN_OP_GE, 0, [](double a, double b) { return double(a >= b); }},
        {NN_OP_NE, 0, [](double a, double b) { return double(a != b); }},
        {NN_OP_AND, 0, [](double a, double b) { return double(a != 0 && b != 0); }},
        {NN_OP_OR, 0, [](double a, double b) { return double(a != 0 || b != 0); }},
        {NN_OP_EXP, 0, [](double a, double) { return nn::exp(a); }},
        {NN_OP_LOG, 0, [](double a, double) { return std::log(a); }},
        {NN_OP_SQRT, 0, [](double a, double) { return std::sqrt(a); }},
        {NN_OP_TANH, 0, [](double a, double) { return std::tanh(a); }},
        {NN_OP_ABS, 0, [](double a, double) { return std::fabs(a); }},
        {NN_OP_SIGN, 0, [](double a, double) { return a > 0 ? 1.0 : a < 0 ? -1.0 : a == 0 ? 0.0 : a; }},
        {NN_OP_TRUNC, 0, [](double a, double) { return std::trunc(a); }},
        {NN_OP_FLOOR, 0, [](double a, double) { return std::floor(a); }},
        {NN_OP_EXPREL, 0, [](double a, double) { return nn::exprel(a); }},
        {NN_OP_NOT, 0, [](double a, double) { return double(a == 0); }},
        {NN_OP_NEG, 0, [](double a, double) { return -a; }},
        {NN_OP_POWI, 5, [](double a, double) { return nn::powi(a, 5); }},
        {NN_OP_POWI, -3, [](double a, double) { return nn::powi(a, -3); }},
        {NN_OP_POWI, 0, [](double a, double) { return nn::powi(a, 0); }},
        {NN_OP_POWI, 1, [](double a, double) { return a; }},
        {NN_OP_CLIP, 0, [](double a, double) { return a < -1.0 ? -1.0 : (a > 2.0 ? 2.0 : a); }},
        {NN_OP_SELECT, 0, [](double a, double) { return a != 0 ? 5.0 : 6.0; }},
    };
    // Event e writes b = op(a, b) (b = op(a) for unary ops) and x = op applied to scalar operands.
    for (const Case& c : cases) {
        bc::Section s;
        const int32_t a = bc::param(0), b = bc::param(1);
        switch (c.op) {
        case NN_OP_POWI: s.emit(c.op, b, a, c.imm); break;
        case NN_OP_CLIP: s.emit(c.op, b, a, m.k(-1.0), m.k(2.0)); break;
        case NN_OP_SELECT: s.emit(c.op, b, a, m.k(5.0), m.k(6.0)); break;
        case NN_OP_EXP: case NN_OP_LOG: case NN_OP_SQRT: case NN_OP_TANH: case NN_OP_ABS: case NN_OP_SIGN:
        case NN_OP_TRUNC: case NN_OP_FLOOR: case NN_OP_EXPREL: case NN_OP_NOT: case NN_OP_NEG:
            s.emit(c.op, b, a);
            break;
        default: s.emit(c.op, b, a, b);
        }
        m.events.push_back(s);
    }
    nn_model_desc d = m.desc();
    nn_model* model = nullptr;
    CHECK_OK(nn_model_create(&d, &model));
    if (model == nullptr) return;
    for (size_t ci = 0; ci < std::size(cases); ++ci)
        for (double x : xs)
            for (double y : ys) {
                nn_simulation* sim = nullptr;
                CHECK_OK(nn_simulation_create(model, 1, 1e-4, 1, &sim));
                CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 0, &x, 1));
                CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 1, &y, 1));
                const int64_t neuron = 0;
                const double time = 0.0, value = 0.0;
                CHECK_OK(nn_simulation_add_events(sim, static_cast<int32_t>(ci), &neuron, &time, &value, 1));
                CHECK_OK(nn_simulation_run(sim, 1, nullptr, nullptr));
                double got = 0;
                CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_PARAM, 1, &got, 1));
                const double want = cases[ci].ref(x, y);
                const bool same = std::memcmp(&got, &want, sizeof got) == 0 || (std::isnan(got) && std::isnan(want));
                if (!same) std::fprintf(stderr, "opcode %d (imm %d): op(%g, %g) = %.17g, expected %.17g\n",
                                        cases[ci].op, cases[ci].imm, x, y, got, want);
                CHECK(same);
                nn_simulation_destroy(sim);
            }
    nn_model_destroy(model);
}

// rand()/randn() in the interpreter are nn::uniform/nn::normal of (seed, neuron, step, stream),
// in expression sections (over blocks) and in reset statements (one neuron at a time).
void test_random_opcodes() {
    bc::Model m;
    m.state_names = {"x"};
    m.derivatives.n_outputs = 1;
    m.derivatives.emit(NN_OP_MOV, bc::out(0), m.k(0.0));
    m.has_threshold = 1; // spike where randn() > 0 (stream 3); reset: x = rand() (stream 5)
    m.threshold.n_outputs = 1;
    bc::Expr t{m.threshold};
    m.threshold.emit(NN_OP_GT, bc::out(0), t.un(NN_OP_RANDN, 3), m.k(0.0));
    bc::Expr r{m.reset};
    m.reset.emit(NN_OP_MOV, bc::state(0), r.un(NN_OP_RAND, 5));
    nn_model_desc d = m.desc();
    nn_model* model = nullptr;
    nn_simulation* sim = nullptr;
    CHECK_OK(nn_model_create(&d, &model));
    const int64_t n = 200;
    const uint64_t seed = 0x1234567890abcdefull;
    CHECK_OK(nn_simulation_create(model, n, 1e-4, seed, &sim));
    CHECK_OK(nn_simulation_set_threads(sim, 2));
    const double minus_one = -1.0;
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_STATE, 0, &minus_one, 1));
    CHECK_OK(nn_simulation_run(sim, 3, nullptr, nullptr));
    std::vector<double> x(static_cast<size_t>(n));
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_STATE, 0, x.data(), n));
    std::vector<int64_t> counts(static_cast<size_t>(n));
    CHECK_OK(nn_simulation_get_spike_counts(sim, counts.data(), n));
    for (int64_t i = 0; i < n; ++i) {
        double expected = -1.0;
        int64_t spikes = 0;
        for (int64_t k = 0; k < 3; ++k)
            if (nn::normal(seed, i, k, 3) > 0.0) {
                expected = nn::uniform(seed, i, k, 5);
                ++spikes;
            }
        CHECK(counts[static_cast<size_t>(i)] == spikes);
        CHECK(x[static_cast<size_t>(i)] == expected);
    }
    nn_simulation_destroy(sim);
    nn_model_destroy(model);
}

// Mean and variance of `count` samples within 5 standard errors of the distribution's (mu4: its fourth central
// moment, for the error of the variance).
bool moments_agree(const std::vector<double>& x, double mean, double variance, double mu4) {
    const double n = static_cast<double>(x.size());
    double s = 0, s2 = 0;
    for (double v : x) s += v;
    const double m = s / n;
    for (double v : x) s2 += (v - m) * (v - m);
    const double var = s2 / (n - 1);
    const bool ok = std::fabs(m - mean) <= 5 * std::sqrt(variance / n) &&
                    std::fabs(var - variance) <= 5 * std::sqrt((mu4 - variance * variance) / n) + 1e-12;
    if (!ok) std::fprintf(stderr, "mean %.6g (expected %.6g), variance %.6g (expected %.6g)\n", m, mean, var, variance);
    return ok;
}

// poisson() (multiplication below 10, PTRS from 10) and BinomialFunction's inversion: whole numbers with the
// distributions' moments and probabilities, pure functions of their counters, the draws of a call site apart.
void test_distributions() {
    const int n = 200000;
    auto sample = [&](auto draw) {
        std::vector<double> x(n);
        for (int j = 0; j < n; ++j) x[static_cast<size_t>(j)] = draw(j % 500, j / 500);
        return x;
    };
    for (double lam : {0.5, 3.0, 9.99, 10.0, 25.0, 1000.0}) {
        const auto x = sample([&](int64_t i, int64_t k) { return nn::poisson(11, i, k, 2, lam); });
        CHECK(moments_agree(x, lam, lam, lam + 3 * lam * lam));
        bool whole = true;
        for (double v : x) whole = whole && v >= 0 && v == std::floor(v);
        CHECK(whole);
        if (lam == 3.0) // P(X = j) for j = 0..6 within 5 standard errors
            for (int j = 0; j <= 6; ++j) {
                const double p = std::exp(-lam + j * std::log(lam) - std::lgamma(j + 1.0));
                const double f = static_cast<double>(std::count(x.begin(), x.end(), double(j))) / n;
                CHECK(std::fabs(f - p) <= 5 * std::sqrt(p * (1 - p) / n));
            }
    }
    CHECK(nn::poisson(11, 3, 4, 2, 0.0) == 0.0);
    CHECK(nn::poisson(11, 3, 4, 2, -1.0) == 0.0);
    CHECK(nn::poisson(11, 3, 4, 2, 25.0) == nn::poisson(11, 3, 4, 2, 25.0));
    struct B {
        double trials, p;
    };
    for (B b : {B{100, 0.1}, B{20, 0.7}, B{1000, 0.3}, B{7, 0.5}}) {
        const auto x = sample([&](int64_t i, int64_t k) { return nn::binomial(5, i, k, 9, b.trials, b.p); });
        const double q = 1 - b.p, var = b.trials * b.p * q;
        CHECK(moments_agree(x, b.trials * b.p, var, var * (1 + 3 * (b.trials - 2) * b.p * q)));
        bool whole = true;
        for (double v : x) whole = whole && v >= 0 && v <= b.trials && v == std::floor(v);
        CHECK(whole);
    }
    CHECK(nn::binomial(5, 0, 0, 9, 30, 0.0) == 0.0);
    CHECK(nn::binomial(5, 0, 0, 9, 30, 1.0) == 30.0);
    CHECK(nn::binomial(5, 0, 0, 9, 0, 0.4) == 0.0);
    for (B bad : {B{10.5, 0.3}, B{-1, 0.3}, B{10, 1.5}, B{10, NAN}, B{5000, 0.5}}) // 0.5^5000 underflows
        CHECK(std::isnan(nn::binomial(5, 0, 0, 9, bad.trials, bad.p)));
    // Draw 0 of a call site is rand()'s number of the same stream; draws 1, 2, ... are other numbers.
    nn::Uniforms u{7, 12, 34, 5};
    const double u0 = u.next(), u1 = u.next(), u2 = u.next();
    CHECK(u0 == nn::uniform(7, 12, 34, 5));
    CHECK(u1 != u0 && u2 != u0 && u2 != u1);
    CHECK(u2 == nn::uniform(7, 12 + (int64_t(1) << 40), 34, 5)); // block 1: the counter of a neuron no simulation has
}

// POISSON and BINOMIAL in the interpreter are nn::poisson and nn::binomial of (seed, neuron, step, stream, operands),
// with vector and scalar operands.
void test_distribution_opcodes() {
    bc::Model m;
    m.state_names = {"x"};
    m.param_names = {"lam", "a", "b"};
    m.derivatives.n_outputs = 1;
    m.derivatives.emit(NN_OP_MOV, bc::out(0), m.k(0.0));
    bc::Model::Operation op;
    op.code.emit(NN_OP_POISSON, bc::param(1), bc::param(0), 4);
    op.code.emit(NN_OP_BINOMIAL, bc::param(2), m.k(40.0), m.k(0.25), 6);
    m.operations.push_back(op);
    m.sample_after = 1;
    nn_model_desc d = m.desc();
    nn_model* model = nullptr;
    nn_simulation* sim = nullptr;
    CHECK_OK(nn_model_create(&d, &model));
    const int64_t n = 600;
    const uint64_t seed = 99;
    CHECK_OK(nn_simulation_create(model, n, 1e-4, seed, &sim));
    CHECK_OK(nn_simulation_set_threads(sim, 2));
    std::vector<double> lam(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) lam[static_cast<size_t>(i)] = 0.05 * static_cast<double>(i);
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 0, lam.data(), n));
    CHECK_OK(nn_simulation_run(sim, 3, nullptr, nullptr));
    std::vector<double> a(static_cast<size_t>(n)), b(static_cast<size_t>(n));
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_PARAM, 1, a.data(), n));
    CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_PARAM, 2, b.data(), n));
    for (int64_t i = 0; i < n; ++i) {
        CHECK(a[static_cast<size_t>(i)] == nn::poisson(seed, i, 2, 4, lam[static_cast<size_t>(i)]));
        CHECK(b[static_cast<size_t>(i)] == nn::binomial(seed, i, 2, 6, 40.0, 0.25));
    }
    nn_simulation_destroy(sim);
    nn_model_destroy(model);
    // The stream is an immediate >= 0.
    bc::Model bad = m;
    bad.operations[0].code = bc::Section{};
    bad.operations[0].code.emit(NN_OP_POISSON, bc::param(1), bc::param(0), -2);
    d = bad.desc();
    CHECK_STATUS(nn_model_create(&d, &model), NN_ERR_INVALID_ARGUMENT);
    CHECK(nn_test::says("(POISSON): stream id (immediate b) is -2 (must be >= 0)"));
}

// Largest |got - want| relative to the largest |want|.
double rel_error(const double* got, const double* want, int count) {
    double err = 0.0, scale = 0.0;
    for (int k = 0; k < count; ++k) {
        err = std::max(err, std::fabs(got[k] - want[k]));
        scale = std::max(scale, std::fabs(want[k]));
    }
    return err / scale;
}

// nn::expm against closed forms: diagonal, Jordan block, rotation (norms that need no scaling and
// many squarings), a graded triangular matrix, and the augmented matrix of dx/dt = -x/tau + c, whose last column is
// tau (1 - e^{-dt/tau}) c.
void test_expm() {
    for (double h : {1e-3, 0.3, 7.0, 150.0}) {
        {
            double a[9] = {-h, 0, 0, 0, 2 * h, 0, 0, 0, -0.25 * h}, e[9];
            const double want[9] = {std::exp(-h), 0, 0, 0, std::exp(2 * h), 0, 0, 0, std::exp(-0.25 * h)};
            nn::expm(a, 3, e);
            CHECK(rel_error(e, want, 9) < 1e-13 * std::max(1.0, h));
        }
        {   // lambda on the diagonal, 1 above: e^{lambda} [1 1 1/2; 0 1 1; 0 0 1]
            const double lambda = -h;
            double a[9] = {lambda, 1, 0, 0, lambda, 1, 0, 0, lambda}, e[9];
            const double x = std::exp(lambda);
            const double want[9] = {x, x, 0.5 * x, 0, x, x, 0, 0, x};
            nn::expm(a, 3, e);
            CHECK(rel_error(e, want, 9) < 1e-13 * std::max(1.0, h));
        }
        {
            double a[4] = {0, -h, h, 0}, e[4];
            const double want[4] = {std::cos(h), -std::sin(h), std::sin(h), std::cos(h)};
            nn::expm(a, 2, e);
            CHECK(rel_error(e, want, 4) < 1e-13 * std::max(1.0, h));
        }
        {
            const double c = 3.5;
            double a[4] = {-h, c * h, 0, 0}, e[4];
            const double want[4] = {std::exp(-h), -std::expm1(-h) * c, 0, 1};
            nn::expm(a, 2, e);
            CHECK(rel_error(e, want, 4) < 1e-14 * std::max(1.0, h));
        }
    }
    {   // graded, as a membrane in volts driven by a current in amperes: every entry within 1e-14 (3
        // squarings); scaling by ||a|| = 1e6 would take 21 and lose 2^21 ulp (~2e-10)
        const double x = -0.01, y = -0.1, b = 1e6;
        double a[4] = {x, b, 0, y}, e[4];
        nn::expm(a, 2, e);
        const double want[4] = {std::exp(x), b * std::exp(y) * std::expm1(x - y) / (x - y), 0, std::exp(y)};
        for (int k = 0; k < 4; ++k) CHECK(std::fabs(e[k] - want[k]) <= 1e-14 * std::fabs(want[k]));
    }
    double zero[1] = {0}, e[1];
    nn::expm(zero, 1, e);
    CHECK(e[0] == 1.0);
    double nan[1] = {NAN};
    nn::expm(nan, 1, e);
    CHECK(std::isnan(e[0]));
}
} // namespace

int main() {
    test_random_opcodes();
    test_distributions();
    test_distribution_opcodes();
    test_exp();
    test_expm();
    test_philox();
    test_opcodes();
    return nn_test::report();
}
