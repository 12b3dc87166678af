"""CRF features of a token list: word form, shape, affixes, position, neighbours, gazetteer,
word clusters.

Feature dicts use pycrfsuite's conventions: a string value ``v`` for key ``k`` becomes the
binary feature ``k=v``, a float is a weighted feature. Only true boolean features are emitted,
which keeps the model file small. Every group can be switched off (:class:`FeatureConfig`) so
ablations and behavioral fixes ("make the model case-insensitive") are config changes, not
code changes. The same function builds features at training and at prediction time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from query_understanding.bio import bio_to_spans
from query_understanding.crf.clusters import WordClusters
from query_understanding.gazetteer import Gazetteer

Features = dict[str, str | float]

_SHAPE_RUNS = re.compile(r"(.)\1+")


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """Which feature groups to emit.

    ``use_shape`` covers everything that sees casing (shape, is_upper, is_title): with it off,
    features are computed from lowercased tokens only and the tagger is exactly
    case-invariant. ``window`` is how many neighbours on each side contribute their word form.
    """

    use_shape: bool = True
    use_affixes: bool = True
    use_position: bool = True
    use_neighbours: bool = True
    window: int = 2
    use_gazetteer: bool = True
    #: k-means clusters of the encoder's word pieces (:mod:`query_understanding.crf.clusters`);
    #: 0: no cluster feature. 128 won on QueryNER dev (docs/experiments.md).
    word_clusters: int = 128


def word_shape(token: str) -> str:
    """Compressed character classes: ``Nike`` -> ``Xx``, ``3/4`` -> ``d/d``, ``iPhone11`` ->
    ``xXxd`` (runs of one class collapse, so length does not fragment the feature)."""
    classes = []
    for ch in token:
        if ch.isupper():
            classes.append("X")
        elif ch.islower():
            classes.append("x")
        elif ch.isdigit():
            classes.append("d")
        else:
            classes.append(ch)
    return _SHAPE_RUNS.sub(r"\1", "".join(classes))


def _word_features(token: str, config: FeatureConfig, prefix: str = "") -> Features:
    lower = token.lower()
    feats: Features = {f"{prefix}w": lower}
    if config.use_shape:
        feats[f"{prefix}shape"] = word_shape(token)
        if token.isupper():
            feats[f"{prefix}is_upper"] = 1.0
        if token.istitle():
            feats[f"{prefix}is_title"] = 1.0
    if config.use_affixes:
        feats[f"{prefix}s3"] = lower[-3:]
        if not prefix:
            feats.update({"p2": lower[:2], "p3": lower[:3], "s2": lower[-2:]})
    if lower.isdigit():
        feats[f"{prefix}is_digit"] = 1.0
    elif any(ch.isdigit() for ch in lower):
        feats[f"{prefix}has_digit"] = 1.0
    return feats


def gazetteer_matches(tokens: Sequence[str], gazetteer: Gazetteer) -> list[Features]:
    """Per token, gazetteer features: for each type whose longest match covers the token,
    ``gaz:T`` (B or I), ``gaz:T:len`` (match length in words) and ``gaz:T:last``."""
    out: list[Features] = [{} for _ in tokens]
    for entity_type, labels in gazetteer.lookup(tokens).items():
        for span in bio_to_spans(labels):
            length = str(min(span.end - span.start, 4))
            for i in range(span.start, span.end):
                out[i][f"gaz:{entity_type}"] = "B" if i == span.start else "I"
                out[i][f"gaz:{entity_type}:len"] = length
            out[span.end - 1][f"gaz:{entity_type}:last"] = 1.0
    return out


def token_features(
    tokens: Sequence[str],
    config: FeatureConfig = FeatureConfig(),
    gazetteer: Gazetteer | None = None,
    clusters: WordClusters | None = None,
) -> list[Features]:
    """One feature dict per token. Gazetteer features need ``use_gazetteer`` and a gazetteer;
    the cluster feature (``cf``: the word's first piece's cluster) needs ``word_clusters`` and
    the clusters."""
    n = len(tokens)
    lower = [t.lower() for t in tokens]
    gaz = gazetteer_matches(tokens, gazetteer) if config.use_gazetteer and gazetteer is not None else None
    cls = [clusters.of(t) for t in lower] if config.word_clusters and clusters is not None else None
    sequence: list[Features] = []
    for i, token in enumerate(tokens):
        feats: Features = {"bias": 1.0}
        feats.update(_word_features(token, config))
        if config.use_position:
            feats["pos"] = str(min(i, 3))
            feats["rpos"] = str(min(n - 1 - i, 3))
            if i == 0:
                feats["BOS"] = 1.0
            if i == n - 1:
                feats["EOS"] = 1.0
        if config.use_neighbours:
            for d in range(1, config.window + 1):
                for j, sign in ((i - d, "-"), (i + d, "+")):
                    if 0 <= j < n:
                        if d == 1:
                            feats.update(_word_features(tokens[j], config, f"{sign}1:"))
                        else:
                            feats[f"{sign}{d}:w"] = lower[j]
            if i > 0:
                feats["-1:w|w"] = f"{lower[i - 1]}|{lower[i]}"
            if i < n - 1:
                feats["w|+1:w"] = f"{lower[i]}|{lower[i + 1]}"
        if gaz is not None:
            feats.update(gaz[i])
            for j, sign in ((i - 1, "-1"), (i + 1, "+1")):
                if 0 <= j < n:
                    # Neighbours contribute only their B/I match label (``gaz:T``).
                    neighbour = {k: v for k, v in gaz[j].items() if k.count(":") == 1}
                    feats.update({f"{sign}:{k}": v for k, v in neighbour.items()})
        if cls is not None:
            feats["cf"] = cls[i]
        sequence.append(feats)
    return sequence
