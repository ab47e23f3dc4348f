"""Validate step: work out what the data is, and refuse data that cannot train a sound model.

A bad file found here costs a second; found during training it costs a confusing scikit-learn
traceback, or worse, a model trained on garbage. First the schema is resolved
(:func:`resolve_schema`): the columns, the task and each feature's kind, as declared or
inferred. Then every problem of the file is reported at once, naming the column and the first
lines of the file where it shows, so a file is fixed in one go.
"""

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .config import TrainConfig
from .errors import DataValidationError
from .schema import (
    MAX_CLASSES_OF_NUMBERS,
    DataSchema,
    Feature,
    Kind,
    Task,
    infer_kind,
    infer_task,
    is_boolean,
)

# Lines of the file a message lists; the header is line 1, so row i of the frame is line i + 2.
SHOWN_LINES = 5
# A categorical feature with more distinct values than this is probably an identifier.
MANY_CATEGORIES = 1000


def lines(mask: pd.Series) -> str:
    """``lines 2, 7, 9`` for the first rows where ``mask`` holds, as lines of the CSV file."""
    positions = np.flatnonzero(mask.to_numpy())[:SHOWN_LINES] + 2
    more = ", ..." if mask.sum() > SHOWN_LINES else ""
    return f"line{'s' if len(positions) > 1 else ''} {', '.join(map(str, positions))}{more}"


def values_of(column: pd.Series, mask: pd.Series) -> str:
    """The first few values where ``mask`` holds, quoted."""
    return ", ".join(repr(value) for value in column[mask].head(3).tolist())


def missing_columns(frame: pd.DataFrame, config: TrainConfig) -> list[str]:
    """Columns the config names that the file does not have."""
    wanted = [config.data.target, *(config.data.features or {})]
    absent = [name for name in wanted if name not in frame.columns]
    if not absent:
        return []
    return [f"missing columns: {', '.join(absent)} (the file has {', '.join(frame.columns)})"]


def resolve_schema(frame: pd.DataFrame, config: TrainConfig) -> tuple[DataSchema, list[str]]:
    """The schema of this run, and a note for each thing inferred rather than declared.

    The file must have every column the config names; see :func:`missing_columns`.
    """
    notes = []
    target = config.data.target
    task = config.known_task()
    if task is None:
        task, reason = infer_task(frame[target])
        notes.append(f"task: {task} (inferred from the target {target!r}: {reason})")
    declared = config.data.features
    if declared is None:
        declared = {name: "auto" for name in frame.columns if name != target}
        notes.append(f"features: every column but the target ({len(declared)})")
    kinds = {
        name: infer_kind(frame[name]) if kind == "auto" else Kind(kind)
        for name, kind in declared.items()
    }
    features = tuple(
        Feature(name, kind, allow_missing=name not in config.data.forbid_missing)
        for name, kind in kinds.items()
    )
    schema = DataSchema(task=task, target=target, features=features)
    if any(kind == "auto" for kind in declared.values()):
        notes.append("inferred kinds, to pin in the config:\n" + schema.describe())
    return schema, notes


def feature_problems(column: pd.Series, feature: Feature) -> list[str]:
    """What is wrong with one feature column, given its kind."""
    name = feature.name
    empty = column.isna()
    if empty.all():
        return [f"feature {name!r} is empty in every row"]
    if empty.any() and not feature.allow_missing:
        return [f"feature {name!r} is empty on {lines(empty)} (data.forbid_missing lists it)"]
    if feature.kind == Kind.NUMERIC:
        return numeric_problems(column, name)
    if feature.kind == Kind.BOOLEAN and not pd.api.types.is_bool_dtype(column):
        if not is_boolean(column):
            other = column.notna() & ~column.map(lambda value: isinstance(value, bool))
            return [
                f"feature {name!r} is declared boolean but holds other values than true and "
                f"false on {lines(other)}: {values_of(column, other)}"
            ]
    return []


def numeric_problems(column: pd.Series, name: str) -> list[str]:
    """Text or infinities in a numeric column."""
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        text = column.notna() & pd.to_numeric(column, errors="coerce").isna()
        if text.any():
            return [
                f"feature {name!r} is declared numeric but holds text on {lines(text)}: "
                f"{values_of(column, text)} (declare it categorical, or fix those cells)"
            ]
        return []
    infinite = pd.Series(np.isinf(column.to_numpy(dtype=float)), index=column.index)
    if infinite.any():
        return [f"feature {name!r} holds infinite values on {lines(infinite)}"]
    return []


def category_warnings(frame: pd.DataFrame, schema: DataSchema) -> list[str]:
    """Categorical features with so many values that they look like identifiers."""
    warnings = []
    for name in schema.of_kind(Kind.CATEGORICAL):
        distinct = frame[name].nunique()
        if distinct > MANY_CATEGORIES:
            warnings.append(
                f"categorical feature {name!r} has {distinct} distinct values (an "
                "identifier?); only the most frequent are encoded, the rest share one column"
            )
    return warnings


def target_problems(target: pd.Series, task: Task, test_size: float) -> list[str]:
    """An empty target cell, a target that does not fit the task, classes too small to split."""
    name = target.name
    empty = target.isna()
    if empty.all():
        return [f"the target {name!r} is empty in every row"]
    if empty.any():
        return [f"the target {name!r} is empty on {lines(empty)}: fill or remove those rows"]
    if task == Task.REGRESSION:
        if not pd.api.types.is_numeric_dtype(target) or pd.api.types.is_bool_dtype(target):
            return [
                f"task is regression, but the target {name!r} is not numbers "
                f"({values_of(target, target.notna())}): set task: classification"
            ]
        return []
    return class_problems(target, test_size)


def class_problems(target: pd.Series, test_size: float) -> list[str]:
    """Two classes or more, each with rows on both sides of a stratified split."""
    counts = target.value_counts()
    name = target.name
    if len(counts) < 2:
        return [f"the target {name!r} has {len(counts)} class: a classifier needs two or more"]
    rare = counts[counts < 2]
    if not rare.empty:
        labels = ", ".join(str(label) for label in rare.index[:SHOWN_LINES])
        hint = (
            ": is it a quantity? set task: regression"
            if len(rare) > MAX_CLASSES_OF_NUMBERS and pd.api.types.is_numeric_dtype(target)
            else ""
        )
        return [
            f"{len(rare)} classes of the target {name!r} have a single row, which cannot be "
            f"split into train and test: {labels}{', ...' if len(rare) > SHOWN_LINES else ''}"
            f"{hint}"
        ]
    return split_problems(len(target), len(counts), test_size)


def split_problems(rows: int, classes: int, test_size: float) -> list[str]:
    """Both parts of a stratified split need at least one row of every class."""
    held_out = math.ceil(test_size * rows)
    if held_out < classes or rows - held_out < classes:
        return [
            f"split.test_size={test_size} holds out {held_out} of {rows} rows, but both parts "
            f"need a row of each of the {classes} classes"
        ]
    return []


def listed(problems: Iterable[str]) -> str:
    """Problems as an indented list, one per line."""
    return "\n".join(f"  - {problem}" for problem in problems)


def validate_dataset(
    frame: pd.DataFrame, config: TrainConfig, source: str
) -> tuple[DataSchema, list[str]]:
    """The schema of ``frame`` and the notes and warnings for the user.

    Raises :class:`DataValidationError` listing every problem of ``frame``.
    """
    problems = missing_columns(frame, config)
    if problems:
        raise DataValidationError(f"{source} cannot be used for training:\n{listed(problems)}")
    schema, notes = resolve_schema(frame, config)
    if len(frame) < config.data.min_rows:
        problems.append(f"{len(frame)} rows, fewer than data.min_rows={config.data.min_rows}")
    for feature in schema.features:
        problems += feature_problems(frame[feature.name], feature)
    problems += target_problems(frame[schema.target], schema.task, config.split.test_size)
    if problems:
        raise DataValidationError(f"{source} cannot be used for training:\n{listed(problems)}")
    return schema, notes + category_warnings(frame, schema)
