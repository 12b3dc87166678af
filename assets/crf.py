"""The CRF baseline: trained on the train split, judged like every other model."""

import dagster as dg
from pydantic import Field

from assets.dbt_models import SPLIT_ASSET_KEYS
from pipeline.catalog_tables import CATALOG_SNAPSHOT, load_catalog
from pipeline.configs import build
from pipeline.model_evaluation import evaluate_model, model_output
from pipeline.training_data import load_splits, unseen_brands
from pipeline.ui import OWNERS
from query_understanding.artifacts import code_version, save_tagger
from query_understanding.crf import CRFConfig, search_c1_c2, train_crf
from query_understanding.evaluation.scores import model_metrics
from query_understanding.gazetteer import Gazetteer
from query_understanding.training_rows import select_rows
from resources import ModelStore, Warehouse

DEFAULTS = CRFConfig()


class CRFTrainConfig(dg.Config):
    """CRF hyper-parameters and feature switches (shown in the Launchpad); builds a CRFConfig."""

    c1: float = Field(default=DEFAULTS.c1, description="L1 regularization strength.")
    c2: float = Field(default=DEFAULTS.c2, description="L2 regularization strength.")
    max_iterations: int = Field(default=DEFAULTS.max_iterations, description="L-BFGS iterations.")
    use_gazetteer: bool = Field(default=DEFAULTS.use_gazetteer, description="Catalog gazetteer match features.")
    use_neighbours: bool = Field(default=DEFAULTS.use_neighbours, description="Features of the words around each word.")
    word_clusters: int = Field(
        default=DEFAULTS.word_clusters,
        description="k-means clusters of the encoder's word pieces, each word's first piece's cluster a feature "
        "(0: off). On QueryNER dev 128 moved micro F1 from .640 to .653 ± .005 (6 k-means seeds).",
    )
    search_c1_c2: bool = Field(
        default=False,
        description="Pick c1/c2 from a small grid by dev F1 (gold dev when configured) before the final fit.",
    )
    train_sources: list[str] = Field(
        default=["synthetic", "annotated"],
        description="Which train rows to learn from: synthetic (weak labels), annotated (bring your own).",
    )
    max_synthetic_train: int | None = Field(
        default=4000,
        description="Synthetic rows to mix in (first N by query id; empty: all). On QueryNER dev 4,000 beat all "
        "25k (micro F1 .640 vs .638, BRAND .581 vs .548, 'cheap' failures 6% vs 10%) at a quarter of the time.",
    )


@dg.asset(
    deps=[*SPLIT_ASSET_KEYS, CATALOG_SNAPSHOT],
    group_name="models",
    kinds={"python", "crf"},
    owners=OWNERS,
    code_version=code_version(),
)
def crf_tagger(
    context: dg.AssetExecutionContext, config: CRFTrainConfig, warehouse: Warehouse, model_store: ModelStore
) -> dg.Output[str]:
    """Linear-chain CRF with word, catalog-gazetteer and word-cluster features; value: its registry tag."""
    splits = load_splits(warehouse)
    catalog = load_catalog(warehouse)
    gazetteer = Gazetteer.from_catalog(catalog)
    train = select_rows(splits.train, config.train_sources, config.max_synthetic_train)
    if not train:
        raise dg.Failure(f"no training rows from sources {config.train_sources}")
    crf_config = build(config, CRFConfig)
    search_table = []
    if config.search_c1_c2:
        crf_config, search_table = search_c1_c2(train, splits.tuning_dev(), base_config=crf_config, gazetteer=gazetteer)
        context.log.info(f"c1/c2 search picked c1={crf_config.c1} c2={crf_config.c2}")
    tagger = train_crf(train, crf_config, gazetteer)
    context.log.info(f"CRF trained on {len(train)} queries in {tagger.train_seconds:.1f} s")
    reports = evaluate_model(tagger, splits, unseen_brands(catalog, train))
    path, manifest = save_tagger(
        tagger,
        model_store.root_path,
        data_version=splits.data_version,
        metrics=model_metrics(reports, tagger.train_seconds, len(train)),
        extra={"train_sources": list(config.train_sources), "search_table": search_table},
    )
    return model_output(path, manifest, model_store.registry().register(path), reports)
