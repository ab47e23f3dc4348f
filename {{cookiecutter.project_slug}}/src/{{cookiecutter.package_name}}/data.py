"""The sample datasets bundled with scikit-learn, and a raw copy of them on disk.

The samples ship inside scikit-learn, so loading them needs no network and gives the same rows
on every machine: a stable base for experiments that must be repeatable, and for trying the
project before pointing it at your own data. ``wine`` (178 wines, 13 measurements, 3 cultivars)
is a classification problem; ``diabetes`` (442 patients, 10 measurements, a disease-progression
score) is a regression problem. Writing a sample to ``data/raw`` gives notebooks and the
pipeline one file to read, as they would with data exported from any other source.
"""

from collections.abc import Callable
from pathlib import Path

import pandas as pd
from sklearn.datasets import load_diabetes, load_wine

TARGET_COLUMN = "target"
RAW_DATA_DIR = Path("data") / "raw"
# Sample name -> the loader that returns it as one frame, its target in TARGET_COLUMN.
SAMPLES: dict[str, Callable[[], pd.DataFrame]] = {
    "wine": lambda: load_wine(as_frame=True).frame,
    "diabetes": lambda: load_diabetes(as_frame=True, scaled=False).frame,
}
DEFAULT_SAMPLE = "wine"
RAW_DATA_PATH = RAW_DATA_DIR / f"{DEFAULT_SAMPLE}.csv"


def sample_path(name: str) -> Path:
    """Where a sample is written: ``data/raw/<name>.csv``."""
    return RAW_DATA_DIR / f"{name}.csv"


def sample_at(path: Path | str) -> str | None:
    """The name of the sample that belongs at ``path``, or None for any other file."""
    return next((name for name in SAMPLES if sample_path(name) == Path(path)), None)


def load_dataset(name: str = DEFAULT_SAMPLE) -> pd.DataFrame:
    """A bundled sample as one frame: the measurements, then the ``target`` column.

    One frame rather than separate features and labels, because that is what a CSV file holds
    and what a notebook explores; callers split it when they train.
    """
    return SAMPLES[name]()


def write_dataset(frame: pd.DataFrame, path: Path = RAW_DATA_PATH) -> Path:
    """Write ``frame`` to ``path`` as CSV without the index, creating missing folders.

    The index is a row counter with no meaning, so leaving it out keeps the file identical to
    what :func:`read_dataset` expects. Returns the path written, for messages and chaining.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def read_dataset(path: Path = RAW_DATA_PATH) -> pd.DataFrame:
    """Read a dataset written by :func:`write_dataset`.

    Fails early, with a message that says what to do, when the file is missing or has no target
    column: both would otherwise surface later as a confusing error in the middle of training.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist: run `make data` (or `python -m {__package__} data`) "
            "to create it."
        )
    frame = pd.read_csv(path)
    if TARGET_COLUMN not in frame.columns:
        raise ValueError(f"{path} has no {TARGET_COLUMN!r} column, so it cannot be used to train.")
    return frame
