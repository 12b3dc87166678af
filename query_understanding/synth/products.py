"""The product universe behind the click logs: which brand sells what, in which color.

Queries in the logs are derived from the clicked product, so the product universe decides
which brand/type/color combinations appear. Products only pair a brand with types of the
categories it sells (``brand_categories``): "dewalt drill" and "levi's jeans" exist, "levi's
drill" does not. Colors follow the vertical: groceries have none, fashion almost always one,
patterns mostly on fashion and home textiles, finishes on electronics, home and tools.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from query_understanding.catalog import Catalog, Color
from query_understanding.synth.sampling import WeightedPicker, chance, zipf_weights

#: vertical -> (probability that a product has a color, weights of color kinds)
COLOR_PROFILE: dict[str, tuple[float, dict[str, float]]] = {
    "fashion": (0.95, {"color": 0.8, "pattern": 0.2}),
    "electronics": (0.7, {"color": 0.85, "finish": 0.15}),
    "home": (0.75, {"color": 0.75, "pattern": 0.12, "finish": 0.13}),
    "beauty": (0.6, {"color": 0.9, "finish": 0.1}),
    "grocery": (0.0, {}),
    "tools": (0.4, {"color": 0.8, "finish": 0.2}),
    "sports": (0.85, {"color": 0.85, "pattern": 0.15}),
    "toys": (0.4, {"color": 1.0}),
    "auto": (0.3, {"color": 0.7, "finish": 0.3}),
    "pets": (0.5, {"color": 0.85, "pattern": 0.15}),
    "office": (0.5, {"color": 1.0}),
}
#: Categories whose products have no color even in a colorful vertical.
COLORLESS_CATEGORIES: frozenset[str] = frozenset(
    {
        "skincare",
        "haircare",
        "fragrance",
        "personal_care",
        "supplements",
        "pet_food",
        "litter",
        "laundry",
        "paper_goods",
        "auto_parts",
        "car_care",
        "motor_oil",
        "tires",
        "batteries",
    }
)
#: Patterns only go on textiles and cases ("floral dress", "camo tumbler", not "plaid drill").
PATTERN_CATEGORIES: frozenset[str] = frozenset(
    {
        "tops",
        "bottoms",
        "outerwear",
        "dresses",
        "intimates",
        "swimwear",
        "accessories",
        "bags",
        "casual_shoes",
        "boots",
        "sandals_slippers",
        "activewear",
        "bedding",
        "decor",
        "bath",
        "phone_accessories",
        "drinkware",
        "pet_gear",
        "plush_toys",
    }
)
_TITLE_WORDS = ("Classic", "Premium", "Essential", "Pro", "Original", "Everyday", "Signature", "Ultra")


@dataclass(frozen=True, slots=True)
class Product:
    """One product a shopper can click; ``color`` is None for colorless goods."""

    product_id: str
    brand: str
    color: str | None
    product_type: str
    category: str
    vertical: str
    title: str


def _color_pickers(catalog: Catalog) -> dict[str, WeightedPicker]:
    """Per color kind, a picker favouring basic colors (black, white, then base hues)."""
    pickers = {}
    for kind in ("color", "pattern", "finish"):
        colors = [c for c in catalog.colors if c.kind == kind]
        if colors:
            pickers[kind] = WeightedPicker(colors, [_color_weight(c) for c in colors])
    return pickers


def _color_weight(c: Color) -> float:
    base = {"black": 12.0, "white": 9.0}.get(c.color, 0.0)
    return base + (4.0 if c.family == c.color else 1.0)


def _pick_color(vertical: str, category: str, pickers, rng: random.Random) -> str | None:
    p_color, kinds = COLOR_PROFILE[vertical]
    if category in COLORLESS_CATEGORIES or not chance(rng, p_color):
        return None
    kind_names = [k for k in sorted(kinds) if k in pickers and (k != "pattern" or category in PATTERN_CATEGORIES)]
    if not kind_names:
        return None
    kind = rng.choices(kind_names, weights=[kinds[k] for k in kind_names])[0]
    return pickers[kind].pick(rng).color


def _title(display: str, color: str | None, ptype: str, rng: random.Random) -> str:
    model = f"{rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}{rng.randint(100, 9999)}"
    words = [display, rng.choice(_TITLE_WORDS), ptype.title()]
    if color:
        words.append(f"- {color.title()}")
    return " ".join(words) + f", Model {model}"


def build_products(catalog: Catalog, rng: random.Random, n_products: int) -> list[Product]:
    """``n_products`` products sampled from the brand x type pairs the catalog allows.

    Brand and type popularity are Zipf-like, so big brands have many products and a long tail of
    brands has a few, as in a real catalog.
    """
    categories = catalog.categories()
    types = {t.product_type: t for t in catalog.product_types}
    brand_w = zipf_weights([b.brand for b in catalog.brands], rng, exponent=0.7)
    type_w = zipf_weights(sorted(types), rng, exponent=0.5)
    pairs, weights = [], []
    for b in catalog.brands:
        offered = [t for c in b.categories for t in categories[c]]
        for t in offered:
            pairs.append((b, t))
            weights.append(brand_w[b.brand] * type_w[t] / len(offered) ** 0.5)
    picker = WeightedPicker(pairs, weights)
    colors = _color_pickers(catalog)
    products = []
    for i in range(n_products):
        brand, t = picker.pick(rng)
        ptype = types[t]
        color = _pick_color(ptype.vertical, ptype.category, colors, rng)
        products.append(
            Product(
                product_id=f"P{i:06d}",
                brand=brand.brand,
                color=color,
                product_type=t,
                category=ptype.category,
                vertical=ptype.vertical,
                title=_title(brand.display_name, color, t, rng),
            )
        )
    return products
