"""Ask binaryornot once per template file and test process, however many bakes copy it.

For every file it generates, cookiecutter asks binaryornot whether to render the file or copy
it as it is; binaryornot reads the file's first kilobyte and computes its byte statistics each
time, about a tenth of a bake's time in the combination tests. The verdict depends only on the
file's bytes, so the tests keep it per absolute path, size and modification time: an edited
file, or a copy of the template elsewhere, is asked again. What is baked is unchanged.
"""

import functools
import os

from cookiecutter import generate


def asking_once(is_binary):
    """Wrap is_binary so a file asked about before, unchanged, gets the same verdict."""
    verdicts = {}

    @functools.wraps(is_binary)
    def is_binary_cached(path):
        """is_binary(path), reused while the file keeps its path, size and modification time."""
        status = os.stat(path)
        key = (os.path.abspath(path), status.st_size, status.st_mtime_ns)
        if key not in verdicts:
            verdicts[key] = is_binary(path)
        return verdicts[key]

    return is_binary_cached


def install(monkeypatch):
    """Reuse binaryornot's verdicts for as long as ``monkeypatch`` lasts."""
    monkeypatch.setattr(generate, "is_binary", asking_once(generate.is_binary))
