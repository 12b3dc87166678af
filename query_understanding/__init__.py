"""Query understanding for e-commerce search: BRAND / COLOR / TYPE tagging.

This package is the single home of the domain logic (tokenizing, BIO/span decoding, features,
metrics, taggers). It imports neither Dagster nor BentoML, so the training assets and the
serving code import the very same functions and cannot drift apart.
"""
