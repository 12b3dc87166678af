"""How a shopper names the clicked product's brand, color and type.

Shoppers rarely type the catalog's canonical form: they write "levis" for Levi's, "trainers" for
sneakers, "tees" for t-shirts, misspell "addidas", or say "blue" for a navy blue item. The
surface is chosen here from the catalog's own aliases, misspellings, plural forms and synonyms,
so every entity in a synthetic query is a surface the gazetteer and the labels know.
"""

from __future__ import annotations

import random

from query_understanding.catalog import Catalog
from query_understanding.synth.sampling import chance

P_BRAND_ALIAS = 0.14
P_BRAND_MISSPELLING = 0.06
P_COLOR_FAMILY = 0.15
#: Probability of each type surface form; the rest is the canonical form.
P_TYPE_FORM = {"plural": 0.25, "singular": 0.1, "synonym": 0.2}


class SurfaceChooser:
    """Precomputed surface lists per brand, color and type, sorted for determinism."""

    def __init__(self, catalog: Catalog):
        self.aliases = {b.brand: tuple(a for a, k in b.aliases if k == "alias") for b in catalog.brands}
        self.misspellings = {b.brand: tuple(a for a, k in b.aliases if k == "misspelling") for b in catalog.brands}
        self.type_forms: dict[str, dict[str, tuple[str, ...]]] = {}
        for t in catalog.product_types:
            forms: dict[str, list[str]] = {}
            for surface, form in t.surfaces:
                forms.setdefault(form, []).append(surface)
            self.type_forms[t.product_type] = {f: tuple(s) for f, s in sorted(forms.items())}
        colors = {c.color for c in catalog.colors}
        # A family works as a color fallback only when it is itself a color ("blue" for "navy blue").
        self.color_family = {
            c.color: c.family
            for c in catalog.colors
            if c.family in colors and c.family != c.color and c.kind == "color"
        }

    def brand(self, brand: str, rng: random.Random) -> tuple[str, bool]:
        """A surface for ``brand`` and whether it is a known misspelling."""
        x = rng.random()
        if x < P_BRAND_MISSPELLING and self.misspellings[brand]:
            return rng.choice(self.misspellings[brand]), True
        if x < P_BRAND_MISSPELLING + P_BRAND_ALIAS and self.aliases[brand]:
            return rng.choice(self.aliases[brand]), False
        return brand, False

    def color(self, color: str, rng: random.Random) -> str:
        """The color as typed: canonical, sometimes its base family ("blue" for "royal blue")."""
        family = self.color_family.get(color)
        if family and chance(rng, P_COLOR_FAMILY):
            return family
        return color

    def product_type(self, ptype: str, rng: random.Random) -> str:
        """The type as typed: canonical, plural, singular or a synonym, as the catalog lists them."""
        forms = self.type_forms[ptype]
        x = rng.random()
        for form in ("plural", "singular", "synonym"):
            p = P_TYPE_FORM[form]
            if x < p and form in forms:
                return rng.choice(forms[form])
            x -= p
        return ptype
