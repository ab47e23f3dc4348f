"""Tests of the dataset helpers: every later step relies on the data looking like this."""

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.data import TARGET_COLUMN, read_dataset, write_dataset

WINES = 178
FEATURES = 13
CULTIVARS = [0, 1, 2]


def test_dataset_has_every_wine_and_measurement(wine):
    """178 wines, 13 measurements and a target: the shape models and notebooks assume."""
    assert wine.shape == (WINES, FEATURES + 1)


def test_target_holds_the_three_cultivars(wine):
    """The label is the last column and every class is present, so stratified splits work."""
    assert wine.columns[-1] == TARGET_COLUMN
    assert sorted(wine[TARGET_COLUMN].unique()) == CULTIVARS


def test_dataset_has_no_missing_values(wine):
    """No imputation step exists, so a missing value would break training."""
    assert not wine.isna().to_numpy().any()


def test_measurements_are_numeric(wine):
    """Scalers and linear models accept numbers only."""
    features = wine.drop(columns=TARGET_COLUMN)
    assert all(pd.api.types.is_numeric_dtype(dtype) for dtype in features.dtypes)


def test_csv_round_trip_keeps_the_data(wine, tmp_path):
    """What the notebook reads back from disk is exactly what was loaded."""
    path = write_dataset(wine, tmp_path / "wine.csv")
    pd.testing.assert_frame_equal(read_dataset(path), wine)


def test_write_creates_missing_folders(wine, tmp_path):
    """A fresh clone has no data folders beyond the tracked ones; writing must not fail then."""
    path = tmp_path / "raw" / "nested" / "wine.csv"
    assert write_dataset(wine, path) == path
    assert path.is_file()


def test_read_of_a_missing_file_says_how_to_create_it(tmp_path):
    """The error names the command that writes the file, not just the missing path."""
    with pytest.raises(FileNotFoundError, match="make data"):
        read_dataset(tmp_path / "absent.csv")


def test_read_rejects_a_file_without_target(wine, tmp_path):
    """A CSV without labels cannot train a model: refuse it when it is read."""
    path = tmp_path / "features-only.csv"
    wine.drop(columns=TARGET_COLUMN).to_csv(path, index=False)
    with pytest.raises(ValueError, match=TARGET_COLUMN):
        read_dataset(path)
