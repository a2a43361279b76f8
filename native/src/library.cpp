// The C ABI: argument and handle checks, then the runtime; every body runs inside guard().
#include "neuronative.h"

#include "error.hpp"
#include "isa.hpp"
#include "model.hpp"
#include "simulation.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>

using nn::rt::Error;
using nn::rt::guard;
using nn::rt::invalid;

namespace {
constexpr uint64_t kModelMagic = 0x4c45444f4d4e4e31ull;      // "1NNMODEL"
constexpr uint64_t kSimulationMagic = 0x4d49534e4e4e4e31ull; // "1NNNNSIM"
} // namespace

struct nn_model {
    uint64_t magic = kModelMagic;
    std::shared_ptr<const nn::rt::Model> model;
};

struct nn_simulation {
    uint64_t magic = kSimulationMagic;
    nn::rt::Simulation sim;
};

namespace nn::rt {

namespace {
thread_local std::string t_last_error;
thread_local bool t_error_lost = false;

// Live handles: a destroyed or foreign pointer is rejected instead of being dereferenced.
std::mutex g_handles_mutex;
std::unordered_set<const void*> g_handles;

void register_handle(const void* h) {
    std::lock_guard<std::mutex> lock(g_handles_mutex);
    g_handles.insert(h);
}
bool unregister_handle(const void* h) {
    std::lock_guard<std::mutex> lock(g_handles_mutex);
    return g_handles.erase(h) == 1;
}

template <class Handle>
Handle& live(Handle* h, uint64_t magic, const char* arg, const char* type) {
    if (h == nullptr) fail(NN_ERR_INVALID_HANDLE, arg, " is NULL");
    bool ok;
    {
        std::lock_guard<std::mutex> lock(g_handles_mutex);
        ok = g_handles.count(h) == 1;
    }
    if (!ok || h->magic != magic)
        fail(NN_ERR_INVALID_HANDLE, arg, " is not a live ", type, " (already destroyed, or not created by this library)");
    return *h;
}

Simulation& sim_of(nn_simulation* s) { return live(s, kSimulationMagic, "sim", "nn_simulation").sim; }

template <class T>
void require_out(T* p, const char* arg) {
    if (p == nullptr) invalid(arg, " is NULL");
}

template <class Handle>
void destroy(Handle* h, uint64_t magic, const char* function) {
    if (h == nullptr) return;
    if (!unregister_handle(h) || h->magic != magic) {
        set_last_error(cat(function, ": not a live handle (already destroyed, or not created by this library); ignored"));
        return;
    }
    h->magic = 0;
    delete h;
}
} // namespace

void set_last_error(std::string message) noexcept {
    try {
        t_last_error = std::move(message);
        t_error_lost = false;
    } catch (...) {
        t_error_lost = true;
    }
}

} // namespace nn::rt

using namespace nn::rt;

extern "C" {

NN_API int32_t nn_version_number(void) { return NN_VERSION_NUMBER; }
NN_API int32_t nn_abi_version(void) { return NN_ABI_VERSION; }
NN_API const char* nn_version_string(void) { return "0.1.0"; }
NN_API const char* nn_last_error_message(void) {
    return t_error_lost ? "out of memory while storing the error message" : t_last_error.c_str();
}

NN_API const char* nn_status_string(nn_status status) {
    switch (status) {
    case NN_OK: return "ok";
    case NN_ERR_INVALID_ARGUMENT: return "invalid argument";
    case NN_ERR_INVALID_HANDLE: return "invalid handle";
    case NN_ERR_OUT_OF_MEMORY: return "out of memory";
    case NN_ERR_NUMERICAL: return "numerical error (NaN or infinity)";
    case NN_ERR_IO: return "input/output error";
    case NN_ERR_CANCELLED: return "cancelled";
    case NN_ERR_COMPILE: return "compilation error";
    case NN_ERR_INVALID_STATE: return "invalid state";
    case NN_ERR_INTERNAL: return "internal error";
    default: return "unknown status";
    }
}

NN_API int32_t nn_hardware_threads(void) {
    return static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
}

NN_API const char* nn_isa_level(void) {
    const char* name = nullptr;
    guard(__func__, [&] { name = nn::rt::isa().name; });
    return name;
}

NN_API nn_status nn_model_create(const nn_model_desc* desc, nn_model** out_model) {
    return guard(__func__, [&] {
        require_out(out_model, "out_model");
        *out_model = nullptr;
        if (desc == nullptr) invalid("desc is NULL");
        auto model = std::make_shared<Model>(*desc, false);
        model->fingerprint = model_fingerprint(*desc);
        auto handle = std::make_unique<nn_model>();
        handle->model = std::move(model);
        register_handle(handle.get());
        *out_model = handle.release();
    });
}

NN_API nn_status nn_model_create_compiled(const nn_model_desc* desc, const char* library_path, const char* expected_hash,
                                          nn_model** out_model) {
    return guard(__func__, [&] {
        require_out(out_model, "out_model");
        *out_model = nullptr;
        if (desc == nullptr) invalid("desc is NULL");
        auto model = std::make_shared<Model>(*desc, true);
        model->fingerprint = model_fingerprint(*desc);
        model->kernel = load_compiled_kernel(library_path, expected_hash);
        auto handle = std::make_unique<nn_model>();
        handle->model = std::move(model);
        register_handle(handle.get());
        *out_model = handle.release();
    });
}

NN_API void nn_model_destroy(nn_model* model) { destroy(model, kModelMagic, __func__); }

NN_API nn_status nn_simulation_create_v2(nn_model* model, const nn_simulation_config* config, nn_simulation** out_sim) {
    return guard(__func__, [&] {
        require_out(out_sim, "out_sim");
        *out_sim = nullptr;
        const nn_model& m = live(model, kModelMagic, "model", "nn_model");
        if (config == nullptr) invalid("config is NULL");
        auto handle = std::unique_ptr<nn_simulation>(new nn_simulation{kSimulationMagic, Simulation(m.model, *config)});
        register_handle(handle.get());
        *out_sim = handle.release();
    });
}

NN_API nn_status nn_simulation_create(nn_model* model, int64_t n_neurons, double dt, uint64_t seed, nn_simulation** out_sim) {
    nn_simulation_config config{};
    config.struct_size = sizeof(config);
    config.n_neurons = n_neurons;
    config.dt = dt;
    config.seed = seed;
    return nn_simulation_create_v2(model, &config, out_sim);
}

NN_API void nn_simulation_destroy(nn_simulation* sim) { destroy(sim, kSimulationMagic, __func__); }

NN_API nn_status nn_simulation_set_threads(nn_simulation* sim, int32_t n_threads) {
    return guard(__func__, [&] { sim_of(sim).set_threads(n_threads); });
}

NN_API nn_status nn_simulation_set_array(nn_simulation* sim, int32_t kind, int32_t index, const double* values, int64_t count) {
    return guard(__func__, [&] { sim_of(sim).set_array(kind, index, values, count); });
}

NN_API nn_status nn_simulation_get_array(nn_simulation* sim, int32_t kind, int32_t index, double* out_values, int64_t count) {
    return guard(__func__, [&] { sim_of(sim).get_array(kind, index, out_values, count); });
}

NN_API nn_status nn_simulation_set_input(nn_simulation* sim, int32_t input, const double* values, int64_t n_times,
                                         int64_t n_columns, double dt_input) {
    return guard(__func__, [&] { sim_of(sim).set_input(input, values, n_times, n_columns, dt_input); });
}

NN_API nn_status nn_simulation_add_events(nn_simulation* sim, int32_t event, const int64_t* neurons, const double* times,
                                          const double* values, int64_t count) {
    return guard(__func__, [&] { sim_of(sim).add_events(event, neurons, times, values, count); });
}

NN_API nn_status nn_simulation_record_spikes(nn_simulation* sim, int32_t enabled) {
    return guard(__func__, [&] {
        Simulation& s = sim_of(sim);
        if (enabled != 0 && enabled != 1) invalid("enabled is ", enabled, " (must be 0 or 1)");
        s.record_spikes(enabled == 1);
    });
}

NN_API nn_status nn_simulation_add_state_monitor(nn_simulation* sim, const int32_t* kinds, const int32_t* indices, int32_t n_vars,
                                                 const int64_t* neurons, int64_t n_neurons, int64_t every_steps,
                                                 int32_t* out_monitor) {
    return guard(__func__, [&] {
        Simulation& s = sim_of(sim);
        require_out(out_monitor, "out_monitor");
        *out_monitor = s.add_state_monitor(kinds, indices, n_vars, neurons, n_neurons, every_steps);
    });
}

NN_API nn_status nn_simulation_set_monitor_enabled(nn_simulation* sim, int32_t monitor, int32_t enabled) {
    return guard(__func__, [&] { sim_of(sim).set_monitor_enabled(monitor, enabled != 0); });
}

NN_API nn_status nn_simulation_set_monitor_slot(nn_simulation* sim, int32_t monitor, int32_t slot, int32_t after_operations) {
    return guard(__func__, [&] { sim_of(sim).set_monitor_slot(monitor, slot, after_operations); });
}

NN_API nn_status nn_simulation_add_event_monitor(nn_simulation* sim, int32_t param, int32_t slot, int32_t after_operations,
                                                 int32_t* out_monitor) {
    return guard(__func__, [&] {
        if (out_monitor == nullptr) invalid("out_monitor is NULL");
        const nn_event_monitor_desc desc{sizeof(nn_event_monitor_desc), param, slot, after_operations, 0, 0, nullptr, nullptr};
        *out_monitor = sim_of(sim).add_event_monitor(desc);
    });
}

NN_API nn_status nn_simulation_add_event_monitor_v2(nn_simulation* sim, const nn_event_monitor_desc* desc, int32_t* out_monitor) {
    return guard(__func__, [&] {
        if (desc == nullptr) invalid("desc is NULL");
        if (out_monitor == nullptr) invalid("out_monitor is NULL");
        *out_monitor = sim_of(sim).add_event_monitor(*desc);
    });
}

NN_API nn_status nn_simulation_get_event_values(nn_simulation* sim, int32_t monitor, int32_t var, double* out_values,
                                                int64_t count) {
    return guard(__func__, [&] { sim_of(sim).get_event_values(monitor, var, out_values, count); });
}

NN_API nn_status nn_simulation_record_monitor_sample(nn_simulation* sim, int32_t monitor) {
    return guard(__func__, [&] { sim_of(sim).record_monitor_sample(monitor); });
}

NN_API nn_status nn_simulation_get_event_total(nn_simulation* sim, int32_t monitor, int64_t* out_total) {
    return guard(__func__, [&] {
        if (out_total == nullptr) invalid("out_total is NULL");
        *out_total = sim_of(sim).event_total(monitor);
    });
}

NN_API nn_status nn_simulation_get_events(nn_simulation* sim, int32_t monitor, int64_t* out_indices, double* out_times,
                                          int64_t capacity, int64_t* out_count) {
    return guard(__func__, [&] { sim_of(sim).get_monitor_events(monitor, out_indices, out_times, capacity, out_count); });
}

NN_API nn_status nn_simulation_run(nn_simulation* sim, int64_t n_steps, nn_progress_fn progress, void* user) {
    return guard(__func__, [&] { sim_of(sim).run(n_steps, progress, user); });
}

NN_API nn_status nn_simulation_get_time(nn_simulation* sim, int64_t* out_step, double* out_t) {
    return guard(__func__, [&] {
        const Simulation& s = sim_of(sim);
        require_out(out_step, "out_step");
        require_out(out_t, "out_t");
        *out_step = s.step();
        *out_t = static_cast<double>(s.step()) * s.dt();
    });
}

NN_API nn_status nn_simulation_reset(nn_simulation* sim) {
    return guard(__func__, [&] { sim_of(sim).reset(); });
}

NN_API nn_status nn_simulation_snapshot(nn_simulation* sim, uint8_t* out_blob, int64_t capacity, int64_t* out_size) {
    return guard(__func__, [&] {
        const Simulation& s = sim_of(sim);
        require_out(out_size, "out_size");
        const std::vector<uint8_t> blob = s.snapshot();
        const auto size = static_cast<int64_t>(blob.size());
        *out_size = size;
        if (out_blob == nullptr && capacity == 0) return;
        if (out_blob == nullptr) invalid("out_blob is NULL with capacity ", capacity);
        if (capacity < size) invalid("capacity is ", capacity, " but the snapshot has ", size, " bytes");
        std::copy(blob.begin(), blob.end(), out_blob);
    });
}

NN_API nn_status nn_simulation_restore(nn_simulation* sim, const uint8_t* blob, int64_t size) {
    return guard(__func__, [&] { sim_of(sim).restore(blob, size); });
}

NN_API nn_status nn_simulation_add_reducer(nn_simulation* sim, const nn_reducer_desc* desc, int32_t* out_reducer) {
    return guard(__func__, [&] {
        Simulation& s = sim_of(sim);
        require_out(out_reducer, "out_reducer");
        if (desc == nullptr) invalid("desc is NULL");
        *out_reducer = s.add_reducer(*desc);
    });
}

NN_API nn_status nn_simulation_get_reducer_width(nn_simulation* sim, int32_t reducer, int64_t* out_width) {
    return guard(__func__, [&] {
        const Simulation& s = sim_of(sim);
        require_out(out_width, "out_width");
        *out_width = s.reducer_width(reducer);
    });
}

NN_API nn_status nn_simulation_get_reducer_values(nn_simulation* sim, int32_t reducer, double* out_values, int64_t count) {
    return guard(__func__, [&] { sim_of(sim).get_reducer_values(reducer, out_values, count); });
}

NN_API nn_status nn_simulation_get_spike_total(nn_simulation* sim, int64_t* out_total) {
    return guard(__func__, [&] {
        const Simulation& s = sim_of(sim);
        require_out(out_total, "out_total");
        *out_total = s.spike_total();
    });
}

NN_API nn_status nn_simulation_get_spikes(nn_simulation* sim, int64_t* out_indices, double* out_times, int64_t capacity,
                                          int64_t* out_count) {
    return guard(__func__, [&] { sim_of(sim).get_spikes(out_indices, out_times, capacity, out_count); });
}

NN_API nn_status nn_simulation_get_spike_counts(nn_simulation* sim, int64_t* out_counts, int64_t count) {
    return guard(__func__, [&] { sim_of(sim).get_spike_counts(out_counts, count); });
}

NN_API nn_status nn_simulation_get_step_spike_counts(nn_simulation* sim, int64_t* out_counts, int64_t count, int64_t* out_n_steps) {
    return guard(__func__, [&] { sim_of(sim).get_step_spike_counts(out_counts, count, out_n_steps); });
}

NN_API nn_status nn_simulation_get_monitor_size(nn_simulation* sim, int32_t monitor, int64_t* out_n_samples) {
    return guard(__func__, [&] {
        const Simulation& s = sim_of(sim);
        require_out(out_n_samples, "out_n_samples");
        *out_n_samples = s.monitor_samples(monitor);
    });
}

NN_API nn_status nn_simulation_get_monitor_values(nn_simulation* sim, int32_t monitor, int32_t var, double* out_values, int64_t count) {
    return guard(__func__, [&] { sim_of(sim).get_monitor_values(monitor, var, out_values, count); });
}

NN_API nn_status nn_simulation_get_monitor_times(nn_simulation* sim, int32_t monitor, double* out_times, int64_t count) {
    return guard(__func__, [&] { sim_of(sim).get_monitor_times(monitor, out_times, count); });
}

} // extern "C"
