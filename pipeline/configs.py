"""Launchpad configs that build the domain's config dataclasses, so each setting has one default.

A Dagster ``Config`` of a model asset exposes a subset of a domain dataclass's fields (same
names, defaults read from the dataclass) plus a few fields of its own (which rows to train on,
how much to time). :func:`build` turns it into the dataclass; ``tests/unit/test_configs.py``
checks for every pair that the shared fields agree in name and default.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

import dagster as dg

T = TypeVar("T")


def shared_fields(config_class: type[dg.Config], domain_class: type) -> list[str]:
    """Fields the Dagster config and the domain dataclass both have."""
    domain = {f.name for f in fields(domain_class)}
    return [name for name in config_class.model_fields if name in domain]


def build(config: dg.Config, domain_class: type[T], **overrides: Any) -> T:
    """``domain_class`` from the shared fields of ``config`` (its other fields keep their defaults)."""
    values = {name: getattr(config, name) for name in shared_fields(type(config), domain_class)}
    return domain_class(**{**values, **overrides})
