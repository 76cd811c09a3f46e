#!/usr/bin/env python3
"""Whole-process performance of `mlarchc check`: the table in the README.

Builds the benchmark plans under target/perf/ (the typical shipped plan, synthetic plans of
1k, 10k and 100k lines, and the 10k-line plan split over 100 imported files), then times
`mlarchc check -q --format short PLAN` on each with hyperfine (from Debian's packages) and
reads its peak memory with `/usr/bin/time -v`; `--instructions` adds callgrind's
instruction count on one thread (repeatable on a shared machine, unlike wall-clock time).
`--readme` writes the table into README.md between the `perf:begin` and `perf:end` marks.

    python3 benches/perf.py [--runs 40] [--instructions] [--readme] [--mlarchc PATH]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "target", "perf")
BEGIN, END = "<!-- perf:begin -->", "<!-- perf:end -->"


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, cwd=ROOT, **kw)


def synth(lines):
    path = os.path.join(OUT, f"synth_{lines // 1000}k.mla")
    if not os.path.exists(path):
        text = run(["cargo", "run", "--release", "-q", "--example", "synth", "--", str(lines)],
                   capture_output=True, text=True).stdout
        with open(path, "w") as f:
            f.write(text)
    return path


def split_into_imports(plan, parts):
    """The plan's project in a root file that imports `parts` files holding the rest."""
    folder = os.path.join(OUT, f"imports_{parts}")
    os.makedirs(folder, exist_ok=True)
    text = open(plan).read()
    # a top-level declaration starts in column 0, with its doc comment if it has one
    blocks, current, prev = [], [], ""
    for line in text.splitlines(keepends=True):
        starts = (line[:1].isalpha() or line.startswith("///")) and not prev.startswith("///")
        if starts and current:
            blocks.append("".join(current))
            current = []
        current.append(line)
        prev = line
    blocks.append("".join(current))
    root, rest = blocks[0], blocks[1:]
    imports = []
    for i in range(parts):
        chunk = rest[i * len(rest) // parts:(i + 1) * len(rest) // parts]
        name = f"part_{i:03}.mla"
        with open(os.path.join(folder, name), "w") as f:
            f.write("".join(chunk))
        imports.append(f'import "{name}"\n')
    path = os.path.join(folder, "plan.mla")
    with open(path, "w") as f:
        f.write("".join(imports) + "\n" + root)
    return path


def plan_bytes(path):
    """The plan's size with the files it imports (the folder of a split plan)."""
    if os.path.basename(os.path.dirname(path)).startswith("imports_"):
        folder = os.path.dirname(path)
        return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    return os.path.getsize(path)


def hyperfine(cmds, runs):
    with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
        run(["hyperfine", "-N", "-i", "--style", "none", "--warmup", "5", "--runs", str(runs),
             "--export-json", tmp.name, *cmds], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return [r for r in json.load(open(tmp.name))["results"]]


def peak_rss_mib(cmd):
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], cwd=ROOT, capture_output=True, text=True)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return int(m.group(1)) / 1024 if m else float("nan")


def instructions(cmd):
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={d}/cg", *cmd], cwd=ROOT,
                           capture_output=True, text=True, env={**os.environ, "MLARCHC_THREADS": "1"})
        m = re.search(r"refs:\s+([\d,]+)", p.stderr)
        return int(m.group(1).replace(",", "")) if m else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--instructions", action="store_true", help="add callgrind's instruction counts")
    ap.add_argument("--readme", action="store_true", help="write the table into README.md")
    ap.add_argument("--mlarchc", help="the binary to measure (default: build target/release/mlarchc)")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    exe = args.mlarchc
    if not exe:
        run(["cargo", "build", "--release", "-q"])
        exe = os.path.join(ROOT, "target", "release", "mlarchc")
    plans = [("typical plan (`specs/icu_mortality.mla`, 72 lines)", "specs/icu_mortality.mla")]
    for n in (1_000, 10_000, 100_000):
        plans.append((f"synthetic {n // 1000}k lines", synth(n)))
    plans.append(("synthetic 10k lines in 100 imported files", split_into_imports(synth(10_000), 100)))
    cmds = [[exe, "check", "-q", "--format", "short", p] for _, p in plans]
    cmds.append([exe, "--version"])
    labels = [l for l, _ in plans] + ["`mlarchc --version` (process start, for scale)"]
    results = hyperfine([" ".join(c) for c in cmds], args.runs)
    rows = []
    for label, cmd, r in zip(labels, cmds, results):
        size = plan_bytes(os.path.join(ROOT, cmd[-1])) if cmd[-1].endswith(".mla") else 0
        times = sorted(r["times"])
        row = [label, f"{r['median'] * 1e3:.1f} ms", f"{times[0] * 1e3:.1f} ms", f"{peak_rss_mib(cmd):.1f} MiB"]
        if args.instructions:
            n = instructions(cmd)
            row.append(f"{n / 1e6:.1f}M" if n else "?")
        row.append(f"{size / 1e3:.0f} kB" if size else "")
        rows.append(row)
    head = ["plan", "median", "fastest", "peak memory"] + (["instructions"] if args.instructions else []) + ["size"]
    table = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    table += ["| " + " | ".join(r) + " |" for r in rows]
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                         capture_output=True, text=True).stdout.strip()
    note = (f"`mlarchc check -q --format short PLAN`, whole process, {args.runs} runs each after 5 warm-up runs "
            f"(hyperfine -N), peak memory from `/usr/bin/time -v`; {os.cpu_count()} cores, {cpu}. "
            f"Made by `python3 benches/perf.py{' --instructions' if args.instructions else ''} --readme`.")
    text = "\n".join(table) + "\n\n" + note + "\n"
    print(text)
    if args.readme:
        path = os.path.join(ROOT, "README.md")
        readme = open(path).read()
        if BEGIN not in readme or END not in readme:
            sys.exit(f"README.md has no {BEGIN} … {END} block")
        a, b = readme.index(BEGIN) + len(BEGIN), readme.index(END)
        with open(path, "w") as f:
            f.write(readme[:a] + "\n" + text + readme[b:])


if __name__ == "__main__":
    main()
