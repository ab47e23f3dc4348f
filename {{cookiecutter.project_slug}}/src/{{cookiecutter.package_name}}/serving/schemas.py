"""Request and response schemas, derived from the data schema the champion was trained with.

Each feature becomes a field of a row, typed by its kind: a number (finite, within sane bounds),
a string (the categories seen in training are its examples; an unseen one is accepted and
answered), or a boolean. A feature that may be missing is optional and nullable; one the
training config lists in ``forbid_missing`` is required. Types are strict: ``true`` or ``"1.5"``
for a number is refused rather than read as 1.0 or 1.5, since a client that sends them has a bug
a silently converted prediction would hide. In JSON each field keeps the column's exact spelling
(``od280/od315_...`` is not a Python name), through an alias; in Python the fields are numbered,
so no column name can clash with pydantic's own attributes.

The same limits bound a request's size: the largest body the API reads is what its largest batch
takes when every value is as long as the schema allows, so a bigger body is refused before it is
read, whatever it holds.
"""

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from ..pipeline.schema import DataSchema, Feature, Kind

# Category examples the documentation shows per feature.
SHOWN_CATEGORIES = 10
# Longest category a request may send unless training saw a longer one: a longer text is a
# mistake (a whole document in a field), refused with 422 rather than carried to the model.
MAX_CATEGORY_CHARS = 200
# Bytes a value may take in a request's JSON: a number written out in full (a double's shortest
# form takes at most 24), a boolean or null; a category at 4 bytes a character, plus its quotes.
NUMBER_BYTES = 32
BOOLEAN_BYTES = 5
# Per field, the quotes, colon, comma and the spaces a pretty-printing client adds; per body, the
# wrapper of a batch (``{"rows": [...]}``) and its whitespace.
FIELD_OVERHEAD_BYTES = 16
BODY_OVERHEAD_BYTES = 4096


def field_names(schema: DataSchema) -> tuple[str, ...]:
    """The Python names of the row fields, in the order of the features."""
    return tuple(f"feature_{index}" for index in range(len(schema.features)))


def value_type(feature: Feature, max_abs_value: float) -> tuple[type, dict[str, Any]]:
    """The Python type of a feature's values, and the constraints of its field."""
    if feature.kind == Kind.NUMERIC:
        return float, {"allow_inf_nan": False, "ge": -max_abs_value, "le": max_abs_value}
    if feature.kind == Kind.BOOLEAN:
        return bool, {}
    examples = list(feature.categories[:SHOWN_CATEGORIES])
    return str, {"examples": examples, "max_length": category_chars(feature)}


def category_chars(feature: Feature) -> int:
    """The longest text a categorical feature takes: ``MAX_CATEGORY_CHARS``, or more when a
    category seen in training is longer."""
    return max([MAX_CATEGORY_CHARS, *map(len, feature.categories)])


def value_bytes(feature: Feature) -> int:
    """The most bytes one value of ``feature`` takes in a request's JSON."""
    if feature.kind == Kind.NUMERIC:
        return NUMBER_BYTES
    if feature.kind == Kind.BOOLEAN:
        return BOOLEAN_BYTES
    return 4 * category_chars(feature) + 2


def max_body_bytes(schema: DataSchema, max_rows: int) -> int:
    """The largest request body of ``schema``: ``max_rows`` rows of the longest values."""
    row = sum(
        len(feature.name.encode()) + FIELD_OVERHEAD_BYTES + value_bytes(feature)
        for feature in schema.features
    )
    return max_rows * row + BODY_OVERHEAD_BYTES


def row_field(feature: Feature, max_abs_value: float) -> tuple[Any, Any]:
    """One feature's field: required, or optional and nullable where it may be missing."""
    kind, constraints = value_type(feature, max_abs_value)
    if feature.allow_missing:
        return kind | None, Field(None, alias=feature.name, strict=True, **constraints)
    return kind, Field(alias=feature.name, strict=True, **constraints)


def row_model(schema: DataSchema, max_abs_value: float) -> type[BaseModel]:
    """The schema of one row: one field per feature, nothing else."""
    fields: dict[str, Any] = {
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
    """The row and batch schemas of one data schema, how to read a row's values, and the
    largest body a request of them may have."""

    row: type[BaseModel]
    batch: type[BaseModel]
    names: tuple[str, ...]
    max_body_bytes: int

    @classmethod
    def of(cls, schema: DataSchema, max_abs_value: float, max_rows: int) -> "RequestSchemas":
        """The request schemas of ``schema`` under the serving limits."""
        row = row_model(schema, max_abs_value)
        names = field_names(schema)
        return cls(row, batch_model(row, max_rows), names, max_body_bytes(schema, max_rows))

    def values(self, row: BaseModel) -> list[Any]:
        """A validated row's values, in feature order (None where missing)."""
        return [getattr(row, name) for name in self.names]

    def parse(self, body: bytes, batch: bool) -> list[list[Any]]:
        """The rows of a request body (one row, or a batch), each as values in feature order;
        pydantic's ValidationError when the body does not fit the schema."""
        if batch:
            # The batch model is made at run time: a type checker cannot see its field.
            rows: list[BaseModel] = getattr(self.batch.model_validate_json(body), "rows")
        else:
            rows = [self.row.model_validate_json(body)]
        return [self.values(row) for row in rows]


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


class Problem(BaseModel):
    """An error explained in one sentence: a body over the limits, no champion, overload."""

    detail: str
