// The division-free refractoriness of a uniform duration gives the division form's answers.
#include "check.hpp"
#include "neuronative/schedule.hpp"

#include <cmath>
#include <random>

int main() {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const double dts[] = {1e-4, 1e-5, 0.05e-3, 1.0 / 3.0 * 1e-4, 0.1};
    long checked = 0, mismatches = 0;
    for (double dt : dts) {
        const double e = 1e-3 * dt;
        // Durations on and near multiples of dt, below dt, zero, negative and huge.
        const double durations[] = {5e-3, 2e-3, 3 * dt, 3 * dt * (1 + 1e-12), 3 * dt * (1 - 1e-12), 0.4 * dt, 0.0, -dt, 1e3};
        for (double d : durations) {
            nn::RefractoryThreshold threshold;
            const double x0 = threshold.at(d, dt);
            const double b = std::trunc((d + e) / dt);
            for (int j = 0; j < 20000; ++j) {
                const double t = std::floor(unit(rng) * 1e6) * dt;                 // t_k
                const double spike = t - std::floor(unit(rng) * 200) * dt;         // a spike some steps back
                const double ls = j % 7 == 0 ? t - unit(rng) * 2 * d : spike;      // or anywhere
                const double x = t - ls + e;
                const bool division = std::trunc(x / dt) >= b, comparison = x >= x0;
                mismatches += division != comparison;
                ++checked;
            }
            // The threshold itself and its neighbours.
            for (double x : {x0, std::nextafter(x0, -INFINITY), std::nextafter(x0, INFINITY)}) {
                mismatches += (std::trunc(x / dt) >= b) != (x >= x0);
                ++checked;
            }
            CHECK(threshold.at(d, dt) == x0); // cached
        }
    }
    std::printf("%ld lastspike/duration pairs, %ld mismatches\n", checked, mismatches);
    CHECK(mismatches == 0);
    nn::RefractoryThreshold never;
    CHECK(std::isnan(never.at(NAN, 1e-4)) && !(1.0 >= never.at(NAN, 1e-4)));
    CHECK(!(1e300 >= never.at(INFINITY, 1e-4)));
    return nn_test::report();
}
