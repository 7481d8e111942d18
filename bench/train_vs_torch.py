#!/usr/bin/env python3
"""The training layer against the PyTorch anchor, side by side in one run (issue 2).

Runs `bnll bench train|probe|decode` and the same subcommand of bench/torch_anchor.py (the same
model and measurements in plain PyTorch, taking bnll bench's arguments) alternately, `--rounds`
times over every configuration and measurement (the side that goes first alternates between
rounds), and prints a Markdown table of each side's median, the ratio bnll / PyTorch (median of the
per-round ratios, so that slow drifts of the machine's load cancel) and the per-round ratios, bnll's
objective share of the step, and the CPU share other processes took while each side ran (this
machine is shared).

Set-up (Debian 12):
  apt-get install -y python3-torch libopenblas0-openmp
  dotnet build client -c Release

Usage (from the repository root):
  /usr/bin/python3 bench/train_vs_torch.py                          # everything, 3 rounds
  /usr/bin/python3 bench/train_vs_torch.py --configs tiny --tasks train --objectives nll --rounds 5
  /usr/bin/python3 bench/train_vs_torch.py --out runs.jsonl         # also keep every run

Both sides run with the same --threads and the same environment; by default that includes
OMP_WAIT_POLICY=PASSIVE (idle OpenMP threads sleep instead of spinning, which on a loaded 2-core
machine otherwise costs several times the step time); --omp-wait-policy '' leaves it unset.
"""
import argparse
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BNLL = "dotnet " + os.path.join(REPO, "client/bin/Release/net10.0/bnll.dll")
DEFAULT_ANCHOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_anchor.py")


class LoadMeter:
    """CPU share of the whole machine that processes other than our children used over an interval."""

    @staticmethod
    def _sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        busy = (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.perf_counter(), busy, ru.ru_utime + ru.ru_stime

    def __init__(self):
        self.start = self._sample()

    def other_cpu_frac(self):
        (w0, b0, c0), (w1, b1, c1) = self.start, self._sample()
        wall = w1 - w0
        return max(0.0, (b1 - b0) - (c1 - c0)) / (wall * os.cpu_count()) if wall > 0 else 0.0


def run(cmd, env):
    meter = LoadMeter()
    cp = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    other = meter.other_cpu_frac()
    if cp.returncode != 0:
        raise SystemExit(f"failed ({cp.returncode}): {shlex.join(cmd)}\n{cp.stderr[-2000:]}")
    return cp.stdout, other


def last_json(stdout):
    return json.loads([l for l in stdout.splitlines() if l.startswith("{")][-1])


class Sides:
    """How each side runs one measurement: bnll's `bench` and the anchor take the same arguments and
    print the same JSON fields; each run returns (rate, extra fields)."""

    def __init__(self, args):
        self.args = args
        self.bnll = shlex.split(args.bnll) + ["bench"]
        self.anchor = [args.python, args.anchor]
        self.env = dict(os.environ)
        if args.omp_wait_policy:
            self.env["OMP_WAIT_POLICY"] = args.omp_wait_policy

    def bench_arguments(self, config, task):
        a = self.args
        kind, _, detail = task.partition(":")
        if kind == "train":
            command = ["train", "--objective", detail, "--steps", str(a.steps), "--warmup", str(a.warmup)]
        elif kind == "probe":
            command = ["probe"]
        else:
            command = ["decode"] + (["--no-cache"] if detail == "nocache" else [])
        return command + ["--config", config, "--threads", str(a.threads), "--json"]

    def measure(self, side, config, task):
        out, other = run(side + self.bench_arguments(config, task), self.env)
        r = last_json(out)
        rate = r["new_tokens_per_second"] if task.startswith("decode") else r["tokens_per_second"]
        # bnll's trainer times its head and objective; the anchor's step has no such split.
        share = r["loss_ms_median"] / r["step_ms_median"] if "loss_ms_median" in r else None
        return dict(rate=rate, other_cpu_frac=other, loss_share=share, raw=r)

    def bnll_run(self, config, task):
        return self.measure(self.bnll, config, task)

    def anchor_run(self, config, task):
        return self.measure(self.anchor, config, task)


def label(task):
    kind, _, detail = task.partition(":")
    if kind == "train":
        return f"train {detail}"
    if kind == "probe":
        return "probe"
    return "decode, KV cache" if detail == "kv" else "decode, no cache"


def fmt(x, digits=3):
    return "–" if x is None else f"{x:.{digits}g}" if abs(x) < 10 else f"{x:,.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", default="tiny,small")
    ap.add_argument("--tasks", default="train,probe,decode", help="comma list of train, probe, decode")
    ap.add_argument("--objectives", default="nll,power:1,power:10,top-p:0.5", help="bnll objective specs")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--omp-wait-policy", default="PASSIVE", help="OMP_WAIT_POLICY for both sides; '' = unset")
    ap.add_argument("--bnll", default=DEFAULT_BNLL, help="command that runs bnll")
    ap.add_argument("--anchor", default=DEFAULT_ANCHOR, help="script with bnll bench's subcommands, flags and JSON")
    ap.add_argument("--python", default="/usr/bin/python3", help="Debian's python3, with python3-torch")
    ap.add_argument("--out", default=None, help="append every run here as one JSON line")
    args = ap.parse_args()

    kinds = args.tasks.split(",")
    tasks = ([f"train:{o}" for o in args.objectives.split(",")] if "train" in kinds else []) + \
            (["probe"] if "probe" in kinds else []) + \
            (["decode:kv", "decode:nocache"] if "decode" in kinds else [])
    cells = [(c, t) for c in args.configs.split(",") for t in tasks]
    sides = Sides(args)
    results = {cell: [] for cell in cells}
    with open("/proc/loadavg") as f:
        load_start = f.read().split()[:3]
    t_start = time.time()

    for rnd in range(args.rounds):
        for cell in cells:
            order = [("bnll", sides.bnll_run), ("torch", sides.anchor_run)]
            if rnd % 2:
                order.reverse()
            pair = {}
            for name, fn in order:
                pair[name] = fn(*cell)
            results[cell].append(pair)
            print(f"round {rnd + 1}/{args.rounds} {cell[0]:5} {label(cell[1]):18} "
                  f"bnll {pair['bnll']['rate']:9.0f}  torch {pair['torch']['rate']:9.0f}  "
                  f"ratio {pair['bnll']['rate'] / pair['torch']['rate']:.2f}  "
                  f"other CPU {pair['bnll']['other_cpu_frac']:.2f}/{pair['torch']['other_cpu_frac']:.2f}",
                  file=sys.stderr, flush=True)
            if args.out:
                with open(args.out, "a") as f:
                    f.write(json.dumps(dict(config=cell[0], task=cell[1], round=rnd, threads=args.threads,
                                            omp_wait_policy=args.omp_wait_policy, time=time.time(),
                                            **pair)) + "\n")

    with open("/proc/loadavg") as f:
        load_end = f.read().split()[:3]
    print(f"{args.rounds} rounds, {args.threads} threads, OMP_WAIT_POLICY={args.omp_wait_policy or 'unset'}, "
          f"{os.cpu_count()} CPUs, {(time.time() - t_start) / 60:.0f} min; load average (1/5/15 min) "
          f"{' '.join(load_start)} at start, {' '.join(load_end)} at end\n")
    print("| config | measurement | bnll | PyTorch | ratio bnll/PyTorch (median) | per-round ratios "
          "| objective share of bnll's step | other processes' CPU share (bnll / PyTorch) |")
    print("|---|---|---|---|---|---|---|---|")
    for (config, task), pairs in results.items():
        med = lambda side, key: statistics.median(p[side][key] for p in pairs)
        ratios = [p["bnll"]["rate"] / p["torch"]["rate"] for p in pairs]
        share = med("bnll", "loss_share") if task.startswith("train") else None
        unit = "new tokens/s" if task.startswith("decode") else "tokens/s"
        print(f"| {config} | {label(task)} ({unit}) | {fmt(med('bnll', 'rate'))} | {fmt(med('torch', 'rate'))} "
              f"| {statistics.median(ratios):.2f} | {' '.join(f'{r:.2f}' for r in ratios)} | {'–' if share is None else f'{100 * share:.1f}%'} "
              f"| {med('bnll', 'other_cpu_frac'):.2f} / {med('torch', 'other_cpu_frac'):.2f} |")


if __name__ == "__main__":
    main()
