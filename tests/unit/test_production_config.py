"""Specification: the production profile's configuration files parse and the one switch picks it.

``tests/production`` runs it against a real server; these checks need none.
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from query_understanding.settings import PROJECT_ROOT, Locations

INSTANCE_TEMPLATE = PROJECT_ROOT / "dagster_home" / "postgres" / "dagster.yaml"


def test_the_postgres_instance_template_is_a_valid_dagster_instance_config(monkeypatch):
    from dagster._core.instance.config import dagster_instance_config

    for name, value in {"PGHOST": "db", "PGPORT": "5432", "PGUSER": "qu", "PGPASSWORD": "", "PGDATABASE": "qu"}.items():
        monkeypatch.setenv(name, value)
    config, _ = dagster_instance_config(str(INSTANCE_TEMPLATE.parent))
    postgres = config["storage"]["postgres"]["postgres_db"]
    assert postgres["scheme"] == "postgresql+psycopg2"
    assert {key: postgres[key] for key in ("hostname", "username", "db_name")} == {
        "hostname": {"env": "PGHOST"},
        "username": {"env": "PGUSER"},
        "db_name": {"env": "PGDATABASE"},
    }
    assert config["telemetry"] == {"enabled": False}


def test_the_dbt_profile_has_a_postgres_output_read_from_libpq_variables():
    outputs = yaml.safe_load((PROJECT_ROOT / "dbt" / "profiles.yml").read_text())["query_understanding"]["outputs"]
    postgres = outputs["postgres"]
    assert postgres["type"] == "postgres"
    for field, variable in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("dbname", "PGDATABASE")):
        assert f"env_var('{variable}'" in postgres[field], field
    assert postgres["password"] == "{{ env_var('PGPASSWORD', '') }}"  # never a dbt var


def test_one_switch_selects_the_production_profile():
    assert (Locations.from_env({}).warehouse_kind, Locations.from_env({}).dbt_target) == ("duckdb", "duckdb")
    production = Locations.from_env({"QU_WAREHOUSE": "postgres"})
    assert (production.warehouse_kind, production.dbt_target, production.postgres_schema) == (
        "postgres",
        "postgres",
        "public",
    )
    with pytest.raises(ValueError, match="QU_WAREHOUSE"):
        Locations.from_env({"QU_WAREHOUSE": "sqlite"})


def test_the_postgres_warehouse_passes_connection_fields_but_never_a_password():
    from resources import PostgresWarehouse

    assert PostgresWarehouse().dbt_vars() == {"postgres_schema": "public"}
    assert PostgresWarehouse(host="db", port="6543", dbt_schema="qu").dbt_vars() == {
        "postgres_host": "db",
        "postgres_port": "6543",
        "postgres_schema": "qu",
    }


def test_frame_columns_map_to_postgres_types():
    from resources.warehouse import postgres_type

    frame = pd.DataFrame(
        {
            "text": ["a", None],
            "tokens": [["a", "b"], ["c"]],
            "n": [1, 2],
            "maybe": pd.array([1, None], dtype="Int64"),
            "score": [0.5, None],
            "flag": [True, False],
            "at": pd.to_datetime(["2026-01-01", None]),
            "empty": [None, None],
        }
    )
    assert {name: postgres_type(frame[name]) for name in frame.columns} == {
        "text": "text",
        "tokens": "text[]",
        "n": "bigint",
        "maybe": "bigint",
        "score": "double precision",
        "flag": "boolean",
        "at": "timestamp without time zone",
        "empty": "text",
    }
