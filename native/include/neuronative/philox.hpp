// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the
// counter-based generator behind rand(), randn(), poisson(), BinomialFunction and the integrators'
// noise. Every number is a pure function of (seed, global neuron index, step index, stream id), so a
// seed gives the same numbers for any thread count, block size or backend.
#pragma once

#include "portable.hpp"

#include <stdint.h>

namespace nn {
NN_ISA_BEGIN

struct Philox4x32 {
    uint32_t v[4];
};

NN_HD inline Philox4x32 philox4x32_10(Philox4x32 ctr, uint32_t k0, uint32_t k1) {
    constexpr uint32_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
    constexpr uint32_t w0 = 0x9E3779B9u, w1 = 0xBB67AE85u;
    for (int round = 0; round < 10; ++round) {
        if (round > 0) {
            k0 += w0;
            k1 += w1;
        }
        const uint64_t p0 = static_cast<uint64_t>(m0) * ctr.v[0];
        const uint64_t p1 = static_cast<uint64_t>(m1) * ctr.v[2];
        const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
        const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
        ctr = Philox4x32{{hi1 ^ ctr.v[1] ^ k0, lo1, hi0 ^ ctr.v[3] ^ k1, lo0}};
    }
    return ctr;
}

// Key = the 64-bit seed; counter = (neuron bits 0-31, neuron bits 32-47 | step bits 32-47 << 16,
// step bits 0-31, stream). Distinct for neurons and steps below 2^48. `block` (0..255) goes into bits 8-15
// of word 1, neuron bits 40-47, which no simulation uses (neurons are below 2^40): the further blocks of a
// call site that needs more than one (Uniforms).
NN_HD inline Philox4x32 philox_block(uint64_t seed, int64_t neuron, int64_t step, uint32_t stream, uint32_t block = 0) {
    const uint64_t i = static_cast<uint64_t>(neuron), k = static_cast<uint64_t>(step);
    const Philox4x32 ctr{{static_cast<uint32_t>(i),
                          static_cast<uint32_t>((i >> 32) & 0xFFFFu) | static_cast<uint32_t>(((k >> 32) & 0xFFFFu) << 16) |
                              ((block & 0xFFu) << 8),
                          static_cast<uint32_t>(k), stream}};
    return philox4x32_10(ctr, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
}

// 53 random bits from two words -> [0, 1) on the grid of 2^-53.
NN_HD inline double to_unit(uint32_t hi, uint32_t lo) {
    const uint64_t bits = (static_cast<uint64_t>(hi) << 21) | static_cast<uint64_t>(lo >> 11);
    return static_cast<double>(bits) * 0x1.0p-53;
}

// U[0, 1) from words 0 and 1 of the counter's block.
NN_HD inline double uniform(uint64_t seed, int64_t neuron, int64_t step, uint32_t stream) {
    const Philox4x32 r = philox_block(seed, neuron, step, stream);
    return to_unit(r.v[0], r.v[1]);
}

// N(0, 1) by Box–Muller from the whole block: u1 in (0, 1] from words 0-1, u2 from words 2-3.
NN_HD inline double normal(uint64_t seed, int64_t neuron, int64_t step, uint32_t stream) {
    const Philox4x32 r = philox_block(seed, neuron, step, stream);
    const double u1 = 1.0 - to_unit(r.v[0], r.v[1]);
    const double u2 = to_unit(r.v[2], r.v[3]);
    constexpr double two_pi = 6.283185307179586476925;
    return detail::sqrt(-2.0 * detail::log(u1)) * detail::cos(two_pi * u2);
}

// The uniforms of one call site that draws several (poisson(), BinomialFunction): draw j is words 0-1 (j even)
// or 2-3 (j odd) of block j/2, so draw 0 is uniform(seed, neuron, step, stream). After 512 draws they repeat;
// the samplers need that many with a probability far below 2^-500.
struct Uniforms {
    uint64_t seed;
    int64_t neuron, step;
    uint32_t stream;
    uint32_t j = 0;
    Philox4x32 r{};

    NN_HD double next() {
        if (j % 2 == 0) r = philox_block(seed, neuron, step, stream, (j / 2) & 0xFFu);
        const double u = j % 2 == 0 ? to_unit(r.v[0], r.v[1]) : to_unit(r.v[2], r.v[3]);
        j = (j + 1) & 0x1FFu;
        return u;
    }
};

NN_ISA_END
} // namespace nn
