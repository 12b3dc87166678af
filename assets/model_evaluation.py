"""One evaluation for every model asset, so CRF, PyTorch and ONNX pages show the same figures.

Each model is scored on the test split (synthetic, with the unseen-brand slice) and, when
annotated queries are configured, on the gold dev rows. Figures become numeric metadata
(``test_f1_micro``, ``gold_f1_BRAND``...) that Dagster plots across materializations, plus
markdown tables for per-type, per-slice, behavioral results and the worst errors.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import dagster as dg

from assets.training_data import Splits
from query_understanding.artifacts import ModelManifest
from query_understanding.evaluation import EvaluationReport, Example, evaluate_tagger, run_behavioral
from query_understanding.evaluation.slices import brand_texts
from query_understanding.evaluation.report import behavioral_table, per_type_table, slice_table, worst_errors_table
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


def flat_metrics(reports: dict[str, EvaluationReport]) -> dict[str, float]:
    """``<set>_<metric>`` for overall, per-type, slice and behavioral figures."""
    out = {}
    for name, report in reports.items():
        for key, value in report.flat_metrics().items():
            out[f"{name}_{key}"] = round(float(value), 5)
    return out


def headline_metadata(metrics: dict[str, float]) -> dict[str, float]:
    """The numbers worth a plot: micro/macro F1 and per-type F1 per evaluation set."""
    keep = ("f1_micro", "f1_macro", "precision_micro", "recall_micro", "f1_BRAND", "f1_COLOR", "f1_TYPE")
    return {k: v for k, v in metrics.items() if k.split("_", 1)[1] in keep}


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


def model_output(path: Path, manifest: ModelManifest, registry_tag: str, reports: dict[str, EvaluationReport], **extra) -> dg.Output[str]:
    """The output every trained-model asset returns: its artifact folder plus lineage and scores.

    The data version is the model id (content hash of files + config), so downstream assets see
    a new version exactly when the model changed.
    """
    metrics = manifest.metrics
    return dg.Output(
        str(path),
        metadata={
            "model_id": manifest.model_id,
            "registry_tag": registry_tag,
            "artifact": dg.MetadataValue.path(str(path)),
            "training_data_version": manifest.data_version,
            "code_version": manifest.code_version,
            "train_examples": int(metrics.get("train_examples", 0)),
            "train_seconds": float(metrics.get("train_seconds", 0.0)),
            **extra,
            **headline_metadata(metrics),
            **evaluation_metadata(reports),
        },
        data_version=dg.DataVersion(manifest.model_id),
    )
