"""Brian 2 simulating what one TraceFitter fit of the brian2modelfitting HH tutorial simulates: 10 rounds of
100 parameter sets x 5 traces (500 neurons, 1497 steps of 0.01 ms, exponential Euler), as brian2modelfitting runs
them in runtime mode (one network, restore, new parameters, run, MSE against the data). The parameters are drawn
uniformly in the tutorial's bounds (the optimizer's own work is not timed). Prints the wall time of the 10 rounds.
usage: /usr/bin/python3 benchmarks/fitting/brian2_hh_rounds.py DATA_DIR [codegen-target]"""
import sys, time
import numpy as np
from brian2 import *

data = sys.argv[1]
prefs.codegen.target = sys.argv[2] if len(sys.argv) > 2 else 'cython'
inp = np.loadtxt(f'{data}/input_traces_hh.csv', delimiter=',', skiprows=1)[:, 1:]
out = np.loadtxt(f'{data}/output_traces_hh.csv', delimiter=',', skiprows=1)[:, 1:] * 1e-3
n_traces, n_steps = inp.shape
n_samples, rounds = 100, 10
defaultclock.dt = 0.01*ms
area = 20000*umetre**2
Cm = 1*ufarad*cm**-2 * area
El, EK, ENa, VT = -65*mV, -90*mV, 50*mV, -63*mV
I_input = TimedArray(inp.T*amp, dt=0.01*ms)
eqs = '''
dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
dm/dt = 0.32*(mV**-1)*(13.*mV-v+VT)/(exp((13.*mV-v+VT)/(4.*mV))-1.)/ms*(1-m)-0.28*(mV**-1)*(v-VT-40.*mV)/(exp((v-VT-40.*mV)/(5.*mV))-1.)/ms*m : 1
dn/dt = 0.032*(mV**-1)*(15.*mV-v+VT)/(exp((15.*mV-v+VT)/(5.*mV))-1.)/ms*(1.-n)-.5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1
dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h)-4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms*h : 1
g_na : siemens (constant)
g_kd : siemens (constant)
gl   : siemens (constant)
I = I_input(t, i % n_traces) : amp
'''
G = NeuronGroup(n_samples*n_traces, eqs, method='exponential_euler')
M = StateMonitor(G, 'v', record=True)
net = Network(G, M)
net.store()
rng = np.random.default_rng(1)
bounds = {'gl': (2e-12, 200e-9), 'g_na': (200e-9, 0.4e-3), 'g_kd': (200e-9, 200e-6)}
def round_():
    net.restore()
    for name, (lo, hi) in bounds.items():
        setattr(G, name, np.repeat(rng.uniform(lo, hi, n_samples), n_traces) * siemens)
    G.v = -65*mV
    net.run(n_steps*defaultclock.dt)
    v = np.asarray(M.v[:]).reshape(n_samples, n_traces, -1)
    return ((v - out[None, :, :])**2).mean(axis=2).mean(axis=1)
round_()  # code generation and compilation, not timed
start = time.perf_counter()
for _ in range(rounds):
    errors = round_()
print(f'brian2 {prefs.codegen.target}: {rounds} rounds in {time.perf_counter() - start:.3f} s (best random error {errors.min():.3e})')
