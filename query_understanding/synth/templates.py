"""Word orders: how the parts of a query are arranged.

Real shoppers do not type "brand color type" only. QueryNER is full of "shoes prada",
"dress in black", "womens black leather boots size 8", so a tagger must recognise entities by
their words and neighbours, not their position. Each template is a sequence of slots:

``B`` brand, ``C`` color, ``T`` type, ``P`` pre-modifiers ("mens", "leather"), ``Q``
post-modifiers ("size 10", "for women"), ``by:B`` / ``in:C`` a connector followed by the entity.
A slot whose part is missing is skipped, so one template covers queries with and without a brand.
Tokens come back with their role (``BRAND``, ``COLOR``, ``TYPE`` or ``O``), which the noise
step uses to put typos and casing on the right words.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from query_understanding.synth.sampling import WeightedPicker
from query_understanding.synth.vocab import BRAND_CONNECTORS, COLOR_CONNECTORS

#: (slots, weight) for queries that mention a type.
TYPE_TEMPLATES: tuple[tuple[str, float], ...] = (
    ("B P C T Q", 34.0),  # nike mens black running shoes size 10
    ("P C B T Q", 8.0),  # womens black nike running shoes
    ("C B T P Q", 6.0),  # black nike running shoes mens
    ("B T C Q", 9.0),  # prada shoes blue
    ("B C T P Q", 7.0),  # nike black shoes leather
    ("P C T by:B Q", 4.0),  # blue shoes by prada
    ("T B C Q", 4.0),  # shoes prada black
    ("C P T B Q", 5.0),  # black leather boots timberland
    ("B P T in:C Q", 4.0),  # levi's slim fit jeans in black
    ("P T C Q", 3.0),  # leather boots black
    ("Q B C T", 2.0),  # cheap nike black shoes (a post phrase up front)
)
#: Templates for brand-only or brand+color queries ("nike", "red nike", "nike mens").
NO_TYPE_TEMPLATES: tuple[tuple[str, float], ...] = (
    ("B P Q", 6.0),
    ("C B P", 2.0),
    ("B C Q", 2.0),
)


@dataclass
class QueryParts:
    """The surfaces a query will mention; None means not mentioned."""

    brand: str | None = None
    color: str | None = None
    type: str | None = None
    pre: list[str] = field(default_factory=list)
    post: list[str] = field(default_factory=list)


class TemplatePicker:
    """Chooses a word order for a set of parts and renders it to tokens with roles."""

    def __init__(self) -> None:
        self._with_type = WeightedPicker([t for t, _ in TYPE_TEMPLATES], [w for _, w in TYPE_TEMPLATES])
        self._no_type = WeightedPicker([t for t, _ in NO_TYPE_TEMPLATES], [w for _, w in NO_TYPE_TEMPLATES])

    def render(self, parts: QueryParts, rng: random.Random) -> tuple[list[str], list[str], str]:
        """Tokens, their roles, and the template used."""
        template = (self._with_type if parts.type else self._no_type).pick(rng)
        tokens: list[str] = []
        roles: list[str] = []

        def emit(text: str | None, role: str) -> None:
            if text:
                words = text.split()
                tokens.extend(words)
                roles.extend([role] * len(words))

        for slot in template.split():
            if slot == "B":
                emit(parts.brand, "BRAND")
            elif slot == "C":
                emit(parts.color, "COLOR")
            elif slot == "T":
                emit(parts.type, "TYPE")
            elif slot == "P":
                for phrase in parts.pre:
                    emit(phrase, "O")
            elif slot == "Q":
                for phrase in parts.post:
                    emit(phrase, "O")
            elif slot == "by:B" and parts.brand:
                emit(rng.choice(BRAND_CONNECTORS), "O")
                emit(parts.brand, "BRAND")
            elif slot == "in:C" and parts.color:
                emit(rng.choice(COLOR_CONNECTORS), "O")
                emit(parts.color, "COLOR")
        return tokens, roles, template
