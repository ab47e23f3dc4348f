"""Load step: make sure the configured CSV file is there, and read it.

Reading is all it does; judging whether the rows can train a model is the next step's job
(:mod:`.validate`), so that every problem of a file is reported at once. A config that points at
one of the bundled samples gets it written on demand; any other file is the user's own data,
which this project never invents: a missing one is an error that says how to provide it.
"""

from pathlib import Path

import pandas as pd

from ..data import load_dataset, sample_at, write_dataset
from .errors import DataValidationError

# How a missing data file of the user's own reaches a machine, CI included.
PROVIDE_HINT = (
    "commit it (`git add -f` it: data/raw is git-ignored), "
    "track it with DVC (`dvc add`, `dvc push`) so `dvc pull` fetches it, "
    "or fetch it in a step of the training workflow before `make train`; "
    "or check data.path in the training config"
)


def missing_data(path: Path) -> FileNotFoundError:
    """The error for a data file of the user's own that is not there: how to provide it."""
    return FileNotFoundError(f"{path} does not exist: {PROVIDE_HINT}.")


def provide_data(path: Path) -> str:
    """Write the bundled sample ``path`` names, or check the user's own file is there.

    Returns what was done, for the command line; raises :func:`missing_data` otherwise.
    """
    path = Path(path)
    sample = sample_at(path)
    if sample is not None:
        frame = load_dataset(sample)
        write_dataset(frame, path)
        return f"Wrote the bundled {sample} sample ({len(frame)} rows) to {path}"
    if not path.is_file():
        raise missing_data(path)
    return f"{path} is your own data ({path.stat().st_size} bytes): nothing to write"


def load_csv(path: Path) -> pd.DataFrame:
    """Read ``path`` as CSV with a header row; a bundled sample is written first if missing.

    A missing file of the user's own is an ``OSError`` whose message says how to provide it; a
    file pandas cannot parse is a :class:`DataValidationError`, since editing the data fixes it.
    """
    path = Path(path)
    if not path.is_file():
        if sample_at(path) is None:
            raise missing_data(path)
        provide_data(path)
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DataValidationError(f"{path} is not a readable CSV file: {error}") from error
