"""Synthetic click logs: sessions of shoppers typing queries and clicking products.

``generate_query_logs`` produces ``raw.query_logs`` (docs/data_model.md): one row per search
event with a click, no labels. Each query is derived from the clicked product (its brand, color
and type, named the way shoppers name them) plus the filler words real queries carry, then
roughened by typos, casing and the odd contradicting attribute. Labels are derived downstream
from the query text and the catalog, never from this module, exactly as they would be for a
real log.

Determinism: one ``random.Random(seed)`` drives everything and every population is sorted, so
the same catalog and seed give a byte-identical frame.
"""

from __future__ import annotations

import random
from datetime import datetime

import pandas as pd

from query_understanding.catalog import Catalog
from query_understanding.synth.noise import Mismatcher, add_typo, apply_casing
from query_understanding.synth.products import Product, build_products
from query_understanding.synth.sampling import WeightedPicker, chance, zipf_weights
from query_understanding.synth.surfaces import SurfaceChooser
from query_understanding.synth.templates import QueryParts, TemplatePicker
from query_understanding.synth.vocab import MODEL_NUMBER_VERTICALS, MODIFIERS, groups_for, model_number

QUERY_LOG_COLUMNS: tuple[str, ...] = (
    "event_id",
    "session_id",
    "event_ts",
    "query_text",
    "clicked_product_id",
    "product_brand",
    "product_color",
    "product_type",
    "product_title",
)
DEFAULT_START = datetime(2024, 1, 1)
LOG_SPAN_S = 30 * 24 * 3600  # events spread over about a month
P_BRAND, P_COLOR, P_TYPE = 0.5, 0.4, 0.93
P_MISMATCH = 0.03
P_MODEL_NUMBER = 0.08  # of queries in MODEL_NUMBER_VERTICALS
P_REPEAT_HEAD = 0.15  # a session starting with an already popular query
HEAD_SIZE = 400  # popular queries: short, typo-free ones seen early
HEAD_MAX_TOKENS = 3
N_MODIFIERS = ((0, 0.45), (1, 0.4), (2, 0.15))
SESSION_LENGTHS = ((1, 0.45), (2, 0.3), (3, 0.15), (4, 0.1))


class QueryWriter:
    """Turns a product into the query a shopper typed before clicking it."""

    def __init__(self, catalog: Catalog):
        self.surfaces = SurfaceChooser(catalog)
        self.templates = TemplatePicker()
        self.mismatch = Mismatcher(catalog)
        known = set(catalog.brand_surfaces()) | set(catalog.color_surfaces()) | set(catalog.type_surfaces())
        self.known_words = frozenset(w for s in known for w in s.split())

    def write(self, p: Product, rng: random.Random) -> tuple[str, bool]:
        """The query text, and whether a random typo was put into it."""
        attrs: dict[str, str | None] = {
            "brand": p.brand if chance(rng, P_BRAND) else None,
            "color": p.color if p.color and chance(rng, P_COLOR) else None,
            "type": p.product_type if chance(rng, P_TYPE) else None,
            "product_type": p.product_type,
        }
        if not attrs["type"] and not attrs["brand"]:
            if chance(rng, 0.7):  # a query names at least the type or the brand
                attrs["type"] = p.product_type
            else:
                attrs["brand"] = p.brand
        if chance(rng, P_MISMATCH):
            attrs = self.mismatch.swap(attrs, rng)
        parts = QueryParts(
            brand=self.surfaces.brand(attrs["brand"], rng)[0] if attrs["brand"] else None,
            color=self.surfaces.color(attrs["color"], rng) if attrs["color"] else None,
            type=self.surfaces.product_type(attrs["type"], rng) if attrs["type"] else None,
        )
        self._add_modifiers(parts, p, rng)
        tokens, roles, _ = self.templates.render(parts, rng)
        typo = add_typo(tokens, roles, rng, self.known_words)
        apply_casing(tokens, roles, rng)
        return " ".join(tokens), typo

    @staticmethod
    def _add_modifiers(parts: QueryParts, p: Product, rng: random.Random) -> None:
        n = rng.choices([k for k, _ in N_MODIFIERS], weights=[w for _, w in N_MODIFIERS])[0]
        groups = list(groups_for(p.category, p.vertical))
        for group in rng.sample(groups, min(n, len(groups))):
            pre, post = MODIFIERS[group]
            use_pre = bool(pre) and (not post or chance(rng, 0.55))
            (parts.pre if use_pre else parts.post).append(rng.choice(pre if use_pre else post))
        if p.vertical in MODEL_NUMBER_VERTICALS and chance(rng, P_MODEL_NUMBER):
            (parts.pre if chance(rng, 0.5) else parts.post).append(model_number(rng))


def generate_query_logs(
    catalog: Catalog, n_events: int = 50_000, seed: int = 0, start: datetime | None = None
) -> pd.DataFrame:
    """``n_events`` click events as ``raw.query_logs`` rows, deterministic under ``seed``."""
    if n_events < 0:
        raise ValueError(f"n_events must be >= 0, got {n_events}")
    rng = random.Random(seed)
    start = start or DEFAULT_START
    products = build_products(catalog, rng, n_products=min(max(n_events // 12, 300), 8000))
    weights = zipf_weights(range(len(products)), rng, exponent=0.9)
    popular = WeightedPicker(products, [weights[i] for i in range(len(products))])
    by_type: dict[str, list[Product]] = {}
    for p in products:
        by_type.setdefault(p.product_type, []).append(p)
    head_picker = WeightedPicker(range(HEAD_SIZE), [1.0 / (r + 1) ** 0.7 for r in range(HEAD_SIZE)])
    writer = QueryWriter(catalog)
    mean_gap = LOG_SPAN_S / max(1.0, n_events / 1.9)

    head: list[tuple[str, Product]] = []
    rows: list[tuple] = []
    t = 0.0
    session = 0
    while len(rows) < n_events:
        session += 1
        t += rng.expovariate(1.0 / mean_gap)
        ts = int(t)
        length = rng.choices([k for k, _ in SESSION_LENGTHS], weights=[w for _, w in SESSION_LENGTHS])[0]
        product = popular.pick(rng)
        for j in range(min(length, n_events - len(rows))):
            if j == 0 and len(head) >= 20 and chance(rng, P_REPEAT_HEAD):
                query, product = head[head_picker.pick(rng, limit=len(head))]
            else:
                if j > 0:
                    ts += rng.randint(5, 240)
                    x = rng.random()  # refine the same product, a sibling of its type, or move on
                    if x < 0.3:
                        product = rng.choice(by_type[product.product_type])
                    elif x > 0.6:
                        product = popular.pick(rng)
                query, typo = writer.write(product, rng)
                if len(head) < HEAD_SIZE and not typo and query.count(" ") < HEAD_MAX_TOKENS:
                    head.append((query, product))
            rows.append((f"S{seed}-{session:07d}", ts, query, product))
    return _to_frame(rows, start, seed)


def _to_frame(rows: list[tuple], start: datetime, seed: int) -> pd.DataFrame:
    rows.sort(key=lambda r: r[1])  # stable: a log is ordered by time, sessions interleave
    p = [r[3] for r in rows]
    frame = pd.DataFrame(
        {
            "event_id": [f"E{seed}-{i:08d}" for i in range(len(rows))],
            "session_id": [r[0] for r in rows],
            "event_ts": pd.Timestamp(start) + pd.to_timedelta([r[1] for r in rows], unit="s"),
            "query_text": [r[2] for r in rows],
            "clicked_product_id": [x.product_id for x in p],
            "product_brand": [x.brand for x in p],
            "product_color": [x.color for x in p],
            "product_type": [x.product_type for x in p],
            "product_title": [x.title for x in p],
        },
        columns=list(QUERY_LOG_COLUMNS),
    )
    frame["event_ts"] = frame["event_ts"].astype("datetime64[ns]")
    return frame
