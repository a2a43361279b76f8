#!/usr/bin/env python3
"""Writes brian_splits.json: how Brian 2.5.1's exponential_euler splits dv/dt = f(v) into A*v + B
(brian2.stateupdaters.exponential_euler.get_conditionally_linear_system), for equations at the edge of
what it accepts: the verdict and, where accepted, A and B as Brian prints them, their values at
v = V0 with tau = TAU, and whether A*v + B differs from the right-hand side (Brian dropped a term). Run with the system Python 3: /usr/bin/python3 generate.py"""
import json
import os
import warnings

warnings.filterwarnings("ignore")

import sympy
import brian2
from brian2 import Equations
from brian2.parsing.sympytools import str_to_sympy
from brian2.stateupdaters.exponential_euler import get_conditionally_linear_system

V0, TAU = 0.3, 0.01
RHS = [
    "-v*tanh(v)/tau", "-v*sqrt(v)/tau", "-v/(1+v)/tau", "-(v+1)/(1+v**2)/tau", "-v*exprel(v)/tau + 1/tau",
    "-v*(1+v)**-2/tau", "-(v*v)/(2*v*tau)", "(2 - v)*exp(-v)/tau",
    "-v*(1+v)/tau + 1/tau", "-(1+v)**2/tau", "-v**1.5/tau", "exp(-v)/tau", "-v**(v/2)/tau", "-v*(1+v)/tau",
    "(-v + 1/v)/tau",
]


# Brian's own sympy functions (sqrt is one, which keeps v*sqrt(v) from becoming v**1.5), as sympy.
BRIAN_FUNCTIONS = {"exprel": lambda x: (sympy.exp(x) - 1) / x, "sqrt": sympy.sqrt}


def value(expr):
    """expr at v = V0, tau = TAU."""
    expr = sympy.sympify(expr)
    expr = expr.subs({s: {"v": V0, "tau": TAU}[s.name] for s in expr.free_symbols})
    expr = expr.replace(lambda e: isinstance(e, sympy.Function) and e.func.__name__ in BRIAN_FUNCTIONS,
                        lambda e: BRIAN_FUNCTIONS[e.func.__name__](*e.args))
    return float(expr)


cases = []
for rhs in RHS:
    eqs = Equations(f"dv/dt = {rhs} : 1")
    try:
        a, b = get_conditionally_linear_system(eqs)["v"]
        f = str_to_sympy(eqs.get_substituted_expressions()[0][1].code)
        drops = sympy.simplify(a*sympy.Symbol("v", real=True) + b - f) != 0
        cases.append(dict(rhs=rhs, accepted=True, A=str(a), B=str(b), A_value=value(a), B_value=value(b), drops_terms=bool(drops)))
    except ValueError:
        cases.append(dict(rhs=rhs, accepted=False))
out = dict(brian2_version=brian2.__version__, v0=V0, tau=TAU, cases=cases)
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "brian_splits.json"), "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out, indent=1))
