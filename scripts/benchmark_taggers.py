#!/usr/bin/env python
"""Benchmark saved taggers side by side: latency, throughput, size and gold F1.

Trains nothing. ``--models-dir`` (a model store root, ``<dir>/<kind>/<model_id>/``) adds the
newest artifact of each kind by manifest ``created_at`` (for ONNX the newest fp32 and the newest
int8); ``--artifact`` adds specific artifact folders; ``--transformer/--onnx/--crf`` add plain
folders without a manifest (a plain ONNX folder contributes each variant it holds). The first
transformer is also run as the Hugging Face ``pipeline("token-classification")`` baseline.

Every tagger, the pipeline included, is timed by ``query_understanding.benchmark.measure_latency``
(single-query ``parse`` p50/p99, then throughput of ``parse`` on batches of ``--batch-size``) and
scored by ``query_understanding.evaluation.evaluate_tagger`` on ``--gold`` (strict entity F1).
Ratios come from this one run on this machine with the same thread count, so they are comparable
even where absolute numbers drift with machine load (on a busy machine PyTorch with more threads
than free cores stalls far more than the others: use ``--threads 1`` there). From the repo root:

    .venv/bin/python scripts/benchmark_taggers.py --models-dir data/models \\
        --gold ../shared/data/queryner/queryner_dev.jsonl --threads 2 --json-out /tmp/bench.json

(defaults: --queries 200 --rounds 10 --batch-size 64 --warmup 20). Sizes are the bytes of the
files listed in each manifest (of the folder's files for plain folders).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from query_understanding import offline  # noqa: E402
from query_understanding.artifacts import ArtifactError, load_manifest, load_tagger, loader_for  # noqa: E402
from query_understanding.benchmark import measure_latency  # noqa: E402
from query_understanding.evaluation import evaluate_tagger  # noqa: E402
from query_understanding.gold import read_gold  # noqa: E402

ORDER = {("transformer", None): 0, ("onnx", "fp32"): 1, ("onnx", "int8"): 2, ("crf", None): 3}
ONNX_FILES = {"fp32": "model.onnx", "int8": "model.int8.onnx"}


def newest_artifacts(models_dir: Path) -> list[tuple[str, Path, str | None]]:
    """(kind, path, onnx variant) of the newest artifact per kind (per variant for onnx)."""
    best: dict[tuple, tuple[datetime, Path]] = {}
    for manifest_file in sorted(models_dir.glob("*/*/manifest.json")):
        if manifest_file.parent.name.startswith("."):
            continue  # an artifact still being written
        m = load_manifest(manifest_file.parent)
        key = (m.model_kind, m.config.get("variant") if m.model_kind == "onnx" else None)
        created = datetime.fromisoformat(m.created_at)
        if key not in best or created > best[key][0]:
            best[key] = (created, manifest_file.parent)
    return [(kind, path, variant) for (kind, variant), (_, path) in best.items()]


def open_tagger(kind: str, path: Path, variant: str | None, threads: int):
    options = {"transformer": {"device": "cpu"}, "onnx": {"variant": variant, "intra_op_threads": threads}}.get(
        kind, {}
    )
    if (path / "manifest.json").is_file():
        return load_tagger(path, **options)
    return loader_for(kind)(path, **options)  # a bare model folder, no manifest


def size_bytes(path: Path, variant: str | None) -> int:
    try:
        return sum(f["bytes"] for f in load_manifest(path).files)
    except ArtifactError:  # plain folder: its files, minus the other ONNX variant's graph
        skip = {name for v, name in ONNX_FILES.items() if variant and v != variant}
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and p.name not in skip)


class PipelineTagger:
    """The HF pipeline behind ``parse``, so ``measure_latency`` times it like every tagger."""

    def __init__(self, torch_tagger) -> None:
        from transformers import pipeline

        self.pipe = pipeline(
            "token-classification", model=torch_tagger.model, tokenizer=torch_tagger.tokenizer, device=-1
        )

    def parse(self, queries):
        return self.pipe(list(queries), batch_size=len(queries))


def candidates(args) -> list[tuple[str, Path, str | None]]:
    found = newest_artifacts(Path(args.models_dir)) if args.models_dir else []
    for path in map(Path, args.artifact):
        m = load_manifest(path)
        found.append((m.model_kind, path, m.config.get("variant") if m.model_kind == "onnx" else None))
    found += [("transformer", Path(p), None) for p in args.transformer]
    found += [("crf", Path(p), None) for p in args.crf]
    found += [("onnx", Path(p), v) for p in args.onnx for v, f in ONNX_FILES.items() if (Path(p) / f).exists()]
    return sorted(found, key=lambda c: ORDER.get((c[0], c[2]), 9))


def measure(name, tagger, path, variant, examples, queries, args, f1: bool) -> dict:
    latency = measure_latency(
        tagger, queries, n_single=args.queries, batch_size=args.batch_size, n_batches=args.rounds, warmup=args.warmup
    )
    row = {
        "model": name,
        "path": str(path),
        **latency.to_dict(),
        "size_mb": round(size_bytes(path, variant) / 1e6, 2),
        "f1": None,
    }
    if f1:
        overall = evaluate_tagger(tagger, examples, behavioral=False, n_worst=0).overall
        row["f1"] = {
            "micro": overall.micro.f1,
            "macro": overall.macro_f1,
            **{t: c.f1 for t, c in overall.per_type.items()},
        }
    print(f"measured {name}: p50 {latency.p50_ms} ms", file=sys.stderr, flush=True)
    return row


def fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def markdown(rows: list[dict], args) -> str:
    types = next((list(r["f1"]) for r in rows if r["f1"]), ["micro"])
    head = [
        "model",
        "artifact",
        "p50 ms",
        "p99 ms",
        "p50 x vs HF",
        "p50 x vs Torch",
        f"batch-{args.batch_size} q/s",
        "MB",
    ] + [f"F1 {t}" for t in types]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [
            r["model"],
            Path(r["path"]).name,
            fmt(r["p50_ms"], ".2f"),
            fmt(r["p99_ms"], ".2f"),
            fmt(r["p50_speedup_vs_hf"], ".2f"),
            fmt(r["p50_speedup_vs_torch"], ".2f"),
            fmt(r["throughput_qps"], ".0f"),
            fmt(r["size_mb"], ".1f"),
        ]
        cells += [fmt((r["f1"] or {}).get(t), ".4f") for t in types]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    offline.apply()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models-dir", help="model store root: newest artifact of each kind")
    parser.add_argument("--artifact", action="append", default=[], help="artifact folder (repeatable)")
    parser.add_argument("--transformer", action="append", default=[], help="plain save_pretrained folder")
    parser.add_argument("--onnx", action="append", default=[], help="plain ONNX export folder")
    parser.add_argument("--crf", action="append", default=[], help="plain CRFTagger.save folder")
    parser.add_argument("--gold", required=True, help="gold JSONL: timing queries and F1")
    parser.add_argument("--queries", type=int, default=200, help="single-query timings (%(default)s)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=10, help="timed batches (%(default)s)")
    parser.add_argument("--threads", type=int, default=2, help="torch / ORT intra-op threads")
    parser.add_argument("--json-out", help="also write the settings and rows here")
    args = parser.parse_args(argv)
    found = candidates(args)
    if not found:
        parser.error("no models: give --models-dir, --artifact, --transformer, --onnx or --crf")

    examples = read_gold(args.gold)
    queries = [e.text for e in examples]
    rows = []
    for kind, path, variant in found:
        if kind == "transformer":
            import torch

            torch.set_num_threads(args.threads)
        tagger = open_tagger(kind, path, variant, args.threads)
        name = {"transformer": "TorchTagger", "crf": "CRF"}.get(kind, kind)
        if kind == "onnx":
            name = f"ONNX {tagger.variant} ({tagger.provider.replace('ExecutionProvider', '')})"
        if kind == "transformer" and not any(r["model"].startswith("HF") for r in rows):
            rows.append(
                measure("HF pipeline (torch)", PipelineTagger(tagger), path, None, examples, queries, args, f1=False)
            )
        rows.append(measure(name, tagger, path, variant, examples, queries, args, f1=True))

    hf = next((r["p50_ms"] for r in rows if r["model"].startswith("HF")), None)
    torch_p50 = next((r["p50_ms"] for r in rows if r["model"] == "TorchTagger"), None)
    for r in rows:
        r["p50_speedup_vs_hf"] = round(hf / r["p50_ms"], 3) if hf else None
        r["p50_speedup_vs_torch"] = round(torch_p50 / r["p50_ms"], 3) if torch_p50 else None
    print(
        f"\nthreads={args.threads}  single queries={args.queries}  batches={args.rounds}x"
        f"{args.batch_size}  gold={args.gold} ({len(examples)} examples)  "
        "x = p50 speed-up, higher is faster;\nthe HF pipeline runs TorchTagger's weights (F1 not re-scored)\n"
    )
    print(markdown(rows, args))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"settings": vars(args), "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
