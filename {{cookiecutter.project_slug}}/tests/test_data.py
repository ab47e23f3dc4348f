"""Tests of the bundled samples and the dataset helpers: what ``make data`` writes and reads."""

from pathlib import Path

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.data import (
    DEFAULT_SAMPLE,
    RAW_DATA_PATH,
    SAMPLES,
    TARGET_COLUMN,
    load_dataset,
    read_dataset,
    sample_at,
    sample_path,
    write_dataset,
)

# Per sample: rows, feature columns, and whether the target holds a few classes.
SHAPES = {"wine": (178, 13, True), "diabetes": (442, 10, False)}


def test_the_samples_are_wine_and_diabetes_with_wine_by_default():
    """A classification and a regression sample ship; wine is the zero-config default."""
    assert set(SAMPLES) == set(SHAPES)
    assert DEFAULT_SAMPLE == "wine" and RAW_DATA_PATH == sample_path("wine")
    pd.testing.assert_frame_equal(load_dataset(), load_dataset("wine"))


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_each_sample_is_one_complete_frame_with_its_target_last(samples, name):
    """Its measurements, then the target; numbers only, no empty cell."""
    frame = samples[name]
    rows, features, classes = SHAPES[name]
    assert frame.shape == (rows, features + 1)
    assert frame.columns[-1] == TARGET_COLUMN
    assert not frame.isna().to_numpy().any()
    assert all(pd.api.types.is_numeric_dtype(dtype) for dtype in frame.dtypes)
    assert (frame[TARGET_COLUMN].nunique() <= 3) is classes


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_a_sample_belongs_at_its_own_path(name):
    """data/raw/<name>.csv is the sample's; any other path is nobody's sample."""
    assert sample_path(name) == Path("data") / "raw" / f"{name}.csv"
    assert sample_at(sample_path(name)) == name
    assert sample_at(str(sample_path(name))) == name


@pytest.mark.parametrize(
    "path", ["data/raw/mine.csv", "elsewhere/wine.csv", "/data/raw/wine.csv", "data/raw/wine"]
)
def test_other_paths_are_no_sample(path):
    """The user's own files are never taken for a sample, even with a sample's file name."""
    assert sample_at(path) is None


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_csv_round_trip_keeps_the_data(samples, name, tmp_path):
    """What the notebook reads back from disk is exactly what was loaded."""
    path = write_dataset(samples[name], tmp_path / f"{name}.csv")
    pd.testing.assert_frame_equal(read_dataset(path), samples[name])


def test_write_creates_missing_folders(samples, tmp_path):
    """A fresh clone has no data folders beyond the tracked ones; writing must not fail then."""
    path = tmp_path / "raw" / "nested" / "wine.csv"
    assert write_dataset(samples["wine"], path) == path
    assert path.is_file()


def test_read_of_a_missing_file_says_how_to_create_it(tmp_path):
    """The error names the command that writes the file, not just the missing path."""
    with pytest.raises(FileNotFoundError, match="make data"):
        read_dataset(tmp_path / "absent.csv")


def test_read_rejects_a_file_without_target(samples, tmp_path):
    """A CSV without labels cannot train a model: refuse it when it is read."""
    path = tmp_path / "features-only.csv"
    samples["wine"].drop(columns=TARGET_COLUMN).to_csv(path, index=False)
    with pytest.raises(ValueError, match=TARGET_COLUMN):
        read_dataset(path)
