"""One evaluation for every model asset, so CRF, PyTorch and ONNX pages show the same figures.

Each model is scored on the test split (synthetic, with the unseen-brand slice) and, when
annotated queries are configured, on the gold dev rows. The manifest keeps the scores as one
structured record (:func:`~query_understanding.evaluation.scores.model_metrics`); the page shows
numeric metadata rendered from it (``test_f1_micro``, ``gold_f1_BRAND``...) that Dagster plots
across materializations, plus markdown tables for per-type, per-slice, behavioral results and
the worst errors.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import dagster as dg

from pipeline.training_data import Splits
from query_understanding.artifacts import ModelManifest
from query_understanding.evaluation import EvaluationReport, evaluate_tagger, run_behavioral
from query_understanding.evaluation.report import behavioral_table, per_type_table, slice_table, worst_errors_table
from query_understanding.evaluation.scores import metric_keys
from query_understanding.evaluation.slices import brand_texts
from query_understanding.example import Example
from query_understanding.tagger import Tagger

#: Behavioral tests re-tag every example several times; a sample keeps the slow models quick.
BEHAVIORAL_SAMPLE = 1000


def evaluation_sets(splits: Splits) -> dict[str, list[Example]]:
    """``test`` (synthetic, held-out catalog brands flagged) and ``gold`` (annotated dev).

    On gold rows "unseen brand" means a brand text that never occurs as a BRAND in the train
    split (the catalog hold-out flag says little about human-written queries), so their
    ``has_unseen_brand`` flag is dropped and the slice is computed from ``train_brands``.
    """
    sets = {"test": splits.test}
    if splits.gold_dev:
        sets["gold"] = [
            replace(e, flags={k: v for k, v in e.flags.items() if k != "has_unseen_brand"}) for e in splits.gold_dev
        ]
    return sets


def train_brands(splits: Splits) -> set[str]:
    return {brand for e in splits.train for brand in brand_texts(e)}


def evaluate_model(tagger: Tagger, splits: Splits, unseen_brands: list[str]) -> dict[str, EvaluationReport]:
    """Reports per evaluation set; behavioral tests on a sample of the last one (gold if any)."""
    reports = {}
    sets = evaluation_sets(splits)
    seen = train_brands(splits)
    for name, examples in sets.items():
        reports[name] = evaluate_tagger(tagger, examples, train_brands=seen, behavioral=False, n_worst=15)
    last = list(sets)[-1]
    reports[last].behavioral = run_behavioral(tagger, sets[last][:BEHAVIORAL_SAMPLE], unseen_brands)
    return reports


def headline_metadata(metrics: dict) -> dict[str, float]:
    """The numbers worth a plot (micro / macro and per-type P/R/F1 per set), from the manifest's
    structured metrics through :func:`~query_understanding.evaluation.scores.metric_keys`."""
    return {key: value for key, value in metric_keys(metrics).items() if not key.startswith("train_")}


def evaluation_metadata(reports: dict[str, EvaluationReport]) -> dict[str, dg.MetadataValue]:
    """Markdown tables for the asset page."""
    metadata = {}
    for name, report in reports.items():
        metadata[f"{name}_per_type"] = dg.MetadataValue.md(per_type_table(report.overall))
        metadata[f"{name}_slices"] = dg.MetadataValue.md(slice_table(report.slices))
        if report.behavioral:
            metadata[f"{name}_behavioral"] = dg.MetadataValue.md(behavioral_table(report.behavioral))
        if report.worst_errors:
            metadata[f"{name}_worst_errors"] = dg.MetadataValue.md(worst_errors_table(report.worst_errors))
    return metadata


def lineage_metadata(path: Path, manifest: ModelManifest, registry_tag: str) -> dict:
    """Identity and lineage of one registered artifact, as asset metadata."""
    return {
        "registry_tag": registry_tag,
        "model_id": manifest.model_id,
        "artifact": dg.MetadataValue.path(str(path)),
        "training_data_version": manifest.data_version,
        "code_version": manifest.code_version,
        "parent_model_id": manifest.parent_model_id or "none",
    }


def model_output(
    path: Path,
    manifest: ModelManifest,
    registry_tag: str,
    reports: dict[str, EvaluationReport],
    output_name: str = "result",
    **extra,
) -> dg.Output[str]:
    """The output every model asset returns: its registry tag (the model's identity downstream)
    plus lineage and scores; ``output_name`` names the output of a multi-asset.

    The data version is the model id (content hash of files + config), so downstream assets see
    a new version exactly when the model changed.
    """
    metrics = manifest.metrics
    return dg.Output(
        registry_tag,
        output_name=output_name,
        metadata={
            **lineage_metadata(path, manifest, registry_tag),
            "train_examples": int(metrics.get("train_examples", 0)),
            "train_seconds": float(metrics.get("train_seconds", 0.0)),
            **extra,
            **headline_metadata(metrics),
            **evaluation_metadata(reports),
        },
        data_version=dg.DataVersion(manifest.model_id),
    )
