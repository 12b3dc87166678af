"""Command line for the model registry and champion log.

    qu-registry [--home DIR] [--json] COMMAND ...      (or: python -m model_registry.cli)

    register ARTIFACT_DIR       copy an artifact into the store, print its tag
    list                        every registered version (champion / pinned marked)
    show TAG                    manifest and metrics of one version
    compare TAG_A TAG_B         headline metrics side by side (B - A)
    promote TAG [--reason ..]   make TAG the champion
    rollback [--reason ..]      back to the previous champion
    pin TAG [--reason ..]       serve TAG regardless of promotions
    unpin [--reason ..]         serve the champion again
    history                     champion events, oldest first
    served                      the tag a (re)starting service would serve

``--home`` defaults to ``$QU_REGISTRY_HOME`` (else ``data/registry``). Exit status: 0 ok, 1
the operation cannot be done (e.g. nothing to roll back to), 2 usage error or unknown tag.
After promote / rollback / pin / unpin, tell running services: ``POST /reload``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable, Sequence

from model_registry.registry import ModelRegistry, RegistryError, UnknownTagError
from query_understanding import offline
from query_understanding.evaluation.scores import metric_keys
from query_understanding.settings import Locations

#: (text, JSON-ready object) a command prints; --json picks the object.
Output = tuple[str, Any]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return "-" if value is None else str(value)


def _table(rows: list[list[str]], header: list[str]) -> str:
    """A plain-text table with padded columns (terminal output, not markdown)."""
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths))]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join(lines)


def _state_line(state) -> str:
    return f"champion={state.champion or '-'} pinned={state.pinned or '-'} served={state.served or '-'}"


def _register(registry: ModelRegistry, args: argparse.Namespace) -> Output:
    tag = registry.register(args.artifact_dir)
    return tag, {"tag": tag}


def _list(registry: ModelRegistry, args: argparse.Namespace) -> Output:
    state, versions = registry.state(), registry.list_versions()
    rows = []
    for v in versions:
        marks = [
            m
            for m, on in (
                ("champion", v.tag == state.champion),
                ("pinned", v.tag == state.pinned),
                ("served", v.tag == state.served),
            )
            if on
        ]
        headline = {k: x for k, x in metric_keys(v.metrics).items() if k.endswith("_f1_micro")}
        rows.append(
            [
                v.tag,
                v.kind,
                v.data_version or "-",
                v.registered_at,
                ",".join(marks),
                " ".join(f"{k}={_fmt(x)}" for k, x in headline.items()),
            ]
        )
    text = _table(rows, ["TAG", "KIND", "DATA", "REGISTERED", "STATE", "METRICS"]) if rows else "no models registered"
    return text, {"versions": [v.to_dict() for v in versions], "state": state.to_dict()}


def _show(registry: ModelRegistry, args: argparse.Namespace) -> Output:
    path, manifest = registry.get(args.tag)
    m = manifest.to_dict()
    tag = registry.resolve(args.tag)
    text = "\n".join(
        [
            f"tag:          {tag}",
            f"path:         {path}",
            f"kind:         {m['model_kind']}",
            f"model_id:     {m['model_id']}",
            f"created_at:   {m['created_at']}",
            f"data_version: {_fmt(m.get('data_version'))}",
            f"code_version: {_fmt(m.get('code_version'))}",
            f"parent:       {_fmt(m.get('parent_model_id'))}",
            "config:       " + json.dumps(m.get("config") or {}, sort_keys=True),
            "metrics:",
            *[f"  {k}: {_fmt(v)}" for k, v in sorted(metric_keys(m.get("metrics") or {}).items())],
        ]
    )
    return text, {"tag": tag, "path": str(path), "manifest": m}


def _compare(registry: ModelRegistry, args: argparse.Namespace) -> Output:
    (_, a), (_, b) = registry.get(args.tag_a), registry.get(args.tag_b)
    ma, mb = metric_keys(a.metrics), metric_keys(b.metrics)
    rows, data = [], {}
    for key in sorted(set(ma) | set(mb)):
        va, vb = ma.get(key), mb.get(key)
        delta = vb - va if va is not None and vb is not None else None
        data[key] = {"a": va, "b": vb, "delta": delta}
        rows.append([key, _fmt(va), _fmt(vb), "" if delta is None else f"{delta:+.4f}"])
    ta, tb = registry.resolve(args.tag_a), registry.resolve(args.tag_b)
    text = _table(rows, ["METRIC", ta, tb, "B-A"]) if rows else "no metrics recorded"
    return text, {"a": ta, "b": tb, "metrics": data}


def _promote_or_pin(registry: ModelRegistry, args: argparse.Namespace) -> Output:
    state = getattr(registry, args.command)(args.tag, args.reason)
    verb = "pinned" if args.command == "pin" else "promoted"
    return f"{verb} {registry.resolve(args.tag)}: {_state_line(state)}", state.to_dict()


def _rollback_or_unpin(registry: ModelRegistry, args: argparse.Namespace) -> Output:
    before = registry.state()
    state = getattr(registry, args.command)(args.reason)
    if args.command == "unpin" and before.pinned is None:
        return f"nothing was pinned: {_state_line(state)}", state.to_dict()
    verb = "rolled back" if args.command == "rollback" else "unpinned"
    return f"{verb}: {_state_line(state)}", state.to_dict()


def _history(registry: ModelRegistry, args: argparse.Namespace) -> Output:
    events = registry.history()
    rows = [
        [e["time"], e["action"], e.get("tag") or "-", e.get("previous_tag") or "-", e.get("reason") or ""]
        for e in events
    ]
    return (_table(rows, ["TIME", "ACTION", "TAG", "PREVIOUS", "REASON"]) if rows else "no events"), events


def _served(registry: ModelRegistry, args: argparse.Namespace) -> Output:
    state = registry.state()
    return state.served or "none", state.to_dict()


COMMANDS: dict[str, Callable[[ModelRegistry, argparse.Namespace], Output]] = {
    "register": _register,
    "list": _list,
    "show": _show,
    "compare": _compare,
    "promote": _promote_or_pin,
    "pin": _promote_or_pin,
    "rollback": _rollback_or_unpin,
    "unpin": _rollback_or_unpin,
    "history": _history,
    "served": _served,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qu-registry", description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", help="registry home; default $QU_REGISTRY_HOME or data/registry")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("register", help="register an artifact directory").add_argument("artifact_dir")
    sub.add_parser("list", help="list registered versions")
    sub.add_parser("show", help="manifest and metrics of a version").add_argument("tag")
    compare = sub.add_parser("compare", help="metrics of two versions side by side")
    compare.add_argument("tag_a")
    compare.add_argument("tag_b")
    for name, needs_tag in (("promote", True), ("rollback", False), ("pin", True), ("unpin", False)):
        p = sub.add_parser(name, help=f"{name} the champion state")
        if needs_tag:
            p.add_argument("tag")
        p.add_argument("--reason", default="", help="why (recorded in the event log)")
    sub.add_parser("history", help="champion events, oldest first")
    sub.add_parser("served", help="the tag a service started now would serve")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    offline.apply()
    args = build_parser().parse_args(argv)
    try:
        registry = ModelRegistry(args.home or Locations.from_env().registry_home)
        text, obj = COMMANDS[args.command](registry, args)
    except UnknownTagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RegistryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(obj, indent=2, sort_keys=True, default=str) if args.json else text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
