#!/usr/bin/env python3
"""Writes brian_suite.json: the numbers that NeuroNative's ports of Brian 2.5.1's own tests
(tests/NeuroNative.Tests/BrianSuite/) compare with, each case made by running Brian on the model
of the test it ports. Run with the system Python 3: /usr/bin/python3 generate.py

Runtime (numpy) cases, except `integer_subexpression`: numpy stores an integer subexpression's recorded
value as an int but uses the float value inside expressions, so its reference comes from cpp_standalone,
whose generated C++ (like Cython's, which refuses the model) holds it in an int32_t everywhere."""
import json
import os
import warnings

warnings.filterwarnings("ignore")

import brian2
import numpy as np
from brian2 import *

HERE = os.path.dirname(os.path.abspath(__file__))
cases = {}


def runtime():
    device.reinit()
    device.activate()
    set_device("runtime")
    prefs.codegen.target = "numpy"
    start_scope()


def trace(mon, name):
    return [list(map(float, row)) for row in getattr(mon, name + "_")]


# test_refractory.test_refractoriness_basic, recorded at the start of each step (our monitors' slot).
runtime()
G = NeuronGroup(1, "dv/dt = 99.999*Hz : 1 (unless refractory)\ndw/dt = 99.999*Hz : 1",
                threshold="v>1", reset="v=0;w=0", refractory=5*ms)
mon = StateMonitor(G, ["v", "w"], record=True)
run(20*ms)
cases["refractoriness_basic"] = dict(v=trace(mon, "v"), w=trace(mon, "w"))

# test_refractory.test_refractoriness_variables: the spike times for every refractory argument.
for ref_time in ["5*ms", "(t-lastspike + 1e-3*dt) < 5*ms", "time_since_spike + 1e-3*dt < 5*ms", "ref_subexpression",
                 "(t-lastspike + 1e-3*dt) < ref", "ref", "ref_no_unit*ms"]:
    runtime()
    G = NeuronGroup(1, """dv/dt = 99.999*Hz : 1 (unless refractory)
                          dw/dt = 99.999*Hz : 1
                          ref : second
                          ref_no_unit : 1
                          time_since_spike = (t - lastspike) +1e-3*dt : second
                          ref_subexpression = (t - lastspike + 1e-3*dt) < ref : boolean""",
                    threshold="v>1", reset="v=0;w=0", refractory=ref_time)
    G.ref = 5*ms
    G.ref_no_unit = 5
    spikes = SpikeMonitor(G)
    mon = StateMonitor(G, ["v"], record=True)
    run(20*ms)
    cases.setdefault("refractoriness_variables", []).append(
        dict(refractory=ref_time, spikes=list(map(float, spikes.t_)), v=trace(mon, "v")[0]))

# test_neurongroup.test_constant_variable_subexpression: rk2, the final state of each copy.
runtime()
G = NeuronGroup(10, """dv1/dt = -v1**2 / (10*ms) : 1
                       dv2/dt = -v_const**2 / (10*ms) : 1
                       dv3/dt = -v_var**2 / (10*ms) : 1
                       dv4/dt = -v_noflag**2 / (10*ms) : 1
                       v_const = v2 : 1 (constant over dt)
                       v_var = v3 : 1
                       v_noflag = v4 : 1""", method="rk2")
for name in ["v1", "v2", "v3", "v4"]:
    setattr(G, name, "1.0*i/N")
run(10*ms)
cases["constant_variable_subexpression"] = {name: list(map(float, getattr(G, name + "_"))) for name in ["v1", "v2", "v3", "v4"]}

# (constant over dt) under rk4 with a time-dependent subexpression: evaluated once per step, at t_k.
runtime()
G = NeuronGroup(1, "dv/dt = (s - v)/(10*ms) : 1\ns = t/ms : 1 (constant over dt)", method="rk4")
mon = StateMonitor(G, ["v", "s"], record=True)
run(1*ms)
cases["constant_over_dt_rk4"] = dict(v=trace(mon, "v")[0], s=trace(mon, "s")[0])

# run_regularly in every slot of Brian's schedule (test_neurongroup.test_run_regularly_scheduling and
# _scheduling_2 with a threshold, reset and refractoriness): for each `when`, three operations there (orders -1,
# 0 and 1, one on its own clock of 3 steps), monitors at 'start' (order 0) and at the slot itself (order 2).
# `w = 2*v`, not `w = v`: numpy binds w to v's array, and writing v back after `v = ...` or `v *= ...` changes
# w too, which Brian's C++ targets (and NeuroNative) do not.
SLOTS = [f"{p}{s}" for s in ["start", "groups", "thresholds", "synapses", "resets", "end"] for p in ["before_", "", "after_"]]
for when in SLOTS:
    runtime()
    G = NeuronGroup(3, """dv/dt = (1.2 - v)/(4*ms) : 1
                          c : 1
                          w : 1""", threshold="v > 1", reset="v = 0.1*c", refractory=0.7*ms, method="euler")
    G.v = "0.35*i"
    G.run_regularly("c += int(not_refractory) + 0.5*int(t == lastspike)", when=when, order=-1)
    G.run_regularly("v += 0.02*c", when=when, order=0)
    G.run_regularly("w = 2*v\nv *= 0.995", when=when, order=1, dt=0.3*ms)
    start = StateMonitor(G, ["v", "c", "w"], record=True)
    at = StateMonitor(G, ["v", "c", "w"], record=True, when=when, order=2)
    spikes = SpikeMonitor(G)
    run(4*ms)
    cases.setdefault("run_regularly_slots", []).append(dict(
        when=when, v=trace(start, "v"), c=trace(start, "c"), w=trace(start, "w"),
        at_v=trace(at, "v"), at_c=trace(at, "c"), at_w=trace(at, "w"),
        spike_i=list(map(int, spikes.i)), spike_t=list(map(float, spikes.t_))))

# run_regularly writes an (unless refractory) variable only where not_refractory holds (Brian's conditional
# write, which only the resetters override); the other variables are written everywhere.
runtime()
G = NeuronGroup(2, """dv/dt = (1.5 - v)/(2*ms) : 1 (unless refractory)
                      dw/dt = -w/(5*ms) : 1""", threshold="v > 1", reset="v = 0", refractory=1*ms, method="euler")
G.run_regularly("v += 0.05\nw += 0.1", when="end")
G.v = "0.5*i"
mon = StateMonitor(G, ["v", "w"], record=True)
run(4*ms)
cases["run_regularly_unless_refractory"] = dict(v=trace(mon, "v"), w=trace(mon, "w"))

# test_network.test_both_equal: 'v = 2*v' every 20 ms on an exact integration, 100 ms.
runtime()
G = NeuronGroup(1, "dv/dt = (1-v)/(10*ms) : 1", method="exact")
mon = StateMonitor(G, "v", record=True)
G.run_regularly("v = 2*v", dt=20*ms)
run(100*ms)
cases["run_regularly_both_equal"] = dict(v=trace(mon, "v")[0])

# (constant over dt) is a parameter set at 'before_start': the threshold and reset read the value of the
# step's start, a run_regularly at 'start' changes v after it (rk4).
runtime()
G = NeuronGroup(2, """dv/dt = (s - v)/(3*ms) : 1
                      s = 1.5*v + 0.5 + t/ms : 1 (constant over dt)""", threshold="s > 3", reset="v = -s/4", method="rk4")
G.v = "0.5*i"
G.run_regularly("v += 0.01", when="start")
mon = StateMonitor(G, ["v", "s"], record=True)
spikes = SpikeMonitor(G)
run(2*ms)
cases["constant_over_dt_schedule"] = dict(v=trace(mon, "v"), s=trace(mon, "s"),
                                          spike_i=list(map(int, spikes.i)), spike_t=list(map(float, spikes.t_)))

# Custom events beside a threshold, reset and refractoriness (test_neurongroup.test_custom_events and
# test_monitor.test_event_monitor on a spiking model): refractoriness does not gate an event, one event's
# condition is checked at 'before_groups', its code runs at 'start' (on the neurons of the previous check).
runtime()
G = NeuronGroup(3, """dv/dt = (1.2 - v)/(4*ms) : 1
                      c : 1
                      d : 1""", threshold="v > 1", reset="v = 0", refractory=1*ms, method="euler",
                events={"up": "v > 0.6", "early": "v > 0.3 and not_refractory"})
G.v = "0.4*i"
G.run_on_event("up", "c += 1")
G.set_event_schedule("early", when="before_groups")
G.run_on_event("early", "d += v", when="start")
up = EventMonitor(G, "up")
early = EventMonitor(G, "early")
late = EventMonitor(G, "up", when="end", order=0)
mon = StateMonitor(G, ["v", "c", "d"], record=True)
run(6*ms)
cases["custom_events"] = dict(
    c=trace(mon, "c"), d=trace(mon, "d"), v=trace(mon, "v"),
    up_i=list(map(int, up.i)), up_t=list(map(float, up.t_)), early_i=list(map(int, early.i)),
    early_t=list(map(float, early.t_)), late_i=list(map(int, late.i)), late_t=list(map(float, late.t_)))

# A model without differential equations: parameters, a subexpression and a TimedArray lookup.
runtime()
ta = TimedArray([1.0, 2.5, -3.0, 4.0], dt=0.2*ms)
G = NeuronGroup(3, "x : 1\ny = 2*x + ta(t) : 1")
G.x = [1, 3, 5]
mon = StateMonitor(G, ["y"], record=True)
run(1*ms)
cases["no_differential_equation"] = dict(y=trace(mon, "y"))

# test_monitor's rate-monitor tests: neuron i spikes every i + 2 steps; the rate of all four and of G[1:4], and
# smooth_rate with widths that round (gaussian 2.3 dt, flat 5.4 dt), a window longer than the run and an
# asymmetric window.
runtime()
G = NeuronGroup(4, "v : 1", threshold="timestep(t, dt) % (i + 2) == 0", reset="", name="rate_group")
rate_all = PopulationRateMonitor(G, name="rate_all")
rate_sub = PopulationRateMonitor(G[1:4], name="rate_sub")
Network(G, rate_all, rate_sub).run(3*ms)
cases["population_rate"] = dict(
    t=list(map(float, rate_all.t_)), rate=list(map(float, rate_all.rate_)), rate_1_4=list(map(float, rate_sub.rate_)),
    gaussian=list(map(float, np.asarray(rate_all.smooth_rate(window="gaussian", width=2.3*defaultclock.dt)))),
    flat=list(map(float, np.asarray(rate_all.smooth_rate(window="flat", width=5.4*defaultclock.dt)))),
    gaussian_long=list(map(float, np.asarray(rate_all.smooth_rate(window="gaussian", width=2*ms)))),
    custom=list(map(float, np.asarray(rate_sub.smooth_rate(window=np.array([1.0, 2.0, 4.0]))))))
del rate_all, rate_sub  # else the next case's magic network finds them

# test_monitor.test_spike_monitor_variables (and _get_states): prev_spikes at each spike, recorded after the threshold
# (before the reset) and at 'after_resets'.
runtime()
G = NeuronGroup(3, """dv/dt = rate : 1
                      rate : Hz
                      prev_spikes : integer""", threshold="v>1", reset="v=0; prev_spikes += 1")
G.rate = [101, 0, 1001]*Hz
mon1 = SpikeMonitor(G, variables="prev_spikes")
mon2 = SpikeMonitor(G, variables="prev_spikes", when="after_resets")
run(10*ms)
cases["spike_monitor_variables"] = dict(
    i=list(map(int, mon1.i)), t=list(map(float, mon1.t_)), prev_spikes=list(map(float, mon1.prev_spikes)),
    after_i=list(map(int, mon2.i)), after_prev_spikes=list(map(float, mon2.prev_spikes)), count=list(map(int, mon1.count)))

# Spike and event monitors with variables beside refractoriness and operations around the spike monitor: a
# run_regularly at ('thresholds', 1) runs before it (Brian's name order), one at ('thresholds', 2) after; a
# subexpression, lastspike and not_refractory recorded; event monitors at their default point and at 'end'.
runtime()
G = NeuronGroup(3, """dv/dt = (1.2 - v)/(4*ms) : 1 (unless refractory)
                      w : 1
                      c : integer
                      s = 2*v + w : 1""", threshold="v > 1", reset="v = 0.1*c; c += 1", refractory=0.5*ms, method="euler",
                events={"up": "v > 0.6"})
G.v = "0.35*i"
G.run_regularly("w += 0.25", when="thresholds", order=1)
G.run_regularly("w *= 0.5", when="thresholds", order=2)
G.run_on_event("up", "w -= 0.1")
spikes = SpikeMonitor(G, variables=["v", "w", "c", "s", "lastspike", "not_refractory"])
after = SpikeMonitor(G, variables=["v", "c", "s"], when="after_resets")
up = EventMonitor(G, "up", variables=["v", "w", "s"])
late = EventMonitor(G, "up", variables=["v", "w"], when="end")
run(15*ms)
cases["monitor_variables"] = dict(
    spikes={k: list(map(float, getattr(spikes, k + "_" if k in ("t", "lastspike") else k)[:]))
            for k in ["i", "t", "v", "w", "c", "s", "lastspike", "not_refractory"]},
    after={k: list(map(float, getattr(after, k + "_" if k == "t" else k)[:])) for k in ["i", "t", "v", "c", "s"]},
    up={k: list(map(float, getattr(up, k + "_" if k == "t" else k)[:])) for k in ["i", "t", "v", "w", "s"]},
    late={k: list(map(float, getattr(late, k + "_" if k == "t" else k)[:])) for k in ["i", "t", "v", "w"]})
del spikes, after, up, late

# test_monitor.test_state_monitor_record_single_timestep, and once more after a second run (whose first sample is
# the same step again).
runtime()
G = NeuronGroup(1, "dv/dt = -v/(5*ms) : 1")
G.v = 1
mon = StateMonitor(G, "v", record=True)
run(0.5*ms)
mon.record_single_timestep()
first_v = float(G.v[0])
run(0.3*ms)
mon.record_single_timestep()
cases["record_single_timestep"] = dict(t=list(map(float, mon.t_)), v=trace(mon, "v")[0], v_after_first=first_v,
                                       v_end=float(G.v[0]))

from numpy.testing import assert_allclose as numpy_allclose

# test_functions.test_math_functions: each function of a variable in a subexpression, one group per function as
# in Brian's test, on Brian's inputs and a few more; numpy's values beside Brian's (the test compares the two).
def num(x):
    """JSON has no NaN or infinities: those as the strings .NET's double.Parse reads."""
    x = float(x)
    return x if np.isfinite(x) else ("NaN" if np.isnan(x) else ("Infinity" if x > 0 else "-Infinity"))


def int_(x):
    return np.array(x, dtype=int)


math_inputs = [-1, -0.5, 0, 0.5, 1, -3.7, -1e-10, 1e-10, 2.5, 30]
math_functions = dict(cos=np.cos, tan=np.tan, sinh=np.sinh, cosh=np.cosh, tanh=np.tanh, arcsin=np.arcsin,
                      arccos=np.arccos, arctan=np.arctan, log=np.log, log10=np.log10, log1p=np.log1p, exp=np.exp,
                      sqrt=np.sqrt, expm1=np.expm1, exprel=brian2.exprel, ceil=np.ceil, floor=np.floor,
                      sign=np.sign, int=int_, sin=np.sin, abs=np.abs)
cases["math_functions"] = dict(inputs=math_inputs, functions={})
for name, func in math_functions.items():
    runtime()
    G = NeuronGroup(len(math_inputs), f"func = {name}(variable) : 1\nvariable : 1")
    G.variable = math_inputs
    mon = StateMonitor(G, "func", record=True)
    Network(G, mon).run(defaultclock.dt)
    with np.errstate(all="ignore"):
        expected = func(np.array(math_inputs, dtype=float))
    brian_values = mon.func_.flatten()
    numpy_allclose(brian_values, expected, rtol=4.5e8*np.finfo(float).eps, atol=0)
    cases["math_functions"]["functions"][name] = dict(brian=list(map(num, brian_values)), numpy=list(map(num, expected)))

# test_functions.test_math_operators (** and % of a variable and a namespace scalar 3), extended to every operator,
# to a second operand that is a variable (no constant folding) and to integers (floor division and Python's modulo).
operator_x = [-1, -0.5, 0, 0.5, 1, -3.7, 2.5, 7]
operator_y = [3, -0.75, 2, -2, 0.3, 1.5, -4, 2.5]
operator_a = [-7, -3, 0, 3, 7, -1, 5, 8]
operator_b = [2, -2, 3, -3, 3, 4, -5, 3]
operators = {"add": "+", "sub": "-", "mul": "*", "div": "/", "floordiv": "//", "mod": "%", "pow": "**"}
runtime()
G = NeuronGroup(len(operator_x), "\n".join(
    ["x : 1", "y : 1", "a : integer", "b : integer"]
    + [f"{k}_scalar = x {op} scalar : 1" for k, op in operators.items()]
    + [f"{k}_variable = x {op} y : 1" for k, op in operators.items()]
    + [f"{k}_integer = a {op} b : integer" for k, op in operators.items() if k in ("add", "sub", "mul", "floordiv", "mod")]),
    namespace=dict(scalar=3))
G.x = operator_x
G.y = operator_y
G.a = operator_a
G.b = operator_b
names = [n for n in G.variables.keys() if n.endswith(("_scalar", "_variable", "_integer"))]
mon = StateMonitor(G, names, record=True)
Network(G, mon).run(defaultclock.dt)
x_, y_, a_, b_ = (np.array(v) for v in (operator_x, operator_y, operator_a, operator_b))
with np.errstate(all="ignore"):
    numpy_values = dict(add_scalar=x_ + 3, sub_scalar=x_ - 3, mul_scalar=x_*3, div_scalar=x_/3, floordiv_scalar=x_//3,
                        mod_scalar=np.mod(x_, 3), pow_scalar=np.power(x_, 3), add_variable=x_ + y_, sub_variable=x_ - y_,
                        mul_variable=x_*y_, div_variable=x_/y_, floordiv_variable=x_//y_, mod_variable=np.mod(x_, y_),
                        pow_variable=np.power(x_, y_), add_integer=a_ + b_, sub_integer=a_ - b_, mul_integer=a_*b_,
                        floordiv_integer=a_//b_, mod_integer=np.mod(a_, b_))
cases["math_operators"] = dict(x=operator_x, y=operator_y, a=operator_a, b=operator_b, scalar=3, results={})
for name in names:
    brian_values = getattr(mon, name + "_").flatten()
    numpy_allclose(brian_values, numpy_values[name], rtol=4.5e8*np.finfo(float).eps, atol=0)
    cases["math_operators"]["results"][name] = dict(brian=list(map(num, brian_values)), numpy=list(map(num, numpy_values[name])))

# `: integer` on a subexpression, in cpp_standalone (see above).
device.reinit()
set_device("cpp_standalone", directory=os.path.join("/tmp", "brian_suite_standalone"))
G = NeuronGroup(4, "x : 1\ny = x/2 : integer\nz = y*1.5 : 1\ndv/dt = y/ms : 1", method="euler")
G.x = [1, 3, 5, -3]
mon = StateMonitor(G, ["y", "z", "v"], record=True)
run(0.3*ms)
cases["integer_subexpression"] = dict(x=[1, 3, 5, -3], y=trace(mon, "y"), z=trace(mon, "z"), v=trace(mon, "v"))

with open(os.path.join(HERE, "brian_suite.json"), "w") as f:
    json.dump(dict(brian2=brian2.__version__, cases=cases), f, indent=1)
