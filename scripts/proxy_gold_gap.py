#!/usr/bin/env python3
"""The gap between the reward model's score (proxy) and the gold judge's, per aspect, of demo runs.

    scripts/proxy_gold_gap.py WORKSPACE.awb [WORKSPACE.awb ...] [--window 10]

For each workspace (its newest run), prints per aspect the mean proxy score
(rewards/<aspect>/mean: the ensemble's mean, whatever the rewards used), the
mean gold score and their gap (proxy - gold) over the first and the last
`window` steps, the ensemble's mean spread there (uncertainty/<aspect>/mean),
sqrt of the KL per completion from the reference (kl x mean completion length)
at the end, and the gold objective; and whether the spread marks the
errors: the Spearman correlation, over the samples of the run, between an
aspect's spread and the reward model's absolute error there |proxy - gold|.
The figures of README's "Conservative rewards". Reads the workspace with
Python's sqlite3 only.
"""
import argparse
import json
import math
import sqlite3

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("workspaces", nargs="+")
parser.add_argument("--window", type=int, default=10)
args = parser.parse_args()


def ranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(x, y):
    rx, ry = ranks(x), ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else float("nan")


def spread_error(db, run, aspect):
    xs, ys = [], []
    for value, std, gold in db.execute(
            "select c.value, c.std, s.gold_json from sample_scores c join samples s on s.id = c.sample_id "
            "where s.run_id = ? and c.aspect = ? and c.std is not null and s.gold_json is not null", (run, aspect)):
        g = json.loads(gold).get(aspect)
        if g is not None:
            xs.append(std)
            ys.append(abs(value - g))
    return spearman(xs, ys) if len(xs) > 2 else float("nan")


def mean(db, run, name, lo, hi):
    row = db.execute("select avg(value) from metrics where run_id = ? and name = ? and step between ? and ?",
                     (run, name, lo, hi)).fetchone()
    return row[0] if row and row[0] is not None else float("nan")


for path in args.workspaces:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    run, last = db.execute("select run_id, max(step) from steps where run_id = (select max(run_id) from steps)").fetchone()
    aspects = [n[len("rewards/"):-len("/mean")] for (n,) in db.execute(
        "select distinct name from metrics where run_id = ? and name like 'rewards/%/mean'", (run,))]
    first, end = (1, args.window), (last - args.window + 1, last)
    kl = mean(db, run, "kl", *end) * mean(db, run, "completions/mean_length", *end)
    print(f"{path} run {run}, steps {first[0]}-{first[1]} -> {end[0]}-{end[1]}: gold objective "
          f"{mean(db, run, 'gold_objective', *first):.3f} -> {mean(db, run, 'gold_objective', *end):.3f}, "
          f"sqrt(KL per completion) at the end {math.sqrt(max(kl, 0.0)):.3f}")
    for a in aspects:
        p0, p1 = mean(db, run, f"rewards/{a}/mean", *first), mean(db, run, f"rewards/{a}/mean", *end)
        g0, g1 = mean(db, run, f"gold/{a}/mean", *first), mean(db, run, f"gold/{a}/mean", *end)
        u1 = mean(db, run, f"uncertainty/{a}/mean", *end)
        print(f"  {a:15s} proxy {p0:.3f} -> {p1:.3f}  gold {g0:.3f} -> {g1:.3f}  "
              f"gap (proxy - gold) {p0 - g0:+.3f} -> {p1 - g1:+.3f}  spread at the end {u1:.3f}  "
              f"spread vs |error| Spearman {spread_error(db, run, a):+.3f}")
