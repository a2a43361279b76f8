// (i) ISA levels: the same runs at every level the CPU supports give bit-identical results. The
// level is chosen once per process, so each level runs in a child process of this test started with
// NEURONATIVE_ISA=<level>; levels above the CPU's must be refused, with the reason.
#include "check.hpp"
#include "hh_model.hpp"
#include "noise_models.hpp"

#include "isa_levels.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

// FNV-1a over the bytes of the results.
struct Digest {
    uint64_t h = 1469598103934665603ull;
    void add(const void* p, size_t n) {
        for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<const unsigned char*>(p)[i]) * 1099511628211ull;
    }
};

void run(Digest& digest, bc::Model m, int64_t n, double dt, uint64_t seed, int64_t steps,
         const std::vector<std::vector<double>>& params, double x0) {
    nn_model_desc d = m.desc();
    nn_model* model = nullptr;
    nn_simulation* sim = nullptr;
    CHECK_OK(nn_model_create(&d, &model));
    CHECK_OK(nn_simulation_create(model, n, dt, seed, &sim));
    if (sim == nullptr) return;
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_STATE, 0, &x0, 1));
    for (size_t p = 0; p < params.size(); ++p)
        CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_PARAM, static_cast<int32_t>(p), params[p].data(), n));
    CHECK_OK(nn_simulation_set_threads(sim, 2));
    CHECK_OK(nn_simulation_run(sim, steps, nullptr, nullptr));
    std::vector<double> x(static_cast<size_t>(n));
    for (int32_t v = 0; v < static_cast<int32_t>(m.state_names.size()); ++v) {
        CHECK_OK(nn_simulation_get_array(sim, NN_ARRAY_STATE, v, x.data(), n));
        digest.add(x.data(), x.size() * sizeof(double));
    }
    std::vector<int64_t> counts(static_cast<size_t>(n));
    CHECK_OK(nn_simulation_get_spike_counts(sim, counts.data(), n));
    digest.add(counts.data(), counts.size() * sizeof(int64_t));
    nn_simulation_destroy(sim);
    nn_model_destroy(model);
}

// The child: HH (exponential Euler, 1000 neurons over a g_Na x I grid, 0.2 s) and the noisy models;
// prints "<level> <digest>".
int child() {
    const char* level = nn_isa_level();
    if (level == nullptr) {
        std::printf("refused %s\n", nn_last_error_message());
        return 0;
    }
    Digest digest;
    const int64_t n = 1000;
    std::vector<std::vector<double>> hh_params(2, std::vector<double>(static_cast<size_t>(n)));
    for (int64_t i = 0; i < n; ++i) {
        hh_params[0][static_cast<size_t>(i)] = (1 + i % 40) * 5e-6;  // g_na
        hh_params[1][static_cast<size_t>(i)] = (i / 40) * 0.02e-9;   // I
    }
    run(digest, hh::model(), n, 1e-4, 0, 2000, hh_params, -60e-3);
    for (int32_t method : {NN_METHOD_EXPLICIT_RK, NN_METHOD_STOCHASTIC_HEUN, NN_METHOD_MILSTEIN}) {
        run(digest, noise_models::ou(method, 10e-3, 2.0), n, 1e-4, 7, 300, {}, 3.0);
        run(digest, noise_models::geometric(method), n, 1e-3, 8, 300, {}, 1.0);
    }
    std::printf("%s %016llx\n", level, static_cast<unsigned long long>(digest.h));
    return nn_test::report() == 0 ? 0 : 1;
}

// The first line a child printed, or "" when it failed.
std::string run_child(const std::string& self, const char* level) {
    const std::string command = (level != nullptr ? std::string("NEURONATIVE_ISA=") + level + " " : std::string())
                                + "'" + self + "' --child";
    FILE* p = popen(command.c_str(), "r");
    if (p == nullptr) return "";
    char line[4096] = {};
    const bool got = std::fgets(line, sizeof line, p) != nullptr;
    const int rc = pclose(p);
    std::string s = got ? line : "";
    if (!s.empty() && s.back() == '\n') s.pop_back();
    std::printf("%-8s -> %s%s\n", level != nullptr ? level : "(auto)", s.c_str(), rc != 0 ? " (child failed)" : "");
    return rc == 0 ? s : "";
}

} // namespace

int main(int argc, char** argv) {
    if (argc > 1 && std::string(argv[1]) == "--child") return child();
    const std::string self = argv[0];
    unsetenv("NEURONATIVE_ISA"); // the automatic child must choose by itself
    const std::string automatic = run_child(self, nullptr);
    CHECK(!automatic.empty() && automatic.rfind("refused", 0) != 0);
    const std::string best = automatic.substr(0, automatic.find(' '));
    // Levels up to the automatic choice run and match it bit for bit; the ones above are refused.
    bool above = false;
#define NN_ISA_RUN(L)                                                                                      \
    {                                                                                                      \
        const std::string got = run_child(self, #L);                                                       \
        if (above) {                                                                                       \
            CHECK(got.rfind("refused", 0) == 0 && got.find("NEURONATIVE_ISA is '" #L "'") != std::string::npos); \
        } else {                                                                                           \
            CHECK(got == #L + automatic.substr(best.size()));                                              \
        }                                                                                                  \
        above = above || best == #L;                                                                       \
    }
    NN_ISA_LEVELS(NN_ISA_RUN)
#undef NN_ISA_RUN
    CHECK(above); // the automatic choice is one of the levels built
    const std::string bogus = run_child(self, "bogus");
    CHECK(bogus.rfind("refused", 0) == 0 && bogus.find("not a level of this build") != std::string::npos);
    return nn_test::report();
}
