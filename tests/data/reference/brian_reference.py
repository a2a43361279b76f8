"""The shared part of the generate.py scripts of the references made here (morris_lecar, inap_ik,
exact_biexp_lif): Brian's compiled runtime with strict IEEE double arithmetic, the run, and the files written
next to the script (conditions, spike counts, spikes, a trace every few steps, run_info.json)."""
import os, json, logging, re, time
import numpy as np
import brian2
from brian2 import prefs, defaultclock, Network, SpikeMonitor, StateMonitor, second



class MethodChoice(logging.Handler):
    """Brian keeps the integration method it used only in its (debug) log message."""
    method = None

    def emit(self, record):
        found = re.search(r"using numerical integration method (\w+)", record.getMessage())
        if found:
            MethodChoice.method = found.group(1)


logging.getLogger('brian2').addHandler(MethodChoice())

prefs.codegen.target = 'cython'
prefs.codegen.cpp.extra_compile_args_gcc = ['-w', '-O3', '-std=c++11', '-ffp-contract=off']
# Brian's Cython cache key ignores compiler flags, so use a cache directory reserved for these flags
prefs.codegen.runtime.cython.cache_dir = os.path.join(os.path.expanduser('~'), '.cython', 'brian_extensions_strict_ieee')


def run_and_save(here, namespace, neuron, variables, trace_neurons, trace_window, trace_every, duration,
                 conditions=('I',)):
    """namespace: the script's globals, where Brian looks up the model's constants; conditions: the
    per-neuron parameters written to conditions.csv."""
    spike_mon = SpikeMonitor(neuron)
    trace_mon = StateMonitor(neuron, variables, record=trace_neurons)
    net = Network(neuron, spike_mon, trace_mon)
    t0 = time.perf_counter()
    net.run(0*second, namespace=namespace)      # code generation + compilation only
    t1 = time.perf_counter()
    net.run(duration, namespace=namespace)
    t2 = time.perf_counter()

    def save_csv(fname, header, columns, fmts):
        np.savetxt(os.path.join(here, fname), np.column_stack(columns), fmt=fmts,
                   delimiter=',', header=','.join(header), comments='')

    N = len(neuron)
    idx = np.arange(N)
    save_csv('conditions.csv', ['index', *conditions], [idx, *(np.asarray(getattr(neuron, c + '_')[:]) for c in conditions)],
             ['%d'] + ['%.17g'] * len(conditions))
    counts = np.asarray(spike_mon.count[:])
    save_csv('spike_counts.csv', ['index', 'count'], [idx, counts], ['%d', '%d'])
    save_csv('spikes.csv', ['index', 'time'], [np.asarray(spike_mon.i[:]), np.asarray(spike_mon.t_[:])], ['%d', '%.17g'])
    tt = np.asarray(trace_mon.t_[:])
    rows = np.arange(0, int(round(float(trace_window) / float(defaultclock.dt))), trace_every)
    cols, header = [tt[rows]], ['time']
    for k, nrn in enumerate(trace_neurons):
        for var in variables:
            header.append('%s[%d]' % (var, nrn))
            cols.append(np.asarray(getattr(trace_mon, var + '_')[k])[rows])
    save_csv('traces.csv', header, cols, '%.17g')

    info = dict(brian2_version=brian2.__version__, device='runtime', codegen_target=prefs.codegen.target,
                extra_compile_args_gcc=prefs.codegen.cpp.extra_compile_args_gcc,
                method=MethodChoice.method, dt=float(defaultclock.dt), duration=float(duration), n_neurons=N,
                trace_every=trace_every, wall_time_codegen_compile_s=t1 - t0, wall_time_run_s=t2 - t1,
                n_spikes_total=int(counts.sum()), n_neurons_spiking=int((counts > 0).sum()),
                state_updater_abstract_code=neuron.state_updater.abstract_code,
                threshold_abstract_code=neuron.thresholder['spike'].abstract_code)
    with open(os.path.join(here, 'run_info.json'), 'w') as f:
        json.dump(info, f, indent=1)
    print(json.dumps({k: v for k, v in info.items() if 'abstract' not in k}, indent=1))
    print('counts', counts.tolist())
