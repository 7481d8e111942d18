#!/usr/bin/python3
"""Side by side: the project's samplers (`bnll sampler --stdio`) against Optuna 3.1 (issue 18).

Needs Debian's python3-optuna (apt-get install -y python3-optuna), run with /usr/bin/python3, and a
Release build of the console (dotnet build client -c Release). Both sides get the same problem,
search space, budget and seeds (bench/sampler_problems.py), in one run.

  regret   best-so-far simple regret at 10, 20, 50 (and 100, 200) trials, per seed, and its
           median and quartiles over seeds; `--in-flight 4` keeps four trials asked and tells the
           oldest first (Optuna with its constant liar, bnll with --constant-liar).
  terms    where the regret lies (recipe): per sampler, the best trial after the budget split into
           the problem's terms (family, lr, batch size, ...), their medians over seeds, and how often
           each family was the best trial's.
  roundtrip  the protocol's own cost: microseconds of CPU (bnll's process, this script) and of wall
           clock per `stats` round trip, sent back to back (--trials of them) or each after a
           pause (--pause-ms: both processes idle that long first, as in `latency`).
  latency  milliseconds per ask+tell (the function's time excluded) as the history grows. The two
           sides alternate trial by trial in one process, so a busy machine slows both alike;
           the figure at N trials is the median over the 50 trials before N. Wall-clock time and
           CPU time (both sides' processes; on a machine with far more runnable threads than
           cores, wall-clock time is mostly waiting to be scheduled, twice per call for bnll),
           and in-process time: the time inside the library's own ask and tell (Optuna's
           study.ask, its suggest calls and study.tell, in this process; bnll's sampler Ask and
           Tell as its `stats` op reports them), without bnll's pipe and JSON lines. And the CPU
           time of the process the library runs in: Optuna's as above, bnll's process alone (the
           script's JSON work for it left out).

Samplers (--samplers, comma-separated): "optuna" (Optuna's TPESampler with its defaults, the
sampler `optuna.create_study()` uses), "optuna-mv" (the same with multivariate=True), or any name
`bnll sampler --sampler` takes (gp, tpe, random).

Examples (from the repository root):
  /usr/bin/python3 bench/sampler_vs_optuna.py regret --samplers optuna,gp --seeds 50 --budget 50 --out r.json
  /usr/bin/python3 bench/sampler_vs_optuna.py regret --samplers optuna,gp --seeds 50 --budget 50 --in-flight 4
  /usr/bin/python3 bench/sampler_vs_optuna.py regret --samplers gp --baseline r.json --out r_gp.json
  /usr/bin/python3 bench/sampler_vs_optuna.py regret --samplers optuna,gp --seeds 200 --first-seed 200 --budget 20
                   (seeds 200-399: fresh seeds to confirm a setting chosen on seeds 0-199)
  /usr/bin/python3 bench/sampler_vs_optuna.py latency --sampler gp --trials 1000 --history 850 --warm 100 --out latency.json
  /usr/bin/python3 bench/sampler_vs_optuna.py table --results r_gp.json     (the rows of docs/benchmarks.md)
  /usr/bin/python3 bench/sampler_vs_optuna.py terms --problem recipe --samplers optuna,gp --seeds 50 --budget 20 --in-flight 4

The stdio protocol (one JSON object a line, one answer line each; see SamplerProtocol.cs):
  {"op":"ask"}                              -> {"trial":N,"params":{...active params...}}
  {"op":"tell","trial":N,"value":X}         -> {"ok":true}
  {"op":"stats"}                            -> {"asks":N,"tells":M,"sampler_seconds":S}
"""

import argparse
import collections
import json
import math
import multiprocessing
import os
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

import optuna

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sampler_problems import PROBLEMS, recipe_terms  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BNLL = "dotnet " + os.path.join(ROOT, "client", "bin", "Release", "net10.0", "bnll.dll")
CHECKPOINTS = (10, 20, 50, 100, 200)
# Problems `terms` can split: the function giving a value's terms, and the categorical whose best choice it counts.
TERMS = {"recipe": (recipe_terms, "family")}


# ------------------------------------------------------------------ optuna side

def optuna_suggest(trial, space):
    params = {}
    for d in space["params"]:
        when = d.get("when")
        if when and any(params.get(k) not in v for k, v in when.items()):
            continue
        if d["type"] == "float":
            params[d["name"]] = trial.suggest_float(d["name"], d["low"], d["high"], log=d.get("log", False))
        elif d["type"] == "int":
            params[d["name"]] = trial.suggest_int(d["name"], d["low"], d["high"], log=d.get("log", False))
        else:
            params[d["name"]] = trial.suggest_categorical(d["name"], d["choices"])
    return params


class OptunaSide:
    def __init__(self, space, seed, in_flight, multivariate):
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        sampler = optuna.samplers.TPESampler(seed=seed, constant_liar=in_flight > 1,
                                             multivariate=multivariate, warn_independent_sampling=False)
        self.study = optuna.create_study(sampler=sampler)
        self.space = space
        self.in_library = 0.0

    def ask(self):
        t0 = time.perf_counter()
        t = self.study.ask()
        params = optuna_suggest(t, self.space)
        self.in_library += time.perf_counter() - t0
        return t, params

    def tell(self, handle, value):
        t0 = time.perf_counter()
        self.study.tell(handle, value)
        self.in_library += time.perf_counter() - t0

    def library_seconds(self):
        """Time spent inside Optuna's ask, suggest and tell so far."""
        return self.in_library

    def enqueue(self, params):
        self.study.enqueue_trial(params)

    def cpu_split(self):
        """CPU time spent so far by this side, as (the process the library runs in, this script besides):
        Optuna runs in this Python process, so all of it is the first."""
        return time.process_time(), 0.0

    def close(self):
        pass


# ------------------------------------------------------------------ project side

class BnllSide:
    def __init__(self, cmd, sampler, space, seed, in_flight):
        self.tmp = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump(space, self.tmp)
        self.tmp.close()
        argv = shlex.split(cmd) + ["sampler", "--stdio", "--space", self.tmp.name,
                                   "--sampler", sampler, "--seed", str(seed)]
        if in_flight > 1:
            argv.append("--constant-liar")
        self.reading_proc = 0.0  # CPU seconds this process spent reading /proc for cpu_split
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def call(self, msg):
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("bnll sampler closed its output (exit %s)" % self.proc.poll())
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError("bnll sampler error: %s" % answer["error"])
        return answer

    def ask(self):
        a = self.call({"op": "ask"})
        return a["trial"], a["params"]

    def tell(self, handle, value):
        self.call({"op": "tell", "trial": handle, "value": value})

    def enqueue(self, params):
        self.call({"op": "enqueue", "params": params})

    def library_seconds(self):
        """Time spent inside the sampler's ask and tell so far, measured in the bnll process."""
        return self.call({"op": "stats"})["sampler_seconds"]

    def cpu_split(self):
        """CPU time spent so far by this side, as (the bnll process's threads, from Linux schedstat in
        nanoseconds, not the 10 ms ticks of /proc/PID/stat; this process's, which writes and reads
        the JSON lines, less what reading /proc here costs). A thread that ends takes its time with
        it: windows are short."""
        before = time.process_time()
        total = 0
        tasks = "/proc/%d/task" % self.proc.pid
        for tid in os.listdir(tasks):
            try:
                with open("%s/%s/schedstat" % (tasks, tid)) as f:
                    total += int(f.read().split()[0])
            except (FileNotFoundError, ProcessLookupError):
                pass
        self.reading_proc += time.process_time() - before
        return total / 1e9, time.process_time() - self.reading_proc

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        finally:
            os.unlink(self.tmp.name)


def make_side(sampler, bnll, space, seed, in_flight):
    if sampler in ("optuna", "optuna-mv"):
        return OptunaSide(space, seed, in_flight, multivariate=sampler == "optuna-mv")
    return BnllSide(bnll, sampler, space, seed, in_flight)


# ------------------------------------------------------------------ regret

def run(side, fn, optimum, budget, in_flight):
    """Keeps `in_flight` trials asked, tells the oldest each step. Returns the best-so-far regrets
    and the parameters of the best trial (the earliest of equals)."""
    pending, best, best_params, regrets, asked = [], math.inf, None, [], 0
    while len(regrets) < budget:
        while len(pending) < in_flight and asked < budget:
            pending.append(side.ask())
            asked += 1
        handle, params = pending.pop(0)
        value = fn(params)
        side.tell(handle, value)
        if value < best:
            best, best_params = value, params
        regrets.append(best - optimum)
    return regrets, best_params


def run_fresh(problem, sampler, seed, budget, in_flight, bnll):
    """run() on a side made for this one run, closed after it."""
    fn, optimum, space = PROBLEMS[problem]
    side = make_side(sampler, bnll, space, seed, in_flight)
    try:
        return run(side, fn, optimum, budget, in_flight)
    finally:
        side.close()


def one_run(job):
    """One (problem, sampler, seed) run: the regret at each checkpoint within the budget."""
    *run_args, checkpoints = job
    regrets, _ = run_fresh(*run_args)
    return job, [regrets[c - 1] for c in checkpoints]


# ------------------------------------------------------------------ terms

def best_terms(job):
    """One run: its regret after the budget and its best trial's value term by term."""
    regrets, best = run_fresh(*job)
    split, category = TERMS[job[0]]
    return job, {"regret": regrets[-1], "choice": best[category], "terms": split(best)}


def cmd_terms(a):
    """Where the regret lies after --budget trials: per sampler and seed, the best trial's value split
    into the problem's terms, and per sampler the median of each term and how often each choice of the
    problem's leading categorical was the best trial's."""
    if a.problem not in TERMS:
        sys.exit("terms: --problem must be one of %s, got %s" % (", ".join(TERMS), a.problem))
    samplers = a.samplers.split(",")
    jobs = [(a.problem, s, seed, a.budget, a.in_flight, a.bnll) for s in samplers
            for seed in range(a.first_seed, a.first_seed + a.seeds)]
    rows = {s: {} for s in samplers}
    with multiprocessing.Pool(a.jobs) as pool:
        for (problem, sampler, seed, *_), row in pool.imap_unordered(best_terms, jobs):
            rows[sampler][seed] = row
    out = {"problem": a.problem, "budget": a.budget, "seeds": a.seeds, "first_seed": a.first_seed,
           "in_flight": a.in_flight, "samplers": {}}
    for sampler, by_seed in rows.items():
        per_seed = [by_seed[s] for s in sorted(by_seed)]
        names = list(per_seed[0]["terms"])
        runs = collections.Counter(r["choice"] for r in per_seed)
        out["samplers"][sampler] = {
            "median_regret": statistics.median(r["regret"] for r in per_seed),
            "median_terms": {t: statistics.median(r["terms"][t] for r in per_seed) for t in names},
            "best_choice": {c: {"runs": n,
                                "median_regret": statistics.median(r["regret"] for r in per_seed if r["choice"] == c)}
                            for c, n in runs.most_common()},
            "per_seed": per_seed}
    return out


def ratio(ours, base):
    """Our median regret over the baseline's: the figure of every table (a zero regret does not divide by 0)."""
    return ours / max(base, 1e-300)


def quantiles(xs):
    xs = sorted(xs)
    q = lambda f: xs[min(len(xs) - 1, int(round(f * (len(xs) - 1))))]
    return {"median": statistics.median(xs), "q25": q(0.25), "q75": q(0.75)}


def cmd_regret(a):
    samplers = a.samplers.split(",")
    checkpoints = [c for c in CHECKPOINTS if c <= a.budget]
    if a.checkpoints:
        checkpoints = sorted({int(c) for c in a.checkpoints.split(",")})
        if checkpoints[0] < 1 or checkpoints[-1] > a.budget:
            sys.exit("--checkpoints must lie between 1 and the budget (%d), got %s" % (a.budget, a.checkpoints))
    jobs = [(p, s, seed, a.budget, a.in_flight, a.bnll, tuple(checkpoints))
            for p in a.problems.split(",") for s in samplers for seed in range(a.first_seed, a.first_seed + a.seeds)]
    per_seed = {}
    if a.baseline:
        # Regret is a function of the seed: a stored run of the same problems, budget, seeds and
        # in-flight count stands in for running those samplers again (the slow side on a busy machine).
        with open(a.baseline) as f:
            stored = json.load(f)
        stored.setdefault("first_seed", 0)  # written since --first-seed exists; earlier runs began at seed 0
        for key in ("seeds", "first_seed", "in_flight"):
            if stored[key] != getattr(a, key):
                sys.exit("--baseline %s was run with %s %s, this run has %s" % (a.baseline, key, stored[key], getattr(a, key)))
        if stored["checkpoints"][:len(checkpoints)] != checkpoints:
            sys.exit("--baseline %s has the checkpoints %s, this run asks for %s" % (a.baseline, stored["checkpoints"], checkpoints))
        if stored["budget"] < a.budget:
            sys.exit("--baseline %s was run with budget %s, below this run's %s" % (a.baseline, stored["budget"], a.budget))
        for problem in a.problems.split(","):
            for sampler, res in stored["problems"].get(problem, {}).items():
                if sampler not in samplers:  # a longer run's rows begin with this run's checkpoints
                    rows = [row[:len(checkpoints)] for row in res["per_seed"]]
                    per_seed.setdefault(problem, {})[sampler] = dict(enumerate(rows, start=a.first_seed))
    with multiprocessing.Pool(a.jobs) as pool:
        for (problem, sampler, seed, *_), regrets in pool.imap_unordered(one_run, jobs):
            per_seed.setdefault(problem, {}).setdefault(sampler, {})[seed] = regrets
    out = {"budget": a.budget, "seeds": a.seeds, "first_seed": a.first_seed, "in_flight": a.in_flight, "checkpoints": checkpoints,
           "problems": {}}
    for problem, by_sampler in per_seed.items():
        res = {}
        for sampler, seeds in by_sampler.items():
            rows = [seeds[s] for s in sorted(seeds)]
            res[sampler] = {"regret_at": {str(c): quantiles([r[i] for r in rows]) for i, c in enumerate(checkpoints)},
                            "per_seed": rows}
        if "optuna" in res:
            base = res["optuna"]["regret_at"]
            for sampler in res:
                res[sampler]["ratio_to_optuna"] = {
                    c: ratio(res[sampler]["regret_at"][c]["median"], base[c]["median"]) for c in base}
        out["problems"][problem] = res
        print(json.dumps({problem: {s: r.get("ratio_to_optuna") for s, r in res.items()}}), file=sys.stderr)
    return out


# ------------------------------------------------------------------ latency

def random_params(space, rng):
    """A trial drawn uniformly from the space (log parameters on their log axis), active parameters only."""
    params = {}
    for d in space["params"]:
        when = d.get("when")
        if when and any(params.get(k) not in v for k, v in when.items()):
            continue
        if d["type"] == "categorical":
            params[d["name"]] = rng.choice(d["choices"])
            continue
        low, high = (math.log(d["low"]), math.log(d["high"])) if d.get("log") else (d["low"], d["high"])
        x = rng.uniform(low, high)
        x = math.exp(x) if d.get("log") else x
        params[d["name"]] = min(max(round(x), d["low"]), d["high"]) if d["type"] == "int" else x
    return params


def cmd_latency(a):
    """Both sides step together: trial i on one side, then trial i on the other, the order alternating.

    With --history N the first N trials are the same random draws on both sides, enqueued and told
    untimed (a complete enqueued trial skips the sampler on both sides), so that the figures at
    large N cost minutes rather than the hours of the GP's own first hundreds of asks; an ask's
    cost depends on how many trials there are, not on where they lie. With --warm W the next W
    trials are asked and told on both sides untimed: the .NET runtime first runs a method as quick,
    unoptimised code and replaces it once it is hot (tiered compilation), so without them the
    timed window of a fresh bnll process measures its start, not the sampler a long-lived study runs.
    """
    import random
    fn, _, space = PROBLEMS[a.problem]
    sides = {"optuna": OptunaSide(space, 0, 1, False), a.sampler: BnllSide(a.bnll, a.sampler, space, 0, 1)}
    times = {name: [] for name in sides}
    cpu = {name: [] for name in sides}
    process_cpu = {name: [] for name in sides}
    inside = {name: [] for name in sides}
    names = list(sides)
    rng = random.Random(0)
    try:
        for i in range(a.trials):
            prefix = random_params(space, rng) if i < a.history else None
            timed = i >= a.history + a.warm
            for name in (names if i % 2 == 0 else names[::-1]):
                side = sides[name]
                if prefix is not None:
                    side.enqueue(prefix)
                l0 = side.library_seconds()
                c0, t0 = side.cpu_split(), time.perf_counter()
                handle, params = side.ask()
                t1, c1 = time.perf_counter(), side.cpu_split()
                value = fn(params)
                c2, t2 = side.cpu_split(), time.perf_counter()
                side.tell(handle, value)
                if not timed:
                    continue
                t3, c3 = time.perf_counter(), side.cpu_split()
                times[name].append((t1 - t0) + (t3 - t2))
                spent = [(c1[k] - c0[k]) + (c3[k] - c2[k]) for k in (0, 1)]
                cpu[name].append(sum(spent))
                process_cpu[name].append(spent[0])
                inside[name].append(side.library_seconds() - l0)
    finally:
        for side in sides.values():
            side.close()
    out = {"problem": a.problem, "trials": a.trials, "history": a.history, "warm": a.warm, "window": 50,
           "ms_per_ask_tell_at": {}, "cpu_ms_per_ask_tell_at": {}, "in_process_ms_per_ask_tell_at": {},
           "process_cpu_ms_per_ask_tell_at": {}}
    for n in (50, 100, 200, 500, 1000, 2000, 5000):
        first = a.history + a.warm  # trial number of the first timed entry
        if first + 50 <= n <= a.trials:
            for key, series in (("ms_per_ask_tell_at", times), ("cpu_ms_per_ask_tell_at", cpu),
                                ("in_process_ms_per_ask_tell_at", inside),
                                ("process_cpu_ms_per_ask_tell_at", process_cpu)):
                w = {name: 1000.0 * statistics.median(ts[n - 50 - first:n - first]) for name, ts in series.items()}
                w["ratio"] = w[a.sampler] / w["optuna"]
                out[key][str(n)] = w
    return out


# ------------------------------------------------------------------ round trip

def cmd_roundtrip(a):
    """The protocol's own cost: `stats` round trips (no sampler work) sent to a bnll sampler process,
    after 3,000 untimed; per round trip, the bnll process's CPU time (schedstat, as `latency` counts
    it), this script's CPU time and the wall-clock time. --trials sets how many. Back to back by
    default; with --pause-ms both processes sleep that long before each round trip, as they do in
    `latency` while the other side's library works (a sleeping process uses no CPU, so the figures
    stay per round trip; the wall clock is summed over the round trips alone)."""
    _, _, space = PROBLEMS[a.problem]
    side = BnllSide(a.bnll, "random", space, 0, 1)
    pause = a.pause_ms / 1000.0
    wall = script = 0.0
    try:
        for _ in range(3000):
            side.library_seconds()
        c0 = side.cpu_split()
        for _ in range(a.trials):
            if pause:
                time.sleep(pause)
            w0, p0 = time.perf_counter(), time.process_time()
            side.library_seconds()
            script += time.process_time() - p0
            wall += time.perf_counter() - w0
        c1 = side.cpu_split()
    finally:
        side.close()
    # The script's own CPU is summed over the round trips alone, without its sleeps' wake-ups.
    return {"round_trips": a.trials, "pause_ms": a.pause_ms,
            "bnll_cpu_us": 1e6 * (c1[0] - c0[0]) / a.trials,
            "script_cpu_us": 1e6 * script / a.trials,
            "wall_us": 1e6 * wall / a.trials}


# ------------------------------------------------------------------ table

def ratio_interval(base_rows, our_rows, index, resamples=2000, level=0.95):
    """A 95% bootstrap interval of median(ours) / median(base) at one checkpoint: seeds are drawn with
    replacement, the same seeds for both sides (regret is a function of the seed on each side), and the
    ratio recomputed per draw; the interval is the percentiles of those ratios. Seeded: the same JSON
    gives the same interval. Says how far a cell's ratio can be trusted at this many seeds."""
    rng = random.Random(0)
    n = len(base_rows)
    ratios = []
    for _ in range(resamples):
        picks = [rng.randrange(n) for _ in range(n)]
        base = statistics.median(base_rows[i][index] for i in picks)
        ours = statistics.median(our_rows[i][index] for i in picks)
        ratios.append(ratio(ours, base))
    ratios.sort()
    tail = (1 - level) / 2
    return ratios[int(tail * (resamples - 1))], ratios[int(round((1 - tail) * (resamples - 1)))]


def cmd_table(a):
    """The markdown rows of docs/benchmarks.md from regret JSONs: medians of both sides and their
    ratio; with --interval, the ratio's 95% bootstrap interval over seeds beside it."""
    lines = []
    for path in a.results.split(","):
        with open(path) as f:
            r = json.load(f)
        mode = "sequential" if r["in_flight"] == 1 else "%d in flight" % r["in_flight"]
        for problem, res in r["problems"].items():
            cells = []
            for c in map(str, r["checkpoints"]):
                base, ours = res["optuna"]["regret_at"][c]["median"], res[a.sampler]["regret_at"][c]["median"]
                if a.interval:
                    low, high = ratio_interval(res["optuna"]["per_seed"], res[a.sampler]["per_seed"], r["checkpoints"].index(int(c)))
                    cells.append("%.2f× (%.2f–%.2f)" % (ratio(ours, base), low, high))
                else:
                    cells.append("%.3g / %.3g (%.2f×)" % (base, ours, ratio(ours, base)))
            lines.append("| %s | %s | %s |" % (problem, mode, " | ".join(cells)))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["regret", "latency", "table", "terms", "roundtrip"])
    ap.add_argument("--bnll", default=DEFAULT_BNLL, help="command that runs the bnll console (default: the Release build)")
    ap.add_argument("--samplers", default="optuna,gp", help="regret, terms: the samplers to compare")
    ap.add_argument("--problems", default=",".join(PROBLEMS))
    ap.add_argument("--sampler", default="gp", help="latency, table: the bnll sampler")
    ap.add_argument("--results", help="table: regret JSONs, comma-separated")
    ap.add_argument("--problem", default="family", help="latency, terms: one problem (terms: recipe)")
    ap.add_argument("--seeds", type=int, default=50)
    ap.add_argument("--first-seed", type=int, default=0,
                    help="regret, terms: the seeds are first-seed .. first-seed + seeds - 1 (fresh seeds to confirm a setting chosen on others)")
    ap.add_argument("--budget", type=int, default=50)
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--history", type=int, default=0,
                    help="latency: the first N trials are the same random draws on both sides, untimed")
    ap.add_argument("--warm", type=int, default=0,
                    help="latency: after the history, N trials asked and told on both sides untimed (a warm process)")
    ap.add_argument("--pause-ms", type=float, default=0.0,
                    help="roundtrip: sleep this many milliseconds before each round trip (default 0: back to back)")
    ap.add_argument("--in-flight", type=int, default=1)
    ap.add_argument("--checkpoints", help="regret: the trial counts to record the regret at, comma-separated "
                                          "(default: 10, 20, 50, 100, 200 up to the budget)")
    ap.add_argument("--jobs", type=int, default=1, help="regret: runs in parallel (the figures do not depend on it)")
    ap.add_argument("--baseline", help="regret: a JSON this script wrote with the same seeds and --in-flight and at least this budget; "
                                       "its samplers that --samplers does not name are taken from it instead of run again")
    ap.add_argument("--interval", action="store_true", help="table: each ratio with its 95%% bootstrap interval over seeds")
    ap.add_argument("--out")
    a = ap.parse_args()
    for name in [a.problem] + a.problems.split(","):
        if name not in PROBLEMS:
            sys.exit("unknown problem %s; known: %s" % (name, ", ".join(PROBLEMS)))
    if a.pause_ms < 0:
        sys.exit("--pause-ms must be 0 or more, got %g" % a.pause_ms)
    if a.first_seed < 0:
        sys.exit("--first-seed must be 0 or more, got %d" % a.first_seed)
    if a.mode == "table":
        print(cmd_table(a))
        return
    result = {"regret": cmd_regret, "latency": cmd_latency, "terms": cmd_terms, "roundtrip": cmd_roundtrip}[a.mode](a)
    text = json.dumps(result, indent=1)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
