"""A confidence cascade: a cheap tagger answers first, a stronger one re-tags what it doubts.

Why (issue 11): the CRF parses thousands of queries a second on one core, the ONNX transformer
several times fewer, and the transformer is the more accurate of the two. Most queries are easy
and the CRF is sure of them; sending only the doubtful ones to the transformer keeps most of
its accuracy at a fraction of its cost.

The rule (:data:`ROUTE_RULE`): a query goes to the second tagger when the first tagger's
*lowest token confidence* (the marginal probability of the tag it chose, for the least sure
token) is under ``threshold``. The lowest token, not the entity scores: a doubtful ``O`` token
is a possibly missed entity, the CRF's main error. A first tagger that gives no confidences
routes everything. The threshold is chosen on dev by :func:`choose_threshold`: the smallest
share routed whose micro F1 is within ``max_f1_drop`` of the second tagger alone.

A cascade is an artifact like any model (kind ``cascade``): its directory holds both members'
artifact directories (``first/``, ``second/``) and ``cascade.json``, so the content hash, the
file checks on load, lineage and the bento cover the whole thing.
"""

from __future__ import annotations

import json
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from query_understanding.evaluation.metrics import Counts, sequence_counts
from query_understanding.tagger import Prediction, Tagger

ROUTE_RULE = "min_token_confidence"
#: Micro F1 the cascade may lose against its second tagger *on the rows the threshold is chosen
#: on*. 0 because a threshold fitted on dev flatters dev: on held-out QueryNER dev halves, 0 kept
#: the cascade within 0.3 points of the transformer while 0.005 lost 1.2 (docs/cascade.md).
DEFAULT_MAX_F1_DROP = 0.0
CONFIG_FILE = "cascade.json"
MEMBERS = ("first", "second")


def route_confidence(scores: Sequence[float] | None) -> float:
    """The confidence the rule compares with the threshold (0: no scores, always routed)."""
    return min((float(s) for s in scores), default=1.0) if scores is not None else 0.0


class CascadeTagger(Tagger):
    """``first`` answers; queries it is unsure of (see module doc) are answered by ``second``."""

    kind = "cascade"

    def __init__(
        self,
        first: Tagger,
        second: Tagger,
        threshold: float,
        member_dirs: dict[str, Path] | None = None,
        member_ids: dict[str, str] | None = None,
    ) -> None:
        self.first, self.second, self.threshold = first, second, float(threshold)
        self.member_dirs = member_dirs or {}
        self.member_ids = member_ids or {}
        self._lock = threading.Lock()
        self.queries = 0
        self.routed = 0

    def predict_with_routes(self, token_lists: Sequence[Sequence[str]]) -> list[Prediction]:
        firsts = self.first.predict_tags_with_scores(token_lists)
        doubtful = [i for i, (_, scores) in enumerate(firsts) if route_confidence(scores) < self.threshold]
        seconds = self.second.predict_tags_with_scores([token_lists[i] for i in doubtful]) if doubtful else []
        out = [Prediction(tags, scores, False) for tags, scores in firsts]
        for i, (tags, scores) in zip(doubtful, seconds):
            out[i] = Prediction(tags, scores, True)
        with self._lock:
            self.queries += len(token_lists)
            self.routed += len(doubtful)
        return out

    def predict_tags_with_scores(self, token_lists):
        return [(p.tags, p.scores) for p in self.predict_with_routes(token_lists)]

    def routing_info(self) -> dict:
        """The rule and how much this process has routed (``/model_info``'s ``cascade``)."""
        with self._lock:
            queries, routed = self.queries, self.routed
        return {
            "rule": ROUTE_RULE,
            "threshold": self.threshold,
            "members": {m: {"kind": getattr(self, m).kind, "model_id": self.member_ids.get(m)} for m in MEMBERS},
            "queries": queries,
            "routed": routed,
            "share_routed": round(routed / queries, 4) if queries else None,
        }

    def config_dict(self) -> dict:
        return {
            "rule": ROUTE_RULE,
            "threshold": self.threshold,
            **{f"{m}_model_id": self.member_ids.get(m) for m in MEMBERS},
            **{f"{m}_kind": getattr(self, m).kind for m in MEMBERS},
        }

    def save(self, directory: str | Path) -> None:
        """``cascade.json`` plus copies of both member artifact directories."""
        directory = Path(directory)
        missing = [m for m in MEMBERS if m not in self.member_dirs]
        if missing:
            raise ValueError(f"cannot save a cascade without its members' artifact directories ({missing})")
        for member in MEMBERS:
            shutil.copytree(self.member_dirs[member], directory / member)
        (directory / CONFIG_FILE).write_text(json.dumps(self.config_dict(), indent=2, sort_keys=True) + "\n")

    @classmethod
    def from_artifacts(
        cls, first_dir: str | Path, second_dir: str | Path, threshold: float, **options
    ) -> "CascadeTagger":
        """A cascade of two saved artifacts (``options`` go to the second one's loader)."""
        from query_understanding.artifacts import load_manifest, load_tagger

        dirs = {"first": Path(first_dir), "second": Path(second_dir)}
        ids = {m: load_manifest(d).model_id for m, d in dirs.items()}
        return cls(load_tagger(dirs["first"]), load_tagger(dirs["second"], **options), threshold, dirs, ids)

    @classmethod
    def load(cls, directory: str | Path, **options) -> "CascadeTagger":
        """Open a saved cascade; its files were checked against its manifest by the caller."""
        from query_understanding.artifacts import ArtifactError, load_manifest, load_tagger

        directory = Path(directory)
        config = json.loads((directory / CONFIG_FILE).read_text())
        dirs = {m: directory / m for m in MEMBERS}
        ids = {m: load_manifest(d).model_id for m, d in dirs.items()}
        for member in MEMBERS:
            if ids[member] != config.get(f"{member}_model_id"):
                raise ArtifactError(
                    f"{directory}: {member} member is {ids[member]}, the cascade was built with "
                    f"{config.get(f'{member}_model_id')}"
                )
        first = load_tagger(dirs["first"], verify=False)
        second = load_tagger(dirs["second"], verify=False, **options)
        return cls(first, second, float(config["threshold"]), dirs, ids)


@dataclass(frozen=True)
class ThresholdChoice:
    """The chosen threshold and what it gives on the examples it was chosen on."""

    threshold: float
    share_routed: float
    micro_f1: float
    first_f1: float
    second_f1: float
    curve: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("threshold", "share_routed", "micro_f1", "first_f1", "second_f1")}


def _micro_counts(gold: Sequence[str], pred: Sequence[str]) -> Counts:
    return sum(sequence_counts(gold, pred).values(), Counts())


def choose_threshold(
    gold: Sequence[Sequence[str]],
    first: Sequence[tuple[list[str], list[float] | None]],
    second_tags: Sequence[Sequence[str]],
    max_f1_drop: float = DEFAULT_MAX_F1_DROP,
) -> ThresholdChoice:
    """The lowest threshold (fewest queries routed) whose micro F1 on these examples is within
    ``max_f1_drop`` of the second tagger alone; routing everything always qualifies.

    Candidate thresholds are the distinct route confidences of the first tagger (each routes
    exactly the queries below it) plus one above them all (route everything). Micro F1 pools
    entity counts, so the sweep adds one query's change of counts at a time."""
    confidences = [route_confidence(scores) for _, scores in first]
    by_first = [_micro_counts(g, tags) for g, (tags, _) in zip(gold, first)]
    by_second = [_micro_counts(g, tags) for g, tags in zip(gold, second_tags)]
    totals = sum(by_first, Counts())
    first_f1, second_f1 = totals.f1, sum(by_second, Counts()).f1
    order = sorted(range(len(confidences)), key=confidences.__getitem__)
    curve, chosen, routed, n = [], None, 0, max(len(order), 1)
    cuts = sorted(set(confidences)) + [1.0 + 1e-9]
    for threshold in cuts:
        while routed < len(order) and confidences[order[routed]] < threshold:
            i = order[routed]
            totals = totals - by_first[i] + by_second[i]
            routed += 1
        point = {"threshold": threshold, "share_routed": routed / n, "micro_f1": totals.f1}
        curve.append(point)
        if chosen is None and point["micro_f1"] >= second_f1 - max_f1_drop:
            chosen = point
    assert chosen is not None  # the last cut routes everything: F1 == second_f1
    return ThresholdChoice(chosen["threshold"], chosen["share_routed"], chosen["micro_f1"], first_f1, second_f1, curve)


def curve_points(curve: Sequence[dict], steps: int = 10) -> list[dict]:
    """About ``steps + 1`` points of a threshold curve, at every ``1/steps`` of share routed."""
    picked: list[dict] = []
    for point in curve:
        if not picked or point["share_routed"] >= picked[-1]["share_routed"] + 1 / steps or point is curve[-1]:
            picked.append(point)
    return picked
