#!/usr/bin/env python3
"""Reference run: the persistent sodium plus potassium model (Izhikevich, Dynamical Systems in
Neuroscience, ch. 4: INa,p+IK with the high-threshold K current) integrated with exponential_euler,
20 input currents. The sodium activation is instantaneous, m_inf(v) = 1/(1 + exp(...)), so the
coefficient of v contains v. Run with the system Python 3 (Debian's python3-brian):
python3 generate.py (outputs are written next to this file)."""
import os, sys
import numpy as np
from brian2 import *

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from brian_reference import run_and_save  # noqa: E402  (also sets Brian's code generation flags)

DURATION = 200*ms
TRACE_NEURONS = [0, 9, 19]
TRACE_WINDOW = 50*ms
TRACE_EVERY = 10

defaultclock.dt = 0.01*ms

# Per unit area (1 cm^2).
C = 1*uF
gL = 8*mS
EL = -80*mV
gNa = 20*mS
ENa = 60*mV
gK = 10*mS
EK = -90*mV
V_half_m = -20*mV
k_m = 15*mV
V_half_n = -25*mV
k_n = 5*mV
tau_n = 1*ms

eqs = '''
dv/dt = (I - gL*(v - EL) - gNa*m_inf*(v - ENa) - gK*n*(v - EK))/C : volt
dn/dt = (n_inf - n)/tau_n : 1
m_inf = 1/(1 + exp((V_half_m - v)/k_m)) : 1
n_inf = 1/(1 + exp((V_half_n - v)/k_n)) : 1
I : amp (constant)
'''
neuron = NeuronGroup(20, eqs, method='exponential_euler', threshold='v > -20*mV', refractory='v > -20*mV')
neuron.v = -65*mV      # n keeps Brian's default initial value 0
neuron.I = np.linspace(0, 38, 20)*uA
run_and_save(HERE, globals(), neuron, ['v', 'n'], TRACE_NEURONS, TRACE_WINDOW, TRACE_EVERY, DURATION)
