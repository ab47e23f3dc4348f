"""Render the maturity ladder table from the component manifest in cookiecutter.json.

The README shows this table; tests/test_docs.py rebuilds it here and fails when the
README's copy drifts, so the manifest stays the only place the presets are declared.

    python scripts/ladder.py                    # print the table
    python scripts/ladder.py --write            # replace the README's table with it
    python scripts/ladder.py --write --root DIR # in another copy of the template
"""

import argparse
import sys
from pathlib import Path

import manifest

HEADER = "| level | what it means | components on by default |"


def components_on(config, level):
    """Components a level preset turns on, with their value when it is not a plain yes."""
    return [
        name if value == "yes" else f"{name} ({value})"
        for name, value in manifest.level_preset(config, level).items()
        if manifest.is_on(value)
    ]


def render_ladder_table(config):
    """Markdown table: one row per level, its meaning and the components it turns on."""
    rows = [HEADER, "|---|---|---|"]
    for level in manifest.levels(config):
        names = components_on(config, level) or ["(none: the core only)"]
        rows.append(f"| {level} | {config['_levels'][level]} | {', '.join(names)} |")
    return "\n".join(rows) + "\n"


def replace_table(readme, table):
    """The README's text with its ladder table (the header line and the rows under it, up to
    the first line that is not a table row) replaced."""
    lines = readme.splitlines(keepends=True)
    starts = [index for index, line in enumerate(lines) if line.rstrip("\n") == HEADER]
    if len(starts) != 1:
        raise ValueError(f"README.md must hold the line {HEADER!r} exactly once")
    end = starts[0]
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "".join(lines[: starts[0]]) + table + "".join(lines[end:])


def run(root, write):
    """Print the table, or write it into the README of the template at ``root``."""
    table = render_ladder_table(manifest.load_config(root))
    if not write:
        print(table, end="")
        return
    readme = Path(root, "README.md")
    readme.write_text(replace_table(readme.read_text(encoding="utf-8"), table), encoding="utf-8")


def main(argv=None):
    """Print or write the table; a problem with the input is one line on stderr."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="replace the table in README.md")
    parser.add_argument(
        "--root", type=Path, default=manifest.ROOT, help="the template's folder (default: this one)"
    )
    args = parser.parse_args(argv)
    try:
        run(args.root, args.write)
    except (OSError, ValueError, KeyError) as error:
        # json.JSONDecodeError is a ValueError; OSError covers a missing file or folder.
        detail = error if not isinstance(error, KeyError) else f"cookiecutter.json lacks {error}"
        sys.exit(f"ladder.py: {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
