"""Where model artifacts and the model registry live (local folders by default)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from model_registry import ModelRegistry


class ModelStore(dg.ConfigurableResource):
    """Artifact root (``<root>/<kind>/<model_id>/``) and the registry's home (BentoML home)."""

    root: str
    """Model artifacts (``QU_MODEL_DIR``, default ``data/models``)."""
    registry_home: str
    """Registry: BentoML model store, bentos, champion log (``QU_REGISTRY_HOME``, default ``data/registry``)."""

    def registry(self) -> ModelRegistry:
        """The model registry (BentoML model store + champion log) at ``registry_home``."""
        return ModelRegistry(Path(self.registry_home).resolve())

    @property
    def root_path(self) -> Path:
        path = Path(self.root).resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path
