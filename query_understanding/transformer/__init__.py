"""Transformer taggers: fine-tuning, PyTorch inference, ONNX export and ONNX Runtime serving.

Importing this package is cheap and torch-free: each submodule is imported where it is used,
so a server that only uses :mod:`~query_understanding.transformer.onnx_tagger` never imports
torch. :mod:`~query_understanding.transformer.loaders` opens the two artifact kinds.
"""
