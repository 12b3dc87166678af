"""BentoML layer of the project: model registry, champion log, HTTP service, prediction log.

All BentoML code lives in this package; the domain package ``query_understanding`` never
imports BentoML, so serving runs the same tagger code as training and evaluation.
"""
