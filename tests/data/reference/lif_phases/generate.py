#!/usr/bin/python3
"""Brian 2.5.1 reference for a multi-phase protocol (run -> change -> run); see PROVENANCE.md.

Run from this folder with the system Python: /usr/bin/python3 generate.py
The same protocol as an experiment file is tests/data/reference/lif_phases/experiment.yaml."""
import json
import platform

import numpy as np
import brian2
from brian2 import (NeuronGroup, SpikeMonitor, StateMonitor, Network, defaultclock, prefs,
                    ms, mV, nA, Mohm)

prefs.codegen.target = 'numpy'
defaultclock.dt = 0.1 * ms
N = 20
El, R, tau = -70 * mV, 100 * Mohm, 10 * ms
G = NeuronGroup(N, '''dv/dt = (El - v + R*I)/tau : volt (unless refractory)
                      I : amp (constant)''',
                threshold='v > -50*mV', reset='v = -70*mV', refractory=5 * ms, method='exact')
G.I = np.linspace(0, 0.5, N) * nA
G.v = 'El'
spikes = SpikeMonitor(G)
state = StateMonitor(G, 'v', record=[0, 7, 19], dt=1 * ms)
net = Network(G, spikes, state)

durations = [25.35 * ms, 100 * ms, 30 * ms]
starts = []
# Phase 0: warm-up, spikes only.
state.active = False
starts.append(int(G.t / defaultclock.dt + 0.5))
net.run(durations[0])
# Phase 1: new currents and a depolarised start, both monitors.
G.I = '0.6*nA*i/(N - 1)'
G.v = 'El + 15*mV'
state.active = True
starts.append(int(G.t / defaultclock.dt + 0.5))
net.run(durations[1])
# Phase 2: one current for all, the state only.
G.I = 0.45 * nA
spikes.active = False
starts.append(int(G.t / defaultclock.dt + 0.5))
net.run(durations[2])
steps = int(G.t / defaultclock.dt + 0.5)

counts = np.asarray(spikes.count)
with open('spike_counts.csv', 'w') as f:
    f.write('index,count\n')
    for i, c in enumerate(counts):
        f.write(f'{i},{c}\n')
with open('spikes.csv', 'w') as f:
    f.write('index,time\n')
    for i, t in zip(np.asarray(spikes.i), np.asarray(spikes.t)):
        f.write(f'{i},{t:.17g}\n')
times = np.asarray(state.t)
with open('traces.csv', 'w') as f:
    f.write('time,' + ','.join(f'v_{n}' for n in state.record) + '\n')
    for k, t in enumerate(times):
        f.write(f'{t:.17g},' + ','.join(f'{x:.17g}' for x in np.asarray(state.v)[:, k]) + '\n')
with open('run_info.json', 'w') as f:
    json.dump({'brian2_version': brian2.__version__, 'numpy': np.__version__, 'python': platform.python_version(),
               'target': 'numpy', 'dt': float(defaultclock.dt), 'durations': [float(d) for d in durations],
               'phase_start_steps': starts, 'steps': steps, 'spikes_total': int(counts.sum()),
               'samples': len(times)}, f, indent=2)
    f.write('\n')
