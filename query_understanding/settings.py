"""Every place the project keeps things, and the one environment variable that moves each.

One name and one default per location, read here and nowhere else: the Dagster definitions,
the service, the CLIs and the scripts all start from :meth:`Locations.from_env`, so a path
cannot mean one folder to the pipeline and another to the service. The service's own knobs
(limits, batching, A/B) are read once by ``bentos.config.ServeSettings``; together the two
are every ``QU_*`` variable, documented in one table in the README (:data:`VARIABLES` is the
list that table is checked against).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

PROJECT_ROOT = Path(__file__).resolve().parents[1]

#: What ``QU_WAREHOUSE`` may name: the embedded default and the production profile.
WAREHOUSE_KINDS = ("duckdb", "postgres")


@dataclass(frozen=True)
class Variable:
    """One environment variable the project reads: its name, default and what it sets."""

    name: str
    default: str
    meaning: str


#: Every variable the project reads (locations here, service knobs in ``bentos.config``).
VARIABLES: tuple[Variable, ...] = (
    Variable("QU_DATA_DIR", "data/", "root of everything the graph writes; the defaults below live in it"),
    Variable(
        "QU_WAREHOUSE",
        "duckdb",
        "the production switch: `postgres` puts the warehouse (dbt and Python assets) and the Dagster "
        "instance on PostgreSQL (libpq's `PG*` variables) and runs steps in parallel processes",
    ),
    Variable("QU_DUCKDB_PATH", "$QU_DATA_DIR/warehouse.duckdb", "the DuckDB warehouse file (dbt and Python assets)"),
    Variable("QU_POSTGRES_SCHEMA", "public", "with `QU_WAREHOUSE=postgres`: the schema of the dbt models"),
    Variable("QU_MODEL_DIR", "$QU_DATA_DIR/models", "model artifacts, `<kind>/<model_id>/manifest.json` + files"),
    Variable(
        "QU_REGISTRY_HOME",
        "$QU_DATA_DIR/registry",
        "the registry: BentoML model store, bentos, champion log (scripts export it as BENTOML_HOME)",
    ),
    Variable(
        "QU_PREDICTION_LOG_DIR",
        "$QU_DATA_DIR/prediction_logs",
        "where the service appends predictions and dbt reads them",
    ),
    Variable("QU_ANNOTATED_QUERIES", "(none)", "path or glob of annotated JSONL files (bring your own)"),
    Variable(
        "QU_ANNOTATION_DIR",
        "$QU_DATA_DIR/annotation",
        "the annotation queue (Label Studio tasks, JSONL) and `imports/`, where Label Studio exports land",
    ),
    Variable(
        "QU_SERVICE_URL",
        "(none)",
        "pipeline: the running service `champion` asks to `POST /reload` after a promotion (unset: skipped)",
    ),
    Variable(
        "QU_CATALOG_PRODUCTS",
        "(none)",
        "product feed (CSV, Parquet or JSONL) merged with the catalog seeds (bring your own catalog)",
    ),
    Variable("QU_CATALOG_ALIASES", "(none)", "brand aliases CSV `brand,alias,alias_kind` added to the catalog"),
    Variable(
        "QU_CATALOG_MODE",
        "merge",
        "`merge` (seeds + feed, the seed wins a conflict) or `replace` (only the feed's brands, types and colors)",
    ),
    Variable(
        "QU_CLICK_LOGS",
        "(none)",
        "click logs (CSV, Parquet or JSONL) weakly labeled beside the synthetic ones (bring your own)",
    ),
    Variable(
        "QU_DBT_TARGET",
        "$QU_WAREHOUSE",
        "dbt target of `dbt/profiles.yml` (duckdb, postgres, snowflake, bigquery)",
    ),
    Variable("QU_DBT_THREADS", "2", "dbt threads (read by `dbt/profiles.yml`)"),
    Variable("QU_SERVE_TAG", "(registry pin, else champion)", "service: serve this registry tag"),
    Variable("QU_AB_TAGS", "(off)", "service: A/B arms `TAG:WEIGHT,...` (`served` = the served tag)"),
    Variable("QU_MAX_QUERY_CHARS", "512", "service: longest query, in characters"),
    Variable("QU_MAX_BATCH", "64", "service: most queries per request"),
    Variable(
        "QU_MAX_REQUEST_CHARS",
        "8192",
        "service: most characters of all queries of one request together (413 beyond)",
    ),
    Variable("QU_MAX_BODY_BYTES", "(fits a full batch)", "service: largest request body"),
    Variable("QU_BODY_TIMEOUT_S", "10", "service: seconds a request body may take to arrive (408 after)"),
    Variable(
        "QU_HEADER_TIMEOUT_S",
        "10",
        "service: seconds a request head may take to arrive (408 after; a silent connection is closed)",
    ),
    Variable("QU_MAX_HEADER_BYTES", "65536", "service: largest request head, request line and headers (431 beyond)"),
    Variable(
        "QU_MAX_CONNECTIONS",
        "1000",
        "service: open connections per worker; at the cap the longest idle one is closed, else 503",
    ),
    Variable("QU_BATCHING", "local", "service: `local` micro-batching across requests, or `off`"),
    Variable("QU_BATCH_MAX_SIZE", "128", "service: most queries per model batch"),
    Variable("QU_BATCH_MAX_CHARS", "16384", "service: most query characters per model batch"),
    Variable("QU_BATCH_WAIT_MS", "0", "service: how long a non-full batch waits for more"),
    Variable("QU_BATCH_MAX_QUEUE", "2048", "service: queued queries before 503"),
    Variable(
        "QU_WORKERS",
        "auto",
        "service: worker processes; `auto`: one per core on a CPU, one on a GPU (reload reaches one worker; "
        "the others follow the registry)",
    ),
    Variable(
        "QU_FOLLOW_REGISTRY_S",
        "auto",
        "service: seconds between each worker's registry checks, reloading when its choice changed "
        "(`auto`: 5 with more than one worker, else off; 0: off)",
    ),
    Variable("QU_GPUS", "0", "service: GPUs to request per worker"),
    Variable(
        "QU_ADMIN_TOKEN",
        "(none: /reload is off)",
        "service: the `X-Admin-Token` that `POST /reload` and the full `/model_info` require (unset: /reload answers 403); "
        "the pipeline sends it with its reload after a promotion",
    ),
    Variable(
        "QU_LINKING_INDEX",
        "(newest stored)",
        "service: link with this `linking-index:<version>` tag, or `off` (the bento packs the one it was built with)",
    ),
    Variable(
        "QU_HEAD_CACHE",
        "(newest built for the served tag)",
        "service: answer the most frequent queries from this `head-cache:<version>` tag, or `off`; "
        "a cache built for another model tag or linking index is ignored (`/model_info` says why)",
    ),
    Variable("QU_ACCESS_LOG", "off", "service: `on` writes BentoML's access log line per request"),
    Variable("QU_TRACE_PARSE", "off", "service: `on` traces `/parse` with OpenTelemetry (other routes always are)"),
    Variable(
        "QU_PREDICTION_LOG_SYNC",
        "after",
        "service: when logged rows are fsynced: `after` the answer, in a thread of their own (they are "
        "written before it, so kill -9 loses none), `before` it (also safe from a power loss), or `off`",
    ),
    Variable(
        "QU_DIRECT_PARSE",
        "on",
        "service: `off` sends `/parse` through BentoML's route instead of answering it in front",
    ),
    Variable("QU_SERVE", "1", "`scripts/run_main.sh`: `0` stops after the job instead of serving"),
    Variable("QU_PORT", "3000", "`scripts/serve.sh`: the port to serve on (always 127.0.0.1)"),
)


@dataclass(frozen=True)
class Locations:
    """Absolute paths (and the annotated-data glob) the pipeline and the service share; the
    bring-your-own inputs (``catalog_products``, ``catalog_aliases``, ``click_logs``) are "" when unset."""

    data_dir: Path
    warehouse: Path
    model_dir: Path
    registry_home: Path
    prediction_log_dir: Path
    annotation_dir: Path | None = None
    annotated_queries: str = ""
    dbt_target: str = "duckdb"
    warehouse_kind: str = "duckdb"
    """``duckdb`` (the embedded file :attr:`warehouse`) or ``postgres`` (``QU_WAREHOUSE``)."""
    postgres_schema: str = "public"
    catalog_products: str = ""
    catalog_aliases: str = ""
    catalog_mode: str = "merge"
    click_logs: str = ""
    service_url: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, root: Path = PROJECT_ROOT) -> "Locations":
        """The locations ``environ`` (default: the process environment) selects."""
        env = os.environ if environ is None else environ

        def path(name: str, default: Path) -> Path:
            return Path(env.get(name) or default).resolve()

        def optional_path(name: str) -> str:
            value = (env.get(name) or "").strip()
            return str(Path(value).resolve()) if value else ""

        data_dir = path("QU_DATA_DIR", root / "data")
        warehouse_kind = (env.get("QU_WAREHOUSE") or "duckdb").strip().lower()
        if warehouse_kind not in WAREHOUSE_KINDS:
            raise ValueError(f"QU_WAREHOUSE must be one of {', '.join(WAREHOUSE_KINDS)}, got {warehouse_kind!r}")
        return cls(
            data_dir=data_dir,
            warehouse=path("QU_DUCKDB_PATH", data_dir / "warehouse.duckdb"),
            model_dir=path("QU_MODEL_DIR", data_dir / "models"),
            registry_home=path("QU_REGISTRY_HOME", data_dir / "registry"),
            prediction_log_dir=path("QU_PREDICTION_LOG_DIR", data_dir / "prediction_logs"),
            annotation_dir=path("QU_ANNOTATION_DIR", data_dir / "annotation"),
            annotated_queries=env.get("QU_ANNOTATED_QUERIES", ""),
            dbt_target=env.get("QU_DBT_TARGET") or warehouse_kind,
            warehouse_kind=warehouse_kind,
            postgres_schema=env.get("QU_POSTGRES_SCHEMA") or "public",
            catalog_products=optional_path("QU_CATALOG_PRODUCTS"),
            catalog_aliases=optional_path("QU_CATALOG_ALIASES"),
            catalog_mode=(env.get("QU_CATALOG_MODE") or "merge").strip().lower(),
            click_logs=optional_path("QU_CLICK_LOGS"),
            service_url=(env.get("QU_SERVICE_URL") or "").strip(),
        )
