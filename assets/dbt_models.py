"""dbt models and seeds as Dagster assets.

The dbt project is loaded as asset definitions so that a Python asset can sit between them: the
catalog (the seeds merged with the user's product feed, ``tag:catalog``) feeds ``raw_query_logs``
(synthesized from the catalog), which feeds the dbt staging models; the registry models come
last. dbt tests become asset checks; a failing test fails the step, so nothing downstream of it
runs.
"""

import json
import re
from typing import Any, Iterator, Mapping

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
    get_asset_key_for_model,
)

from pipeline.dataset_metadata import DATASET_MODELS, DBT_PACKAGE, dataset_output
from pipeline.training_data import SPLIT_MODELS
from pipeline.ui import OWNERS
from resources import SourceFiles, Warehouse, dbt_project
from resources.dbt_project import DBT_PROJECT_DIR

_REF = re.compile(r"ref\(['\"]([^'\"]+)['\"]\)")


def _ref_name(text: str) -> str:
    """``catalog_brands`` of ``ref('catalog_brands')`` (or of ``{{ get_where_subquery(ref(...)) }}``)."""
    found = _REF.search(text or "")
    return found.group(1) if found else str(text)


def _leading_comment(sql: str) -> str:
    """The ``-- ...`` lines or the ``{#- ... -#}`` block a dbt SQL file starts with, as one line."""
    text = sql.lstrip()
    if text.startswith("{#"):
        block = text[2 : text.find("#}")] if "#}" in text else ""
        lines = [line.strip() for line in block.strip("-").splitlines()]
    else:
        lines = []
        for line in text.splitlines():
            if not line.startswith("--"):
                break
            lines.append(line[2:].strip())
    return " ".join(line for line in lines if line).strip()


def _generic_test_doc(manifest: Mapping[str, Any], name: str, namespace: str | None) -> str:
    """The comment heading the project's own generic test ``name`` (``dbt/tests/generic/``)."""
    macro = manifest.get("macros", {}).get(f"macro.{namespace or DBT_PACKAGE}.test_{name}")
    if not macro:
        return ""
    path = DBT_PROJECT_DIR / macro["original_file_path"]
    return _leading_comment(path.read_text()) if path.is_file() else ""


def test_description(manifest: Mapping[str, Any], test: Mapping[str, Any]) -> str:
    """What a dbt test checks, in words: its YAML ``description`` (or ``meta.description``) when
    given, else one sentence made from the test and its arguments, else the comment heading the
    test's SQL file. Never empty (the UI says "No description provided" for an empty one)."""
    given = test.get("description") or test.get("meta", {}).get("description")
    if given:
        return given
    metadata = test.get("test_metadata")
    if not metadata:  # a singular test: dbt/tests/<name>.sql
        text = _leading_comment(test.get("raw_code", "")) or f"dbt test {test['name']}."
    else:
        name, kwargs = metadata["name"], metadata.get("kwargs", {})
        column = f"`{kwargs['column_name']}`" if kwargs.get("column_name") else "the row"
        model = _ref_name(kwargs.get("model", ""))
        if name == "not_null":
            text = f"No {column} of {model} is null."
        elif name == "unique":
            text = f"No two rows of {model} share a {column}."
        elif name == "accepted_values":
            text = f"Every {column} of {model} is one of: {', '.join(map(str, kwargs.get('values', [])))}."
        elif name == "relationships":
            text = f"Every {column} of {model} is a `{kwargs.get('field')}` of {_ref_name(kwargs.get('to', ''))}."
        elif name == "not_in_relation":
            text = f"No {column} of {model} is also a `{kwargs.get('field')}` of {_ref_name(kwargs.get('to', ''))}."
        elif name == "unique_combination_of_columns":
            text = f"No two rows of {model} share ({', '.join(kwargs.get('columns', []))})."
        else:
            doc = _generic_test_doc(manifest, name, metadata.get("namespace"))
            text = f"{model}: {doc}" if doc else f"dbt test {name} on {model}."
    where = test.get("config", {}).get("where")
    if where:
        text += f" Rows checked: where {where}."
    if (test.get("config", {}).get("severity") or "error").lower() == "warn":
        text += " Warns only: it does not stop the run."
    return text


class QueryUnderstandingTranslator(DagsterDbtTranslator):
    """Groups dbt nodes by pipeline stage so the UI reads catalog -> staging -> datasets; every
    node owned by the team, described by its YAML description (no raw SQL: the catalog list
    shows the first lines of a description), every test described in words."""

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

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        """The YAML description alone; the SQL is one click away (the code version and the file)."""
        props = dbt_resource_props
        return (props.get("description") or "").strip() or f"dbt {props['resource_type']} {props['name']}."

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return list(OWNERS)

    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        return spec._replace(description=test_description(manifest, manifest["nodes"][unique_id]))


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


#: dbt sources that no asset of this graph writes (files the user or the service provides), as
#: external assets in the group of the stage they feed, rather than alone in "default".
EXTERNAL_SOURCES = {
    "prediction_logs": ("serving", "json"),
    "catalog_feed": ("catalog", "file"),
    "catalog_aliases_feed": ("catalog", "file"),
    "click_logs_feed": ("raw", "file"),
}


def _external_source_specs() -> list[dg.AssetSpec]:
    manifest = json.loads(dbt_project().manifest_path.read_text())
    specs = []
    for source in manifest["sources"].values():
        key = source.get("meta", {}).get("dagster", {}).get("asset_key")
        if not key or key[-1] not in EXTERNAL_SOURCES:
            continue
        group, kind = EXTERNAL_SOURCES[key[-1]]
        columns = [
            dg.TableColumn(name, column.get("data_type") or "varchar", description=column.get("description"))
            for name, column in source.get("columns", {}).items()
        ]
        specs.append(
            dg.AssetSpec(
                key=dg.AssetKey(key),
                description=(source.get("description") or "").strip() or None,
                group_name=group,
                kinds={kind},
                owners=OWNERS,
                metadata={"dagster/column_schema": dg.TableSchema(columns=columns)},
            )
        )
    return specs


external_sources = _external_source_specs()
