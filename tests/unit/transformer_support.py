"""The tiny transformer the transformer/ONNX tests share: trained and exported once per run.

The builders are cached per process, so however many test modules ask (through their own
session-scoped fixtures), the ~3 s training and ~1 s export happen once. Everything lives in a
temporary folder under /tmp that is removed at exit. The data is synthetic
(:func:`synthetic_examples`), so these tests do not depend on shared/data.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

TRAIN_N, DEV_N = 400, 100


@dataclass
class TinyRun:
    root: Path
    base_dir: Path
    train: list[dict]
    dev: list[dict]
    model: object
    tokenizer: object
    history: object
    progress: list[dict] = field(default_factory=list)

    @property
    def dev_tokens(self) -> list[list[str]]:
        return [e["tokens"] for e in self.dev]


@functools.lru_cache(maxsize=None)
def tiny_run() -> TinyRun:
    from tiny_transformer import make_tiny_base, synthetic_examples

    from query_understanding.transformer.training import TransformerConfig, fine_tune

    root = Path(tempfile.mkdtemp(prefix="qu-tiny-transformer-"))
    atexit.register(shutil.rmtree, root, True)
    base = make_tiny_base(root / "base")
    train, dev = synthetic_examples(TRAIN_N, seed=1), synthetic_examples(DEV_N, seed=2)
    progress: list[dict] = []
    config = TransformerConfig(
        base_model=str(base),
        epochs=4,
        learning_rate=1e-3,
        batch_size=16,
        early_stopping_patience=1,
        seed=7,
    )
    model, tokenizer, history = fine_tune(train, dev, config, progress=progress.append)
    return TinyRun(root, base, train, dev, model, tokenizer, history, progress)


@functools.lru_cache(maxsize=None)
def tiny_export() -> Path:
    """The tiny model exported (fp32 + int8) into a self-contained folder."""
    from query_understanding.transformer.export import export_onnx

    run = tiny_run()
    directory = run.root / "onnx"
    export_onnx(run.model, run.tokenizer, directory)
    return directory
