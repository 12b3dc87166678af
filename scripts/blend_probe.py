#!/usr/bin/env python
"""How much a blend of the CRF's marginals and the transformer's probabilities gains on gold.

Trains nothing: loads a saved CRF and a saved transformer (ONNX or PyTorch artifact folders,
hashes checked), computes both models' per-word label probabilities on ``--gold`` once, then
scores the blend (:mod:`query_understanding.blending`) at each ``--weights`` value. Because a
weight picked on the rows it is scored on flatters them, it also reports a two-fold estimate:
the weight chosen on one half of the rows (alternate rows) scored on the other, and back.
From the repo root, with a fresh main job's models::

    .venv/bin/python scripts/blend_probe.py --crf data/models/crf/<id> --transformer data/models/onnx/<id> \\
        --gold ../shared/data/queryner/queryner_dev.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from query_understanding import offline  # noqa: E402
from query_understanding.artifacts import load_tagger  # noqa: E402
from query_understanding.blending import best_weight, blend_counts  # noqa: E402
from query_understanding.gold import read_gold  # noqa: E402

DEFAULT_WEIGHTS = [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crf", required=True, help="CRF artifact folder")
    parser.add_argument("--transformer", required=True, help="ONNX or transformer artifact folder")
    parser.add_argument("--gold", required=True, help="gold JSONL (QueryNER conventions)")
    parser.add_argument("--weights", type=float, nargs="+", default=DEFAULT_WEIGHTS, help="transformer shares")
    args = parser.parse_args(argv)
    offline.apply()
    gold_rows = read_gold(Path(args.gold))
    tokens = [list(e.tokens) for e in gold_rows]
    gold = [list(e.tags) for e in gold_rows]
    crf, transformer = load_tagger(args.crf), load_tagger(args.transformer)
    crf_probs, transformer_probs = crf.predict_label_probs(tokens), transformer.predict_label_probs(tokens)
    curve = {}
    for weight in args.weights:
        counts = blend_counts(gold, crf_probs, transformer_probs, weight)
        curve[weight] = {
            "f1": round(counts.f1, 4),
            "precision": round(counts.precision, 4),
            "recall": round(counts.recall, 4),
        }

    def half(start: int) -> tuple[list, list, list]:
        """(gold, CRF, transformer) of every other row from ``start``."""
        return gold[start::2], crf_probs[start::2], transformer_probs[start::2]

    held_out = []
    for fit, score in ((half(0), half(1)), (half(1), half(0))):
        weight, _ = best_weight(*fit, args.weights)
        counts, alone = blend_counts(*score, weight), blend_counts(*score, 1.0)
        held_out.append({"weight": weight, "blend_f1": round(counts.f1, 4), "transformer_f1": round(alone.f1, 4)})
    print(
        json.dumps(
            {"rows": len(gold), "crf": args.crf, "transformer": args.transformer, "curve": curve, "held_out": held_out},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
