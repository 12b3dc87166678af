"""ONNX export of the transformer (fp32 and dynamic int8), with parity checks.

One export produces two assets, ``onnx_fp32_tagger`` and ``onnx_int8_tagger``: each an artifact
of kind ``onnx`` (``parent_model_id`` = the PyTorch model), scored by the same evaluation as
every model and returned as its registry tag by the same output helper. Checks: fp32 logits
match PyTorch (max abs diff within ``max_abs_diff`` at several batch/sequence shapes) and give
the same tags on the whole test split (blocking: nothing downstream uses a wrong export); int8
agrees with fp32 on enough words and loses little F1, else it is marked not promotable (the
verdict is also kept in the int8 manifest, where the comparison reads it).
"""

import tempfile

import dagster as dg
from pydantic import Field

from pipeline.catalog_tables import load_catalog
from pipeline.configs import build
from pipeline.model_evaluation import evaluate_model, model_output
from pipeline.training_data import load_splits, unseen_brands
from pipeline.ui import OWNERS
from query_understanding.artifacts import code_version, load_tagger, save_tagger
from query_understanding.evaluation.scores import metric_keys, model_metrics, preferred_set
from query_understanding.export_gate import ExportGate, judge_int8
from resources import ModelStore, Warehouse

DEFAULTS = ExportGate()
VARIANTS = {"fp32": "onnx_fp32_tagger", "int8": "onnx_int8_tagger"}
PARITY = dg.AssetCheckSpec(
    "fp32_parity",
    asset=VARIANTS["fp32"],
    blocking=True,
    description="fp32 ONNX logits match PyTorch within max_abs_diff, and give the same tags on the test split.",
)
INT8 = dg.AssetCheckSpec(
    "int8_promotable",
    asset=VARIANTS["int8"],
    description=(
        f"Warns when int8 tags fewer than {DEFAULTS.min_int8_agreement:.0%} of words like fp32 or loses more than "
        f"{DEFAULTS.max_int8_f1_drop * 100:.1f} F1 points against it (min_int8_agreement and max_int8_f1_drop in "
        "the Launchpad); a warned int8 is never promoted."
    ),
)


class OnnxExportConfig(dg.Config):
    """Tolerances of the export checks; builds an ExportGate."""

    max_abs_diff: float = Field(
        default=DEFAULTS.max_abs_diff, description="Largest fp32 logit difference from PyTorch."
    )
    min_int8_agreement: float = Field(
        default=DEFAULTS.min_int8_agreement, description="Least share of words int8 tags like fp32."
    )
    max_int8_f1_drop: float = Field(
        default=DEFAULTS.max_int8_f1_drop, description="Most micro F1 (absolute) int8 may lose against fp32."
    )


@dg.multi_asset(
    outs={
        VARIANTS["fp32"]: dg.AssetOut(
            description="fp32 ONNX export of the transformer; value: its registry tag.",
            kinds={"onnx"},
            group_name="models",
            owners=OWNERS,
            code_version=code_version(),
        ),
        VARIANTS["int8"]: dg.AssetOut(
            description="Dynamic int8 ONNX export of the transformer; value: its registry tag.",
            kinds={"onnx"},
            group_name="models",
            owners=OWNERS,
            code_version=code_version(),
        ),
    },
    ins={"transformer": dg.AssetIn("transformer_tagger")},
    check_specs=[PARITY, INT8],
)
def onnx_taggers(
    context: dg.AssetExecutionContext,
    config: OnnxExportConfig,
    transformer: str,
    warehouse: Warehouse,
    model_store: ModelStore,
):
    """Export, verify, score and register both graphs of the transformer tagged ``transformer``."""
    from query_understanding.transformer.export import export_onnx, tag_agreement, verify_export
    from query_understanding.transformer.onnx_tagger import OnnxTagger

    gate = build(config, ExportGate)
    registry = model_store.registry()
    parent_path, parent = registry.get(transformer)
    splits = load_splits(warehouse)
    torch_tagger = load_tagger(parent_path)
    token_lists = [e.tokens for e in splits.test]
    brands = unseen_brands(load_catalog(warehouse), splits.train)
    with tempfile.TemporaryDirectory(prefix="qu-onnx-") as tmp:
        export_onnx(
            torch_tagger.model,
            torch_tagger.encoder,
            tmp,
            max_length=torch_tagger.encoder.max_length,
            decoder=torch_tagger.decoder,
        )
        report = verify_export(torch_tagger, tmp, token_lists, max_abs_diff=gate.max_abs_diff, min_int8_agreement=0.0)
        taggers = {v: OnnxTagger.from_dir(tmp, v) for v in VARIANTS}
        reports = {v: evaluate_model(tagger, splits, brands) for v, tagger in taggers.items()}
        metrics = {v: model_metrics(r, parent.metrics.get("train_seconds")) for v, r in reports.items()}
        agreement = tag_agreement(taggers["fp32"], taggers["int8"], token_lists)
        key = f"{preferred_set(metrics['fp32'])}_f1_micro"
        f1 = {v: metric_keys(m)[key] for v, m in metrics.items()}
        verdict = judge_int8(agreement, f1["fp32"], f1["int8"], gate)
        export = {k: v for k, v in report.items() if k != "parity"}
        for variant, tagger in taggers.items():
            extra = {"provider": tagger.provider, "export": export}
            if variant == "int8":
                extra["quantization_gate"] = verdict.to_dict()
            path, manifest = save_tagger(
                tagger,
                model_store.root_path,
                data_version=parent.data_version,
                metrics=metrics[variant],
                parent_model_id=parent.model_id,
                extra=extra,
            )
            tag = registry.register(path)
            context.log.info(f"{variant}: {tag}")
            yield model_output(path, manifest, tag, reports[variant], VARIANTS[variant], provider=tagger.provider)
    parity_problems = [p for p in report["problems"] if not p.startswith("int8")]
    yield dg.AssetCheckResult(
        asset_key=VARIANTS["fp32"],
        check_name=PARITY.name,
        passed=not parity_problems,
        description="; ".join(parity_problems) or "fp32 matches PyTorch",
        metadata={
            "max_abs_diff": float(report.get("fp32_max_abs_diff", float("nan"))),
            "tag_agreement_on_test": float(report.get("fp32_tag_agreement", 0.0)),
            "shapes": dg.MetadataValue.json({k: float(v) for k, v in report.get("parity", {}).items()}),
        },
    )
    yield dg.AssetCheckResult(
        asset_key=VARIANTS["int8"],
        check_name=INT8.name,
        passed=verdict.passed,
        severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(verdict.reasons)
        or f"int8 is within the quantization gate: it tags {agreement:.2%} of words like fp32.",
        metadata={"word_agreement": round(agreement, 5), "f1_fp32": f1["fp32"], "f1_int8": f1["int8"]},
    )
