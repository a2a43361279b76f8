// Loading a compiled kernel library: the generated C++ of one model, built by the managed side's
// host compiler into its kernel cache. A library is only used once it proved to be a kernel of
// this kernel ABI generated for the expected model.
#include "kernel.hpp"

#include "error.hpp"

#include <cstring>
#include <string>

#if defined(_WIN32)
#  include <windows.h>
#else
#  include <dlfcn.h>
#endif

namespace nn::rt {
namespace {

#if defined(_WIN32)
void* open_library(const char* path) { return reinterpret_cast<void*>(LoadLibraryA(path)); }
void* symbol(void* lib, const char* name) {
    return reinterpret_cast<void*>(GetProcAddress(static_cast<HMODULE>(lib), name));
}
void close_library(void* lib) { FreeLibrary(static_cast<HMODULE>(lib)); }
std::string loader_error() { return cat("Windows error ", GetLastError()); }
#else
void* open_library(const char* path) { return dlopen(path, RTLD_NOW | RTLD_LOCAL); }
void* symbol(void* lib, const char* name) { return dlsym(lib, name); }
void close_library(void* lib) { dlclose(lib); }
std::string loader_error() {
    const char* e = dlerror();
    return e != nullptr ? e : "unknown loader error";
}
#endif

} // namespace

KernelTable load_compiled_kernel(const char* path, const char* expected_hash) {
    if (path == nullptr || *path == '\0') invalid("library_path is NULL or empty");
    if (expected_hash == nullptr || *expected_hash == '\0') invalid("expected_hash is NULL or empty");
    void* handle = open_library(path);
    if (handle == nullptr) fail(NN_ERR_COMPILE, "cannot load the compiled kernel '", path, "': ", loader_error());
    std::shared_ptr<void> lib(handle, close_library);

    auto find = [&](const char* name) {
        void* p = symbol(handle, name);
        if (p == nullptr)
            fail(NN_ERR_COMPILE, "'", path, "' is not a NeuroNative kernel library (it has no symbol ", name, ")");
        return p;
    };
    const auto abi = reinterpret_cast<nn_kernel_abi_version_fn>(find("nn_kernel_abi_version"))();
    if (abi != NN_KERNEL_ABI_VERSION)
        fail(NN_ERR_COMPILE, "'", path, "' was built for kernel ABI ", abi, " but this library uses ", NN_KERNEL_ABI_VERSION);
    const char* hash = reinterpret_cast<nn_kernel_model_hash_fn>(find("nn_kernel_model_hash"))();
    if (hash == nullptr || std::strcmp(hash, expected_hash) != 0)
        fail(NN_ERR_COMPILE, "'", path, "' was generated for another model (hash ", hash != nullptr ? hash : "NULL",
             ", expected ", expected_hash, ")");

    KernelTable k;
    k.integrate = reinterpret_cast<nn_kernel_block_fn>(find("nn_kernel_integrate"));
    k.threshold = reinterpret_cast<nn_kernel_block_fn>(find("nn_kernel_threshold"));
    k.refractory = reinterpret_cast<nn_kernel_block_fn>(find("nn_kernel_refractory"));
    k.observables = reinterpret_cast<nn_kernel_block_fn>(find("nn_kernel_observables"));
    k.statements = reinterpret_cast<nn_kernel_statements_fn>(find("nn_kernel_statements"));
    k.operation = reinterpret_cast<nn_kernel_operation_fn>(find("nn_kernel_operation"));
    k.library = std::move(lib);
    return k;
}

} // namespace nn::rt
