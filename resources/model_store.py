"""Where model artifacts and the model registry live (local folders by default)."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from bentos.registry import ModelRegistry  # BentoML code lives in bentos/; imported eagerly on purpose
from resources.settings import DATA_DIR


class ModelStore(dg.ConfigurableResource):
    """Artifact root (``<root>/<kind>/<model_id>/``) and the registry's BentoML home.

    Defaults: ``data/models`` and ``data/registry``; ``QU_MODEL_DIR`` and ``QU_REGISTRY_HOME``
    override them (tests point both at temporary folders).
    """

    root: str = os.environ.get("QU_MODEL_DIR", str(DATA_DIR / "models"))
    registry_home: str = os.environ.get("QU_REGISTRY_HOME", str(DATA_DIR / "registry"))

    def registry(self) -> ModelRegistry:
        """The model registry (BentoML model store + champion log) at ``registry_home``."""
        return ModelRegistry(Path(self.registry_home).resolve())

    @property
    def root_path(self) -> Path:
        path = Path(self.root).resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path
