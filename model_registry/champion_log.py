"""The append-only champion log: which registered model is served, and how it got there.

``<home>/champion_events.jsonl`` holds one JSON event per line (``time, action, tag,
previous_tag, reason``; actions ``promote | rollback | pin | unpin``). The current state is
the replay of that log and nothing else is authoritative, so the history of every promotion
is kept for free and two processes can never disagree about the champion.

Rollback steps back along the chain of promotions (promote A, promote B, rollback -> A). A pin
fixes the served model regardless of promotions until ``unpin``.

Durability: appends are made under an exclusive file lock (so concurrent CLIs and the
pipeline cannot interleave a read-decide-append), flushed and fsynced; a line torn by a crash
is skipped on replay and terminated before the next append, so one bad write never poisons
the log. ``champion.json`` is a derived snapshot for humans and dashboards, written to a
temporary file, fsynced and renamed into place, so it is never half-written.

This module knows nothing about the BentoML store: :class:`model_registry.registry.ModelRegistry`
resolves and checks tags before handing them to :class:`ChampionLog`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from model_registry.durable import atomic_write_text, fsync_dir

# the registry's logger name, so log filters and serve logs see champion events as before
logger = logging.getLogger("bentoml.qu.registry")

EVENTS_FILE = "champion_events.jsonl"
SNAPSHOT_FILE = "champion.json"
LOCK_FILE = ".champion.lock"
ACTIONS = ("promote", "rollback", "pin", "unpin")


class NothingToRollBack(Exception):
    """A rollback with no earlier champion; :class:`model_registry.registry.ModelRegistry` reports it
    as its ``RegistryError`` (this module stays free of registry imports)."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class ChampionState:
    """Replayed champion state. ``chain[-1]`` is the champion; earlier entries are what
    successive rollbacks return to."""

    chain: list[str] = field(default_factory=list)
    pinned: str | None = None
    events: int = 0
    skipped_lines: int = 0
    updated_at: str | None = None

    @property
    def champion(self) -> str | None:
        return self.chain[-1] if self.chain else None

    @property
    def previous(self) -> str | None:
        return self.chain[-2] if len(self.chain) > 1 else None

    @property
    def served(self) -> str | None:
        return self.pinned or self.champion

    def to_dict(self) -> dict:
        return {
            "champion": self.champion,
            "previous": self.previous,
            "pinned": self.pinned,
            "served": self.served,
            "chain": list(self.chain),
            "events": self.events,
            "skipped_lines": self.skipped_lines,
            "updated_at": self.updated_at,
        }


def replay(events: list[dict]) -> ChampionState:
    """The champion state after ``events`` (in order)."""
    state = ChampionState()
    for event in events:
        action, tag = event.get("action"), event.get("tag")
        if action == "promote" and tag:
            state.chain.append(tag)
        elif action == "rollback" and tag:
            if state.chain:
                state.chain.pop()
            if not state.chain or state.chain[-1] != tag:
                state.chain.append(tag)  # trust the recorded outcome
        elif action == "pin" and tag:
            state.pinned = tag
        elif action == "unpin":
            state.pinned = None
        else:
            logger.warning("ignoring unknown champion event %r", event)
            continue
        state.events += 1
        state.updated_at = event.get("time")
    return state


class ChampionLog:
    """The champion log and its snapshot in the existing directory ``home``.

    :meth:`promote`, :meth:`rollback`, :meth:`pin` and :meth:`unpin` take tags the caller has
    already checked; each holds :meth:`locked` around reading the state and appending, so the
    decision cannot go stale in between.
    """

    def __init__(self, home: Path):
        self.home = home
        self.events_path = home / EVENTS_FILE
        self.snapshot_path = home / SNAPSHOT_FILE

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the exclusive log lock (a separate lock file: the log itself is append-only)."""
        with open(self.home / LOCK_FILE, "a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def read_events(self) -> tuple[list[dict], int]:
        """(readable events oldest first, number of skipped unreadable lines)."""
        if not self.events_path.exists():
            return [], 0
        events, skipped = [], 0
        with open(self.events_path, "rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    event = json.loads(raw)
                    if not isinstance(event, dict) or event.get("action") not in ACTIONS:
                        raise ValueError("not a champion event")
                except ValueError:
                    skipped += 1
                    logger.warning("%s:%d: skipping unreadable line (torn write?)", self.events_path, lineno)
                    continue
                events.append(event)
        return events, skipped

    def state(self) -> ChampionState:
        events, skipped = self.read_events()
        state = replay(events)
        state.skipped_lines = skipped
        return state

    def append(self, action: str, tag: str | None, previous: str | None, reason: str) -> ChampionState:
        """Append one event durably (caller holds :meth:`locked`), refresh the snapshot and
        return the new state."""
        event = {"time": _now(), "action": action, "tag": tag, "previous_tag": previous, "reason": reason or ""}
        created = not self.events_path.exists()
        line = (json.dumps(event, sort_keys=True) + "\n").encode("utf-8")
        with open(self.events_path, "ab") as fh:
            if fh.tell() > 0:
                with open(self.events_path, "rb") as check:
                    check.seek(-1, os.SEEK_END)
                    if check.read(1) != b"\n":
                        fh.write(b"\n")  # terminate a line torn by a crash; replay skips it
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        if created:
            fsync_dir(self.home)
        state = self.state()
        atomic_write_text(self.snapshot_path, json.dumps(state.to_dict(), indent=2) + "\n")
        return state

    # ------------------------------------------------------------------ transitions
    def promote(self, tag: str, reason: str = "") -> ChampionState:
        """Make ``tag`` the champion (no event when it already is)."""
        with self.locked():
            state = self.state()
            if state.champion == tag:
                return state
            return self.append("promote", tag, state.champion, reason)

    def rollback(self, reason: str = "") -> ChampionState:
        """Make the previous champion the champion again."""
        with self.locked():
            state = self.state()
            if state.previous is None:
                raise NothingToRollBack(
                    "nothing to roll back to: "
                    + (
                        f"{state.champion} is the only champion so far"
                        if state.champion
                        else "no model has been promoted"
                    )
                )
            return self.append("rollback", state.previous, state.champion, reason)

    def pin(self, tag: str, reason: str = "") -> ChampionState:
        """Serve ``tag`` regardless of promotions until :meth:`unpin`."""
        with self.locked():
            state = self.state()
            return self.append("pin", tag, state.pinned, reason)

    def unpin(self, reason: str = "") -> ChampionState:
        """Serve the champion again (no event when nothing is pinned)."""
        with self.locked():
            state = self.state()
            if state.pinned is None:
                return state
            return self.append("unpin", None, state.pinned, reason)
