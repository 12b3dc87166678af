"""Specification: the lean request path's settings: /parse untraced and no access log unless
asked for, metrics always on, workers per core on request, and cheap unique request ids that
still split A/B traffic evenly."""

from __future__ import annotations

import pytest

from bentos.config import ConfigError, ServeSettings, choose_arm, parse_ab_tags
from bentos.lean import RequestIds, service_config


def test_the_default_config_keeps_metrics_and_drops_parse_tracing_and_the_access_log(monkeypatch):
    for name in ("QU_ACCESS_LOG", "QU_TRACE_PARSE", "QU_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    config = service_config(ServeSettings.from_env())
    assert config["metrics"] == {"enabled": True}
    assert config["tracing"] == {"excluded_urls": ["/parse"]}
    assert config["logging"] == {"access": {"enabled": False}}


def test_settings_turn_tracing_the_access_log_and_per_core_workers_back_on(monkeypatch):
    monkeypatch.setenv("QU_ACCESS_LOG", "on")
    monkeypatch.setenv("QU_TRACE_PARSE", "1")
    monkeypatch.setenv("QU_WORKERS", "auto")
    settings = ServeSettings.from_env()
    assert service_config(settings)["tracing"] == {} and service_config(settings)["logging"]["access"]["enabled"]
    assert settings.workers == "cpu_count"
    monkeypatch.setenv("QU_ACCESS_LOG", "loud")
    with pytest.raises(ConfigError, match="QU_ACCESS_LOG"):
        ServeSettings.from_env()


def test_generated_request_ids_are_unique_per_process_and_split_ab_traffic_evenly():
    first, second = RequestIds(), RequestIds()
    ids = [first.next() for _ in range(4000)]
    assert len(set(ids)) == len(ids) and first.prefix != second.prefix
    arms = parse_ab_tags("qu-a:1:0.5,qu-b:1:0.5")
    share = sum(choose_arm(arms, i) == "qu-a:1" for i in ids) / len(ids)
    assert 0.45 < share < 0.55


def test_workers_default_to_one_per_core_on_a_cpu_and_to_one_where_a_gpu_serves(monkeypatch):
    from bentos import config

    for name in ("QU_WORKERS", "QU_GPUS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(config.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(config.Path, "exists", lambda self: False)  # no /dev/nvidia0
    assert ServeSettings.from_env().workers == "cpu_count"
    monkeypatch.setenv("QU_GPUS", "1")
    assert ServeSettings.from_env().workers == 1
    monkeypatch.delenv("QU_GPUS")
    monkeypatch.setattr(config.Path, "exists", lambda self: str(self) == "/dev/nvidia0")
    assert ServeSettings.from_env().workers == 1
    monkeypatch.setattr(config.Path, "exists", lambda self: False)
    monkeypatch.setattr(config.os, "cpu_count", lambda: 1)
    assert ServeSettings.from_env().workers == 1
    monkeypatch.setenv("QU_WORKERS", "3")
    assert ServeSettings.from_env().workers == 3


def test_settling_the_heap_freezes_what_is_loaded_and_still_frees_what_a_reload_replaced():
    import gc
    import weakref

    from bentos.lean import settle_heap

    class Model:
        pass

    old = Model()
    old.cycle = old  # only the cycle collector can free it
    gone = weakref.ref(old)
    try:
        settle_heap()
        assert gc.get_freeze_count() > 0 and gone() is not None
        del old  # a reload dropped the previous model set
        settle_heap()
        assert gone() is None
    finally:
        gc.unfreeze()
