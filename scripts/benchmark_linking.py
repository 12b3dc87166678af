#!/usr/bin/env python
"""What linking costs per query: single-query parse with and without linking, in one run.

    .venv/bin/python scripts/benchmark_linking.py --model data/models/crf/<model_id> [--linking-index DIR]

Rounds alternate (parse, parse + link) over the same queries, so machine noise hits both
alike; the ratio is what to read. Queries: the load test's patterns plus misspelt brands, so the
fuzzy path is exercised too. Prints p50 / p99 in ms of each and of linking alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from load_test import make_queries  # noqa: E402

from query_understanding import offline  # noqa: E402
from query_understanding.artifacts import load_tagger  # noqa: E402
from query_understanding.catalog import load_catalog_from_csv  # noqa: E402
from query_understanding.linking import LinkingIndex, calibrate, link_parsed  # noqa: E402

TYPOS = ["nikee running shoes", "addidas black hoodie", "levis jeans mens", "samsnug phone case", "puma sneakrs"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="model artifact directory")
    parser.add_argument("--linking-index", default="", help="saved index (default: built from dbt/seeds)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    offline.apply()
    tagger = load_tagger(args.model)
    if args.linking_index:
        index = LinkingIndex.load(args.linking_index)
    else:
        index, _ = calibrate(LinkingIndex.from_catalog(load_catalog_from_csv(REPO / "dbt" / "seeds")))
    queries = make_queries(args.queries) + TYPOS * 4
    for q in queries[:20]:  # warm up
        link_parsed(index, tagger.parse([q]))
    plain, linked, link_only = [], [], []
    for _ in range(args.rounds):
        for q in queries:
            t0 = time.perf_counter()
            parsed = tagger.parse([q])
            t1 = time.perf_counter()
            plain.append((t1 - t0) * 1000)
            t0 = time.perf_counter()
            parsed = tagger.parse([q])
            t1 = time.perf_counter()
            link_parsed(index, parsed)
            t2 = time.perf_counter()
            linked.append((t2 - t0) * 1000)
            link_only.append((t2 - t1) * 1000)
    print(f"model {args.model}, index {index.version}, {len(queries)} queries x {args.rounds} rounds")
    print("| path | p50 ms | p99 ms | mean ms |\n|---|---|---|---|")
    for name, values in (("parse", plain), ("parse + link", linked), ("link only", link_only)):
        print(f"| {name} | {pct(values, 50):.3f} | {pct(values, 99):.3f} | {statistics.fmean(values):.3f} |")
    print(f"\nparse + link / parse, p50: {pct(linked, 50) / pct(plain, 50):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
