#!/usr/bin/python3
"""Brian 2 side of the NeuroNative benchmark: the seed-000 HH parameter exploration
(Brian 2 paper, appendix 4) on Brian's cpp_standalone device with OpenMP, and (--model adex|lif)
current sweeps of the AdEx and LIF reference models (tests/data/reference/adex_dt0.1, lif_refractory_exact).

Run with the system Python 3 (Debian's python3-brian):
    /usr/bin/python3 benchmarks/brian2_hh.py --duration 1 --grid pA --threads 2 --out out/bench/hh_pA_1s/brian2

Code generation + compilation and the simulation are timed separately; the rate uses only the
simulation. Writes OUT/brian2_spike_counts.npy (int64 [N], meshgrid-flat order, g_na fastest)
and OUT/brian2.json.
"""
import argparse
import json
import os
import tempfile
import time

import numpy as np
import brian2
from brian2 import (NeuronGroup, SpikeMonitor, Equations, defaultclock, device, prefs, run,
                    set_device, second, ms, mV, pA, nA, nS, pF, Mohm, umetre, cm, ufarad, siemens, msiemens)
from brian2.codegen.cpp_prefs import get_compiler_and_args


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--duration', type=float, default=1.0, help='simulated time in seconds')
    p.add_argument('--grid', choices=['pA', 'nA'], default='pA',
                   help="pA: I = 0-20 pA as in the example; nA: I = 0-2 nA (nearly all neurons fire)")
    p.add_argument('--threads', type=int, default=2, help='OpenMP threads (0 = Brian without OpenMP)')
    p.add_argument('--out', required=True, help='output directory')
    p.add_argument('--model', choices=['hh', 'adex', 'lif'], default='hh',
                   help='hh: the exploration; adex/lif: one neuron per current of a linspace over --n-i*--n-gna neurons')
    p.add_argument('--n-gna', type=int, default=100)
    p.add_argument('--n-i', type=int, default=100)
    return p.parse_args()


def sweep_model(model, n_neurons):
    """The AdEx (euler) or LIF (exact, 5 ms refractory) reference model, one current per neuron."""
    if model == 'adex':
        C, gL, EL, VT, DeltaT = 281*pF, 30*nS, -70.6*mV, -50.4*mV, 2*mV
        tauw, a, b, Vr = 144*ms, 4*nS, 0.0805*nA, -70.6*mV
        group = NeuronGroup(n_neurons, '''
dv/dt = (gL*(EL-v)+gL*DeltaT*exp((v-VT)/DeltaT)+I-w)/C : volt
dw/dt = (a*(v-EL)-w)/tauw : amp
I : amp (constant)
''', threshold='v>-40*mV', reset='v=Vr; w+=b', method='euler',
                            namespace=dict(C=C, gL=gL, EL=EL, VT=VT, DeltaT=DeltaT, tauw=tauw, a=a, b=b, Vr=Vr))
        group.I = np.linspace(0.5, 2.5, n_neurons)*nA
        group.v = EL
    else:
        El, R, tau = -70*mV, 100*Mohm, 10*ms
        group = NeuronGroup(n_neurons, '''
dv/dt = (El - v + R*I)/tau : volt (unless refractory)
I : amp (constant)
''', threshold='v>-50*mV', reset='v=-70*mV', refractory=5*ms, method='exact',
                            namespace=dict(El=El, R=R, tau=tau))
        group.I = np.linspace(0, 0.5, n_neurons)*nA
        group.v = El
    return group


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix='brian2_hh_') as build_dir:
        # build_on_run=False: run() only records the network, so compilation and the binary's run
        # can be timed one after the other.
        set_device('cpp_standalone', directory=build_dir, build_on_run=False)
        prefs.devices.cpp_standalone.openmp_threads = args.threads
        defaultclock.dt = 0.1*ms

        # Model exactly as in the seed-000 example (constants, equations, grid expressions).
        area = 20000*umetre**2
        Cm = (1*ufarad*cm**-2) * area
        gl = (5e-5*siemens*cm**-2) * area
        El = -60*mV
        EK = -90*mV
        ENa = 50*mV
        g_kd = (30*msiemens*cm**-2) * area
        VT = -63*mV

        g_na_values = np.linspace(10, 100, num=args.n_gna)*msiemens*cm**-2 * area
        if args.grid == 'pA':
            I_values = np.linspace(0, 20, num=args.n_i)*pA
        else:
            I_values = np.linspace(0, 2, num=args.n_i)*nA

        if args.model == 'hh':
            eqs = Equations('''
    dv/dt = (gl*(El-v)-
     g_na*(m*m*m)*h*(v-ENa)-
     g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
    dm/dt = alpha_m*(1-m)-beta_m*m : 1
    dn/dt = alpha_n*(1-n)-beta_n*n : 1
    dh/dt = alpha_h*(1-h)-beta_h*h : 1
    alpha_m = 0.32*(mV**-1)*(13*mV-v+VT)/
     (exp((13*mV-v+VT)/(4*mV))-1.)/ms : Hz
    beta_m = 0.28*(mV**-1)*(v-VT-40*mV)/
     (exp((v-VT-40*mV)/(5*mV))-1)/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*(15*mV-v+VT)/
     (exp((15*mV-v+VT)/(5*mV))-1.)/ms : Hz
    beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
    I : amp (constant)
    g_na : siemens (constant)
    ''')
            # not `n`: a local of that name would clash with the gating variable n in Brian's namespace
            n_neurons = len(g_na_values)*len(I_values)
            neuron = NeuronGroup(n_neurons, eqs, method='exponential_euler',
                                 threshold='v>-20*mV', refractory='v>-20*mV')
            neuron.v = El
            spike_mon = SpikeMonitor(neuron)
            all_g_na_values, all_I_values = np.meshgrid(g_na_values, I_values)
            neuron.g_na = all_g_na_values.flat[:]
            neuron.I = all_I_values.flat[:]
        else:
            n_neurons = args.n_gna*args.n_i
            neuron = sweep_model(args.model, n_neurons)
            spike_mon = SpikeMonitor(neuron)

        run(args.duration*second)

        t0 = time.perf_counter()
        device.build(directory=build_dir, compile=True, run=False)  # code generation + make
        t1 = time.perf_counter()
        device.run(build_dir, with_output=False, run_args=[])
        t2 = time.perf_counter()

        counts = np.asarray(spike_mon.count[:], dtype=np.int64)

    steps = int(round(args.duration*second / defaultclock.dt))
    # _last_run_time is measured inside `main` around Network::run: the time-step loop only,
    # without process start, loading the static arrays and writing results (those are in main_wall_s).
    sim_s = float(device._last_run_time)
    compiler, compile_args = get_compiler_and_args()
    info = {
        'simulator': 'brian2',
        'brian2_version': brian2.__version__,
        'device': 'cpp_standalone',
        'grid': args.grid if args.model == 'hh' else args.model,
        'n': n_neurons,
        'n_gna': args.n_gna,
        'n_i': args.n_i,
        'duration_s': args.duration,
        'dt_s': float(defaultclock.dt),
        'steps': steps,
        'threads': args.threads,
        'compile_s': t1 - t0,
        'make_s': device.timers['compile']['make'],
        'sim_s': sim_s,
        'main_wall_s': t2 - t1,
        'neuron_steps_per_s': n_neurons*steps/sim_s,
        'total_spikes': int(counts.sum()),
        'spiking_neurons': int((counts > 0).sum()),
        'compiler': compiler,
        'compiler_flags': compile_args,
    }
    np.save(os.path.join(args.out, 'brian2_spike_counts.npy'), counts)
    with open(os.path.join(args.out, 'brian2.json'), 'w') as f:
        json.dump(info, f, indent=1)
    print(f"brian2 {args.grid if args.model == 'hh' else args.model} {args.duration:g}s n={n_neurons} threads={args.threads}: "
          f"{info['neuron_steps_per_s']:.3e} neuron-steps/s (sim {sim_s:.2f} s, compile {info['compile_s']:.1f} s), "
          f"{info['total_spikes']} spikes, {info['spiking_neurons']} spiking neurons")


if __name__ == '__main__':
    main()
