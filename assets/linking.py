"""The linking index: the merged catalog as the lookup table that turns spans into catalog entries.

Built from the same merged catalog (seeds + the user's feed) that the gazetteer, the weak
labeler and the synthesizer read, its fuzzy thresholds calibrated on that catalog, versioned by
its content hash, registered beside the models (``linking-index:<version>``) and packed into
the bento by the ``bento`` asset. Its metadata shows the calibration and how well linking does
on synthetic noise where the truth is known.
"""

import shutil
import uuid
from pathlib import Path

import dagster as dg

from model_registry.linking_indexes import register_linking_index
from pipeline.catalog_tables import CATALOG_SNAPSHOT, load_brand_type_counts, load_catalog
from pipeline.ui import OWNERS
from query_understanding.artifacts import code_version
from query_understanding.linking import LinkingIndex, calibrate
from query_understanding.linking.calibration import choose_threshold
from query_understanding.linking.evaluation import synthetic_linking_report
from query_understanding.markdown import markdown_table
from resources import ModelStore, Warehouse


def save_index(index: LinkingIndex, model_root: Path) -> Path:
    """``<model_root>/linking/<version>/``, written under a temporary name and renamed into place."""
    final = model_root / "linking" / index.version
    if (final / "linking_index.json").is_file():
        return final
    staging = final.parent / f".tmp-{uuid.uuid4().hex}"
    index.save(staging)
    try:
        staging.rename(final)
    except OSError:  # written meanwhile by someone else: same content, same version
        shutil.rmtree(staging, ignore_errors=True)
    return final


@dg.asset(
    deps=[CATALOG_SNAPSHOT],
    group_name="catalog",
    # a catalog change (new feed, edited seeds) rebuilds it without retraining; evaluated by
    # automation/sensors.py's catalog_automation (stopped until switched on in the UI)
    automation_condition=dg.AutomationCondition.eager(),
    kinds={"python"},
    code_version=code_version(),
    owners=OWNERS,
)
def linking_index(context: dg.AssetExecutionContext, warehouse: Warehouse, model_store: ModelStore) -> dg.Output[str]:
    """Surfaces -> catalog entries with calibrated fuzzy thresholds; value: its registry tag."""
    catalog = load_catalog(warehouse)
    index, grid = calibrate(LinkingIndex.from_catalog(catalog, load_brand_type_counts(warehouse) or None))
    path = save_index(index, model_store.root_path)
    tag = register_linking_index(model_store.registry(), path)
    context.log.info(f"linking index {tag}: {len(index)} surfaces, fuzzy thresholds {index.fuzzy}")
    chosen = [choose_threshold([p for p in grid if p.entity_type == t]) for t in sorted(index.fuzzy)]
    accuracy = synthetic_linking_report(catalog)
    return dg.Output(
        tag,
        metadata={
            "version": index.version,
            "index_dir": str(path),
            "surfaces": dg.MetadataValue.json({t: len(s) for t, s in sorted(index.surfaces.items())}),
            "fuzzy_thresholds": dg.MetadataValue.json(dict(sorted(index.fuzzy.items()))),
            "calibration": dg.MetadataValue.md(
                markdown_table(
                    ["type", "threshold", "precision", "recall", "F1", "typos", "novel names"],
                    [
                        (p.entity_type, p.threshold, f"{p.precision:.3f}", f"{p.recall:.3f}", f"{p.f1:.3f}")
                        + (p.n_typos, p.n_novel)
                        for p in chosen
                    ],
                )
            ),
            "synthetic_linking_accuracy": dg.MetadataValue.md(
                markdown_table(
                    ["type", "noise", "n", "linked", "precision", "recall"],
                    [
                        (s.entity_type, s.noise, s.n, s.n_linked, f"{s.precision:.3f}")
                        + ("-" if s.recall is None else f"{s.recall:.3f}",)
                        for s in accuracy
                    ],
                )
            ),
        },
        data_version=dg.DataVersion(index.version),
    )
