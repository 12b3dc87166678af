"""``qu``: tag queries and evaluate models from the command line.

    qu parse --model ARTIFACT_DIR [--linking-index PATH | --no-link] "blue shoes by prada" ...
    qu evaluate --model ARTIFACT_DIR --gold FILE.jsonl [--json]

``parse`` prints a JSON list of ``ParsedQuery.to_dict()`` with every entity linked to the
catalog (the ``linking_index`` asset's file, or one built from the built-in seed catalog
when none is given), the same linking the service does; ``evaluate`` prints the markdown
report (per type, per slice, behavioral, worst errors) or, with ``--json``, the full report.
Usage errors - a missing model directory, a bad gold file, an empty query - exit with status 2
and a one-line message on stderr instead of a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence, TextIO

from query_understanding import offline
from query_understanding.artifacts import ArtifactError, load_tagger
from query_understanding.evaluation.report import evaluate_tagger
from query_understanding.gold import GoldFileError, read_gold
from query_understanding.linking import LinkingIndex, LinkingIndexError, calibrate, link_parsed
from query_understanding.settings import PROJECT_ROOT
from query_understanding.text import QueryError

EXIT_USAGE = 2


class CLIError(Exception):
    """A user error reported as ``qu: error: <message>`` with exit status 2."""


def _load(model: str):
    try:
        return load_tagger(model)
    except (ArtifactError, FileNotFoundError, NotADirectoryError) as exc:
        raise CLIError(f"cannot load model {model!r}: {exc}") from exc


def _cmd_parse(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    queries = list(args.queries) or [line.strip() for line in stdin if line.strip()]
    if not queries:
        raise CLIError("no queries given (as arguments or one per line on stdin)")
    tagger = _load(args.model)
    index = None if args.no_link else _linking_index(args.linking_index)
    try:
        parsed = tagger.parse(queries)
    except QueryError as exc:
        raise CLIError(str(exc)) from exc
    if index is not None:
        parsed = link_parsed(index, parsed)
    json.dump([p.to_dict() for p in parsed], stdout, indent=2, ensure_ascii=False)
    stdout.write("\n")
    return 0


def _linking_index(path: str) -> LinkingIndex:
    """The index at ``path``; without one, built (and calibrated) from the built-in seed catalog."""
    if path:
        try:
            return LinkingIndex.load(path)
        except (LinkingIndexError, OSError, ValueError) as exc:
            raise CLIError(f"cannot load linking index {path!r}: {exc}") from exc
    from query_understanding.catalog import load_catalog_from_csv

    index, _ = calibrate(LinkingIndex.from_catalog(load_catalog_from_csv(PROJECT_ROOT / "dbt" / "seeds")))
    return index


def _cmd_evaluate(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    try:
        examples = read_gold(args.gold)
    except GoldFileError as exc:
        raise CLIError(str(exc)) from exc
    if not examples:
        raise CLIError(f"{args.gold}: no examples")
    tagger = _load(args.model)
    unseen = [b.strip() for b in args.unseen_brands.split(",") if b.strip()]
    report = evaluate_tagger(
        tagger,
        examples,
        unseen_brands=unseen or None,
        behavioral=not args.no_behavioral,
        n_worst=args.n_worst,
    )
    if args.json:
        out = {"model": args.model, "gold": args.gold, **report.to_dict()}
        json.dump(out, stdout, indent=2, ensure_ascii=False)
        stdout.write("\n")
    else:
        stdout.write(f"# Evaluation of {args.model} on {args.gold} ({len(examples)} queries)\n\n")
        stdout.write(report.to_markdown() + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qu", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="tag queries, print JSON")
    p.add_argument("--model", required=True, help="model artifact directory")
    p.add_argument(
        "--linking-index",
        default="",
        help="linking index file or directory (the linking_index asset's); default: built from dbt/seeds",
    )
    p.add_argument("--no-link", action="store_true", help="do not link entities to the catalog")
    p.add_argument("queries", nargs="*", help="queries (default: one per line on stdin)")
    p.set_defaults(func=_cmd_parse)

    e = sub.add_parser("evaluate", help="evaluate a model on a gold JSONL file")
    e.add_argument("--model", required=True, help="model artifact directory")
    e.add_argument("--gold", required=True, help='JSONL of {"tokens": [...], "tags": [...]}')
    e.add_argument("--json", action="store_true", help="print the full report as JSON")
    e.add_argument("--no-behavioral", action="store_true", help="skip behavioral tests")
    e.add_argument("--unseen-brands", default="", help="comma-separated brands for brand swap")
    e.add_argument("--n-worst", type=int, default=20, help="worst errors to list")
    e.set_defaults(func=_cmd_evaluate)
    return parser


def main(
    argv: Sequence[str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Run the CLI; returns the exit status (argparse usage errors exit 2 themselves)."""
    offline.apply()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args, stdin or sys.stdin, stdout or sys.stdout)
    except CLIError as exc:
        print(f"qu: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `qu parse ... | head`: the reader left, not an error
        return 0


if __name__ == "__main__":
    sys.exit(main())
