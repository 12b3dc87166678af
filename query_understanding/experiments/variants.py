"""Named experiment variants: an overlay on the config dataclasses the model assets train with.

A variant never carries a config of its own: it names the fields of
:class:`~query_understanding.crf.CRFConfig` or
:class:`~query_understanding.transformer.config.TransformerConfig` it changes, plus the training
mix (which sources, how many synthetic rows, whether annotated rows carry QueryNER's 17 types).
The ``default`` variant of each kind is the empty overlay with the mix the main job uses, so a
delta against it is a delta against what ships.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping, TypeVar

from query_understanding.schema import QUERYNER_COLLAPSE

T = TypeVar("T")
MODEL_KINDS = ("crf", "transformer")


@dataclass(frozen=True)
class TrainMix:
    """Which rows a variant learns from (see :mod:`query_understanding.training_rows`)."""

    sources: tuple[str, ...] = ("synthetic", "annotated")
    max_synthetic: int | None = None  # None: every synthetic train row
    full_types: bool = False  # annotated rows carry QueryNER's 17 types (collapsed at decode)


@dataclass(frozen=True)
class Variant:
    name: str
    model_kind: str
    overlay: Mapping[str, Any] = field(default_factory=dict)
    mix: TrainMix = TrainMix()

    def __post_init__(self) -> None:
        if self.model_kind not in MODEL_KINDS:
            raise ValueError(f"model_kind must be one of {MODEL_KINDS}, got {self.model_kind!r}")


def apply_overlay(config: T, overlay: Mapping[str, Any]) -> T:
    """``config`` (a dataclass) with the overlay's fields replaced; an unknown field is an error,
    so a typo in a variant cannot silently train the default."""
    known = {f.name for f in fields(config)}
    unknown = sorted(set(overlay) - known)
    if unknown:
        raise ValueError(f"{type(config).__name__} has no fields {unknown}")
    return replace(config, **overlay)


#: The main job's mixes: both models learn from annotated rows plus a 4,000-row synthetic sample
#: (assets/crf.py, assets/transformer.py). The CRF's default was every synthetic row until the
#: ablation below (``all-synthetic``) lost to the sample; see docs/experiments.md.
CRF_MIX = TrainMix(max_synthetic=4000)
TRANSFORMER_MIX = TrainMix(max_synthetic=4000)
ANNOTATED = ("annotated",)
FULL = {"label_collapse": dict(QUERYNER_COLLAPSE)}


def _variants(*variants: Variant) -> dict[tuple[str, str], Variant]:
    return {(v.model_kind, v.name): v for v in variants}


#: Every lever of issue 10, by (model kind, name).
VARIANTS: dict[tuple[str, str], Variant] = _variants(
    Variant("default", "crf", mix=CRF_MIX),
    Variant("all-synthetic", "crf", mix=TrainMix()),
    Variant("annotated-only", "crf", mix=TrainMix(ANNOTATED)),
    Variant("annotated-c1-0.05-c2-0.01", "crf", {"c1": 0.05, "c2": 0.01}, TrainMix(ANNOTATED)),
    Variant("annotated-c1-0.2-c2-0.05", "crf", {"c1": 0.2, "c2": 0.05}, TrainMix(ANNOTATED)),
    Variant("annotated-c1-0.1-c2-0.2", "crf", {"c1": 0.1, "c2": 0.2}, TrainMix(ANNOTATED)),
    Variant("annotated-train-gazetteer", "crf", {"gazetteer_from_train": ("BRAND",)}, TrainMix(ANNOTATED)),
    Variant("annotated-full-types", "crf", FULL, TrainMix(ANNOTATED, full_types=True)),
    Variant("synthetic-4000-iter-300", "crf", {"max_iterations": 300}, TrainMix(max_synthetic=4000)),
    Variant("synthetic-4000-c2-0.2-iter-300", "crf", {"c2": 0.2, "max_iterations": 300}, TrainMix(max_synthetic=4000)),
    Variant("synthetic-2000-iter-300", "crf", {"max_iterations": 300}, TrainMix(max_synthetic=2000)),
    Variant("annotated-iter-300", "crf", {"max_iterations": 300}, TrainMix(ANNOTATED)),
    Variant("no-clusters", "crf", {"word_clusters": 0}, CRF_MIX),  # the default before the clusters won
    Variant("clusters-64", "crf", {"word_clusters": 64}, CRF_MIX),
    Variant("clusters-256", "crf", {"word_clusters": 256}, CRF_MIX),
    Variant("c1-0.05", "crf", {"c1": 0.05}, CRF_MIX),  # c1/c2 again, now with the clusters
    Variant("c1-0.2", "crf", {"c1": 0.2}, CRF_MIX),
    Variant("c2-0.02", "crf", {"c2": 0.02}, CRF_MIX),
    Variant("c2-0.1", "crf", {"c2": 0.1}, CRF_MIX),
    Variant("synthetic-2000", "crf", mix=TrainMix(max_synthetic=2000)),
    Variant("synthetic-8000", "crf", mix=TrainMix(max_synthetic=8000)),
    Variant("full-types", "crf", FULL, TrainMix(max_synthetic=4000, full_types=True)),
    Variant("default", "transformer", mix=TRANSFORMER_MIX),
    Variant("argmax", "transformer", {"decoding": "argmax"}, TRANSFORMER_MIX),
    Variant("annotated-only", "transformer", mix=TrainMix(ANNOTATED)),
    Variant("synthetic-1000", "transformer", mix=TrainMix(max_synthetic=1000)),
    Variant("annotated-argmax", "transformer", {"decoding": "argmax"}, TrainMix(ANNOTATED)),
    Variant("annotated-epochs-6", "transformer", {"epochs": 6}, TrainMix(ANNOTATED)),
    Variant("annotated-lr-5e-5", "transformer", {"learning_rate": 5e-5}, TrainMix(ANNOTATED)),
    Variant("annotated-lr-2e-4", "transformer", {"learning_rate": 2e-4}, TrainMix(ANNOTATED)),
    Variant("annotated-full-types", "transformer", FULL, TrainMix(ANNOTATED, full_types=True)),
)


def get_variant(model_kind: str, name: str) -> Variant:
    try:
        return VARIANTS[(model_kind, name)]
    except KeyError:
        names = sorted(n for k, n in VARIANTS if k == model_kind)
        raise KeyError(f"no {model_kind} variant {name!r}; known: {names}") from None
