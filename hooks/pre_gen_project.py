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
NAME_FIELDS = ("project_name", "project_slug", "package_name", "author_name", "author_email")


def pattern_problems(answers):
    """Name each free-text answer that does not match its documented shape."""
    rules = answers["_rules"]
    return [
        f"{field}={answers[field]!r} is not valid: use {rules[field]['hint']}."
        for field in NAME_FIELDS
        if not re.fullmatch(rules[field]["pattern"], answers[field])
    ]


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
    """Names that are well formed but would break imports once the package exists."""
    candidates = (
        ("project_slug", answers["project_slug"].replace("-", "_")),
        ("package_name", answers["package_name"]),
    )
    problems = (reserved_name_problem(field, name, answers["_rules"]) for field, name in candidates)
    return [problem for problem in problems if problem]


def component_problems(answers):
    """Components switched on whose required component is off, at the chosen level."""
    level = answers["maturity_level"]
    problems = []
    for name, spec in answers["_components"].items():
        value = answers[f"__{name}"]
        if value in OFF_VALUES:
            continue
        for required in spec["requires"]:
            if answers[f"__{required}"] in OFF_VALUES:
                problems.append(
                    f"{name}={value} needs {required}, which is off "
                    f"({required}={answers[required]} at maturity_level={level}); "
                    f"set {required}=yes, raise maturity_level, or turn {name} off."
                )
    return problems


def find_problems(answers):
    """Every reason to refuse these answers, so the user can fix them all at once."""
    return pattern_problems(answers) + shadowing_problems(answers) + component_problems(answers)


def main():
    """Print the problems and fail, so cookiecutter removes the half-made project."""
    problems = find_problems(json.loads(ANSWERS_JSON))
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
