#!/usr/bin/python3
"""Brian 2 side of the Jansen-Rit exploration benchmark (issue 10): the equations of NeuroNative's library model
(PyRates' JRC2 form, every right-hand side over second), a 100 x 100 grid of c and ei_ratio (c fastest, as the
exploration orders them), the noise input u from the same CSV file as a TimedArray, 10 s at dt 1e-4, V_e and V_i
recorded every 1 ms, on cpp_standalone with OpenMP.

    /usr/bin/python3 benchmarks/explorations/brian2_jansen_rit.py --noise noise.csv --threads 2 --out DIR

Writes DIR/brian2.json (simulation and compile time, peak memory of the standalone process) and
DIR/V_e.npy, DIR/V_i.npy (float64 [condition, sample], the samples from --cutoff on).
"""
import argparse
import json
import os
import resource
import tempfile
import time

import numpy as np
import brian2
from brian2 import NeuronGroup, StateMonitor, TimedArray, defaultclock, device, prefs, run, set_device, second, ms


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--noise', required=True)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--n', type=int, default=100, help='grid points per parameter')
    p.add_argument('--duration', type=float, default=10.0)
    p.add_argument('--cutoff', type=float, default=1.0)
    p.add_argument('--out', required=True)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    noise = np.loadtxt(args.noise, delimiter=',', skiprows=1)

    with tempfile.TemporaryDirectory(prefix='brian2_jr_') as build_dir:
        set_device('cpp_standalone', directory=build_dir, build_on_run=False)
        prefs.devices.cpp_standalone.openmp_threads = args.threads
        defaultclock.dt = 1e-4*second
        u_ta = TimedArray(noise, dt=1e-4*second)
        ns = dict(h_e=3.25e-3, tau_e=10e-3, h_i=22e-3, tau_i=20e-3, m_max=5.0, r=560.0, V_thr=6e-3, io_ratio=3.0,
                  m_in=0.0, u_ta=u_ta)
        eqs = '''
dV_ein/dt = X_ein/second : 1
dX_ein/dt = (h_e*c/tau_e*m - V_ein/tau_e**2 - 2*X_ein/tau_e)/second : 1
dV_iin/dt = X_iin/second : 1
dX_iin/dt = (h_e*c/(ei_ratio*tau_e)*m - V_iin/tau_e**2 - 2*X_iin/tau_e)/second : 1
dV_e/dt = X_e/second : 1
dX_e/dt = (h_e/tau_e*(c*0.8*m_max/(1 + exp(-r*(V_ein - V_thr))) + c*m_in/io_ratio + u) - V_e/tau_e**2 - 2*X_e/tau_e)/second : 1
dV_i/dt = X_i/second : 1
dX_i/dt = (h_i*c/(ei_ratio*tau_i)*m_max/(1 + exp(-r*(V_iin - V_thr))) - V_i/tau_i**2 - 2*X_i/tau_i)/second : 1
m = m_max/(1 + exp(-r*(V_e - V_i - V_thr))) : 1
u = u_ta(t) : 1
c : 1 (constant)
ei_ratio : 1 (constant)
'''
        n = args.n * args.n
        group = NeuronGroup(n, eqs, method='euler', namespace=ns)
        c_values = np.linspace(68, 1350, args.n)
        ei_values = np.linspace(2, 6, args.n)
        group.c = np.tile(c_values, args.n)           # c fastest
        group.ei_ratio = np.repeat(ei_values, args.n)
        monitor = StateMonitor(group, ['V_e', 'V_i'], record=True, dt=1*ms)
        run(args.duration*second)
        t0 = time.perf_counter()
        device.build(directory=build_dir, compile=True, run=False)
        t1 = time.perf_counter()
        device.run(build_dir, with_output=False, run_args=[])
        t2 = time.perf_counter()
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the standalone process (and make)
        drop = int(round(args.cutoff / 1e-3))
        for name in ('V_e', 'V_i'):
            np.save(os.path.join(args.out, f'{name}.npy'), np.ascontiguousarray(getattr(monitor, name)[:, drop:]))
    steps = int(round(args.duration / 1e-4))
    sim_s = float(device._last_run_time)
    info = {'simulator': 'brian2', 'brian2_version': brian2.__version__, 'device': 'cpp_standalone',
            'threads': args.threads, 'n': n, 'steps': steps, 'compile_s': t1 - t0, 'sim_s': sim_s,
            'main_wall_s': t2 - t1, 'neuron_steps_per_s': n * steps / sim_s, 'peak_rss_mb': peak_kb / 1024}
    with open(os.path.join(args.out, 'brian2.json'), 'w') as f:
        json.dump(info, f, indent=1)
    print(f"brian2 Jansen-Rit {args.n}x{args.n}, {args.duration:g} s: sim {sim_s:.2f} s "
          f"({info['neuron_steps_per_s']:.3e} neuron-steps/s), compile {t1 - t0:.1f} s, peak {info['peak_rss_mb']:.0f} MB")


if __name__ == '__main__':
    main()
