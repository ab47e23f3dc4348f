"""Generated projects really work: each level's own make targets pass in a real virtualenv.

These are the slow tests (about a minute per level): they bake a project, create its .venv
with its own ``make install`` (uv, sharing uv's cache so installs take seconds), then run the
pipeline the project's README promises at that level. The pipeline is derived from the
level's preset: every level installs, writes the data and executes its notebooks; the make
targets a component adds (its ``pipeline`` in the manifest, which the demo runs too) run when
that component is on. The installed projects are shared with the other slow tests
(tests/installed_projects.py).
"""

import hashlib
import re

import pytest
import manifest
import template_model
from installed_projects import python_sources, run

pytestmark = pytest.mark.slow

CONFIG = manifest.load_config()
# Levels whose preset turns on something the level below does not: running an identical
# preset again would prove nothing. New components at a level add that level automatically.
RUN_LEVELS = manifest.distinct_presets(CONFIG)
PYLINT_PERFECT = "Your code has been rated at 10.00/10"


def pipeline(level):
    """The make targets a level's project must pass after ``install``: ``data``, then those
    the components on at the level add."""
    return ["data", *manifest.level_pipeline(CONFIG, level)]


def execute_notebooks(project, output_dir):
    """Run every notebook top to bottom with the project's own Jupyter."""
    notebooks = sorted((project / "notebooks").glob("*.ipynb"))
    assert notebooks, "the project ships no notebook"
    for notebook in notebooks:
        run(
            [project / ".venv/bin/jupyter", "nbconvert", "--to", "notebook", "--execute"]
            + [notebook, "--output-dir", output_dir],
            project,
        )


@pytest.mark.parametrize("level", RUN_LEVELS)
def test_level_pipeline_passes(level, installed, tmp_path):
    """install, data, notebooks and the level's targets pass; pylint is perfect; git is clean.

    A clean ``git status`` at the end proves two things: pre-commit changed no file, and
    every artefact the pipeline wrote (.venv, data, caches) is ignored by .gitignore.
    """
    project = installed.get(level)
    outputs = {target: run(["make", target], project) for target in pipeline(level)}
    if "lint" in outputs:
        assert PYLINT_PERFECT in outputs["lint"], outputs["lint"]
    execute_notebooks(project, tmp_path)
    status = run(["git", "status", "--porcelain", "--untracked-files=all"], project)
    assert status == "", f"files changed or left untracked:\n{status}"


def distinct_python_bakes(cookies, python_version):
    """One bake per distinct set of .py contents across every valid combination."""
    levels = manifest.levels(CONFIG)
    distinct = {}
    for index, combination in enumerate(manifest.valid_combinations(CONFIG)):
        level = levels[index % len(levels)]
        metadata = {"python_version": python_version}
        context = template_model.combination_context(CONFIG, combination, level, metadata)
        result = cookies.bake(extra_context=context)
        assert result.exception is None, (combination, result.exception)
        sources = python_sources(result.project_path)
        digest = hashlib.sha256(repr(sorted(sources.items())).encode()).hexdigest()
        distinct.setdefault(digest, result.project_path)
    return list(distinct.values())


# Where a .py set's files are a subset of a set linted in full, only these checks can differ
# (a module the smaller set imports but lacks), so only they run on it.
IMPORT_CHECKS = ("--disable=all", "--enable=import-error,no-name-in-module,cyclic-import")


def linted_in_level_pipelines(installed):
    """The .py sets that test_level_pipeline_passes lints in full (``make lint``)."""
    return [
        python_sources(installed.get(level)) for level in RUN_LEVELS if "lint" in pipeline(level)
    ]


def pylint_options(sources, linted):
    """How much of pylint a .py set needs: None when a level pipeline lints exactly it, the
    import checks when it is part of such a set, else everything (no options)."""
    if sources in linted:
        return None
    if any(sources.items() <= whole.items() for whole in linted):
        return IMPORT_CHECKS
    return ()


def test_pylint_is_perfect_for_every_distinct_python_set(installed, cookies):
    """Components change the Python files; every combination's set must lint at 10.00/10.

    The combinations share a handful of distinct .py sets, so each is linted once, with the
    pylint and the dependencies of the richest level's virtualenv. A set the level pipelines
    lint in full is not linted again; a set whose files all appear, unchanged, in such a set
    (the same code without tests, say) gets the only checks whose result can differ.
    """
    venv_project = installed.get(max(RUN_LEVELS, key=int))
    linted = linted_in_level_pipelines(installed)
    bakes = distinct_python_bakes(cookies, installed.version)
    assert bakes
    for bake_dir in bakes:
        sources = python_sources(bake_dir)
        options = pylint_options(sources, linted)
        if options is None:
            continue
        output = run([venv_project / ".venv/bin/pylint", *options, *sorted(sources)], bake_dir)
        rating = re.search(r"rated at [\d.]+/10", output)
        assert PYLINT_PERFECT in output, (bake_dir.name, options, rating, output[-3000:])
