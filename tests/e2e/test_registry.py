"""Model registry and champion log: register/list/get, promote, rollback, pin, history, CLI."""

from __future__ import annotations

import json

import pytest

from model_registry import ModelRegistry, RegistryError, UnknownTagError
from model_registry.champion_log import EVENTS_FILE, SNAPSHOT_FILE
from model_registry.cli import main as cli
from query_understanding.artifacts import load_manifest, load_tagger
from query_understanding.evaluation.scores import metric_keys


def test_register_list_get(registry, tiny_artifacts):
    tag = registry.register(tiny_artifacts["a"])
    manifest = load_manifest(tiny_artifacts["a"])
    assert tag == f"qu-crf:{manifest.model_id}"
    assert registry.register(tiny_artifacts["a"]) == tag  # idempotent for the same model_id
    tag_b = registry.register(tiny_artifacts["b"])

    versions = registry.list_versions()
    assert [v.tag for v in versions] == [tag, tag_b]
    v = versions[0]
    assert (v.kind, v.model_id, v.data_version) == ("crf", manifest.model_id, "synthetic-7")
    assert v.code_version == manifest.code_version and v.metrics == manifest.metrics

    stored = registry.store.get(tag)
    assert stored.info.labels["model_id"] == manifest.model_id
    assert stored.info.metadata["config"]["c1"] == manifest.config["c1"]

    path, got = registry.get(tag)
    assert got.model_id == manifest.model_id and path != tiny_artifacts["a"]
    assert registry.get("qu-crf:latest")[1].model_id in {manifest.model_id, load_manifest(tiny_artifacts["b"]).model_id}
    parsed = load_tagger(path).parse(["blue shoes by prada"])[0]
    assert parsed.brand == "prada" and parsed.color == "blue"


def test_unknown_tag(registry):
    with pytest.raises(UnknownTagError, match="unknown model tag"):
        registry.get("qu-crf:does-not-exist")
    with pytest.raises(UnknownTagError):
        registry.promote("qu-crf:does-not-exist")
    assert registry.served_tag() is None


def test_promote_rollback_history(registry, tiny_artifacts):
    a, b = registry.register(tiny_artifacts["a"]), registry.register(tiny_artifacts["b"])
    with pytest.raises(RegistryError, match="nothing to roll back"):
        registry.rollback()
    registry.promote(a, reason="first")
    assert registry.champion() == a
    with pytest.raises(RegistryError, match="only champion"):
        registry.rollback()
    registry.promote(b, reason="better f1")
    assert registry.champion() == b and registry.served_tag() == b
    assert registry.promote(b).champion == b  # already champion: no new event

    state = registry.rollback(reason="regression in prod")
    assert state.champion == a and registry.served_tag() == a

    history = registry.history()
    assert [e["action"] for e in history] == ["promote", "promote", "rollback"]
    assert history[1] | {"time": None} == {
        "time": None,
        "action": "promote",
        "tag": b,
        "previous_tag": a,
        "reason": "better f1",
    }
    assert history[2]["tag"] == a and history[2]["previous_tag"] == b
    assert history[2]["reason"] == "regression in prod"
    snapshot = json.loads((registry.home / SNAPSHOT_FILE).read_text())
    assert snapshot["champion"] == a and snapshot["events"] == 3

    # the log is the truth: a fresh registry object replays it
    assert ModelRegistry(registry.home).champion() == a


def test_pin_overrides_promotions(registry, tiny_artifacts):
    a, b = registry.register(tiny_artifacts["a"]), registry.register(tiny_artifacts["b"])
    registry.promote(a)
    registry.pin(b, reason="hold during incident")
    assert registry.served_tag() == b and registry.champion() == a
    registry.promote(a)  # no-op, and promotions do not move a pin
    assert registry.served_tag() == b
    state = registry.unpin()
    assert state.pinned is None and registry.served_tag() == a
    assert registry.unpin().events == state.events  # nothing pinned: no event
    assert [e["action"] for e in registry.history()] == ["promote", "pin", "unpin"]


def test_torn_last_line_is_skipped_and_terminated(registry, tiny_artifacts):
    a, b = registry.register(tiny_artifacts["a"]), registry.register(tiny_artifacts["b"])
    registry.promote(a)
    with open(registry.home / EVENTS_FILE, "ab") as fh:  # a crash in the middle of an append
        fh.write(b'{"action": "promote", "tag": "qu-crf:')
    state = registry.state()
    assert state.champion == a and state.skipped_lines == 1
    registry.promote(b)
    lines = (registry.home / EVENTS_FILE).read_bytes().splitlines()
    assert len(lines) == 3 and json.loads(lines[-1])["tag"] == b
    assert registry.state().chain == [a, b]


def test_damaged_stored_copy_is_registered_again(registry, tiny_artifacts):
    tag = registry.register(tiny_artifacts["a"])
    path, _ = registry.get(tag)
    (path / "model.crfsuite").write_bytes(b"garbage")
    assert registry.register(tiny_artifacts["a"]) == tag
    load_tagger(registry.get(tag)[0])  # verifies hashes


def test_cli(registry, tiny_artifacts, capsys):
    home = str(registry.home)
    assert cli(["--home", home, "register", str(tiny_artifacts["a"])]) == 0
    a = capsys.readouterr().out.strip()
    assert cli(["--home", home, "--json", "register", str(tiny_artifacts["b"])]) == 0
    b = json.loads(capsys.readouterr().out)["tag"]

    assert cli(["--home", home, "promote", a, "--reason", "first"]) == 0
    assert cli(["--home", home, "promote", b]) == 0
    out = capsys.readouterr().out
    assert f"promoted {b}" in out

    assert cli(["--home", home, "list"]) == 0
    listing = capsys.readouterr().out
    assert a in listing and b in listing and "champion" in listing

    assert cli(["--home", home, "show", a]) == 0
    assert "test_f1_micro" in capsys.readouterr().out

    assert cli(["--home", home, "--json", "compare", a, b]) == 0
    compared = json.loads(capsys.readouterr().out)
    f1_a, f1_b = (metric_keys(load_manifest(tiny_artifacts[k]).metrics)["test_f1_micro"] for k in "ab")
    assert compared["metrics"]["test_f1_micro"] == {"a": f1_a, "b": f1_b, "delta": pytest.approx(f1_b - f1_a)}

    assert cli(["--home", home, "rollback", "--reason", "oops"]) == 0
    assert cli(["--home", home, "pin", b]) == 0
    assert cli(["--home", home, "unpin"]) == 0
    assert cli(["--home", home, "--json", "history"]) == 0
    capsys.readouterr()
    assert cli(["--home", home, "--json", "history"]) == 0
    actions = [e["action"] for e in json.loads(capsys.readouterr().out)]
    assert actions == ["promote", "promote", "rollback", "pin", "unpin"]
    assert cli(["--home", home, "served"]) == 0
    assert capsys.readouterr().out.strip() == a

    for args in (["show", "qu-crf:nope"], ["promote", "qu-crf:nope"], ["pin", "nope"], ["compare", a, "qu-crf:nope"]):
        assert cli(["--home", home, *args]) == 2
        assert "unknown model tag" in capsys.readouterr().err
    assert cli(["--home", home, "rollback"]) == 1  # only one champion left in the chain
    assert "nothing to roll back" in capsys.readouterr().err
