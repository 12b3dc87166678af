#!/usr/bin/env python
"""The confidence cascade on real queries: micro F1, share routed and speed against its members.

Trains (once, cached under ``--models``) a CRF and a MiniLM transformer on QueryNER train, the
way the experiment harness's ``annotated-only`` variants do, exports the transformer to ONNX
(fp32 and int8), then scores on QueryNER dev: the CRF alone, the ONNX transformer alone, and the
cascade with its threshold cross-fitted over two halves of dev
(:mod:`query_understanding.experiments.cascade`), and times all three in process. From the
repo root:

    .venv/bin/python scripts/cascade_curve.py --seeds 13 14 15 --variant int8

Dev is scored and, as in the main job, used for the transformer's early stopping and the
threshold; the official QueryNER test split is never read.
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

from query_understanding.artifacts import load_tagger, save_tagger  # noqa: E402
from query_understanding.cascade import DEFAULT_MAX_F1_DROP  # noqa: E402
from query_understanding.experiments.data import load_queryner  # noqa: E402

DEFAULT_QUERYNER = REPO.parent / "shared" / "data" / "queryner"


def trained_members(train, dev, seed: int, models: Path, variant: str) -> tuple[Path, Path]:
    """(CRF artifact, ONNX artifact) trained at ``seed``; reused when already under ``models``."""
    import tempfile

    from query_understanding.catalog import load_catalog_from_csv
    from query_understanding.crf import CRFConfig, train_crf
    from query_understanding.gazetteer import Gazetteer

    crf_dir, onnx_dir = models / "crf", models / f"onnx-{variant}-seed{seed}"
    if not (crf_dir / "manifest.json").is_file():
        gazetteer = Gazetteer.from_catalog(load_catalog_from_csv(REPO / "dbt" / "seeds"))
        path, _ = save_tagger(train_crf(train, CRFConfig(), gazetteer), models / "tmp")
        path.rename(crf_dir)
    if not (onnx_dir / "manifest.json").is_file():
        from query_understanding.transformer.config import TransformerConfig
        from query_understanding.transformer.export import export_onnx
        from query_understanding.transformer.onnx_tagger import OnnxTagger
        from query_understanding.transformer.training import fine_tune

        config = TransformerConfig(seed=seed)
        model, tokenizer, history = fine_tune(train, dev, config, progress=lambda r: print(f"  epoch {r}", flush=True))
        with tempfile.TemporaryDirectory() as tmp:
            export_onnx(model, tokenizer, tmp, max_length=config.max_length, decoder=config.decoder())
            path, _ = save_tagger(OnnxTagger.from_dir(tmp, variant), models / "tmp")
        path.rename(onnx_dir)
    return crf_dir, onnx_dir


def main(argv: list[str] | None = None) -> int:
    from query_understanding.cascade import CascadeTagger
    from query_understanding.evaluation.metrics import entity_metrics
    from query_understanding.experiments.cascade import cross_fitted, throughput
    from query_understanding.experiments.results import mean_sd

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queryner", type=Path, default=DEFAULT_QUERYNER)
    parser.add_argument("--seeds", type=int, nargs="+", default=[13])
    parser.add_argument("--variant", choices=["int8", "fp32"], default="int8")
    parser.add_argument("--max-f1-drop", type=float, default=DEFAULT_MAX_F1_DROP)
    parser.add_argument("--models", type=Path, default=REPO / "data" / "experiments" / "cascade")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "cascade.jsonl")
    args = parser.parse_args(argv)
    if not (args.queryner / "queryner_train.jsonl").is_file():
        parser.error(f"{args.queryner} holds no queryner_train.jsonl (pass --queryner)")
    train, dev, _ = load_queryner(args.queryner)
    args.models.mkdir(parents=True, exist_ok=True)
    rows = []
    for seed in args.seeds:
        crf_dir, onnx_dir = trained_members(train, dev, seed, args.models, args.variant)
        crf, onnx = load_tagger(crf_dir), load_tagger(onnx_dir)
        result = cross_fitted(dev, crf, onnx, seed, args.max_f1_drop)
        gold = [e.tags for e in dev]
        alone = {
            name: entity_metrics(gold, tagger.predict_tags([e.tokens for e in dev])).micro.f1
            for name, tagger in (("crf", crf), ("transformer", onnx))
        }
        speed = throughput(
            {"crf": crf, "transformer": onnx, "cascade": CascadeTagger(crf, onnx, result.threshold_all_dev)},
            [e.text for e in dev],
        )
        row = {
            "seed": seed,
            "variant": args.variant,
            "max_f1_drop": args.max_f1_drop,
            "crf_f1": round(alone["crf"], 4),
            "transformer_f1": round(alone["transformer"], 4),
            "cascade_f1": round(result.micro_f1, 4),
            "cascade_per_type_f1": {t: round(v, 4) for t, v in result.per_type_f1.items()},
            "share_routed": round(result.share_routed, 4),
            "thresholds_cross_fitted": [round(t, 4) for t in result.thresholds],
            "threshold_all_dev": round(result.threshold_all_dev, 4),
            "share_routed_all_dev": round(result.share_routed_all_dev, 4),
            "qps": speed,
            "qps_ratio_cascade_vs_transformer": round(speed["cascade"] / speed["transformer"], 2),
        }
        print(json.dumps(row), flush=True)
        rows.append(row)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    for key in ("crf_f1", "transformer_f1", "cascade_f1", "share_routed", "qps_ratio_cascade_vs_transformer"):
        mean, sd = mean_sd([r[key] for r in rows])
        print(f"{key}: {mean:.4f} ± {sd:.4f} (n={len(rows)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
