"""copier.yml asks exactly what cookiecutter.json asks: same names, choices, labels, defaults.

cookiecutter.json is the single source of truth; copier.yml has to restate the questions
(copier cannot read cookiecutter's question format), so this file catches every drift.
"""

import pytest

import copier_questions as copier_questions_script
from copier_model import copier_questions, load_copier_config
from manifest import ROOT, load_config

CONFIG = load_config()
COPIER = load_copier_config()
QUESTIONS = [name for name in CONFIG if not name.startswith("_")]


# Questions cookiecutter has the user type (a menu numbered from 1 would not match their
# values) and copier offers as choices: value -> copier label.
TYPED_CHOICES = {
    "maturity_level": {level: f"{level} {meaning}" for level, meaning in CONFIG["_levels"].items()},
    "python_version": {version: version for version in CONFIG["_python_versions"]},
}


def cookiecutter_prompt(name):
    """The readable prompt cookiecutter shows for a question: its first line (a typed level
    lists the levels below it, which copier shows as its choices)."""
    prompt = CONFIG["__prompts__"][name]
    return (prompt["__prompt__"] if isinstance(prompt, dict) else prompt).splitlines()[0]


def cookiecutter_labels(name):
    """value -> label for a choice question (the value itself when no label is given)."""
    prompt = CONFIG["__prompts__"][name]
    labels = prompt if isinstance(prompt, dict) else {}
    return {value: labels.get(value, value) for value in CONFIG[name]}


def choice_value(value):
    """A copier choice's value, given plainly or as {value, validator}."""
    return value["value"] if isinstance(value, dict) else value


def copier_labels(spec):
    """value -> label for a copier choice question, given as a list or a label map."""
    choices = spec["choices"]
    if isinstance(choices, dict):
        return {choice_value(value): label for label, value in choices.items()}
    return {value: value for value in choices}


def test_same_questions_in_the_same_order():
    """A question added to one tool and not the other fails here."""
    assert list(copier_questions(COPIER)) == QUESTIONS


@pytest.mark.parametrize("name", QUESTIONS)
def test_same_help_text(name):
    """Both tools show the same prompt."""
    assert COPIER[name]["help"] == cookiecutter_prompt(name)


@pytest.mark.parametrize("name", [q for q in QUESTIONS if isinstance(CONFIG[q], list)])
def test_same_choices_labels_and_default(name):
    """Choice questions: the same values, labels and default (cookiecutter's first entry)."""
    spec = COPIER[name]
    assert spec["type"] == "str"
    assert copier_labels(spec) == cookiecutter_labels(name)
    assert spec["default"] == CONFIG[name][0]


@pytest.mark.parametrize("name", list(TYPED_CHOICES))
def test_typed_questions_are_choices_under_copier(name):
    """copier's menu is chosen with the arrow keys, so it keeps the values as choices, with
    the labels cookiecutter's prompt lists and the same default."""
    spec = COPIER[name]
    assert copier_labels(spec) == TYPED_CHOICES[name]
    assert spec["default"] == CONFIG[name]


@pytest.mark.parametrize(
    "name", [q for q in QUESTIONS if isinstance(CONFIG[q], str) and q not in TYPED_CHOICES]
)
def test_same_text_default(name):
    """Derived defaults use the same expression, minus cookiecutter's namespace."""
    assert COPIER[name]["default"] == CONFIG[name].replace("cookiecutter.", "")


@pytest.mark.parametrize("name", [q for q in QUESTIONS if q in CONFIG["_rules"]])
def test_validated_fields_have_a_copier_validator_on_the_same_rule(name):
    """Every field with a rule in _rules is validated by copier with that rule."""
    assert f"pattern_problem('{name}', {name})" in COPIER[name]["validator"]


@pytest.mark.parametrize("name", ["maturity_level", *CONFIG["_components"]])
def test_every_choice_that_decides_files_is_checked_under_copier(name):
    """Each choice of the level and of every component carries choice_problems for itself:
    requirements and the no-deletion rule on update. On the choices, not the question: copier
    checks a question's validator only on its default (crashing an interactive session before
    the question shows) and never on a choice made in its menu."""
    assert "validator" not in COPIER[name]
    for value in COPIER[name]["choices"].values():
        assert value["validator"].endswith(
            f"{{{{ choice_problems('{name}', '{value['value']}') }}}}"
        )


def test_copier_choice_questions_are_what_the_script_writes():
    """copier.yml's choice questions are generated from cookiecutter.json: an edit by hand, or
    a change to cookiecutter.json without `python scripts/copier_questions.py --write`, fails."""
    text = (ROOT / "copier.yml").read_text(encoding="utf-8")
    block = copier_questions_script.generated_block(CONFIG)
    assert block in text, "run: python scripts/copier_questions.py --write"


def test_shared_data_is_included_not_copied():
    """Presets, manifest and rules reach copier by !include, so they cannot drift."""
    assert COPIER["template_data"]["default"] == {"!include": "cookiecutter.json"}
    assert COPIER["template_data"]["when"] is False
    assert COPIER["cookiecutter"]["when"] is False
    assert list(COPIER)[-1] == "cookiecutter", "the namespace needs every answer: keep it last"


def test_copier_settings_that_make_the_tree_shared():
    """The settings without which copier would not render the cookiecutter tree."""
    assert COPIER["_subdirectory"] == "{% raw %}{{cookiecutter.project_slug}}{% endraw %}"
    assert COPIER["_templates_suffix"] == ""
    assert COPIER["_answers_file"] == ".copier-answers.yml"
    assert "_tasks" not in COPIER, "tasks would need --trust on every copy and update"
