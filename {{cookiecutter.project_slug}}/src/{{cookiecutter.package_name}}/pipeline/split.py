"""Split step: hold out part of the rows, per class, to evaluate the model on unseen data.

The split is stratified, so every class keeps its share in both parts, and seeded, so the same
config gives the same rows on every run and every machine: the condition for comparing the
metrics of two runs.
"""

from dataclasses import dataclass

import pandas as pd
from sklearn.model_selection import train_test_split

from .config import TrainConfig


@dataclass(frozen=True)
class Split:
    """The features and targets of the rows to train on and of the rows held out."""

    train_features: pd.DataFrame
    test_features: pd.DataFrame
    train_target: pd.Series
    test_target: pd.Series


def split_dataset(frame: pd.DataFrame, config: TrainConfig) -> Split:
    """Split a validated frame into train and test parts, keeping only the configured columns."""
    features = frame[list(config.data.features)]
    target = frame[config.data.target]
    train_features, test_features, train_target, test_target = train_test_split(
        features,
        target,
        test_size=config.test_size,
        stratify=target,
        random_state=config.seed,
    )
    return Split(train_features, test_features, train_target, test_target)
