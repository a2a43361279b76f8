// A minimal test harness: CHECK macros count failures; main returns nn_test::report().
#pragma once

#include "neuronative.h"

#include <cstdio>
#include <cstring>

namespace nn_test {
inline int& failures() {
    static int n = 0;
    return n;
}
inline int report() {
    if (failures() == 0) std::printf("all checks passed\n");
    else std::printf("%d check(s) failed\n", failures());
    return failures() == 0 ? 0 : 1;
}
// Whether the calling thread's last error message contains `needle` (printing both when not).
inline bool says(const char* needle) {
    const bool found = std::strstr(nn_last_error_message(), needle) != nullptr;
    if (!found) std::fprintf(stderr, "last error \"%s\" does not contain \"%s\"\n", nn_last_error_message(), needle);
    return found;
}
} // namespace nn_test

#define CHECK(cond)                                                                                 \
    do {                                                                                            \
        if (!(cond)) {                                                                              \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);           \
            ++nn_test::failures();                                                                  \
        }                                                                                           \
    } while (0)

#define CHECK_STATUS(call, expected)                                                                \
    do {                                                                                            \
        const nn_status s_ = (call);                                                                \
        if (s_ != (expected)) {                                                                     \
            std::fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d; last error: %s\n",       \
                         __FILE__, __LINE__, #call, s_, nn_status_string(s_), int(expected),        \
                         nn_last_error_message());                                                  \
            ++nn_test::failures();                                                                  \
        }                                                                                           \
    } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, NN_OK)
