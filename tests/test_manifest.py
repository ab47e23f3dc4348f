"""cookiecutter.json is the single source of truth: its parts must agree with each other.

A component is declared in four places of the same file (its question, its ``__<name>``
resolution key, its ``_components`` entry and its ``__prompts__`` entry). These tests make
a new component that is declared in only some of them, or copied with a typo, fail at once.
"""

import json
import re

import docs_site
import pytest
import manifest
import template_model

CONFIG = manifest.load_config()
# What a manifest entry may say; a misspelt optional key (``pipline``) would be ignored.
ENTRY_KEYS = {"label", "levels", "requires", "files", "pipeline"}
COMPONENTS = list(manifest.components(CONFIG))
LEVELS = manifest.levels(CONFIG)
# What ``auto`` says for a component no level preset turns on.
OPT_IN_AUTO_LABEL = "follow the maturity level (off at every level)"
STOP_WORDS = {"and", "for", "from", "the", "with", "every", "needs", "all"}


def questions(config):
    """The keys cookiecutter prompts for: every key without a leading underscore."""
    return [key for key in config if not key.startswith("_")]


def words(text):
    """Lowercase words of a label, for loose matching between prompts and labels."""
    return set(re.findall(r"[a-z]+", text.lower())) - STOP_WORDS


def spec_of(name):
    """The manifest entry of one component."""
    return manifest.components(CONFIG)[name]


def test_there_are_components_and_levels():
    """Every parametrised test below would pass vacuously on an empty manifest."""
    assert COMPONENTS
    assert LEVELS == [str(level) for level in range(len(LEVELS))]


@pytest.mark.parametrize("name", COMPONENTS)
def test_component_question_offers_auto_then_every_value(name):
    """The question's choices are exactly auto plus the values the manifest gives files to."""
    assert CONFIG[name] == ["auto", *manifest.component_values(spec_of(name))]


@pytest.mark.parametrize("name", COMPONENTS)
def test_component_resolution_key_is_canonical(name):
    """Copy-pasting the resolution line for a new component cannot drift unnoticed; a missing
    or wrong one fails with the exact line to put in cookiecutter.json."""
    expected = manifest.resolution_key(name)
    line = f"{json.dumps('__' + name)}: {json.dumps(expected)},"
    assert CONFIG.get(f"__{name}") == expected, f"put this line in cookiecutter.json:\n{line}"


def test_every_resolution_key_belongs_to_a_component():
    """A leftover ``__x`` key of a removed component would still be rendered and confuse."""
    resolution_keys = {key[2:] for key in CONFIG if key.startswith("__") and key != "__prompts__"}
    assert resolution_keys == set(COMPONENTS)


@pytest.mark.parametrize("name", COMPONENTS)
def test_component_entry_says_only_what_the_manifest_reads(name):
    """label, levels, requires and files are required; pipeline is optional."""
    assert {"label", "levels", "requires", "files"} <= set(spec_of(name)) <= ENTRY_KEYS


@pytest.mark.parametrize("name", COMPONENTS)
def test_pipeline_names_make_targets_the_component_brings(name):
    """Each make target a component adds to the end-to-end run (``pipeline``) is a described
    target of the generated Makefile that appears with the component on and is gone with it
    off, so a misspelt or unguarded one fails here, not in the demo or the slow tests."""
    spec = spec_of(name)
    targets = manifest.pipeline(spec)
    assert isinstance(targets, list) and len(set(targets)) == len(targets), targets
    template = docs_site.load_template(manifest.ROOT)
    brought = set()
    for value in manifest.on_values(spec):
        brought.update(docs_site.targets_brought(template, name, value))
    assert set(targets) <= brought, (targets, sorted(brought))


def test_no_make_target_is_in_two_pipelines():
    """A level's run would make the target twice, and the order would be ambiguous."""
    targets = [
        target
        for spec in manifest.components(CONFIG).values()
        for target in manifest.pipeline(spec)
    ]
    assert len(targets) == len(set(targets)), targets


@pytest.mark.parametrize("name", COMPONENTS)
def test_component_levels_cover_every_level_with_known_values(name):
    """One preset value per maturity level, each a value the component owns files for."""
    spec = spec_of(name)
    assert len(spec["levels"]) == len(LEVELS)
    assert set(spec["levels"]) <= set(manifest.component_values(spec))


@pytest.mark.parametrize("name", COMPONENTS)
def test_component_has_an_off_value(name):
    """Every component can be switched off, and has a label to describe it."""
    spec = spec_of(name)
    assert any(not manifest.is_on(value) for value in spec["files"])
    assert spec["label"].strip()


@pytest.mark.parametrize("name", COMPONENTS)
def test_levels_are_cumulative(name):
    """Each level includes the ones below it: once on, a component stays on."""
    states = [manifest.is_on(value) for value in spec_of(name)["levels"]]
    assert states == sorted(states), states


@pytest.mark.parametrize("name", COMPONENTS)
def test_component_is_on_at_some_level_unless_labelled_opt_in(name):
    """A component no level turns on makes ``auto`` a synonym of ``no``: that is allowed only
    for an opt-in component (DVC, say), and its ``auto`` choice must tell the user so."""
    if manifest.first_on_level(spec_of(name)) is None:
        assert CONFIG["__prompts__"][name]["auto"] == OPT_IN_AUTO_LABEL


@pytest.mark.parametrize("name", COMPONENTS)
def test_requirements_name_other_existing_components(name):
    """A typo in ``requires`` would make the hook crash with a KeyError instead of refusing."""
    requires = spec_of(name)["requires"]
    assert set(requires) <= set(COMPONENTS) - {name}
    assert len(set(requires)) == len(requires)


@pytest.mark.parametrize("level", LEVELS)
def test_level_presets_satisfy_every_requirement(level):
    """Choosing a level and accepting every default must never be refused."""
    preset = manifest.level_preset(CONFIG, level)
    assert manifest.broken_requirements(CONFIG, preset) == []


MANIFEST_PATHS = sorted(
    {
        (name, value, path)
        for name, spec in manifest.components(CONFIG).items()
        for value, paths in spec["files"].items()
        for path in paths
    }
)


@pytest.mark.parametrize(
    ("name", "value", "path"), MANIFEST_PATHS, ids=[f"{n}={v}:{p}" for n, v, p in MANIFEST_PATHS]
)
def test_manifest_path_exists_in_the_template(name, value, path):
    """A misspelt path would silently leave the component's files in every project."""
    assert not path.startswith("/") and ".." not in path.split("/"), (name, value, path)
    assert (template_model.TEMPLATE_DIR / path).exists(), (name, value, path)


def test_every_question_has_a_prompt():
    """Without a prompt, users see the raw variable name."""
    prompts = CONFIG["__prompts__"]
    assert set(questions(CONFIG)) <= set(prompts)
    assert set(prompts) <= set(questions(CONFIG)), "prompt for a question that does not exist"


def test_maturity_level_is_typed_as_its_own_number():
    """cookiecutter numbers a menu from 1, so typing 3 at a level menu chose level 2 (or 1,
    with the default listed first). The level is typed in instead: the prompt lists each level
    as its number and its meaning from ``_levels``, one per line, and nothing else."""
    assert isinstance(CONFIG["maturity_level"], str) and CONFIG["maturity_level"] in LEVELS
    lines = CONFIG["__prompts__"]["maturity_level"].splitlines()
    assert lines[1:-1] == [f"  {level} {CONFIG['_levels'][level]}" for level in LEVELS]


def expected_auto_label(spec):
    """What the ``auto`` option must say: from which level the component is on, and how."""
    first = manifest.first_on_level(spec)
    if first is None:
        return OPT_IN_AUTO_LABEL
    value = spec["levels"][first]
    state = "on" if set(spec["files"]) == {"yes", "no"} else value
    return f"follow the maturity level ({state} from level {first})"


@pytest.mark.parametrize("name", COMPONENTS)
def test_component_prompt_labels_every_choice(name):
    """Every choice has a label, and ``auto`` tells the user what it will resolve to."""
    prompt = CONFIG["__prompts__"][name]
    assert set(prompt) == {"__prompt__", *CONFIG[name]}
    assert prompt["auto"] == expected_auto_label(spec_of(name))


@pytest.mark.parametrize("name", COMPONENTS)
def test_component_prompt_relates_to_the_component(name):
    """The question names the component: it shares a word with its name or its label."""
    spec = spec_of(name)
    prompt_words = words(CONFIG["__prompts__"][name]["__prompt__"])
    name_words = set(name.split("_"))
    label_words = {word for word in words(spec["label"]) if len(word) >= 4}
    assert prompt_words & (name_words | label_words), (name, prompt_words)


@pytest.mark.parametrize("name", COMPONENTS)
def test_component_prompt_warns_about_requirements(name):
    """A component that needs another says so in its question, before the hook refuses."""
    prompt = CONFIG["__prompts__"][name]["__prompt__"]
    assert ("needs" in prompt) == bool(spec_of(name)["requires"]), prompt


def test_python_version_is_typed_and_offers_each_supported_version():
    """3.12 by default, and every supported Python from 3.11 to 3.14 on offer, named in the
    prompt in the order offered (a menu numbered from 1 would not match the versions)."""
    offered = CONFIG["_python_versions"]
    assert CONFIG["python_version"] == "3.12"
    assert offered == sorted(offered, key=lambda v: tuple(map(int, v.split("."))))
    assert {"3.11", "3.12", "3.13", "3.14"} <= set(offered)
    listed = ", ".join(offered[:-1]) + f" or {offered[-1]}"
    assert CONFIG["__prompts__"]["python_version"] == f"Python version ({listed})"


def test_maturity_level_defaults_to_two():
    """Level 2 (automated training) is the default starting point."""
    assert CONFIG["maturity_level"] == "2"


@pytest.mark.parametrize("field", ["project_name", "project_slug", "package_name", "author_email"])
def test_rules_document_each_free_text_field(field):
    """The hook can only validate and explain a field that has a pattern and a hint."""
    rule = CONFIG["_rules"][field]
    assert re.compile(rule["pattern"]) and rule["hint"].strip()


def test_defaults_pass_their_own_rules():
    """The default answers must be accepted without any change."""
    answers = template_model.render_context({})
    for field, rule in CONFIG["_rules"].items():
        if isinstance(rule, dict):
            assert re.fullmatch(rule["pattern"], answers[field]), (field, answers[field])
