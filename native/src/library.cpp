// Library-wide entry points: versions, status strings, the per-thread last error.
#include "neuronative.h"

#include <string>

namespace {
thread_local std::string g_last_error;
}

extern "C" {

NN_API int32_t nn_version_number(void) { return NN_VERSION_NUMBER; }
NN_API int32_t nn_abi_version(void) { return NN_ABI_VERSION; }
NN_API const char* nn_version_string(void) { return "0.1.0"; }
NN_API const char* nn_last_error_message(void) { return g_last_error.c_str(); }

}
