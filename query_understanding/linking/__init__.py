"""Entity linking: tagged spans -> catalog entries (id, canonical name, color family, type category)."""

from query_understanding.linking.calibration import calibrate
from query_understanding.linking.index import INDEX_FILE, LinkingIndex, LinkingIndexError
from query_understanding.linking.linker import Link, link_entities, link_parsed, link_span

__all__ = [
    "INDEX_FILE",
    "Link",
    "LinkingIndex",
    "LinkingIndexError",
    "calibrate",
    "link_entities",
    "link_parsed",
    "link_span",
]
