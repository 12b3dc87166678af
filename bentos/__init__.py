"""The BentoML HTTP service: ``POST /parse`` and its request guard, batcher and prediction log.

Only the service lives here; the model registry it serves from is :mod:`model_registry`. The
domain package ``query_understanding`` never imports BentoML, so serving runs the same tagger
code as training and evaluation.
"""
