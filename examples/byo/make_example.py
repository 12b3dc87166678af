#!/usr/bin/env python3
"""Write the example "bring your own" product feed and click log in this folder.

Standalone, standard library only, deterministic: the same seed files and the same SEED give
byte-identical output (no set or hash order reaches the files). Reads the catalog seeds in
``dbt/seeds/`` so that the "known" part of the feed really is known to the catalog, writes

    products.csv       ~400 products   product_id,title,brand,color,product_type,category,price
    brand_aliases.csv  aliases of the new brands (and a few seed brands)   brand,alias,alias_kind
    click_logs.csv     4,000 search events   event_id,session_id,event_ts,query_text,clicked_product_id

then re-reads the written files and prints what they contain (the counts quoted in README.md),
failing if an invariant does not hold.

    python3 examples/byo/make_example.py            # regenerate and print the counts
    python3 examples/byo/make_example.py --check    # only measure the files already there
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

SEED = 20261101
HERE = Path(__file__).resolve().parent
SEEDS_DIR = HERE.parent.parent / "dbt" / "seeds"

N_KNOWN_PRODUCTS = 340  # seed brand + seed type + seed color
N_EVENTS = 4000
START = dt.datetime(2026, 11, 1)
N_DAYS = 28

# Exact shares of the click log (counts are measured back from the files and printed).
N_UNKNOWN_CLICKS = 60  # 1.5 %: clicked_product_id not in products.csv (delisted)
N_MISMATCH = 120  # 3 %: query names another color / brand than the clicked product's
N_TYPO = 240  # 6 %: one entity word misspelt (first letter kept)
N_CASING = 320  # 8 %: Title Case, UPPER or Sentence case instead of lowercase
N_EMPTY_SESSION = 12  # events whose session_id is empty

PRODUCT_COLUMNS = ["product_id", "title", "brand", "color", "product_type", "category", "price"]
ALIAS_COLUMNS = ["brand", "alias", "alias_kind"]
CLICK_COLUMNS = ["event_id", "session_id", "event_ts", "query_text", "clicked_product_id"]

# --------------------------------------------------------------------------------------------
# Vocabulary that is not in the seeds
# --------------------------------------------------------------------------------------------

# Brands absent from brands.csv / brand_aliases.csv (checked at run time): display name, the seed
# product types they sell, and their aliases (alias, kind).
NEW_BRANDS: list[tuple[str, list[str], list[tuple[str, str]]]] = [
    (
        "Trailmark",
        ["hiking boots", "running shoes", "fleece jacket", "backpack"],
        [("trail mark", "alias"), ("trailmarc", "misspelling")],
    ),
    (
        "Kindred Loom",
        ["sweater", "cardigan", "beanie", "scarf"],
        [("kindred", "alias"), ("kindred looms", "alias"), ("kindread loom", "misspelling")],
    ),
    (
        "Hale & Hearth",
        ["throw blanket", "sheet set", "pillow", "candle"],
        [("hale and hearth", "alias"), ("hale hearth", "alias")],
    ),
    (
        "Lumi Skin",
        ["serum", "moisturizer", "face wash", "sunscreen"],
        [("lumi", "alias"), ("lumiskin", "alias"), ("lumi skincare", "alias")],
    ),
    ("Brightbrew", ["coffee beans", "coffee", "tea"], [("bright brew", "alias"), ("brightbru", "misspelling")]),
    (
        "Voltbay",
        ["charger", "power bank", "charging cable", "earbuds"],
        [("volt bay", "alias"), ("voltbey", "misspelling")],
    ),
    (
        "Barkley & Finn",
        ["dog bed", "dog leash", "dog toy", "dog treats"],
        [("barkley and finn", "alias"), ("barkly & finn", "misspelling")],
    ),
    (
        "Solace Sleep",
        ["mattress", "pillow", "sheet set", "comforter"],
        [("solace", "alias"), ("solase sleep", "misspelling")],
    ),
    (
        "Ridgeline Tool Co.",
        ["drill", "tool set", "tape measure", "work light"],
        [("ridgeline", "alias"), ("ridgeline tools", "alias"), ("ridgline", "misspelling")],
    ),
    (
        "Everpine",
        ["frying pan", "cutting board", "water bottle", "tumbler"],
        [("ever pine", "alias"), ("everpines", "misspelling")],
    ),
    ("Maren Swim", ["swimsuit", "bikini", "swim trunks"], [("maren", "alias"), ("marin swim", "misspelling")]),
    ("Forde Denim", ["jeans", "shorts", "jacket"], [("forde", "alias"), ("fordee denim", "misspelling")]),
]

# Aliases of seed brands that the seeds lack (checked absent at run time).
SEED_BRAND_EXTRA_ALIASES: list[tuple[str, str, str]] = [
    ("patagonia", "patagucci", "alias"),
    ("hoka", "hokas", "alias"),
    ("birkenstock", "birks", "alias"),
    ("crocs", "croc", "alias"),
    ("skechers", "skecher", "misspelling"),
    ("new balance", "new ballance", "misspelling"),
    ("carhartt", "carharrt", "misspelling"),
]

# Product types absent from product_types.csv and its synonyms, with a seed category and the
# seed brands that sell them.
NEW_TYPES: list[tuple[str, str, list[str]]] = [
    ("pickleball paddle", "team_sports", ["franklin sports", "wilson", "spalding"]),
    ("cold brew maker", "coffee_makers", ["cuisinart", "hamilton beach", "mr. coffee", "ninja"]),
    ("bento box", "kitchen_tools", ["oxo", "rubbermaid", "tupperware"]),
    ("under eye patches", "skincare", ["neutrogena", "olay", "the ordinary", "garnier"]),
]
N_PER_NEW_TYPE = (4, 3, 3, 4)

# --------------------------------------------------------------------------------------------
# Products
# --------------------------------------------------------------------------------------------

# (brand, seed product type, product line, colors, gender): named products, one SKU per color.
ANCHORS: list[tuple[str, str, str, list[str], str | None]] = [
    ("nike", "running shoes", "Air Zoom Pegasus 40", ["black", "white", "blue"], "men"),
    ("nike", "running shoes", "Air Zoom Pegasus 40", ["pink"], "women"),
    ("nike", "sneakers", "Air Max 90", ["white", "black"], None),
    ("nike", "hoodie", "Sportswear Club", ["gray", "black"], "men"),
    ("adidas", "sneakers", "Samba OG", ["white", "black"], None),
    ("adidas", "running shoes", "Ultraboost Light", ["black", "white"], "women"),
    ("levi's", "jeans", "501 Original Fit", ["dark blue", "light blue", "black"], "men"),
    ("levi's", "jeans", "511 Slim Fit", ["dark blue", "gray"], "men"),
    ("levi's", "jeans", "724 High Rise Straight", ["light blue"], "women"),
    ("the north face", "puffer jacket", "1996 Retro Nuptse", ["black", "navy", "yellow"], None),
    ("the north face", "rain jacket", "Venture 2", ["black", "red"], "men"),
    ("the north face", "jacket", "Antora", ["black", "olive"], "women"),
    ("the north face", "backpack", "Borealis", ["black", "gray"], None),
    ("patagonia", "fleece jacket", "Retro Pile", ["cream", "navy"], "men"),
    ("patagonia", "down jacket", "Silent Down", ["black", "green"], "women"),
    ("columbia", "rain jacket", "Watertight II", ["black", "blue"], "men"),
    ("carhartt", "jacket", "Detroit", ["brown", "black"], "men"),
    ("carhartt", "beanie", "A18 Acrylic Cuffed", ["black", "brown", "gray", "orange"], None),
    ("lululemon", "yoga pants", 'Align High-Rise 25"', ["black", "navy", "purple"], "women"),
    ("new balance", "sneakers", "574 Core", ["gray", "navy"], None),
    ("hoka", "running shoes", "Clifton 9", ["black", "white"], "men"),
    ("hoka", "running shoes", "Bondi 8", ["white"], "women"),
    ("converse", "sneakers", "Chuck Taylor All Star", ["black", "white", "red"], None),
    ("vans", "sneakers", "Old Skool", ["black", "white"], None),
    ("ugg", "boots", "Classic Mini II", ["tan", "black", "gray"], "women"),
    ("timberland", "boots", "Premium 6-Inch Waterproof", ["tan", "black"], "men"),
    ("dr. martens", "boots", "1460 Smooth Leather", ["black", "burgundy"], None),
    ("crocs", "clogs", "Classic", ["black", "white", "pink", "navy"], None),
    ("ray-ban", "sunglasses", "Wayfarer Classic", ["black", "brown"], None),
    ("apple", "earbuds", "AirPods Pro 2", ["white"], None),
    ("apple", "laptop", 'MacBook Air 13" M3', ["silver", "gray"], None),
    ("garmin", "smartwatch", "Forerunner 265", ["black", "white"], None),
    ("samsung", "phone", "Galaxy S24 Ultra 256GB", ["black", "gray"], None),
    ("samsung", "tv", 'Crystal UHD 65" 4K', ["black"], None),
    ("sony", "headphones", "WH-1000XM5", ["black", "silver"], None),
    ("bose", "headphones", "QuietComfort Ultra", ["black", "white"], None),
    ("jbl", "speaker", "Flip 6", ["black", "blue", "red"], None),
    ("logitech", "mouse", "MX Master 3S", ["gray", "black"], None),
    ("anker", "power bank", "PowerCore 10000", ["black", "white"], None),
    ("kitchenaid", "stand mixer", "Artisan 5-Quart Tilt-Head", ["red", "black", "white", "silver"], None),
    ("ninja", "air fryer", "AF101 4-Quart", ["black", "gray"], None),
    ("instant pot", "pressure cooker", "Duo 7-in-1 6-Quart", ["silver"], None),
    ("keurig", "coffee maker", "K-Classic", ["black", "red"], None),
    ("dyson", "vacuum", "V15 Detect", ["yellow", "purple"], None),
    ("yeti", "tumbler", "Rambler 20 oz", ["black", "navy", "white"], None),
    ("stanley", "tumbler", "Quencher H2.0 40 oz", ["pink", "black", "sage green", "cream"], None),
    ("hydro flask", "water bottle", "32 oz Wide Mouth", ["black", "white", "blue"], None),
    ("dewalt", "drill", "20V MAX Cordless", ["yellow"], None),
    ("milwaukee", "impact driver", "M18 FUEL", ["red"], None),
    ("cerave", "moisturizer", "PM Facial", [""], None),
    ("cerave", "face wash", "Hydrating", [""], None),
    ("the ordinary", "serum", "Niacinamide 10% + Zinc 1%", [""], None),
    ("lego", "building blocks", "Classic Creative Brick Box 10696", [""], None),
    ("starbucks", "coffee beans", "Pike Place Medium Roast", [""], None),
    ("coca-cola", "soda", "Classic", [""], None),
    ("purina", "dog food", "Pro Plan Adult Chicken Formula", [""], None),
]

POPULAR = {
    "nike",
    "adidas",
    "levi's",
    "the north face",
    "patagonia",
    "columbia",
    "carhartt",
    "lululemon",
    "new balance",
    "hoka",
    "converse",
    "vans",
    "ugg",
    "apple",
    "samsung",
    "sony",
    "bose",
    "jbl",
    "logitech",
    "anker",
    "kitchenaid",
    "ninja",
    "keurig",
    "dyson",
    "yeti",
    "stanley",
    "dewalt",
    "milwaukee",
    "cerave",
    "lego",
    "under armour",
    "gap",
    "old navy",
    "h&m",
    "zara",
    "uniqlo",
    "skechers",
    "crocs",
    "ray-ban",
    "neutrogena",
    "olay",
    "maybelline",
    "l'oreal",
    "purina",
    "starbucks",
    "hp",
    "dell",
    "lenovo",
    "cuisinart",
    "shark",
    "calvin klein",
    "tommy hilfiger",
}
LUXURY = {
    "gucci",
    "prada",
    "louis vuitton",
    "chanel",
    "versace",
    "burberry",
    "dolce & gabbana",
    "givenchy",
    "balenciaga",
    "fendi",
    "hermes",
    "dior",
    "yves saint laurent",
    "rolex",
    "arc'teryx",
    "tiffany & co.",
    "herman miller",
    "le creuset",
    "tempur-pedic",
}

# Descriptors used in titles of products without a named line (title only, never in queries).
DESCRIPTORS: dict[str, list[str]] = {
    "tops": ["Classic Crew Neck", "Relaxed Fit", "Slim Fit", "Essential", "Heavyweight Cotton", "Vintage Wash"],
    "bottoms": ["Relaxed Fit", "Slim Fit", "Stretch", "High Rise", "Classic", "Straight Leg"],
    "outerwear": ["Insulated", "Lightweight", "Water-Resistant", "Hooded", "Quilted", "Sherpa-Lined"],
    "dresses": ["Wrap", "Midi", "Sleeveless", "Smocked", "Linen Blend"],
    "intimates": ["Cotton Stretch", "Everyday", "Seamless", "3-Pack", "Soft Touch"],
    "swimwear": ["Ruched", "Quick Dry", "Classic", "Sport"],
    "accessories": ["Classic", "Leather", "Knit", "Everyday", "Reversible"],
    "bags": ["Signature", "Leather", "Everyday", "Travel", "Mini"],
    "jewelry": ["Sterling", "Classic", "Pavé", "Charm"],
    "watches": ["Chronograph 42mm", "Classic 38mm", "Automatic 40mm", "Minimalist 36mm"],
    "eyewear": ["Polarized", "Classic", "Oversized", "Blue Light"],
    "athletic_footwear": ["Trail", "Road", "Cushioned", "Lightweight", "Stability"],
    "casual_shoes": ["Classic", "Low Top", "Slip-On", "Canvas", "Leather"],
    "boots": ["Waterproof", "Chelsea", "Lace-Up", "Leather"],
    "dress_shoes": ["Leather", "Classic", "Pointed Toe", "Suede"],
    "sandals_slippers": ["Cushioned", "Classic", "Cozy", "Adjustable"],
    "activewear": ["Performance", "Dri-Fit", "Seamless", "Training", "High-Rise"],
    "skincare": ["Daily", "Hydrating", "Gentle", "Oil-Free", "Ultra"],
    "haircare": ["Repair", "Moisture", "Volumizing", "Clarifying"],
    "makeup": ["Long-Wear", "Matte", "Waterproof", "Lightweight"],
    "grocery": ["Family Size", "Original", "Variety Pack", "Organic", "Classic"],
    "power_tools": ["20V Cordless", "Brushless", "Corded", "Compact"],
    "hand_tools": ["Professional", "Heavy Duty", "Compact", "Magnetic"],
}
DEFAULT_DESCRIPTORS = ["Classic", "Essential", "Premium", "Everyday", "Signature", "Original", "Pro", "Compact"]
GROCERY_SIZES = ["12 oz", "16 oz", "8 oz", "Pack of 6", "24 Count", "2 lb", "32 oz", "10 Count"]
BEAUTY_SIZES = ["1 fl oz", "8 fl oz", "16 fl oz", "3.4 oz", "2-Pack", "12 oz"]

COLORLESS_CATEGORIES = {
    "coffee_tea",
    "beverages",
    "supplements",
    "candy",
    "salty_snacks",
    "bars_cookies",
    "grains_pasta",
    "spreads",
    "condiments",
    "breakfast",
    "skincare",
    "haircare",
    "fragrance",
    "personal_care",
    "pet_food",
    "litter",
    "laundry",
    "paper_goods",
    "home_fragrance",
    "car_care",
    "motor_oil",
    "auto_parts",
    "tires",
    "batteries",
    "paper",
    "printers_ink",
    "cleaners",
    "games_puzzles",
    "arts_crafts",
    "dolls_figures",
    "kids_toys",
    "building_toys",
}
COLORED_TYPES_IN_COLORLESS = {"trash can": ["gray", "white", "black"], "candle": ["white", "cream", "red"]}
MAKEUP_COLORS = {
    "lipstick": ["red", "nude", "pink", "mauve", "coral", "burgundy"],
    "lip gloss": ["pink", "nude", "clear", "coral"],
    "blush": ["pink", "peach", "coral"],
    "nail polish": ["red", "pink", "nude", "coral", "burgundy", "lavender"],
    "mascara": ["black", "brown"],
    "eyeliner": ["black", "brown"],
}
PALETTES: dict[str, list[str]] = {
    "tops": [
        "black",
        "white",
        "gray",
        "navy",
        "red",
        "olive",
        "burgundy",
        "light blue",
        "cream",
        "pink",
        "green",
        "charcoal",
    ],
    "bottoms": ["black", "khaki", "navy", "olive", "gray", "tan", "dark blue", "light blue"],
    "outerwear": ["black", "navy", "olive", "gray", "red", "green", "tan", "burgundy", "camo"],
    "dresses": ["black", "red", "floral", "navy", "pink", "white", "green", "leopard print"],
    "intimates": ["black", "white", "nude", "gray", "pink"],
    "swimwear": ["black", "navy", "red", "floral", "coral", "turquoise"],
    "accessories": ["black", "brown", "gray", "navy", "camel", "tan"],
    "bags": ["black", "brown", "tan", "navy", "gray", "pink", "camel"],
    "jewelry": ["gold", "silver", "rose gold"],
    "watches": ["silver", "gold", "black", "rose gold"],
    "eyewear": ["black", "brown", "gold", "clear"],
    "casual_shoes": ["white", "black", "gray", "navy", "red", "pink"],
    "athletic_footwear": ["black", "white", "gray", "blue", "pink", "red"],
    "boots": ["black", "brown", "tan", "gray"],
    "dress_shoes": ["black", "brown", "tan", "nude"],
    "sandals_slippers": ["black", "brown", "white", "pink", "gray", "tan"],
    "activewear": ["black", "gray", "navy", "pink", "purple", "olive"],
    "phones": ["black", "white", "silver", "blue", "gray"],
    "computers": ["silver", "gray", "black"],
    "audio": ["black", "white", "silver", "blue"],
    "wearables": ["black", "silver", "pink", "white"],
    "tv_video": ["black"],
    "cameras": ["black", "silver"],
    "gaming": ["black", "white", "red", "blue"],
    "phone_accessories": ["black", "white", "clear", "blue", "pink"],
    "computer_accessories": ["black", "white", "gray", "pink"],
    "power": ["white", "black"],
    "smart_home": ["white", "black"],
    "cookware": ["black", "red", "silver", "gray", "cream", "blue"],
    "kitchen_tools": ["black", "gray", "white", "red", "silver"],
    "drinkware": ["black", "white", "navy", "pink", "sage green", "teal", "lavender"],
    "dinnerware": ["white", "cream", "gray", "blue"],
    "bedding": ["white", "gray", "navy", "cream", "sage green", "beige", "blush pink"],
    "furniture": ["black", "white", "gray", "brown", "beige", "navy"],
    "decor": ["gray", "beige", "white", "gold", "green"],
    "lighting": ["white", "black", "brushed nickel", "gold"],
    "bath": ["white", "gray", "navy", "beige"],
    "storage": ["white", "gray", "clear", "black"],
    "home_appliances": ["white", "black", "gray", "silver", "purple"],
    "small_appliances": ["black", "silver", "red", "white", "cream"],
    "coffee_makers": ["black", "silver", "red", "white"],
    "garden": ["green", "black", "gray"],
    "grills": ["black", "silver"],
    "hair_tools": ["black", "pink", "white", "rose gold"],
    "camping": ["green", "blue", "gray", "orange", "olive"],
    "cycling": ["black", "white", "red", "blue", "gray"],
    "team_sports": ["black", "white", "orange", "yellow"],
    "golf": ["white", "black", "navy", "gray"],
    "home_gym": ["black", "gray"],
    "fitness_accessories": ["black", "purple", "pink", "teal", "blue"],
    "recovery": ["black", "gray", "white"],
    "coolers": ["white", "navy", "tan", "sage green", "charcoal"],
    "plush_toys": ["pink", "brown", "gray", "white", "blue"],
    "toy_vehicles": ["red", "blue", "black", "yellow"],
    "car_accessories": ["black", "gray"],
    "pet_gear": ["black", "red", "blue", "gray", "pink", "brown", "navy"],
    "writing": ["black", "blue", "multicolor"],
    "desk_supplies": ["black", "white", "silver"],
}
DEFAULT_PALETTE = ["black", "white", "gray", "blue", "red"]
TOOL_BRAND_COLORS = {
    "dewalt": "yellow",
    "milwaukee": "red",
    "makita": "teal",
    "ryobi": "green",
    "bosch": "blue",
    "black & decker": "orange",
    "craftsman": "red",
    "ridgid": "orange",
    "kobalt": "blue",
    "husky": "orange",
    "worx": "orange",
    "greenworks": "green",
    "toro": "red",
    "husqvarna": "orange",
    "stihl": "orange",
    "karcher": "yellow",
    "sun joe": "green",
}
JEANS_COLORS = ["dark blue", "light blue", "black", "gray"]

PRICE_RANGES: dict[str, tuple[float, float]] = {
    "phones": (199, 1199),
    "computers": (299, 1899),
    "tv_video": (149, 1299),
    "cameras": (199, 1499),
    "audio": (29, 399),
    "wearables": (79, 449),
    "gaming": (29, 499),
    "furniture": (79, 899),
    "home_appliances": (49, 699),
    "small_appliances": (29, 449),
    "coffee_makers": (29, 499),
    "bedding": (29, 899),
    "power_tools": (59, 349),
    "outdoor_power": (99, 699),
    "workshop": (19, 299),
    "grills": (149, 899),
    "home_gym": (29, 1499),
    "cycling": (19, 899),
    "outerwear": (49, 349),
    "athletic_footwear": (59, 179),
    "boots": (69, 229),
    "casual_shoes": (45, 129),
    "bags": (29, 249),
    "watches": (49, 449),
    "jewelry": (19, 199),
    "eyewear": (29, 219),
    "camping": (19, 399),
}
PRICE_RANGES.update(
    {
        "tops": (14, 79),
        "bottoms": (24, 98),
        "dresses": (29, 149),
        "intimates": (9, 49),
        "swimwear": (24, 98),
        "activewear": (25, 118),
        "accessories": (12, 69),
        "dress_shoes": (59, 179),
        "sandals_slippers": (19, 99),
        "drinkware": (15, 50),
        "hand_tools": (12, 149),
        "tires": (89, 259),
        "pet_gear": (12, 89),
        "makeup": (6, 45),
        "skincare": (8, 60),
        "fragrance": (35, 150),
        "hair_tools": (25, 199),
        "kitchen_tools": (8, 79),
        "cookware": (19, 299),
        "phone_accessories": (12, 59),
        "computer_accessories": (15, 149),
        "team_sports": (15, 199),
        "golf": (25, 499),
        "outdoor_power": (99, 699),
        "garden": (12, 89),
        "decor": (15, 149),
        "lighting": (19, 149),
        "bath": (12, 79),
        "toy_vehicles": (12, 69),
        "building_toys": (15, 120),
        "car_accessories": (19, 149),
        "fitness_accessories": (12, 89),
        "recovery": (29, 299),
        "coolers": (39, 349),
        "storage": (9, 49),
        "auto_parts": (9, 99),
    }
)
# Shelf prices of the named products (brand, line).
ANCHOR_PRICES: dict[tuple[str, str], float] = {
    ("nike", "Air Zoom Pegasus 40"): 129.99,
    ("nike", "Air Max 90"): 129.99,
    ("nike", "Sportswear Club"): 55.00,
    ("adidas", "Samba OG"): 100.00,
    ("adidas", "Ultraboost Light"): 189.99,
    ("levi's", "501 Original Fit"): 69.50,
    ("levi's", "511 Slim Fit"): 69.50,
    ("levi's", "724 High Rise Straight"): 79.50,
    ("the north face", "1996 Retro Nuptse"): 320.00,
    ("the north face", "Venture 2"): 110.00,
    ("the north face", "Antora"): 110.00,
    ("the north face", "Borealis"): 99.00,
    ("patagonia", "Retro Pile"): 149.00,
    ("patagonia", "Silent Down"): 299.00,
    ("columbia", "Watertight II"): 90.00,
    ("carhartt", "Detroit"): 149.99,
    ("carhartt", "A18 Acrylic Cuffed"): 19.99,
    ("lululemon", 'Align High-Rise 25"'): 98.00,
    ("new balance", "574 Core"): 89.99,
    ("hoka", "Clifton 9"): 145.00,
    ("hoka", "Bondi 8"): 165.00,
    ("converse", "Chuck Taylor All Star"): 60.00,
    ("vans", "Old Skool"): 70.00,
    ("ugg", "Classic Mini II"): 160.00,
    ("timberland", "Premium 6-Inch Waterproof"): 198.00,
    ("dr. martens", "1460 Smooth Leather"): 170.00,
    ("crocs", "Classic"): 49.99,
    ("ray-ban", "Wayfarer Classic"): 163.00,
    ("apple", "AirPods Pro 2"): 249.00,
    ("apple", 'MacBook Air 13" M3'): 1099.00,
    ("garmin", "Forerunner 265"): 449.99,
    ("samsung", "Galaxy S24 Ultra 256GB"): 1299.99,
    ("samsung", 'Crystal UHD 65" 4K'): 479.99,
    ("sony", "WH-1000XM5"): 399.99,
    ("bose", "QuietComfort Ultra"): 429.00,
    ("jbl", "Flip 6"): 129.95,
    ("logitech", "MX Master 3S"): 99.99,
    ("anker", "PowerCore 10000"): 25.99,
    ("kitchenaid", "Artisan 5-Quart Tilt-Head"): 449.99,
    ("ninja", "AF101 4-Quart"): 99.99,
    ("instant pot", "Duo 7-in-1 6-Quart"): 89.99,
    ("keurig", "K-Classic"): 119.99,
    ("dyson", "V15 Detect"): 749.99,
    ("yeti", "Rambler 20 oz"): 35.00,
    ("stanley", "Quencher H2.0 40 oz"): 45.00,
    ("hydro flask", "32 oz Wide Mouth"): 44.95,
    ("dewalt", "20V MAX Cordless"): 159.00,
    ("milwaukee", "M18 FUEL"): 229.00,
    ("cerave", "PM Facial"): 17.99,
    ("cerave", "Hydrating"): 15.99,
    ("the ordinary", "Niacinamide 10% + Zinc 1%"): 6.00,
    ("lego", "Classic Creative Brick Box 10696"): 34.99,
    ("starbucks", "Pike Place Medium Roast"): 12.99,
    ("coca-cola", "Classic"): 8.49,
    ("purina", "Pro Plan Adult Chicken Formula"): 72.99,
}
DEFAULT_PRICE = (6, 60)

WOMEN_TYPES = {
    "dress",
    "skirt",
    "bra",
    "bikini",
    "blouse",
    "heels",
    "maxi dress",
    "crop top",
    "jumpsuit",
    "romper",
    "leggings",
    "sports bra",
    "yoga pants",
    "flats",
}
MEN_TYPES = {"boxer briefs", "swim trunks", "tie"}
GENDERED_CATEGORIES = {
    "tops",
    "bottoms",
    "outerwear",
    "dresses",
    "intimates",
    "swimwear",
    "athletic_footwear",
    "casual_shoes",
    "boots",
    "dress_shoes",
    "sandals_slippers",
    "activewear",
}

# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------

GENDER_WORDS = {
    "men": ["for men", "mens", "men's", "men"],
    "women": ["for women", "womens", "women's", "women"],
}
SIZE_MODIFIERS: dict[str, list[str]] = {
    "footwear": ["size 10", "size 9", "size 8.5", "size 11", "size 7", "wide"],
    "apparel": ["small", "medium", "large", "xl", "xxl", "size m"],
    "pants": ["32x30", "34x32", "36x30", "size 30", "32x32"],
    "bedding": ["queen", "king", "twin", "full size"],
    "tv_video": ["65 inch", "55 inch", "4k"],
    "drinkware": ["40 oz", "20 oz", "32 oz"],
}
ATTRIBUTE_MODIFIERS: dict[str, list[str]] = {
    "outerwear": ["waterproof", "insulated", "lightweight", "hooded"],
    "boots": ["waterproof", "insulated"],
    "athletic_footwear": ["waterproof", "lightweight", "trail", "wide"],
    "audio": ["wireless", "bluetooth", "noise cancelling"],
    "power_tools": ["cordless", "brushless", "20v"],
    "hand_tools": ["heavy duty", "professional"],
    "grocery": ["organic", "bulk", "family size", "12 pack"],
    "skincare": ["sensitive skin", "unscented", "for dry skin"],
    "pet_food": ["grain free", "for puppies", "large breed", "30 lb"],
    "coffee_tea": ["decaf", "dark roast", "medium roast"],
    "camping": ["2 person", "4 person", "ultralight"],
    "phones": ["unlocked", "256gb"],
    "computers": ["16gb", "touchscreen"],
    "pet_gear": ["large", "for small dogs", "washable"],
    "bedding": ["cooling", "organic cotton"],
}
GENERIC_MODIFIERS = ["cheap", "best", "on sale", "sale", "deals", "under 50", "under 100", "gift"]
KEYBOARD_NEIGHBORS = {
    "a": "qwsz",
    "b": "vghn",
    "c": "xdfv",
    "d": "serfcx",
    "e": "wsdr",
    "f": "drtgvc",
    "g": "ftyhbv",
    "h": "gyujnb",
    "i": "ujko",
    "j": "huikmn",
    "k": "jiolm",
    "l": "kop",
    "m": "njk",
    "n": "bhjm",
    "o": "iklp",
    "p": "ol",
    "q": "wa",
    "r": "edft",
    "s": "awedxz",
    "t": "rfgy",
    "u": "yhji",
    "v": "cfgb",
    "w": "qase",
    "x": "zsdc",
    "y": "tghu",
    "z": "asx",
}
# Query shapes: which parts are spelled out, with weights.
SHAPES: list[tuple[tuple[str, ...], int]] = [
    (("brand", "type"), 24),
    (("type",), 11),
    (("color", "type"), 11),
    (("brand", "color", "type"), 6),
    (("color", "brand", "type"), 5),
    (("brand",), 7),
    (("brand", "line"), 6),
    (("brand", "line", "type"), 6),
    (("type", "brand"), 2),
    (("brand", "type", "color"), 2),
]


def titlecase(text: str) -> str:
    """Title Case for product text: "mac and cheese" -> "Mac and Cheese", "tv" -> "TV"."""
    upper = {"tv", "usb", "hdmi", "rc", "k"}
    small = {"and", "of", "with", "for", "the", "on"}
    words = []
    for i, w in enumerate(text.split()):
        if w in upper:
            words.append(w.upper())
        elif i > 0 and w in small:
            words.append(w)
        else:
            words.append("-".join(part[:1].upper() + part[1:] for part in w.split("-")))
    return " ".join(words)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, columns: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        w.writerows(rows)


class Catalog:
    """The seeds, plus lookups the generator and the measurement share."""

    def __init__(self, seeds: Path) -> None:
        self.brands = read_csv(seeds / "brands.csv")
        self.display = {r["brand"]: r["display_name"] for r in self.brands}
        self.seed_aliases = read_csv(seeds / "brand_aliases.csv")
        self.aliases_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for r in self.seed_aliases:
            self.aliases_of[r["brand"]].append((r["alias"], r["alias_kind"]))
        self.brand_categories = read_csv(seeds / "brand_categories.csv")
        self.categories_of: dict[str, list[str]] = defaultdict(list)
        self.brands_in: dict[str, list[str]] = defaultdict(list)
        for r in self.brand_categories:
            self.categories_of[r["brand"]].append(r["category"])
            self.brands_in[r["category"]].append(r["brand"])
        self.types = read_csv(seeds / "product_types.csv")
        self.category_of = {r["product_type"]: r["category"] for r in self.types}
        self.vertical_of = {r["product_type"]: r["vertical"] for r in self.types}
        self.types_in: dict[str, list[str]] = defaultdict(list)
        for r in self.types:
            self.types_in[r["category"]].append(r["product_type"])
        self.synonyms = read_csv(seeds / "product_type_synonyms.csv")
        self.surfaces_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for r in self.synonyms:
            self.surfaces_of[r["product_type"]].append((r["surface"], r["form"]))
        self.colors = [r["color"] for r in read_csv(seeds / "colors.csv")]
        # Every brand surface of the seeds, lowercase.
        self.seed_brand_surfaces = (
            {r["brand"] for r in self.brands}
            | {r["display_name"].lower() for r in self.brands}
            | {r["alias"].lower() for r in self.seed_aliases}
        )
        self.type_surfaces = {r["product_type"] for r in self.types} | {r["surface"] for r in self.synonyms}


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


def check_new_vocabulary(cat: Catalog) -> None:
    """Fail unless every invented brand, alias and type is absent from the seeds."""
    problems = []
    seen_alias: dict[str, str] = {}
    for display, types, aliases in NEW_BRANDS:
        key = display.lower()
        if key in cat.seed_brand_surfaces:
            problems.append(f"new brand {display!r} is a seed brand surface")
        for t in types:
            if t not in cat.category_of:
                problems.append(f"new brand {display!r} sells {t!r}, not a seed type")
        for alias, _ in aliases:
            seen_alias.setdefault(alias, key)
    for brand, alias, _ in SEED_BRAND_EXTRA_ALIASES:
        if brand not in cat.display:
            problems.append(f"{brand!r} is not a seed brand")
        if alias in seen_alias:
            problems.append(f"alias {alias!r} given twice")
        seen_alias.setdefault(alias, brand)
    new_keys = {d.lower() for d, _, _ in NEW_BRANDS}
    for alias, brand in seen_alias.items():
        if alias in cat.seed_brand_surfaces:
            problems.append(f"alias {alias!r} of {brand!r} is already a seed brand surface")
        if alias in new_keys:
            problems.append(f"alias {alias!r} of {brand!r} is a new brand's name")
        if alias in cat.type_surfaces or alias in cat.colors:
            problems.append(f"alias {alias!r} of {brand!r} is a product type or color surface")
    for t, category, brands in NEW_TYPES:
        if t in cat.type_surfaces:
            problems.append(f"new type {t!r} is a seed type surface")
        if category not in cat.types_in:
            problems.append(f"new type {t!r}: {category!r} is not a seed category")
        for b in brands:
            if category not in cat.categories_of.get(b, []):
                problems.append(f"new type {t!r}: {b!r} does not sell {category!r}")
    for brand, ptype, *_ in ANCHORS:
        if cat.category_of[ptype] not in cat.categories_of[brand]:
            problems.append(f"anchor {brand!r} {ptype!r}: brand does not sell {cat.category_of[ptype]!r}")
    if problems:
        sys.exit("vocabulary check failed:\n  " + "\n  ".join(problems))


def palette_for(brand: str, ptype: str, category: str) -> list[str]:
    if ptype in MAKEUP_COLORS:
        return MAKEUP_COLORS[ptype]
    if ptype in COLORED_TYPES_IN_COLORLESS:
        return COLORED_TYPES_IN_COLORLESS[ptype]
    if category in COLORLESS_CATEGORIES or category in {"makeup", "nails"}:
        return []
    if ptype == "jeans":
        return JEANS_COLORS
    return PALETTES.get(category, DEFAULT_PALETTE)


def gender_for(ptype: str, category: str, rng: random.Random) -> str | None:
    if category not in GENDERED_CATEGORIES:
        return None
    if ptype in WOMEN_TYPES:
        return "women"
    if ptype in MEN_TYPES:
        return "men"
    return rng.choice(["men", "women", None])


def price_for(brand: str, category: str, vertical: str, line: str, rng: random.Random) -> str:
    if (brand, line) in ANCHOR_PRICES:
        return f"{ANCHOR_PRICES[brand, line]:.2f}"
    lo, hi = PRICE_RANGES.get(category, DEFAULT_PRICE)
    p = lo * (hi / lo) ** rng.random()
    if brand in LUXURY:
        p *= 6
    if vertical == "grocery":
        p = min(p, 30.0)
    cents = rng.choice([0.99, 0.99, 0.95, 0.49, 0.0])
    return f"{max(int(p), 1) + cents:.2f}"


def feed_type_surface(ptype: str, cat: Catalog, rng: random.Random) -> str:
    """The product_type as a feed writes it: canonical, plural/singular form, some Title Case."""
    forms = [s for s, form in cat.surfaces_of.get(ptype, []) if form in ("plural", "singular")]
    surface = ptype
    if forms and rng.random() < 0.3:
        surface = rng.choice(forms)
    if rng.random() < 0.2:
        surface = titlecase(surface)
    return surface


def make_title(
    display: str,
    gender: str | None,
    line: str,
    ptype: str,
    color: str,
    category: str,
    vertical: str,
    rng: random.Random,
) -> str:
    parts = [display]
    if gender:
        parts.append("Men's" if gender == "men" else "Women's")
    if line:
        parts.append(line)
    parts.append(titlecase(ptype))
    title = " ".join(parts)
    if color:
        title += " - " + titlecase(color)
    elif vertical == "grocery" and "," not in line:
        title += ", " + rng.choice(GROCERY_SIZES)
    elif category in {"skincare", "haircare", "personal_care", "fragrance"} and " oz" not in line:
        title += ", " + rng.choice(BEAUTY_SIZES)
    return title


class Product:
    def __init__(
        self,
        pid: str,
        brand: str,
        display: str,
        ptype: str,
        feed_type: str,
        category: str,
        vertical: str,
        color: str,
        line: str,
        named_line: bool,
        gender: str | None,
        title: str,
        price: str,
        kind: str,
    ) -> None:
        self.pid, self.brand, self.display, self.ptype, self.feed_type = pid, brand, display, ptype, feed_type
        self.category, self.vertical, self.color, self.line, self.named_line = (
            category,
            vertical,
            color,
            line,
            named_line,
        )
        self.gender, self.title, self.price, self.kind = gender, title, price, kind

    def row(self) -> list[str]:
        return [
            self.pid,
            self.title,
            self.display,
            titlecase(self.color) if self.color else "",
            self.feed_type,
            self.category,
            self.price,
        ]


def build_products(cat: Catalog, rng: random.Random) -> list[Product]:
    specs: list[dict] = []  # brand, display, ptype, category, vertical, color, line, named, gender, kind
    seen_titles: set[str] = set()

    def add(spec: dict) -> bool:
        title = make_title(
            spec["display"],
            spec["gender"],
            spec["line"],
            spec["ptype"],
            spec["color"],
            spec["category"],
            spec["vertical"],
            rng,
        )
        if title in seen_titles:
            return False
        seen_titles.add(title)
        spec["title"] = title
        specs.append(spec)
        return True

    # Named products of popular brands.
    for brand, ptype, line, colors, gender in ANCHORS:
        for color in colors:
            add(
                dict(
                    brand=brand,
                    display=cat.display[brand],
                    ptype=ptype,
                    category=cat.category_of[ptype],
                    vertical=cat.vertical_of[ptype],
                    color=color,
                    line=line,
                    named=True,
                    gender=gender,
                    kind="known",
                )
            )
    # Random plausible seed products: a (brand, category) of brand_categories, a type of it.
    weights = [3.0 if r["brand"] in POPULAR else 1.0 for r in cat.brand_categories]
    while len(specs) < N_KNOWN_PRODUCTS:
        r = rng.choices(cat.brand_categories, weights=weights)[0]
        brand, category = r["brand"], r["category"]
        ptype = rng.choice(cat.types_in[category])
        palette = palette_for(brand, ptype, category)
        color = ""
        if palette:
            color = TOOL_BRAND_COLORS.get(brand) if brand in TOOL_BRAND_COLORS and rng.random() < 0.85 else ""
            color = color or rng.choice(palette)
        vertical = cat.vertical_of[ptype]
        line = rng.choice(DESCRIPTORS.get("grocery" if vertical == "grocery" else category, DEFAULT_DESCRIPTORS))
        add(
            dict(
                brand=brand,
                display=cat.display[brand],
                ptype=ptype,
                category=category,
                vertical=vertical,
                color=color,
                line=line,
                named=False,
                gender=gender_for(ptype, category, rng),
                kind="known",
            )
        )
    # New brands selling seed types.
    for display, types, _ in NEW_BRANDS:
        n = 3 if len(types) == 3 else 4
        if display == "Lumi Skin":
            n = 5
        for i in range(n):
            ptype = types[i % len(types)]
            category = cat.category_of[ptype]
            palette = palette_for("", ptype, category)
            vertical = cat.vertical_of[ptype]
            for _ in range(20):
                line = rng.choice(
                    DESCRIPTORS.get("grocery" if vertical == "grocery" else category, DEFAULT_DESCRIPTORS)
                )
                if display == "Lumi Skin" and ptype == "moisturizer":
                    line = "Rose Crème"  # a non-ASCII title
                spec = dict(
                    brand=display.lower(),
                    display=display,
                    ptype=ptype,
                    category=category,
                    vertical=vertical,
                    color=rng.choice(palette) if palette else "",
                    line=line,
                    named=False,
                    gender=gender_for(ptype, category, rng),
                    kind="new_brand",
                )
                if add(spec):
                    break
    # New product types, sold by seed brands.
    for (ptype, category, brands), n in zip(NEW_TYPES, N_PER_NEW_TYPE):
        palette = [] if category == "skincare" else PALETTES.get(category, DEFAULT_PALETTE)
        for i in range(n):
            brand = brands[i % len(brands)]
            for _ in range(20):
                line = rng.choice(DESCRIPTORS.get(category, DEFAULT_DESCRIPTORS))
                spec = dict(
                    brand=brand,
                    display=cat.display[brand],
                    ptype=ptype,
                    category=category,
                    vertical=cat.vertical_of[cat.types_in[category][0]],
                    color=rng.choice(palette) if palette else "",
                    line=line,
                    named=False,
                    gender=None,
                    kind="new_type",
                )
                if add(spec):
                    break

    order = list(range(len(specs)))
    rng.shuffle(order)  # feed order does not group by brand
    products = []
    for n, i in enumerate(order, start=1):
        s = specs[i]
        feed_type = (
            feed_type_surface(s["ptype"], cat, rng)
            if s["kind"] != "new_type"
            else (titlecase(s["ptype"]) if rng.random() < 0.2 else s["ptype"])
        )
        products.append(
            Product(
                pid=f"P{n:06d}",
                brand=s["brand"],
                display=s["display"],
                ptype=s["ptype"],
                feed_type=feed_type,
                category=s["category"],
                vertical=s["vertical"],
                color=s["color"],
                line=s["line"],
                named_line=s["named"],
                gender=s["gender"],
                title=s["title"],
                price=price_for(s["brand"], s["category"], s["vertical"], s["line"] if s["named"] else "", rng),
                kind=s["kind"],
            )
        )
    return products


def phantom_products(cat: Catalog, rng: random.Random, n: int) -> list[Product]:
    """Delisted products: clicked in the log, absent from the feed (ids P9xxxxx)."""
    ids = sorted(rng.sample(range(900000, 1000000), n))
    out = []
    for pid in ids:
        r = rng.choice(cat.brand_categories)
        ptype = rng.choice(cat.types_in[r["category"]])
        palette = palette_for(r["brand"], ptype, r["category"])
        out.append(
            Product(
                pid=f"P{pid}",
                brand=r["brand"],
                display=cat.display[r["brand"]],
                ptype=ptype,
                feed_type=ptype,
                category=r["category"],
                vertical=cat.vertical_of[ptype],
                color=rng.choice(palette) if palette else "",
                line="",
                named_line=False,
                gender=gender_for(ptype, r["category"], rng),
                title="",
                price="",
                kind="delisted",
            )
        )
    return out


def brand_alias_rows() -> list[list[str]]:
    rows = []
    for display, _, aliases in NEW_BRANDS:
        rows += [[display.lower(), a, k] for a, k in aliases]
    rows += [[b, a, k] for b, a, k in SEED_BRAND_EXTRA_ALIASES]
    return rows


class QueryWriter:
    """Writes what a shopper types for a product, as (text, role, typo_ok) segments."""

    def __init__(self, cat: Catalog) -> None:
        self.cat = cat
        self.file_aliases: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for b, a, k in brand_alias_rows():
            self.file_aliases[b].append((a, k))
        self.competitors = cat.brands_in

    def brand_surface(self, p: Product, rng: random.Random) -> tuple[str, bool]:
        mine = self.file_aliases.get(p.brand, [])
        if mine and rng.random() < (0.4 if p.kind == "new_brand" else 0.25):
            alias, kind = rng.choice(mine)
            return alias, kind == "alias"
        seed = self.cat.aliases_of.get(p.brand, [])
        if seed:
            x = rng.random()
            proper = [a for a, k in seed if k == "alias"]
            wrong = [a for a, k in seed if k == "misspelling"]
            if proper and x < 0.22:
                return rng.choice(proper), True
            if wrong and x > 0.97:
                return rng.choice(wrong), False
        return p.display.lower(), True

    def type_surface(self, p: Product, rng: random.Random) -> str:
        surfaces = [s for s, _ in self.cat.surfaces_of.get(p.ptype, [])]
        if surfaces and rng.random() < 0.3:
            return rng.choice(surfaces)
        return p.ptype

    def modifiers(self, p: Product, rng: random.Random) -> list[tuple[str, str]]:
        """(modifier, position) pairs, position 'pre' or 'post'."""
        n = rng.choices([0, 1, 2], weights=[62, 31, 7])[0]
        pools: list[list[str]] = []
        if p.gender:
            pools += [GENDER_WORDS[p.gender]] * 2
        c = p.category
        if c in {"athletic_footwear", "casual_shoes", "boots", "dress_shoes", "sandals_slippers"}:
            pools.append(SIZE_MODIFIERS["footwear"])
        elif p.ptype in {"jeans", "pants", "chinos", "cargo pants"}:
            pools.append(SIZE_MODIFIERS["pants"])
        elif c in {"tops", "outerwear", "activewear", "intimates", "swimwear", "bottoms", "dresses"}:
            pools.append(SIZE_MODIFIERS["apparel"])
        elif c in SIZE_MODIFIERS:
            pools.append(SIZE_MODIFIERS[c])
        attr_key = "grocery" if p.vertical == "grocery" and c not in ATTRIBUTE_MODIFIERS else c
        if attr_key in ATTRIBUTE_MODIFIERS:
            pools += [ATTRIBUTE_MODIFIERS[attr_key]] * 2
        pools.append(GENERIC_MODIFIERS)
        out: list[tuple[str, str]] = []
        used: set[int] = set()
        for _ in range(n):
            k = rng.randrange(len(pools))
            if k in used:
                continue
            used.add(k)
            mod = rng.choice(pools[k])
            pre = (
                mod
                in (
                    "cheap",
                    "best",
                    "waterproof",
                    "wireless",
                    "cordless",
                    "organic",
                    "lightweight",
                    "insulated",
                    "decaf",
                    "grain free",
                )
                and rng.random() < 0.6
            )
            out.append((mod, "pre" if pre else "post"))
        return out

    def write(self, p: Product, rng: random.Random, mismatch: bool) -> tuple[list[tuple[str, str, bool]], str]:
        """Segments of the query and the mismatch kind ('' when none)."""
        shapes = [(s, w) for s, w in SHAPES if ("color" not in s or p.color) and ("line" not in s or p.named_line)]
        mismatch_kind = ""
        if mismatch:
            if p.color and rng.random() < 0.6:
                mismatch_kind = "color"
            else:
                mismatch_kind = "brand"
            shapes = [(s, w) for s, w in shapes if mismatch_kind in s]
        shape = rng.choices([s for s, _ in shapes], weights=[w for _, w in shapes])[0]
        segments: list[tuple[str, str, bool]] = []
        if (
            "line" in shape
            and "type" in shape
            and any(k == "type" for *_, k, _, _ in tag(p.line.lower().replace(",", "").split(), self.gaz))
        ):
            shape = tuple(x for x in shape if x != "type")  # "hydrating facial cleanser", not "... cleanser face wash"
        for part in shape:
            if part == "brand":
                if mismatch_kind == "brand":
                    others = [
                        b
                        for b in self.competitors[p.category if p.category in self.competitors else ""]
                        if b != p.brand
                    ]
                    if not others:
                        others = [b for b in self.cat.display if b != p.brand]
                    segments.append((self.cat.display[rng.choice(others)].lower(), "brand", True))
                else:
                    text, ok = self.brand_surface(p, rng)
                    segments.append((text, "brand", ok))
            elif part == "color":
                color = p.color
                if mismatch_kind == "color":
                    pal = [c for c in palette_for(p.brand, p.ptype, p.category) if c != p.color]
                    pal = pal or [c for c in DEFAULT_PALETTE if c != p.color]
                    color = rng.choice(pal)
                segments.append((color, "color", True))
            elif part == "type":
                segments.append((self.type_surface(p, rng), "type", True))
            elif part == "line":
                words = p.line.replace(",", "").replace('"', "").lower().split()
                # Shoppers type the model, not the marketing words.
                keep = [w for w in words if w not in {"classic", "original", "fit", "light", "+"} and "%" not in w]
                segments.append((" ".join((keep or words)[:4]), "line", False))
        pre, post = [], []
        if not (shape == ("brand",) and rng.random() < 0.8):  # brand-only queries stay bare
            for mod, pos in self.modifiers(p, rng):
                (pre if pos == "pre" else post).append((mod, "mod", False))
        return pre + segments + post, mismatch_kind


def add_typo(word: str, rng: random.Random, known: set[str]) -> str | None:
    """A one-edit misspelling of word that keeps its first letter and is no known word."""
    for _ in range(30):
        i = rng.randrange(1, len(word))
        op = rng.choice(["delete", "swap", "substitute", "double"])
        if op == "delete":
            out = word[:i] + word[i + 1 :]
        elif op == "swap" and i + 1 < len(word):
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif op == "substitute" and word[i] in KEYBOARD_NEIGHBORS:
            out = word[:i] + rng.choice(KEYBOARD_NEIGHBORS[word[i]]) + word[i + 1 :]
        elif op == "double":
            out = word[:i] + word[i] + word[i:]
        else:
            continue
        if out != word and out not in known and out[0] == word[0]:
            return out
    return None


def apply_casing(query: str, rng: random.Random) -> str:
    x = rng.random()
    if x < 0.45:
        return " ".join(w[:1].upper() + w[1:] for w in query.split())
    if x < 0.8:
        return query.upper()
    return query[:1].upper() + query[1:]


def agrees(tags: list[tuple[int, int, str, str, str]], p: Product) -> bool:
    want = {"brand": p.brand, "color": p.color, "type": p.ptype}
    return all(canonical == want[kind] for _, _, kind, canonical, _ in tags)


def build_clicks(cat: Catalog, products: list[Product], rng: random.Random) -> list[list[str]]:
    writer = QueryWriter(cat)
    delisted = phantom_products(cat, rng, 24)
    # Popularity: Zipf-like over a shuffled ranking; named products are pushed up.
    ranked = sorted(products, key=lambda p: (not p.named_line, rng.random()))
    pop = [1.0 / (r + 8) ** 0.9 for r in range(len(ranked))]
    by_type: dict[str, list[Product]] = defaultdict(list)
    for p in products:
        by_type[p.ptype].append(p)

    # Sessions: lengths, start times; events a few seconds to minutes apart.
    hour_w = [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 3.5, 3.5, 4, 4.5, 4, 3.8, 3.6, 3.6, 4, 5, 6, 6.5, 6, 4.5, 2.5]
    lengths: list[int] = []
    while sum(lengths) < N_EVENTS:
        lengths.append(rng.choices(range(1, 9), weights=[18, 20, 20, 16, 11, 8, 4, 3])[0])
    lengths[-1] -= sum(lengths) - N_EVENTS
    end = START + dt.timedelta(days=N_DAYS)
    sessions = []
    for length in lengths:
        day = rng.randrange(N_DAYS)
        hour = rng.choices(range(24), weights=hour_w)[0]
        t = START + dt.timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
        gaps = [rng.randint(8, 240) for _ in range(length - 1)]
        if t + dt.timedelta(seconds=sum(gaps)) >= end:
            t = end - dt.timedelta(seconds=sum(gaps) + rng.randint(60, 3600))
        times = [t]
        for g in gaps:
            times.append(times[-1] + dt.timedelta(seconds=g))
        sessions.append(times)
    sessions.sort(key=lambda ts: ts[0])

    n = N_EVENTS
    unknown = set(rng.sample(range(n), N_UNKNOWN_CLICKS))
    mismatch = set(rng.sample(sorted(set(range(n)) - unknown), N_MISMATCH))
    events = []  # [ts, session_id, product, mismatch]
    k = 0
    for s_idx, times in enumerate(sessions):
        sid = f"S{s_idx + 1:05d}"
        focus = rng.choices(ranked, weights=pop)[0]
        for t in times:
            if k in unknown:
                p = rng.choice(delisted)
            else:
                x = rng.random()
                if x < 0.25:
                    p = focus  # refines the query for the same product
                elif x < 0.6 and len(by_type[focus.ptype]) > 1:
                    p = rng.choice(by_type[focus.ptype])  # browses the same type
                else:
                    p = focus = rng.choices(ranked, weights=pop)[0]
            events.append([t, sid, p, k in mismatch])
            k += 1

    # Queries.
    known_words = vocabulary(cat, products, brand_alias_rows())
    gaz = gazetteer(cat, products, brand_alias_rows())
    writer.gaz = gaz
    # Modifiers name no entity; a product line names nothing but its own product.
    for pool in (
        list(GENDER_WORDS.values())
        + list(SIZE_MODIFIERS.values())
        + list(ATTRIBUTE_MODIFIERS.values())
        + [GENERIC_MODIFIERS]
    ):
        for mod in pool:
            if tag(mod.split(), gaz):
                raise SystemExit(f"modifier {mod!r} contains a catalog surface: {tag(mod.split(), gaz)}")
    for p in products:
        if p.named_line and not agrees(tag(p.line.lower().replace(",", "").replace('"', "").split(), gaz), p):
            raise SystemExit(f"line {p.line!r} of {p.title!r} names another entity")
    queries = []
    for _t, _sid, p, mm in events:
        for _ in range(50):
            segs, kind = writer.write(p, rng, mm)
            tags = tag(" ".join(text for text, _, _ in segs).split(), gaz)
            want = {"brand": p.brand, "color": p.color, "type": p.ptype}
            wrong = {k for _, _, k, canonical, _ in tags if canonical != want[k]}
            # Words that run together can name something else ("... knit" + "hat"): write again.
            if wrong == ({kind} if mm else set()):
                break
        else:
            raise RuntimeError(f"no query found for {p.title or p.pid}")
        queries.append(segs)
    # Typos: exactly N_TYPO events, one entity word of length >= 4, never on mismatch events.
    eligible = [
        i
        for i, segs in enumerate(queries)
        if not events[i][3]
        and any(
            ok and role in ("brand", "color", "type") and any(len(w) >= 4 and w.isalpha() for w in text.split())
            for text, role, ok in segs
        )
    ]
    rng.shuffle(eligible)
    words_of = [[text.split() for text, _, _ in segs] for segs in queries]
    n_typo = 0
    for i in eligible:
        if n_typo == N_TYPO:
            break
        segs, p = queries[i], events[i][2]
        slots = [
            (j, w_i)
            for j, (text, role, ok) in enumerate(segs)
            if ok and role in ("brand", "color", "type")
            for w_i, w in enumerate(text.split())
            if len(w) >= 4 and w.isalpha()
        ]
        for _ in range(20):
            j, w_i = rng.choice(slots)
            bad = add_typo(words_of[i][j][w_i], rng, known_words)
            if not bad:
                continue
            trial = [list(words) for words in words_of[i]]
            trial[j][w_i] = bad
            # What is left readable must still describe the product ("runing shoes" would
            # leave "shoes", another type than "running shoes": then try another word).
            if agrees(tag([w for words in trial for w in words], gaz), p):
                words_of[i] = trial
                n_typo += 1
                break
    if n_typo < N_TYPO:
        raise RuntimeError(f"only {n_typo} typos placed")
    texts = [" ".join(w for words in ws for w in words) for ws in words_of]
    casing = set(rng.sample(range(n), N_CASING))
    texts = [apply_casing(q, rng) if i in casing else q for i, q in enumerate(texts)]
    empty_session = set(rng.sample(range(n), N_EMPTY_SESSION))

    order = sorted(range(n), key=lambda i: (events[i][0], i))
    rows = []
    for e_no, i in enumerate(order, start=1):
        t, sid, p, _ = events[i]
        rows.append(
            [f"E{e_no:06d}", "" if i in empty_session else sid, t.strftime("%Y-%m-%d %H:%M:%S"), texts[i], p.pid]
        )
    return rows


# --------------------------------------------------------------------------------------------
# Measurement (from the written files)
# --------------------------------------------------------------------------------------------


def all_modifier_words() -> set[str]:
    words = set()
    for pool in (
        list(GENDER_WORDS.values())
        + list(SIZE_MODIFIERS.values())
        + list(ATTRIBUTE_MODIFIERS.values())
        + [GENERIC_MODIFIERS]
    ):
        for m in pool:
            words.update(m.split())
    return words


def line_words(line: str) -> set[str]:
    return set(line.replace(",", "").replace('"', "").lower().split())


def vocabulary(cat: Catalog, products, alias_rows) -> set[str]:
    """Every word a correctly spelt query may contain (typo generation avoids these)."""
    words = all_modifier_words()
    for surface in gazetteer(cat, products, alias_rows):
        words.update(surface.split())
    for p in products:
        title = p.title if isinstance(p, Product) else p["title"]
        words.update(w.strip(',"') for w in title.lower().split())
    for a in ANCHORS:
        words.update(line_words(a[2]))
    return words


def gazetteer(cat: Catalog, products, alias_rows) -> dict[str, tuple[str, str, str]]:
    """surface -> (kind, canonical, source). Seeds first, then what the example files add."""
    gaz: dict[str, tuple[str, str, str]] = {}

    def put(surface: str, kind: str, canonical: str, source: str) -> None:
        old = gaz.get(surface)
        if old and (old[0], old[1]) != (kind, canonical):
            # Same surface, two meanings: report it (none expected).
            raise SystemExit(f"ambiguous surface {surface!r}: {old} vs {(kind, canonical, source)}")
        gaz.setdefault(surface, (kind, canonical, source))

    for r in cat.brands:
        put(r["brand"], "brand", r["brand"], "seed")
        put(r["display_name"].lower(), "brand", r["brand"], "seed")
    for r in cat.seed_aliases:
        put(r["alias"], "brand", r["brand"], "seed_" + r["alias_kind"])
    for c in cat.colors:
        put(c, "color", c, "seed")
    for r in cat.types:
        put(r["product_type"], "type", r["product_type"], "seed")
    for r in cat.synonyms:
        put(r["surface"], "type", r["product_type"], "seed")
    for p in products:
        brand = (p.display if isinstance(p, Product) else p["brand"]).lower()
        ptype = (p.feed_type if isinstance(p, Product) else p["product_type"]).lower()
        put(brand, "brand", brand, "feed")
        if ptype not in gaz:
            put(ptype, "type", ptype, "feed")
    for b, a, k in alias_rows:
        put(a, "brand", b, "file_" + k)
    return gaz


def tag(tokens: list[str], gaz: dict[str, tuple[str, str, str]]) -> list[tuple[int, int, str, str, str]]:
    """Greedy longest match: (start, end, kind, canonical, source)."""
    out, i = [], 0
    while i < len(tokens):
        for n in range(min(5, len(tokens) - i), 0, -1):
            hit = gaz.get(" ".join(tokens[i : i + n]))
            if hit:
                out.append((i, i + n, *hit))
                i += n
                break
        else:
            i += 1
    return out


def measure(out_dir: Path, cat: Catalog) -> dict[str, object]:
    problems: list[str] = []
    stats: dict[str, object] = {}
    files = {"products.csv": PRODUCT_COLUMNS, "brand_aliases.csv": ALIAS_COLUMNS, "click_logs.csv": CLICK_COLUMNS}
    data = {}
    for name, columns in files.items():
        with (out_dir / name).open(newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            if header != columns:
                problems.append(f"{name}: header {header} != {columns}")
            data[name] = [dict(zip(header, r)) for r in reader]
            if any(len(r) != len(columns) for r in data[name]):
                problems.append(f"{name}: a row has the wrong number of fields")
    products, aliases, clicks = data["products.csv"], data["brand_aliases.csv"], data["click_logs.csv"]

    # Products.
    seed_displays = {r["display_name"] for r in cat.brands}
    type_canonical = {r["product_type"]: r["product_type"] for r in cat.types}
    type_canonical.update({r["surface"]: r["product_type"] for r in cat.synonyms})
    ids = [p["product_id"] for p in products]
    if len(set(ids)) != len(ids):
        problems.append("products.csv: duplicate product_id")
    known_brand = [p["brand"] in seed_displays for p in products]
    known_type = [p["product_type"].lower() in type_canonical for p in products]
    known_color = [p["color"].lower() in cat.colors or p["color"] == "" for p in products]
    new_brand_names = sorted({p["brand"] for p, kb in zip(products, known_brand) if not kb})
    new_type_names = sorted({p["product_type"].lower() for p, kt in zip(products, known_type) if not kt})
    for name in new_brand_names:
        if name.lower() in cat.seed_brand_surfaces:
            problems.append(f"brand {name!r} is not a seed display name but is a seed brand surface")
    fully_known = sum(1 for a, b, c in zip(known_brand, known_type, known_color) if a and b and c)
    for p, kt in zip(products, known_type):
        if kt and p["category"] != cat.category_of[type_canonical[p["product_type"].lower()]]:
            problems.append(f"{p['product_id']}: category {p['category']} is not its type's")
        if p["brand"] not in p["title"]:
            problems.append(f"{p['product_id']}: title lacks the brand")
        if p["category"] not in cat.types_in:
            problems.append(f"{p['product_id']}: category {p['category']!r} is not a seed category")
    for p, kb, kt in zip(products, known_brand, known_type):
        if kb and kt and p["category"] not in cat.categories_of[p["brand"].lower()]:
            problems.append(f"{p['product_id']}: {p['brand']} does not sell {p['category']} in brand_categories")
    feed_type_forms = Counter(
        "canonical"
        if p["product_type"] in cat.category_of
        else ("title case" if p["product_type"] != p["product_type"].lower() else "plural/singular surface")
        for p, kt in zip(products, known_type)
        if kt
    )
    stats["products"] = len(products)
    stats["products fully in the seeds (brand, type, color)"] = fully_known
    stats["products of new brands"] = sum(1 for k in known_brand if not k)
    stats["new brands"] = f"{len(new_brand_names)}: " + ", ".join(new_brand_names)
    stats["products of new product types"] = sum(1 for k in known_type if not k)
    stats["new product types"] = f"{len(new_type_names)}: " + ", ".join(new_type_names)
    stats["products with an empty color"] = sum(1 for p in products if not p["color"])
    stats["distinct brands / product types (as written)"] = (
        f"{len({p['brand'] for p in products})} / {len({p['product_type'] for p in products})}"
    )
    stats["seed-type product_type written as"] = ", ".join(f"{k} {v}" for k, v in sorted(feed_type_forms.items()))

    # Aliases.
    new_keys = {b.lower() for b in new_brand_names}
    alias_seen = Counter(a["alias"] for a in aliases)
    for a in aliases:
        if a["alias_kind"] not in ("alias", "misspelling"):
            problems.append(f"alias {a['alias']!r}: bad alias_kind")
        if a["alias"] in cat.seed_brand_surfaces or alias_seen[a["alias"]] > 1 or a["alias"] in new_keys:
            problems.append(f"alias {a['alias']!r} collides with another brand surface")
        if a["brand"] not in new_keys and a["brand"] not in cat.display:
            problems.append(f"alias {a['alias']!r}: unknown brand {a['brand']!r}")
        if a["brand"] != a["brand"].lower():
            problems.append(f"alias brand {a['brand']!r} is not lowercase")
    per_new = Counter(a["brand"] for a in aliases if a["brand"] in new_keys)
    if set(per_new) != new_keys or not all(1 <= v <= 3 for v in per_new.values()):
        problems.append(f"each new brand needs 1-3 aliases: {dict(per_new)}")
    stats["alias rows"] = (
        f"{len(aliases)} ({sum(per_new.values())} for {len(per_new)} new brands, "
        f"{len(aliases) - sum(per_new.values())} for seed brands; "
        f"{sum(1 for a in aliases if a['alias_kind'] == 'misspelling')} misspellings)"
    )

    # Clicks.
    alias_rows = [[a["brand"], a["alias"], a["alias_kind"]] for a in aliases]
    gaz = gazetteer(cat, products, alias_rows)
    by_id = {p["product_id"]: p for p in products}
    event_ids = [c["event_id"] for c in clicks]
    if len(set(event_ids)) != len(event_ids):
        problems.append("click_logs.csv: duplicate event_id")
    base_vocab = all_modifier_words() | {w for s in gaz for w in s.split()}
    for a in ANCHORS:
        base_vocab |= line_words(a[2])
    unknown = casing = typo = mismatch = brand_only = 0
    mismatch_kinds: Counter[str] = Counter()
    parts: Counter[str] = Counter()
    alias_use: Counter[str] = Counter()
    with_modifier = 0
    mod_words = all_modifier_words()
    for c in clicks:
        try:
            dt.datetime.strptime(c["event_ts"], "%Y-%m-%d %H:%M:%S")
        except ValueError:
            problems.append(f"{c['event_id']}: bad event_ts {c['event_ts']!r}")
        q = c["query_text"]
        if not q or q != " ".join(q.split()):
            problems.append(f"{c['event_id']}: empty or badly spaced query")
        if q != q.lower():
            casing += 1
        tokens = q.lower().split()
        p = by_id.get(c["clicked_product_id"])
        vocab = base_vocab | ({w.strip(',"') for w in p["title"].lower().split()} if p else set())
        if any(t not in vocab for t in tokens):
            typo += 1
        if any(t in mod_words for t in tokens):
            with_modifier += 1
        tags = tag(tokens, gaz)
        kinds = tuple(sorted({k for _, _, k, _, _ in tags}))
        parts["+".join(kinds) or "(no entity found)"] += 1
        if kinds == ("brand",) and len(tags) == 1 and tags[0][1] - tags[0][0] == len(tokens):
            brand_only += 1
        for _, _, kind, _, source in tags:
            if kind == "brand" and source != "seed" and source != "feed":
                alias_use[source] += 1
        if p is None:
            unknown += 1
            continue
        want = {
            "brand": p["brand"].lower(),
            "color": p["color"].lower(),
            "type": type_canonical.get(p["product_type"].lower(), p["product_type"].lower()),
        }
        bad = sorted({kind for _, _, kind, canonical, _ in tags if canonical != want[kind]})
        if bad:
            mismatch += 1
            mismatch_kinds["+".join(bad)] += 1
    sessions = Counter(c["session_id"] for c in clicks if c["session_id"])
    ts = sorted(c["event_ts"] for c in clicks)
    n = len(clicks)
    stats["events"] = n
    stats["sessions"] = (
        f"{len(sessions)} (events per session: mean {sum(sessions.values()) / len(sessions):.2f}, max {max(sessions.values())})"
    )
    stats["events with an empty session_id"] = n - sum(sessions.values())
    stats["event_ts range"] = f"{ts[0]} .. {ts[-1]}"
    stats["distinct query texts"] = len({c["query_text"] for c in clicks})
    stats["clicks on product ids not in products.csv"] = (
        f"{unknown} ({100 * unknown / n:.1f} %, {len({c['clicked_product_id'] for c in clicks if c['clicked_product_id'] not in by_id})} distinct ids)"
    )
    stats["clicks on new-brand products"] = sum(
        1
        for c in clicks
        if c["clicked_product_id"] in by_id and by_id[c["clicked_product_id"]]["brand"] not in seed_displays
    )
    stats["clicks on new-type products"] = sum(
        1
        for c in clicks
        if c["clicked_product_id"] in by_id
        and by_id[c["clicked_product_id"]]["product_type"].lower() not in type_canonical
    )
    stats["queries with a typo (a word outside the vocabulary)"] = f"{typo} ({100 * typo / n:.1f} %)"
    stats["queries not all lowercase"] = f"{casing} ({100 * casing / n:.1f} %)"
    stats["queries naming another brand/color than the click"] = (
        f"{mismatch} ({100 * mismatch / n:.1f} %: "
        + ", ".join(f"{k} {v}" for k, v in sorted(mismatch_kinds.items()))
        + ")"
    )
    stats["queries with a modifier word"] = f"{with_modifier} ({100 * with_modifier / n:.1f} %)"
    stats["brand-only queries"] = brand_only
    stats["brand mentions through an alias"] = ", ".join(f"{k} {v}" for k, v in sorted(alias_use.items()))
    stats["entity kinds found per query"] = ", ".join(f"{k} {v}" for k, v in parts.most_common())

    expected = {"products": (380, 420), "events": (N_EVENTS, N_EVENTS)}
    for key, (lo, hi) in expected.items():
        if not lo <= int(stats[key]) <= hi:
            problems.append(f"{key} = {stats[key]}, expected {lo}..{hi}")
    if unknown != N_UNKNOWN_CLICKS:
        problems.append(f"unknown product clicks {unknown} != {N_UNKNOWN_CLICKS}")
    if mismatch != N_MISMATCH:
        problems.append(f"mismatching queries {mismatch} != {N_MISMATCH} (an unplanned disagreement?)")
    if typo != N_TYPO:
        problems.append(f"typo queries {typo} != {N_TYPO}")
    if casing != N_CASING:
        problems.append(f"casing variants {casing} != {N_CASING}")
    if any(not c["clicked_product_id"].startswith("P9") for c in clicks if c["clicked_product_id"] not in by_id):
        problems.append("an unknown product id does not look delisted (P9xxxxx)")
    stats["problems"] = problems
    return stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=Path, default=SEEDS_DIR, help="catalog seed folder (default dbt/seeds)")
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default: this script's)")
    ap.add_argument("--check", action="store_true", help="only measure the files already written")
    args = ap.parse_args()
    cat = Catalog(args.seeds)
    if not args.check:
        check_new_vocabulary(cat)
        rng = random.Random(SEED)
        products = build_products(cat, rng)
        write_csv(args.out / "products.csv", PRODUCT_COLUMNS, [p.row() for p in products])
        write_csv(args.out / "brand_aliases.csv", ALIAS_COLUMNS, brand_alias_rows())
        write_csv(args.out / "click_logs.csv", CLICK_COLUMNS, build_clicks(cat, products, rng))
    stats = measure(args.out, cat)
    problems = stats.pop("problems")
    width = max(len(k) for k in stats)
    for k, v in stats.items():
        print(f"{k:<{width}}  {v}")
    if problems:
        print("\nPROBLEMS:\n  " + "\n  ".join(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
