#!/usr/bin/python3
"""Compare benchmark outputs and print the results table (markdown).

Usage: /usr/bin/python3 benchmarks/compare.py out/bench/hh_pA_1s [out/bench/hh_nA_1s ...]

Each configuration directory holds brian2/ (brian2.json, brian2_spike_counts.npy from brian2_hh.py)
and any number of neuronative-<backend>/ (run.json, spike_counts.npy from the NeuroNative CLI).
Spike counts must agree per neuron (float32 runs: on at least 99.9 % of the neurons, the issue's bound
for single precision); exit status 1 if a NeuroNative run misses that (or simulated a different n or
number of steps), 2 if the Brian 2 output is missing. float32 rows also give their speed relative to
the float64 compiled run of the same configuration. Directories with the same name (run.sh --repeat:
r1/CFG, r2/CFG, ...) are repetitions: a second table gives the median of their ratios.
"""
import glob
import json
import os
import statistics
import sys

import numpy as np


def load(directory, json_name, counts_name):
    with open(os.path.join(directory, json_name)) as f:
        info = json.load(f)
    return info, np.load(os.path.join(directory, counts_name))


def main(config_dirs):
    if not config_dirs:
        sys.exit(__doc__)
    rows, failed, f32_ratios = [], False, []
    for cfg_dir in config_dirs:
        cfg = os.path.basename(os.path.normpath(cfg_dir))
        brian_dir = os.path.join(cfg_dir, 'brian2')
        if not os.path.isfile(os.path.join(brian_dir, 'brian2.json')):
            print(f'{cfg}: no Brian 2 output in {brian_dir}', file=sys.stderr)
            sys.exit(2)
        b, b_counts = load(brian_dir, 'brian2.json', 'brian2_spike_counts.npy')
        b_rate = b['neuron_steps_per_s']
        rows.append((cfg, 'brian2 cpp_standalone', b['threads'], b_rate, 1.0, b['compile_s'], int(b_counts.sum())))
        f64_rate = None
        for nn_dir in sorted(glob.glob(os.path.join(cfg_dir, 'neuronative-*'))):
            r, counts = load(nn_dir, 'run.json', 'spike_counts.npy')
            float32 = r.get('precision') == 'float32'
            label = f"neuronative {r['backend']}" + (' float32' if float32 else '')
            if (r['n'], r['steps']) != (b['n'], b['steps']) or counts.shape != b_counts.shape:
                print(f"{cfg} {label}: simulated n={r['n']} steps={r['steps']} counts {counts.shape}, "
                      f"Brian 2 n={b['n']} steps={b['steps']} counts {b_counts.shape}")
                failed = True
                continue
            diff = np.abs(counts.astype(np.int64) - b_counts)
            differing = int((diff > 0).sum())
            print(f"{cfg} {label}: {differing} of {b['n']} neurons differ from Brian 2, "
                  f"max |diff| {int(diff.max())}")
            failed |= differing > (0.001 * b['n'] if float32 else 0)
            if r['backend'] == 'compiled' and not float32:
                f64_rate = r['neuron_steps_per_s']
            elif float32 and f64_rate:  # sorted: neuronative-compiled comes before -compiled-float32
                f32_ratios.append((cfg, r['neuron_steps_per_s'] / f64_rate, b['n'] - differing, b['n']))
            rows.append((cfg, label, r['threads'], r['neuron_steps_per_s'], r['neuron_steps_per_s']/b_rate,
                         r['compile_s'], int(counts.sum())))
    print()
    print('| configuration | simulator/backend | threads | neuron-steps/s | ratio vs Brian 2 | compile s | spikes |')
    print('|---|---|---:|---:|---:|---:|---:|')
    for cfg, label, threads, rate, ratio, compile_s, spikes in rows:
        print(f'| {cfg} | {label} | {threads} | {rate:.3e} | {ratio:.2f} | {compile_s:.1f} | {spikes} |')
    for cfg, ratio, same, n in f32_ratios:
        print(f'{cfg}: float32 {ratio:.2f}x the float64 compiled rate, {same} of {n} neurons with Brian\'s spike counts')
    repeats = {}
    for cfg, label, _, _, ratio, _, _ in rows:
        repeats.setdefault((cfg, label), []).append(ratio)
    if any(len(v) > 1 for v in repeats.values()):
        print()
        print('| configuration | simulator/backend | runs | median ratio vs Brian 2 | ratios |')
        print('|---|---|---:|---:|---|')
        for (cfg, label), ratios in repeats.items():
            if label.startswith('brian2'):
                continue
            print(f'| {cfg} | {label} | {len(ratios)} | {statistics.median(ratios):.2f} | '
                  f'{", ".join(f"{x:.2f}" for x in ratios)} |')
        by_cfg = {}
        for cfg, ratio, _, _ in f32_ratios:
            by_cfg.setdefault(cfg, []).append(ratio)
        for cfg, ratios in by_cfg.items():
            print(f'{cfg}: float32 / float64 median {statistics.median(ratios):.2f} '
                  f'({", ".join(f"{x:.2f}" for x in ratios)})')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main(sys.argv[1:])
