"""Writes brian2_unit_names.csv: every unit name a Brian 2 script can use in a model string.

That is the union of Brian's default unit namespace (brian2.core.namespace.DEFAULT_UNITS: the
registered units, brian2.units.stdunits and the simple additional units) and the quantities that
`from brian2 import *` puts into the script's namespace (Brian also resolves names from there).
Run with the system Python: /usr/bin/python3 generate.py
"""
import csv
import warnings

warnings.filterwarnings("ignore")

import brian2
from brian2 import *  # noqa: F401,F403  (the names a script sees)
from brian2.core.namespace import DEFAULT_UNITS
from brian2.units.fundamentalunits import Quantity

star = {k: v for k, v in dict(globals()).items() if isinstance(v, Quantity) and not k.startswith("_")}
names = dict(DEFAULT_UNITS)
names.update(star)

with open("brian2_unit_names.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["name", "value", "m", "kg", "s", "A", "K", "mol", "cd", "source"])
    for name in sorted(names):
        q = names[name]
        dims = [q.dim._dims[k] for k in range(7)]
        source = "both" if name in DEFAULT_UNITS and name in star else ("default_units" if name in DEFAULT_UNITS else "star_import")
        w.writerow([name, "%.17g" % float(q)] + ["%g" % d for d in dims] + [source])
print(brian2.__version__, len(names), "names")
