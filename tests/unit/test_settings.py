"""Specification: one name and one default per location, and every variable in one table."""

from __future__ import annotations

import re
from pathlib import Path

from query_understanding.settings import PROJECT_ROOT, VARIABLES, Locations

#: Where the project's own code and configuration live (tests may read variables of their own).
PROJECT_FILES = [
    p
    for pattern in ("*.py", "*.sh", "*.yml", "*.yaml", "*.sql")
    for p in PROJECT_ROOT.rglob(pattern)
    if not {".venv", ".label-studio-venv", "tests", "target", "dbt_packages", "dagster_home", "data"}
    & set(p.relative_to(PROJECT_ROOT).parts)
]


def test_every_location_defaults_under_the_data_folder(tmp_path):
    locations = Locations.from_env({}, root=tmp_path)
    assert locations.data_dir == tmp_path / "data"
    assert locations.warehouse == tmp_path / "data" / "warehouse.duckdb"
    assert locations.model_dir == tmp_path / "data" / "models"
    assert locations.registry_home == tmp_path / "data" / "registry"
    assert locations.prediction_log_dir == tmp_path / "data" / "prediction_logs"
    assert (locations.annotated_queries, locations.dbt_target) == ("", "duckdb")


def test_one_variable_moves_one_location_and_qu_data_dir_moves_the_rest(tmp_path):
    env = {"QU_DATA_DIR": str(tmp_path / "elsewhere"), "QU_REGISTRY_HOME": str(tmp_path / "reg")}
    locations = Locations.from_env(env, root=tmp_path)
    assert locations.registry_home == tmp_path / "reg"
    assert locations.prediction_log_dir == tmp_path / "elsewhere" / "prediction_logs"


def test_every_variable_the_project_reads_is_in_the_table():
    used = set()
    for path in PROJECT_FILES:
        used |= set(re.findall(r"\bQU_[A-Z][A-Z_]*[A-Z]\b", path.read_text(errors="replace")))
    assert used <= {v.name for v in VARIABLES}, sorted(used - {v.name for v in VARIABLES})


def test_the_readme_documents_every_variable_once():
    readme = (PROJECT_ROOT / "README.md").read_text()
    rows = re.findall(r"^\| `(QU_[A-Z_]+)` \|", readme, flags=re.MULTILINE)
    assert sorted(rows) == sorted(v.name for v in VARIABLES)


def test_only_the_settings_modules_read_the_environment():
    readers = {
        str(p.relative_to(PROJECT_ROOT))
        for p in PROJECT_FILES
        if p.suffix == ".py" and re.search(r"os\.environ|os\.getenv", p.read_text())
    }
    assert readers <= {
        "query_understanding/settings.py",
        "query_understanding/offline.py",
        "bentos/config.py",
        "definitions.py",
        "assets/bento.py",
    }, readers
    assert Path(PROJECT_ROOT / "query_understanding" / "settings.py").is_file()
