"""The ``qu`` command: parse and evaluate round trips, and clean usage errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from query_understanding.artifacts import save_tagger
from query_understanding.cli import main
from query_understanding.gold import write_gold

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model_dir(tiny_crf, tmp_path_factory) -> Path:
    path, _ = save_tagger(tiny_crf, tmp_path_factory.mktemp("models"), data_version="tiny")
    return path


@pytest.fixture(scope="module")
def gold_file(tiny_examples, tmp_path_factory) -> Path:
    return write_gold(tmp_path_factory.mktemp("gold") / "gold.jsonl", tiny_examples[:30])


def run_main(argv, stdin: str = ""):
    out = io.StringIO()
    code = main(argv, stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def test_parse_via_subprocess_prints_parsed_queries_as_json(model_dir):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "query_understanding.cli",
            "parse",
            "--model",
            str(model_dir),
            "nike black running shoes",
            "Puma red hoodie",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    parsed = json.loads(result.stdout)
    assert [p["query"] for p in parsed] == ["nike black running shoes", "Puma red hoodie"]
    assert parsed[0]["tags"] == ["B-BRAND", "B-COLOR", "B-TYPE", "I-TYPE"]
    assert (parsed[1]["brand"], parsed[1]["color"], parsed[1]["type"]) == ("Puma", "red", "hoodie")
    assert parsed[0]["entities"][2] == {
        "type": "TYPE",
        "text": "running shoes",
        "start": 11,
        "end": 24,
        "score": parsed[0]["entities"][2]["score"],
        "canonical": {"id": "running shoes", "name": "running shoes", "category": "athletic_footwear"},
        "link_method": "exact",
        "link_score": 1.0,
        "novel": False,
    }


def test_parse_links_a_misspelt_brand_to_the_catalog_and_no_link_leaves_the_fields_empty(model_dir, tmp_path):
    code, out = run_main(["parse", "--model", str(model_dir), "nikee black running shoes"])
    assert code == 0
    brand = next(e for e in json.loads(out)[0]["entities"] if e["type"] == "BRAND")
    assert (brand["canonical"], brand["link_method"]) == ({"id": "nike", "name": "Nike"}, "fuzzy")
    code, out = run_main(["parse", "--model", str(model_dir), "--no-link", "nikee black running shoes"])
    assert code == 0
    assert all(e["canonical"] is None and e["novel"] is None for e in json.loads(out)[0]["entities"])


def test_parse_with_a_broken_linking_index_is_a_usage_error(model_dir, tmp_path, capsys):
    broken = tmp_path / "linking_index.json"
    broken.write_text("{}")
    code, _ = run_main(["parse", "--model", str(model_dir), "--linking-index", str(broken), "nike"])
    assert code == 2
    assert "cannot load linking index" in capsys.readouterr().err


def test_parse_reads_queries_from_stdin_one_per_line(model_dir):
    code, out = run_main(["parse", "--model", str(model_dir)], stdin="nike hoodie\n\nred jacket\n")
    assert code == 0
    assert [p["query"] for p in json.loads(out)] == ["nike hoodie", "red jacket"]


def test_evaluate_prints_markdown_tables(model_dir, gold_file):
    code, out = run_main(["evaluate", "--model", str(model_dir), "--gold", str(gold_file)])
    assert code == 0
    assert "## Per type" in out and "| BRAND |" in out and "| micro |" in out
    assert "## Per slice" in out and "| len=3-4 |" in out and "| source=tiny |" in out
    assert "## Behavioral tests" in out and "| inv_uppercase |" in out


def test_evaluate_json_round_trip_matches_the_gold_file(model_dir, gold_file, tiny_examples):
    code, out = run_main(
        [
            "evaluate",
            "--model",
            str(model_dir),
            "--gold",
            str(gold_file),
            "--json",
            "--unseen-brands",
            "zorbex, kalimar tech",
        ]
    )
    assert code == 0
    report = json.loads(out)
    assert report["n_examples"] == 30
    gold_entities = sum(len(e.spans()) for e in tiny_examples[:30])
    assert report["overall"]["micro"]["support"] == gold_entities
    assert "brand_swap_unseen" in [b["name"] for b in report["behavioral"]]


def test_a_missing_model_directory_is_a_usage_error(tmp_path, capsys):
    code, out = run_main(["parse", "--model", str(tmp_path / "nope"), "nike"])
    assert code == 2 and out == ""
    assert "qu: error: cannot load model" in capsys.readouterr().err


def test_a_bad_gold_file_is_a_usage_error_naming_the_line(model_dir, tmp_path, capsys):
    gold = tmp_path / "bad.jsonl"
    gold.write_text('{"tokens": ["nike"], "tags": ["B-BRAND"]}\n{"tokens": ["a"], "tags": []}\n')
    code, _ = run_main(["evaluate", "--model", str(model_dir), "--gold", str(gold)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"{gold}:2: 1 tokens but 0 tags" in err


def test_a_missing_gold_file_and_an_empty_query_are_usage_errors(model_dir, tmp_path, capsys):
    code, _ = run_main(["evaluate", "--model", str(model_dir), "--gold", str(tmp_path / "x")])
    assert code == 2 and "no such gold file" in capsys.readouterr().err
    code, _ = run_main(["parse", "--model", str(model_dir), "   "])
    assert code == 2 and "empty" in capsys.readouterr().err


def test_argparse_errors_exit_with_status_2():
    with pytest.raises(SystemExit) as excinfo:
        main(["parse"])  # --model is required
    assert excinfo.value.code == 2
