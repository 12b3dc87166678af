#!/usr/bin/env python
"""Train named variants for N seeds, score them on QueryNER dev, store and report the results.

A thin CLI over :mod:`query_understanding.experiments` (variants, training, scoring) and
:mod:`pipeline.experiments` (the ``experiments.experiment_results`` table). Annotated train and
dev rows come straight from the QueryNER JSONL files; synthetic rows, when a variant mixes them
in, from the warehouse's ``train_queries`` (run the data assets once first). From the repo root:

    .venv/bin/python scripts/experiment.py run --kind crf --variant default annotated-only --seeds 13
    .venv/bin/python scripts/experiment.py run --kind transformer --variant annotated-only \\
        --seeds 13 14 --also-decode viterbi
    .venv/bin/python scripts/experiment.py report          # mean ± sd per variant, Δ vs default
    .venv/bin/python scripts/experiment.py list            # every variant and its overlay

Dev is only scored (and, as in the main job, used for the transformer's early stopping); the
official QueryNER test split is never read.
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

from query_understanding.experiments.results import report_markdown  # noqa: E402
from query_understanding.experiments.variants import VARIANTS, get_variant  # noqa: E402
from query_understanding.settings import Locations  # noqa: E402

DEFAULT_QUERYNER = REPO.parent / "shared" / "data" / "queryner"


def _warehouse(path: str | None):
    from resources import DuckDBWarehouse

    return DuckDBWarehouse(path=str(path or Locations.from_env().warehouse))  # QU_DUCKDB_PATH, else the default


def run(args: argparse.Namespace) -> None:
    from pipeline.experiments import append_results, synthetic_train_rows
    from query_understanding.catalog import load_catalog_from_csv
    from query_understanding.experiments.data import ExperimentData, load_queryner
    from query_understanding.experiments.runner import run_variant
    from query_understanding.gazetteer import Gazetteer

    variants = [get_variant(args.kind, name) for name in args.variant]
    train, dev, full = load_queryner(args.queryner)
    warehouse = _warehouse(args.warehouse)
    needs_synthetic = any("synthetic" in v.mix.sources for v in variants)
    synthetic = synthetic_train_rows(warehouse) if needs_synthetic else []
    # The seed catalog: what the warehouse's merged catalog is unless a product feed is configured.
    catalog = load_catalog_from_csv(REPO / "dbt" / "seeds")
    gazetteer = Gazetteer.from_catalog(catalog) if args.kind == "crf" else None
    data = ExperimentData(train, dev, synthetic, full, sorted(catalog.brand_surfaces()))
    print(f"train {len(train)} annotated + {len(synthetic)} synthetic, dev {len(dev)}", flush=True)
    for variant in variants:
        for seed in args.seeds:
            rows = run_variant(variant, seed, data, gazetteer, args.also_decode, args.threads)
            with open(args.rows_log, "a", encoding="utf-8") as log:  # a copy that survives a failed write
                log.writelines(json.dumps(row, default=str) + "\n" for row in rows)
            for row in rows:
                print(
                    f"{row['model_kind']} {row['variant']} seed {seed}: micro F1 {row['micro_f1']:.4f} "
                    f"(BRAND {row['f1_BRAND']:.3f} COLOR {row['f1_COLOR']:.3f} TYPE {row['f1_TYPE']:.3f}) "
                    f"in {row['train_seconds']:.0f} s, best epoch {row['best_epoch']}",
                    flush=True,
                )
            written = append_results(warehouse, rows)
            print(f"  {written} row(s) -> experiments.experiment_results", flush=True)


def report(args: argparse.Namespace) -> None:
    from pipeline.experiments import read_results

    rows = read_results(_warehouse(args.warehouse))
    if args.kind:
        rows = [r for r in rows if r["model_kind"] == args.kind]
    print(report_markdown(rows) if rows else "no experiment results yet")


def list_variants(args: argparse.Namespace) -> None:
    for (kind, name), variant in VARIANTS.items():
        print(f"{kind:12} {name:28} overlay={dict(variant.overlay)} mix={variant.mix}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", help="DuckDB file (default: QU_DUCKDB_PATH, else data/warehouse.duckdb)")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="train and score variants, append rows")
    run_parser.add_argument("--kind", choices=("crf", "transformer"), required=True)
    run_parser.add_argument("--variant", nargs="+", default=["default"])
    run_parser.add_argument("--seeds", nargs="+", type=int, default=[13])
    run_parser.add_argument("--also-decode", nargs="*", default=[], choices=("argmax", "viterbi"))
    run_parser.add_argument("--threads", type=int, default=2, help="torch threads (the machine has 2 cores)")
    run_parser.add_argument(
        "--queryner", type=Path, default=DEFAULT_QUERYNER, help="folder of the QueryNER JSONL files"
    )
    run_parser.add_argument("--rows-log", default="data/experiment_rows.jsonl", help="JSONL copy of every row")
    run_parser.set_defaults(func=run)
    report_parser = commands.add_parser("report", help="mean ± sd per variant and Δ vs default (markdown)")
    report_parser.add_argument("--kind", choices=("crf", "transformer"))
    report_parser.set_defaults(func=report)
    commands.add_parser("list", help="the known variants").set_defaults(func=list_variants)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
