"""The README's ladder table is derived from the manifest and must never drift from it."""

import ladder
import manifest

CONFIG = manifest.load_config()


def test_readme_ladder_table_matches_manifest():
    """Editing a level preset without regenerating the README table fails here."""
    expected = ladder.render_ladder_table(CONFIG)
    readme = (manifest.ROOT / "README.md").read_text(encoding="utf-8")
    assert expected in readme, f"README ladder table is stale; replace it with:\n{expected}"


def test_ladder_table_lists_every_component_at_its_first_level():
    """Each component appears in the row of every level whose preset turns it on."""
    table_rows = ladder.render_ladder_table(CONFIG).splitlines()[2:]
    for name, spec in manifest.components(CONFIG).items():
        for level, value in enumerate(spec["levels"]):
            listed = f" {name}" in table_rows[level] or f"| {name}" in table_rows[level]
            assert listed == (value not in manifest.OFF_VALUES), (name, level)
