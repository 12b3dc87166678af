"""The label set and the result types every tagger returns.

``ParsedQuery`` is the contract between models, evaluation and the HTTP service: tokens,
entities with character offsets into the original query, and convenience fields for search
(first brand, color and type).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

ENTITY_TYPES: tuple[str, ...] = ("BRAND", "COLOR", "TYPE")

#: The BIO label set, in the order used for model label ids.
LABELS: tuple[str, ...] = ("O",) + tuple(f"{p}-{t}" for t in ENTITY_TYPES for p in ("B", "I"))
LABEL2ID: dict[str, int] = {label: i for i, label in enumerate(LABELS)}
ID2LABEL: dict[int, str] = dict(enumerate(LABELS))

#: QueryNER's 17 types -> the project's 3 (the mapping its README documents); others -> O.
QUERYNER_COLLAPSE: dict[str, str] = {"creator": "BRAND", "color": "COLOR", "core_product_type": "TYPE"}


def collapse_label(label: str, collapse: dict[str, str] | None) -> str:
    """``B-creator`` -> ``B-BRAND`` under :data:`QUERYNER_COLLAPSE`; unmapped types -> ``O``;
    ``collapse=None`` leaves the label as it is."""
    if collapse is None or label == "O":
        return label
    prefix, _, entity_type = label.partition("-")
    target = collapse.get(entity_type)
    return f"{prefix}-{target}" if target else "O"


@dataclass(frozen=True, slots=True)
class Entity:
    """A typed span of the original query: ``query[start:end] == text``.

    The link fields are set by :mod:`query_understanding.linking` (None when linking is off):
    ``canonical`` is the catalog entry search filters on (``{"id", "name"}`` plus ``family``
    for a color, ``category`` for a type) or None, ``link_method`` one of exact / alias /
    plural / synonym / fuzzy, ``link_score`` in [0, 1], ``novel`` True for a span the catalog lacks.
    """

    type: str
    text: str
    start: int
    end: int
    score: float | None = None
    canonical: dict | None = None
    link_method: str | None = None
    link_score: float | None = None
    novel: bool | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A tagged query: its tokens, their BIO tags and the entities they decode to.

    ``uncertainty`` is the expected number of wrongly tagged tokens, the sum over tokens of one
    minus the model's confidence in the tag it chose (None: the model gives no confidences). It
    counts doubtful ``O`` tokens too, i.e. entities the model may have missed, which an
    entity's own score cannot show; the annotation queue ranks by it.
    """

    query: str
    tokens: list[str]
    tags: list[str]
    entities: list[Entity] = field(default_factory=list)
    uncertainty: float | None = None
    #: A cascade's answer: True when its second (stronger) tagger answered; None: not a cascade.
    routed: bool | None = None

    def first(self, entity_type: str) -> str | None:
        """Text of the first entity of ``entity_type``, or None: what a search filter uses."""
        return next((e.text for e in self.entities if e.type == entity_type), None)

    @property
    def brand(self) -> str | None:
        return self.first("BRAND")

    @property
    def color(self) -> str | None:
        return self.first("COLOR")

    @property
    def type(self) -> str | None:
        return self.first("TYPE")

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "tokens": list(self.tokens),
            "tags": list(self.tags),
            "entities": [e.to_dict() for e in self.entities],
            "brand": self.brand,
            "color": self.color,
            "type": self.type,
            "uncertainty": self.uncertainty,
            # only a cascade's answers carry it, so a single model's answer keeps its shape
            **({"routed": self.routed} if self.routed is not None else {}),
        }
