"""Records which test reads which of a generated project's files, in every Python process.

Python imports ``sitecustomize`` at start-up from its path. With this folder on PYTHONPATH and
FILE_READS_LOG set, each process of a project's ``make test`` (the pytest workers and the
commands the tests start) adds an audit hook. The hook appends one line to FILE_READS_LOG per
opening or listing of a path FILE_READS_WATCH names, or of one inside it (relative to the
project, FILE_READS_ROOT; separated by os.pathsep), with the test that did it: the test module
on the call stack, else, in a command a test started, the module of the test pytest says is
running (PYTEST_CURRENT_TEST, which the command inherits), else null. tests/project_reads.py
reads it.
"""

import json
import os
import sys

WATCHED_EVENTS = frozenset({"open", "os.listdir", "os.scandir"})


def reading_test(root):
    """The project's test module that is reading: the innermost on the stack, else the running
    test's (a command a test started), else None (no test is running: imports, collection)."""
    tests = os.path.join(root, "tests", "")
    frame = sys._getframe(2)  # pylint: disable=protected-access
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if filename.startswith(tests) and os.path.basename(filename).startswith("test_"):
            return os.path.relpath(filename, root)
        frame = frame.f_back
    current = os.environ.get("PYTEST_CURRENT_TEST")
    return current.split("::")[0] if current else None


def opened_path(event, args):
    """The absolute, normalised path an audited event reads, or None. Every import raises
    "open" events: the cheap tests go first.

    os.open's event has no mode (None) and not its dir_fd: a relative path there may be relative
    to a folder descriptor (shutil.rmtree opens so), not to the working folder, so it is left
    out. The project's code and libraries read files with open(), whose event has the mode.
    """
    if event not in WATCHED_EVENTS or not args or not isinstance(args[0], (str, bytes)):
        return None
    path = os.fsdecode(args[0])
    if not os.path.isabs(path):
        if event == "open" and args[1] is None:
            return None
        path = os.path.join(os.getcwd(), path)
    return os.path.normpath(path)


def install(log, root, watched):
    """Add the hook that appends each read of a ``watched`` path of ``root``, or of one inside
    it, to ``log``."""
    paths = tuple(os.path.join(root, watched_path) for watched_path in watched)
    inside = tuple(os.path.join(watched_path, "") for watched_path in paths)

    def hook(event, args):
        path = opened_path(event, args)
        if path is not None and (path in paths or path.startswith(inside)):
            line = json.dumps({"path": os.path.relpath(path, root), "test": reading_test(root)})
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")

    sys.addaudithook(hook)


if os.environ.get("FILE_READS_LOG"):
    install(
        os.environ["FILE_READS_LOG"],
        os.path.realpath(os.environ["FILE_READS_ROOT"]),
        os.environ["FILE_READS_WATCH"].split(os.pathsep),
    )
