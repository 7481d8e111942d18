"""The problems of the sampler benchmark (bench/sampler_vs_optuna.py), all minimised.

Each problem is (function, optimum, search space), the space in bnll's JSON form
({"params": [...]}, the form `bnll sampler --space` reads); both sides of the benchmark get the
same space. The first three are those of the original comparison (docs/benchmarks.md, Samplers);
the last two are this project's own mixed spaces, built to look like the searches bnll runs:

  recipe    the objective family (six choices, k under power, q under the four thresholded ones)
            with the recipe fields other issues make searchable: lr, batch_size (int, log),
            warmup (int), weight_decay (log), lora_rank (int, log) and a scheduler choice without
            children. The best lr moves with the batch size and the LoRA rank, as it does in
            practice (square-root batch scaling, higher rates for smaller adapters), so the
            parameters interact.
  branches  an optimizer choice whose branches carry different children (sgd: a float and a
            categorical; adam: a log float; lion: none), each branch with its own best lr,
            interacting integers (layers, width) and a four-way categorical without children.

Both are sums of non-negative terms that are all zero at one known point, so their optimum is 0
exactly (checked by `python3 bench/sampler_problems.py`).
"""

import math

import numpy as np

BRANIN_OPT = 0.39788735772973816
HARTMANN6_OPT = -3.3223680114155147
_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H6_A = np.array([[10.0, 3.0, 17.0, 3.5, 1.7, 8.0], [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
                  [3.0, 3.5, 1.7, 10.0, 17.0, 8.0], [17.0, 8.0, 0.05, 10.0, 0.1, 14.0]])
_H6_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                         [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])


def branin(p):
    x1, x2 = p["x1"], p["x2"]
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def hartmann6(p):
    x = np.array([p["x%d" % i] for i in range(6)])
    return float(-np.sum(_H6_ALPHA * np.exp(-np.sum(_H6_A * (x[None, :] - _H6_P) ** 2, axis=1))))


def family(p):
    lr_term = 0.3 * (math.log10(p["lr"]) + 4.0) ** 2
    if p["family"] == "power":
        return (math.log10(p["k"]) - math.log10(6.0)) ** 2 + lr_term
    if p["family"] == "top-p":
        return 0.15 + 2.0 * (p["q"] - 0.3) ** 2 + lr_term
    return 0.4 + (p["q"] - 0.8) ** 2 + lr_term


FAMILIES = ["nll", "power", "top-p", "bottom-p", "top-logp", "bottom-logp"]


def _recipe_family_term(p):
    f = p["family"]
    if f == "nll":
        return 0.10
    if f == "power":
        return 0.6 * (math.log10(p["k"]) - math.log10(4.0)) ** 2
    base, best_q, curvature = {"top-p": (0.04, 0.25, 0.5), "bottom-p": (0.15, 0.7, 0.3),
                               "top-logp": (0.06, 0.35, 0.5), "bottom-logp": (0.20, 0.6, 0.2)}[f]
    return base + curvature * (p["q"] - best_q) ** 2


def recipe_terms(p):
    """The recipe problem's value term by term (its sum is recipe(p)): what `sampler_vs_optuna.py terms` splits regret into."""
    # The best lr (in decades): 10^-4.5 at batch 32 and rank 64, up by half a decade per 10x batch
    # and by 0.3 decades per 10x smaller rank.
    best_log_lr = -4.5 + 0.5 * math.log10(p["batch_size"] / 32) + 0.3 * math.log10(64 / p["lora_rank"])
    return {"family": _recipe_family_term(p),
            "lr": 0.25 * (math.log10(p["lr"]) - best_log_lr) ** 2,
            "batch_size": 0.01 * (math.log2(p["batch_size"]) - 5) ** 2,
            "warmup": 0.03 * ((p["warmup"] - 20) / 100) ** 2,
            "weight_decay": 0.005 * (math.log10(p["weight_decay"]) + 2) ** 2,
            "lora_rank": 0.004 * (math.log2(p["lora_rank"]) - 6) ** 2,
            "scheduler": {"cosine": 0.0, "linear": 0.01, "constant": 0.03}[p["scheduler"]]}


def recipe(p):
    return sum(recipe_terms(p).values())  # in order, as one sum of the terms would add them


def branches(p):
    opt = p["optimizer"]
    if opt == "sgd":
        branch, best_log_lr = 0.05 + 0.4 * (p["momentum"] - 0.9) ** 2 + (0.0 if p["nesterov"] else 0.02), -1.5
    elif opt == "adam":
        branch, best_log_lr = 0.03 * (math.log10(p["one_minus_beta2"]) + 2.5) ** 2, -3.0
    else:
        branch, best_log_lr = 0.03, -4.0
    dl, dw = p["layers"] - 4, math.log2(p["width"]) - 8
    return (branch
            + 0.15 * (math.log10(p["lr"]) - best_log_lr) ** 2
            + 0.01 * dl * dl + 0.014 * dl * dw + 0.02 * dw * dw   # positive definite: 0.014² < 4·0.01·0.02
            + 0.3 * (p["dropout"] - (0.1 + 0.05 * dw)) ** 2
            + {"gelu": 0.0, "silu": 0.005, "relu": 0.02, "tanh": 0.08}[p["activation"]])


def fl(name, low, high, log=False, when=None):
    d = {"name": name, "type": "float", "low": low, "high": high, "log": log}
    if when:
        d["when"] = when
    return d


def integer(name, low, high, log=False, when=None):
    d = {"name": name, "type": "int", "low": low, "high": high, "log": log}
    if when:
        d["when"] = when
    return d


def cat(name, choices, when=None):
    d = {"name": name, "type": "categorical", "choices": choices}
    if when:
        d["when"] = when
    return d


PROBLEMS = {
    "branin": (branin, BRANIN_OPT, {"params": [fl("x1", -5.0, 10.0), fl("x2", 0.0, 15.0)]}),
    "hartmann6": (hartmann6, HARTMANN6_OPT, {"params": [fl("x%d" % i, 0.0, 1.0) for i in range(6)]}),
    "family": (family, 0.0, {"params": [
        cat("family", ["power", "top-p", "bottom-p"]),
        fl("k", 0.05, 20.0, log=True, when={"family": ["power"]}),
        fl("q", 0.0, 1.0, when={"family": ["top-p", "bottom-p"]}),
        fl("lr", 1e-5, 1e-3, log=True)]}),
    "recipe": (recipe, 0.0, {"params": [
        cat("family", FAMILIES),
        fl("k", 0.05, 20.0, log=True, when={"family": ["power"]}),
        fl("q", 0.0, 1.0, when={"family": FAMILIES[2:]}),
        fl("lr", 1e-6, 1e-3, log=True),
        integer("batch_size", 4, 128, log=True),
        integer("warmup", 0, 200),
        fl("weight_decay", 1e-4, 0.3, log=True),
        integer("lora_rank", 4, 256, log=True),
        cat("scheduler", ["cosine", "linear", "constant"])]}),
    "branches": (branches, 0.0, {"params": [
        cat("optimizer", ["sgd", "adam", "lion"]),
        fl("momentum", 0.0, 0.99, when={"optimizer": ["sgd"]}),
        cat("nesterov", [False, True], when={"optimizer": ["sgd"]}),
        fl("one_minus_beta2", 1e-4, 1e-1, log=True, when={"optimizer": ["adam"]}),
        integer("layers", 1, 8),
        integer("width", 32, 1024, log=True),
        cat("activation", ["relu", "gelu", "silu", "tanh"]),
        fl("dropout", 0.0, 0.5),
        fl("lr", 1e-5, 1e-1, log=True)]}),
}

# The optimum of each own problem, for the self-check below.
OPTIMA = {
    "recipe": {"family": "power", "k": 4.0, "lr": 10 ** -4.5, "batch_size": 32, "warmup": 20,
               "weight_decay": 0.01, "lora_rank": 64, "scheduler": "cosine"},
    "branches": {"optimizer": "adam", "one_minus_beta2": 10 ** -2.5, "layers": 4, "width": 256,
                 "activation": "gelu", "dropout": 0.1, "lr": 1e-3},
}


def _self_check():
    """The own problems are 0 at their stated optimum and above 0 at random points of their space."""
    rng = np.random.default_rng(0)
    for name, point in OPTIMA.items():
        fn, optimum, space = PROBLEMS[name]
        assert abs(fn(point) - optimum) < 1e-12, (name, fn(point))
        for _ in range(20000):
            p = {}
            for d in space["params"]:
                when = d.get("when")
                if when and any(p.get(k) not in v for k, v in when.items()):
                    continue
                if d["type"] == "categorical":
                    p[d["name"]] = d["choices"][rng.integers(len(d["choices"]))]
                elif d["log"]:
                    x = math.exp(rng.uniform(math.log(d["low"]), math.log(d["high"])))
                    p[d["name"]] = round(x) if d["type"] == "int" else x
                else:
                    x = rng.uniform(d["low"], d["high"])
                    p[d["name"]] = round(x) if d["type"] == "int" else x
            assert fn(p) >= optimum, (name, p, fn(p))
        print(name, "optimum", fn(point), "checked")


if __name__ == "__main__":
    _self_check()
