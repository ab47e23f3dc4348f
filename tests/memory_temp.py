"""The run's temporary files in memory (a tmpfs), where the machine has one with room for them.

A run writes and deletes hundreds of thousands of files: every bake, every installed
virtualenv, every hook and copier clone. On a disk mounted with ``discard``, as this project's
CI machine's is, the kernel spent more CPU on that than on anything the quick tests do: 126 of
their 400 CPU-seconds, 37 of 310 with the files in memory (``make test-quick``, 214 s -> 170 s).

The controller process of a run makes one folder in MEMORY_FOLDER, and puts there pytest's base
temp folder (the xdist workers' are inside it) and TMPDIR (which the workers and every command
the tests start inherit). The folder is deleted when the run ends; one left by a run that was
killed is deleted by the next run. ``--basetemp`` keeps the files where it says, and so does a
machine without the room.
"""

import os
import re
import shutil
import tempfile
from pathlib import Path

MEMORY_FOLDER = Path("/dev/shm")
PREFIX = "template-tests-"
# Free space the folder needs. A full run peaked at 7.0 GiB there (the virtualenvs of the levels:
# uv copies them, since it cannot link from its cache on disk), the quick tests at 0.5 GiB.
ROOM_NEEDED = 12 * 2**30


def has_room(folder=MEMORY_FOLDER, needed=ROOM_NEEDED):
    """Whether ``folder`` exists and has ``needed`` bytes free."""
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize >= needed


def process_gone(pid):
    """Whether no process has this id any more."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's process
        return False
    return False


def delete_abandoned(folder=MEMORY_FOLDER):
    """Delete the folders of runs whose process is gone (killed before they could clean up)."""
    for path in folder.glob(f"{PREFIX}*"):
        match = re.fullmatch(rf"{PREFIX}(\d+)-.*", path.name)
        if match and process_gone(int(match[1])):
            shutil.rmtree(path, ignore_errors=True)


def use_memory(config, memory=MEMORY_FOLDER):
    """Put the run's temporary files in a new folder in ``memory``, deleted when the run ends;
    nothing when ``--basetemp`` is given, in a worker (it inherits the controller's) or without
    the room. The folder, or None."""
    if hasattr(config, "workerinput") or config.option.basetemp is not None:
        return None
    if not has_room(memory):
        return None
    delete_abandoned(memory)
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=memory))
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    config.option.basetemp = str(folder / "pytest")
    # As /tmp: the servers that run as another user (PostgreSQL as postgres, the replayed
    # image as its own user) get folders in TMPDIR, which that user must reach and write.
    folder.chmod(0o755)
    scratch = folder / "tmp"
    scratch.mkdir()
    scratch.chmod(0o1777)
    os.environ["TMPDIR"] = str(scratch)
    tempfile.tempdir = None  # gettempdir() reads TMPDIR again
    return folder
