"""Command line for the model registry and champion log.

    python -m bentos.registry_cli [--home DIR] [--json] COMMAND ...

    register ARTIFACT_DIR       copy an artifact into the store, print its tag
    list                        every registered version (champion / pinned marked)
    show TAG                    manifest and metrics of one version
    compare TAG_A TAG_B         metrics side by side (B - A)
    promote TAG [--reason ..]   make TAG the champion
    rollback [--reason ..]      back to the previous champion
    pin TAG [--reason ..]       serve TAG regardless of promotions
    unpin [--reason ..]         serve the champion again
    history                     champion events, oldest first
    served                      the tag a (re)starting service would serve

``--home`` defaults to ``$BENTOML_HOME`` (else ``~/bentoml``). Exit status: 0 ok, 1 the
operation cannot be done (e.g. nothing to roll back to), 2 usage error or unknown tag.
After promote / rollback / pin / unpin, tell running services: ``POST /reload``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Sequence

from bentos.registry import ModelRegistry, RegistryError, UnknownTagError


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return "-" if value is None else str(value)


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths))]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join(lines)


def _flat_metrics(metrics: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (metrics or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat_metrics(value, f"{name}."))
        else:
            out[name] = value
    return out


def _state_line(state) -> str:
    return f"champion={state.champion or '-'} pinned={state.pinned or '-'} served={state.served or '-'}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bentos.registry_cli", description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", help="registry home (BENTOML_HOME); default $BENTOML_HOME or ~/bentoml")
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
    args = parser.parse_args(argv)

    def emit(obj: Any, text: str) -> None:
        print(json.dumps(obj, indent=2, sort_keys=True, default=str) if args.json else text)

    try:
        registry = ModelRegistry(args.home) if args.home else ModelRegistry()
        cmd = args.command
        if cmd == "register":
            tag = registry.register(args.artifact_dir)
            emit({"tag": tag}, tag)
        elif cmd == "list":
            state = registry.state()
            versions = registry.list_versions()
            rows = []
            for v in versions:
                marks = ",".join(m for m, on in (("champion", v.tag == state.champion),
                                                   ("pinned", v.tag == state.pinned),
                                                   ("served", v.tag == state.served)) if on)
                headline = {k: v.metrics[k] for k in list(v.metrics)[:3]}
                rows.append([v.tag, v.kind, v.data_version or "-", v.registered_at, marks or "",
                             " ".join(f"{k}={_fmt(x)}" for k, x in headline.items())])
            emit({"versions": [v.to_dict() for v in versions], "state": state.to_dict()},
                 _table(rows, ["TAG", "KIND", "DATA", "REGISTERED", "STATE", "METRICS"])
                 if rows else "no models registered")
        elif cmd == "show":
            path, manifest = registry.get(args.tag)
            data = {"tag": registry.resolve(args.tag), "path": str(path), "manifest": manifest.to_dict()}
            m = manifest.to_dict()
            text = "\n".join([
                f"tag:          {data['tag']}",
                f"path:         {path}",
                f"kind:         {m['model_kind']}",
                f"model_id:     {m['model_id']}",
                f"created_at:   {m['created_at']}",
                f"data_version: {_fmt(m.get('data_version'))}",
                f"code_version: {_fmt(m.get('code_version'))}",
                f"parent:       {_fmt(m.get('parent_model_id'))}",
                "config:       " + json.dumps(m.get("config") or {}, sort_keys=True),
                "metrics:",
                *[f"  {k}: {_fmt(v)}" for k, v in sorted(_flat_metrics(m.get("metrics")).items())],
            ])
            emit(data, text)
        elif cmd == "compare":
            (_, a), (_, b) = registry.get(args.tag_a), registry.get(args.tag_b)
            ma, mb = _flat_metrics(a.metrics), _flat_metrics(b.metrics)
            rows, data = [], {}
            for key in sorted(set(ma) | set(mb)):
                va, vb = ma.get(key), mb.get(key)
                delta = vb - va if isinstance(va, (int, float)) and isinstance(vb, (int, float)) \
                    and not isinstance(va, bool) and not isinstance(vb, bool) else None
                data[key] = {"a": va, "b": vb, "delta": delta}
                rows.append([key, _fmt(va), _fmt(vb), "" if delta is None else f"{delta:+.4f}"])
            ta, tb = registry.resolve(args.tag_a), registry.resolve(args.tag_b)
            emit({"a": ta, "b": tb, "metrics": data},
                 _table(rows, ["METRIC", ta, tb, "B-A"]) if rows else "no metrics recorded")
        elif cmd in ("promote", "pin"):
            state = getattr(registry, cmd)(args.tag, args.reason)
            verb = "pinned" if cmd == "pin" else "promoted"
            emit(state.to_dict(), f"{verb} {registry.resolve(args.tag)}: {_state_line(state)}")
        elif cmd in ("rollback", "unpin"):
            before = registry.state()
            state = getattr(registry, cmd)(args.reason)
            if cmd == "unpin" and before.pinned is None:
                emit(state.to_dict(), f"nothing was pinned: {_state_line(state)}")
            else:
                verb = "rolled back" if cmd == "rollback" else "unpinned"
                emit(state.to_dict(), f"{verb}: {_state_line(state)}")
        elif cmd == "history":
            events = registry.history()
            rows = [[e["time"], e["action"], e.get("tag") or "-", e.get("previous_tag") or "-",
                     e.get("reason") or ""] for e in events]
            emit(events, _table(rows, ["TIME", "ACTION", "TAG", "PREVIOUS", "REASON"]) if rows else "no events")
        elif cmd == "served":
            state = registry.state()
            emit(state.to_dict(), state.served or "none")
    except UnknownTagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RegistryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
