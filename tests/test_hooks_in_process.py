"""Running the hooks in the test process (tests/hooks_in_process.py) fails and passes as a
child process does, and changes nothing baked."""

import os

import hooks_in_process
import pytest
from cookiecutter import hooks
from cookiecutter.exceptions import FailedHookException
from test_jinja_cache import bake_tree

HOOKS = {
    "exit-none": ("import sys\nsys.exit()\n", None, ""),
    "exit-zero": ("import sys\nsys.exit(0)\n", None, ""),
    "exit-two": ("import sys\nsys.exit(2)\n", "exit status: 2", ""),
    "exit-message": ("import sys\nsys.exit('ERROR: no')\n", "exit status: 1", "ERROR: no\n"),
    "exception": ("raise ValueError('bad answer')\n", "exit status: 1", "ValueError: bad answer"),
}


@pytest.mark.parametrize("name", HOOKS)
def test_an_exit_status_or_exception_fails_as_a_child_would(name, tmp_path, capsys):
    """0 or no status passes; any other status, a message or an exception raises cookiecutter's
    FailedHookException with the child's exit status, and what it printed is on stderr."""
    source, failure, printed = HOOKS[name]
    script = tmp_path / "hook.py"
    script.write_text(source, encoding="utf-8")
    if failure is None:
        hooks_in_process.run_script(str(script), tmp_path)
    else:
        with pytest.raises(FailedHookException, match=failure):
            hooks_in_process.run_script(str(script), tmp_path)
    stderr = capsys.readouterr().err
    assert printed in stderr and bool(printed) == bool(stderr), stderr


def test_the_hook_runs_as_main_in_its_folder_and_the_cwd_is_restored(tmp_path, monkeypatch):
    """The hook sees ``__name__ == "__main__"`` and the project folder as its cwd; the test
    process's cwd is back afterwards."""
    monkeypatch.chdir(tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    script = tmp_path / "hook.py"
    script.write_text(
        "import pathlib\nif __name__ == '__main__':\n"
        "    pathlib.Path('ran-here').write_text('yes')\n",
        encoding="utf-8",
    )
    hooks_in_process.run_script(str(script), project)
    assert (project / "ran-here").read_text(encoding="utf-8") == "yes"
    assert not (tmp_path / "ran-here").exists()
    assert os.getcwd() == str(tmp_path)


def test_bakes_with_hooks_in_process_equal_bakes_with_child_processes(
    tmp_path, cookiecutter_config, monkeypatch
):
    """Every file, mode and folder of a top-level bake is the same with the hooks run in the
    test process as in children (the session installs it for every test; undone here)."""
    assert hooks.run_script is hooks_in_process.run_script
    in_process = bake_tree(tmp_path / "in-process", cookiecutter_config)
    monkeypatch.setattr(hooks, "run_script", hooks_in_process.run_in_a_child)
    assert in_process == bake_tree(tmp_path / "children", cookiecutter_config)
