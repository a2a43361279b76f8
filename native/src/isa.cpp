// Choosing the ISA level once per process, from the CPU's features or NEURONATIVE_ISA. Built for
// the baseline CPU, like everything outside the levels' translation units.
#include "isa.hpp"

#include "error.hpp"

#include <cstdlib>
#include <cstring>
#include <string>

namespace nn::rt {
namespace {

#define NN_ISA_ENTRY(L) &L::level,
const IsaLevel* const kLevels[] = {NN_ISA_LEVELS(NN_ISA_ENTRY)};
#undef NN_ISA_ENTRY

// The levels as the x86-64 psABI defines them; the cpuid checks include the OS's support for the
// AVX and AVX-512 register state. clang 14 knows no level names, so there it tests each level's
// vector and bit-manipulation features (the remaining ones come with them on every CPU made).
bool cpu_supports(const char* level) {
#if defined(__x86_64__)
    __builtin_cpu_init();
#  if defined(__clang__)
    if (std::strcmp(level, "v2") == 0)
        return __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("sse3") && __builtin_cpu_supports("ssse3")
               && __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("sse4.2");
    if (std::strcmp(level, "v3") == 0)
        return cpu_supports("v2") && __builtin_cpu_supports("avx") && __builtin_cpu_supports("avx2")
               && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("fma");
    if (std::strcmp(level, "v4") == 0)
        return cpu_supports("v3") && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
               && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq")
               && __builtin_cpu_supports("avx512vl");
#  else
    if (std::strcmp(level, "v2") == 0) return __builtin_cpu_supports("x86-64-v2");
    if (std::strcmp(level, "v3") == 0) return __builtin_cpu_supports("x86-64-v3");
    if (std::strcmp(level, "v4") == 0) return __builtin_cpu_supports("x86-64-v4");
#  endif
#endif
    return std::strcmp(level, "generic") == 0;
}

struct Choice {
    const IsaLevel* level = nullptr;
    std::string error; // set when NEURONATIVE_ISA cannot be honoured
};

Choice choose() {
    std::string supported, built;
    const IsaLevel* best = nullptr;
    for (const IsaLevel* l : kLevels) {
        built += cat(built.empty() ? "" : ", ", l->name);
        if (!cpu_supports(l->name)) continue;
        supported += cat(supported.empty() ? "" : ", ", l->name);
        best = l;
    }
    const char* forced = std::getenv("NEURONATIVE_ISA");
    if (forced == nullptr || *forced == '\0') {
        if (best == nullptr) return {nullptr, cat("this CPU supports none of the ISA levels built (", built, ")")};
        return {best, {}};
    }
    for (const IsaLevel* l : kLevels)
        if (std::strcmp(l->name, forced) == 0) {
            if (cpu_supports(l->name)) return {l, {}};
            return {nullptr, cat("NEURONATIVE_ISA is '", forced, "' but this CPU lacks that level (it supports: ",
                                 supported.empty() ? "none" : supported, ")")};
        }
    return {nullptr, cat("NEURONATIVE_ISA is '", forced, "', which is not a level of this build (", built, ")")};
}

} // namespace

const IsaLevel& isa() {
    static const Choice choice = choose();
    if (choice.level == nullptr) fail(NN_ERR_INVALID_STATE, choice.error);
    return *choice.level;
}

} // namespace nn::rt
