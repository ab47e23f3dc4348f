"""The README's ladder table is derived from the manifest and must never drift from it."""

import json

import ladder
import manifest
import pytest
import script_cli

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


def template_copy(tmp_path):
    """cookiecutter.json and README.md copied, for the script to read and write there."""
    return script_cli.template_copy(tmp_path, "cookiecutter.json", "README.md")


def test_write_replaces_only_the_table(tmp_path):
    """--write on a copy whose presets changed rewrites the table there and nothing else: the
    step the contributing guide gives for a component that changes a level preset."""
    root = template_copy(tmp_path)
    config = json.loads((root / "cookiecutter.json").read_text(encoding="utf-8"))
    config["_components"]["data_versioning"]["levels"][-1] = "dvc"
    (root / "cookiecutter.json").write_text(json.dumps(config), encoding="utf-8")
    assert ladder.main(["--write", "--root", str(root)]) == 0
    old_table = ladder.render_ladder_table(CONFIG)
    new_table = ladder.render_ladder_table(config)
    assert old_table != new_table
    readme = (manifest.ROOT / "README.md").read_text(encoding="utf-8")
    assert (root / "README.md").read_text(encoding="utf-8") == readme.replace(old_table, new_table)


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda root: (root / "cookiecutter.json").unlink(), "No such file"),
        (lambda root: (root / "cookiecutter.json").write_text("{", "utf-8"), "Expecting"),
        (lambda root: (root / "README.md").write_text("# no table\n", "utf-8"), "exactly once"),
    ],
    ids=["no-template", "bad-json", "no-table"],
)
def test_bad_input_is_one_line_not_a_traceback(tmp_path, break_it, message):
    """What the script cannot work from is named in one line, and the README is untouched."""
    root = template_copy(tmp_path)
    break_it(root)
    assert message in script_cli.one_line_refusal(ladder.main, root, "README.md")


def test_readme_questions_table_names_every_question():
    """The README's table of questions is written by hand: a new question (a new component's)
    must be added to it, or this fails naming it."""
    readme = (manifest.ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| question | choices", 1)[1].split("\n\n", 1)[0]
    questions = [name for name in CONFIG if not name.startswith("_")]
    missing = [name for name in questions if f"`{name}`" not in table]
    assert not missing, f"add to the README's questions table: {missing}"
