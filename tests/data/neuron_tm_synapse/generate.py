#!/usr/bin/env python3
"""NEURON references for NeuroNative's Tsodyks-Markram synapse (tests/NeuroNative.Tests/Synapses): the passive soma of
neuron_exp2syn with a TmExp2Syn (tmexp2syn.mod, here) under an SEClamp at -70 mV, driven by bmtool's train (8 pulses
at freq from tstart, 4 recovery pulses from tstart + 7T + delay, two NetStims onto the same synapse), for a depressing
and a facilitating parameter set at several frequencies. Writes amplitudes.json (SI).

Build the mechanism first (Debian's neuron-dev 8.2.2; see PROVENANCE.md), then: python3 generate.py <dir with x86_64/>"""
import json, math, os, sys, time
import numpy as np
from neuron import h

HERE = os.path.dirname(os.path.abspath(__file__))
h.nrn_load_dll(os.path.join(sys.argv[1] if len(sys.argv) > 1 else HERE, 'x86_64', '.libs', 'libnrnmech.so'))
h.load_file('stdrun.hoc')

DT, TSTART, DELAY, WEIGHT = 0.025, 100.0, 250.0, 0.001   # ms, ms, ms, uS
CASES = {
    'depressing': dict(tau1=0.5, tau2=5.0, e=0.0, U=0.5, tau_rec=800.0, tau_facil=0.0),
    'facilitating': dict(tau1=0.5, tau2=5.0, e=0.0, U=0.1, tau_rec=100.0, tau_facil=500.0),
}
FREQS = [10.0, 20.0, 50.0, 100.0]


def train(params, freq):
    soma = h.Section(name='soma')
    soma.L, soma.diam, soma.nseg, soma.cm, soma.Ra = 20.0, 20.0, 1, 1.0, 100.0
    soma.insert('pas')
    for seg in soma:
        seg.pas.g, seg.pas.e = 1e-4, -70.0
    syn = h.TmExp2Syn(soma(0.5))
    for k, v in params.items():
        setattr(syn, k, v)
    T = 1000.0 / freq
    s1, s2 = h.NetStim(), h.NetStim()
    s1.number, s1.start, s1.interval, s1.noise = 8, TSTART, T, 0
    s2.number, s2.start, s2.interval, s2.noise = 4, TSTART + 7 * T + DELAY, T, 0
    ncs = [h.NetCon(s, syn) for s in (s1, s2)]
    for nc in ncs:
        nc.weight[0], nc.delay = WEIGHT, 0.0
    clamp = h.SEClamp(soma(0.5))
    clamp.rs, clamp.dur1, clamp.amp1, clamp.dur2, clamp.dur3 = 0.01, 1e9, -70.0, 0.0, 0.0
    rec = {name: h.Vector().record(ref) for name, ref in
           [('t', h._ref_t), ('i_clamp', clamp._ref_i), ('i_syn', syn._ref_i), ('release', syn._ref_release)]}
    h.cvode_active(0); h.secondorder = 0; h.dt = DT; h.steps_per_ms = 1.0 / DT; h.celsius = 34.0
    tstop = TSTART + 7 * T + DELAY + 4 * T
    h.tstop = tstop
    h.finitialize(-70.0)
    h.continuerun(tstop)
    out = {k: np.array(v) for k, v in rec.items()}
    events = [TSTART + k * T for k in range(8)] + [TSTART + 7 * T + DELAY + j * T for j in range(4)]
    return out, events


def amplitudes(y, events):
    """docs/synapses.md: baseline = mean over the 5 ms before the first event; sign at the largest deflection after
    it; amplitude k = max of sign*(y - baseline) from sample floor(t_k/dt) to the next event's (the last to the end)."""
    k0 = int(round(events[0] / DT))
    base = y[k0 - int(round(5.0 / DT)):k0].mean()
    d = y[k0:] - base
    sign = np.sign(d[np.argmax(np.abs(d))])
    starts = [int(math.floor(t / DT + 1e-9)) for t in events] + [len(y)]
    return [float((sign * (y[starts[i]:starts[i + 1]] - base)).max()) for i in range(len(events))], base, sign


result = {'dt': DT * 1e-3, 'tstart': TSTART * 1e-3, 'delay': DELAY * 1e-3, 'weight': WEIGHT * 1e-6,
          'units': 'SI; amplitudes in amperes (positive magnitudes), release dimensionless', 'cases': {}}
t0 = time.perf_counter()
for name, params in CASES.items():
    case = {'parameters': {k: (v * 1e-3 if k.startswith('tau') else v) for k, v in params.items()}, 'trains': {}}
    for f in FREQS:
        out, events = train(params, f)
        amp_clamp, _, _ = amplitudes(out['i_clamp'] * 1e-9, events)
        amp_syn, _, _ = amplitudes(out['i_syn'] * 1e-9, events)
        # release after each event: the first sample after its step boundary
        rel = [float(out['release'][int(round(t / DT)) + 1]) for t in events]
        case['trains'][str(int(f))] = {'events': [t * 1e-3 for t in events], 'amplitudes_clamp': amp_clamp,
                                       'amplitudes_syn': amp_syn, 'release': rel}
    result['cases'][name] = case
result['wall_time_s'] = time.perf_counter() - t0
result['neuron_version'] = h.nrnversion()
with open(os.path.join(HERE, 'amplitudes.json'), 'w') as fh:
    json.dump(result, fh, indent=1)
print('wrote amplitudes.json in', result['wall_time_s'], 's')
