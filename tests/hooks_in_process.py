"""Run the template's rendered hooks inside the test process, not in a Python of their own.

cookiecutter runs each hook as ``python <rendered hook>`` in the project's folder: two
interpreters started per bake, each importing what the hook imports (PyYAML among them). The
suite bakes thousands of projects, and those start-ups cost it more CPU than the hooks' work.
Here the rendered file runs through ``runpy`` with the same ``__main__`` name, in the same
folder, and its exit status becomes what cookiecutter makes of a child's: 0 (or none) passes,
anything else raises FailedHookException with cookiecutter's own wording. An exception the hook
does not catch is a child's traceback and exit status 1: printed to stderr, then the same
failure.

What differs from a child process: modules the hooks import stay imported between bakes (the
hooks keep no state in them), and the hook's output goes through this process's sys.stdout and
sys.stderr. The tests that run cookiecutter's and cruft's command lines (test_interactive,
test_invalid_input, test_cruft_update) still run the hooks in a child process, as users do.
"""

import contextlib
import runpy
import sys
import traceback

from cookiecutter import hooks
from cookiecutter.exceptions import FailedHookException

# cookiecutter's own, which starts a child process: the tests compare bakes with it.
run_in_a_child = hooks.run_script


def exit_status(stop):
    """The exit status a child would have had for ``SystemExit(stop.code)``: a message is
    printed to stderr and gives 1, as the interpreter does."""
    if stop.code is None or isinstance(stop.code, int):
        return stop.code or 0
    print(stop.code, file=sys.stderr)
    return 1


def run_script(script_path, cwd="."):
    """Run the Python hook at ``script_path`` in ``cwd`` as cookiecutter's run_script does,
    in this process."""
    status = 0
    with contextlib.chdir(cwd):
        try:
            runpy.run_path(str(script_path), run_name="__main__")
        except SystemExit as stop:
            status = exit_status(stop)
        except Exception:  # pylint: disable=broad-exception-caught  # a child's traceback
            traceback.print_exc()
            status = 1
    if status != 0:
        raise FailedHookException(f"Hook script failed (exit status: {status})")


def install(monkeypatch):
    """Run the Python hooks in this process for as long as ``monkeypatch`` lasts."""
    monkeypatch.setattr(hooks, "run_script", run_script)
