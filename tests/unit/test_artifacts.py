"""Model artifacts: content-addressed ids, manifests with lineage, atomic writes, loading."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from query_understanding.artifacts import (
    LOADERS,
    MANIFEST,
    ArtifactError,
    ModelManifest,
    code_version,
    data_version,
    load_manifest,
    load_tagger,
    loader_for,
    save_artifact,
    save_tagger,
    verify_artifact,
)
from query_understanding.crf import CRFConfig, CRFTagger, train_crf
from query_understanding.evaluation import MostFrequentTagTagger

REPO = Path(__file__).resolve().parents[2]


def test_saved_artifact_layout_and_manifest(tiny_crf, tmp_path):
    path, manifest = save_tagger(
        tiny_crf,
        tmp_path,
        data_version="d1",
        metrics={"f1_micro": 0.9},
        parent_model_id="crf-000000000000",
        extra={"note": "x"},
    )
    assert path == tmp_path / "crf" / manifest.model_id
    assert manifest.model_id.startswith("crf-") and len(manifest.model_id) == len("crf-") + 12
    assert sorted(p.name for p in path.iterdir()) == sorted(
        ["clusters.json", "clusters_tokenizer.json", "config.json", MANIFEST, "model.crfsuite"]
    )
    assert [f["path"] for f in manifest.files] == [
        "clusters.json",
        "clusters_tokenizer.json",
        "config.json",
        "model.crfsuite",
    ]
    assert manifest.code_version == code_version()
    assert manifest.config["c1"] == tiny_crf.config.c1
    assert load_manifest(path) == manifest
    assert manifest.created_at.endswith("+00:00")
    assert not [p for p in (tmp_path / "crf").iterdir() if p.name.startswith(".tmp")]


def test_manifest_json_round_trip():
    manifest = ModelManifest(
        "onnx",
        "onnx-abc",
        "2024-01-01T00:00:00+00:00",
        "d",
        "c",
        {"a": 1},
        {"f1": 0.5},
        "transformer-def",
        [],
        {"k": "v"},
    )
    assert ModelManifest.from_dict(json.loads(manifest.to_json())) == manifest


def test_manifest_without_identity_fields_is_rejected(tmp_path):
    (tmp_path / MANIFEST).write_text('{"model_kind": "crf"}')
    with pytest.raises(ArtifactError, match="lacks"):
        load_manifest(tmp_path)


def test_the_same_model_and_config_give_the_same_id_and_directory(tiny_crf, tmp_path):
    first, m1 = save_tagger(tiny_crf, tmp_path, metrics={"f1_micro": 0.9})
    second, m2 = save_tagger(tiny_crf, tmp_path, metrics={"f1_micro": 0.1})
    assert first == second and m1.model_id == m2.model_id
    assert m2.metrics == {"f1_micro": 0.9}  # the existing artifact is kept untouched
    assert len(list((tmp_path / "crf").iterdir())) == 1


def test_a_different_model_or_config_gives_a_new_id(tiny_crf, tiny_examples, tmp_path):
    _, base = save_tagger(tiny_crf, tmp_path)
    _, other_config = save_tagger(tiny_crf, tmp_path, config={"c1": 123})
    retrained = train_crf(tiny_examples[:50], CRFConfig(max_iterations=10))
    _, other_model = save_tagger(retrained, tmp_path)
    assert len({base.model_id, other_config.model_id, other_model.model_id}) == 3


def test_load_tagger_keeps_predictions_identical(tiny_crf, tiny_examples, tmp_path):
    path, _ = save_tagger(tiny_crf, tmp_path)
    loaded = load_tagger(path)
    assert isinstance(loaded, CRFTagger)
    tokens = [e.tokens for e in tiny_examples]
    assert loaded.predict_tags_with_scores(tokens) == tiny_crf.predict_tags_with_scores(tokens)


def test_tampered_files_are_detected(tiny_crf, tmp_path):
    path, _ = save_tagger(tiny_crf, tmp_path)
    (path / "model.crfsuite").write_bytes(b"corrupt")
    with pytest.raises(ArtifactError, match="does not match its recorded sha256"):
        verify_artifact(path)
    (path / "model.crfsuite").unlink()
    with pytest.raises(ArtifactError, match="is missing"):
        load_tagger(path)


def test_a_failing_writer_leaves_nothing_behind(tmp_path):
    def broken(directory: Path) -> None:
        (directory / "half.bin").write_bytes(b"x")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        save_artifact(broken, tmp_path, model_kind="crf")
    assert list((tmp_path / "crf").iterdir()) == []


def test_not_an_artifact_and_unknown_kinds_are_clear_errors(tmp_path):
    with pytest.raises(ArtifactError, match="no manifest.json"):
        load_tagger(tmp_path)
    path, _ = save_artifact(lambda d: (d / "w").write_text("w"), tmp_path, model_kind="mystery")
    with pytest.raises(ArtifactError, match="no loader for model kind 'mystery'"):
        load_tagger(path)


def load_table_tagger(path: Path) -> MostFrequentTagTagger:
    """A loader for the test kind below (an entry of the static loader table)."""
    return MostFrequentTagTagger(json.loads((path / "table.json").read_text()))


def test_loaders_are_dispatched_on_model_kind_from_the_static_table(tmp_path, monkeypatch):
    table = {"nike": "B-BRAND"}
    monkeypatch.setitem(LOADERS, "test_table", f"{__name__}:load_table_tagger")
    path, manifest = save_artifact(
        lambda d: (d / "table.json").write_text(json.dumps(table)), tmp_path, model_kind="test_table"
    )
    assert manifest.model_id.startswith("test_table-")
    assert load_tagger(path).predict_tags([["nike", "x"]]) == [["B-BRAND", "O"]]


def test_every_kind_in_the_loader_table_resolves_to_a_function():
    for kind in LOADERS:
        assert callable(loader_for(kind)), kind


def test_code_version_changes_when_any_source_file_changes(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "b.py").write_text("y = 2\n")
    before = code_version(package)
    assert code_version(package) == before and len(before) == 12
    (package / "sub" / "b.py").write_text("y = 3\n")
    assert code_version(package) != before


def test_data_version_hashes_file_contents(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("1\n")
    b.write_text("1\n")
    assert data_version([a]) == data_version([b])
    b.write_text("2\n")
    assert data_version([a]) != data_version([b])


def test_loading_a_crf_artifact_does_not_import_torch(tiny_crf, tmp_path):
    path, _ = save_tagger(tiny_crf, tmp_path)
    script = (
        "import sys; from query_understanding.artifacts import load_tagger; "
        f"t = load_tagger({str(path)!r}); t.parse(['nike shoes']); "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
