"""Train one variant at one seed and score it on gold dev the way the model assets do.

The configs are the ones the assets build (:class:`CRFConfig`, :class:`TransformerConfig`
defaults, overlaid by the variant); the score is :func:`evaluate_tagger` on QueryNER dev plus the
behavioral suite on the same rows, summarized by
:func:`~query_understanding.evaluation.scores.summarize`. A transformer can be re-decoded
without retraining (``also_decode``): same weights, a different decoder, one more row.
"""

from __future__ import annotations

import time
from dataclasses import asdict, replace
from typing import Any, Sequence

from query_understanding.artifacts import code_version
from query_understanding.crf import CRFConfig, train_crf
from query_understanding.evaluation import evaluate_tagger, run_behavioral
from query_understanding.evaluation.behavioral import unseen_brand_pool
from query_understanding.evaluation.scores import summarize
from query_understanding.evaluation.slices import brand_texts
from query_understanding.example import Example
from query_understanding.experiments.data import ExperimentData
from query_understanding.experiments.results import result_row
from query_understanding.experiments.variants import Variant, apply_overlay
from query_understanding.gazetteer import Gazetteer
from query_understanding.tagger import Tagger

#: Behavioral tests re-tag every row several times; the same cap the model assets use.
BEHAVIORAL_SAMPLE = 1000


def score(tagger: Tagger, dev: Sequence[Example], train: Sequence[Example], catalog_brands: Sequence[str]) -> dict:
    """The evaluation summary of ``tagger`` on gold dev (slices, behavioral tests included)."""
    seen = {b for e in train for b in brand_texts(e)}
    report = evaluate_tagger(tagger, dev, train_brands=seen, behavioral=False, n_worst=0)
    report.behavioral = run_behavioral(tagger, list(dev)[:BEHAVIORAL_SAMPLE], unseen_brand_pool(catalog_brands, train))
    return summarize(report)


def crf_config(variant: Variant, seed: int) -> CRFConfig:
    """The CRF config of a variant. L-BFGS is deterministic: the seed only picks the word
    clusters' k-means seed, for variants that use them."""
    config = apply_overlay(CRFConfig(), variant.overlay)
    return config.replace(cluster_seed=seed) if config.word_clusters else config


def transformer_config(variant: Variant, seed: int):
    from query_understanding.transformer.config import TransformerConfig

    return apply_overlay(TransformerConfig(seed=seed), variant.overlay)


def _print_epoch(record: dict) -> None:
    print(
        f"  epoch {record['epoch']}: loss {record['train_loss']:.4f} dev F1 {record.get('dev_f1', 0):.4f}"
        f" {record['seconds']:.0f} s",
        flush=True,
    )


def run_variant(
    variant: Variant,
    seed: int,
    data: ExperimentData,
    gazetteer: Gazetteer | None = None,
    also_decode: Sequence[str] = (),
    threads: int | None = None,
) -> list[dict[str, Any]]:
    """Result rows of ``variant`` trained at ``seed`` (one, plus one per extra decoding)."""
    mix = variant.mix
    train = data.training_rows(mix.sources, mix.max_synthetic, mix.full_types)
    # Brand slices and the brand-swap pool read project tags: the same rows before relabelling.
    seen_rows = data.training_rows(mix.sources, mix.max_synthetic, False) if mix.full_types else train
    version = code_version()
    common = {"n_train": len(train), "code_version": version}
    mix_dict = {"train_sources": list(mix.sources), "max_synthetic": mix.max_synthetic, "full_types": mix.full_types}
    if variant.model_kind == "crf":
        config = crf_config(variant, seed)
        tagger = train_crf(train, config, gazetteer)
        summary = score(tagger, data.dev, seen_rows, data.catalog_brands)
        record = {**config.to_dict(), **mix_dict}
        return [result_row(variant.name, "crf", record, seed, summary, train_seconds=tagger.train_seconds, **common)]

    import torch

    from query_understanding.transformer.torch_tagger import TorchTagger
    from query_understanding.transformer.training import fine_tune

    if threads:
        torch.set_num_threads(threads)
    config = transformer_config(variant, seed)
    started = time.perf_counter()
    model, tokenizer, history = fine_tune(train, data.dev, config, progress=_print_epoch)
    seconds = time.perf_counter() - started
    rows = []
    for name, decoding in [(variant.name, config.decoding), *((f"{variant.name}+{d}", d) for d in also_decode)]:
        settings = replace(config, decoding=decoding)
        tagger = TorchTagger(model, tokenizer, max_length=settings.max_length, decoder=settings.decoder())
        summary = score(tagger, data.dev, seen_rows, data.catalog_brands)
        record = {**asdict(settings), "base_model": None, **mix_dict}
        rows.append(
            result_row(
                name,
                "transformer",
                record,
                seed,
                summary,
                train_seconds=seconds,
                best_epoch=history.best_epoch,
                **common,
            )
        )
    return rows
