#!/usr/bin/python3
"""The Optuna-RDB anchor of `bnll bench cluster` (issue 5): the same study shape on Optuna.

Starts a throw-away PostgreSQL server (initdb in a temporary folder, a free port; as the postgres
user when run as root), creates one Optuna study on it (RDB storage), and runs WORKERS worker
processes that optimize that study together, each its share of TRIALS, with an objective that
suggests the parameters of bnll's default search space and then sleeps SECONDS (the stand-in for
training, as bnll's simulated workload). The workers load the study first and start together, so
Python's start-up is not counted.

It prints one JSON object: the set-up and, per trial, the worker that ran it, when its sleep began
and ended (work_started, work_ended: as bnll's devices stamp their workloads) and Optuna's own
datetime_start and datetime_complete, all as Unix seconds. `bnll bench cluster --anchor` runs this
script and computes the figures from it the same way as for the cluster.

Needs Debian's python3-optuna and python3-psycopg2, and PostgreSQL's server (postgresql):
  apt-get install -y python3-optuna python3-psycopg2 postgresql
Usage:
  /usr/bin/python3 bench/optuna_rdb_anchor.py --workers 4 --trials 240 --seconds 1 [--sampler tpe|random]
"""

import argparse
import glob
import json
import math
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time

FAMILIES = ["nll", "power", "top-p", "bottom-p", "top-logp", "bottom-logp"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_binary(name):
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))[-1:]
    if not found:
        raise SystemExit(f"error: {name} not found; apt-get install -y postgresql")
    return found if isinstance(found, str) else found[0]


class Postgres:
    """A PostgreSQL server of its own in a temporary folder, stopped and removed on exit."""

    def __init__(self, max_connections, synchronous_commit):
        self.folder = tempfile.mkdtemp(prefix="bnll-optuna-pg-")
        self.data = os.path.join(self.folder, "data")
        self.port = free_port()
        # PostgreSQL refuses to run as root: then the folder and the server belong to postgres.
        self.as_user = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/optuna"
        try:
            self._run([pg_binary("initdb"), "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
            options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                       f"-c max_connections={max_connections} -c synchronous_commit={synchronous_commit}")
            self._run([pg_binary("pg_ctl"), "-D", self.data, "-l", os.path.join(self.folder, "server.log"), "-w", "-o", options, "start"])
            import psycopg2
            c = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
            c.autocommit = True  # CREATE DATABASE runs outside a transaction
            with c.cursor() as cur:
                cur.execute("CREATE DATABASE optuna")
                cur.execute("SHOW server_version")
                self.version = cur.fetchone()[0]
            c.close()
        except BaseException:
            self.stop()
            raise

    def _run(self, command):
        subprocess.run(self.as_user + command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop(self):
        try:
            if os.path.exists(os.path.join(self.data, "postmaster.pid")):
                self._run([pg_binary("pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop"])
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def make_sampler(name, seed):
    import warnings
    import optuna
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    if name == "tpe":
        # As the cluster's study: constant liar while trials run in parallel.
        return optuna.samplers.TPESampler(seed=seed, constant_liar=True)
    return optuna.samplers.RandomSampler(seed=seed)


def worker(args):
    """One worker process: load the study, say ready, wait for go, run its trials, print what it ran."""
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.load_study(study_name="bench", storage=args.storage, sampler=make_sampler(args.sampler, args.seed))
    runs = []

    def objective(trial):
        # bnll's default search space; the value is that of bnll's simulated workload.
        family = trial.suggest_categorical("family", FAMILIES)
        k = trial.suggest_float("k", 0.05, 20.0, log=True) if family == "power" else None
        q = trial.suggest_float("q", 0.0, 1.0) if family not in ("nll", "power") else None
        lr = trial.suggest_float("lr", 1e-5, 1e-3, log=True)
        started = time.time()
        time.sleep(args.seconds)
        ended = time.time()
        runs.append({"worker": args.index, "number": trial.number, "work_started": started, "work_ended": ended})
        value = 0.3 * (math.log10(lr) + 4.0) ** 2
        if family == "power":
            return value + (math.log10(k) - math.log10(6.0)) ** 2
        if family == "nll":
            return value + 0.5
        return value + (0.15 + 2.0 * (q - 0.3) ** 2 if family == "top-p" else 0.4 + (q - 0.8) ** 2)

    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    study.optimize(objective, n_trials=args.n_trials)
    print(json.dumps(runs), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, required=True, help="worker processes (bnll's silos × devices per silo)")
    ap.add_argument("--trials", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=1.0, help="the objective's sleep")
    ap.add_argument("--sampler", choices=["tpe", "random"], default="tpe")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--synchronous-commit", choices=["on", "off"], default="off",
                    help="PostgreSQL's; off (the WAL is flushed within a second) matches the cluster's Redis with fsync every second")
    # A worker's own arguments.
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--storage", help=argparse.SUPPRESS)
    ap.add_argument("--index", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--n-trials", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args)
    if args.workers <= 0 or args.trials <= 0 or args.seconds < 0:
        raise SystemExit("error: --workers and --trials must be positive, --seconds not negative")

    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    pg = Postgres(max_connections=max(100, 2 * args.workers + 10), synchronous_commit=args.synchronous_commit)
    workers = []
    try:
        optuna.create_study(study_name="bench", storage=pg.url, direction="minimize")
        shares = [args.trials // args.workers + (1 if i < args.trials % args.workers else 0) for i in range(args.workers)]
        for i, share in enumerate(shares):
            if share == 0:
                continue
            workers.append(subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "--worker", "--workers", "1", "--trials", "1",
                 "--storage", pg.url, "--index", str(i), "--n-trials", str(share), "--seconds", str(args.seconds),
                 "--sampler", args.sampler, "--seed", str(args.seed + i)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
        for w in workers:
            if w.stdout.readline().strip() != "ready":
                raise SystemExit("error: a worker did not start")
        print(f"optuna-rdb: {len(workers)} workers ready, {args.trials} trials of {args.seconds} s", file=sys.stderr, flush=True)
        span_start = time.time()
        for w in workers:
            w.stdin.write("go\n")
            w.stdin.flush()
        runs = []
        for w in workers:
            out, _ = w.communicate()
            if w.returncode != 0:
                raise SystemExit(f"error: a worker exited with {w.returncode}")
            runs.extend(json.loads(out.strip().splitlines()[-1]))

        stamps = {t.number: t for t in optuna.load_study(study_name="bench", storage=pg.url).get_trials(deepcopy=False)}
        for r in runs:
            t = stamps[r["number"]]
            r["state"] = t.state.name.lower()
            r["datetime_start"] = t.datetime_start.timestamp()          # naive local times, as Optuna stores them
            r["datetime_complete"] = t.datetime_complete.timestamp() if t.datetime_complete else None
        print(json.dumps({
            "anchor": "optuna-rdb", "optuna": optuna.__version__, "postgres": pg.version,
            "synchronous_commit": args.synchronous_commit, "workers": args.workers, "trials": args.trials,
            "seconds": args.seconds, "sampler": args.sampler, "span_start": span_start,
            "runs": sorted(runs, key=lambda r: r["number"]),
        }))
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
        pg.stop()


if __name__ == "__main__":
    main()
