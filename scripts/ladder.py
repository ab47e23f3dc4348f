"""Render the maturity ladder table from the component manifest in cookiecutter.json.

The README shows this table; tests/test_docs.py rebuilds it here and fails when the
README's copy drifts, so the manifest stays the only place the presets are declared.
Run ``python scripts/ladder.py`` to print the current table for pasting.
"""

import json
from pathlib import Path

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
OFF_VALUES = ("no", "none")


def load_context(root=TEMPLATE_ROOT):
    """The parsed cookiecutter.json: questions, presets and the component manifest."""
    return json.loads(Path(root, "cookiecutter.json").read_text(encoding="utf-8"))


def components_on(components, level):
    """Components a level preset turns on, with their value when it is not a plain yes."""
    on = []
    for name, spec in components.items():
        value = spec["levels"][level]
        if value not in OFF_VALUES:
            on.append(name if value == "yes" else f"{name} ({value})")
    return on


def render_ladder_table(context):
    """Markdown table: one row per level, its meaning and the components it turns on."""
    rows = ["| level | what it means | components on by default |", "|---|---|---|"]
    for level, meaning in sorted(context["_levels"].items()):
        names = components_on(context["_components"], int(level)) or ["(none: the core only)"]
        rows.append(f"| {level} | {meaning} | {', '.join(names)} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(render_ladder_table(load_context()), end="")
