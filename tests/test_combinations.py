"""Bake every valid combination of components, and every level preset, and check each bake.

Checks per bake: the file set equals what the manifest and the source tree predict; no
template syntax survives in paths or contents; Python compiles and is black-clean; data
files parse; CI files validate against their schemas; the Dockerfile passes hadolint; text
files end with exactly one newline; no empty directory is left. Expensive checks are cached
by file content (see template_model.ProjectChecker), so this stays fast as combinations grow.

Every invalid combination (a requirement broken) is baked too, and must be refused.
"""

import itertools
import tomllib

import pytest
import template_model
import yaml

CONFIG = template_model.load_config()
LEVELS = template_model.levels(CONFIG)
VALID = template_model.valid_combinations(CONFIG)
INVALID = template_model.invalid_combinations(CONFIG)
PAIRS = list(itertools.product(CONFIG["python_version"], CONFIG["license"]))

# Odd but valid metadata: quotes, apostrophes, non-ASCII, YAML/TOML-significant characters,
# and a package name that differs from the slug. The hook accepts all of these, so the
# generated files must quote them correctly.
PERSONAS = [
    ("defaults", {}),
    (
        "unicode-quotes",
        {
            "project_name": 'Café "Ünïcode" Prédictions',
            "project_slug": "cafe-predictions",
            "author_name": "Zoë O'Brien-Łukasiewicz",
            "author_email": "zoe.obrien+ml@example.co.uk",
            "description": "Predicts \"churn\" for O'Reilly's café – 100% offline: no #tags, "
            "[lists] or {braces} & <tags>",
        },
    ),
    (
        "package-differs",
        {
            "project_name": "Churn Predictor",
            "project_slug": "churn-predictor-svc",
            "package_name": "churn_core",
            "author_name": "Dr. Jane Doe, PhD",
            "author_email": "jane.doe@sub.example.org",
            "description": r"Backslash \ path C:\data\new and a colon: then # not a comment",
        },
    ),
    ("short-names", {"project_name": "A1", "author_name": "X", "author_email": "a@b.io"}),
]


def build_cases():
    """Every valid combination, with levels, (python, license) pairs and personas rotated.

    There are at least as many cases as (python_version, license) pairs, so every pair is
    baked at least once whatever the number of combinations.
    """
    cases = []
    for index in range(max(len(VALID), len(PAIRS))):
        combination = VALID[index % len(VALID)]
        level = LEVELS[index % len(LEVELS)]
        python, license_ = PAIRS[index % len(PAIRS)]
        persona, metadata = PERSONAS[index % len(PERSONAS)]
        metadata = {"python_version": python, "license": license_, **metadata}
        context = template_model.combination_context(CONFIG, combination, level, metadata)
        case_id = f"{template_model.combination_id(combination)}-L{level}-py{python}-{license_}"
        cases.append(pytest.param(context, combination, id=f"{case_id}-{persona}"))
    return cases


def preset_cases():
    """Each level with every component left at ``auto``, metadata rotated as well."""
    cases = []
    for index, level in enumerate(LEVELS):
        persona, metadata = PERSONAS[index % len(PERSONAS)]
        python, license_ = PAIRS[-1 - index % len(PAIRS)]
        context = {"maturity_level": level, "python_version": python, "license": license_}
        context.update(metadata)
        expected = template_model.level_preset(CONFIG, level)
        cases.append(pytest.param(context, expected, id=f"level{level}-auto-{persona}"))
    return cases


def metadata_problems(project_dir, answers):
    """Answers must arrive intact where tools read them back: escaping bugs show up here."""
    problems = []
    pyproject = project_dir / "pyproject.toml"
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    except (OSError, tomllib.TOMLDecodeError):  # absent, or already reported as unparsable
        project = None
    if project is not None:
        wanted = {
            "name": answers["project_slug"],
            "description": answers["description"],
            "authors": [{"name": answers["author_name"], "email": answers["author_email"]}],
        }
        problems += [
            f"pyproject.toml: project.{key} is {project.get(key)!r}, not {value!r}"
            for key, value in wanted.items()
            if project.get(key) != value
        ]
        if answers["python_version"] not in project.get("requires-python", ""):
            problems.append(f"pyproject.toml: requires-python ignores {answers['python_version']}")
    answers_path = project_dir / template_model.answers_file()
    recorded = yaml.safe_load(answers_path.read_text(encoding="utf-8"))
    questions = {key: value for key, value in answers.items() if not key.startswith("_")}
    if {k: v for k, v in recorded.items() if not k.startswith("_")} != questions:
        problems.append(f"{answers_path.name}: answers differ from {questions}")
    return problems


def assert_bake_is_clean(result, combination, checker):
    """Everything a bake must satisfy, reported together so one run shows every problem."""
    assert result.exception is None, repr(result.exception)
    resolved = {name: result.answers[f"__{name}"] for name in combination}
    assert resolved == combination
    expected = template_model.expected_files(CONFIG, result.answers)
    actual = template_model.actual_files(result.project_dir)
    assert actual == expected, {
        "missing": sorted(map(str, expected - actual)),
        "unexpected": sorted(map(str, actual - expected)),
    }
    problems = checker.problems(result.project_dir)
    problems += metadata_problems(result.project_dir, result.answers)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("context", "combination"), build_cases())
def test_valid_combination_bakes_cleanly(context, combination, oven, checker):
    """Explicit component values, whatever the level, give exactly the chosen files."""
    assert_bake_is_clean(oven(context), combination, checker)


@pytest.mark.parametrize(("context", "combination"), preset_cases())
def test_level_preset_bakes_cleanly(context, combination, oven, checker):
    """``auto`` everywhere resolves to the level's preset and bakes cleanly."""
    assert_bake_is_clean(oven(context), combination, checker)


# Strings the hook's rules let through but that are hard to embed in Python, TOML and YAML.
# Whatever the hook accepts must bake a clean project: refuse these, or escape them.
HOSTILE_METADATA = {
    "description-triple-quotes": {"description": 'Use """docstrings""" everywhere'},
    "description-newline": {"description": "First line\nsecond line"},
    "description-trailing-backslash": {"description": "ends with a backslash \\"},
    "name-triple-quotes": {"project_name": 'Say """hi"""', "project_slug": "say-hi"},
    "name-trailing-backslash": {"project_name": "Back\\", "project_slug": "back"},
    "author-quotes-backslash": {"author_name": 'Ann "The \\ Coder" O\'Neil'},
    "email-quote": {"author_email": '"ann"@example.com'},
    "email-apostrophe": {"author_email": "o'hara@example.com"},
}


@pytest.mark.parametrize("metadata", HOSTILE_METADATA.values(), ids=HOSTILE_METADATA.keys())
def test_accepted_metadata_bakes_a_clean_project(metadata, oven, checker, capfd):
    """Either the hook refuses the answer with an ERROR line, or the project is clean."""
    top = LEVELS[-1]
    combination = template_model.level_preset(CONFIG, top)
    result = oven({"maturity_level": top, **metadata})
    if result.exception is not None:
        assert "ERROR: " in capfd.readouterr().err, repr(result.exception)
        assert oven.leftovers() == []
        return
    assert_bake_is_clean(result, combination, checker)


def test_cases_cover_every_combination_and_pair():
    """The rotation above must not skip a combination or a (python, license) pair."""
    contexts = [param.values[0] for param in build_cases()]
    baked = {
        tuple(context[name] for name in template_model.components(CONFIG)) for context in contexts
    }
    assert len(baked) == len(VALID)
    assert {(c["python_version"], c["license"]) for c in contexts} == set(PAIRS)


def invalid_cases():
    """Every invalid combination, with levels rotated."""
    return [
        pytest.param(
            template_model.combination_context(CONFIG, combination, LEVELS[index % len(LEVELS)]),
            combination,
            id=template_model.combination_id(combination),
        )
        for index, combination in enumerate(INVALID)
    ]


@pytest.mark.parametrize(("context", "combination"), invalid_cases())
def test_invalid_combination_is_refused(context, combination, oven, capfd):
    """Each broken requirement is named (component, value, requirement); nothing is left."""
    result = oven(context)
    errors = capfd.readouterr().err
    assert result.exception is not None and result.project_dir is None
    for name, required in template_model.broken_requirements(CONFIG, combination):
        assert f"ERROR: {name}={combination[name]} needs {required}" in errors, errors
    assert oven.leftovers() == []
