"""The run's temporary files in memory (tests/memory_temp.py): where they go, and when not."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import memory_temp
import pytest


def pytest_config(basetemp=None, **extra):
    """The part of pytest's Config that use_memory reads and writes; ``cleanups`` holds what
    it asks to run at the end, for the test to run as pytest would."""
    cleanups = []
    option = SimpleNamespace(basetemp=basetemp)
    return SimpleNamespace(option=option, cleanups=cleanups, add_cleanup=cleanups.append, **extra)


@pytest.fixture(name="restored_temp")
def fixture_restored_temp(monkeypatch):
    """TMPDIR and tempfile's folder as they were before the test, whatever it sets."""
    monkeypatch.setenv("TMPDIR", os.environ.get("TMPDIR", tempfile.gettempdir()))
    monkeypatch.setattr(tempfile, "tempdir", tempfile.tempdir)


@pytest.mark.usefixtures("restored_temp")
def test_a_run_puts_its_files_in_a_folder_in_memory_deleted_at_the_end(tmp_path):
    """pytest's base folder and TMPDIR go under one new folder, which others can reach (as
    /tmp), and the run's cleanup deletes it."""
    config = pytest_config()
    folder = memory_temp.use_memory(config, memory=tmp_path)
    assert folder.parent == tmp_path and folder.name.startswith(f"template-tests-{os.getpid()}-")
    assert Path(config.option.basetemp).parent == folder
    assert os.environ["TMPDIR"] == str(folder / "tmp") == tempfile.gettempdir()
    assert (folder.stat().st_mode & 0o777, (folder / "tmp").stat().st_mode & 0o7777) == (
        0o755,
        0o1777,
    )
    for cleanup in config.cleanups:
        cleanup()
    assert not folder.exists()


@pytest.mark.parametrize(
    "config",
    [pytest_config(basetemp="/chosen"), pytest_config(workerinput={})],
    ids=["basetemp-given", "xdist-worker"],
)
def test_a_chosen_folder_or_a_worker_keeps_pytests_choice(config, tmp_path):
    """--basetemp wins, and a worker inherits the controller's folders."""
    basetemp = config.option.basetemp
    assert memory_temp.use_memory(config, memory=tmp_path) is None
    assert config.option.basetemp == basetemp and not list(tmp_path.iterdir())


def test_without_the_room_the_files_stay_where_pytest_puts_them(tmp_path, monkeypatch):
    """No tmpfs, or one too small for a run: pytest's default folders."""
    assert not memory_temp.has_room(tmp_path / "missing")
    assert memory_temp.has_room(tmp_path, needed=1)
    monkeypatch.setattr(memory_temp, "has_room", lambda folder: False)
    config = pytest_config()
    assert memory_temp.use_memory(config, memory=tmp_path) is None
    assert config.option.basetemp is None


def test_the_folder_of_a_killed_run_is_deleted_and_a_running_ones_kept(tmp_path):
    """A folder whose process is gone is deleted by the next run; this run's stays."""
    with subprocess.Popen([sys.executable, "-c", "pass"]) as ended:
        dead_pid = ended.pid
    abandoned = tmp_path / f"template-tests-{dead_pid}-abc"
    running = tmp_path / f"template-tests-{os.getpid()}-def"
    other = tmp_path / "not-ours-1"
    for folder in (abandoned, running, other):
        (folder / "pytest").mkdir(parents=True)
    memory_temp.delete_abandoned(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([running.name, other.name])
