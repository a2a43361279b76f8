#!/usr/bin/python3
"""Compare benchmark outputs and print the results table (markdown).

Usage: /usr/bin/python3 benchmarks/compare.py out/bench/hh_pA_1s [out/bench/hh_nA_1s ...]

Each configuration directory holds brian2/ (brian2.json, brian2_spike_counts.npy from brian2_hh.py)
and any number of neuronative-<backend>/ (run.json, spike_counts.npy from the NeuroNative CLI).
Spike counts must agree per neuron; exit status 1 if any NeuroNative run differs from Brian 2
(or simulated a different n or number of steps), 2 if the Brian 2 output is missing.
"""
import glob
import json
import os
import sys

import numpy as np


def load(directory, json_name, counts_name):
    with open(os.path.join(directory, json_name)) as f:
        info = json.load(f)
    return info, np.load(os.path.join(directory, counts_name))


def main(config_dirs):
    if not config_dirs:
        sys.exit(__doc__)
    rows, failed = [], False
    for cfg_dir in config_dirs:
        cfg = os.path.basename(os.path.normpath(cfg_dir))
        brian_dir = os.path.join(cfg_dir, 'brian2')
        if not os.path.isfile(os.path.join(brian_dir, 'brian2.json')):
            print(f'{cfg}: no Brian 2 output in {brian_dir}', file=sys.stderr)
            sys.exit(2)
        b, b_counts = load(brian_dir, 'brian2.json', 'brian2_spike_counts.npy')
        b_rate = b['neuron_steps_per_s']
        rows.append((cfg, 'brian2 cpp_standalone', b['threads'], b_rate, 1.0, b['compile_s'], int(b_counts.sum())))
        for nn_dir in sorted(glob.glob(os.path.join(cfg_dir, 'neuronative-*'))):
            r, counts = load(nn_dir, 'run.json', 'spike_counts.npy')
            label = f"neuronative {r['backend']}"
            if (r['n'], r['steps']) != (b['n'], b['steps']) or counts.shape != b_counts.shape:
                print(f"{cfg} {label}: simulated n={r['n']} steps={r['steps']} counts {counts.shape}, "
                      f"Brian 2 n={b['n']} steps={b['steps']} counts {b_counts.shape}")
                failed = True
                continue
            diff = np.abs(counts.astype(np.int64) - b_counts)
            print(f"{cfg} {label}: {int((diff > 0).sum())} of {b['n']} neurons differ from Brian 2, "
                  f"max |diff| {int(diff.max())}")
            failed |= bool(diff.any())
            rows.append((cfg, label, r['threads'], r['neuron_steps_per_s'], r['neuron_steps_per_s']/b_rate,
                         r['compile_s'], int(counts.sum())))
    print()
    print('| configuration | simulator/backend | threads | neuron-steps/s | ratio vs Brian 2 | compile s | spikes |')
    print('|---|---|---:|---:|---:|---:|---:|')
    for cfg, label, threads, rate, ratio, compile_s, spikes in rows:
        print(f'| {cfg} | {label} | {threads} | {rate:.3e} | {ratio:.2f} | {compile_s:.1f} | {spikes} |')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main(sys.argv[1:])
