"""The unit of evaluation data: one gold-tagged query with its slice flags and source.

Evaluation code only needs tokens and gold tags, but slicing needs the metadata the warehouse
carries (``has_unseen_brand``, ``has_typo``, ... see docs/data_model.md), and behavioral tests
need the query text. Keeping these together in one small dataclass lets gold files, warehouse
rows and synthetic generators all feed the same evaluation code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from query_understanding.bio import Span, bio_to_spans, validate_bio


@dataclass(slots=True)
class Example:
    """Gold ``tags`` (valid BIO) over whitespace ``tokens``.

    ``query`` is the original text when known (else the tokens joined by single spaces);
    ``flags`` holds boolean slice flags such as ``has_unseen_brand``; ``source`` names where
    the example came from (``annotated``, ``synthetic``, a file name).
    """

    tokens: list[str]
    tags: list[str]
    query: str | None = None
    flags: dict[str, bool] = field(default_factory=dict)
    source: str | None = None
    id: str | None = None

    def __post_init__(self) -> None:
        self.tokens = [str(t) for t in self.tokens]
        self.tags = [str(t) for t in self.tags]
        validate_bio(self.tags, self.tokens)

    @property
    def text(self) -> str:
        """The query as typed, or the tokens joined by spaces when it was not recorded."""
        return self.query if self.query is not None else " ".join(self.tokens)

    def spans(self) -> list[Span]:
        """Gold entity spans (token ranges)."""
        return bio_to_spans(self.tags)

    def entity_texts(self) -> list[tuple[str, str]]:
        """``(type, text)`` of each gold entity, text being its tokens joined by spaces."""
        return [(s.type, " ".join(self.tokens[s.start : s.end])) for s in self.spans()]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"tokens": list(self.tokens), "tags": list(self.tags)}
        for key in ("id", "query", "source"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.flags:
            out["flags"] = dict(self.flags)
        return out

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> "Example":
        """Build from a gold-file line or a warehouse row: ``has_*`` columns become flags."""
        flags = {k: bool(v) for k, v in row.items() if k.startswith("has_") and v is not None}
        flags.update({k: bool(v) for k, v in (row.get("flags") or {}).items()})
        return cls(
            tokens=list(row["tokens"]),
            tags=list(row["tags"]),
            query=row.get("query", row.get("query_text")),
            flags=flags,
            source=row.get("source"),
            id=row.get("id", row.get("query_id")),
        )
