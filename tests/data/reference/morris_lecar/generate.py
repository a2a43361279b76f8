#!/usr/bin/env python3
"""Reference run: Morris-Lecar neurons (Rinzel & Ermentrout's class II parameters) integrated with
exponential_euler, 20 input currents. The calcium activation is instantaneous, m_inf(v) written with
tanh, so the coefficient of v contains v. Run with the system Python 3 (Debian's python3-brian):
python3 generate.py (outputs are written next to this file)."""
import os, sys
import numpy as np
from brian2 import *

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from brian_reference import run_and_save  # noqa: E402  (also sets Brian's code generation flags)

DURATION = 1*second
TRACE_NEURONS = [0, 12, 19]
TRACE_WINDOW = 200*ms
TRACE_EVERY = 10

defaultclock.dt = 0.05*ms

# Per unit area (1 cm^2), as in Brian's Wang-Buszaki example.
C = 20*uF
gL = 2*mS
EL = -60*mV
gCa = 4.4*mS
ECa = 120*mV
gK = 8*mS
EK = -84*mV
V1 = -1.2*mV
V2 = 18*mV
V3 = 2*mV
V4 = 30*mV
phi = 0.04/ms

eqs = '''
dv/dt = (I - gL*(v - EL) - gCa*m_inf*(v - ECa) - gK*w*(v - EK))/C : volt
dw/dt = phi*(w_inf - w)/tau_w : 1
m_inf = 0.5*(1 + tanh((v - V1)/V2)) : 1
w_inf = 0.5*(1 + tanh((v - V3)/V4)) : 1
tau_w = 1/cosh((v - V3)/(2*V4)) : 1
I : amp (constant)
'''
neuron = NeuronGroup(20, eqs, method='exponential_euler', threshold='v > 0*mV', refractory='v > 0*mV')
neuron.v = EL          # w keeps Brian's default initial value 0
neuron.I = np.linspace(60, 150, 20)*uA
run_and_save(HERE, globals(), neuron, ['v', 'w'], TRACE_NEURONS, TRACE_WINDOW, TRACE_EVERY, DURATION)
