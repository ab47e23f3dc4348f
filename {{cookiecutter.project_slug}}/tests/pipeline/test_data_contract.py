"""The data contract: the file configs/train.yaml names holds what the config says it holds.

Every other test builds its own data, so that the code is tested whatever the data. This file
is the exception: it reads the data ``make train`` will read and checks it against the config,
so a file that stopped matching its config (a renamed column, text in a number column, a
target left empty) fails here, in ``make test``, before anyone trains. When the file is not on
this machine (a fresh clone: data/raw is git-ignored), the tests skip and say how to get it.
"""

from pathlib import Path

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.data import sample_at
from {{ cookiecutter.package_name }}.pipeline.config import TrainConfig, load_config
from {{ cookiecutter.package_name }}.pipeline.load import PROVIDE_HINT
from {{ cookiecutter.package_name }}.pipeline.train import build_pipeline
from {{ cookiecutter.package_name }}.pipeline.validate import validate_dataset

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TRAINING_CONFIG = PROJECT_ROOT / "configs" / "train.yaml"


def how_to_provide(path: Path) -> str:
    """Why the tests skip: the file is absent, and how to provide it."""
    sample = sample_at(path)
    if sample is not None:
        return f"{path} is not there yet: `make data` writes the bundled {sample} sample"
    return f"{path} is not on this machine: {PROVIDE_HINT} (see the README on data)"


@pytest.fixture(name="config", scope="module")
def fixture_config() -> TrainConfig:
    """The project's training config, which must load whatever data it names."""
    return load_config(TRAINING_CONFIG)


@pytest.fixture(name="frame", scope="module")
def fixture_frame(config) -> pd.DataFrame:
    """The configured data file, read as the pipeline reads it; a skip when it is absent."""
    path = config.data.path
    located = path if path.is_absolute() else PROJECT_ROOT / path
    if not located.is_file():
        pytest.skip(how_to_provide(path))
    return pd.read_csv(located)


def test_the_file_has_the_configured_columns(config, frame):
    """The target and every declared feature are columns of the file."""
    wanted = [config.data.target, *(config.data.features or {})]
    absent = [name for name in wanted if name not in frame.columns]
    assert not absent, f"{config.data.path} lacks {', '.join(absent)}: fix it or the config"


def test_the_data_passes_validation_and_trains_the_configured_estimator(config, frame):
    """The file can train the configured model: validation passes (every problem would be
    listed), and the estimator fits the task of the data. What was inferred is printed
    (``pytest -s``), to pin in the config."""
    schema, notes = validate_dataset(frame, config, source=config.data.path.as_posix())
    for note in notes:
        print(note)
    if config.data.features is not None:
        assert schema.names == tuple(config.data.features)
    build_pipeline(config, schema)
