"""Where the tests' shared fixtures come from: shared_fixtures.py, loaded by every process that
runs tests.

Under pytest-xdist (``make test`` with JOBS above 1) the main process only hands the tests out
to its workers, and it loads this file before it starts them: importing the fixtures' libraries
there too would delay every worker by seconds of imports that process never uses.
"""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Load the shared fixtures, unless this is the process that only hands out the tests."""
    hands_out_tests = bool(config.getoption("numprocesses", None))
    if not hands_out_tests or hasattr(config, "workerinput"):
        config.pluginmanager.import_plugin("shared_fixtures")
