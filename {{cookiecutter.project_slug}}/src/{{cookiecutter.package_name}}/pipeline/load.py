"""Load step: read the CSV file the config names.

Reading is all it does; judging whether the rows can train a model is the next step's job
(:mod:`.validate`), so that every problem of a file is reported at once.
"""

from pathlib import Path

import pandas as pd

from ..data import RAW_DATA_PATH
from .errors import DataValidationError


def load_csv(path: Path) -> pd.DataFrame:
    """Read ``path`` as CSV with a header row.

    A missing file is an ``OSError`` whose message says how to create or configure it; a file
    pandas cannot parse is a :class:`DataValidationError`, since editing the data fixes it.
    """
    path = Path(path)
    if not path.is_file():
        hint = (
            "run `make data` to write the bundled wine dataset"
            if path == RAW_DATA_PATH
            else "check data.path in the training config"
        )
        raise FileNotFoundError(f"{path} does not exist: {hint}.")
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DataValidationError(f"{path} is not a readable CSV file: {error}") from error
