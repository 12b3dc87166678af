"""The confidence cascade as a candidate: the CRF answers, the ONNX transformer re-tags its doubts.

The threshold is chosen on the tuning dev rows (gold dev when configured) by
:func:`~query_understanding.cascade.choose_threshold`: the fewest queries routed that keep micro
F1 within ``max_f1_drop`` of the transformer alone. The cascade is then scored, saved (both
members inside its artifact), registered and compared like every other model, so the champion
rule can pick it and lineage covers it (``parent_model_id`` is the second member).
"""

import dagster as dg
from pydantic import Field

from assets.dbt_models import SPLIT_ASSET_KEYS
from pipeline.catalog_tables import load_catalog
from pipeline.model_evaluation import evaluate_model, model_output
from pipeline.training_data import load_splits, unseen_brands
from pipeline.ui import OWNERS
from query_understanding.artifacts import code_version, save_tagger
from query_understanding.cascade import DEFAULT_MAX_F1_DROP, CascadeTagger, choose_threshold, curve_points
from query_understanding.evaluation.scores import model_metrics
from query_understanding.markdown import markdown_table
from resources import ModelStore, Warehouse


class CascadeConfig(dg.Config):
    """How the cascade's second tagger and threshold are chosen."""

    second: str = Field(
        default="auto",
        description="ONNX graph answering the CRF's doubts: int8, fp32, or auto (int8 when its quantization gate "
        "passed, else fp32).",
    )
    max_f1_drop: float = Field(
        default=DEFAULT_MAX_F1_DROP,
        description="Most micro F1 (absolute) the cascade may lose against its second on the tuning dev rows the "
        "threshold is chosen on. 0: on held-out QueryNER dev halves that kept it within 0.3 points of the "
        "transformer (0.005 lost 1.2 points: a threshold fitted on dev is optimistic on dev).",
    )


def second_member(config: CascadeConfig, fp32: str, int8: str, int8_gate: dict | None) -> str:
    if config.second not in ("auto", "int8", "fp32"):
        raise dg.Failure(f"cascade second={config.second!r}: use int8, fp32 or auto")
    if config.second == "auto":
        return int8 if (int8_gate or {}).get("passed") else fp32
    return int8 if config.second == "int8" else fp32


@dg.asset(
    ins={
        "crf": dg.AssetIn("crf_tagger"),
        "onnx_fp32": dg.AssetIn("onnx_fp32_tagger"),
        "onnx_int8": dg.AssetIn("onnx_int8_tagger"),
    },
    deps=SPLIT_ASSET_KEYS,
    group_name="models",
    kinds={"python", "onnx"},
    owners=OWNERS,
    code_version=code_version(),
)
def cascade_tagger(
    context: dg.AssetExecutionContext,
    config: CascadeConfig,
    crf: str,
    onnx_fp32: str,
    onnx_int8: str,
    warehouse: Warehouse,
    model_store: ModelStore,
) -> dg.Output[str]:
    """CRF first, the ONNX transformer for queries whose least sure CRF token is under a
    threshold chosen on dev; value: its registry tag."""
    registry = model_store.registry()
    first_path, first = registry.get(crf)
    _, int8 = registry.get(onnx_int8)
    second_tag = second_member(config, onnx_fp32, onnx_int8, int8.extra.get("quantization_gate"))
    second_path, second = registry.get(second_tag)
    probe = CascadeTagger.from_artifacts(first_path, second_path, threshold=0.0)  # routes nothing yet
    splits = load_splits(warehouse)
    dev = splits.tuning_dev()
    tokens = [e.tokens for e in dev]
    choice = choose_threshold(
        [e.tags for e in dev],
        probe.first.predict_tags_with_scores(tokens),
        probe.second.predict_tags(tokens),
        config.max_f1_drop,
    )
    context.log.info(
        f"threshold {choice.threshold:.4f}: {choice.share_routed:.1%} of dev routed, micro F1 {choice.micro_f1:.4f} "
        f"(CRF {choice.first_f1:.4f}, {second.model_kind} {choice.second_f1:.4f})"
    )
    cascade = CascadeTagger(probe.first, probe.second, choice.threshold, probe.member_dirs, probe.member_ids)
    reports = evaluate_model(cascade, splits, unseen_brands(load_catalog(warehouse), splits.train))
    train_seconds = sum(float(m.metrics.get("train_seconds") or 0.0) for m in (first, second))
    path, manifest = save_tagger(
        cascade,
        model_store.root_path,
        data_version=first.data_version,
        metrics=model_metrics(reports, train_seconds),
        parent_model_id=second.model_id,
        extra={"threshold_choice": choice.to_dict(), "members": {"first": crf, "second": second_tag}},
    )
    tag = registry.register(path)
    return model_output(
        path,
        manifest,
        tag,
        reports,
        threshold=choice.threshold,
        dev_share_routed=choice.share_routed,
        dev_micro_f1=choice.micro_f1,
        first_member=crf,
        second_member=second_tag,
        threshold_curve=dg.MetadataValue.md(
            markdown_table(
                ["threshold", "share routed", "micro F1"],
                [
                    (round(p["threshold"], 4), round(p["share_routed"], 3), round(p["micro_f1"], 4))
                    for p in curve_points(choice.curve)
                ],
            )
        ),
    )
