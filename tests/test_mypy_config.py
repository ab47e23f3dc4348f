"""mypy follows exactly the libraries the generated package imports, and refuses any other;
pylint leaves those libraries to mypy.

A cold mypy run spent two thirds of its time in what the libraries import in turn (MLflow's
database, cloud and notebook layers), so the generated ``[tool.mypy]`` sets
``follow_imports = "error"`` and lists the libraries to follow. That list must hold every
library some level's code imports (else mypy fails on it) and only those (a stale entry would
read as a dependency): both are read here from the template's source, all levels at once,
and from the pyproject.toml a bake renders. The slow tests run mypy and pylint themselves on
every distinct set of the code (test_generated_projects).
"""

import re
import sys
import tomllib

import pytest
import template_model

import manifest

CONFIG = manifest.load_config()
# The libraries mypy follows that pylint still infers: pylint must see pydantic's BaseModel to
# count a model's methods, and inspects compiled orjson rather than reading source.
INFERRED_BY_PYLINT = {"pydantic", "orjson"}
# `import a.b [as c]` alone on its line (a comment may follow), or `from a.b import`: the
# top-level name (a docstring's "import the ..." is neither). The source holds Jinja, so it is
# scanned rather than parsed.
IMPORT_RE = re.compile(
    r"^[ \t]*(?:import[ \t]+(\w+)[\w.]*(?:[ \t]+as[ \t]+\w+)?[ \t]*(?:#.*)?$"
    r"|from[ \t]+(\w+)[\w.]*[ \t]+import\b)",
    re.MULTILINE,
)


def imported_libraries():
    """The top-level third-party modules the package's source imports, at any level."""
    names = set()
    for path in (template_model.TEMPLATE_DIR / "src").rglob("*.py"):
        for plain, source in IMPORT_RE.findall(path.read_text(encoding="utf-8")):
            names.add(plain or source)
    return names - set(sys.stdlib_module_names) - {"__future__"}


def override_modules(mypy, setting, value):
    """The top-level modules of the ``[[tool.mypy.overrides]]`` entries that set ``setting``
    to ``value`` (their patterns, ``name.*``, without the wildcard)."""
    return [
        pattern.removesuffix(".*").split(".")[0]
        for entry in mypy.get("overrides", [])
        if entry.get(setting) == value
        for pattern in entry["module"]
    ]


@pytest.fixture(name="tool_settings", scope="module")
def fixture_tool_settings(cookies_session):
    """``[tool]`` of the richest level's bake, which has the tests and lint wiring."""
    level = manifest.levels(CONFIG)[-1]
    baked = cookies_session.bake(extra_context={"maturity_level": level})
    assert baked.exception is None, baked.exception
    pyproject = (baked.project_path / "pyproject.toml").read_text(encoding="utf-8")
    return tomllib.loads(pyproject)["tool"]


@pytest.fixture(name="mypy_settings", scope="module")
def fixture_mypy_settings(tool_settings):
    """``[tool.mypy]`` of that bake."""
    return tool_settings["mypy"]


def test_an_unlisted_library_is_an_error_not_silently_any(mypy_settings):
    """With "skip" or "silent", an import of a library left off the list would type as Any
    and check nothing, silently; "error" names it."""
    assert mypy_settings["follow_imports"] == "error"


def test_every_imported_library_is_followed_or_declared_untyped_once(mypy_settings):
    """Each library the code imports is in exactly one list; no list names another."""
    followed = override_modules(mypy_settings, "follow_imports", "normal")
    untyped = override_modules(mypy_settings, "ignore_missing_imports", True)
    listed = followed + untyped
    assert sorted(listed) == sorted(set(listed)), f"listed twice: {listed}"
    imported = imported_libraries()
    assert set(listed) == imported, {
        "imported, not listed": sorted(imported - set(listed)),
        "listed, not imported": sorted(set(listed) - imported),
    }


def test_pylint_leaves_the_libraries_mypy_follows_to_mypy(tool_settings, mypy_settings):
    """Inferring from those libraries' source took most of pylint's time, and mypy checks the
    package's use of them; pylint infers only INFERRED_BY_PYLINT of them."""
    followed = set(override_modules(mypy_settings, "follow_imports", "normal"))
    ignored = tool_settings["pylint"]["typecheck"]["ignored-modules"]
    assert sorted(ignored) == sorted(followed - INFERRED_BY_PYLINT)
