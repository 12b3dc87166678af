"""The model registry: versions in the BentoML model store, the champion in an append-only log.

Used by the pipeline (the model assets register, ``champion`` promotes) and by the service
(it serves what the registry says), so it lives beside both rather than inside either.
``qu-registry`` (:mod:`model_registry.cli`) is its command line.
"""

from model_registry.registry import ModelRegistry, ModelVersion, RegistryError, UnknownTagError

__all__ = ["ModelRegistry", "ModelVersion", "RegistryError", "UnknownTagError"]
