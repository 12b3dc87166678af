"""Gold JSONL reading: examples with flags and sources, and errors naming file and line."""

from __future__ import annotations

import json

import pytest

from query_understanding.example import Example
from query_understanding.gold import GoldFileError, read_gold, write_gold


def write_lines(path, *lines):
    path.write_text("\n".join(lines) + "\n")
    return path


def test_reads_tokens_tags_and_optional_fields(tmp_path):
    row = {
        "id": "q1",
        "query": "Nike  shoes",
        "tokens": ["Nike", "shoes"],
        "tags": ["B-BRAND", "B-TYPE"],
        "source": "annotated",
        "has_typo": False,
        "flags": {"has_unseen_brand": True},
    }
    path = write_lines(tmp_path / "g.jsonl", json.dumps(row), "", json.dumps({"tokens": ["red"], "tags": ["B-COLOR"]}))
    first, second = read_gold(path, source="file")
    assert (first.id, first.query, first.source) == ("q1", "Nike  shoes", "annotated")
    assert first.flags == {"has_typo": False, "has_unseen_brand": True}
    assert second.source == "file" and second.text == "red"


def test_write_then_read_is_the_identity(tmp_path):
    examples = [
        Example(["nike"], ["B-BRAND"], query="nike", flags={"has_typo": True}, source="s", id="1"),
        Example(["red", "x"], ["B-COLOR", "O"]),
    ]
    assert read_gold(write_gold(tmp_path / "g.jsonl", examples)) == examples


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"tokens": ["a"]}', "'tags' must be a list of strings"),
        ('{"tokens": "a b", "tags": ["O", "O"]}', "'tokens' must be a list of strings"),
        ('{"tokens": ["a", "b"], "tags": ["O"]}', "2 tokens but 1 tags"),
        ('{"tokens": ["a"], "tags": ["I-TYPE"]}', "invalid BIO tags: I-TYPE at position 0"),
        ('{"tokens": ["a"], "tags": ["B-SIZE"]}', "invalid BIO tags"),
        ('{"query": "a c", "tokens": ["a", "b"], "tags": ["O", "O"]}', "'query' does not split"),
    ],
)
def test_invalid_lines_are_reported_with_file_and_line_number(tmp_path, line, message):
    path = write_lines(tmp_path / "gold.jsonl", '{"tokens": ["ok"], "tags": ["O"]}', line)
    with pytest.raises(GoldFileError) as excinfo:
        read_gold(path)
    assert str(excinfo.value).startswith(f"{path}:2: ")
    assert message in str(excinfo.value)


def test_a_missing_file_is_a_gold_file_error(tmp_path):
    with pytest.raises(GoldFileError, match="no such gold file"):
        read_gold(tmp_path / "missing.jsonl")


def test_non_utf8_files_are_rejected(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes('{"tokens": ["caf\xe9"], "tags": ["O"]}\n'.encode("latin-1"))
    with pytest.raises(GoldFileError, match="not UTF-8"):
        read_gold(path)
