"""Split step: hold out part of the rows to evaluate the model on data it never saw.

The split is seeded, so the same config gives the same rows on every run and every machine: the
condition for comparing the metrics of two runs. For classification it is also stratified, so
every class keeps its share in both parts.
"""

from dataclasses import dataclass

import pandas as pd
from sklearn.model_selection import train_test_split

from .config import TrainConfig
from .schema import DataSchema, Task


@dataclass(frozen=True)
class Split:
    """The features and targets of the rows to train on and of the rows held out."""

    train_features: pd.DataFrame
    test_features: pd.DataFrame
    train_target: pd.Series
    test_target: pd.Series


def split_dataset(frame: pd.DataFrame, schema: DataSchema, config: TrainConfig) -> Split:
    """Split a validated frame into train and test parts, keeping only the schema's columns."""
    features = frame[list(schema.names)]
    target = frame[schema.target]
    stratify = target if schema.task == Task.CLASSIFICATION else None
    train_features, test_features, train_target, test_target = train_test_split(
        features,
        target,
        test_size=config.split.test_size,
        stratify=stratify,
        random_state=config.seed,
    )
    return Split(train_features, test_features, train_target, test_target)
