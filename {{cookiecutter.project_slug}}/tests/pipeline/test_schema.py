"""Tests of the data schema: what is inferred from a column, and what travels with the model."""

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.pipeline.schema import (
    KEPT_CATEGORIES,
    DataSchema,
    Feature,
    Kind,
    Task,
    infer_kind,
    infer_task,
    with_categories,
    with_classes,
)

# (values, dtype or None for pandas' own choice, the kind inferred)
COLUMNS = {
    "floats": ([1.5, np.nan, 3.0], None, Kind.NUMERIC),
    "whole-numbers": ([1, 2, 3], None, Kind.NUMERIC),
    "text": (["red", None, "blue"], None, Kind.CATEGORICAL),
    "text-as-objects": (["red", None, "blue"], object, Kind.CATEGORICAL),
    "text-as-str": (["red", None, "blue"], "str", Kind.CATEGORICAL),
    "booleans": ([True, False, True], None, Kind.BOOLEAN),
    "booleans-with-gaps": ([True, None, False], object, Kind.BOOLEAN),
    "mixed-objects": ([True, "yes", None], object, Kind.CATEGORICAL),
}
# (values, the task inferred, words of the reason)
TARGETS = {
    "text-labels": (["yes", "no", "yes"], Task.CLASSIFICATION, "labels"),
    "booleans": ([True, False, True], Task.CLASSIFICATION, "labels"),
    "few-whole-numbers": ([0, 1, 2, 1], Task.CLASSIFICATION, "3 distinct whole numbers"),
    "whole-floats": ([0.0, 1.0, 1.0], Task.CLASSIFICATION, "2 distinct whole numbers"),
    "many-whole-numbers": (list(range(25)), Task.REGRESSION, "too many for classes"),
    "fractions": ([0.5, 1.25, 2.0], Task.REGRESSION, "fractional numbers"),
}


@pytest.mark.parametrize(("values", "dtype", "kind"), COLUMNS.values(), ids=COLUMNS.keys())
def test_the_kind_of_a_column_is_inferred(values, dtype, kind):
    """Booleans, then numbers; text is categorical whether pandas holds it as str or objects."""
    assert infer_kind(pd.Series(values, dtype=dtype)) == kind


@pytest.mark.parametrize(("values", "task", "reason"), TARGETS.values(), ids=TARGETS.keys())
def test_the_task_is_inferred_from_the_target_with_its_reason(values, task, reason):
    """Labels and a few whole numbers are classes; fractions or many numbers are quantities."""
    inferred, why = infer_task(pd.Series(values))
    assert inferred == task
    assert reason in why


def test_empty_target_cells_do_not_decide_the_task():
    """A missing label is not a fraction: whole numbers with gaps stay classes."""
    assert infer_task(pd.Series([0, 1, None, 1]))[0] == Task.CLASSIFICATION


@pytest.fixture(name="schema")
def fixture_schema() -> DataSchema:
    """A schema with one feature of each kind, one of them never missing."""
    return DataSchema(
        task=Task.CLASSIFICATION,
        target="outcome",
        features=(
            Feature("size", Kind.NUMERIC, allow_missing=False),
            Feature("colour", Kind.CATEGORICAL),
            Feature("member", Kind.BOOLEAN),
            Feature("weight (kg)", Kind.NUMERIC),
        ),
    )


def test_names_and_kinds_keep_the_order_of_the_features(schema):
    """The model takes the columns in this order."""
    assert schema.names == ("size", "colour", "member", "weight (kg)")
    assert schema.of_kind(Kind.NUMERIC) == ["size", "weight (kg)"]
    assert schema.of_kind(Kind.CATEGORICAL) == ["colour"]
    assert schema.of_kind(Kind.BOOLEAN) == ["member"]


def test_the_schema_survives_its_plain_form(schema, frame_of_categories):
    """What is logged with the model reads back as the same schema, categories and classes too."""
    full = with_classes(with_categories(schema, frame_of_categories), pd.Series(["no", "yes"]))
    document = full.as_dict()
    assert document["task"] == "classification"
    assert document["features"][1]["kind"] == "categorical"
    assert DataSchema.from_dict(document) == full


def test_describe_is_a_features_mapping_to_paste_into_the_config(schema):
    """Each feature on its own line with its kind, under ``features:``."""
    assert schema.describe().splitlines() == [
        "  features:",
        "    size: numeric",
        "    colour: categorical",
        "    member: boolean",
        "    weight (kg): numeric",
    ]


@pytest.fixture(name="frame_of_categories")
def fixture_frame_of_categories() -> pd.DataFrame:
    """Colours seen 3, 2 and 1 times, and an empty cell; other columns untouched."""
    colours = ["blue", "red", "blue", None, "green", "blue", "red"]
    return pd.DataFrame({"colour": colours, "size": range(7)})


def test_categories_are_kept_most_frequent_first(schema, frame_of_categories):
    """The API shows them as examples and the drift check compares their shares."""
    categorised = with_categories(schema, frame_of_categories)
    colour = categorised.features[schema.names.index("colour")]
    assert colour.categories == ("blue", "red", "green")
    assert all(not feature.categories for feature in categorised.features if feature != colour)


def test_a_column_of_many_categories_keeps_the_most_frequent(schema):
    """An identifier-like column does not fill the schema with every value."""
    frame = pd.DataFrame({"colour": [f"c{number}" for number in range(KEPT_CATEGORIES + 20)]})
    assert len(with_categories(schema, frame).features[1].categories) == KEPT_CATEGORIES


def test_classes_are_sorted_and_regression_has_none(schema):
    """Classes in scikit-learn's order; a regression schema keeps no classes."""
    target = pd.Series(["yes", "no", None, "maybe", "no"])
    assert with_classes(schema, target).classes == ("maybe", "no", "yes")
    regression = DataSchema(Task.REGRESSION, "price", schema.features)
    assert with_classes(regression, pd.Series([1.5, 2.5])).classes == ()
