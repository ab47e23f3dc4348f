"""Refuse answers that would generate a broken project, before any file is written.

cookiecutter renders this file with Jinja before running it, so the answers arrive in
ANSWERS_JSON below. Everything else is plain Python: the tests import this module
unrendered and call ``find_problems`` directly. The rules (patterns, keywords,
standard-library and reserved names, component requirements) come from cookiecutter.json
as data, so copier.yml's validators share them.
"""

import json
import re
import sys

ANSWERS_JSON = r"""{{ cookiecutter | jsonify }}"""

OFF_VALUES = ("no", "none")


def field_rules(rules):
    """The free-text fields ``_rules`` gives a pattern to, with their rule; the other entries
    of ``_rules`` are the lists of refused names."""
    return {field: rule for field, rule in rules.items() if isinstance(rule, dict)}


def pattern_problems(answers):
    """Name each free-text answer that does not match its documented shape."""
    return [
        f"{field}={answers[field]!r} is not valid: use {rule['hint']}."
        for field, rule in field_rules(answers["_rules"]).items()
        if not re.fullmatch(rule["pattern"], answers[field])
    ]


def import_name(rule, answer):
    """The name Python imports an answer as: its rule's ``import_name`` replacements applied
    (the slug's hyphens become underscores)."""
    for old, new in rule["import_name"].items():
        answer = answer.replace(old, new)
    return answer


def reserved_name_problem(field, name, rules):
    """Explain why ``name`` would shadow something the project imports, or return None."""
    if name in rules["python_keywords"]:
        return f"{field}={name!r} is a Python keyword; choose another name."
    if name in rules["stdlib_modules"]:
        return (
            f"{field}={name!r} is a standard-library module and would shadow it; "
            "choose another name."
        )
    if name in rules["reserved_names"]:
        return (
            f"{field}={name!r} is the name of a common package or of a folder of the "
            "project and would shadow it; choose another name."
        )
    return None


def shadowing_problems(answers):
    """Names that are well formed but would break imports once the package exists: those of
    the fields whose rule says how they become an import name (``import_name``)."""
    rules = answers["_rules"]
    problems = (
        reserved_name_problem(field, import_name(rule, answers[field]), rules)
        for field, rule in field_rules(rules).items()
        if "import_name" in rule
    )
    return [problem for problem in problems if problem]


def choice_problems(answers):
    """The maturity level and Python version are typed in: name a value that is not offered."""
    offered = {
        "maturity_level": sorted(answers["_levels"], key=int),
        "python_version": answers["_python_versions"],
    }
    return [
        f"{field}={answers[field]!r} is not offered: choose one of {', '.join(values)}."
        for field, values in offered.items()
        if answers[field] not in values
    ]


def is_off(value):
    """Whether a component value (an answer or a resolution) switches the component off."""
    return value in OFF_VALUES


def requirement_chains(components, name):
    """Each component ``name`` needs, directly or through others, with the path to it.

    Maps required -> the components in between (empty when ``name`` needs it directly).
    Requirements are declared before the components that need them, so one pass suffices.
    """
    chains = {}
    for required in components[name]["requires"]:
        chains.setdefault(required, [])
        for deeper, between in requirement_chains(components, required).items():
            chains.setdefault(deeper, [required, *between])
    return chains


def off_value(spec):
    """The value that switches a component off (``no`` or ``none``)."""
    return next(value for value in spec["files"] if is_off(value))


def on_value(spec, level):
    """The value ``auto`` takes when something the user chose needs the component."""
    preset = spec["levels"][int(level)]
    return preset if not is_off(preset) else next(v for v in spec["files"] if not is_off(v))


def component_problems(answers):
    """Two explicit answers that contradict: one turns on a component that needs, directly or
    through components left on auto, another component the user turned off. Components on
    auto never cause a refusal: they follow the explicit answers (see resolution_notes)."""
    components = answers["_components"]
    problems = []
    for name in components:
        value = answers[name]
        if value == "auto" or is_off(value):
            continue
        for required, between in requirement_chains(components, name).items():
            if is_off(answers[required]):
                through = f" (through {', '.join(between)})" if between else ""
                problems.append(
                    f"{name}={value} needs {required}{through}, but {required}="
                    f"{answers[required]}; set {required} to auto or "
                    f"{on_value(components[required], answers['maturity_level'])}, or set "
                    f"{name} to auto or {off_value(components[name])}."
                )
    return problems


def resolution_notes(answers):
    """One line for each component on auto that does not follow its level's preset, because
    an explicit answer turned off what it needs or needs it on."""
    components = answers["_components"]
    level = answers["maturity_level"]
    notes = []
    for name, spec in components.items():
        resolved, preset = answers[f"__{name}"], spec["levels"][int(level)]
        if answers[name] != "auto" or resolved == preset:
            continue
        if is_off(resolved):
            cause = next(
                required
                for required in requirement_chains(components, name)
                if is_off(answers[required])
            )
            notes.append(
                f"{name} is off: it needs {cause}, which you set to {answers[cause]} "
                f"(level {level} alone would turn it on)."
            )
        else:
            cause = next(
                other
                for other in components
                if name in requirement_chains(components, other)
                and answers[other] not in ("auto", *OFF_VALUES)
            )
            state = "on" if resolved == "yes" else f"on ({resolved})"
            notes.append(
                f"{name} is {state}: {cause}={answers[cause]} needs it "
                f"(level {level} alone would leave it off)."
            )
    return notes


def find_problems(answers):
    """Every reason to refuse these answers, so the user can fix them all at once."""
    unoffered = choice_problems(answers)
    # Components resolve from the level: at a level that does not exist they mean nothing.
    contradictions = [] if unoffered else component_problems(answers)
    return pattern_problems(answers) + shadowing_problems(answers) + unoffered + contradictions


def main():
    """Print the problems and fail, so cookiecutter removes the half-made project; otherwise
    say which components on auto follow an explicit answer instead of the level."""
    answers = json.loads(ANSWERS_JSON)
    problems = find_problems(answers)
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    if problems:
        return 1
    for note in resolution_notes(answers):
        print(f"NOTE: {note}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
