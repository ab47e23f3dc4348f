"""Shared fixtures: the parsed manifest, a content-check cache, installed projects.

Bakes go through pytest-cookies' ``cookies`` fixture (``cookies_session`` where a bake is
shared); its ``Result.context`` is the rendered context, ``__`` keys included. Two bakers
cannot use it and call template_model.bake instead: the installed projects, which every xdist
worker of a run shares in one folder the plugin's per-worker temp dirs cannot be, and the
benchmark, which runs outside pytest.
"""

import os
import tempfile

import binary_cache
import hooks_in_process
import installed_projects
import jinja_cache
import manifest
import memory_temp
import pytest
import template_model
from cookiecutter import hooks
from copier_model import snapshot_template


def pytest_configure(config):  # pylint: disable=redefined-outer-name  # pytest's hook name
    """The template under test is this repository, wherever pytest is started from
    (pytest-cookies' ``--template`` defaults to the current directory). The run's temporary
    files go to memory where there is room (see memory_temp)."""
    config.option.template = str(manifest.ROOT)
    memory_temp.use_memory(config)


def pytest_collection_modifyitems(items):
    """Slow tests first, in their files' order: with ``--dist loadgroup`` (make test) the
    workers take them as they come free, so the long ones start at once on every worker and
    the quick ones fill the gaps, instead of one long test running alone at the end while the
    other idles."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def run_folder(tmp_path_factory):
    """A folder every process of this run shares: under pytest-xdist each worker has its own
    base temp folder, and their parent is this run's."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(autouse=True, scope="session")
def _reuse_what_every_bake_repeats():
    """Every bake of a test process reuses the Jinja code compiled before (see jinja_cache),
    binaryornot's verdicts on the template's files (see binary_cache) and the test process's
    interpreter for the hooks (see hooks_in_process)."""
    with pytest.MonkeyPatch.context() as patch:
        jinja_cache.install(patch)
        binary_cache.install(patch)
        hooks_in_process.install(patch)
        yield


@pytest.fixture(autouse=True, scope="session")
def _delete_rendered_hooks():
    """cookiecutter writes each hook, rendered, to a temporary file that it never deletes
    (cookiecutter/cookiecutter#886): two files per bake, thousands a run. Each hook's file is
    written in a folder of its own here, deleted once the hook has run."""
    run_rendered = hooks.run_script_with_context

    def run_then_delete(script_path, cwd, context):
        with tempfile.TemporaryDirectory(prefix="cookiecutter-hook-") as folder:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(tempfile, "tempdir", folder)
                run_rendered(script_path, cwd, context)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hooks, "run_script_with_context", run_then_delete)
        yield


@pytest.fixture(scope="session")
def config():
    """cookiecutter.json, parsed once per test process."""
    return manifest.load_config()


@pytest.fixture(scope="session")
def checker(tmp_path_factory):
    """One content-check cache for the whole run: identical files are checked once, by
    whichever worker meets them first."""
    shared = run_folder(tmp_path_factory) / "content-checks"
    shared.mkdir(exist_ok=True)
    return template_model.ProjectChecker(shared)


@pytest.fixture(name="cookiecutter_config", scope="session")
def fixture_cookiecutter_config(tmp_path_factory):
    """A user config that keeps cookiecutter's replay files inside the test's temp dir, for
    the bakers that cannot use pytest-cookies (see the module) and cruft's command line."""
    return template_model.write_user_config(tmp_path_factory.mktemp("cookiecutter-user"))


@pytest.fixture(name="leftovers")
def fixture_leftovers(tmp_path):
    """What bakes through ``cookies`` left behind: pytest-cookies makes one folder per bake
    under ``<tmp_path>/cookies``, and anything inside one is a leftover of a refused bake."""
    return lambda: sorted(
        path.relative_to(tmp_path).as_posix() for path in tmp_path.glob("cookies/*/*")
    )


@pytest.fixture(name="template_repo")
def fixture_template_repo(tmp_path):
    """A git repository of the template's working tree, tagged v1, for the update tests.

    A fresh one per test, since tests add tags and commits to it.
    """
    return snapshot_template(tmp_path / "template")


@pytest.fixture(name="installed", scope="session")
def fixture_installed(tmp_path_factory, cookiecutter_config):
    """Installed projects of each level, shared by the workers of this run (see the module).

    Each project keeps its own mypy cache. A cache shared between projects whose mypy runs
    overlap crashes mypy (it read a module's data another run was rewriting, python/mypy#14521):
    CI failed that way once.

    When the worker's tests are done, no test may have changed the packages of a level's
    virtualenv, which the others run on (see InstalledProjects.changed_virtualenvs).
    """
    version, interpreter = installed_projects.python_choice()
    root = run_folder(tmp_path_factory) / "installed-projects"
    root.mkdir(exist_ok=True)
    installed = installed_projects.InstalledProjects(
        root, cookiecutter_config, version, interpreter
    )
    yield installed
    changed = installed.changed_virtualenvs()
    assert not changed, f"a test installed into the shared virtualenvs of {changed}"
