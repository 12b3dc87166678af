#!/usr/bin/env python
"""Benchmark saved taggers side by side: latency, throughput, size and (optionally) F1.

Trains nothing. Give it the folders you have: a ``save_pretrained`` transformer (benchmarked as
the Hugging Face ``pipeline("token-classification")`` baseline and as :class:`TorchTagger`),
an ONNX export folder (fp32 and int8), and a CRF folder. Every number in the table comes from
this one run on this machine with the same thread count, so the ratios are comparable even
where the absolute numbers drift with machine load.

    .venv/bin/python scripts/benchmark_taggers.py --transformer /tmp/m --onnx /tmp/m_onnx \\
        --crf /tmp/crf --gold ../shared/data/queryner/queryner_dev.jsonl --threads 2

Single-query latency is measured through ``parse([query])`` (what one service request does);
throughput through ``predict_tags`` on batches of ``--batch-size`` queries.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import query_understanding.offline  # noqa: E402,F401


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def folder_mb(paths: list[Path]) -> float:
    return sum(p.stat().st_size for p in paths if p.is_file()) / 1e6


def time_single(fn, queries: list[str], warmup: int) -> list[float]:
    for q in queries[:warmup]:
        fn(q)
    times = []
    for q in queries:
        start = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - start) * 1000)
    return times


def time_batches(fn, token_lists: list[list[str]], batch_size: int, rounds: int) -> float:
    """Queries per second over ``rounds`` batches (one warm-up batch first)."""
    batches = [token_lists[i : i + batch_size] for i in range(0, len(token_lists), batch_size)]
    batches = [b for b in batches if len(b) == batch_size] or batches
    fn(batches[0])
    done, start = 0, time.perf_counter()
    for i in range(rounds):
        batch = batches[i % len(batches)]
        fn(batch)
        done += len(batch)
    return done / (time.perf_counter() - start)


def load_candidates(args) -> list[tuple]:
    """(name, single-query fn, batch fn, model MB, tagger or None) per model folder given.

    Lambdas bind their tagger as a default argument: ``tagger`` is reassigned below, and a
    plain closure would time the last model loaded instead.
    """
    candidates = []
    if args.transformer:
        import torch
        from transformers import pipeline

        from query_understanding.transformer import load_transformer_tagger

        torch.set_num_threads(args.threads)
        tagger = load_transformer_tagger(args.transformer, device="cpu")
        folder = Path(args.transformer)
        size = folder_mb(list(folder.glob("*.safetensors")) + list(folder.glob("*.bin")))
        pipe = pipeline("token-classification", model=tagger.model, tokenizer=tagger.tokenizer,
                        device=-1)
        candidates.append(("hf pipeline (torch)", lambda q: pipe(q),
                           lambda b: pipe([" ".join(t) for t in b], batch_size=len(b)), size, None))
        candidates.append(("TorchTagger", lambda q, t=tagger: t.parse([q]), tagger.predict_tags,
                           size, tagger))
    if args.onnx:
        from query_understanding.transformer.onnx_tagger import ONNX_FILES, OnnxTagger

        for variant in ("fp32", "int8"):
            path = Path(args.onnx) / ONNX_FILES[variant]
            if not path.exists():
                continue
            tagger = OnnxTagger.from_dir(args.onnx, variant, intra_op_threads=args.threads)
            candidates.append((f"ONNX {variant} ({tagger.provider.replace('ExecutionProvider', '')})",
                               lambda q, t=tagger: t.parse([q]), tagger.predict_tags,
                               folder_mb([path]), tagger))
    if args.crf:
        folder = Path(args.crf)
        if (folder / "manifest.json").exists():
            from query_understanding.artifacts import load_tagger

            tagger = load_tagger(folder)
        else:
            from query_understanding.crf.tagger import CRFTagger

            tagger = CRFTagger.load(folder)
        size = folder_mb([p for p in folder.iterdir() if p.name != "manifest.json"])
        candidates.append(("CRF", lambda q, t=tagger: t.parse([q]), tagger.predict_tags, size, tagger))
    return candidates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transformer", help="save_pretrained folder (HF pipeline + TorchTagger)")
    parser.add_argument("--onnx", help="ONNX export folder (model.onnx / model.int8.onnx)")
    parser.add_argument("--crf", help="CRF folder (CRFTagger.save or a crf artifact)")
    parser.add_argument("--gold", help="JSONL {tokens, tags}: queries for timing and F1")
    parser.add_argument("--queries", type=int, default=200, help="single-query timings (%(default)s)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=10, help="timed batches (%(default)s)")
    parser.add_argument("--threads", type=int, default=2, help="torch / ORT intra-op threads")
    parser.add_argument("--json-out", help="also write the results here")
    args = parser.parse_args(argv)
    if not (args.transformer or args.onnx or args.crf):
        parser.error("give at least one of --transformer, --onnx, --crf")

    if args.gold:
        from query_understanding.transformer.data import read_jsonl

        gold = read_jsonl(args.gold)
    else:
        from query_understanding.transformer.tiny import synthetic_examples

        gold = synthetic_examples(max(args.queries, args.batch_size * 2), seed=5)
    token_lists = [list(e["tokens"]) for e in gold if e["tokens"]]
    queries = [" ".join(t) for t in token_lists]
    single = (queries * (args.queries // max(1, len(queries)) + 1))[: args.queries]

    rows = []
    for name, one, batch, size, tagger in load_candidates(args):
        times = time_single(one, single, args.warmup)
        qps = time_batches(batch, token_lists, args.batch_size, args.rounds)
        row = {"model": name, "p50_ms": statistics.median(times), "p99_ms": percentile(times, 99),
               f"batch{args.batch_size}_qps": qps, "size_mb": size, "f1": None}
        if args.gold and tagger is not None:
            from seqeval.metrics import f1_score
            from seqeval.scheme import IOB2

            predicted = tagger.predict_tags([e["tokens"] for e in gold])
            row["f1"] = f1_score([e["tags"] for e in gold], predicted, mode="strict", scheme=IOB2)
        rows.append(row)
        print(f"measured {name}", file=sys.stderr, flush=True)

    reference = next((r for r in rows if r["model"] == "TorchTagger"), rows[0])
    qps_key = f"batch{args.batch_size}_qps"
    print(f"\nthreads={args.threads}  single queries={len(single)}  batch={args.batch_size}  "
          f"reference for ratios: {reference['model']}\n")
    header = (f"{'model':<28} {'p50 ms':>8} {'p99 ms':>8} {'x p50':>7} {qps_key:>13} "
              f"{'x qps':>7} {'MB':>7} {'F1':>7}")
    print(header)
    print("-" * len(header))
    for r in rows:
        r["p50_speedup"] = reference["p50_ms"] / r["p50_ms"]
        r["qps_ratio"] = r[qps_key] / reference[qps_key]
        f1 = "-" if r["f1"] is None else f"{r['f1']:.4f}"
        print(f"{r['model']:<28} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['p50_speedup']:>6.2f}x "
              f"{r[qps_key]:>13.0f} {r['qps_ratio']:>6.2f}x {r['size_mb']:>7.1f} {f1:>7}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"args": vars(args), "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
