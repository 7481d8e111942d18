#!/usr/bin/env python3
"""Search cost: TPE with ASHA against the paper's grid, in training steps to reach the grid's answer (issue 6).

Both searches run on one silo (started here, in its own folder) on the same backbone and data:
  grid      the paper's objectives (`--space paper-grid --sampler grid`), each trained in full at one
            learning rate, as the paper does;
  tpe+asha  TPE over the objective family and the learning rate, with ASHA stopping poor trials at
            its rungs (`--pruner asha --evaluations E`).
The cost of a search is the training steps it spent, in the order its trials ended, until a trial
first reached within --tolerance of the best value the grid found (pruned trials count the steps
they ran). Several search seeds give a median. Prints a Markdown table; --out keeps the statuses.

Usage (from the repository root, after `dotnet build client -c Release` and `dotnet build silo/BeyondNll.Silo -c Release`):
  python3 bench/cost_tpe_asha_vs_grid.py --backbone DIR --train train.jsonl --val val.jsonl \\
      --steps 60 --lr 1e-4 --tpe-trials 10 --seeds 2 --tolerance 0.02
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Overridable, so that a long measurement can run from a copy of the build while the tree is rebuilt.
BNLL = os.environ.get("BNLL_DLL", os.path.join(ROOT, "client", "bin", "Release", "net10.0", "bnll.dll"))
SILO = os.environ.get("BNLL_SILO_DLL", os.path.join(ROOT, "silo", "BeyondNll.Silo", "bin", "Release", "net10.0", "BeyondNll.Silo.dll"))

DEMO_SPACE = {"params": [
    {"name": "family", "type": "categorical", "choices": ["nll", "power", "top-p"]},
    {"name": "k", "type": "float", "low": 0.1, "high": 20, "log": True, "when": {"family": ["power"]}},
    {"name": "q", "type": "float", "low": 0.05, "high": 0.9, "when": {"family": ["top-p"]}},
    {"name": "lr", "type": "float", "low": 3e-5, "high": 3e-3, "log": True},
]}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bnll(gateway, *args):
    out = subprocess.run(["dotnet", BNLL, *args, "--gateway", gateway], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"bnll {' '.join(args)} failed ({out.returncode}): {out.stderr}")
    return out.stdout


def cost_to_reach(status, target, direction):
    """Steps spent, trials taken in the order they ended, until a completed one reached the target."""
    ended = [t for t in status["trials"] if t["state"] in ("completed", "pruned", "failed")]
    ended.sort(key=lambda t: t["attempt_log"][-1]["ended"] or "")
    spent = 0
    for t in ended:
        spent += t["steps"] if t["state"] == "completed" else t["step"]
        v = t["value"]
        if t["state"] == "completed" and v is not None and (v >= target if direction == "maximize" else v <= target):
            return spent, t["objective"]
    return None, None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--backbone", required=True)
    p.add_argument("--train", required=True)
    p.add_argument("--val", required=True)
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--lr", type=float, default=1e-4, help="the grid's one learning rate (and TPE's NLL baseline)")
    p.add_argument("--tpe-trials", type=int, default=10)
    p.add_argument("--evaluations", type=int, default=4)
    p.add_argument("--seeds", type=int, default=2)
    p.add_argument("--tolerance", type=float, default=0.02)
    p.add_argument("--devices", default="cpu:2")
    p.add_argument("--out")
    a = p.parse_args()

    work = tempfile.mkdtemp(prefix="bnll-cost-")
    space = os.path.join(work, "space.json")
    with open(space, "w") as f:
        json.dump(DEMO_SPACE, f)
    gw_port, silo_port = free_port(), free_port()
    gateway = f"localhost:{gw_port}"
    silo = subprocess.Popen(["dotnet", SILO, "--devices", a.devices, "--data-dir", os.path.join(work, "state"),
                             "--silo-port", str(silo_port), "--primary-silo-port", str(silo_port),
                             "--gateway-port", str(gw_port), "--dashboard-port", "0"],
                            stdout=open(os.path.join(work, "silo.log"), "w"), stderr=subprocess.STDOUT)
    try:
        for _ in range(120):
            if subprocess.run(["dotnet", BNLL, "cluster", "--gateway", gateway], capture_output=True).returncode == 0:
                break
            time.sleep(1)
        bnll(gateway, "backbone", "add", "b", "--path", a.backbone)
        common = ["--backbone", "b", "--train", a.train, "--val", a.val, "--steps", str(a.steps), "--parallel", "2",
                  "--lr", str(a.lr), "--confirm", "0", "--wait"]
        rows, statuses = [], []
        bnll(gateway, "search", "start", "grid", "--space", "paper-grid", "--sampler", "grid", "--trials", "7",
             "--evaluations", "0", *common)
        grid = json.loads(bnll(gateway, "search", "status", "grid", "--json"))
        statuses.append(grid)
        direction = grid["direction"]
        values = [t["value"] for t in grid["trials"] if t["state"] == "completed"]
        best = max(values) if direction == "maximize" else min(values)
        target = best - a.tolerance if direction == "maximize" else best + a.tolerance
        grid_cost, grid_obj = cost_to_reach(grid, target, direction)
        grid_total = sum(t["steps"] for t in grid["trials"])
        tpe_costs = []
        for seed in range(a.seeds):
            name = f"tpe{seed}"
            bnll(gateway, "search", "start", name, "--space", space, "--sampler", "tpe", "--pruner", "asha",
                 "--evaluations", str(a.evaluations), "--trials", str(a.tpe_trials), "--seed", str(seed), *common)
            s = json.loads(bnll(gateway, "search", "status", name, "--json"))
            statuses.append(s)
            cost, obj = cost_to_reach(s, target, direction)
            total = sum(t["steps"] if t["state"] == "completed" else t["step"] for t in s["trials"])
            tpe_costs.append(cost)
            rows.append((name, cost, obj, total, s["best"]["objective"], s["best"]["value"]))
        print(f"grid best {best:.4f} ({direction}); target {target:.4f} (tolerance {a.tolerance})\n")
        print("| search | steps to reach the target | reached by | steps in all | its best |")
        print("|---|---|---|---|---|")
        print(f"| paper grid (7 objectives, lr {a.lr:g}) | {grid_cost} | {grid_obj} | {grid_total} | {grid['best']['objective']} {grid['best']['value']:.4f} |")
        for name, cost, obj, total, bobj, bval in rows:
            print(f"| TPE + ASHA, seed {name[3:]} | {cost if cost is not None else 'not reached'} | {obj or '-'} | {total} | {bobj} {bval:.4f} |")
        reached = [c for c in tpe_costs if c is not None]
        if reached and grid_cost:
            print(f"\nmedian TPE+ASHA cost {statistics.median(reached):g} steps; grid {grid_cost}; ratio grid / TPE+ASHA "
                  f"{grid_cost / statistics.median(reached):.2f} ({len(reached)}/{len(tpe_costs)} seeds reached the target)")
        if a.out:
            with open(a.out, "w") as f:
                json.dump(statuses, f)
    finally:
        silo.terminate()
        silo.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
