"""ONNX export: self-contained folder, fp32 parity at several shapes, int8 agreement, and
corrupted graphs caught by the same helpers a pipeline check uses."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from transformer_support import tiny_export, tiny_run  # noqa: E402

from query_understanding.bio import validate_bio  # noqa: E402
from query_understanding.transformer.decoding import DecoderSettings  # noqa: E402
from query_understanding.transformer.export import (  # noqa: E402
    export_onnx,
    logits_parity,
    probe_shapes,
    tag_agreement,
    verify_export,
)
from query_understanding.transformer.onnx_tagger import OnnxTagger  # noqa: E402
from query_understanding.transformer.torch_tagger import TorchTagger  # noqa: E402


@pytest.fixture(scope="session")
def run():
    return tiny_run()


@pytest.fixture(scope="session")
def export_dir(run):
    return tiny_export()


@pytest.fixture(scope="session")
def torch_tagger(run):
    return TorchTagger(run.model, run.tokenizer)


def test_export_folder_is_self_contained(export_dir):
    names = {p.name for p in export_dir.iterdir()}
    assert {"model.onnx", "model.int8.onnx", "tokenizer.json", "word_encoder.json", "onnx_tagger.json"} <= names
    config = json.loads((export_dir / "onnx_tagger.json").read_text())
    assert config["id2label"]["0"] == "O" and len(config["id2label"]) == 7
    graph = onnx.load(str(export_dir / "model.onnx")).graph
    assert [i.name for i in graph.input] == config["input_names"]
    assert {"input_ids", "attention_mask", "token_type_ids"} == set(config["input_names"])
    dims = [d.dim_param for d in graph.input[0].type.tensor_type.shape.dim]
    assert dims == ["batch", "sequence"]  # dynamic axes, not baked-in sizes
    assert (export_dir / "model.int8.onnx").stat().st_size < (export_dir / "model.onnx").stat().st_size


@pytest.mark.parametrize("batch_size", [1, 3, 17])
@pytest.mark.parametrize("length", ["short", "long"])
def test_fp32_logits_match_torch_at_several_shapes(run, export_dir, batch_size, length):
    batch = probe_shapes(run.dev_tokens, (batch_size,))[f"batch{batch_size}_{length}"]
    assert len(batch) == batch_size
    diff = logits_parity(run.model, export_dir / "model.onnx", run.tokenizer, batch)
    assert diff < 1e-4


def test_parity_accepts_raw_query_strings(run, export_dir):
    diff = logits_parity(
        run.model,
        export_dir / "model.onnx",
        run.tokenizer,
        ["Nike red t-shirt", "x", "hydroflask water bottle for kids , 3/4"],
    )
    assert diff < 1e-4


def test_fp32_onnx_tags_equal_torch_tags(run, export_dir, torch_tagger):
    onnx_tagger = OnnxTagger.from_dir(export_dir, "fp32")
    assert onnx_tagger.predict_tags(run.dev_tokens) == torch_tagger.predict_tags(run.dev_tokens)
    assert tag_agreement(torch_tagger, onnx_tagger, run.dev_tokens) == 1.0


def test_viterbi_decoding_travels_with_the_export_and_decodes_identically(run, tmp_path):
    decoder = DecoderSettings(decoding="viterbi")
    torch_viterbi = TorchTagger(run.model, run.tokenizer, decoder=decoder)
    torch_viterbi.save(tmp_path / "torch")
    export_onnx(run.model, run.tokenizer, tmp_path / "onnx", quantize=False, decoder=decoder)
    reloaded = TorchTagger.from_dir(tmp_path / "torch", device="cpu")
    onnx_tagger = OnnxTagger.from_dir(tmp_path / "onnx", "fp32")
    assert reloaded.decoder == onnx_tagger.decoder == decoder
    expected = torch_viterbi.predict_tags_with_scores(run.dev_tokens)
    assert onnx_tagger.predict_tags(run.dev_tokens) == [tags for tags, _ in expected]
    assert reloaded.predict_tags(run.dev_tokens) == [tags for tags, _ in expected]
    for tags, _ in expected:  # raw tags, before any repair: valid BIO by construction
        validate_bio(tags, ["w"] * len(tags))


def test_int8_agreement_is_computed_and_high(run, export_dir, torch_tagger):
    int8 = OnnxTagger.from_dir(export_dir, "int8")
    agreement = tag_agreement(torch_tagger, int8, run.dev_tokens)
    assert 0.9 <= agreement <= 1.0


def test_verify_export_passes_a_good_export(run, export_dir, torch_tagger):
    report = verify_export(torch_tagger, export_dir, run.dev_tokens)
    assert report["passed"], report["problems"]
    assert set(report["parity"]) == {f"batch{b}_{s}" for b in (1, 3, 17) for s in ("short", "long")}
    assert report["fp32_max_abs_diff"] < 1e-4 and report["fp32_tag_agreement"] == 1.0
    assert "int8_tag_agreement" in report


def _copy_export(export_dir, tmp_path):
    target = tmp_path / "export"
    shutil.copytree(export_dir, target)
    return target


def test_perturbed_weights_are_detected(run, export_dir, torch_tagger, tmp_path):
    broken = _copy_export(export_dir, tmp_path)
    model = onnx.load(str(broken / "model.onnx"))
    big = max(model.graph.initializer, key=lambda t: np.prod(t.dims))  # the embedding matrix
    values = onnx.numpy_helper.to_array(big).copy()
    values += np.random.default_rng(0).normal(0, 0.05, values.shape).astype(values.dtype)
    big.CopyFrom(onnx.numpy_helper.from_array(values, big.name))
    onnx.save(model, str(broken / "model.onnx"))

    assert logits_parity(run.model, broken / "model.onnx", run.tokenizer, run.dev_tokens[:8]) > 1e-3
    report = verify_export(torch_tagger, broken, run.dev_tokens)
    assert not report["passed"]
    assert any("fp32 logits differ" in p for p in report["problems"])


def test_truncated_file_is_detected(run, export_dir, torch_tagger, tmp_path):
    broken = _copy_export(export_dir, tmp_path)
    data = (broken / "model.onnx").read_bytes()
    (broken / "model.onnx").write_bytes(data[: len(data) // 2])

    with pytest.raises(Exception, match="(?i)protobuf|invalid|load"):  # onnxruntime's own error type
        logits_parity(run.model, broken / "model.onnx", run.tokenizer, run.dev_tokens[:3])
    report = verify_export(torch_tagger, broken, run.dev_tokens)
    assert not report["passed"] and report["problems"]


def test_int8_disagreement_fails_the_gate(run, export_dir, torch_tagger, tmp_path):
    broken = _copy_export(export_dir, tmp_path)
    shutil.copyfile(run.root / "onnx" / "model.onnx", broken / "model.onnx")  # fp32 stays good
    model = onnx.load(str(broken / "model.int8.onnx"))
    for init in model.graph.initializer:  # flip the sign of every int8 weight
        if init.data_type == onnx.TensorProto.INT8:
            arr = onnx.numpy_helper.to_array(init)
            init.CopyFrom(
                onnx.numpy_helper.from_array((-arr.astype(np.int16)).clip(-127, 127).astype(np.int8), init.name)
            )
    onnx.save(model, str(broken / "model.int8.onnx"))
    report = verify_export(torch_tagger, broken, run.dev_tokens)
    assert report["fp32_max_abs_diff"] < 1e-4
    assert report["int8_tag_agreement"] < 0.95 and not report["passed"]
