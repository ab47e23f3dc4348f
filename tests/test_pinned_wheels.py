"""Every pinned requirement has a wheel for every Python version the template offers.

A pin without a wheel for, say, Python 3.14 makes ``make install`` compile from source (or
fail) for whoever picks that version. pip can answer offline-of-installation: ``pip download
--only-binary=:all: --python-version X`` resolves exactly the wheels an install would need.
"""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import manifest
import template_model

pytestmark = [pytest.mark.slow, pytest.mark.network]

CONFIG = manifest.load_config()
PIN_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?)\s*==\s*([^\s;#]+)")


def all_on_combination(config):
    """Every component on (its first on value), which bakes every requirements file."""
    return {
        name: next(value for value in spec["files"] if manifest.is_on(value))
        for name, spec in manifest.components(config).items()
    }


def pins_of(project_dir):
    """Every ``name==version`` of the requirements files and the build-system requires."""
    pins = set()
    for path in Path(project_dir).rglob("requirements*.txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = PIN_RE.match(line)
            if match:
                pins.add(f"{match.group(1)}=={match.group(3)}")
    pyproject = tomllib.loads(Path(project_dir, "pyproject.toml").read_text(encoding="utf-8"))
    pins.update(req for req in pyproject["build-system"]["requires"] if "==" in req)
    return sorted(pins)


def pip_python():
    """A Python that has pip (a uv-made venv has none; the system Python does)."""
    for candidate in (sys.executable, "python3"):
        probe = subprocess.run(
            [candidate, "-m", "pip", "--version"], capture_output=True, check=False
        )
        if probe.returncode == 0:
            return candidate
    pytest.skip("no Python with pip available")
    return None


@pytest.fixture(name="requirements", scope="module")
def fixture_requirements(tmp_path_factory, cookies_session):
    """A requirements file with every pin of the all-components-on bake."""
    output = tmp_path_factory.mktemp("all-on")
    context = template_model.combination_context(
        CONFIG, all_on_combination(CONFIG), manifest.levels(CONFIG)[-1]
    )
    result = cookies_session.bake(extra_context=context)
    assert result.exception is None, repr(result.exception)
    pins = pins_of(result.project_path)
    assert pins, "no pinned requirement found"
    path = output / "all-pins.txt"
    path.write_text("\n".join(pins) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("python_version", CONFIG["_python_versions"])
def test_every_pin_has_a_wheel(python_version, requirements, tmp_path):
    """One pip invocation per offered Python version resolves every pin to a wheel."""
    command = [pip_python(), "-m", "pip", "download", "--only-binary=:all:"]
    command += ["--python-version", python_version, "--no-deps", "--quiet"]
    command += ["--disable-pip-version-check", "-d", str(tmp_path), "-r", str(requirements)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=900)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    pins = requirements.read_text(encoding="utf-8").split()
    assert len(list(tmp_path.glob("*.whl"))) == len(pins)
