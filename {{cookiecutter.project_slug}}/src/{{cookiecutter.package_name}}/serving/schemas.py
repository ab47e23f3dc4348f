"""Request and response schemas, derived from the data schema the champion was trained with.

Each feature becomes a field of a row, typed by its kind: a number (finite, within sane bounds),
a string (the categories seen in training are its examples; an unseen one is accepted and
answered), or a boolean. A feature that may be missing is optional and nullable; one the
training config lists in ``forbid_missing`` is required. Types are strict: ``true`` or ``"1.5"``
for a number is refused rather than read as 1.0 or 1.5, since a client that sends them has a bug
a silently converted prediction would hide. In JSON each field keeps the column's exact spelling
(``od280/od315_...`` is not a Python name), through an alias; in Python the fields are numbered,
so no column name can clash with pydantic's own attributes.
"""

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from ..pipeline.schema import DataSchema, Feature, Kind

# Category examples the documentation shows per feature.
SHOWN_CATEGORIES = 10


def field_names(schema: DataSchema) -> tuple[str, ...]:
    """The Python names of the row fields, in the order of the features."""
    return tuple(f"feature_{index}" for index in range(len(schema.features)))


def value_type(feature: Feature, max_abs_value: float) -> tuple[type, dict[str, Any]]:
    """The Python type of a feature's values, and the constraints of its field."""
    if feature.kind == Kind.NUMERIC:
        return float, {"allow_inf_nan": False, "ge": -max_abs_value, "le": max_abs_value}
    if feature.kind == Kind.BOOLEAN:
        return bool, {}
    return str, {"examples": list(feature.categories[:SHOWN_CATEGORIES])}


def row_field(feature: Feature, max_abs_value: float) -> tuple[Any, Any]:
    """One feature's field: required, or optional and nullable where it may be missing."""
    kind, constraints = value_type(feature, max_abs_value)
    if feature.allow_missing:
        return kind | None, Field(None, alias=feature.name, strict=True, **constraints)
    return kind, Field(alias=feature.name, strict=True, **constraints)


def row_model(schema: DataSchema, max_abs_value: float) -> type[BaseModel]:
    """The schema of one row: one field per feature, nothing else."""
    fields = {
        name: row_field(feature, max_abs_value)
        for name, feature in zip(field_names(schema), schema.features)
    }
    return create_model("Row", __config__=ConfigDict(extra="forbid"), **fields)


def batch_model(row: type[BaseModel], max_rows: int) -> type[BaseModel]:
    """The schema of a batch request: one to ``max_rows`` rows (the API answers 413 above)."""
    rows = (list[row], Field(min_length=1, max_length=max_rows))  # type: ignore[valid-type]
    return create_model("Batch", __config__=ConfigDict(extra="forbid"), rows=rows)


@dataclass(frozen=True)
class RequestSchemas:
    """The row and batch schemas of one data schema, and how to read a row's values."""

    row: type[BaseModel]
    batch: type[BaseModel]
    names: tuple[str, ...]

    @classmethod
    def of(cls, schema: DataSchema, max_abs_value: float, max_rows: int) -> "RequestSchemas":
        """The request schemas of ``schema`` under the serving limits."""
        row = row_model(schema, max_abs_value)
        return cls(row, batch_model(row, max_rows), field_names(schema))

    def values(self, row: BaseModel) -> list[Any]:
        """A validated row's values, in feature order (None where missing)."""
        return [getattr(row, name) for name in self.names]


class Prediction(BaseModel):
    """One answer, with the variant and model version that produced it (for lineage).

    ``probabilities`` (class -> probability) is there when the request asked for it.
    """

    prediction: Any
    variant: str
    model_version: str
    probabilities: dict[str, float] | None = None


class BatchPrediction(BaseModel):
    """The answers to a batch, in the order of its rows, all from one variant."""

    predictions: list[Any]
    variant: str
    model_version: str
    probabilities: list[dict[str, float]] | None = None


class ServedModelInfo(BaseModel):
    """Where a served model comes from: registry entry, training run and data fingerprint."""

    variant: str
    name: str
    version: str
    alias: str
    run_id: str
    data_sha256: str | None
    task: str
    features: list[str]


class ModelReport(BaseModel):
    """What /model reports: every served model and the challenger's share of the traffic."""

    challenger_share: float
    models: list[ServedModelInfo]


class Status(BaseModel):
    """The answer of /health and /ready."""

    status: str
    model_version: str | None = None
