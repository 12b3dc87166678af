"""ONNX export of the transformer (fp32 and dynamic int8), with parity checks.

Both graphs become artifacts of kind ``onnx`` (one variant each, ``parent_model_id`` = the
PyTorch model), scored by the same evaluation as every model. Checks: fp32 logits match
PyTorch (max abs diff < 1e-4 at several batch/sequence shapes) and give the same tags on the
whole test split (blocking: nothing downstream uses a wrong export); int8 agrees with fp32 on
>= 99% of words and loses <= 0.5 F1 points, else it is marked not promotable.
"""

import tempfile
from pathlib import Path

import dagster as dg

from assets.model_evaluation import evaluate_model, flat_metrics, headline_metadata
from assets.catalog_tables import load_catalog
from assets.training_data import load_splits, unseen_brands
from query_understanding.artifacts import code_version, load_manifest, load_tagger, save_tagger
from query_understanding.export_gate import QuantizationGate, judge_int8
from resources import DuckDBWarehouse, ModelStore

PARITY = dg.AssetCheckSpec("fp32_parity", asset="onnx_tagger", blocking=True,
                           description="fp32 ONNX logits within 1e-4 of PyTorch; same tags on the test split")
INT8 = dg.AssetCheckSpec("int8_promotable", asset="onnx_tagger",
                         description=">= 99% word agreement with fp32 and <= 0.5 F1 points lost")


class OnnxExportConfig(dg.Config):
    max_abs_diff: float = 1e-4
    min_int8_agreement: float = 0.99
    max_int8_f1_drop: float = 0.005


@dg.asset(
    ins={"transformer": dg.AssetIn("transformer_tagger")},
    group_name="models",
    kinds={"onnx"},
    check_specs=[PARITY, INT8],
    code_version=code_version(),
)
def onnx_tagger(
    context: dg.AssetExecutionContext,
    config: OnnxExportConfig,
    transformer: str,
    warehouse: DuckDBWarehouse,
    model_store: ModelStore,
):
    """fp32 and int8 ONNX artifacts of the transformer; value: {fp32, int8, int8_promotable, ...}."""
    from query_understanding.transformer.export import export_onnx, tag_agreement, verify_export
    from query_understanding.transformer.onnx_tagger import OnnxTagger

    splits = load_splits(warehouse)
    parent = load_manifest(transformer)
    torch_tagger = load_tagger(transformer)
    token_lists = [e.tokens for e in splits.test]
    with tempfile.TemporaryDirectory(prefix="qu-onnx-") as tmp:
        export_onnx(torch_tagger.model, torch_tagger.encoder, tmp, max_length=torch_tagger.encoder.max_length)
        report = verify_export(torch_tagger, tmp, token_lists, max_abs_diff=config.max_abs_diff, min_int8_agreement=0.0)
        variants = {v: OnnxTagger.from_dir(tmp, v) for v in ("fp32", "int8")}
        catalog = load_catalog(warehouse)
        brands = unseen_brands(catalog, splits.train)
        saved, metrics = {}, {}
        for variant, tagger in variants.items():
            metrics[variant] = flat_metrics(evaluate_model(tagger, splits, brands))
            path, manifest = save_tagger(
                tagger,
                model_store.root_path,
                data_version=parent.data_version,
                metrics={**metrics[variant], "train_seconds": parent.metrics.get("train_seconds", 0.0)},
                parent_model_id=parent.model_id,
                extra={"provider": tagger.provider, "export": {k: v for k, v in report.items() if k != "parity"}},
            )
            saved[variant] = (str(path), manifest.model_id, tagger.provider, model_store.registry().register(path))
        agreement = tag_agreement(variants["fp32"], variants["int8"], token_lists)
    key = "gold_f1_micro" if "gold_f1_micro" in metrics["fp32"] else "test_f1_micro"
    gate = judge_int8(agreement, metrics["fp32"][key], metrics["int8"][key],
                      QuantizationGate(config.min_int8_agreement, config.max_int8_f1_drop))
    yield dg.Output(
        {
            "fp32": saved["fp32"][0],
            "int8": saved["int8"][0],
            "int8_promotable": gate.passed,
            "int8_reasons": gate.reasons,
        },
        metadata={
            "fp32_model_id": saved["fp32"][1],
            "int8_model_id": saved["int8"][1],
            "fp32_registry_tag": saved["fp32"][3],
            "int8_registry_tag": saved["int8"][3],
            "parent_model_id": parent.model_id,
            "provider": saved["fp32"][2],
            "fp32_max_abs_diff": float(report.get("fp32_max_abs_diff", float("nan"))),
            "int8_word_agreement_with_fp32": round(agreement, 5),
            "fp32_size_mb": round(Path(saved["fp32"][0], "model.onnx").stat().st_size / 1e6, 2),
            "int8_size_mb": round(Path(saved["int8"][0], "model.int8.onnx").stat().st_size / 1e6, 2),
            **{f"fp32_{k}": v for k, v in headline_metadata(metrics["fp32"]).items()},
            **{f"int8_{k}": v for k, v in headline_metadata(metrics["int8"]).items()},
        },
        data_version=dg.DataVersion(f"{saved['fp32'][1]}+{saved['int8'][1]}"),
    )
    parity_problems = [p for p in report["problems"] if not p.startswith("int8")]
    yield dg.AssetCheckResult(
        check_name="fp32_parity",
        passed=not parity_problems,
        description="; ".join(parity_problems) or "fp32 matches PyTorch",
        metadata={
            "max_abs_diff": float(report.get("fp32_max_abs_diff", float("nan"))),
            "tag_agreement_on_test": float(report.get("fp32_tag_agreement", 0.0)),
            "shapes": dg.MetadataValue.json({k: float(v) for k, v in report.get("parity", {}).items()}),
        },
    )
    yield dg.AssetCheckResult(
        check_name="int8_promotable",
        passed=gate.passed,
        severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(gate.reasons) or "int8 within the quantization gate",
        metadata={"word_agreement": round(agreement, 5),
                  "f1_fp32": metrics["fp32"][key], "f1_int8": metrics["int8"][key]},
    )
