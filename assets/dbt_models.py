"""dbt models and seeds as Dagster assets.

The dbt project is loaded as two asset definitions so that a Python asset can sit between them:
the catalog seeds feed ``raw_query_logs`` (synthesized from the catalog), which feeds the dbt
staging models. dbt tests become asset checks; a failing test fails the step, so nothing
downstream of it runs.
"""


import os
from typing import Any, Iterator, Mapping

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from assets.dataset_metadata import DATASET_MODELS, dataset_output
from resources import DBT_PROJECT, DuckDBWarehouse
from resources.settings import default_prediction_log_dir


class QueryUnderstandingTranslator(DagsterDbtTranslator):
    """Groups dbt nodes by pipeline stage so the UI reads catalog -> staging -> datasets."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "catalog"
        fqn = dbt_resource_props.get("fqn", [])
        if "registry" in dbt_resource_props.get("tags", []):
            return "comparison"
        for folder, group in (("staging", "staging"), ("intermediate", "weak_labeling"), ("marts", "datasets")):
            if folder in fqn:
                return group
        return super().get_group_name(dbt_resource_props)


TRANSLATOR = QueryUnderstandingTranslator(
    # Both registry tables are written by one Python asset (``champion``), so two dbt sources
    # share its asset key.
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_duplicate_source_asset_keys=True)
)


def _run_dbt_build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBWarehouse
) -> Iterator[Any]:
    """``dbt build`` the selected nodes; enrich dataset outputs; fail the step on any dbt error.

    Events are buffered until dbt exits because DuckDB lets only one process hold the file:
    the dataset metadata queries must wait until dbt has released it.
    """
    warehouse.export_to_dbt()
    os.environ.setdefault("QU_PREDICTION_LOG_DIR", default_prediction_log_dir())  # dbt's cwd is dbt/
    # "buildable": a test that spans both asset definitions (query logs -> catalog relationships)
    # runs with the later one, once all of its parents exist.
    invocation = dbt.cli(["build", "--indirect-selection", "buildable"], context=context, raise_on_error=False)
    events = list(invocation.stream())
    for event in events:
        if isinstance(event, dg.Output) and event.output_name in DATASET_MODELS:
            event = dataset_output(event, warehouse, DBT_PROJECT.manifest_path)
        yield event
    if not invocation.is_successful():
        failed = [
            f"{e.check_name} on {e.asset_key.to_user_string()}"
            for e in events
            if isinstance(e, dg.AssetCheckResult) and not e.passed
        ]
        error = invocation.get_error()
        raise dg.Failure(
            description="dbt build failed"
            + (f": failing tests {', '.join(failed)}" if failed else f": {error}" if error else "; see the dbt logs above"),
            metadata={"failed_tests": dg.MetadataValue.json(failed)},
        )


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    select="resource_type:seed",
    name="catalog_seeds",
    dagster_dbt_translator=TRANSLATOR,
)
def catalog_seeds(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBWarehouse):
    """Product catalog facts (brands, aliases, colors, product types) loaded as dbt seeds."""
    yield from _run_dbt_build(context, dbt, warehouse)


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    exclude="resource_type:seed tag:registry",
    name="query_dataset_models",
    dagster_dbt_translator=TRANSLATOR,
)
def query_dataset_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBWarehouse):
    """Weak labeling of query logs and the deterministic train/dev/test splits."""
    yield from _run_dbt_build(context, dbt, warehouse)


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    select="tag:registry",
    name="registry_models",
    dagster_dbt_translator=TRANSLATOR,
)
def registry_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBWarehouse):
    """Leaderboard and champion history over the registry tables that ``champion`` writes."""
    yield from _run_dbt_build(context, dbt, warehouse)
