"""The template's --write scripts (copier_questions.py, ladder.py) run on copies of its files.

Their tests give them a copy to write (``--root``), so the repository's own files are never
touched, and check that input they cannot work from is refused in one line, with the file
they write left as it was.
"""

import pytest

from manifest import ROOT


def template_copy(destination, *names):
    """The named files of the template copied into ``destination``, which is returned."""
    for name in names:
        (destination / name).write_bytes((ROOT / name).read_bytes())
    return destination


def one_line_refusal(main, root, written):
    """Run a script's ``main`` with --write on the copy at ``root``: the message it exits with,
    after checking it is one line and that ``written`` is unchanged."""
    before = (root / written).read_text(encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        main(["--write", "--root", str(root)])
    assert (root / written).read_text(encoding="utf-8") == before
    message = str(stopped.value)
    assert "\n" not in message, message
    return message
