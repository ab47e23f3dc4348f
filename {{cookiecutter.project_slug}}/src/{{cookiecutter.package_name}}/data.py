"""Load the wine dataset and keep a raw copy of it on disk.

The dataset ships inside scikit-learn, so loading it needs no network and gives the same rows on
every machine: a stable base for experiments that must be repeatable. Writing it to
``data/raw`` gives notebooks and later pipeline steps one file to read, as they would with data
exported from any other source.
"""

from pathlib import Path

import pandas as pd
from sklearn.datasets import load_wine

TARGET_COLUMN = "target"
RAW_DATA_PATH = Path("data") / "raw" / "wine.csv"


def load_dataset() -> pd.DataFrame:
    """Return the 178 wines as one frame: 13 numeric measurements and the ``target`` cultivar.

    One frame rather than separate features and labels, because that is what a CSV file holds
    and what a notebook explores; callers split it when they train.
    """
    return load_wine(as_frame=True).frame


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
