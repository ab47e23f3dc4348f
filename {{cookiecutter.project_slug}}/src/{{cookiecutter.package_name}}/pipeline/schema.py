"""The data contract: what is predicted, from which columns, and what kind each column is.

A :class:`DataSchema` is resolved once per training run, from the config and the data: what the
config declares is taken as it is, and what it leaves out (the task, the features, a feature's
kind) is inferred from the data and reported, so the user can pin it. The schema then travels
with the model: it builds the preprocessing (:mod:`.features`), it is logged beside the model,
and the API derives its request schema from it, so training and serving never disagree.
"""

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

import pandas as pd

# A target of whole numbers with at most this many distinct values holds classes; with more, it
# is a quantity (a count, a price in cents) and the task is regression.
MAX_CLASSES_OF_NUMBERS = 20
# The categories a schema keeps for each categorical feature, most frequent first: the API shows
# them as examples and the drift check compares their shares.
KEPT_CATEGORIES = 30


class Task(StrEnum):
    """What the model predicts: a class label or a number."""

    CLASSIFICATION = "classification"
    REGRESSION = "regression"


class Kind(StrEnum):
    """What a feature column holds, which decides how it is imputed and encoded."""

    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Feature:
    """One input column: its name, its kind, whether it may be empty, its common categories."""

    name: str
    kind: Kind
    allow_missing: bool = True
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class DataSchema:
    """The task, the target and the features, in the order the model takes them."""

    task: Task
    target: str
    features: tuple[Feature, ...]
    classes: tuple[Any, ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        """The feature names, in order."""
        return tuple(feature.name for feature in self.features)

    def of_kind(self, kind: Kind) -> list[str]:
        """The names of the features of one kind, in order."""
        return [feature.name for feature in self.features if feature.kind == kind]

    def as_dict(self) -> dict[str, Any]:
        """Plain values (kinds and task as text, classes as JSON has them): what is logged."""
        document: dict[str, Any] = json.loads(json.dumps(asdict(self), default=str))
        return document

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> "DataSchema":
        """The schema :meth:`as_dict` wrote."""
        features = tuple(
            Feature(
                name=item["name"],
                kind=Kind(item["kind"]),
                allow_missing=bool(item["allow_missing"]),
                categories=tuple(item.get("categories", ())),
            )
            for item in document["features"]
        )
        return cls(
            task=Task(document["task"]),
            target=document["target"],
            features=features,
            classes=tuple(document.get("classes", ())),
        )

    def describe(self) -> str:
        """The features as a ``data.features`` mapping, to paste into the config."""
        lines = [f"    {feature.name}: {feature.kind}" for feature in self.features]
        return "  features:\n" + "\n".join(lines)


def is_boolean(column: pd.Series) -> bool:
    """A column of true/false values only (pandas reads True, true and TRUE as booleans)."""
    values = column.dropna()
    return not values.empty and all(isinstance(value, bool) for value in values.unique().tolist())


def infer_kind(column: pd.Series) -> Kind:
    """Booleans, then numbers; anything else (text) is categorical."""
    if pd.api.types.is_bool_dtype(column) or is_boolean(column):
        return Kind.BOOLEAN
    if pd.api.types.is_numeric_dtype(column):
        return Kind.NUMERIC
    return Kind.CATEGORICAL


def infer_task(target: pd.Series) -> tuple[Task, str]:
    """Classification for text, booleans or few distinct whole numbers; else regression.

    Returns the task and the reason, which the run prints so the user can pin the task.
    """
    values = target.dropna()
    distinct = values.nunique()
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return Task.CLASSIFICATION, f"it holds labels ({distinct} distinct)"
    whole = bool((values == values.round()).all())
    if whole and distinct <= MAX_CLASSES_OF_NUMBERS:
        return Task.CLASSIFICATION, f"it holds {distinct} distinct whole numbers"
    if whole:
        return Task.REGRESSION, f"it holds {distinct} distinct whole numbers, too many for classes"
    return Task.REGRESSION, "it holds fractional numbers"


def common_categories(column: pd.Series) -> tuple[str, ...]:
    """The most frequent values of a categorical column, as text."""
    counts = column.dropna().astype(str).value_counts()
    return tuple(counts.index[:KEPT_CATEGORIES])


def with_categories(schema: DataSchema, frame: pd.DataFrame) -> DataSchema:
    """The schema with each categorical feature's common categories, as seen in ``frame``."""
    features = tuple(
        (
            replace(feature, categories=common_categories(frame[feature.name]))
            if feature.kind == Kind.CATEGORICAL
            else feature
        )
        for feature in schema.features
    )
    return replace(schema, features=features)


def with_classes(schema: DataSchema, target: pd.Series) -> DataSchema:
    """The schema with the classes of a classification target, sorted as scikit-learn does."""
    if schema.task != Task.CLASSIFICATION:
        return schema
    return replace(schema, classes=tuple(sorted(target.dropna().unique().tolist())))
