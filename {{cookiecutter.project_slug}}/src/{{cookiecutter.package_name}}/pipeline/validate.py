"""Validate step: refuse a dataset that cannot train a sound model, and say why.

A bad file found here costs a second; found during training it costs a confusing scikit-learn
traceback, or worse, a model trained on garbage. The checks follow the config: the columns it
names must exist, the features must be numbers without gaps, the target must hold class labels,
and there must be enough rows of each class for a stratified split. Every problem is reported
at once, so a file is fixed in one go.
"""

import math

import numpy as np
import pandas as pd

from .config import TrainConfig
from .errors import DataValidationError


def missing_columns(frame: pd.DataFrame, config: TrainConfig) -> list[str]:
    """Columns the config names that the file does not have."""
    wanted = [config.data.target, *config.data.features]
    absent = [name for name in wanted if name not in frame.columns]
    if not absent:
        return []
    return [f"missing columns: {', '.join(absent)} (the file has {', '.join(frame.columns)})"]


def non_numeric_features(frame: pd.DataFrame, config: TrainConfig) -> list[str]:
    """Feature columns that hold text or other non-numbers, which the models cannot use."""
    columns = [
        name
        for name in config.data.features
        if not pd.api.types.is_numeric_dtype(frame[name]) or pd.api.types.is_bool_dtype(frame[name])
    ]
    if not columns:
        return []
    return [f"features that are not numeric: {', '.join(columns)} (encode them as numbers first)"]


def gaps(frame: pd.DataFrame, config: TrainConfig) -> list[str]:
    """Empty cells and infinities: the pipeline has no imputation step, so it refuses both."""
    problems = []
    columns = [config.data.target, *config.data.features]
    empty = frame[columns].isna().sum()
    if empty.any():
        counts = ", ".join(f"{name} ({count})" for name, count in empty[empty > 0].items())
        problems.append(f"empty cells in {counts}")
    numeric = frame[list(config.data.features)].select_dtypes("number")
    infinite = np.isinf(numeric).sum()
    if infinite.any():
        counts = ", ".join(f"{name} ({count})" for name, count in infinite[infinite > 0].items())
        problems.append(f"infinite values in {counts}")
    return problems


def target_problems(frame: pd.DataFrame, config: TrainConfig) -> list[str]:
    """A target that is not a set of class labels, or whose classes are too small to split."""
    target = frame[config.data.target].dropna()
    name = config.data.target
    if pd.api.types.is_float_dtype(target) and not (target == target.round()).all():
        return [
            f"the target {name!r} holds fractional numbers: the pipeline trains classifiers, "
            "so the target must be class labels"
        ]
    counts = target.value_counts()
    if len(counts) < 2:
        return [f"the target {name!r} has {len(counts)} class(es): a classifier needs two or more"]
    rare = counts[counts < 2]
    if not rare.empty:
        listed = ", ".join(str(label) for label in rare.index)
        return [f"classes with a single row cannot be split into train and test: {listed}"]
    return split_problems(len(frame), len(counts), config.test_size)


def split_problems(rows: int, classes: int, test_size: float) -> list[str]:
    """Both parts of a stratified split need at least one row of every class."""
    held_out = math.ceil(test_size * rows)
    if held_out < classes or rows - held_out < classes:
        return [
            f"split.test_size={test_size} holds out {held_out} of {rows} rows, but both parts "
            f"need a row of each of the {classes} classes"
        ]
    return []


def validate_dataset(frame: pd.DataFrame, config: TrainConfig, source: str) -> None:
    """Raise :class:`DataValidationError` listing every problem of ``frame``, or return None."""
    problems = missing_columns(frame, config)
    if not problems:
        if len(frame) < config.data.min_rows:
            problems.append(f"{len(frame)} rows, fewer than data.min_rows={config.data.min_rows}")
        problems += non_numeric_features(frame, config) + gaps(frame, config)
        problems += target_problems(frame, config)
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise DataValidationError(f"{source} cannot be used for training:\n{listed}")
