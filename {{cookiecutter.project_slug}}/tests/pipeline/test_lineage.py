"""Tests of lineage: the fingerprints that tie a model to its data, settings and code."""

import hashlib
import subprocess

import pytest

from {{ cookiecutter.package_name }}.pipeline.lineage import (
    code_version,
    collect_lineage,
    file_sha256,
    settings_sha256,
)

GIT = ("git", "-c", "user.name=Tests", "-c", "user.email=tests@example.invalid")


def test_file_hash_is_the_sha256_of_its_bytes(config):
    """The data hash can be checked with any SHA-256 tool (sha256sum)."""
    data = config.data.path
    assert file_sha256(data) == hashlib.sha256(data.read_bytes()).hexdigest()


def test_settings_hash_ignores_order_but_not_values():
    """Reordering keys keeps the hash; changing a value changes it."""
    settings = {"seed": 1, "model": {"estimator": "ridge", "params": {"alpha": 3}}}
    reordered = {"model": {"params": {"alpha": 3}, "estimator": "ridge"}, "seed": 1}
    assert settings_sha256(settings) == settings_sha256(reordered)
    assert settings_sha256(settings) != settings_sha256({**settings, "seed": 2})


@pytest.fixture(name="repository")
def fixture_repository(tmp_path, monkeypatch):
    """A git repository with one commit, as the working directory."""
    monkeypatch.chdir(tmp_path)
    subprocess.run([*GIT, "init", "-q"], check=True)
    (tmp_path / "code.py").write_text("VALUE = 1\n", encoding="utf-8")
    subprocess.run([*GIT, "add", "code.py"], check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "first"], check=True)
    return tmp_path


def test_code_version_is_the_commit_and_whether_it_is_dirty(repository):
    """Clean right after the commit; dirty once a tracked file changes."""
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert code_version() == {"git_commit": head, "git_dirty": "false"}
    (repository / "code.py").write_text("VALUE = 2\n", encoding="utf-8")
    assert code_version() == {"git_commit": head, "git_dirty": "true"}


def test_code_version_is_empty_outside_a_repository(tmp_path, monkeypatch):
    """Without a repository there is no commit to record, and no error either."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert not code_version()


def test_lineage_holds_every_fingerprint(config):
    """Data path and hash, settings hash, and the code version when there is one."""
    lineage = collect_lineage(config)
    assert lineage["data_sha256"] == file_sha256(config.data.path)
    assert lineage["config_sha256"] == settings_sha256(config.settings)
    assert lineage["data_path"] == config.data.path.as_posix()
