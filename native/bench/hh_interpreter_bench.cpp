// Interpreter throughput on the HH exponential-Euler model (tests/hh_model.hpp): 10,000 neurons
// (100 x 100 grid of g_na 2e-6..2e-5 S and I 0..2 nA), dt 0.1 ms, 1 s, with 1 and 2 threads.
// Prints neuron-steps/s; Brian 2 cpp_standalone reaches ~2.2e7 neuron-steps/s on this model.
#include "hh_model.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

bool ok(nn_status s, const char* what) {
    if (s != NN_OK) std::fprintf(stderr, "%s failed: %s\n", what, nn_last_error_message());
    return s == NN_OK;
}

} // namespace

int main(int argc, char** argv) {
    const int64_t n = argc > 1 ? std::atoll(argv[1]) : 10000;
    const int64_t steps = argc > 2 ? std::atoll(argv[2]) : 10000;
    bc::Model m = hh::model();
    nn_model_desc d = m.desc();
    nn_model* model = nullptr;
    if (!ok(nn_model_create(&d, &model), "nn_model_create")) return 1;
    const int per_step = m.linear.size() + m.threshold.size() + m.refractory_expr.size();
    std::printf("bytecode instructions per neuron-step: %d (linear %d, threshold %d, refractory %d) + the "
                "exponential-Euler update of 4 variables\n",
                per_step, m.linear.size(), m.threshold.size(), m.refractory_expr.size());

    const int64_t side = 100;
    std::vector<double> g_na(static_cast<size_t>(n)), I(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        g_na[static_cast<size_t>(i)] = 2e-6 + 18e-6 * static_cast<double>(i % side) / (side - 1);
        I[static_cast<size_t>(i)] = 2e-9 * static_cast<double>((i / side) % side) / (side - 1);
    }
    for (int threads : {1, 2}) {
        nn_simulation* sim = nullptr;
        if (!ok(nn_simulation_create(model, n, 1e-4, 0, &sim), "nn_simulation_create")) return 1;
        const double El = -60e-3;
        ok(nn_simulation_set_array(sim, NN_ARRAY_STATE, 0, &El, 1), "set v");
        ok(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 0, g_na.data(), n), "set g_na");
        ok(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 1, I.data(), n), "set I");
        ok(nn_simulation_set_threads(sim, threads), "set threads");
        const auto t0 = std::chrono::steady_clock::now();
        if (!ok(nn_simulation_run(sim, steps, nullptr, nullptr), "nn_simulation_run")) return 1;
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        int64_t spikes = 0;
        ok(nn_simulation_get_spike_total(sim, &spikes), "spike total");
        std::printf("%d thread(s): %.3f s, %.3g neuron-steps/s, %lld spikes\n", threads, s,
                    static_cast<double>(n) * static_cast<double>(steps) / s, static_cast<long long>(spikes));
        nn_simulation_destroy(sim);
    }
    nn_model_destroy(model);
    return 0;
}
