"""Lint several generated projects in one Python process: run with a project's interpreter.

    <venv>/bin/python tests/pylint_sets.py < jobs.json > results.json

Each job is {"directory": ..., "options": [...], "files": [...]}: pylint runs in the project's
folder (so its pyproject.toml configures it) on its files, as ``pylint <options> <files>``
would there. The result per job is {"directory", "rating", "output"}.

Most of a pylint run on a generated project is astroid inferring the third-party libraries it
imports (pandas, scikit-learn, MLflow, FastAPI). One process keeps that inference across
projects, which makes every project after the first about three times cheaper than its own
pylint process. What must not carry over is the projects' own modules, which share names
across bakes: after each job, everything astroid learnt about files in that project's folder
(parsed modules, module locations) and every failed lookup is forgotten, so the next project
resolves its imports afresh (tests/test_generated_projects.py proves a stale module is not
reused).
"""

import contextlib
import io
import json
import os
import sys
from pathlib import Path

import astroid
from astroid import modutils
from astroid.interpreter._import import spec, util
from pylint.lint import Run

# astroid's memoized file-system lookups (which file a module name is, whether a folder is a
# package): the list AstroidManager.clear_cache empties, less the inference caches, which are
# keyed by syntax-tree nodes and so are never hit by another project's new nodes.
# pylint: disable=protected-access  # astroid offers no public way to forget only these
FILE_LOOKUPS = (
    modutils._cache_normalize_path_,
    modutils._has_init,
    modutils.cached_os_path_isfile,
    util.is_namespace,
    spec._find_spec,
    spec._is_setuptools_namespace,
    *(finder.find_module for finder in spec._SPEC_FINDERS),
)
# pylint: enable=protected-access


def is_inside(location, directory):
    """Whether a file path lies in ``directory``."""
    return bool(location) and Path(location).resolve().is_relative_to(directory)


def forget(directory):
    """Drop what astroid cached about the modules of ``directory``, every file lookup and the
    modules the project told pylint to ignore; the parsed third-party modules stay, which is
    the point.

    pylint adds a project's ``ignored-modules`` to astroid's denylist, which it never empties:
    left there, a later project that does not ignore them could not import them.
    """
    manager = astroid.MANAGER
    for name, module in list(manager.astroid_cache.items()):
        if is_inside(getattr(module, "file", None), directory):
            del manager.astroid_cache[name]
    manager._mod_file_cache.clear()  # pylint: disable=protected-access
    manager.module_denylist.clear()
    for lookup in FILE_LOOKUPS:
        lookup.cache_clear()


def lint(job):
    """Run pylint on one job's files in its folder; its rating and printed report."""
    directory = Path(job["directory"]).resolve()
    os.chdir(directory)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = Run([*job["options"], *job["files"]], exit=False)
    forget(directory)
    return {
        "directory": str(directory),
        "rating": result.linter.stats.global_note,
        "output": printed.getvalue(),
    }


def main():
    """Read the jobs, lint each in turn, print the results as one JSON document."""
    jobs = json.load(sys.stdin)
    print(json.dumps([lint(job) for job in jobs]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
