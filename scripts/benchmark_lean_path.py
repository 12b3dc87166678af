#!/usr/bin/env python
"""A/B of service configurations: keep-alive single-client p50 and 16-client throughput, alternated.

Start one server per configuration (same registry, different ports), then::

    .venv/bin/python scripts/benchmark_lean_path.py --arm old=http://127.0.0.1:3001 \\
        --arm lean=http://127.0.0.1:3002 --rounds 5 --seconds 4

The old request path is ``QU_ACCESS_LOG=on QU_TRACE_PARSE=on QU_HEAD_CACHE=off``; the lean one
is the default (add ``QU_HEAD_CACHE=off`` to measure the request path alone). Each round measures
every arm once, in an order that alternates from round to round, with
:func:`scripts.load_test.run` (a single client sending back to back, then ``--clients``
clients), so slow drifts of a shared, noisy machine hit every arm alike. Reported: per arm the
median over rounds, and per arm the median of the per-round ratios to the first arm (the
baseline). Only loopback URLs are accepted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_test import LOOPBACK, make_queries, run  # noqa: E402


def measure(url: str, seconds: float, clients: int, queries: list[str]) -> dict:
    single = run(url, seconds, 1, 1, 0.5, 10.0, queries)
    loaded = run(url, seconds, clients, 1, 0.5, 10.0, queries)
    return {
        "single_p50_ms": single["latency_ms"]["p50"],
        "single_rps": single["requests_per_s"],
        f"rps_{clients}_clients": loaded["requests_per_s"],
        f"p50_ms_{clients}_clients": loaded["latency_ms"]["p50"],
        "errors": sum(single["errors"].values()) + sum(loaded["errors"].values()),
    }


def benchmark(arms: dict[str, str], rounds: int, seconds: float, clients: int, queries: list[str]) -> dict:
    names = list(arms)
    per_round: list[dict[str, dict]] = []
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        per_round.append({name: measure(arms[name], seconds, clients, queries) for name in order})
        print(f"round {r + 1}: {json.dumps(per_round[-1])}", file=sys.stderr)
    keys = [k for k in per_round[0][names[0]] if k != "errors"]
    medians = {n: {k: statistics.median(rd[n][k] for rd in per_round) for k in keys} for n in names}
    base = names[0]
    ratios = {
        n: {k: round(statistics.median(rd[n][k] / rd[base][k] for rd in per_round), 3) for k in keys} for n in names[1:]
    }
    errors = {n: sum(rd[n]["errors"] for rd in per_round) for n in names}
    return {
        "rounds": rounds,
        "seconds": seconds,
        "clients": clients,
        "medians": medians,
        "ratios_to_" + base: ratios,
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--arm", action="append", required=True, help="NAME=URL (two or more; the first is the baseline)"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0, help="measured seconds per arm and load (default 4)")
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args(argv)
    arms = dict(a.split("=", 1) for a in args.arm)
    if len(arms) < 2:
        parser.error("give at least two --arm NAME=URL")
    for url in arms.values():
        if urlsplit(url).hostname not in LOOPBACK:
            parser.error(f"refusing to load-test {url!r}: only 127.0.0.1 / localhost is allowed")
    print(json.dumps(benchmark(arms, args.rounds, args.seconds, args.clients, make_queries()), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
