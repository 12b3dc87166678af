#!/usr/bin/env python
"""The annotation queue's learning curve on real queries: queue-picked vs random labels.

A CRF (the job's config and the seed catalog's gazetteer) starts from ``--start-size`` rows of
QueryNER train; the rest of train is the unlabelled pool. For each k the queue's top k (ranked
by :func:`query_understanding.annotation.queue.rank_for_annotation` from the start model's
predictions) or k random rows get their gold labels revealed, the CRF is retrained and scored
on QueryNER dev. Writes the points (JSONL), the summary table (markdown) and the plot (PNG);
see :mod:`query_understanding.experiments.active_learning`. From the repo root:

    .venv/bin/python scripts/active_learning_curve.py --seeds 13 14 15 --ks 100 200 400

Dev is only scored; the official QueryNER test split is never read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from query_understanding import offline  # noqa: E402

offline.apply()

from query_understanding.catalog import load_catalog_from_csv  # noqa: E402
from query_understanding.crf import CRFConfig, train_crf  # noqa: E402
from query_understanding.experiments.active_learning import (  # noqa: E402
    CurvePoint,
    curve_summary,
    learning_curve,
    summary_markdown,
)
from query_understanding.experiments.data import load_queryner  # noqa: E402
from query_understanding.gazetteer import Gazetteer  # noqa: E402

DEFAULT_QUERYNER = REPO.parent / "shared" / "data" / "queryner"


def plot(summary: list[dict], start_size: int, path: Path) -> None:
    """Mean dev micro F1 against labels revealed, queue vs random, ± sd as a band."""
    from pipeline.charts import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ks = [r["k"] for r in summary]
    for strategy, colour in (("queue", "tab:blue"), ("random", "tab:orange")):
        means = [r[f"{strategy}_mean"] for r in summary]
        sds = [r[f"{strategy}_sd"] for r in summary]
        ax.plot(ks, means, marker="o", color=colour, label=f"{strategy} pick")
        ax.fill_between(
            ks, [m - s for m, s in zip(means, sds)], [m + s for m, s in zip(means, sds)], color=colour, alpha=0.2
        )
    ax.set_xlabel(f"gold labels revealed (start: {start_size} labelled rows)")
    ax.set_ylabel("QueryNER dev micro F1 (CRF)")
    ax.set_title(f"Annotation queue vs random, mean ± sd over {summary[0]['seeds']} seeds")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queryner", type=Path, default=DEFAULT_QUERYNER)
    parser.add_argument("--start-size", type=int, default=1000)
    parser.add_argument("--ks", type=int, nargs="+", default=[100, 200, 400])
    parser.add_argument("--seeds", type=int, nargs="+", default=[13, 14, 15])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "active_learning")
    args = parser.parse_args(argv)
    if not (args.queryner / "queryner_train.jsonl").is_file():
        parser.error(f"{args.queryner} holds no queryner_train.jsonl (pass --queryner)")

    train, dev, _ = load_queryner(args.queryner)
    gazetteer = Gazetteer.from_catalog(load_catalog_from_csv(REPO / "dbt" / "seeds"))
    config = CRFConfig()

    def trainer(rows):
        return train_crf(rows, config, gazetteer)

    def progress(point: CurvePoint) -> None:
        print(
            f"seed {point.seed} {point.strategy:6s} k={point.k:4d} n={point.n_train}: micro F1 {point.micro_f1:.4f}",
            flush=True,
        )

    print(
        f"train {len(train)} (start {args.start_size}, pool {len(train) - args.start_size}), dev {len(dev)}", flush=True
    )
    points = learning_curve(train, dev, trainer, args.ks, args.seeds, args.start_size, progress)
    summary = curve_summary(points)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".jsonl").write_text("".join(json.dumps(p.to_dict()) + "\n" for p in points))
    table = summary_markdown(summary)
    args.out.with_suffix(".table.md").write_text(table + "\n")
    plot(summary, args.start_size, args.out.with_suffix(".png"))
    print(table)
    print(
        f"wrote {args.out.with_suffix('.jsonl')}, {args.out.with_suffix('.table.md')}, {args.out.with_suffix('.png')}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
