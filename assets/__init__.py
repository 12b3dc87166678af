"""Dagster assets of the query-understanding graph, one module per stage."""
