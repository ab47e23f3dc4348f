"""Tests of the load and validate steps: the schema is resolved, bad data is refused with reasons.

Each defect is planted in a copy of the tests' classification data set (text labels yes/no,
features size, "weight (kg)", colour and member; size may never be empty).
"""

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.data import sample_path
from {{ cookiecutter.package_name }}.pipeline.config import parse_config
from {{ cookiecutter.package_name }}.pipeline.errors import DataValidationError
from {{ cookiecutter.package_name }}.pipeline.load import load_csv, provide_data
from {{ cookiecutter.package_name }}.pipeline.schema import Kind, Task
from {{ cookiecutter.package_name }}.pipeline.validate import MANY_CATEGORIES, validate_dataset


def set_cells(frame: pd.DataFrame, column: str, values: dict[int, object]) -> pd.DataFrame:
    """``frame`` with the cells of ``column`` at these row positions replaced (a column of
    numbers that gets text becomes a column of objects, as pandas reads such a file)."""
    if any(isinstance(value, str) for value in values.values()):
        frame[column] = frame[column].astype(object)
    for position, value in values.items():
        frame.iloc[position, frame.columns.get_loc(column)] = value
    return frame


# (how the data is spoilt, what the error must say)
BAD_DATA = {
    "missing-target": (lambda f: f.drop(columns="outcome"), "missing columns: outcome"),
    "missing-feature": (lambda f: f.drop(columns="colour"), "missing columns: colour .the file"),
    "text-in-numbers": (
        lambda f: set_cells(f, "weight (kg)", {0: "unknown", 4: "12 kg"}),
        r"'weight \(kg\)' is declared numeric but holds text on lines 2, 6: 'unknown', '12 kg'",
    ),
    "infinite-number": (
        lambda f: set_cells(f, "size", {3: np.inf}),
        "feature 'size' holds infinite values on line 5",
    ),
    "all-empty-column": (
        lambda f: f.assign(colour=None),
        "feature 'colour' is empty in every row",
    ),
    "gap-where-forbidden": (
        lambda f: set_cells(f, "size", {1: None, 8: None}),
        r"feature 'size' is empty on lines 3, 10 \(data.forbid_missing lists it\)",
    ),
    "not-a-boolean": (
        lambda f: set_cells(f, "member", {2: "maybe"}),
        "'member' is declared boolean but holds other values .* on line 4: 'maybe'",
    ),
    "empty-target-cell": (
        lambda f: set_cells(f, "outcome", {6: None}),
        "the target 'outcome' is empty on line 8: fill or remove those rows",
    ),
    "single-class": (lambda f: f.assign(outcome="yes"), "has 1 class: a classifier needs two"),
    "class-of-one-row": (
        lambda f: set_cells(f, "outcome", {0: "maybe"}),
        "1 classes of the target 'outcome' have a single row, which cannot be split .*: maybe",
    ),
    "too-few-rows": (lambda f: f.head(30), "30 rows, fewer than data.min_rows=50"),
}


@pytest.fixture(name="frame")
def fixture_frame(datasets) -> pd.DataFrame:
    """A copy of the classification data set, free to spoil."""
    return datasets["classification"].copy()


def test_the_tests_data_is_valid_and_its_schema_is_the_declared_one(frame, config):
    """The declared kinds and forbid_missing become the schema; nothing is inferred or noted."""
    schema, notes = validate_dataset(frame, config, source="own.csv")
    assert schema.task == Task.CLASSIFICATION
    assert [(f.name, f.kind, f.allow_missing) for f in schema.features] == [
        ("size", Kind.NUMERIC, False),
        ("weight (kg)", Kind.NUMERIC, True),
        ("colour", Kind.CATEGORICAL, True),
        ("member", Kind.BOOLEAN, True),
    ]
    assert notes == [
        "task: classification (inferred from the target 'outcome': it holds labels (2 distinct))"
    ]


@pytest.mark.parametrize(("spoil", "message"), BAD_DATA.values(), ids=BAD_DATA.keys())
def test_bad_data_is_refused_with_the_reason(frame, config, spoil, message):
    """Each defect is named with its column (and its lines), after the source of the data."""
    with pytest.raises(DataValidationError, match=message) as refused:
        validate_dataset(spoil(frame), config, source="own.csv")
    assert str(refused.value).startswith("own.csv cannot be used for training:\n  - ")


def test_every_problem_is_reported_at_once(frame, config):
    """Three defects, three lines: the file is fixed in one go."""
    spoilt = set_cells(set_cells(frame, "size", {0: None}), "member", {1: "maybe"})
    with pytest.raises(DataValidationError) as refused:
        validate_dataset(spoilt.head(40), config, source="own.csv")
    problems = str(refused.value).splitlines()[1:]
    assert len(problems) == 3
    assert "40 rows" in problems[0] and "'size'" in problems[1] and "'member'" in problems[2]


def test_declared_kinds_win_over_what_the_data_suggests(frame, settings):
    """size is numbers, but declared categorical it is encoded as categories."""
    settings["data"]["features"]["size"] = "categorical"
    schema, _ = validate_dataset(frame, parse_config(settings), source="own.csv")
    assert schema.of_kind(Kind.CATEGORICAL) == ["size", "colour"]


@pytest.mark.parametrize("features", [["colour", "size", "member"], None], ids=["list", "absent"])
def test_kinds_left_out_are_inferred_and_printed_to_pin(frame, settings, features):
    """A list infers each kind; no list takes every column but the target. Both are noted."""
    settings["data"]["features"] = features
    if features is None:
        del settings["data"]["features"]
    schema, notes = validate_dataset(frame, parse_config(settings), source="own.csv")
    expected = features or ["size", "weight (kg)", "colour", "member"]
    assert list(schema.names) == expected
    assert schema.of_kind(Kind.BOOLEAN) == ["member"]
    assert schema.of_kind(Kind.CATEGORICAL) == ["colour"]
    pinned = notes[-1]
    assert pinned.startswith("inferred kinds, to pin in the config:\n  features:\n")
    assert "    colour: categorical" in pinned.splitlines()
    assert any(note.startswith("features: every column") for note in notes) == (features is None)


def test_a_declared_task_is_taken_as_it_is(frame, settings):
    """Declared, the task is not inferred (no note); a text target cannot be a regression."""
    settings["task"] = "regression"
    settings["model"] = {"estimator": "ridge", "params": {}}
    with pytest.raises(DataValidationError, match="task is regression, but the target 'outcome"):
        validate_dataset(frame, parse_config(settings), source="own.csv")


def test_the_estimator_path_decides_the_task(datasets, regression_settings):
    """A regressor named by its path makes the run a regression, whatever the target holds."""
    regression_settings["model"] = {"estimator": "sklearn.linear_model.Ridge", "params": {}}
    config = parse_config(regression_settings)
    schema, notes = validate_dataset(datasets["regression"], config, source="own.csv")
    assert schema.task == Task.REGRESSION
    assert not any(note.startswith("task:") for note in notes)


def test_a_quantity_taken_for_classes_gets_a_hint(datasets, regression_settings):
    """Classification of a fractional target: every value is a class of one row; say why."""
    regression_settings["task"] = "classification"
    config = parse_config(regression_settings)
    with pytest.raises(DataValidationError, match="is it a quantity. set task: regression"):
        validate_dataset(datasets["regression"], config, source="own.csv")


def test_a_split_too_small_for_the_classes_is_refused(frame, settings):
    """Holding out 1 row of 240 cannot leave a row of each class in the test part."""
    settings["split"]["test_size"] = 0.001
    with pytest.raises(DataValidationError, match="both parts need a row of each of the 2 class"):
        validate_dataset(frame, parse_config(settings), source="own.csv")


def test_regression_targets_need_no_classes(datasets, regression_config):
    """Every value of a regression target is distinct: no class check applies."""
    schema, _ = validate_dataset(datasets["regression"], regression_config, source="own.csv")
    assert schema.task == Task.REGRESSION


def test_a_categorical_feature_of_thousands_of_values_is_a_warning(frame, settings):
    """An identifier-like column trains, with a warning among the notes."""
    rows = MANY_CATEGORIES + 100
    many = pd.concat([frame] * (rows // len(frame) + 1), ignore_index=True).head(rows)
    many["colour"] = [f"id-{number}" for number in range(rows)]
    _, notes = validate_dataset(many, parse_config(settings), source="own.csv")
    assert notes[-1].startswith(f"categorical feature 'colour' has {rows} distinct")


def test_a_missing_file_of_ones_own_says_how_to_provide_it(tmp_path):
    """The error names the file and the ways to get it onto the machine, CI included."""
    path = tmp_path / "mine.csv"
    for step in (lambda: load_csv(path), lambda: provide_data(path)):
        with pytest.raises(FileNotFoundError, match=f"{path} does not exist: commit it") as error:
            step()
        assert "dvc" in str(error.value) and "data.path" in str(error.value)


def test_a_bundled_sample_is_written_when_the_config_names_it(tmp_path, monkeypatch, samples):
    """A config pointing at data/raw/<sample>.csv gets the sample, no command needed."""
    monkeypatch.chdir(tmp_path)
    frame = load_csv(sample_path("diabetes"))
    assert len(frame) == len(samples["diabetes"])
    written = provide_data(sample_path("diabetes"))
    assert written == f"Wrote the bundled diabetes sample (442 rows) to {sample_path('diabetes')}"


def test_a_file_of_ones_own_is_left_as_it_is(config):
    """``make data`` never overwrites the user's data: it says the file is there."""
    before = config.data.path.read_bytes()
    assert "is your own data" in provide_data(config.data.path)
    assert config.data.path.read_bytes() == before


def test_an_unreadable_file_is_a_data_error(tmp_path):
    """An empty file is bad data, reported like the other defects."""
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataValidationError, match="not a readable CSV file"):
        load_csv(path)
