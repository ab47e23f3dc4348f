"""Bake every valid combination and every level preset through pytest-cookies; check each bake.

Every valid combination is baked with explicit component values, at rotating levels. The
first cases are a covering sample (see covering.py), which the copier parity suite bakes with
both tools: it holds every pair of values two components, or the maturity level and a
component, take together in some valid combination; everything off; each component value on
with only what it needs; and everything on with each component value. The sample grows about
linearly with the components where the combinations multiply.

Checks per bake: the file set equals what the manifest and the source tree predict; no
template syntax survives in paths or contents; Python compiles and is black-clean; data
files parse; CI files validate against their schemas; the Dockerfile passes hadolint; text
files end with exactly one newline; no empty directory is left. Expensive checks are cached
by file content in a folder every xdist worker shares (see template_model.ProjectChecker), so
each distinct file content is checked once per run however many combinations hold it.

Invalid combinations are baked and must be refused, naming every broken requirement: each
requirement broken alone, and every two requirements that can be broken together. The
tests at the end check these promises against the full enumeration of combinations.
"""

import itertools
import tomllib

import covering
import pytest
import manifest
import template_model

CONFIG = manifest.load_config()
NAMES = list(manifest.components(CONFIG))
LEVELS = manifest.levels(CONFIG)
VALID = manifest.valid_combinations(CONFIG)
INVALID = manifest.invalid_combinations(CONFIG)
VALID_SAMPLE = covering.valid_sample(CONFIG, VALID)
INVALID_SAMPLE = covering.invalid_sample(CONFIG, INVALID)
PYTHONS = manifest.python_versions(CONFIG)
LICENSES = CONFIG["license"]
PAIRS = list(itertools.product(PYTHONS, LICENSES))

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


def persona_of(python):
    """The persona a Python version bakes with.

    A .py file's black verdict depends on both: the persona's names and texts are in the code,
    the Python version sets black's target. Tied together, they leave about a third as many
    distinct .py contents to check as when they rotate apart, and every persona still meets
    the components through its Python version's share of the cases.
    """
    return PERSONAS[PYTHONS.index(python) % len(PERSONAS)]


def valid_case(index, combination, level):
    """One valid case: explicit component values at a level, with the (python, license) pair
    that the index rotates to, and that Python's persona."""
    python, license_ = PAIRS[index % len(PAIRS)]
    persona, metadata = persona_of(python)
    metadata = {"python_version": python, "license": license_, **metadata}
    context = template_model.combination_context(CONFIG, combination, level, metadata)
    case_id = f"{manifest.combination_id(combination)}-L{level}-py{python}-{license_}"
    return pytest.param(context, combination, id=f"{case_id}-{persona}")


def sampled_cases():
    """The covering sample at its levels, metadata rotated: what the copier parity suite
    bakes with both tools, where every bake costs a copier run.

    There are at least as many cases as (python_version, license) pairs, so every pair is
    baked at least once whatever the size of the sample (the sample repeats if it is smaller).
    """
    cases = []
    for index in range(max(len(VALID_SAMPLE), len(PAIRS))):
        case = VALID_SAMPLE[index % len(VALID_SAMPLE)]
        combination = {name: case[name] for name in NAMES}
        cases.append(valid_case(index, combination, case[covering.LEVEL]))
    return cases


def every_valid_case():
    """The sampled cases, then every other valid combination, levels and metadata rotated:
    each valid combination is baked at least once, and every pair of values meets."""
    cases = sampled_cases()
    baked = [param.values[1] for param in cases]
    rest = [combination for combination in VALID if combination not in baked]
    for index, combination in enumerate(rest, start=len(cases)):
        cases.append(valid_case(index, combination, LEVELS[index % len(LEVELS)]))
    return cases


def preset_cases():
    """Each level with every component left at ``auto``, metadata rotated as well."""
    cases = []
    for index, level in enumerate(LEVELS):
        python, license_ = PYTHONS[index % len(PYTHONS)], LICENSES[-1 - index % len(LICENSES)]
        persona, metadata = persona_of(python)
        context = {"maturity_level": level, "python_version": python, "license": license_}
        context.update(metadata)
        expected = manifest.level_preset(CONFIG, level)
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
    recorded = template_model.load_yaml(answers_path.read_text(encoding="utf-8"))
    questions = {key: value for key, value in answers.items() if not key.startswith("_")}
    if {k: v for k, v in recorded.items() if not k.startswith("_")} != questions:
        problems.append(f"{answers_path.name}: answers differ from {questions}")
    return problems


def assert_bake_is_clean(result, combination, checker):
    """Everything a bake must satisfy, reported together so one run shows every problem."""
    assert result.exception is None, repr(result.exception)
    resolved = {name: result.context[f"__{name}"] for name in combination}
    assert resolved == combination
    expected = template_model.expected_files(CONFIG, result.context)
    actual = template_model.actual_files(result.project_path)
    assert actual == expected, {
        "missing": sorted(map(str, expected - actual)),
        "unexpected": sorted(map(str, actual - expected)),
    }
    problems = checker.problems(result.project_path)
    problems += metadata_problems(result.project_path, result.context)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("context", "combination"), every_valid_case())
def test_valid_combination_bakes_cleanly(context, combination, cookies, checker):
    """Explicit component values, whatever the level, give exactly the chosen files."""
    assert_bake_is_clean(cookies.bake(extra_context=context), combination, checker)


@pytest.mark.parametrize(("context", "combination"), preset_cases())
def test_level_preset_bakes_cleanly(context, combination, cookies, checker):
    """``auto`` everywhere resolves to the level's preset and bakes cleanly."""
    assert_bake_is_clean(cookies.bake(extra_context=context), combination, checker)


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
def test_accepted_metadata_bakes_a_clean_project(metadata, cookies, leftovers, checker, capfd):
    """Either the hook refuses the answer with an ERROR line, or the project is clean."""
    top = LEVELS[-1]
    combination = manifest.level_preset(CONFIG, top)
    result = cookies.bake(extra_context={"maturity_level": top, **metadata})
    if result.exception is not None:
        assert "ERROR: " in capfd.readouterr().err, repr(result.exception)
        assert leftovers() == []
        return
    assert_bake_is_clean(result, combination, checker)


def invalid_cases():
    """The sampled invalid combinations, with levels rotated."""
    return [
        pytest.param(
            template_model.combination_context(CONFIG, combination, LEVELS[index % len(LEVELS)]),
            combination,
            id=manifest.combination_id(combination),
        )
        for index, combination in enumerate(INVALID_SAMPLE)
    ]


@pytest.mark.parametrize(("context", "combination"), invalid_cases())
def test_invalid_combination_is_refused(context, combination, cookies, leftovers, capfd):
    """Each contradiction is named in the manifest's words, with its ways out; nothing is left."""
    result = cookies.bake(extra_context=context)
    errors = capfd.readouterr().err
    assert result.exception is not None and result.project_path is None
    level = context["maturity_level"]
    for name, required in manifest.contradictions(CONFIG, combination):
        message = manifest.contradiction_message(CONFIG, level, combination, name, required)
        assert f"ERROR: {message}\n" in errors, errors
    assert leftovers() == []


# --- what the samples promise, checked against the full enumeration -----------------------
#
# These recompute each promise from valid_combinations/invalid_combinations without using
# covering.py, so a sampler that skips something fails here instead of silently baking less.


def on_count(combination):
    """How many components are on."""
    return sum(manifest.is_on(combination[name]) for name in NAMES)


def baked_valid():
    """(answers, combination) of every sampled case (the copier parity suite's)."""
    return [(param.values[0], param.values[1]) for param in sampled_cases()]


def test_every_valid_combination_is_baked():
    """The combination suite bakes every valid combination with explicit values, and only
    valid ones (each exactly once, besides the sample's repeats when it is small)."""
    baked = [manifest.combination_id(param.values[1]) for param in every_valid_case()]
    sampled = [manifest.combination_id(param.values[1]) for param in sampled_cases()]
    assert set(baked) == {manifest.combination_id(combination) for combination in VALID}
    assert len(baked) - len(set(baked)) == len(sampled) - len(set(sampled))


def pairs_of(answers):
    """Every pair of (question, value) among the level and the components."""
    questions = ["maturity_level", *NAMES]
    return {
        ((first, answers[first]), (second, answers[second]))
        for first, second in itertools.combinations(questions, 2)
    }


def test_valid_cases_are_valid_and_explicit():
    """Each case answers every component explicitly with a combination the hook accepts."""
    for answers, combination in baked_valid():
        assert {name: answers[name] for name in NAMES} == combination
        assert combination in VALID, combination


def test_valid_cases_cover_every_pair_of_values():
    """Any two values that meet in some valid combination (at any level) meet in a case."""
    every = set()
    for combination in VALID:
        for level in LEVELS:
            every |= pairs_of({"maturity_level": level, **combination})
    baked = set()
    for answers, _ in baked_valid():
        baked |= pairs_of(answers)
    assert not every - baked, sorted(every - baked)


def test_valid_cases_include_the_boundaries():
    """Everything off; each component value with the fewest and with the most others on."""
    baked = [combination for _, combination in baked_valid()]
    assert 0 in {on_count(combination) for combination in baked}
    for name, spec in manifest.components(CONFIG).items():
        for value in filter(manifest.is_on, spec["files"]):
            possible = [on_count(c) for c in VALID if c[name] == value]
            sampled = {on_count(c) for c in baked if c[name] == value}
            assert {min(possible), max(possible)} <= sampled, (name, value, sampled)


def test_every_level_preset_and_metadata_pair_is_baked():
    """Every level at ``auto``, every (python, license) pair and every persona is baked."""
    presets = {param.values[0]["maturity_level"]: param.values[1] for param in preset_cases()}
    assert presets == {level: manifest.level_preset(CONFIG, level) for level in LEVELS}
    contexts = [answers for answers, _ in baked_valid()]
    assert {(c["python_version"], c["license"]) for c in contexts} == set(PAIRS)
    for persona, metadata in PERSONAS:
        assert any(metadata.items() <= context.items() for context in contexts), persona


def edges_broken(combination):
    """(component, value, required) for each requirement a combination breaks."""
    return {
        (name, combination[name], required)
        for name, required in manifest.broken_requirements(CONFIG, combination)
    }


def test_every_requirement_is_refused_alone_with_few_and_many_components():
    """Each requirement of each value is broken with as few others broken as possible,
    once with the fewest components on and once with the most."""
    every = [(edges_broken(c), on_count(c)) for c in INVALID]
    baked = [(edges_broken(p.values[1]), on_count(p.values[1])) for p in invalid_cases()]
    for name, spec in manifest.components(CONFIG).items():
        for value in filter(manifest.is_on, spec["files"]):
            for required in spec["requires"]:
                edge = (name, value, required)
                fewest = min(len(broken) for broken, _ in every if edge in broken)
                alone = [
                    count for broken, count in every if edge in broken and len(broken) == fewest
                ]
                sampled = {
                    count for broken, count in baked if edge in broken and len(broken) == fewest
                }
                wanted = {min(alone), max(alone)}
                assert wanted <= sampled, (edge, fewest, wanted, sampled)


def test_every_two_requirements_that_can_break_together_are_refused_together():
    """The hook must name several broken requirements at once, for any two of them."""
    every = set()
    for combination in INVALID:
        every |= set(itertools.combinations(sorted(edges_broken(combination)), 2))
    baked = set()
    for param in invalid_cases():
        baked |= set(itertools.combinations(sorted(edges_broken(param.values[1])), 2))
    assert not every - baked, sorted(every - baked)


def test_samples_grow_linearly_with_the_manifest():
    """Bounds linear in the number of values and requirements, where combinations multiply.

    A pairwise sample needs about (values per question)^2 x log(questions) cases, and the
    boundaries two per component value; a requirement needs two refusals alone, and pairs of
    broken requirements are covered several at a time.
    """
    specs = manifest.components(CONFIG).values()
    values = sum(len(spec["files"]) for spec in specs)
    requirements = sum(
        len(spec["requires"]) * len(list(filter(manifest.is_on, spec["files"]))) for spec in specs
    )
    valid_bound = max(2 * (values + len(LEVELS)), len(PAIRS))
    assert len(sampled_cases()) <= valid_bound, (len(sampled_cases()), valid_bound, len(VALID))
    invalid_bound = 3 * requirements
    assert len(invalid_cases()) <= invalid_bound, (len(invalid_cases()), invalid_bound)
