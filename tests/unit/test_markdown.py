"""Specification: one markdown-table helper, escaping what would break a cell or make a link."""

from query_understanding.markdown import markdown_table


def test_cells_are_escaped_once_and_numbers_formatted():
    table = markdown_table(["query", "tagged", "f1"], [["a|b", "[prada](BRAND)\nx", 0.71234], ["c", None, 12.345]])
    lines = table.splitlines()
    assert lines[0] == "| query | tagged | f1 |" and lines[1] == "|---|---|---|"
    assert lines[2] == "| a\\|b | \\[prada\\](BRAND) x | 0.712 |"
    assert lines[3] == "| c | – | 12.3 |"
