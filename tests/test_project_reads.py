"""The read audit of tests/project_reads.py names every test that reads the user's files.

The own-data tests run only the project's tests it names (project_reads.DATA_TESTS, checked
against it in the level pipelines), so a read it misses would leave a test unrun on the user's
data. Here a small project's files are read the ways a test can: in the test's own code, in a
command the test started, and outside any test.
"""

import subprocess
import sys

import project_reads

READER = """
from pathlib import Path


def read_config():
    return Path("configs", "train.yaml").read_text(encoding="utf-8")
"""


def run_python(folder, code):
    """Run ``code`` in a new Python process in ``folder``, in this process's environment."""
    subprocess.run([sys.executable, "-c", code], cwd=folder, check=True)


def test_reads_are_named_by_the_reading_test_and_others_are_left_out(tmp_path, monkeypatch):
    """A test module's read, a started command's read (by PYTEST_CURRENT_TEST, also by a path
    with `..` in it) and a read outside any test (None) are logged; reads of other configs and
    other folders are not."""
    project = tmp_path / "project"
    for name in ("configs/train.yaml", "configs/serve.yaml", "data/raw/own.csv", "src/a.py"):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text("x: 1\n", encoding="utf-8")
    (project / "tests").mkdir()
    (project / "tests" / "test_reader.py").write_text(READER, encoding="utf-8")
    log = tmp_path / "reads.jsonl"
    for name, value in project_reads.audit_env(project, log).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    run_python(project, "import runpy; runpy.run_path('tests/test_reader.py')['read_config']()")
    run_python(project, "open('configs/serve.yaml').read(); open('src/a.py').read()")
    run_python(project, "open('configs/train.yaml').read()")
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "tests/test_command.py::test_runs (call)")
    run_python(project, "import os; os.listdir('data/raw'); open('data/raw/own.csv').read()")
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "tests/test_relative.py::test_runs (call)")
    run_python(project / "src", "open('../data/raw/own.csv').read()")
    readers = project_reads.data_readers(log)
    expected = {"tests/test_reader.py", "tests/test_command.py", "tests/test_relative.py", None}
    assert readers == expected, readers


def test_no_log_means_no_reader(tmp_path):
    """A `make test` whose tests read nothing watched writes no log: no readers, no error."""
    assert not project_reads.data_readers(tmp_path / "absent.jsonl")
