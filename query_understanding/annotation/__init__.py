"""Active learning: which served queries a human should label next, and the Label Studio round
trip (pre-annotated tasks out, a Label Studio export back in as annotated JSONL)."""
