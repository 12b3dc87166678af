"""Specification: each Launchpad config and the domain dataclass it builds agree on every shared
field's name and default, and every Launchpad-only field is one of the few declared below."""

from __future__ import annotations

from dataclasses import MISSING, fields

import pytest

from assets.comparison import ComparisonConfig
from assets.crf import CRFTrainConfig
from assets.onnx import OnnxExportConfig
from assets.transformer import TransformerTrainConfig
from pipeline.configs import build, shared_fields
from query_understanding.champion import ChampionRule
from query_understanding.crf import CRFConfig
from query_understanding.export_gate import ExportGate
from query_understanding.transformer.config import TransformerConfig

PAIRS = [
    (CRFTrainConfig, CRFConfig, {"search_c1_c2", "train_sources", "max_synthetic_train"}),
    (TransformerTrainConfig, TransformerConfig, {"max_synthetic_train", "train_sources"}),
    (ComparisonConfig, ChampionRule, {"servable_kinds", "latency_queries"}),
    (OnnxExportConfig, ExportGate, set()),
]


def domain_default(domain_class: type, name: str):
    field = next(f for f in fields(domain_class) if f.name == name)
    return field.default_factory() if field.default is MISSING else field.default


@pytest.mark.parametrize(
    ("config_class", "domain_class", "own_fields"), PAIRS, ids=lambda p: getattr(p, "__name__", "")
)
def test_shared_fields_have_the_domain_default(config_class, domain_class, own_fields):
    shared = shared_fields(config_class, domain_class)
    assert shared, "the Launchpad config exposes none of the domain fields"
    assert set(config_class.model_fields) - set(shared) == own_fields
    for name in shared:
        assert config_class.model_fields[name].default == domain_default(domain_class, name), name


@pytest.mark.parametrize(
    ("config_class", "domain_class", "own_fields"), PAIRS, ids=lambda p: getattr(p, "__name__", "")
)
def test_every_launchpad_field_has_a_description(config_class, domain_class, own_fields):
    for name, field in config_class.model_fields.items():
        assert field.description, f"{config_class.__name__}.{name} has no description"


def test_build_carries_a_launchpad_value_into_the_domain_config():
    built = build(TransformerTrainConfig(max_length=20, epochs=1), TransformerConfig)
    assert (built.max_length, built.epochs) == (20, 1)
    assert built.weight_decay == TransformerConfig().weight_decay  # not exposed: the domain default
