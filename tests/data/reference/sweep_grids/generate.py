#!/usr/bin/python3
"""Sweep grids as a Brian script builds them: np.linspace / np.geomspace on the numbers, times the unit.

Run from this folder with the system Python: /usr/bin/python3 generate.py (see PROVENANCE.md).
Grid g of grids.csv is GRIDS[g]; the tests write the same bounds as `lo: <lo>*<unit>, hi: <hi>*<unit>`."""
import json
import platform

import numpy as np
import brian2
from brian2 import mV, nA, pA, msiemens, cm

# (lo, hi, n, scale, unit): every sign combination, and log grids of negative numbers. The unit is applied
# as a script writes it, left to right: np.linspace(lo, hi, n)*msiemens*cm**-2.
GRIDS = [
    (-48.3, -40, 7, 'linear', 'mV'),
    (-48.3, 40, 100, 'linear', 'mV'),
    (48.3, -40, 13, 'linear', 'mV'),
    (-0.5, 0.5, 50, 'linear', 'nA'),
    (-20, -0.1, 33, 'linear', 'pA'),
    (-100, -10, 21, 'log', 'msiemens*cm**-2'),
    (-1e-3, -7.5, 9, 'log', 'nA'),
]

with open('grids.csv', 'w') as f:
    f.write('grid,k,value\n')
    for g, (lo, hi, n, scale, unit) in enumerate(GRIDS):
        numbers = np.linspace(lo, hi, n) if scale == 'linear' else np.geomspace(lo, hi, n)
        values = eval(f'numbers*{unit}', {'numbers': numbers, 'mV': mV, 'nA': nA, 'pA': pA, 'msiemens': msiemens, 'cm': cm})
        for k, value in enumerate(np.asarray(values)):
            f.write(f'{g},{k},{value:.17g}\n')
with open('run_info.json', 'w') as f:
    json.dump({'brian2_version': brian2.__version__, 'numpy': np.__version__, 'python': platform.python_version(),
               'grids': [{'lo': lo, 'hi': hi, 'n': n, 'scale': scale, 'unit': unit}
                         for lo, hi, n, scale, unit in GRIDS]}, f, indent=2)
    f.write('\n')
