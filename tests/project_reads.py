"""Which of a generated project's tests read the user's data: the config and the data files.

A user's first act is to point configs/train.yaml at their own CSV file under data/. The tests
of tests/test_own_data_projects.py then run the project's own tests that read those files
(DATA_TESTS): every other test builds its own data in its own folder (the generated
tests/shared_fixtures.py says so), so its result is the one the level pipeline's `make test`
already had on the bundled data, and running it again would prove nothing new.

That claim is checked, not assumed: the level pipelines run `make test` with READ_AUDIT's audit
hook (audit_site/sitecustomize.py) in every Python process, and compare the tests that read the
user's files with DATA_TESTS (``data_readers``).
"""

import json
from pathlib import Path

READ_AUDIT = Path(__file__).with_name("audit_site")
# The files a user changes to bring their own data, which the audit watches: the training
# config and the data folder (everything in it).
USER_CONFIG = "configs/train.yaml"
USER_DATA = "data"
# The project's tests that read USER_CONFIG or USER_DATA, at the levels that have them.
DATA_TESTS = ("tests/pipeline/test_config.py", "tests/pipeline/test_data_contract.py")


def audit_env(project, log):
    """The environment that makes every Python process of a command in ``project`` log its
    reads of USER_CONFIG and USER_DATA to ``log`` (a file outside the project)."""
    return {
        "PYTHONPATH": str(READ_AUDIT),
        "FILE_READS_LOG": str(log),
        "FILE_READS_ROOT": str(project),
        "FILE_READS_WATCH": ":".join((USER_CONFIG, USER_DATA)),
    }


def data_readers(log):
    """The tests (their files; None for reads outside any test) that read the user's files, by
    the audit ``log``; an empty set when nothing read them (no log written)."""
    if not Path(log).exists():
        return set()
    reads = [json.loads(line) for line in Path(log).read_text(encoding="utf-8").splitlines()]
    return {read["test"] for read in reads}


def data_tests(project):
    """The DATA_TESTS that ``project`` has."""
    return [test for test in DATA_TESTS if Path(project, test).is_file()]
