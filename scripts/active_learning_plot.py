#!/usr/bin/env python3
"""The active-learning curves of `awb active-learning --json` runs as a picture and a table.

    scripts/active_learning_plot.py OUT.svg RUN.json [RUN.json ...]

Each RUN.json is one run's output ({"strategy", "rounds": [{"labels", "metrics":
{aspect: {"spearman", "rmse", ...}}}, ...]}). Runs of one strategy (several seeds)
are averaged per round. Writes OUT.svg: held-out Spearman (top row) and RMSE
(bottom row) against the labelled samples, one column per aspect and one for
their mean, one line per strategy; and prints a Markdown table of the mean over
aspects per round, and for each strategy the labels at which its mean Spearman
first reaches random's final one. Python's standard library only (convert the
SVG with rsvg-convert for a PNG).
"""
import json
import sys

COLOURS = {"uncertainty": "#d62728", "random": "#1f77b4", "disagreement": "#2ca02c"}
DASHES = {"uncertainty": "", "random": "6,4", "disagreement": "2,3"}


def load(paths):
    runs = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            run = json.loads(f.read().strip().splitlines()[-1])
        runs.setdefault(run["strategy"], []).append(run)
    return runs


def value(metrics, aspect, key):
    v = metrics.get(aspect, {}).get(key)
    return float(v) if isinstance(v, (int, float)) else float("nan")


def averaged(runs, aspects):
    """strategy -> [(labels, {aspect or "mean": (spearman, rmse)})], averaged over the strategy's runs."""
    out = {}
    for strategy, group in runs.items():
        rows = []
        for i in range(min(len(r["rounds"]) for r in group)):
            labels = group[0]["rounds"][i]["labels"]
            cell = {}
            for a in aspects + ["mean"]:
                sp, rm = [], []
                for r in group:
                    m = r["rounds"][i]["metrics"]
                    names = aspects if a == "mean" else [a]
                    sp.append(sum(value(m, n, "spearman") for n in names) / len(names))
                    rm.append(sum(value(m, n, "rmse") for n in names) / len(names))
                cell[a] = (sum(sp) / len(sp), sum(rm) / len(rm))
            rows.append((labels, cell))
        out[strategy] = rows
    return out


def svg(curves, aspects, path):
    cols = aspects + ["mean"]
    pw, ph, ml, mt, gap = 200, 170, 48, 34, 26
    width = ml + len(cols) * (pw + gap) + 10
    height = mt + 2 * (ph + gap + 24) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="DejaVu Sans, sans-serif" font-size="11">',
             f'<rect width="{width}" height="{height}" fill="white"/>']
    for row, (key, title) in enumerate([(0, "held-out Spearman"), (1, "held-out RMSE")]):
        vals = [c[a][key] for rows in curves.values() for _, c in rows for a in cols]
        vals = [v for v in vals if v == v]
        lo, hi = min(vals), max(vals)
        pad = (hi - lo) * 0.08 or 0.05
        lo, hi = lo - pad, hi + pad
        xmax = max(l for rows in curves.values() for l, _ in rows) or 1
        for ci, a in enumerate(cols):
            x0 = ml + ci * (pw + gap)
            y0 = mt + row * (ph + gap + 24)
            parts.append(f'<rect x="{x0}" y="{y0}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
            parts.append(f'<text x="{x0 + pw / 2}" y="{y0 - 6}" text-anchor="middle" font-weight="bold">'
                         f'{a if a != "mean" else "mean of the aspects"}: {title}</text>')
            for t in range(5):
                v = lo + (hi - lo) * t / 4
                y = y0 + ph - ph * t / 4
                parts.append(f'<line x1="{x0}" y1="{y}" x2="{x0 + pw}" y2="{y}" stroke="#eee"/>')
                if ci == 0:
                    parts.append(f'<text x="{x0 - 4}" y="{y + 4}" text-anchor="end">{v:.2f}</text>')
            for t in range(5):
                l = xmax * t / 4
                x = x0 + pw * t / 4
                parts.append(f'<text x="{x}" y="{y0 + ph + 14}" text-anchor="middle">{l:.0f}</text>')
            for strategy, rows in curves.items():
                pts = [(x0 + pw * l / xmax, y0 + ph - ph * (c[a][key] - lo) / (hi - lo)) for l, c in rows
                       if c[a][key] == c[a][key]]
                d = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
                dash = f' stroke-dasharray="{DASHES.get(strategy, "")}"' if DASHES.get(strategy) else ""
                colour = COLOURS.get(strategy, "#555")
                parts.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
                for x, y in pts:
                    parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{colour}"/>')
        parts.append(f'<text x="{ml + (len(cols) * (pw + gap)) / 2}" y="{mt + row * (ph + gap + 24) + ph + 28}" '
                     f'text-anchor="middle">samples labelled (every aspect of each)</text>')
    lx = ml
    ly = height - 12
    for strategy in curves:
        colour = COLOURS.get(strategy, "#555")
        dash = f' stroke-dasharray="{DASHES.get(strategy, "")}"' if DASHES.get(strategy) else ""
        parts.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 30}" y2="{ly - 4}" stroke="{colour}" '
                     f'stroke-width="2"{dash}/>')
        parts.append(f'<text x="{lx + 36}" y="{ly}">{strategy}-first</text>'
                     if strategy != "random" else f'<text x="{lx + 36}" y="{ly}">random</text>')
        lx += 160
    parts.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(parts) + "\n")


def table(curves, runs):
    strategies = list(curves)
    print("| labels | " + " | ".join(f"{s}: Spearman / RMSE" for s in strategies) + " |")
    print("| --- | " + " | ".join("---" for _ in strategies) + " |")
    for i, (labels, _) in enumerate(next(iter(curves.values()))):
        cells = []
        for s in strategies:
            sp, rm = curves[s][i][1]["mean"]
            cells.append(f"{sp:.3f} / {rm:.3f}")
        print(f"| {labels} | " + " | ".join(cells) + " |")
    if "random" in curves:
        target = curves["random"][-1][1]["mean"][0]
        print(f"\nrandom's final mean Spearman: {target:.3f} "
              f"({len(runs['random'])} run(s)); first reached at:")
        for s in strategies:
            hit = next((l for l, c in curves[s] if c["mean"][0] >= target), None)
            reached = f"{hit} labels" if hit is not None else "not reached"
            print(f"- {s}: {reached} ({len(runs[s])} run(s))")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runs = load(sys.argv[2:])
    aspects = next(iter(runs.values()))[0]["aspects"]
    curves = averaged(runs, aspects)
    svg(curves, aspects, sys.argv[1])
    table(curves, runs)


if __name__ == "__main__":
    main()
