"""The small run configs the graph tests use (tests/pipeline in process, tests/production on
PostgreSQL): 3,000 synthetic events, a short CRF, one epoch of a tiny BERT."""

from __future__ import annotations

SMALL_LOGS = {"n_events": 3000, "seed": 7}


def run_config(**ops) -> dict:
    """Run config with the small query logs and ``ops``' configs (op name -> config dict)."""
    config = {"raw_query_logs": {"config": SMALL_LOGS}}
    config.update({name: {"config": value} for name, value in ops.items()})
    return {"ops": config}


def small_model_config(tiny_base: str, **comparison) -> dict:
    """The whole graph's small config: CRF, the tiny transformer at ``tiny_base``, comparison."""
    return run_config(
        crf_tagger={"max_iterations": 30},
        transformer_tagger={"base_model": tiny_base, "epochs": 1, "learning_rate": 1e-3, "max_synthetic_train": 800},
        model_comparison={"latency_queries": 30, "latency_budget_ms": 1000.0, **comparison},
    )
