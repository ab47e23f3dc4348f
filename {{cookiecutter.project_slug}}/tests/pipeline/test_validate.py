"""Tests of the load and validate steps: good data passes, bad data is refused with reasons."""

import dataclasses

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.data import TARGET_COLUMN
from {{ cookiecutter.package_name }}.pipeline.errors import DataValidationError
from {{ cookiecutter.package_name }}.pipeline.load import load_csv
from {{ cookiecutter.package_name }}.pipeline.validate import validate_dataset


def without_alcohol(frame):
    """A file that lacks a configured feature."""
    return frame.drop(columns="alcohol")


def without_target(frame):
    """A file without labels."""
    return frame.drop(columns=TARGET_COLUMN)


def text_feature(frame):
    """A feature holding words instead of numbers."""
    return frame.assign(hue="pale")


def empty_cell(frame):
    """One missing measurement."""
    frame.loc[frame.index[0], "ash"] = np.nan
    return frame


def infinite_value(frame):
    """One measurement that overflowed."""
    frame.loc[frame.index[0], "proline"] = np.inf
    return frame


def too_few_rows(frame):
    """Ten wines of each cultivar: fewer rows than min_rows."""
    return frame.groupby(TARGET_COLUMN).head(10)


def fractional_target(frame):
    """A continuous target, as in a regression problem."""
    return frame.assign(**{TARGET_COLUMN: frame[TARGET_COLUMN] + 0.5})


def single_class(frame):
    """Every wine labelled with the same cultivar."""
    return frame.assign(**{TARGET_COLUMN: 0})


def singleton_class(frame):
    """A class with one row, which a stratified split cannot put on both sides."""
    frame.loc[frame.index[0], TARGET_COLUMN] = 7
    return frame


BAD_DATA = {
    "missing-feature": (without_alcohol, "missing columns: alcohol"),
    "missing-target": (without_target, f"missing columns: {TARGET_COLUMN}"),
    "text-feature": (text_feature, "features that are not numeric: hue"),
    "empty-cell": (empty_cell, r"empty cells in ash \(1\)"),
    "infinite-value": (infinite_value, r"infinite values in proline \(1\)"),
    "too-few-rows": (too_few_rows, "30 rows, fewer than data.min_rows=50"),
    "fractional-target": (fractional_target, "holds fractional numbers"),
    "single-class": (single_class, r"has 1 class\(es\)"),
    "singleton-class": (singleton_class, "classes with a single row .*: 7"),
}


def test_the_bundled_dataset_is_valid(wine, config):
    """The wine dataset passes every check."""
    validate_dataset(wine, config, source="wine")


@pytest.mark.parametrize(("corrupt", "message"), BAD_DATA.values(), ids=BAD_DATA.keys())
def test_bad_data_is_refused_with_the_reason(wine, config, corrupt, message):
    """Each defect is named, after the source of the data."""
    with pytest.raises(DataValidationError, match=message) as refused:
        validate_dataset(corrupt(wine.copy()), config, source="my.csv")
    assert str(refused.value).startswith("my.csv cannot be used for training")


def test_every_problem_is_reported_at_once(wine, config):
    """Two defects, two lines: the file is fixed in one go."""
    with pytest.raises(DataValidationError) as refused:
        validate_dataset(empty_cell(text_feature(wine.copy())), config, source="my.csv")
    assert "not numeric: hue" in str(refused.value)
    assert "empty cells in ash" in str(refused.value)


def test_split_too_small_for_the_classes_is_refused(wine, config):
    """Holding out 1 row of 60 cannot leave a row of each of 3 classes in the test part."""
    small = wine.groupby(TARGET_COLUMN).head(20)
    tiny_split = dataclasses.replace(config, test_size=0.01)
    with pytest.raises(DataValidationError, match="both parts need a row of each of the 3"):
        validate_dataset(small, tiny_split, source="my.csv")


def test_loading_a_missing_file_says_what_to_check(tmp_path):
    """A path from the config that does not exist points back at the config."""
    with pytest.raises(FileNotFoundError, match="data.path"):
        load_csv(tmp_path / "absent.csv")


def test_loading_an_empty_file_is_a_data_error(tmp_path):
    """An empty file is bad data, reported like the other defects."""
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataValidationError, match="not a readable CSV file"):
        load_csv(path)
