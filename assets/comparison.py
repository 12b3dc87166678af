"""Every candidate model side by side, and the champion decision with its reasons.

``model_comparison`` registers each candidate version in the model registry, measures latency
and throughput of all of them (and of the current champion) in one run, reads their accuracy
from their manifests (the same evaluation code scored them all), and applies the declared
:class:`~query_understanding.champion.ChampionRule`. The blocking ``promotion_gate`` check
stops the ``champion`` asset from promoting anything that the rule refuses.
"""

from pathlib import Path

import dagster as dg

from assets.comparison_report import comparison_chart, comparison_table
from assets.training_data import SPLIT_ASSET_KEYS, load_splits
from query_understanding.artifacts import load_manifest, load_tagger
from query_understanding.benchmark import measure_latency
from query_understanding.champion import Candidate, ChampionRule, choose_champion
from resources import DuckDBWarehouse, ModelStore

#: Slices with fewer examples than this are too noisy to veto a promotion.
MIN_SLICE_SUPPORT = 30


class ComparisonConfig(dg.Config):
    """The champion rule (see ChampionRule) and how much timing to do."""

    primary_metric: str = "gold_f1_micro"
    fallback_metric: str = "test_f1_micro"
    latency_budget_ms: float = 50.0
    max_slice_regression: float = 0.05
    min_improvement: float = 0.0
    servable_kinds: list[str] = ["crf", "onnx"]
    """Kinds the bento can serve (it ships ONNX Runtime, not PyTorch): others are compared, never promoted."""
    latency_queries: int = 200

    def rule(self) -> ChampionRule:
        return ChampionRule(
            primary_metric=self.primary_metric,
            fallback_metric=self.fallback_metric,
            latency_budget_ms=self.latency_budget_ms,
            max_slice_regression=self.max_slice_regression,
            min_improvement=self.min_improvement,
        )


def slice_scores(metrics: dict) -> dict[str, float]:
    """Slice F1 of the gold set when there is one, else of the test set (enough support only)."""
    for prefix in ("gold_slice.", "test_slice."):
        scores = {
            key[len(prefix) : -len(".f1_micro")]: value
            for key, value in metrics.items()
            if key.startswith(prefix) and key.endswith(".f1_micro")
            and metrics.get(key.replace(".f1_micro", ".n"), 0) >= MIN_SLICE_SUPPORT
        }
        if scores:
            return scores
    return {}


def measured_row(name: str, path: str, tag: str, queries: list[str], n_single: int) -> dict:
    """Manifest metrics plus latency, throughput and size measured now."""
    manifest = load_manifest(path)
    latency = measure_latency(load_tagger(path), queries, n_single=n_single)
    size = sum(f["bytes"] for f in manifest.files)
    return {
        "candidate": name,
        "tag": tag,
        "kind": manifest.model_kind,
        "model_id": manifest.model_id,
        **manifest.metrics,
        "latency_p50_ms": latency.p50_ms,
        "latency_p99_ms": latency.p99_ms,
        "throughput_qps": latency.throughput_qps,
        "size_bytes": size,
        "size_mb": round(size / 1e6, 2),
    }


def to_candidate(row: dict) -> Candidate:
    numeric = {k: float(v) for k, v in row.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return Candidate(row["tag"], row["kind"], numeric, slice_scores(numeric))


@dg.asset(
    ins={
        "crf": dg.AssetIn("crf_tagger"),
        "transformer": dg.AssetIn("transformer_tagger"),
        "onnx": dg.AssetIn("onnx_tagger"),
    },
    deps=SPLIT_ASSET_KEYS,
    group_name="comparison",
    kinds={"python"},
)
def model_comparison(
    context: dg.AssetExecutionContext,
    config: ComparisonConfig,
    crf: str,
    transformer: str,
    onnx: dict,
    warehouse: DuckDBWarehouse,
    model_store: ModelStore,
) -> dg.Output[dict]:
    """Candidates side by side (accuracy, slices, latency, size) and the champion decision."""
    registry = model_store.registry()
    splits = load_splits(warehouse)
    queries = [e.text for e in (splits.gold_dev or splits.test)]
    paths = {"crf": crf, "transformer": transformer, "onnx-fp32": onnx["fp32"], "onnx-int8": onnx["int8"]}
    rows = []
    for name, path in paths.items():
        tag = registry.register(path)
        rows.append(measured_row(name, path, tag, queries, config.latency_queries))
        context.log.info(f"{name}: {tag} p50 {rows[-1]['latency_p50_ms']} ms")
    current_tag = registry.champion()
    current = None
    if current_tag is not None:
        current_path, _ = registry.get(current_tag)
        current_row = measured_row("current champion", str(current_path), current_tag, queries, config.latency_queries)
        current = to_candidate(current_row)
    rule = config.rule()
    blocked = {
        row["tag"]: [f"kind {row['kind']} is not served (servable: {', '.join(config.servable_kinds)})"]
        for row in rows
        if row["kind"] not in config.servable_kinds
    }
    if not onnx.get("int8_promotable", False):
        int8_tag = next(row["tag"] for row in rows if row["candidate"] == "onnx-int8")
        blocked.setdefault(int8_tag, []).append("int8 not promotable: " + "; ".join(onnx.get("int8_reasons", [])))
    decision = choose_champion([to_candidate(row) for row in rows], rule, current, blocked)
    verdicts = {v.tag: v for v in decision.verdicts}
    for row in rows:
        verdict = verdicts[row["tag"]]
        row["verdict"] = "eligible" if verdict.eligible else "; ".join(verdict.reasons)
    shown = rows + ([{**current_row, "verdict": "current champion"}] if current else [])
    metadata = {
        "rule": rule.describe(),
        "decision": decision.explanation,
        "champion": decision.champion or "none",
        "promoted": decision.promoted,
        "comparison": dg.MetadataValue.md(comparison_table(shown)),
        "chart": dg.MetadataValue.md(comparison_chart(shown)),
    }
    for row in shown:
        prefix = row["candidate"].replace(" ", "_")
        for key in ("gold_f1_micro", "test_f1_micro", "latency_p50_ms", "latency_p99_ms", "throughput_qps"):
            if key in row:
                metadata[f"{prefix}/{key}"] = float(row[key])
    value = {
        "decision": decision.to_dict(),
        "rows": rows,
        "current": current_row if current else None,
        "rule": rule.describe(),
    }
    return dg.Output(value, metadata=metadata)


@dg.asset_check(asset=model_comparison, blocking=True, description="Only a model that passes the champion rule is promoted.")
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
