#!/usr/bin/env python3
"""Operating point of a demo GRPO run per prompt class, from its workspace.

`awb train --demo` stores every sample with its gold scores (samples.gold_json);
the demo's prompts.jsonl says which prompts are adversarial. This prints, for
each class (adversarial, benign, all), the mean gold score of every aspect
over the first and the last N steps of a run, as one JSON object.

    scripts/analyze_operating_point.py WORKSPACE.awb [--run ID] [--last 10]
        [--prompts resources/demo/prompts.jsonl]
"""
import argparse
import json
import os
import sqlite3
import sys


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db")
    ap.add_argument("--run", type=int, default=0, help="run id (default: the latest)")
    ap.add_argument("--last", type=int, default=10, help="steps in the first and last window")
    ap.add_argument("--prompts", default=os.path.join(here, "..", "resources", "demo", "prompts.jsonl"))
    a = ap.parse_args()

    adversarial = {}
    with open(a.prompts, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                p = json.loads(line)
                adversarial[p["prompt"]] = bool(p.get("adversarial", False))

    if not os.path.exists(a.db):
        sys.exit(f"{a.db}: no such workspace")
    con = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True)
    run = a.run or con.execute("SELECT max(id) FROM runs").fetchone()[0]
    if run is None:
        sys.exit(f"{a.db}: no runs")
    last_step = con.execute("SELECT max(step) FROM samples WHERE run_id = ? AND discarded = 0", (run,)).fetchone()[0]
    if last_step is None:
        sys.exit(f"{a.db}: run {run} has no samples")
    windows = {"first": (1, a.last), "last": (last_step - a.last + 1, last_step)}

    out = {"db": a.db, "run": run, "steps": last_step, "window": a.last}
    unknown = 0
    for wname, (lo, hi) in windows.items():
        sums = {}
        rows = con.execute(
            "SELECT prompt, gold_json FROM samples WHERE run_id = ? AND discarded = 0 AND step BETWEEN ? AND ?"
            " AND gold_json IS NOT NULL", (run, lo, hi))
        for prompt, gold_json in rows:
            if prompt not in adversarial:
                unknown += 1
                continue
            gold = json.loads(gold_json)
            for cls in ("adversarial" if adversarial[prompt] else "benign", "all"):
                acc = sums.setdefault(cls, {"n": 0})
                acc["n"] += 1
                for k, v in gold.items():
                    acc[k] = acc.get(k, 0.0) + v
        out[wname] = {
            "steps": [lo, hi],
            **{cls: {"samples": acc["n"], **{k: round(v / acc["n"], 4) for k, v in acc.items() if k != "n"}}
               for cls, acc in sorted(sums.items())}}
    if unknown:
        out["samples_with_unknown_prompt"] = unknown
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
