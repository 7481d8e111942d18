#!/usr/bin/python3
"""Reference values for the confirmation statistics (issue 14), computed independently of the C#
code by SciPy's paired t test (scipy.stats.ttest_rel, with its confidence interval) and statsmodels'
Holm correction (statsmodels.stats.multitest.multipletests, method "holm").

The tests read the JSON this writes (confirmation.json beside it) and never need Python. Regenerate
on Debian 12 after changing a case:

  apt-get install -y python3-scipy python3-statsmodels
  /usr/bin/python3 tests/BeyondNll.Search.Tests/Reference/make_confirmation_reference.py

Written with SciPy 1.10.1 and statsmodels 0.13.5 (Debian 12's).
"""
import json
import os

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.multitest import multipletests


def accuracy_like(rng, mean, spread, n):
    """n values on the 0.005 grid of a 200-example accuracy, clipped to [0, 1]."""
    return [float(v) for v in np.clip(np.round(rng.normal(mean, spread, n) * 200) / 200, 0, 1)]


def paired(a, b):
    result = stats.ttest_rel(a, b)
    ci = result.confidence_interval(0.95)
    d = np.subtract(a, b)
    return {
        "a": a, "b": b,
        "mean_difference": float(d.mean()),
        "standard_error": float(d.std(ddof=1) / np.sqrt(len(d))),
        "t": float(result.statistic), "df": float(result.df), "p": float(result.pvalue),
        "ci_low": float(ci.low), "ci_high": float(ci.high),
    }


def main():
    rng = np.random.RandomState(14)
    cases = []
    for n, gain, spread in [(2, 0.03, 0.02), (3, 0.04, 0.015), (3, -0.02, 0.02), (3, 0.005, 0.03), (5, 0.02, 0.01), (8, 0.01, 0.02)]:
        b = accuracy_like(rng, 0.6, 0.03, n)
        a = [float(min(1, max(0, round((x + gain + rng.normal(0, spread)) * 200) / 200))) for x in b]
        cases.append(paired(a, b))
    # Validation NLL-sized values, off the accuracy grid.
    b = [float(v) for v in rng.normal(1.2, 0.05, 4)]
    a = [float(x - 0.08 + rng.normal(0, 0.02)) for x in b]
    cases.append(paired(a, b))

    holm = []
    for ps in [[0.01, 0.04, 0.03], [0.2, 0.001, 0.04, 0.5], [0.03], [0.02, 0.02], [0.6, 0.9, 0.05]]:
        holm.append({"p": ps, "adjusted": [float(v) for v in multipletests(ps, method="holm")[1]]})

    # A whole confirmation: NLL and three challengers on the same four seeds (maximised).
    seeds = [11, 12, 13, 14]
    baseline = accuracy_like(rng, 0.55, 0.03, 4)
    candidates = {}
    for name, gain in [("power:1 @ lr 0.0001", 0.05), ("power:10 @ lr 0.0001", 0.01), ("top-p:0.5 @ lr 0.0003", -0.03)]:
        candidates[name] = [float(min(1, max(0, round((x + gain + rng.normal(0, 0.015)) * 200) / 200))) for x in baseline]
    comparisons = {name: paired(values, baseline) for name, values in candidates.items()}
    adjusted = multipletests([comparisons[n]["p"] for n in candidates], method="holm")[1]
    for name, p in zip(candidates, adjusted):
        comparisons[name]["p_adjusted"] = float(p)
    confirmation = {"seeds": seeds, "baseline": baseline, "candidates": candidates, "comparisons": comparisons}

    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "confirmation.json")
    with open(out, "w") as f:
        json.dump({"generated_by": f"make_confirmation_reference.py, scipy {scipy.__version__}, statsmodels {statsmodels.__version__}",
                   "paired_t": cases, "holm": holm, "confirmation": confirmation}, f, indent=1)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
