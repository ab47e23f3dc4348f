"""The template's own Python (hooks, tests, scripts, benchmarks) meets the bar it sets.

Generated projects must be black-clean and rated 10.00/10 by pylint; the code that makes
and checks them is held to the same standard, with the settings in the root pyproject.toml.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ["hooks", "tests", "scripts", "benchmarks"]


def run_tool(*command):
    """Run a tool of this virtualenv from the repository root; return its combined output."""
    tool = Path(sys.executable).parent / command[0]
    result = subprocess.run(
        [str(tool), *command[1:]], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return result.returncode, result.stdout + result.stderr


def test_template_code_is_black_clean():
    """black --check reports nothing to reformat."""
    code, output = run_tool("black", "--check", *CHECKED)
    assert code == 0, output


@pytest.mark.slow
def test_template_code_is_rated_ten_by_pylint():
    """pylint finds nothing at all: rated 10.00/10."""
    code, output = run_tool("pylint", *CHECKED)
    assert code == 0 and "rated at 10.00/10" in output, output
