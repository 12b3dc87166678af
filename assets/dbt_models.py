"""dbt models and seeds as Dagster assets.

The dbt project is loaded as asset definitions so that a Python asset can sit between them: the
catalog (the seeds merged with the user's product feed, ``tag:catalog``) feeds ``raw_query_logs``
(synthesized from the catalog), which feeds the dbt staging models; the registry models come
last. dbt tests become asset checks; a failing test fails the step, so nothing downstream of it
runs.
"""

import json
from typing import Any, Iterator, Mapping

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
    get_asset_key_for_model,
)

from pipeline.dataset_metadata import DATASET_MODELS, dataset_output
from pipeline.training_data import SPLIT_MODELS
from resources import SourceFiles, Warehouse, dbt_project


class QueryUnderstandingTranslator(DagsterDbtTranslator):
    """Groups dbt nodes by pipeline stage so the UI reads catalog -> staging -> datasets."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed" or "catalog" in dbt_resource_props.get("tags", []):
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
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse, source_files: SourceFiles
) -> Iterator[Any]:
    """``dbt build`` the selected nodes; enrich dataset outputs; fail the step on any dbt error.

    The resources reach dbt as ``--vars`` (where the warehouse is, which files to read), so the
    resources are the one source of those settings. Events are buffered until dbt exits because
    DuckDB lets only one process hold the file: the dataset metadata queries must wait until dbt
    has released it.
    """
    dbt_vars = {**warehouse.dbt_vars(), **source_files.dbt_vars()}
    # "buildable": a test that spans both asset definitions (query logs -> catalog relationships)
    # runs with the later one, once all of its parents exist.
    args = ["build", "--indirect-selection", "buildable", "--vars", json.dumps(dbt_vars)]
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    events = list(invocation.stream())
    for event in events:
        if isinstance(event, dg.Output) and event.output_name in DATASET_MODELS:
            event = dataset_output(event, warehouse, dbt_project().manifest_path)
        yield event
    if not invocation.is_successful():
        failed = [
            f"{e.check_name} on {e.asset_key.to_user_string()}"
            for e in events
            if isinstance(e, dg.AssetCheckResult) and not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
        ]
        error = invocation.get_error()
        raise dg.Failure(
            description="dbt build failed"
            + (
                f": failing tests {', '.join(failed)}"
                if failed
                else f": {error}"
                if error
                else "; see the dbt logs above"
            ),
            metadata={"failed_tests": dg.MetadataValue.json(failed)},
        )


def dbt_group(name: str, description: str, select: str = "fqn:*", exclude: str | None = None) -> dg.AssetsDefinition:
    """One ``@dbt_assets`` definition over the selected nodes, built by ``dbt build`` as above."""

    def build(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse, source_files: SourceFiles):
        yield from _run_dbt_build(context, dbt, warehouse, source_files)

    build.__doc__ = description
    decorate = dbt_assets(
        manifest=dbt_project().manifest_path,
        select=select,
        exclude=exclude,
        name=name,
        dagster_dbt_translator=TRANSLATOR,
    )
    return decorate(build)


#: The catalog: the seeds and the models that merge them with the user's product feed and brand
#: aliases (``dbt/models/catalog/``, ``tag:catalog``), which the Python assets read
#: (``pipeline.catalog_tables``).
catalog_models = dbt_group(
    "catalog",
    "The product catalog: dbt seeds (brands, aliases, colors, product types) merged with the product "
    "feed and aliases file when configured (QU_CATALOG_PRODUCTS, QU_CATALOG_ALIASES, QU_CATALOG_MODE) "
    "into the catalog_* models; a bad feed row fails its check and stops everything downstream.",
    select="resource_type:seed tag:catalog",
)
#: The former name of :data:`catalog_models` (the same definition, loaded once).
catalog_seeds = catalog_models
query_dataset_models = dbt_group(
    "query_dataset_models",
    "Weak labeling of query logs (synthetic and QU_CLICK_LOGS) and the deterministic train/dev/test splits.",
    exclude="resource_type:seed tag:catalog tag:registry",
)
registry_models = dbt_group(
    "registry_models",
    "Leaderboard and champion history over the registry tables that ``champion`` writes.",
    select="tag:registry",
)


#: The train / dev / test split assets, which every model asset depends on.
SPLIT_ASSET_KEYS = [get_asset_key_for_model([query_dataset_models], m) for m in SPLIT_MODELS.values()]
