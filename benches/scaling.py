#!/usr/bin/env python3
"""Scaling of `mlarchc check` on hostile but legal plan shapes: time at n and at 10·n.

Each shape stresses one path that a naive implementation makes quadratic:

  refs_list         one list of n references (the duplicate-item check)
  shared_input      n models sharing one input (the derived back-links)
  unknown_names     n references to undeclared names (each asks for a did-you-mean)
  long_line         one line of n list items, each closing brackets (the bracket pre-scan)
  many_diagnostics  n diagnostics on n lines (the line and column of each)
  synth             the synthetic-plan generator itself, then a check of its plan

A linear stage takes about 10x as long at 10·n; n·log n about 12x. The script prints
the ratio per shape and exits 1 if any exceeds `--limit` (15 by default: whole-process
timing on a shared machine is noisy, and a quadratic path shows as ~100x).

    python3 benches/scaling.py [--mlarchc PATH] [--limit 15] [--only SHAPE]
"""

import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "target", "perf", "scaling")

HEAD = """project scaling {
  purpose: science
  task: binary_classification
  target: "event within 30 days"
  unit: patient
}

dataset d {
  n: 4200
  unit: patient
  positives: 9%
  labels: { source: chart_review, noise: 5% }
  split: by_patient
}

"""


def tabular(name):
    return f"modality {name}: tabular {{ from: d, features: 3, representation: standardize }}\n"


def refs_list(n):
    mods = "".join(tabular(f"x{i}") for i in range(n))
    items = ",\n    ".join(f"x{i}" for i in range(n))
    return HEAD + mods + f"\nmodel m {{\n  inputs: [\n    {items}\n  ]\n  fusion: early\n  head: linear\n}}\n"


def shared_input(n):
    models = "".join(f"model m{i} {{ inputs: [x], head: linear }}\n" for i in range(n))
    return HEAD + tabular("x") + models


def unknown_names(n):
    models = "".join(f"model m{i} {{ inputs: [nope{i}], head: linear }}\n" for i in range(n))
    return HEAD + tabular("x") + models


def long_line(n):
    steps = ", ".join("impute { fit_on: train_fold }" for _ in range(n))
    return HEAD.replace("  split: by_patient\n", f"  split: by_patient\n  preprocess: [{steps}]\n")


def many_diagnostics(n):
    return HEAD + "".join(f"dataset e{i} {{ n: \"many\", unit: patient }}\n" for i in range(n))


def write(shape, n, text):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, f"{shape}_{n}.mla")
    with open(path, "w") as f:
        f.write(text)
    return path


def best_of(cmd, runs=3, **kw):
    best = None
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best


SHAPES = {
    "refs_list": (refs_list, 2_000),
    "shared_input": (shared_input, 2_000),
    "unknown_names": (unknown_names, 2_000),
    "long_line": (long_line, 2_000),
    "many_diagnostics": (many_diagnostics, 2_000),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mlarchc", help="the binary to measure (default: build target/release/mlarchc)")
    ap.add_argument("--limit", type=float, default=15.0, help="the largest ratio that passes")
    ap.add_argument("--only", help="one shape")
    args = ap.parse_args()
    exe = args.mlarchc
    if not exe:
        subprocess.run(["cargo", "build", "--release", "-q", "--example", "synth"], check=True, cwd=ROOT)
        subprocess.run(["cargo", "build", "--release", "-q"], check=True, cwd=ROOT)
        exe = os.path.join(ROOT, "target", "release", "mlarchc")
    rows, failed = [], []
    for shape, (make, n) in SHAPES.items():
        if args.only and shape != args.only:
            continue
        times = []
        for size in (n, 10 * n):
            path = write(shape, size, make(size))
            times.append(best_of([exe, "check", "-q", "--format", "short", path]))
        rows.append((shape, n, times[0], times[1]))
    if not args.only or args.only == "synth":
        synth = os.path.join(ROOT, "target", "release", "examples", "synth")
        gen = [best_of([synth, str(k)], runs=1) for k in (10_000, 100_000)]
        rows.append(("synth (generator)", 10_000, gen[0], gen[1]))
    print(f"| shape | n | time at n | time at 10·n | ratio |\n|---|---|---|---|---|")
    for shape, n, a, b in rows:
        ratio = b / a
        if ratio > args.limit:
            failed.append(shape)
        print(f"| {shape} | {n:,} | {a * 1e3:.1f} ms | {b * 1e3:.1f} ms | {ratio:.1f}x |")
    if failed:
        sys.exit(f"grows faster than n·log n: {', '.join(failed)}")


if __name__ == "__main__":
    main()
