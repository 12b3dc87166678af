"""The dbt project and the dbt CLI resource.

``@dbt_assets`` needs the dbt manifest when the definitions are imported. Under ``dagster dev``
``prepare_if_dev`` re-parses the project on every load; elsewhere (tests, ``dagster job
execute``, a fresh clone) we parse when the manifest is missing or older than a dbt file, so no
entry point needs a separate ``dbt parse`` step and an edit is never silently ignored.
Deployments should run ``dagster-dbt project prepare-and-package``.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from resources.settings import PROJECT_ROOT

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"

# dbt is installed beside this interpreter; make it findable when the venv is not activated
# (e.g. `.venv/bin/dagster dev`), since dagster-dbt looks the executable up on PATH.
if shutil.which("dbt") is None:
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

DBT_PROJECT = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target=os.environ.get("QU_DBT_TARGET"),  # None -> the profile's default (embedded DuckDB)
)


def manifest_is_stale(project: DbtProject) -> bool:
    """True when the manifest is missing or older than any file of the dbt project."""
    if not project.manifest_path.exists():
        return True
    built = project.manifest_path.stat().st_mtime
    sources = [project.project_dir / "dbt_project.yml", project.project_dir / "profiles.yml"]
    for folder in ("models", "macros", "tests", "seeds"):
        sources += (project.project_dir / folder).rglob("*")
    return any(path.is_file() and path.stat().st_mtime > built for path in sources)


DBT_PROJECT.prepare_if_dev()
if manifest_is_stale(DBT_PROJECT):
    DBT_PROJECT.preparer.prepare(DBT_PROJECT)


def dbt_cli_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=DBT_PROJECT)
