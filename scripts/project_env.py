"""The environment a generated project's commands run in, alike for the demo, the tests and the
benchmarks.

- This interpreter's bin folder, and so uv, which the projects' Makefiles call, is on PATH.
- Python writes the bytecode of what it imports, once, as on a developer's machine: with
  PYTHONDONTWRITEBYTECODE (which some CI machines set) every command would compile
  scikit-learn, pandas and MLflow again. Compiling every installed module at install time
  instead (UV_COMPILE_BYTECODE) costs about 30 CPU-seconds per level-4 install, mostly on
  modules that no command imports.
- MLflow and DVC are told not to report usage, which would only look up hosts that an offline
  machine cannot reach.
"""

import os
import sys
from pathlib import Path

QUIET = {"MLFLOW_DISABLE_TELEMETRY": "true", "DVC_NO_ANALYTICS": "1"}
NO_BYTECODE = "PYTHONDONTWRITEBYTECODE"


def project_env(*bin_dirs: Path | str, **extra: str) -> dict[str, str]:
    """The environment, with ``bin_dirs`` (a project's .venv/bin, say) first on PATH, then this
    interpreter's, and ``extra`` variables on top."""
    path = [*map(str, bin_dirs), str(Path(sys.executable).parent), os.environ.get("PATH", "")]
    kept = {name: value for name, value in os.environ.items() if name != NO_BYTECODE}
    return {**kept, **QUIET, "PATH": os.pathsep.join(path), **extra}
