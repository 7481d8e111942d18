#!/usr/bin/env python3
"""The learning-rate range of the fair protocol (issue 14): where does an objective collapse?

Trains every objective at every rate on synthetic backbones of graded prior strength with
`bnll train` (one seed, short runs) and prints a Markdown table of validation accuracy, each cell
marked when it collapsed: fine-tuning left it below half the accuracy the backbone had before
(measured as one step at a rate of 1e-9), or at zero when the backbone started above zero. Collapse
is judged only on backbones that scored at least --judge-from (0.2) before fine-tuning: on a weaker
one half its accuracy is a handful of examples, and a prior-leaning objective that does not learn
there fails at every rate, which is the continuum's weak end and not a matter of the rate.
The default rate range of `bnll search start` (the default space's lr and the three-rung ladder)
is meant to be a range where no objective collapses on any judged backbone.

Usage (from the repository root, after `dotnet build client -c Release`):
  python3 bench/rate_range.py --work runs/rate-range
  python3 bench/rate_range.py --work runs/rate-range --pretrain-steps 80,200,600 \
      --rates 3e-5,1e-4,3e-4,1e-3 --objectives nll,power:1,power:10,top-p:0.5 --steps 60 --seed 1
  python3 bench/rate_range.py --work runs/rate-range --out rate-range.json   # also keep every run

Runs already in --work (their JSON files) are read back rather than run again, so an interrupted
measurement resumes where it stopped.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BNLL = "dotnet " + os.path.join(REPO, "client/bin/Release/net10.0/bnll.dll")


def run(bnll, args):
    # Idle OpenMP threads sleep instead of spinning: on a loaded machine spinning costs several times the step.
    env = dict(os.environ, OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY", "PASSIVE"))
    result = subprocess.run(shlex.split(bnll) + args, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"bnll {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bnll", default=os.environ.get("BNLL", DEFAULT_BNLL), help="how to run bnll (default: the Release build)")
    parser.add_argument("--work", required=True, help="folder for data, backbones and each run's JSON")
    parser.add_argument("--task", default="cipher")
    parser.add_argument("--noise", type=float, default=0.1)
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--data-seed", type=int, default=0, help="seed of the data and of the backbones' pretraining")
    parser.add_argument("--pretrain-steps", default="80,600")
    parser.add_argument("--rates", default="1e-5,1e-4,3e-4,1e-3")
    parser.add_argument("--objectives", default="nll,power:1,power:10,top-p:0.5")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1, help="training seed (example order)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--judge-from", type=float, default=0.2,
                        help="judge collapse only on backbones at least this accurate before fine-tuning")
    parser.add_argument("--out", help="write every run as JSON here")
    a = parser.parse_args()

    os.makedirs(a.work, exist_ok=True)
    data = os.path.join(a.work, "data")
    if not os.path.exists(os.path.join(data, "val.jsonl")):
        run(a.bnll, ["synth", "data", "--task", a.task, "--n", str(a.examples), "--noise", str(a.noise),
                     "--seed", str(a.data_seed), "--out", data])
    levels = [int(s) for s in a.pretrain_steps.split(",")]
    rates = [float(r) for r in a.rates.split(",")]
    objectives = a.objectives.split(",")

    def train(backbone, objective, rate, steps, name):
        file = os.path.join(a.work, name)
        if not os.path.exists(file):
            out = run(a.bnll, ["train", "--backbone", backbone, "--train", os.path.join(data, "train.jsonl"),
                               "--val", os.path.join(data, "val.jsonl"), "--objective", objective,
                               "--lr", repr(rate), "--steps", str(steps), "--max-length", "64",
                               "--seed", str(a.seed), "--threads", str(a.threads), "--json"])
            with open(file, "w") as f:
                f.write(out.strip().splitlines()[-1])
        with open(file) as f:
            return json.load(f)["val"]

    results = []
    before = {}
    for steps in levels:
        backbone = os.path.join(a.work, f"backbone-p{steps}")
        if not os.path.exists(os.path.join(backbone, "config.json")):
            run(a.bnll, ["synth", "backbone", "--task", a.task, "--pretrain-steps", str(steps), "--seed", str(a.data_seed),
                         "--threads", str(a.threads), "--out", backbone, "--json"])
        # The backbone as it is: one step at a rate too small to move it.
        before[steps] = train(backbone, "nll", 1e-9, 1, f"p{steps}-before.json")["accuracy"]
        print(f"p{steps} before fine-tuning: accuracy {before[steps]:.3f}", file=sys.stderr, flush=True)
        for objective in objectives:
            for rate in rates:
                val = train(backbone, objective, rate, a.steps, f"p{steps}-{objective.replace(':', '_')}-lr{rate:g}-s{a.seed}.json")
                results.append({"pretrain_steps": steps, "objective": objective, "lr": rate,
                                "accuracy": val["accuracy"], "mean_p": val["mean_p"], "before": before[steps]})
                print(f"p{steps} {objective} lr {rate:g}: accuracy {val['accuracy']:.3f}", file=sys.stderr, flush=True)

    print(f"{a.task}, noise {a.noise}, data seed {a.data_seed}, training seed {a.seed}, {a.steps} steps of 16 examples; "
          f"validation accuracy; * collapsed (below half the backbone's accuracy before fine-tuning; judged on backbones "
          f"at least {a.judge_from:g} accurate before)\n")
    print("| backbone (accuracy before) | objective | " + " | ".join(f"lr {r:g}" for r in rates) + " |")
    print("|---|---|" + "---|" * len(rates))
    safe = {r: True for r in rates}
    for steps in levels:
        for objective in objectives:
            cells = []
            for rate in rates:
                acc = next(r["accuracy"] for r in results if (r["pretrain_steps"], r["objective"], r["lr"]) == (steps, objective, rate))
                judged = before[steps] >= a.judge_from
                collapsed = judged and (acc < before[steps] / 2 or acc == 0)
                safe[rate] &= not collapsed
                cells.append(f"{acc:.3f}{' *' if collapsed else ''}")
            judged = "" if before[steps] >= a.judge_from else ", not judged"
            print(f"| p{steps} ({before[steps]:.3f}{judged}) | {objective} | " + " | ".join(cells) + " |")
    print("\nrates where no objective collapsed on any judged backbone: " + ", ".join(f"{r:g}" for r in rates if safe[r]))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
