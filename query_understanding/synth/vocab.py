"""Words shoppers add around the entities: sizes, gender, materials, prices, models, quantities.

These phrases are what QueryNER tags as UoM, department, material, price, quantity, modifier or
product_number, i.e. everything that maps to ``O`` in this project. They give a tagger the
context it must learn to leave untagged ("womens **black** leather **boots** size 8"). None of
them may contain a brand, color or product type surface, or the synthetic labels would be
wrong; ``tests/unit/test_synth.py`` checks that against the real catalog.

Each group maps to ``(pre, post)``: phrases that go before the product type ("mens", "leather")
and phrases that go at the end of the query ("for women", "size 10", "pack of 6").
"""

from __future__ import annotations

import random

Group = tuple[tuple[str, ...], tuple[str, ...]]

# Word lists keep one line per group (the formatter would give every word its own line).
# fmt: off
MODIFIERS: dict[str, Group] = {
    "gender": (
        ("mens", "womens", "men's", "women's", "kids", "boys", "girls", "toddler", "unisex", "ladies", "womans"),
        ("for men", "for women", "for kids", "for girls", "for boys", "for toddlers", "for her", "for him"),
    ),
    "apparel_size": (
        ("plus size", "petite", "big and tall"),
        ("xl", "xxl", "2xl", "3x", "small", "medium", "large", "size small", "size large", "plus size", "xs"),
    ),
    "pants_size": ((), ("32x30", "34x32", "36x30", "30x32", "33x30", "size 12", "size 8", "28 waist")),
    "shoe_size": ((), ("size 10", "size 9.5", "size 8", "size 11", "size 7 wide", "10.5", "size 12", "9 wide")),
    "fashion_material": (
        ("leather", "cotton", "denim", "wool", "linen", "suede", "fleece", "cashmere", "vegan leather", "organic cotton"),
        ("100% cotton",),
    ),
    "fashion_style": (
        ("slim fit", "high waisted", "long sleeve", "short sleeve", "oversized", "vintage", "casual", "waterproof",
         "lightweight", "summer", "winter", "v neck", "wide leg"),
        ("with pockets", "with hood"),
    ),
    "shoe_style": (
        ("slip on", "non slip", "wide width", "platform", "waterproof", "lace up", "memory foam", "chunky"),
        ("wide width", "with arch support", "half size up"),
    ),
    "bags": (
        ("travel", "large", "mini", "quilted", "carry on", "hard shell", "anti theft", "convertible"),
        ("with zipper", "for travel", "for school"),
    ),
    "eyewear": (("polarized", "anti glare", "oversized", "aviator", "cat eye", "retro"), ("+1.5", "+2.0", "for small faces")),
    "jewelry": (("sterling", "14k", "925", "dainty", "personalized", "hypoallergenic"), ("for sensitive ears",)),
    "electronics": (
        ("wireless", "bluetooth", "portable", "4k", "usb c", "noise cancelling", "smart", "gaming", "refurbished",
         "rechargeable", "waterproof", "magnetic", "fast charging"),
        ("with charging case", "renewed", "2024", "2023", "1tb", "256gb", "64gb"),
    ),
    "devices": (
        ("iphone 15", "iphone 14 pro max", "galaxy s23", "pixel 8", "ipad air", "iphone 13"),
        ("for iphone 15", "for galaxy s24", "for ipad", "for macbook pro", "for iphone 12", "compatible with ps5"),
    ),
    "screen_size": ((), ("55 inch", "65 inch", "43 inch", "32 inch", "75 inch", "27 inch", "24 inch")),
    "home": (
        ("modern", "outdoor", "indoor", "large", "small", "farmhouse", "rustic", "foldable", "heavy duty",
         "boho", "non stick", "cordless", "ceramic", "bamboo", "stainless steel", "cast iron", "wooden", "velvet"),
        ("for living room", "for bedroom", "for kitchen", "for bathroom", "with lid", "set of 4", "2 pack"),
    ),
    "bedding_size": ((), ("queen", "king", "twin", "full size", "california king", "twin xl", "queen size")),
    "kitchen_capacity": ((), ("6 quart", "8 qt", "12 cup", "10 inch", "1.7 liter", "5.8 qt", "32 oz", "40 oz")),
    "beauty": (
        ("organic", "vegan", "unscented", "travel size", "long lasting", "waterproof", "natural", "anti aging",
         "sulfate free", "hydrating", "sensitive skin"),
        ("for dry skin", "for oily skin", "for curly hair", "for men", "for women", "spf 50", "8 oz", "3 pack"),
    ),
    "grocery": (
        ("organic", "sugar free", "gluten free", "keto", "decaf", "family size", "low sodium", "unsweetened",
         "bulk", "vanilla", "peppermint"),
        ("12 oz", "24 count", "pack of 6", "pack of 12", "1 lb", "2 pack", "100 count", "bulk", "variety pack"),
    ),
    "tools": (
        ("cordless", "20v", "18v", "brushless", "heavy duty", "professional", "electric", "gas powered",
         "compact", "1/2 inch", "3/8"),
        ("kit", "tool only", "bare tool", "combo kit", "5ah", "2 pack"),
    ),
    "sports": (
        ("adjustable", "non slip", "lightweight", "professional", "outdoor", "indoor", "official size", "youth",
         "folding", "waterproof", "ultralight"),
        ("20 lb", "size 5", "size 7", "for beginners", "2 person", "4 person", "set of 2"),
    ),
    "toys": (
        ("educational", "interactive", "wooden", "magnetic", "giant", "mini", "1000 piece", "musical"),
        ("for 3 year old", "for toddlers", "for 8 year old boys", "ages 5-7", "for girls", "for boys"),
    ),
    "auto": (
        ("universal", "heavy duty", "all weather", "synthetic", "ceramic", "full synthetic"),
        ("for toyota camry", "for f150", "for jeep grand cherokee", "5w-30", "for civic", "2019", "12v"),
    ),
    "pets": (
        ("grain free", "small breed", "large breed", "senior", "indestructible", "orthopedic", "calming",
         "no pull", "reflective"),
        ("for large dogs", "for small dogs", "for cats", "30 lb bag", "for puppies", "for indoor cats"),
    ),
    "office": (
        ("college ruled", "wide ruled", "fine point", "spiral", "dry erase", "erasable", "a5", "mechanical",
         "bulk", "refillable"),
        ("pack of 12", "24 pack", "12 count", "for school", "for office", "2024-2025"),
    ),
    "price": (
        ("cheap", "best", "affordable", "discount"),
        ("under 50", "under $100", "under 20 dollars", "on sale", "clearance", "deals", "cheap"),
    ),
    "condition": (("used", "new", "refurbished"), ("used", "open box")),
}

#: Modifier groups by category; categories not listed use their vertical's groups below.
CATEGORY_GROUPS: dict[str, tuple[str, ...]] = {
    "casual_shoes": ("gender", "shoe_size", "fashion_material", "shoe_style", "price"),
    "boots": ("gender", "shoe_size", "fashion_material", "shoe_style", "price"),
    "dress_shoes": ("gender", "shoe_size", "fashion_material", "shoe_style", "price"),
    "sandals_slippers": ("gender", "shoe_size", "shoe_style", "price"),
    "bags": ("gender", "bags", "price"),
    "accessories": ("gender", "fashion_material", "price"),
    "eyewear": ("gender", "eyewear", "price"),
    "athletic_footwear": ("gender", "shoe_size", "sports", "price"),
    "bottoms": ("gender", "pants_size", "apparel_size", "fashion_material", "fashion_style", "price"),
    "jewelry": ("gender", "jewelry", "price"),
    "watches": ("gender", "jewelry", "price", "condition"),
    "phone_accessories": ("devices", "electronics", "price"),
    "tv_video": ("screen_size", "electronics", "price", "condition"),
    "computers": ("electronics", "screen_size", "price", "condition"),
    "bedding": ("bedding_size", "home", "price"),
    "small_appliances": ("kitchen_capacity", "home", "price", "condition"),
    "coffee_makers": ("kitchen_capacity", "home", "price", "condition"),
    "cookware": ("kitchen_capacity", "home", "price"),
    "drinkware": ("kitchen_capacity", "home", "gender"),
    "activewear": ("gender", "apparel_size", "fashion_style", "price"),
    "intimates": ("gender", "apparel_size", "fashion_material", "price"),
    "hair_tools": ("beauty", "price"),
    "arts_crafts": ("toys", "office"),
}

VERTICAL_GROUPS: dict[str, tuple[str, ...]] = {
    "fashion": ("gender", "apparel_size", "fashion_material", "fashion_style", "price"),
    "electronics": ("electronics", "price", "condition"),
    "home": ("home", "price"),
    "beauty": ("beauty", "price"),
    "grocery": ("grocery", "price"),
    "tools": ("tools", "price", "condition"),
    "sports": ("sports", "gender", "price"),
    "toys": ("toys", "price"),
    "auto": ("auto", "price"),
    "pets": ("pets", "price"),
    "office": ("office", "price"),
}

# fmt: on
#: Connectors that put an entity after the type ("shoes by prada", "boots in black").
BRAND_CONNECTORS: tuple[str, ...] = ("by", "from")
COLOR_CONNECTORS: tuple[str, ...] = ("in",)


#: Verticals whose shoppers type model numbers ("dewalt dcd771 drill", "m604 mouse").
MODEL_NUMBER_VERTICALS: frozenset[str] = frozenset({"electronics", "tools", "auto", "office"})
_MODEL_LETTERS = "abcdefghjkmnprstvwxz"


def model_number(rng: random.Random) -> str:
    """A product-number-like token (QueryNER product_number, O here): "xr500", "dcd771", "m604"."""
    prefix = "".join(rng.choice(_MODEL_LETTERS) for _ in range(rng.randint(1, 3)))
    suffix = rng.choice(("", "", "", "x", "m2", "xl"))
    return f"{prefix}{rng.randint(10, 9999)}{suffix}"


def groups_for(category: str, vertical: str) -> tuple[str, ...]:
    """Modifier groups that make sense for a product of ``category`` in ``vertical``."""
    return CATEGORY_GROUPS.get(category) or VERTICAL_GROUPS[vertical]


def all_phrases() -> list[str]:
    """Every filler phrase, for the test that none contains a catalog surface."""
    out = [p for pre, post in MODIFIERS.values() for p in (*pre, *post)]
    return sorted(set(out + list(BRAND_CONNECTORS) + list(COLOR_CONNECTORS)))
