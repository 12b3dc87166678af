#!/usr/bin/env python
"""Which batch caps tag fastest: in-process queries/s of stored models by batch size and by
characters per batch, the numbers ``QU_BATCH_MAX_SIZE`` and ``QU_BATCH_MAX_CHARS`` come from.

A transformer batch is padded to its longest query, so its cost grows with queries x longest
length, not with the count alone; the issue that asked for this measured ONNX 30-40% slower per
query at 128 queries a batch than at 32. This script cuts one stream of queries into batches the
way the service's batcher does (:func:`query_understanding.benchmark.greedy_batches`) under each
pair of caps, times ``parse`` on them, and reports queries/s per arm (median over ``--rounds``,
arms in an order that alternates per round, so load drift hits every arm alike) and each arm's
ratio to the fastest. From the repo root, after the main job::

    .venv/bin/python scripts/benchmark_batch_size.py --gold ../shared/data/queryner/queryner_dev.jsonl

Models load as the service loads them (``load_tagger``, ONNX Runtime's default threads). The
registry defaults to the project's (``QU_REGISTRY_HOME``, else data/registry).

Tags default to the registry's served model and, for a cascade, its members too. Queries are
the gold file's texts (QueryNER dev: a tuning set, never test), shuffled with ``--seed``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from query_understanding.settings import Locations  # noqa: E402

SIZES = [1, 8, 16, 32, 64, 128]  # count caps (characters unlimited)
CHARS = [256, 512, 1024, 2048, 4096, 16384]  # character caps (count up to 512)


def arms() -> list[tuple[str, int, float]]:
    return [(f"size<={n}", n, float("inf")) for n in SIZES] + [(f"chars<={c}", 512, float(c)) for c in CHARS]


def taggers_of(registry_home: Path, tags: list[str]) -> dict[str, object]:
    from model_registry import ModelRegistry
    from query_understanding.artifacts import load_tagger

    registry = ModelRegistry(registry_home)
    tags = tags or [registry.served_tag()]
    loaded = {}
    for tag in tags:
        path, manifest = registry.get(tag)
        loaded[registry.resolve(tag)] = load_tagger(path)
        config = manifest.config or {}
        if manifest.model_kind == "cascade" and len(tags) == 1:  # also time its members
            for kind in ("first", "second"):
                member = registry.find_by_model_id(config[f"{kind}_model_id"])
                if member is not None:
                    loaded[member] = load_tagger(registry.get(member)[0])
    return loaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--registry", type=Path, default=Locations.from_env().registry_home)
    parser.add_argument("--tag", action="append", default=[], help="registry tags (default: the served one)")
    parser.add_argument("--gold", type=Path, default=REPO.parent / "shared/data/queryner/queryner_dev.jsonl")
    parser.add_argument("--queries", type=int, default=2048, help="queries per arm and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)

    from query_understanding import offline
    from query_understanding.benchmark import batched_throughput
    from query_understanding.gold import read_gold

    offline.apply()
    texts = [" ".join(example.tokens) for example in read_gold(args.gold)]
    rng = random.Random(args.seed)
    stream = [rng.choice(texts) for _ in range(args.queries)]
    report: dict = {"queries": len(stream), "rounds": args.rounds, "models": {}}
    for tag, tagger in taggers_of(args.registry, args.tag).items():
        runs: dict[str, list[float]] = {name: [] for name, _, _ in arms()}
        for r in range(args.rounds):
            order = arms() if r % 2 == 0 else arms()[::-1]
            for name, size, chars in order:
                runs[name].append(batched_throughput(tagger, stream, size, chars))
        qps = {name: round(statistics.median(v), 1) for name, v in runs.items()}
        best = max(qps, key=qps.get)
        report["models"][tag] = {
            "qps": qps,
            "fastest": best,
            "ratio_to_fastest": {name: round(v / qps[best], 3) for name, v in qps.items()},
        }
        print(json.dumps({tag: report["models"][tag]}), file=sys.stderr, flush=True)
    print(json.dumps(report, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
