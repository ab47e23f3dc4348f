"""The template's own Python (hooks, tests, scripts, benchmarks) meets the bar it sets.

Generated projects must be black-clean and rated 10.00/10 by pylint; the code that makes
and checks them is held to the same standard, with the settings in the root pyproject.toml.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import loopback
import manifest
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


def run_make(*arguments):
    """Run one of the template's make targets from the repository root: (status, output)."""
    result = subprocess.run(
        ["make", "--no-print-directory", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.mark.slow
def test_make_lint_rates_the_template_code_ten():
    """`make lint`, as the README gives it: black finds nothing, pylint rates 10.00/10."""
    code, output = run_make("lint")
    assert code == 0 and "rated at 10.00/10" in output, output


@pytest.mark.slow
def test_make_benchmark_prints_bakes_per_second_for_every_level():
    """`make benchmark` (one short round, without the suite run) prints a rate per level."""
    code, output = run_make("benchmark", "BENCH_ARGS=--rounds 1 --bakes 1 --suite-runs 0")
    assert code == 0, output
    rows = re.findall(r"^ +(\d+) +([\d.]+) \(.*\) +([\d.]+) \(", output, re.MULTILINE)
    assert [level for level, _, _ in rows] == manifest.levels(manifest.load_config()), output
    assert all(float(plain) > 0 and float(reused) > 0 for _, plain, reused in rows), output


def test_make_docs_serve_serves_the_site_on_the_address_given(tmp_path):
    """`make docs-serve` builds the site and serves its pages where DOCS_ADDR says."""
    port = loopback.free_port()
    base = f"http://127.0.0.1:{port}"
    command = ["make", "--no-print-directory", "docs-serve", f"DOCS_ADDR=127.0.0.1:{port}"]
    with loopback.running(command, ROOT, dict(os.environ), f"{base}/", tmp_path / "log"):
        assert "The maturity ladder" in loopback.text(f"{base}/ladder.html")


def test_make_clean_removes_what_the_targets_make(tmp_path):
    """`make clean`, in a copy of the Makefile's folder: the virtualenv, build output, the site
    and caches go; sources stay."""
    shutil.copy(ROOT / "Makefile", tmp_path)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    made = [
        ".venv/bin/python",
        "build/demo/x",
        "site/index.html",
        ".pytest_cache/v",
        "a/__pycache__/m.pyc",
    ]
    for relative in made:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("", encoding="utf-8")
    (tmp_path / "a" / "kept.py").write_text("", encoding="utf-8")
    result = subprocess.run(
        ["make", "clean"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    left = sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*"))
    assert left == ["Makefile", "a", "a/kept.py", "pyproject.toml"], left
