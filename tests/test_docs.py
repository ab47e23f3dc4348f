"""The README's ladder table is derived from the manifest and must never drift from it."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_ladder_module():
    """Import scripts/ladder.py, which is a script and not part of a package."""
    spec = importlib.util.spec_from_file_location("ladder", ROOT / "scripts" / "ladder.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_ladder_table_matches_manifest():
    """Editing a level preset without regenerating the README table fails here."""
    ladder = load_ladder_module()
    expected = ladder.render_ladder_table(ladder.load_context())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert expected in readme, f"README ladder table is stale; replace it with:\n{expected}"


def test_ladder_table_lists_every_component_at_its_first_level():
    """Each component appears in the row of every level whose preset turns it on."""
    ladder = load_ladder_module()
    context = ladder.load_context()
    table_rows = ladder.render_ladder_table(context).splitlines()[2:]
    for name, spec in context["_components"].items():
        for level, value in enumerate(spec["levels"]):
            listed = f" {name}" in table_rows[level] or f"| {name}" in table_rows[level]
            assert listed == (value not in ladder.OFF_VALUES), (name, level)
