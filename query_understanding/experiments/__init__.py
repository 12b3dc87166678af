"""The experiment harness: named variants (config overlays) trained per seed, scored on gold dev."""
