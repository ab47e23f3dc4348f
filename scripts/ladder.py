"""Render the maturity ladder table from the component manifest in cookiecutter.json.

The README shows this table; tests/test_docs.py rebuilds it here and fails when the
README's copy drifts, so the manifest stays the only place the presets are declared.
Run ``python scripts/ladder.py`` to print the current table for pasting.
"""

import manifest


def components_on(config, level):
    """Components a level preset turns on, with their value when it is not a plain yes."""
    return [
        name if value == "yes" else f"{name} ({value})"
        for name, value in manifest.level_preset(config, level).items()
        if manifest.is_on(value)
    ]


def render_ladder_table(config):
    """Markdown table: one row per level, its meaning and the components it turns on."""
    rows = ["| level | what it means | components on by default |", "|---|---|---|"]
    for level in manifest.levels(config):
        names = components_on(config, level) or ["(none: the core only)"]
        rows.append(f"| {level} | {config['_levels'][level]} | {', '.join(names)} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(render_ladder_table(manifest.load_config()), end="")
