"""Every candidate model side by side, and the champion decision with its reasons.

``model_comparison`` takes each candidate's registry tag (the model assets registered them),
measures latency and throughput of all of them (and of the current champion) in one run, reads their accuracy
from their manifests (the same evaluation code scored them all), and applies the declared
:class:`~query_understanding.champion.ChampionRule`. The blocking ``promotion_gate`` check
stops the ``champion`` asset from promoting anything that the rule refuses.
"""

import dagster as dg
from pydantic import Field

from assets.dbt_models import SPLIT_ASSET_KEYS
from model_registry import ModelRegistry
from pipeline.comparison_report import comparison_bars, comparison_chart, comparison_details, comparison_summary
from pipeline.configs import build
from pipeline.training_data import load_splits
from pipeline.ui import OWNERS
from query_understanding.artifacts import load_tagger
from query_understanding.benchmark import measure_latency
from query_understanding.champion import Candidate, ChampionRule, choose_champion
from query_understanding.evaluation.scores import metric_keys, set_value, slice_f1
from resources import ModelStore, Warehouse

#: Slices with fewer examples than this are too noisy to veto a promotion.
MIN_SLICE_SUPPORT = 30
DEFAULTS = ChampionRule()


class ComparisonConfig(dg.Config):
    """The champion rule (builds a ChampionRule) and how much timing to do."""

    primary_metric: str = Field(default=DEFAULTS.primary_metric, description="Metric the champion maximises.")
    fallback_metric: str = Field(
        default=DEFAULTS.fallback_metric, description="Used when a candidate lacks the primary metric (no gold set)."
    )
    latency_budget_ms: float = Field(
        default=DEFAULTS.latency_budget_ms, description="Largest single-query p99 latency a champion may have."
    )
    max_slice_regression: float = Field(
        default=DEFAULTS.max_slice_regression, description="Most slice F1 a candidate may lose against the champion."
    )
    min_improvement: float = Field(
        default=DEFAULTS.min_improvement, description="How much a candidate must beat the champion by."
    )
    servable_kinds: list[str] = Field(
        default=["crf", "onnx", "cascade"],
        description="Kinds the bento can serve (it ships ONNX Runtime, not PyTorch): others are compared, never promoted.",
    )
    latency_queries: int = Field(default=200, description="Single-query timings per candidate.")


def measured_row(registry: ModelRegistry, name: str, tag: str, queries: list[str], n_single: int) -> dict:
    """The headline metrics of ``tag``'s manifest plus latency, throughput and size measured now."""
    path, manifest = registry.get(tag)
    latency = measure_latency(load_tagger(path), queries, n_single=n_single)
    size = sum(f["bytes"] for f in manifest.files)
    return {
        "candidate": name,
        "tag": tag,
        "kind": manifest.model_kind,
        "model_id": manifest.model_id,
        **metric_keys(manifest.metrics),
        "test_unseen_brand_f1": set_value(manifest.metrics, "test", "slices", "brand=unseen", "f1"),
        "test_typo_f1": set_value(manifest.metrics, "test", "slices", "typo", "f1"),
        "slice_f1": slice_f1(manifest.metrics, MIN_SLICE_SUPPORT),
        "quantization_gate": manifest.extra.get("quantization_gate"),
        "latency_p50_ms": latency.p50_ms,
        "latency_p99_ms": latency.p99_ms,
        "throughput_qps": latency.throughput_qps,
        "size_bytes": size,
        "size_mb": round(size / 1e6, 2),
    }


def to_candidate(row: dict) -> Candidate:
    numeric = {k: float(v) for k, v in row.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return Candidate(row["tag"], row["kind"], numeric, row["slice_f1"])


def blocking_reasons(rows: list[dict], servable_kinds: list[str]) -> dict[str, list[str]]:
    """Reasons found outside the rule: a kind the bento cannot serve, a failed int8 gate."""
    blocked: dict[str, list[str]] = {}
    for row in rows:
        if row["kind"] not in servable_kinds:
            blocked.setdefault(row["tag"], []).append(
                f"kind {row['kind']} is not served (servable: {', '.join(servable_kinds)})"
            )
        gate = row.get("quantization_gate")
        if gate and not gate["passed"]:
            blocked.setdefault(row["tag"], []).append("int8 not promotable: " + "; ".join(gate["reasons"]))
    return blocked


@dg.asset(
    ins={
        name: dg.AssetIn(asset)
        for name, asset in (
            ("crf", "crf_tagger"),
            ("transformer", "transformer_tagger"),
            ("onnx_fp32", "onnx_fp32_tagger"),
            ("onnx_int8", "onnx_int8_tagger"),
            ("cascade", "cascade_tagger"),
        )
    },
    deps=SPLIT_ASSET_KEYS,
    group_name="comparison",
    kinds={"python"},
    owners=OWNERS,
    code_version="3",
)
def model_comparison(
    context: dg.AssetExecutionContext,
    config: ComparisonConfig,
    crf: str,
    transformer: str,
    onnx_fp32: str,
    onnx_int8: str,
    cascade: str,
    warehouse: Warehouse,
    model_store: ModelStore,
) -> dg.Output[dict]:
    """Candidates side by side (accuracy, slices, latency, size) and the champion decision."""
    registry = model_store.registry()
    splits = load_splits(warehouse)
    queries = [e.text for e in (splits.gold_dev or splits.test)]
    tags = {
        "crf": crf,
        "transformer": transformer,
        "onnx-fp32": onnx_fp32,
        "onnx-int8": onnx_int8,
        "cascade": cascade,
    }
    rows = []
    for name, tag in tags.items():
        rows.append(measured_row(registry, name, tag, queries, config.latency_queries))
        context.log.info(f"{name}: {tag} p50 {rows[-1]['latency_p50_ms']} ms")
    current_tag = registry.champion()
    current_row = (
        measured_row(registry, "current champion", current_tag, queries, config.latency_queries)
        if current_tag
        else None
    )
    rule = build(config, ChampionRule)
    decision = choose_champion(
        [to_candidate(row) for row in rows],
        rule,
        to_candidate(current_row) if current_row else None,
        blocking_reasons(rows, config.servable_kinds),
    )
    verdicts = {v.tag: v for v in decision.verdicts}
    for row in rows:
        verdict = verdicts[row["tag"]]
        row["verdict"] = "eligible" if verdict.eligible else "; ".join(verdict.reasons)
    shown = rows + ([{**current_row, "verdict": "current champion"}] if current_row else [])
    metadata = {
        "rule": rule.describe(),
        "decision": decision.explanation,
        "champion": decision.champion or "none",
        "promoted": decision.promoted,
        "comparison": comparison_summary(shown),
        "chart": dg.MetadataValue.md(comparison_bars(shown)),
        "chart_png": dg.MetadataValue.md(comparison_chart(shown)),
        "comparison_details": dg.MetadataValue.md(comparison_details(shown)),
    }
    for row in shown:
        prefix = row["candidate"].replace(" ", "_")
        for key in ("gold_f1_micro", "test_f1_micro", "latency_p50_ms", "latency_p99_ms", "throughput_qps"):
            if key in row:
                metadata[f"{prefix}/{key}"] = float(row[key])
    value = {"decision": decision.to_dict(), "rows": rows, "current": current_row, "rule": rule.describe()}
    return dg.Output(value, metadata=metadata)


@dg.asset_check(
    asset=model_comparison, blocking=True, description="Only a model that passes the champion rule is promoted."
)
def promotion_gate(model_comparison: dict) -> dg.AssetCheckResult:
    decision = model_comparison["decision"]
    verdicts = {v["tag"]: v for v in decision["verdicts"]}
    winner = decision["champion"]
    passed = winner is not None and verdicts.get(winner, {}).get("eligible", False)
    refused = {tag: v["reasons"] for tag, v in verdicts.items() if not v["eligible"] or v["reasons"]}
    return dg.AssetCheckResult(
        passed=bool(passed),
        description=decision["explanation"],
        metadata={"champion": winner or "none", "refused": dg.MetadataValue.json(refused)},
    )
