#!/usr/bin/env python3
"""Reference run: a leaky membrane driven by a current-based biexponential synapse, a coupled linear
system with constant, per-neuron coefficients (tau_d), method left out: Brian chooses 'exact' (its
linear state updater, the matrix exponential solved with sympy). Each spike feeds back through the
synapse (x += w), 2 ms refractoriness on v only. Run with the system Python 3 (Debian's
python3-brian): /usr/bin/python3 generate.py (outputs are written next to this file)."""
import os, sys
import numpy as np
from brian2 import *

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from brian_reference import run_and_save  # noqa: E402  (also sets Brian's code generation flags)


DURATION = 500*ms
TRACE_NEURONS = [0, 9, 19]
TRACE_WINDOW = 200*ms
TRACE_EVERY = 1

defaultclock.dt = 0.1*ms

El = -70*mV
Vr = -60*mV
R = 100*Mohm
tau_m = 10*ms
tau_r = 1*ms
w = 0.08*nA

eqs = '''
dv/dt = (El - v + R*(I_syn + I_b))/tau_m : volt (unless refractory)
dI_syn/dt = (x - I_syn)/tau_r : amp
dx/dt = -x/tau_d : amp
tau_d : second (constant)
I_b : amp (constant)
'''
neuron = NeuronGroup(20, eqs, threshold='v > -50*mV', reset='v = Vr; x += w', refractory=2*ms)
neuron.v = El
neuron.x = 0.3*nA      # I_syn keeps Brian's default initial value 0
neuron.tau_d = '2.5*ms + i*0.47*ms'
neuron.I_b = '0.1*nA + i*0.01*nA'
run_and_save(HERE, globals(), neuron, ['v', 'I_syn', 'x'], TRACE_NEURONS, TRACE_WINDOW, TRACE_EVERY, DURATION,
             conditions=('tau_d', 'I_b'))
