#!/usr/bin/env python
"""Bounded load test of the query-understanding service (POST /parse), local only.

    .venv/bin/python scripts/load_test.py --url http://127.0.0.1:3000 --duration 20 --concurrency 16

Each of ``--concurrency`` threads keeps one HTTP keep-alive session and sends requests back
to back until ``--duration`` seconds have passed (after ``--warmup`` seconds that are not
counted). Reports requests/s, queries/s, latency percentiles and errors (non-200 status codes
and exceptions, by kind). Only loopback URLs are accepted. Note that the client runs on the
same machine as the server: on a small machine it competes with the server for CPU, so the
figures are a lower bound of what the server can do.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

import requests

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
BRANDS = ["nike", "adidas", "prada", "gucci", "levis", "the north face", "zara", "puma", "ray ban"]
COLORS = ["red", "blue", "black", "white", "navy blue", "green", "pink", "beige"]
TYPES = ["shoes", "running shoes", "jacket", "dress", "jeans", "t-shirt", "sneakers", "backpack"]
PATTERNS = ["{c} {t} by {b}", "{b} {c} {t}", "{b} {t}", "{c} {t}", "cheap {t} for men", "{t} from {b} in {c}"]


def make_queries(n: int = 500, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [
        rng.choice(PATTERNS).format(b=rng.choice(BRANDS), c=rng.choice(COLORS), t=rng.choice(TYPES)) for _ in range(n)
    ]


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, int(round(q / 100 * (len(sorted_values) - 1)))))
    return sorted_values[k]


def run(
    url: str, duration: float, concurrency: int, batch: int, warmup: float, timeout: float, queries: list[str]
) -> dict:
    endpoint = url.rstrip("/") + "/parse"
    start = time.monotonic()
    measure_from = start + warmup
    stop_at = measure_from + duration
    lock = threading.Lock()
    latencies: list[float] = []
    errors: Counter = Counter()
    model_tags: Counter = Counter()
    sent = [0]

    def worker(index: int) -> None:
        rng = random.Random(index)
        session = requests.Session()
        local_lat, local_err, local_tags = [], Counter(), Counter()
        while True:
            now = time.monotonic()
            if now >= stop_at:
                break
            payload = (
                {"queries": [rng.choice(queries) for _ in range(batch)]}
                if batch > 1
                else {"query": rng.choice(queries)}
            )
            t0 = time.perf_counter()
            try:
                response = session.post(endpoint, json=payload, timeout=timeout)
                elapsed = (time.perf_counter() - t0) * 1000
                ok = response.status_code == 200
                kind = None if ok else f"HTTP {response.status_code}"
                tag = response.json().get("model_tag") if ok else None
            except requests.RequestException as exc:
                elapsed, kind, tag = (time.perf_counter() - t0) * 1000, type(exc).__name__, None
            if now >= measure_from:
                if kind is None:
                    local_lat.append(elapsed)
                    local_tags[tag] += 1
                else:
                    local_err[kind] += 1
        session.close()
        with lock:
            latencies.extend(local_lat)
            errors.update(local_err)
            model_tags.update(local_tags)
            sent[0] += len(local_lat) + sum(local_err.values())

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + warmup + timeout + 30)
    measured = max(1e-9, min(time.monotonic(), stop_at + timeout) - measure_from)
    latencies.sort()
    ok = len(latencies)
    return {
        "url": endpoint,
        "duration_s": round(measured, 2),
        "concurrency": concurrency,
        "queries_per_request": batch,
        "requests": sent[0],
        "ok": ok,
        "errors": dict(errors),
        "error_rate": round(sum(errors.values()) / sent[0], 4) if sent[0] else 0.0,
        "requests_per_s": round(ok / measured, 1),
        "queries_per_s": round(ok * batch / measured, 1),
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 2),
            "p90": round(percentile(latencies, 90), 2),
            "p99": round(percentile(latencies, 99), 2),
            "max": round(latencies[-1], 2) if latencies else None,
            "mean": round(sum(latencies) / ok, 2) if ok else None,
        },
        "model_tags": dict(model_tags),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:3000", help="service base URL (loopback only)")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds (default 60)")
    parser.add_argument("--concurrency", type=int, default=32, help="client threads (default 32)")
    parser.add_argument("--batch", type=int, default=1, help="queries per request (default 1)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first (default 2)")
    parser.add_argument("--timeout", type=float, default=10.0, help="per-request timeout in seconds")
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    args = parser.parse_args(argv)

    host = urlsplit(args.url).hostname
    if host not in LOOPBACK:
        parser.error(f"refusing to load-test {host!r}: only 127.0.0.1 / localhost is allowed")
    if not (0 < args.duration <= 3600 and 1 <= args.concurrency <= 512 and 1 <= args.batch <= 1024):
        parser.error("duration must be in (0, 3600], concurrency in [1, 512], batch in [1, 1024]")
    try:
        requests.get(args.url.rstrip("/") + "/readyz", timeout=5).raise_for_status()
    except requests.RequestException as exc:
        print(f"service at {args.url} is not ready: {exc}", file=sys.stderr)
        return 2

    result = run(args.url, args.duration, args.concurrency, args.batch, args.warmup, args.timeout, make_queries())
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        lat = result["latency_ms"]
        print(
            f"{result['url']}: {result['concurrency']} clients x {result['duration_s']} s, "
            f"{result['queries_per_request']} queries/request"
        )
        print(
            f"  requests {result['requests']}  ok {result['ok']}  errors {result['errors'] or 0} "
            f"({result['error_rate']:.2%})"
        )
        print(f"  {result['requests_per_s']} requests/s  {result['queries_per_s']} queries/s")
        print(f"  latency ms: p50 {lat['p50']}  p90 {lat['p90']}  p99 {lat['p99']}  max {lat['max']}")
        print(f"  model tags: {result['model_tags']}")
    return 0 if result["ok"] and not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
