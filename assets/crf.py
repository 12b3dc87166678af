"""The CRF baseline: trained on the train split, judged like every other model."""

import dagster as dg

from assets.catalog_tables import CATALOG_ASSET_KEYS, load_catalog
from assets.model_evaluation import evaluate_model, flat_metrics, model_output
from assets.training_data import SPLIT_ASSET_KEYS, load_splits, unseen_brands
from query_understanding.artifacts import code_version, save_tagger
from query_understanding.crf import CRFConfig, search_c1_c2, train_crf
from query_understanding.gazetteer import Gazetteer
from resources import DuckDBWarehouse, ModelStore


class CRFTrainConfig(dg.Config):
    """CRF hyper-parameters and feature switches (shown in the Launchpad)."""

    c1: float = 0.1
    c2: float = 0.05
    max_iterations: int = 100
    use_gazetteer: bool = True
    use_neighbours: bool = True
    search_c1_c2: bool = False
    """Pick c1/c2 from a small grid by dev F1 (gold dev when configured) before the final fit."""
    train_sources: list[str] = ["synthetic", "annotated"]


@dg.asset(
    deps=[*SPLIT_ASSET_KEYS, *CATALOG_ASSET_KEYS],
    group_name="models",
    kinds={"python", "crf"},
    code_version=code_version(),
)
def crf_tagger(
    context: dg.AssetExecutionContext, config: CRFTrainConfig, warehouse: DuckDBWarehouse, model_store: ModelStore
) -> dg.Output[str]:
    """Linear-chain CRF with word and catalog-gazetteer features; value: the artifact folder."""
    splits = load_splits(warehouse)
    catalog = load_catalog(warehouse)
    gazetteer = Gazetteer.from_catalog(catalog)
    train = [e for e in splits.train if e.source in config.train_sources]
    if not train:
        raise dg.Failure(f"no training rows from sources {config.train_sources}")
    crf_config = CRFConfig(
        c1=config.c1,
        c2=config.c2,
        max_iterations=config.max_iterations,
        use_gazetteer=config.use_gazetteer,
        use_neighbours=config.use_neighbours,
    )
    search_table = []
    if config.search_c1_c2:
        crf_config, search_table = search_c1_c2(train, splits.tuning_dev(), base_config=crf_config, gazetteer=gazetteer)
        context.log.info(f"c1/c2 search picked c1={crf_config.c1} c2={crf_config.c2}")
    tagger = train_crf(train, crf_config, gazetteer)
    context.log.info(f"CRF trained on {len(train)} queries in {tagger.train_seconds:.1f} s")
    reports = evaluate_model(tagger, splits, unseen_brands(catalog, train))
    metrics = {**flat_metrics(reports), "train_seconds": tagger.train_seconds, "train_examples": len(train)}
    path, manifest = save_tagger(
        tagger,
        model_store.root_path,
        data_version=splits.data_version,
        metrics=metrics,
        extra={"train_sources": list(config.train_sources), "search_table": search_table},
    )
    return model_output(path, manifest, model_store.registry().register(path), reports)
