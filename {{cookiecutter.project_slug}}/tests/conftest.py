"""Where the tests' shared fixtures come from: shared_fixtures.py, loaded by every process that
runs tests.

Under pytest-xdist (``make test`` with JOBS above 1) the main process only hands the tests out
to its workers, and it loads this file before it starts them: importing the fixtures' libraries
there too would delay every worker by seconds of imports that process never uses.
"""

import pytest


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Load the shared fixtures, unless this process only hands out the tests.

    After the other session-start hooks: pytest-cov starts measuring a worker in one, and the
    package's modules, which the fixtures import, must load under it for their module-level
    lines to count as covered.
    """
    config = session.config
    workers = bool(config.getoption("numprocesses", None))
    if not workers or hasattr(config, "workerinput"):
        config.pluginmanager.import_plugin("shared_fixtures")
