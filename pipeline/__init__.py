"""What the asset modules share: reading splits and the catalog, one evaluation for every model,
dataset metadata, and rendering for the UI. No assets are defined here, so ``definitions.py``
loads every asset from the ``assets`` package without listing modules."""
