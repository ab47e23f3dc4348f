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
import json
import re
from pathlib import Path

import pytest
import manifest
import project_reads
import template_model
from installed_projects import (
    OWN_CODE,
    PROJECT_JOBS,
    completed_run,
    python_sources,
    run,
    run_command,
)

pytestmark = pytest.mark.slow

CONFIG = manifest.load_config()
# Levels whose preset turns on something the level below does not: running an identical
# preset again would prove nothing. New components at a level add that level automatically.
RUN_LEVELS = manifest.distinct_presets(CONFIG)
RICHEST_LEVEL = max(RUN_LEVELS, key=int)
PYLINT_PERFECT = "Your code has been rated at 10.00/10"
# The pre-commit hooks that run the tools of `make lint` with its settings. They run at the first
# level with pre-commit; above it, the pipeline's `make lint` has just run the same tools on the
# same files, so only the other hooks run again.
LINT_HOOKS = ("black", "pylint", "mypy")
HOOKS_LEVEL = str(manifest.first_on_level(manifest.components(CONFIG)["pre_commit"]))
PYLINT_SETS = Path(__file__).with_name("pylint_sets.py")
# The folders the generated `make lint` runs pylint on (the Makefile's PYTHON_CODE: docs holds
# the documentation site's hook); a .py file elsewhere is linted by
# test_pylint_is_perfect_for_every_distinct_python_set.
MAKE_LINT_DIRS = ("src", "tests", "docs")
# The tests that share the distinct_bakes fixture: `make test` (--dist loadgroup) runs them on
# one worker, which bakes the distinct sets once.
DISTINCT_SETS = pytest.mark.xdist_group("distinct-python-sets")


def pipeline(level):
    """The make targets a level's project must pass after ``install``: ``data``, then those
    the components on at the level add."""
    return ["data", *manifest.level_pipeline(CONFIG, level)]


def hook_skips(project, level):
    """The environment that skips LINT_HOOKS above HOOKS_LEVEL, whose pipeline runs them with
    the same hook file (the template's, rendered verbatim, as checked here); else none."""
    if int(level) <= int(HOOKS_LEVEL) or "pre-commit" not in pipeline(level):
        return {}
    hooks = ".pre-commit-config.yaml"
    same = Path(project, hooks).read_bytes() == (template_model.TEMPLATE_DIR / hooks).read_bytes()
    assert same, f"{hooks} varies by level: run its {LINT_HOOKS} hooks at every level"
    return {"SKIP": ",".join(LINT_HOOKS)}


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

    ``make test`` runs under the read audit of tests/project_reads.py: the tests that read the
    user's config and data must be those the own-data tests run again on other data.

    The richest level runs with the project's own JOBS, so pylint's and pytest-xdist's worker
    processes are tested; the others with one process each (installed_projects.ONE_PROCESS).
    """
    project = installed.get(level)
    env = {**hook_skips(project, level), **(PROJECT_JOBS if level == RICHEST_LEVEL else {})}
    reads = tmp_path / "reads.jsonl"
    audit = {"test": project_reads.audit_env(project, reads)}
    outputs = {
        target: run(["make", target], project, env={**env, **audit.get(target, {})})
        for target in pipeline(level)
    }
    if "lint" in outputs:
        assert PYLINT_PERFECT in outputs["lint"], outputs["lint"]
    readers = project_reads.data_readers(reads)
    assert readers == set(project_reads.data_tests(project)), (
        f"the tests reading {project_reads.USER_CONFIG} or {project_reads.USER_DATA}/ are "
        f"{sorted(readers, key=str)}: update project_reads.DATA_TESTS, which the own-data tests run"
    )
    execute_notebooks(project, tmp_path)
    status = run(["git", "status", "--porcelain", "--untracked-files=all"], project)
    assert status == "", f"files changed or left untracked:\n{status}"


def python_template_answers():
    """The answers the template's .py files read (``cookiecutter.<name>``), or None when one
    reads them in a way a scan cannot follow (an index, an include), so all of them count."""
    names = set()
    for path in template_model.TEMPLATE_DIR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"cookiecutter\[|\{%-?\s*(include|import|from|extends)\b", text):
            return None
        names.update(re.findall(r"cookiecutter\.(\w+)", text))
    return sorted(names)


def python_set_key(context, read_answers):
    """What decides a bake's .py contents: which .py files it has, and the answers they read.
    Two combinations with equal keys render equal .py sets, so only one needs baking."""
    answers = template_model.render_context(context)
    files = sorted(
        str(p) for p in template_model.expected_files(CONFIG, answers) if p.suffix == ".py"
    )
    read = answers if read_answers is None else {name: answers[name] for name in read_answers}
    return repr((files, sorted(read.items())))


def baked_sources(cookies, context):
    """Bake ``context``: the project folder and its .py files (path -> text)."""
    result = cookies.bake(extra_context=context)
    assert result.exception is None, (context, result.exception)
    return result.project_path, python_sources(result.project_path)


def python_set_groups(python_version, keep):
    """The contexts of every valid combination that ``keep`` accepts, grouped by
    python_set_key: the combinations of a group render the same .py files."""
    levels = manifest.levels(CONFIG)
    read_answers = python_template_answers()
    groups = {}
    for index, combination in enumerate(manifest.valid_combinations(CONFIG)):
        if not keep(combination):
            continue
        metadata = {"python_version": python_version}
        level = levels[index % len(levels)]
        context = template_model.combination_context(CONFIG, combination, level, metadata)
        groups.setdefault(python_set_key(context, read_answers), []).append(context)
    return list(groups.values())


def distinct_python_bakes(cookies, python_version, keep=lambda combination: True):
    """One bake per distinct set of .py contents across every valid combination (that ``keep``
    accepts).

    Of each group of python_set_groups the first is baked; so is the last, which must give
    the same .py files (else the key misses something they read).
    """
    distinct = {}
    for contexts in python_set_groups(python_version, keep):
        project, sources = baked_sources(cookies, contexts[0])
        assert baked_sources(cookies, contexts[-1])[1] == sources, (contexts[0], contexts[-1])
        digest = hashlib.sha256(repr(sorted(sources.items())).encode()).hexdigest()
        distinct.setdefault(digest, project)
    return list(distinct.values())


# Where a .py set's files are a subset of a set linted in full, only these checks can differ
# (a module the smaller set imports but lacks), so only they run on it.
IMPORT_CHECKS = ("--disable=all", "--enable=import-error,no-name-in-module,cyclic-import")


def sources_under(sources, folders):
    """The files of a .py set under the given top-level folders."""
    return {path: text for path, text in sources.items() if path.split("/")[0] in folders}


def make_lint_part(sources):
    """The files of a .py set that the generated ``make lint`` lints (MAKE_LINT_DIRS)."""
    return sources_under(sources, MAKE_LINT_DIRS)


def linted_in_level_pipelines(installed):
    """The .py sets that test_level_pipeline_passes lints in full (``make lint``)."""
    return [
        make_lint_part(installed.sources(level))
        for level in RUN_LEVELS
        if "lint" in pipeline(level)
    ]


def pylint_options(sources, linted):
    """How much of pylint a .py set needs: None when a level pipeline lints exactly it, the
    import checks when it is part of such a set, else everything (no options)."""
    if sources in linted:
        return None
    if any(sources.items() <= whole.items() for whole in linted):
        return IMPORT_CHECKS
    return ()


def lint_jobs(bakes, linted):
    """The pylint runs the distinct .py sets need (see pylint_options), as pylint_sets jobs.

    A .py file outside the folders ``make lint`` checks (MAKE_LINT_DIRS) is linted in full,
    each distinct file once, since no level pipeline lints it.
    """
    jobs, others = [], {}
    for bake_dir in bakes:
        sources = python_sources(bake_dir)
        covered = make_lint_part(sources)
        options = pylint_options(covered, linted)
        if options is not None:
            jobs.append({"directory": str(bake_dir), "options": options, "files": sorted(covered)})
        for path in sorted(sources.keys() - covered.keys()):
            others.setdefault((path, sources[path]), bake_dir)
    for (path, _), bake_dir in others.items():
        jobs.append({"directory": str(bake_dir), "options": (), "files": [path]})
    return jobs


@pytest.fixture(name="distinct_bakes", scope="module")
def fixture_distinct_bakes(installed, cookies_session):
    """One bake per distinct .py set (distinct_python_bakes), for the pylint and mypy tests."""
    bakes = distinct_python_bakes(cookies_session, installed.version)
    assert bakes
    return bakes


@DISTINCT_SETS
def test_pylint_is_perfect_for_every_distinct_python_set(installed, distinct_bakes):
    """Components change the Python files; every combination's set must lint at 10.00/10.

    The combinations share a handful of distinct .py sets, so each is linted once, with the
    pylint and the dependencies of the richest level's virtualenv, all in one process
    (tests/pylint_sets.py). A set the level pipelines lint in full is not linted again; a
    set whose files all appear, unchanged, in such a set (the same code without tests, say)
    gets the only checks whose result can differ.
    """
    venv_project = installed.get(RICHEST_LEVEL)
    linted = linted_in_level_pipelines(installed)
    jobs = lint_jobs(distinct_bakes, linted)
    command = [venv_project / ".venv/bin/python", PYLINT_SETS]
    results = json.loads(run_command(command, venv_project, stdin=json.dumps(jobs)).stdout)
    assert [result["directory"] for result in results] == [job["directory"] for job in jobs]
    for job, result in zip(jobs, results):
        assert result["rating"] == 10, (job["options"], result["output"][-3000:])


@DISTINCT_SETS
def test_mypy_passes_for_every_distinct_python_set(installed, distinct_bakes, tmp_path):
    """Every combination that type-checks (its pyproject.toml configures mypy, with the tests
    and lint wiring) passes, as ``make lint`` checks it.

    Each distinct .py set the level pipelines have not checked whole runs the richest level's
    mypy, stubs and libraries, one after another with one cache of this test's own, so the
    libraries are analysed once.
    """
    mypy = installed.venv(RICHEST_LEVEL) / "bin" / "mypy"
    linted = linted_in_level_pipelines(installed)
    checked = [bake for bake in distinct_bakes if "[tool.mypy]" in pyproject_text(bake)]
    unchecked = [bake for bake in checked if make_lint_part(python_sources(bake)) not in linted]
    assert unchecked, "every set with mypy is linted by a level pipeline: is the filter right?"
    for bake in unchecked:
        run([mypy, "--cache-dir", tmp_path / "mypy-cache"], bake)


@DISTINCT_SETS
def test_tests_pass_over_the_coverage_floors_for_every_distinct_python_set(
    installed, distinct_bakes
):
    """Every combination's own tests pass, over its coverage floors, as ``make test`` runs them.

    The level pipelines run ``make test`` on the presets; each other distinct set of the code
    and tests runs it here, on the richest level's virtualenv with its own src/ first.
    """
    venv = installed.venv(RICHEST_LEVEL)
    tested = {
        package_and_tests(installed.sources(level))
        for level in RUN_LEVELS
        if "test" in pipeline(level)
    }
    untested = {}
    for bake in distinct_bakes:
        if "coverage-threshold" in pyproject_text(bake):
            key = package_and_tests(python_sources(bake))
            if key not in tested:
                untested.setdefault(key, bake)
    assert untested, "every set with tests is tested by a level pipeline: is the filter right?"
    for bake in untested.values():
        run(["make", "test", f"VENV={venv}"], bake, env=OWN_CODE)


def package_and_tests(sources):
    """What decides a bake's ``make test``: its src/ and tests/ files (the site's hook and
    other .py files do not), as a hashable key."""
    return tuple(sorted(sources_under(sources, ("src", "tests")).items()))


def pyproject_text(project):
    """The text of a project's pyproject.toml."""
    return Path(project, "pyproject.toml").read_text(encoding="utf-8")


def planted_level():
    """The lowest level whose pipeline lints and tests: the cheapest project to plant in."""
    return next(level for level in RUN_LEVELS if {"lint", "test"} <= set(pipeline(level)))


# A module added to the package, the target it must fail, and what that target must say.
PLANTS = {
    "type error": (
        '"""Planted: a return value of the wrong type."""\n\n\n'
        'def planted() -> int:\n    """Text where a number is promised."""\n    return "one"\n',
        "lint",
        'Incompatible return value type (got "str", expected "int")',
    ),
    "untested module": (
        '"""Planted: a module no test runs."""\n\n\n'
        'def planted() -> int:\n    """A number."""\n    return 1\n',
        "test",
        'planted.py" failed LINE coverage metric',
    ),
}


@pytest.mark.parametrize("plant", PLANTS)
def test_a_planted_defect_fails_the_projects_own_checks(plant, installed, tmp_path):
    """A type error fails ``make lint`` (mypy), and a module without tests ``make test`` (its
    own coverage floor), however well the rest of the package is tested."""
    module, target, message = PLANTS[plant]
    level = planted_level()
    project = installed.variant(tmp_path / "planted", level, {}, own_code=True)
    package = template_model.render_context({})["package_name"]
    Path(project, "src", package, "planted.py").write_text(module, encoding="utf-8")
    venv = f"VENV={installed.venv(level)}"
    completed = completed_run(["make", target, venv], project, env=OWN_CODE)
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output[-3000:]
    assert message in output, output[-3000:]
