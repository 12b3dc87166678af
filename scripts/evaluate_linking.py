#!/usr/bin/env python
"""Linking accuracy where the truth is known, printed as markdown tables.

    .venv/bin/python scripts/evaluate_linking.py [--linking-index PATH] [--fixture FILE] [--products N]

1. Synthetic noise (``query_understanding.linking.evaluation.synthetic_linking_report``): per entity
   type and noise kind (clean, alias, misspelling, typo, plural, synonym, novel), precision and
   recall of the canonical id, on products of the built-in catalog with 10% of brands and types
   held out of the index (their right answer is "no link").
2. Real spans: the hand-labelled QueryNER dev spans (``tests/fixtures/linking``): precision of the
   links made, recall on spans the catalog covers, and the catalog's coverage, per type.

The index is the built-in seed catalog's (calibrated as the ``linking_index`` asset does) unless
``--linking-index`` names a saved one (the asset's output folder).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from query_understanding.catalog import load_catalog_from_csv  # noqa: E402
from query_understanding.linking import LinkingIndex, calibrate  # noqa: E402
from query_understanding.linking.evaluation import fixture_linking_report, synthetic_linking_report  # noqa: E402
from query_understanding.markdown import markdown_table  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "linking" / "queryner_dev_links.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--linking-index", default="", help="saved linking index (default: built from dbt/seeds)")
    parser.add_argument("--fixture", default=str(FIXTURE), help="hand-labelled spans (JSONL)")
    parser.add_argument("--products", type=int, default=1500, help="synthetic products")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    catalog = load_catalog_from_csv(REPO / "dbt" / "seeds")
    if args.linking_index:
        index = LinkingIndex.load(args.linking_index)
    else:
        index, _ = calibrate(LinkingIndex.from_catalog(catalog), seed=args.seed)
    print(f"# Linking accuracy (index {index.version}, fuzzy thresholds {index.fuzzy})\n")
    print(f"## Synthetic noise ({args.products} products, seed {args.seed}, 10% of brands/types held out)\n")
    rows = [
        (s.entity_type, s.noise, s.n, s.n_linked, s.n_correct, f"{s.precision:.3f}")
        + ("-" if s.recall is None else f"{s.recall:.3f}",)
        for s in synthetic_linking_report(catalog, args.products, args.seed)
    ]
    print(markdown_table(["type", "noise", "n", "linked", "correct", "precision", "recall"], rows))
    report = fixture_linking_report(index, args.fixture)
    print(f"\n## Hand-labelled real spans ({args.fixture})\n")
    rows = [
        (t, v["n"], f"{v['coverage']:.3f}", v["linked"], v["correct"], v["precision"], v["recall"])
        for t, v in report.per_type.items()
    ]
    n = sum(v["n"] for v in report.per_type.values())
    linked = sum(v["linked"] for v in report.per_type.values())
    correct = sum(v["correct"] for v in report.per_type.values())
    covered = sum(round(v["coverage"] * v["n"]) for v in report.per_type.values())
    rows.append(
        ("all", n, f"{covered / n:.3f}", linked, correct, round(correct / linked, 4), round(correct / covered, 4))
    )
    print(markdown_table(["type", "spans", "coverage", "linked", "correct", "precision", "recall"], rows))
    print(f"\n{len(report.errors)} disagreements with the labels:\n")
    print(
        markdown_table(
            ["type", "span", "query", "label", "linked", "method"],
            [(e["type"], e["span"], e["query"], e["canonical"], e["linked"], e["method"]) for e in report.errors],
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
