"""Fine-tune a token-classification transformer on BIO-tagged queries.

A plain PyTorch loop (AdamW, linear warm-up/decay, gradient clipping) rather than
``transformers.Trainer``: fewer moving parts, no accelerate/telemetry, and each epoch is scored
with the serving decoder (:class:`TorchTagger`) on strict entity micro F1, the metric the
evaluation library reports. Early stopping keeps the best epoch's weights, not the last.
"""

from __future__ import annotations

import random
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import torch
from seqeval.metrics import f1_score
from seqeval.scheme import IOB2

from query_understanding.schema import LABELS
from query_understanding.transformer.alignment import WordEncoder
from query_understanding.transformer.config import TransformerConfig
from query_understanding.transformer.data import iter_batches, label_set, prepare_examples, tokens_and_tags
from query_understanding.transformer.torch_tagger import TorchTagger, resolve_device, to_tensors


@dataclass
class TrainingHistory:
    """Per-epoch records plus what a report needs: the untrained loss and the kept epoch."""

    epochs: list[dict[str, Any]] = field(default_factory=list)
    initial_loss: float | None = None  # loss of the first batch before any update
    initial_dev_f1: float | None = None  # dev F1 of the untrained head: the floor to beat
    best_epoch: int | None = None
    best_dev_f1: float | None = None
    stopped_early: bool = False
    device: str = "cpu"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch so the classifier init and dropout repeat run to run."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def dev_f1(tagger: TorchTagger, examples: Sequence[Any]) -> float:
    """Strict (IOB2) entity micro F1 of ``tagger`` on gold ``examples``."""
    pairs = [tokens_and_tags(e) for e in examples]
    predicted = tagger.predict_tags([tokens for tokens, _ in pairs])
    return float(f1_score([tags for _, tags in pairs], predicted, mode="strict", scheme=IOB2))


def load_base(config: TransformerConfig, labels: Sequence[str] = LABELS):
    """Model (a head over ``labels``, label maps in its config) and fast tokenizer of the base folder."""
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    base = config.resolved_base_model()
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForTokenClassification.from_pretrained(
        base,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    return model, tokenizer


def _optimizer(model, config: TransformerConfig, total_steps: int):
    from transformers import get_linear_schedule_with_warmup

    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight")
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)],
            "weight_decay": config.weight_decay,
        },
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
    warmup = int(round(config.warmup_ratio * total_steps))
    return optimizer, get_linear_schedule_with_warmup(optimizer, warmup, total_steps)


def fine_tune(
    train_examples: Sequence[Any],
    dev_examples: Sequence[Any] | None,
    config: TransformerConfig | None = None,
    progress: Callable[[dict], None] | None = None,
):
    """Train; return ``(model, tokenizer, history)`` with the best dev epoch's weights loaded.

    ``progress`` receives one dict per epoch (epoch, train_loss, dev_f1, seconds, ...), which
    the orchestration layer turns into log lines or metadata. Without dev examples, no early
    stopping happens and the last epoch is kept. With ``config.label_collapse`` the train tags
    are in source types (the head learns them all) while dev tags are project tags, scored
    through the collapsing decoder the served model uses.
    """
    config = config or TransformerConfig()
    if config.max_train_examples is not None:
        train_examples = list(train_examples)[: config.max_train_examples]
    labels = label_set(train_examples) if config.label_collapse else LABELS
    prepared = prepare_examples(train_examples, {label: i for i, label in enumerate(labels)})
    if not prepared:
        raise ValueError("no training examples")
    dev_examples = list(dev_examples or [])
    prepare_examples(dev_examples)  # fail early on bad dev data, not after the first epoch

    seed_everything(config.seed)
    device = resolve_device(config.device)
    model, tokenizer = load_base(config, labels)
    model.to(device)
    encoder = WordEncoder.from_hf(tokenizer, config.max_length)
    scorer = TorchTagger(
        model, tokenizer, batch_size=max(64, config.batch_size), max_length=config.max_length, decoder=config.decoder()
    )

    steps_per_epoch = -(-len(prepared) // config.batch_size)
    optimizer, scheduler = _optimizer(model, config, steps_per_epoch * config.epochs)
    history = TrainingHistory(device=str(device))
    best_state, stale = None, 0
    if dev_examples:
        history.initial_dev_f1 = dev_f1(scorer, dev_examples)

    for epoch in range(1, config.epochs + 1):
        started = time.perf_counter()
        model.train()
        total, count = 0.0, 0
        for batch in iter_batches(encoder, prepared, config.batch_size, config.seed, epoch):
            inputs = to_tensors(batch, device)
            labels = torch.from_numpy(batch.labels).to(device)
            loss = model(**inputs, labels=labels).loss
            if history.initial_loss is None:
                history.initial_loss = float(loss.item())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            total, count = total + float(loss.item()) * len(batch), count + len(batch)
        record: dict[str, Any] = {
            "epoch": epoch,
            "epochs": config.epochs,
            "train_loss": total / count,
            "learning_rate": scheduler.get_last_lr()[0],
        }
        if dev_examples:
            record["dev_f1"] = dev_f1(scorer, dev_examples)
            if history.best_dev_f1 is None or record["dev_f1"] > history.best_dev_f1:
                history.best_dev_f1, history.best_epoch, stale = record["dev_f1"], epoch, 0
                best_state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
            else:
                stale += 1
        else:
            history.best_epoch = epoch
        record["seconds"] = time.perf_counter() - started
        record["best_dev_f1"] = history.best_dev_f1
        history.epochs.append(record)
        if progress is not None:
            progress(dict(record))
        patience = config.early_stopping_patience
        if dev_examples and patience is not None and stale >= patience:
            history.stopped_early = epoch < config.epochs
            break

    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return model, tokenizer, history
