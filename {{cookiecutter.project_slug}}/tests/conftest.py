"""Fixtures shared by the tests.

The dataset is loaded once per test session: every test reads it and none may change it, so
loading it again per test would only slow the suite down.
"""

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.data import load_dataset


@pytest.fixture(scope="session")
def wine() -> pd.DataFrame:
    """The bundled wine dataset; copy it before modifying it."""
    return load_dataset()
