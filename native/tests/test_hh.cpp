// (c) HH with exponential Euler against Brian 2's results for the same model (tests/data/
// hh_exploration_small): identical spike counts over 2 s, spikes of the first second in the same
// step, traces to 1e-9 of each column's range. Also: a 20-neuron run spikes.
#include "check.hpp"
#include "hh_model.hpp"

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::vector<double>> read_csv(const std::string& name) {
    std::ifstream in(std::string(NN_TEST_DATA_DIR) + "/hh_exploration_small/" + name);
    std::vector<std::vector<double>> rows;
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        std::vector<double> row;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, ',')) row.push_back(std::stod(cell));
        rows.push_back(row);
    }
    return rows;
}

nn_simulation* make(nn_model* model, const std::vector<double>& g_na, const std::vector<double>& I) {
    nn_simulation* sim = nullptr;
    CHECK_OK(nn_simulation_create(model, static_cast<int64_t>(g_na.size()), 1e-4, 0, &sim));
    const double El = -60e-3;
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_STATE, 0, &El, 1));
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 0, g_na.data(), static_cast<int64_t>(g_na.size())));
    CHECK_OK(nn_simulation_set_array(sim, NN_ARRAY_PARAM, 1, I.data(), static_cast<int64_t>(I.size())));
    return sim;
}

void test_against_brian(nn_model* model) {
    const auto conditions = read_csv("conditions.csv"), counts = read_csv("spike_counts.csv");
    const auto spikes = read_csv("spikes.csv"), traces = read_csv("traces.csv");
    CHECK(conditions.size() == 400 && counts.size() == 400 && traces.size() == 500);
    if (conditions.size() != 400) return;
    std::vector<double> g_na, I;
    for (const auto& row : conditions) {
        g_na.push_back(row[1]);
        I.push_back(row[2]);
    }
    nn_simulation* sim = make(model, g_na, I);
    const int32_t kinds[4] = {NN_ARRAY_STATE, NN_ARRAY_STATE, NN_ARRAY_STATE, NN_ARRAY_STATE};
    const int32_t indices[4] = {0, 1, 2, 3};
    const int64_t traced[3] = {0, 57, 399};
    int32_t mon = -1;
    CHECK_OK(nn_simulation_add_state_monitor(sim, kinds, indices, 4, traced, 3, 1, &mon));
    CHECK_OK(nn_simulation_set_threads(sim, 2));
    CHECK_OK(nn_simulation_run(sim, 500, nullptr, nullptr));
    CHECK_OK(nn_simulation_run(sim, 19500, nullptr, nullptr));

    std::vector<int64_t> got_counts(400);
    CHECK_OK(nn_simulation_get_spike_counts(sim, got_counts.data(), 400));
    int mismatched = 0;
    int64_t total = 0;
    for (int i = 0; i < 400; ++i) {
        total += got_counts[static_cast<size_t>(i)];
        if (got_counts[static_cast<size_t>(i)] != static_cast<int64_t>(counts[static_cast<size_t>(i)][1])) ++mismatched;
    }
    std::printf("HH 400 neurons, 2 s: %lld spikes (Brian: 9101), %d neurons with a different count\n",
                static_cast<long long>(total), mismatched);
    CHECK(mismatched == 0);
    CHECK(total == 9101);

    int64_t n_spikes = 0;
    CHECK_OK(nn_simulation_get_spike_total(sim, &n_spikes));
    std::vector<int64_t> idx(static_cast<size_t>(n_spikes));
    std::vector<double> times(static_cast<size_t>(n_spikes));
    CHECK_OK(nn_simulation_get_spikes(sim, idx.data(), times.data(), n_spikes, &n_spikes));
    size_t first_second = 0;
    while (first_second < times.size() && times[first_second] < 1.0) ++first_second;
    CHECK(first_second == spikes.size());
    int different = 0;
    for (size_t j = 0; j < std::min(first_second, spikes.size()); ++j)
        if (idx[j] != static_cast<int64_t>(spikes[j][0]) || std::fabs(times[j] - spikes[j][1]) > 0.5e-4) ++different;
    CHECK(different == 0);

    int64_t samples = 0;
    CHECK_OK(nn_simulation_get_monitor_size(sim, mon, &samples));
    CHECK(samples == 20000);
    double worst = 0;
    for (int var = 0; var < 4; ++var) {
        std::vector<double> values(static_cast<size_t>(3 * samples));
        CHECK_OK(nn_simulation_get_monitor_values(sim, mon, var, values.data(), 3 * samples));
        for (int p = 0; p < 3; ++p) {
            const size_t col = static_cast<size_t>(1 + 4 * p + var);
            double range = 0;
            for (const auto& row : traces) range = std::max(range, std::fabs(row[col]));
            for (size_t k = 0; k < traces.size(); ++k)
                worst = std::max(worst, std::fabs(values[static_cast<size_t>(p) * static_cast<size_t>(samples) + k] - traces[k][col]) / range);
        }
    }
    std::printf("traces: max relative deviation from Brian %.3g\n", worst);
    CHECK(worst < 1e-9);
    nn_simulation_destroy(sim);
}

void test_twenty_neurons(nn_model* model) {
    std::vector<double> g_na, I;
    for (int i = 0; i < 20; ++i) {
        g_na.push_back(2e-6 + 18e-6 * i / 19.0);
        I.push_back(2e-9 * i / 19.0);
    }
    nn_simulation* sim = make(model, g_na, I);
    CHECK_OK(nn_simulation_run(sim, 5000, nullptr, nullptr));
    int64_t total = 0;
    CHECK_OK(nn_simulation_get_spike_total(sim, &total));
    std::vector<int64_t> counts(20);
    CHECK_OK(nn_simulation_get_spike_counts(sim, counts.data(), 20));
    int spiking = 0;
    for (int64_t c : counts) spiking += c > 0;
    std::printf("HH 20 neurons, 0.5 s: %lld spikes, %d neurons spiking\n", static_cast<long long>(total), spiking);
    CHECK(total > 0 && spiking >= 15);
    nn_simulation_destroy(sim);
}

} // namespace

int main() {
    bc::Model m = hh::model();
    nn_model_desc d = m.desc();
    nn_model* model = nullptr;
    CHECK_OK(nn_model_create(&d, &model));
    if (model == nullptr) return nn_test::report();
    test_twenty_neurons(model);
    test_against_brian(model);
    nn_model_destroy(model);
    return nn_test::report();
}
