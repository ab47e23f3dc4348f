"""Lineage: what a model was made from, recorded with every run.

Three fingerprints tie a model to its inputs: the SHA-256 of the data file, a hash of the
training settings and the git commit of the code. With them, anyone holding the model can tell
whether it was trained on today's data, with today's settings and today's code, and rebuild it.
"""

import hashlib
import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .config import TrainConfig

CHUNK_SIZE = 1 << 20


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks so large files need little memory."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def settings_sha256(settings: Mapping[str, Any]) -> str:
    """SHA-256 of the settings themselves: comments, key order and layout do not change it."""
    canonical = json.dumps(settings, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def git(*args: str) -> str | None:
    """Output of a git command in the working directory, or None without git or a repository."""
    try:
        completed = subprocess.run(
            ["git", *args], capture_output=True, text=True, check=False, timeout=30
        )
    except OSError:
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def code_version() -> dict[str, str]:
    """The git commit, and whether uncommitted changes mean the commit does not say it all."""
    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"git_commit": commit, "git_dirty": str(bool(status)).lower()}


def collect_lineage(config: TrainConfig) -> dict[str, str]:
    """Every fingerprint of a run, as strings (what MLflow tags and JSON both hold)."""
    return {
        "data_path": config.data.path.as_posix(),
        "data_sha256": file_sha256(config.data.path),
        "config_sha256": settings_sha256(config.settings),
        **code_version(),
    }
