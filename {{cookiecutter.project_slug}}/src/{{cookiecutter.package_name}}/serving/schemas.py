"""Request and response schemas, derived from the features the model is trained on.

The configured feature names become the fields of a row, so the API documents and checks
exactly what the model needs: every feature present, a finite number within sane bounds, and
nothing else. In JSON each field keeps the column's exact spelling (``od280/od315_...`` is not
a Python name), through an alias; in Python the fields are numbered, so no column name can
clash with pydantic's own attributes. A validation error names the column, by its alias.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model


def field_names(features: tuple[str, ...]) -> tuple[str, ...]:
    """The Python names of the row fields, in the order of the features."""
    return tuple(f"feature_{index}" for index in range(len(features)))


def row_model(features: tuple[str, ...], max_abs_value: float) -> type[BaseModel]:
    """The schema of one row: one required, finite, bounded number per feature.

    Strict numbers: ``true`` or ``"1.5"`` is refused rather than read as 1.0 or 1.5, since a
    client that sends them has a bug that a silently converted prediction would hide.
    """
    fields: dict[str, Any] = {
        name: (
            float,
            Field(
                alias=feature,
                strict=True,
                allow_inf_nan=False,
                ge=-max_abs_value,
                le=max_abs_value,
            ),
        )
        for name, feature in zip(field_names(features), features)
    }
    return create_model("Row", __config__=ConfigDict(extra="forbid"), **fields)


def batch_model(row: type[BaseModel], max_rows: int) -> type[BaseModel]:
    """The schema of a batch request: one to ``max_rows`` rows (the API answers 413 above)."""
    rows = (list[row], Field(min_length=1, max_length=max_rows))  # type: ignore[valid-type]
    return create_model("Batch", __config__=ConfigDict(extra="forbid"), rows=rows)


class Prediction(BaseModel):
    """One answer, with the variant and model version that produced it (for lineage)."""

    prediction: Any
    variant: str
    model_version: str


class BatchPrediction(BaseModel):
    """The answers to a batch, in the order of its rows, all from one variant."""

    predictions: list[Any]
    variant: str
    model_version: str


class ServedModelInfo(BaseModel):
    """Where a served model comes from: registry entry, training run and data fingerprint."""

    variant: str
    name: str
    version: str
    alias: str
    run_id: str
    data_sha256: str | None


class ModelReport(BaseModel):
    """What /model reports: every served model and the challenger's share of the traffic."""

    challenger_share: float
    models: list[ServedModelInfo]


class Status(BaseModel):
    """The answer of /health and /ready."""

    status: str
    model_version: str | None = None
