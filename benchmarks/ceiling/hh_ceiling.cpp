// The hand-written ceiling of the seed-000 HH exploration: the same model, state layout (structure of
// arrays), exponential Euler and threshold/refractory rule as NeuroNative, written directly as one fused
// loop and compiled like Brian 2 (-O3 -march=native -ffast-math). benchmarks/run.sh builds and runs it
// beside Brian 2 and NeuroNative to measure what the generated kernels leave on the table.
//   hh_ceiling GRID(pA|nA) SECONDS THREADS OUT.npy
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: hh_ceiling pA|nA SECONDS THREADS OUT.npy\n");
        return 2;
    }
    const bool nA = std::strcmp(argv[1], "nA") == 0;
    const double seconds = std::atof(argv[2]), dt = 1e-4;
    const int threads = std::atoi(argv[3]);
    const long steps = std::lround(seconds / dt);
    constexpr int N = 10000;
    const double area = 20000e-12, Cm = 1e-2 * area, gl = 0.5 * area, El = -60e-3, EK = -90e-3, ENa = 50e-3,
                 g_kd = 300.0 * area, VT = -63e-3;
    std::vector<double> v(N, El), m(N, 0.0), n(N, 0.0), h(N, 0.0), g_na(N), I(N), nr(N, 1.0);
    std::vector<long> counts(N, 0);
    for (int k = 0; k < N; ++k) { // np.meshgrid order: g_na varies fastest
        const int a = k % 100, b = k / 100;
        g_na[k] = (10.0 + 90.0 * a / 99) * 10.0 * area;
        I[k] = (nA ? 2e-9 : 20e-12) * b / 99;
    }
    // Blocks of 256 neurons run all their steps in turn (their state stays in L1, as NeuroNative's
    // blocks do); the update is one vectorisable loop, the rare spikes a second pass.
    constexpr int kBlock = 256;
    auto run = [&](int lo, int hi) {
        for (int b0 = lo; b0 < hi; b0 += kBlock) {
            const int b1 = b0 + kBlock < hi ? b0 + kBlock : hi;
            for (long s = 0; s < steps; ++s) {
#pragma omp simd
                for (int i = b0; i < b1; ++i) {
                    const double V = v[i], M = m[i], Nn = n[i], H = h[i];
                    nr[i] = (nr[i] != 0.0 || !(V > -20e-3)) ? 1.0 : 0.0;
                    const double am = 0.32e3 * (13e-3 - V + VT) * 1e3 / (std::exp((13e-3 - V + VT) / 4e-3) - 1.0);
                    const double bm = 0.28e3 * (V - VT - 40e-3) * 1e3 / (std::exp((V - VT - 40e-3) / 5e-3) - 1.0);
                    const double ah = 0.128e3 * std::exp((17e-3 - V + VT) / 18e-3);
                    const double bh = 4e3 / (1.0 + std::exp((40e-3 - V + VT) / 5e-3));
                    const double an = 0.032e3 * (15e-3 - V + VT) * 1e3 / (std::exp((15e-3 - V + VT) / 5e-3) - 1.0);
                    const double bn = 0.5e3 * std::exp((10e-3 - V + VT) / 40e-3);
                    const double gna = g_na[i] * M * M * M * H, gk = g_kd * Nn * Nn * Nn * Nn;
                    const double Av = -(gl + gna + gk) / Cm, Bv = (gl * El + gna * ENa + gk * EK + I[i]) / Cm;
                    const double Am = -(am + bm), An = -(an + bn), Ah = -(ah + bh);
                    v[i] = -Bv / Av + (V + Bv / Av) * std::exp(Av * dt);
                    m[i] = -am / Am + (M + am / Am) * std::exp(Am * dt);
                    n[i] = -an / An + (Nn + an / An) * std::exp(An * dt);
                    h[i] = -ah / Ah + (H + ah / Ah) * std::exp(Ah * dt);
                }
                for (int i = b0; i < b1; ++i)
                    if (v[i] > -20e-3 && nr[i] != 0.0) {
                        ++counts[i];
                        nr[i] = 0.0;
                    }
            }
        }
    };
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    const int blocks = (N + kBlock - 1) / kBlock;
    for (int t = 0; t < threads; ++t) pool.emplace_back(run, blocks * t / threads * kBlock, std::min(N, blocks * (t + 1) / threads * kBlock));
    for (auto& t : pool) t.join();
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // spike counts as .npy int64 [N], like the other simulators' results
    FILE* f = std::fopen(argv[4], "wb");
    if (f == nullptr) return 1;
    char header[128];
    int len = std::snprintf(header, sizeof header, "{'descr': '<i8', 'fortran_order': False, 'shape': (%d,), }", N);
    while ((10 + len + 1) % 64 != 0) header[len++] = ' ';
    header[len++] = '\n';
    const unsigned short hl = static_cast<unsigned short>(len);
    std::fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    std::fwrite(&hl, 2, 1, f);
    std::fwrite(header, 1, static_cast<size_t>(len), f);
    std::fwrite(counts.data(), sizeof(long), N, f);
    std::fclose(f);
    std::printf("%.6e\n", static_cast<double>(N) * static_cast<double>(steps) / elapsed);
    return 0;
}
