#!/usr/bin/env python
"""Headline load figures with a C load generator (``wrk``), service configurations alternated.

Start one server per configuration (same registry, different ports), then::

    .venv/bin/python scripts/wrk_load.py --arm wave1=http://127.0.0.1:3001 \\
        --arm default=http://127.0.0.1:3002 --seconds 60 --clients 32 --rounds 1

Why wrk: a Python client on a 2-core machine eats the CPU the server needs and measures itself;
wrk's event loop costs a small fraction of a core. Each request is one query
(``{"query": ...}``) drawn in turn from 500 synthetic queries (so a head-query cache does not
answer everything), over ``--clients`` keep-alive connections. Arms run one after another, in an
order that alternates per round; reported per arm: requests/s, p50/p99 latency, non-2xx
responses and socket errors, and each arm's requests/s ratio to the first arm. Install wrk with
``apt-get install wrk``. Only loopback URLs are accepted.

``--in-process`` also times, in this process, what a server does with one query besides HTTP:
the served model set loaded as the service loads it (same registry, ``BENTOML_HOME``, and
``QU_*`` settings) tags and links each of the same queries alone (``tag_items``, no head cache);
the report then gives each arm's p50 minus that in-process p50, the HTTP overhead a keep-alive
client pays (run it with ``--clients 1``).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_test import LOOPBACK, make_queries  # noqa: E402

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def lua_script(queries: list[str]) -> str:
    """A wrk script that POSTs one query per request, cycling through ``queries``."""
    quoted = ",\n".join(json.dumps(json.dumps({"query": q})) for q in queries)
    return (
        f"local bodies = {{\n{quoted}\n}}\n"
        "local i = 0\n"
        'local headers = {["Content-Type"] = "application/json"}\n'
        "request = function()\n"
        "  i = i + 1\n"
        '  return wrk.format("POST", "/parse", headers, bodies[(i % #bodies) + 1])\n'
        "end\n"
    )


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def parse_wrk(output: str) -> dict:
    """Requests/s, latency percentiles (ms), non-2xx responses and socket errors of wrk's report."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    percentiles = {f"p{p}_ms": milliseconds(v) for p, v in re.findall(r"^\s+(\d+)%\s+(\S+)$", output, re.M)}
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    total = re.search(r"(\d+) requests in", output)
    return {
        "requests_per_s": rps,
        "requests": int(total.group(1)) if total else None,
        **percentiles,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(int(x) for x in socket.groups()) if socket else 0,
    }


def run_wrk(url: str, seconds: int, clients: int, threads: int, script: Path) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", str(script), url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True)
    return parse_wrk(done.stdout)


def in_process_p50_ms(queries: list[str], passes: int = 3) -> dict:
    """p50 (ms) of tagging and linking one query at a time with the served model set."""
    import statistics
    import time

    from bentos.config import ServeSettings
    from bentos.model_pool import load_model_set, tag_items
    from model_registry import ModelRegistry

    model_set = load_model_set(ModelRegistry.from_bentoml_config(), ServeSettings.from_env(), None, [])
    items = [{"tag": model_set.served_tag, "query": q} for q in queries]
    for item in items[:50]:  # warm-up
        tag_items(model_set, [item])
    timings = []
    for _ in range(passes):
        for item in items:
            started = time.perf_counter()
            tag_items(model_set, [item])
            timings.append((time.perf_counter() - started) * 1000)
    return {"served_tag": model_set.served_tag, "queries": len(timings), "p50_ms": round(statistics.median(timings), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--arm", action="append", required=True, help="NAME=URL (the first is the baseline)")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (1 leaves the cores to the server)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--in-process", action="store_true", help="also time the served model set in process")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")
    arms = dict(a.split("=", 1) for a in args.arm)
    for url in arms.values():
        if urlsplit(url).hostname not in LOOPBACK:
            parser.error(f"{url}: only loopback URLs")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "parse.lua"
        script.write_text(lua_script(make_queries()))
        rounds = []
        for r in range(args.rounds):
            order = list(arms) if r % 2 == 0 else list(arms)[::-1]
            rounds.append(
                {name: run_wrk(arms[name], args.seconds, args.clients, args.threads, script) for name in order}
            )
            print(json.dumps({"round": r + 1, **rounds[-1]}), file=sys.stderr, flush=True)
    base = next(iter(arms))
    report = {"seconds": args.seconds, "clients": args.clients, "rounds": rounds}
    report["rps_ratio_to_" + base] = {
        name: [round(rd[name]["requests_per_s"] / rd[base]["requests_per_s"], 3) for rd in rounds] for name in arms
    }
    if args.in_process:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        report["in_process"] = in_process = in_process_p50_ms(make_queries())
        report["p50_minus_in_process_ms"] = {
            name: [round(rd[name]["p50_ms"] - in_process["p50_ms"], 3) for rd in rounds] for name in arms
        }
    print(json.dumps(report, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
