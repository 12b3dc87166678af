"""Gold-standard JSONL files -> :class:`~query_understanding.evaluation.Example` lists.

One JSON object per line: ``{"tokens": [...], "tags": [...]}`` plus optional ``id``,
``query`` (the original text, whose whitespace tokens must equal ``tokens``), ``source``,
``flags`` and ``has_*`` flag columns (the warehouse's slice flags). Gold data is validated
strictly and every error names the file and line, because a silently skipped or mis-read gold
line changes reported metrics without anyone noticing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from query_understanding.bio import BIOError
from query_understanding.example import Example
from query_understanding.text import tokenize


class GoldFileError(ValueError):
    """A gold file that cannot be read; the message starts with ``path:line:``."""


def _parse_line(text: str, where: str, source: str | None) -> Example:
    try:
        row = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GoldFileError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(row, dict):
        raise GoldFileError(f"{where}: expected a JSON object, got {type(row).__name__}")
    for key in ("tokens", "tags"):
        value = row.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise GoldFileError(f"{where}: {key!r} must be a list of strings")
    if len(row["tokens"]) != len(row["tags"]):
        raise GoldFileError(f"{where}: {len(row['tokens'])} tokens but {len(row['tags'])} tags")
    query = row.get("query")
    if query is not None:
        if not isinstance(query, str) or [t.text for t in tokenize(query)] != row["tokens"]:
            raise GoldFileError(f"{where}: 'query' does not split into the given tokens")
    if source is not None and "source" not in row:
        row = {**row, "source": source}
    try:
        return Example.from_dict(row)
    except BIOError as exc:
        raise GoldFileError(f"{where}: invalid BIO tags: {exc}") from exc
    except (TypeError, ValueError, AttributeError) as exc:
        raise GoldFileError(f"{where}: {exc}") from exc


def read_gold(path: str | Path, source: str | None = None) -> list[Example]:
    """Read and validate a gold JSONL file (blank lines are skipped).

    ``source`` is recorded on examples whose line has no ``source`` field. Raises
    :class:`GoldFileError` for a missing or unreadable file or the first invalid line.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise GoldFileError(f"{path}: no such gold file")
    examples = []
    try:
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if line.strip():
                    examples.append(_parse_line(line, f"{path}:{number}", source))
    except UnicodeDecodeError as exc:
        raise GoldFileError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    return examples


def write_gold(path: str | Path, examples: Iterable[Example]) -> Path:
    """Write examples as gold JSONL (the format :func:`read_gold` reads)."""
    path = Path(path)
    with path.open("w", encoding="utf-8") as fh:
        for example in examples:
            fh.write(json.dumps(example.to_dict(), ensure_ascii=False) + "\n")
    return path
