"""GammaFactor errors from brian2modelfitting's own metric.py, for tests/NeuroNative.Tests/Fitting/GammaFactorTests.cs.

usage: /usr/bin/python3 make_reference.py PATH/TO/brian2modelfitting/metric.py > cases.csv
metric.py is loaded on its own (it imports only numpy and brian2)."""
import importlib.util
import sys

import numpy as np
from brian2 import ms, second

spec = importlib.util.spec_from_file_location("metric", sys.argv[1])
metric = importlib.util.module_from_spec(spec)
spec.loader.exec_module(metric)

rng = np.random.default_rng(12)
dt = 0.1 * ms
time = 1 * second


def train(rate, length=1.0, refractory=0.004):
    """A Poisson train (s) on the dt grid with a refractory gap, so that delta stays below every ISI."""
    t, out = 0.0, []
    while True:
        t += refractory + rng.exponential(1 / rate)
        if t >= length:
            return np.round(np.array(out) / 1e-4) * 1e-4
        out.append(t)


cases = []
for k in range(12):
    data = train(20 + 5 * k)
    if k % 4 == 0:
        model = data.copy()                                         # identical: error 0
    elif k % 4 == 1:
        model = np.sort(data + rng.normal(0, 0.0015, data.size))   # jittered around delta
    elif k % 4 == 2:
        model = train(10 + 10 * k)                                  # unrelated, another rate
    else:
        model = np.sort(np.concatenate([data[::2], train(5)]))     # half the spikes and a few more
    cases.append((data, model))
cases.append((train(30), np.array([0.5])))   # one model spike
cases.append((train(30), np.array([])))      # none

print("case,delta,rate_correction,t_start,error,data,model")
for c, (data, model) in enumerate(cases):
    for delta in (0.5 * ms, 2 * ms):
        for correction in (True, False):
            for t_start in (0 * second, 0.3 * second):
                gf = metric.GammaFactor(delta=delta, time=time, t_start=t_start, rate_correction=correction)
                error = gf.calc([[model]], [data], dt)[0]
                print(f"{c},{float(delta)!r},{int(correction)},{float(t_start)!r},{float(error)!r},"
                      f"{' '.join(repr(float(x)) for x in data)},{' '.join(repr(float(x)) for x in model)}")
