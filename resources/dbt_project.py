"""The dbt project (a cached factory) and the dbt CLI resource.

``@dbt_assets`` needs the dbt manifest when the asset modules are imported. :func:`dbt_project`
builds the ``DbtProject`` once per process and parses it when the manifest is missing or older
than a dbt file (``dagster dev``, tests, ``dagster job execute``, a fresh clone alike), so no
entry point needs a separate ``dbt parse`` step and an edit is never silently ignored. It runs
the dbt beside this interpreter, so the venv need not be activated (dagster-dbt's own preparer
looks ``dbt`` up on PATH). Deployments should run ``dagster-dbt project
prepare-and-package``. Settings reach dbt as ``--vars`` (see ``assets/dbt_models.py``), never
through the environment.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from query_understanding.settings import PROJECT_ROOT, Locations

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"


def manifest_is_stale(project: DbtProject) -> bool:
    """True when the manifest is missing or older than any file of the dbt project."""
    if not project.manifest_path.exists():
        return True
    built = project.manifest_path.stat().st_mtime
    sources = [project.project_dir / "dbt_project.yml", project.project_dir / "profiles.yml"]
    for folder in ("models", "macros", "tests", "seeds"):
        sources += (project.project_dir / folder).rglob("*")
    return any(path.is_file() and path.stat().st_mtime > built for path in sources)


@cache
def dbt_project() -> DbtProject:
    """The project for the configured target (``QU_DBT_TARGET``, default ``QU_WAREHOUSE``'s, duckdb),
    its manifest (``dbt/target/``, ``dbt/target/<target>/`` for another target) parsed when missing
    or stale (once per process); the dbt resource inherits the target."""
    target = Locations.from_env().dbt_target
    # One manifest per target: it names each model's schema, which differs between targets.
    target_path = "target" if target == "duckdb" else f"target/{target}"
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target=target, target_path=target_path
    )
    if manifest_is_stale(project):
        cli = DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
        cli.cli(["--quiet", "parse"], target_path=project.target_path).wait()
    return project


def dbt_executable() -> str:
    """dbt beside this interpreter (the venv need not be activated), else ``dbt`` on PATH."""
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else "dbt"


def dbt_cli_resource(project_dir: str | Path | None = None) -> DbtCliResource:
    """The dbt CLI for ``project_dir`` (default: this project, at its configured target)."""
    return DbtCliResource(
        project_dir=str(project_dir) if project_dir else dbt_project(), dbt_executable=dbt_executable()
    )
