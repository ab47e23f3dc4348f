"""Features step: turn raw columns, as they appear in the CSV file, into what the model learns from.

The transformer is the first stage of the model's scikit-learn pipeline, so it is fitted on the
training rows only (nothing leaks from the held-out rows) and travels with the model: the API,
batch scoring, the promotion gate and the drift check all feed it raw rows. Per kind:

- numeric: empty cells take the training median, then every column is scaled to zero mean and
  unit variance (linear models need one scale; trees are indifferent to it);
- categorical: values are read as text (``94110`` and ``"94110"`` are one category), an empty
  cell is a category of its own, and each category seen in training becomes a 0/1 column. Rare
  categories share one column, and a category never seen in training sets none, so a new
  value is answered rather than refused. An estimator that splits on categories itself
  (histogram gradient boosting) gets one column of category codes per feature instead
  (:func:`categorical_codes`): on many rows a 0/1 column per category costs it memory and time;
- boolean: true is 1 and false 0; empty cells take the most frequent value.
"""

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)

from .schema import DataSchema, Kind

MISSING_CATEGORY = "missing"
# A category needs this many training rows for a column of its own; rarer ones share one.
MIN_CATEGORY_ROWS = 5
# Columns (or codes) per categorical feature at most, the shared one included: bounds the width.
MAX_CATEGORY_COLUMNS = 30


def column_as_text(column: pd.Series) -> pd.Series:
    """One column's values as text (a text column as it is: converting costs on large data)."""
    if not pd.api.types.is_string_dtype(column):
        column = column.map(str, na_action="ignore")
    return column.fillna(MISSING_CATEGORY).astype(object)


def categories_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every value as text and every empty cell as the category ``missing``."""
    return frame.apply(column_as_text)


def numeric_columns() -> Pipeline:
    """Median for empty cells, then standard scaling."""
    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler())


def categorical_columns() -> Pipeline:
    """Text, then one 0/1 column per common category; unseen categories set none."""
    return make_pipeline(
        FunctionTransformer(categories_as_text, feature_names_out="one-to-one"),
        OneHotEncoder(
            handle_unknown="ignore",
            min_frequency=MIN_CATEGORY_ROWS,
            max_categories=MAX_CATEGORY_COLUMNS,
            sparse_output=False,
        ),
    )


def categorical_codes() -> Pipeline:
    """Text, then one code per common category (rare ones share one); unseen categories are
    empty, which the estimator handles as it handles missing values."""
    return make_pipeline(
        FunctionTransformer(categories_as_text, feature_names_out="one-to-one"),
        OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=np.nan,
            min_frequency=MIN_CATEGORY_ROWS,
            max_categories=MAX_CATEGORY_COLUMNS,
        ),
    )


def boolean_columns() -> Pipeline:
    """1.0 for true, 0.0 for false; empty cells take the most frequent value."""
    return make_pipeline(
        FunctionTransformer(
            np.asarray, kw_args={"dtype": "float64"}, feature_names_out="one-to-one"
        ),
        SimpleImputer(strategy="most_frequent"),
    )


TRANSFORMERS = {
    Kind.NUMERIC: numeric_columns,
    Kind.CATEGORICAL: categorical_columns,
    Kind.BOOLEAN: boolean_columns,
}


def build_features(schema: DataSchema, codes: bool = False) -> ColumnTransformer:
    """One transformer per kind present, over the schema's features; other columns dropped.

    The output is dense: some estimators (histogram gradient boosting among them) refuse
    sparse input, and the category cap keeps the width bounded. With ``codes``, categorical
    features are category codes, one column each (see :func:`coded_categories`).
    """
    makers = {**TRANSFORMERS, Kind.CATEGORICAL: categorical_codes} if codes else TRANSFORMERS
    parts = [
        (kind.value, make(), schema.of_kind(kind))
        for kind, make in makers.items()
        if schema.of_kind(kind)
    ]
    return ColumnTransformer(parts, remainder="drop", sparse_threshold=0)


def coded_categories(schema: DataSchema) -> list[bool]:
    """Which columns of ``build_features(schema, codes=True)``'s output hold category codes:
    every kind gives one column per feature then, in the transformer's order of kinds."""
    return [kind == Kind.CATEGORICAL for kind in TRANSFORMERS for _ in schema.of_kind(kind)]
