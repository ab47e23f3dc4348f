"""Generated projects with their virtualenvs installed, shared by every slow test of a run.

Installing a level's virtualenv (``make install``) is the most expensive step of the slow
tests, so each level's is built once per test run: the pytest-xdist workers share one root
folder, and a file lock makes a worker that needs a level another worker is building wait for
it, then reuse it. A *variant* (the same level with other answers, DVC on, say) is baked
afresh but runs on the level's virtualenv, since its Python code is the same.
"""

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import manifest
from project_env import project_env
import template_model

CONFIG = manifest.load_config()
GIT = ("git", "-c", "user.name=Template Tests", "-c", "user.email=tests@example.invalid")
INSTALLED_MARKER = "installed-project.txt"
# What a level's virtualenv held right after its install (uv pip freeze), beside the marker.
PACKAGES_RECORD = "installed-packages.txt"
# The .py files of a level's bake, recorded before its install: the variants are compared with
# them without walking the level's .venv, or its folders that a pipeline rewrites meanwhile.
SOURCES_RECORD = "python-sources.json"
# The environment that makes a variant's own package shadow the editable install of its level.
OWN_CODE = {"PYTHONPATH": "src"}
# The suite's workers keep the cores busy, so a project's pylint and pytest spreading their
# work over more processes only repeat the start-up each process pays (inferring or importing
# the libraries: about 12 CPU-seconds per level-4 `make lint test`). The projects' commands run
# with JOBS=1, unless a test asks for the project's own default (PROJECT_JOBS) to test that path.
ONE_PROCESS = {"JOBS": "1"}
PROJECT_JOBS = {"JOBS": None}


def subprocess_env(extra=None):
    """The environment of the projects' commands (see scripts/project_env.py): ONE_PROCESS, then
    ``extra`` (a variable set to None there is left out)."""
    wanted = {**ONE_PROCESS, **(extra or {})}
    return project_env(**{name: value for name, value in wanted.items() if value is not None})


def completed_run(command, cwd, env=None, timeout=900, stdin=None):
    """Run a command in a project (``stdin``: text to feed it); its CompletedProcess, whatever
    its status."""
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=subprocess_env(env),
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def run_command(command, cwd, env=None, timeout=900, stdin=None):
    """Run a command in a project; fail the test with its output when it fails."""
    completed = completed_run(command, cwd, env, timeout, stdin)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"{' '.join(map(str, command))} failed:\n{output[-6000:]}"
    return completed


def run(command, cwd, env=None, timeout=900):
    """Run a command in a project; return its stdout and stderr together."""
    completed = run_command(command, cwd, env, timeout)
    return completed.stdout + completed.stderr


def run_json(command, cwd, env=None):
    """Run a command that prints one JSON document last on stdout, and parse that."""
    lines = run_command(command, cwd, env).stdout.strip().splitlines()
    return json.loads(lines[-1])


def find_interpreter(version):
    """An installed interpreter for ``version`` (uv cannot download one here), or None."""
    completed = subprocess.run(
        [template_model.tool("uv"), "python", "find", version],
        capture_output=True,
        text=True,
        check=False,
        env=subprocess_env(),
    )
    if completed.returncode == 0:
        return completed.stdout.strip()
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = sorted(pyenv_root.glob(f"versions/{version}.*/bin/python{version}"))
    return str(candidates[-1]) if candidates else None


def python_choice():
    """The default python_version if an interpreter exists for it, else the first that does."""
    for version in manifest.python_versions(CONFIG):
        interpreter = find_interpreter(version)
        if interpreter:
            return version, interpreter
    pytest.skip(f"no interpreter for any of {manifest.python_versions(CONFIG)}")
    return None


def package_of(project):
    """The generated package's name: the folder of src/ with a __main__.py (src/ also holds
    the .egg-info folder of an editable install, listed first or not by the file system)."""
    return next(Path(project, "src").glob("*/__main__.py")).parent.name


def installed_packages(venv):
    """What ``venv`` holds: ``uv pip freeze``'s lines, one package each."""
    python = Path(venv, "bin", "python")
    return run_command(
        [template_model.tool("uv"), "pip", "freeze", "--python", python], venv
    ).stdout


def python_sources(project_dir):
    """Relative path -> content of every .py file of a bake."""
    return {
        path.relative_to(project_dir).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(Path(project_dir).rglob("*.py"))
        if ".venv" not in path.relative_to(project_dir).parts
    }


@contextlib.contextmanager
def exclusive_lock(path):
    """Hold an exclusive lock on ``path`` (created if missing) for the ``with`` block."""
    with open(path, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def commit_everything(project):
    """git init and a first commit, as a user does right after generating."""
    run([*GIT, "init", "-q"], project)
    run([*GIT, "add", "-A"], project)
    run([*GIT, "commit", "-q", "-m", "Generated by the template"], project)


def link_venv(project, venv):
    """Make ``venv`` the project's .venv, for what calls .venv/bin/... (the pre-commit hooks).

    .gitignore's ``.venv/`` matches a folder, not a link: the link is ignored in .git/info.
    """
    os.symlink(venv, Path(project, ".venv"))
    with Path(project, ".git", "info", "exclude").open("a", encoding="utf-8") as exclude:
        exclude.write(".venv\n")


@dataclass
class InstalledProjects:
    """Baked, committed and installed projects, one per level preset, built on first use."""

    root: Path
    config_file: Path
    version: str
    interpreter: str

    def bake(self, output, level, answers=None):
        """Bake a committed project of ``level`` with extra ``answers`` into ``output``."""
        output.mkdir(parents=True)
        context = {"maturity_level": level, "python_version": self.version, **(answers or {})}
        result = template_model.bake(output, context, self.config_file)
        assert result.exception is None, repr(result.exception)
        commit_everything(result.project_path)
        return result.project_path

    def install(self, project):
        """``make install`` in ``project``: its own .venv, with the run's interpreter."""
        run(["make", "install", f"PYTHON={self.interpreter}"], project)

    def get(self, level):
        """The project of a level preset, with its .venv installed by its own ``make install``.

        A folder without the marker is what a failed build left: it is built again.
        """
        output = self.root / f"level{level}"
        marker = output / INSTALLED_MARKER
        with exclusive_lock(self.root / f"level{level}.lock"):
            if not marker.exists():
                shutil.rmtree(output, ignore_errors=True)
                project = self.bake(output, level)
                sources = json.dumps(python_sources(project))
                (output / SOURCES_RECORD).write_text(sources, encoding="utf-8")
                self.install(project)
                packages = installed_packages(project / ".venv")
                (output / PACKAGES_RECORD).write_text(packages, encoding="utf-8")
                marker.write_text(project.name, encoding="utf-8")
        return output / marker.read_text(encoding="utf-8")

    def changed_virtualenvs(self):
        """The levels whose virtualenv no longer holds what its install put there.

        The tests on a level share its virtualenv: one that installs into it changes the
        packages under the others. CI failed that way once: a variant's requirements moved
        python-dateutil to another version, and a test importing pandas at that moment found
        none.
        """
        return [
            marker.parent.name
            for marker in sorted(self.root.glob(f"level*/{INSTALLED_MARKER}"))
            if installed_packages(marker.parent / marker.read_text(encoding="utf-8") / ".venv")
            != (marker.parent / PACKAGES_RECORD).read_text(encoding="utf-8")
        ]

    def sources(self, level):
        """The .py files of a level preset's project (python_sources), as recorded at its bake."""
        recorded = self.get(level).parent / SOURCES_RECORD
        return json.loads(recorded.read_text(encoding="utf-8"))

    def venv(self, level):
        """The installed virtualenv of a level preset."""
        return self.get(level) / ".venv"

    def variant(self, output, level, answers, own_code=False):
        """A fresh, committed project of ``level`` with other answers, run on the level's .venv.

        Pass ``VENV=`` the level's virtualenv to its make targets. That virtualenv has the
        level's package installed in editable mode, so a variant must not change any Python
        file, which is checked here, unless ``own_code`` is set: its commands must then run
        with ``OWN_CODE`` in their environment, which puts the variant's src/ first.
        """
        project = self.bake(output, level, answers)
        if not own_code:
            same = python_sources(project) == self.sources(level)
            assert same, f"{answers} change the Python code of level {level}: set own_code"
        return project
