"""The training pipeline: load, validate, split, build features, train and evaluate.

Each step lives in its own module of small functions, so a test can exercise one step alone and
a notebook can reuse any of them; :mod:`.run` chains them in the order ``make train`` runs them,
driven by ``configs/train.yaml`` (:mod:`.config`).
"""
