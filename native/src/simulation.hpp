// A population of independent neurons advanced over blocks of lanes by the model's kernel.
#pragma once

#include "model.hpp"
#include "neuronative/schedule.hpp"
#include "thread_pool.hpp"

#include <memory>
#include <string>
#include <vector>

namespace nn::rt {


class Simulation {
public:
    // config as nn_simulation_config (validated here; total_neurons resolved).
    Simulation(std::shared_ptr<const Model> model, const nn_simulation_config& config);
    ~Simulation();

    void set_threads(int32_t n_threads);
    void set_array(int32_t kind, int32_t index, const double* values, int64_t count);
    void get_array(int32_t kind, int32_t index, double* out, int64_t count); // observables run the kernel
    void set_input(int32_t input, const double* values, int64_t n_times, int64_t n_columns, double dt_input);
    void add_events(int32_t event, const int64_t* neurons, const double* times, const double* values, int64_t count);
    void record_spikes(bool enabled) { record_spikes_ = enabled; }
    int32_t add_state_monitor(const int32_t* kinds, const int32_t* indices, int32_t n_vars, const int64_t* neurons,
                              int64_t n_neurons, int64_t every_steps);
    // Throws Error with NN_ERR_CANCELLED / NN_ERR_NUMERICAL / NN_ERR_INVALID_STATE.
    void run(int64_t n_steps, nn_progress_fn progress, void* user);
    void reset();
    int32_t add_reducer(const nn_reducer_desc& desc);
    int64_t reducer_width(int32_t reducer) const;
    void get_reducer_values(int32_t reducer, double* out, int64_t count) const;
    std::vector<uint8_t> snapshot() const;
    void restore(const uint8_t* blob, int64_t size);

    int64_t step() const { return step_; }
    double dt() const { return dt_; }
    int64_t spike_total() const { return static_cast<int64_t>(spike_neuron_.size()); }
    void get_spikes(int64_t* indices, double* times, int64_t capacity, int64_t* out_count) const;
    void get_spike_counts(int64_t* out, int64_t count) const;
    void get_step_spike_counts(int64_t* out, int64_t count, int64_t* out_n_steps) const;
    void set_monitor_enabled(int32_t monitor, bool enabled);
    void set_monitor_slot(int32_t monitor, int32_t slot, int32_t after_operations);
    int32_t add_event_monitor(const nn_event_monitor_desc& desc);
    void record_monitor_sample(int32_t monitor);
    int64_t event_total(int32_t monitor) const;
    void get_monitor_events(int32_t monitor, int64_t* indices, double* times, int64_t capacity, int64_t* out_count) const;
    void get_event_values(int32_t monitor, int32_t var, double* out, int64_t count) const;
    int64_t monitor_samples(int32_t monitor) const;
    void get_monitor_values(int32_t monitor, int32_t var, double* out, int64_t count) const;
    void get_monitor_times(int32_t monitor, double* out, int64_t count) const;

private:
    struct Worker;
    struct Spike {
        int64_t step, neuron;
    };
    struct BlockResult {
        std::vector<Spike> spikes; // ordered by (step, neuron)
        std::vector<std::vector<Spike>> events; // per event monitor, ordered by (step, neuron)
        std::vector<std::vector<double>> event_values; // per event monitor: [event][variable]
        int64_t fail_step, fail_neuron;
        int32_t fail_var;
        double fail_value;
    };
    struct Event {
        int64_t step, neuron;
        int32_t section;
        double value;
    };
    struct Monitor {
        std::vector<int32_t> kinds, indices;
        std::vector<int64_t> neurons;
        std::vector<std::pair<int64_t, int64_t>> by_neuron; // (neuron, position), sorted
        int64_t every;
        bool enabled = true;             // off: no samples (run() sizes none, record() skips it)
        int32_t slot = NN_SLOT_UPDATE, after = 0; // samples in slot after operations [0, after)
        std::vector<int64_t> steps;      // recorded steps
        std::vector<Doubles> data;       // per variable: [sample][position]
        int64_t segment_first = 0, segment_base = 0;
    };
    struct Reducer {
        int32_t kind, var_kind, var_index;
        int64_t start, end, every, capacity; // end: INT64_MAX for none
        std::vector<double> target;          // MSE: [row][sample]
        int64_t target_rows, target_samples;
        int64_t slots;                       // accumulator doubles per neuron
        std::vector<double> acc;             // [neuron][slot]
    };
    // Neurons with a non-zero parameter (or, param NN_EVENT_SPIKES, the step's spikes) at a point of the step, with
    // the values of some variables there.
    struct EventMonitor {
        int32_t param, slot, after;
        std::vector<int32_t> kinds, indices; // the variables
        std::vector<int64_t> neuron, step;   // ordered by (step, neuron)
        std::vector<Doubles> values;         // per variable, per event
    };
    // What reset() returns to: the state when the first run since creation or the last reset began.
    struct Initial {
        bool captured = false;
        Doubles state, params, lastspike, not_refractory;
        std::vector<Event> events;
    };

    const double* array(int32_t kind, int32_t index) const;
    void check_array(int32_t kind, int32_t index, int64_t count, bool allow_broadcast) const;
    const Monitor& monitor(int32_t index) const;
    const EventMonitor& event_monitor(int32_t index) const;
    void check_variables(const int32_t* kinds, const int32_t* indices, int32_t n_vars) const;
    const Reducer& reducer(int32_t index) const;
    void prepare_kernels(int n_workers);
    nn_kernel_block kernel_block(Worker& w, int64_t block);
    // Steps [k0, k1) of one block: the hot loop, compiled once per ISA level (step_loop.cpp).
    template <class Level>
    void run_block(Worker& w, int64_t block, int64_t k0, int64_t k1, BlockResult& result);
    using BlockLoop = void (Simulation::*)(Worker&, int64_t, int64_t, int64_t, BlockResult&);
    static BlockLoop block_loop();
    // The points of the step (slot, operations before) where a monitor or reducer samples: [slot * (n_operations + 1) + op].
    std::vector<char> sample_points() const;
    void record(const nn_kernel_block& b, int64_t k, int32_t slot, int32_t op, BlockResult& result);
    void check_point(int32_t slot, int32_t after) const;
    void copy_events(const std::vector<int64_t>& neuron, const std::vector<int64_t>& step, int64_t* indices, double* times,
                     int64_t capacity, int64_t* out_count, const char* what) const;
    // Appends the block results' lists (each ordered by step, then neuron) of steps [k0, end) in (step, neuron)
    // order for any thread count, with each item's values (values[l]: [item][variable], as many variables as
    // `columns` has) into the columns; returns the number per step.
    static std::vector<int64_t> merge_ordered(const std::vector<const std::vector<Spike>*>& lists, int64_t k0, int64_t end,
                                              std::vector<int64_t>* neuron, std::vector<int64_t>* step,
                                              const std::vector<const std::vector<double>*>& values = {},
                                              std::vector<Doubles>* columns = nullptr);
    void spiked(BlockResult& result, int64_t k, int64_t neuron);
    void merge_segment(int64_t k0, int64_t k1);
    void clear_results();

    std::shared_ptr<const Model> model_;
    int64_t n_, stride_, n_blocks_;
    int64_t first_, total_; // global index of neuron 0, and N as the model sees it
    double dt_;
    uint64_t seed_;
    Doubles state_, params_, lastspike_, not_refractory_, index_;
    std::vector<nn::Operation> operations_; // the model's, with their dt in steps
    std::vector<char> sample_points_;       // sample_points(), set by run()
    std::vector<Input> inputs_;
    std::vector<nn_kernel_input> input_views_; // what the kernels read, rebuilt by run()
    std::vector<char> input_set_;
    std::vector<Event> events_; // sorted by (block, step, neuron), then insertion order
    std::vector<Monitor> monitors_;
    std::vector<EventMonitor> event_monitors_;
    std::vector<Reducer> reducers_;
    bool spike_reducers_ = false, sample_reducers_ = false;
    Initial initial_;
    bool record_spikes_ = true;
    std::vector<int64_t> spike_neuron_, spike_step_, counts_, step_counts_;
    int64_t step_ = 0;
    std::string failure_; // non-empty once a run hit NaN/inf
    int32_t n_threads_ = 1;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<BlockResult> results_;
    ThreadPool pool_;
};

} // namespace nn::rt
