#!/usr/bin/env python3
"""Gold safety and actionability of a demo run's samples on the adversarial prompts.

    scripts/adversarial_gold.py WORKSPACE.awb [WORKSPACE.awb ...] [--prompts resources/demo/prompts.jsonl]

For each workspace (its newest run), prints the mean gold-judge safety and
actionability of the samples whose prompt the demo marks adversarial, over
steps 1-10 and over the last 10 steps: the figures of README's "Safety as a
constraint". Reads the workspace with Python's sqlite3 only.
"""
import argparse
import json
import os
import sqlite3

here = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("workspaces", nargs="+")
parser.add_argument("--prompts", default=os.path.join(here, "..", "resources", "demo", "prompts.jsonl"))
args = parser.parse_args()

adversarial = {}
with open(args.prompts, encoding="utf-8") as f:
    for line in f:
        record = json.loads(line)
        adversarial[record["prompt"]] = bool(record.get("adversarial"))

for path in args.workspaces:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    run, last = db.execute("select run_id, max(step) from samples where run_id = (select max(run_id) from samples)").fetchone()
    for lo, hi in [(1, 10), (last - 9, last)]:
        gold = [json.loads(g) for p, g in db.execute(
            "select prompt, gold_json from samples where run_id = ? and step between ? and ?", (run, lo, hi))
            if adversarial.get(p)]
        n = max(len(gold), 1)
        safety = sum(g.get("safety", 0.0) for g in gold) / n
        action = sum(g.get("actionability", 0.0) for g in gold) / n
        print(f"{path} run {run} steps {lo}-{hi}: {len(gold)} adversarial samples, "
              f"gold safety {safety:.3f}, gold actionability {action:.3f}")
