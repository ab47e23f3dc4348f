"""What a generated project's Dockerfile builds, replayed without a Docker engine.

No Docker engine runs on these machines, so the image is rebuilt by reading the Dockerfile
(dockerfile-parse) and doing what each instruction does, in a folder per stage that stands for
the image's ``/``:

- the builder stage: COPY puts the named project files in its WORKDIR, ``python -m venv`` makes
  a fresh virtualenv from an interpreter of the image's Python version, and ``pip install`` runs
  as ``uv pip install`` with the same arguments (so the runtime requirements and the package,
  not editable, and nothing of the development requirements);
- the runtime stage: ``COPY --from`` moves the builder's virtualenv across, COPY adds its own
  project files, ``mkdir`` and ``chown`` make the folders its USER may write, ENV sets the
  environment; nothing else of the project reaches it.

The CMD then runs in the runtime stage's WORKDIR, as the USER's uid and gid (``setpriv``
switches to them when the tests run as root), with the stage's files read-only except those
folders, HOME in a temporary folder (the Deployment's emptyDir on /tmp) and an environment
holding only the base image's and the Dockerfile's variables plus what the caller adds. A RUN
command the replay does not know fails, naming it, so a Dockerfile that grows a step cannot
leave this replay behind without a test noticing.

Not replayed: the base image itself (the host's interpreter of the same Python version stands
in for python:<version>-slim), .dockerignore (the copied paths hold none of what it excludes)
and HEALTHCHECK's timing (its command is run once, by ``healthcheck``).
"""

import contextlib
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import loopback
from dockerfile_parse import DockerfileParser
from template_model import tool

# What python:<version>-slim sets before the Dockerfile's own ENV.
BASE_IMAGE_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
}
# Instructions that change nothing the replay runs.
IGNORED = {"COMMENT", "ARG", "LABEL"}
FROM_STAGE = re.compile(r"^--from=(\S+)$")


class ReplayError(Exception):
    """The Dockerfile holds something the replay cannot do as Docker would."""


def default_args(instructions):
    """The ARG defaults of the Dockerfile (``ARG NAME=value``), by name."""
    args = {}
    for instruction in instructions:
        if instruction["instruction"] == "ARG" and "=" in instruction["value"]:
            name, value = instruction["value"].split("=", 1)
            args[name.strip()] = value.strip()
    return args


def python_version(dockerfile):
    """The Python version of the base image: the default of ARG PYTHON_VERSION."""
    parser = DockerfileParser(path=str(dockerfile))
    return default_args(parser.structure)["PYTHON_VERSION"]


def workdir(dockerfile):
    """Where the image runs its commands: the Dockerfile's last WORKDIR."""
    parser = DockerfileParser(path=str(dockerfile))
    workdirs = [item["value"] for item in parser.structure if item["instruction"] == "WORKDIR"]
    return PurePosixPath(workdirs[-1])


def switches_user():
    """Whether the replay runs the image's command as the image's user: only root can."""
    return os.geteuid() == 0


def runnable_by_anyone(path):
    """Whether a user other than the owner can run ``path``: it and every folder above it
    grant others execute permission (the image's user is nobody the host knows)."""
    resolved = Path(path).resolve()
    return all(part.stat().st_mode & stat.S_IXOTH for part in [resolved, *resolved.parents])


@dataclass
class Stage:
    """One build stage: the folder standing for its ``/``, and what its instructions set."""

    root: Path
    workdir: str = "/"
    env: dict = field(default_factory=dict)
    user: tuple = (0, 0)
    writable: list = field(default_factory=list)
    venv: Path | None = None
    # What the image runs and where it listens: CMD and HEALTHCHECK's command, in exec form,
    # and the port EXPOSE declares.
    commands: dict = field(default_factory=dict)

    def path(self, image_path):
        """The replay's folder for a path of the image, relative ones under WORKDIR."""
        absolute = Path(self.workdir, image_path)
        return self.root / absolute.relative_to("/")


class ImageReplay:  # pylint: disable=too-few-public-methods  # a builder: build() is the point
    """Builds the stages of ``project``'s Dockerfile under ``root`` with ``interpreter``."""

    def __init__(self, project, root, interpreter):
        self.project = Path(project)
        self.root = Path(root)
        self.interpreter = interpreter
        self.stages = {}
        self.stage = None
        # The uid each user name of useradd, and the gid each group name of groupadd, stands
        # for: a user and a group may share a name.
        self.names = {"useradd": {}, "groupadd": {}}

    def build(self):
        """Replay every instruction; return the last stage, the one the image runs."""
        parser = DockerfileParser(path=str(self.project / "Dockerfile"))
        for instruction in parser.structure:
            self.apply(instruction["instruction"], instruction["value"])
        return self.stage

    def apply(self, instruction, value):
        """Do what one instruction does."""
        handlers = {
            "FROM": self.start_stage,
            "WORKDIR": self.set_workdir,
            "ENV": self.set_env,
            "COPY": self.copy,
            "RUN": self.run,
            "USER": self.set_user,
            "CMD": self.set_cmd,
            "HEALTHCHECK": self.set_healthcheck,
            "EXPOSE": self.expose,
        }
        if instruction in IGNORED:
            return
        if instruction not in handlers:
            raise ReplayError(f"the replay does not know the instruction {instruction} {value}")
        handlers[instruction](value)

    def start_stage(self, value):
        """FROM image AS name: a new, empty stage."""
        words = value.split()
        name = words[-1] if len(words) == 3 and words[1].upper() == "AS" else str(len(self.stages))
        self.stage = Stage(self.root / name, env=dict(BASE_IMAGE_ENV))
        self.stage.root.mkdir(parents=True)
        self.stages[name] = self.stage

    def set_workdir(self, value):
        """WORKDIR: created, and the base of relative paths from now on."""
        self.stage.workdir = str(Path(self.stage.workdir, value))
        self.stage.path(".").mkdir(parents=True, exist_ok=True)

    def set_env(self, value):
        """ENV NAME=value ...: values may use earlier variables ($PATH)."""
        for assignment in shlex.split(value):
            name, raw = assignment.split("=", 1)
            self.stage.env[name] = re.sub(
                r"\$\{?(\w+)\}?", lambda match: self.stage.env.get(match[1], ""), raw
            )

    def copy(self, value):
        """COPY sources dest, from the project, or --from=stage path path (moved across)."""
        words = value.split()
        source_stage = FROM_STAGE.match(words[0])
        if source_stage:
            source, destination = words[1:]
            moved = self.stages[source_stage[1]].path(source)
            self.stage.path(destination).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(moved, self.stage.path(destination))
            if self.stages[source_stage[1]].venv == moved:
                self.stage.venv = self.stage.path(destination)
            return
        *sources, destination = words
        target = self.stage.path(destination)
        for source in sources:
            origin = self.project / source
            place = target / origin.name if destination.endswith("/") else target
            place.parent.mkdir(parents=True, exist_ok=True)
            if origin.is_dir():
                shutil.copytree(origin, place)
            else:
                shutil.copy2(origin, place)

    def run(self, value):
        """RUN a && b: each command the replay knows, in order."""
        for command in value.split("&&"):
            self.run_one(shlex.split(command))

    def run_one(self, argv):
        """One shell command of a RUN instruction."""
        if argv[:3] == ["python", "-m", "venv"]:
            self.stage.venv = self.stage.path(argv[3])
            uv_command = [tool("uv"), "venv", "--quiet", "--python", self.interpreter]
            self.uv([*uv_command, self.stage.venv])
        elif argv[:2] == ["pip", "install"]:
            options = [word for word in argv[2:] if word != "--no-cache-dir"]
            python = self.stage.venv / "bin" / "python"
            self.uv([tool("uv"), "pip", "install", "--quiet", "--python", python, *options])
        elif argv[0] in ("groupadd", "useradd"):
            self.add_name(argv)
        elif argv[:2] == ["mkdir", "-p"]:
            for folder in argv[2:]:
                self.stage.path(folder).mkdir(parents=True, exist_ok=True)
        elif argv[0] == "chown":
            self.chown(argv[1], argv[2:])
        else:
            raise ReplayError(f"the replay does not know RUN {shlex.join(argv)}")

    def uv(self, command):
        """Run uv in the stage's WORKDIR; a failure names the command and its output."""
        completed = subprocess.run(
            [str(part) for part in command],
            cwd=self.stage.path("."),
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        if completed.returncode:
            raise ReplayError(f"{shlex.join(map(str, command))}:\n{completed.stderr[-4000:]}")

    def add_name(self, argv):
        """groupadd --gid N name / useradd --uid N ... name: the number a name stands for."""
        option = {"groupadd": "--gid", "useradd": "--uid"}[argv[0]]
        if option in argv:
            self.names[argv[0]][argv[-1]] = int(argv[argv.index(option) + 1])

    def chown(self, owner, folders):
        """chown user:group folder...: the folders the image's user may write."""
        user, group = owner.split(":")
        ids = (self.names["useradd"].get(user, user), self.names["groupadd"].get(group, group))
        for folder in folders:
            self.stage.writable.append((self.stage.path(folder), tuple(map(int, ids))))

    def set_user(self, value):
        """USER uid:gid, numeric as the Dockerfile writes it."""
        uid, gid = value.split(":")
        self.stage.user = (int(uid), int(gid))

    def set_cmd(self, value):
        """CMD in exec form."""
        self.stage.commands["CMD"] = json.loads(value)

    def expose(self, value):
        """EXPOSE port: where the CMD listens, which HEALTHCHECK's command calls."""
        self.stage.commands["EXPOSE"] = value.split("/")[0]

    def set_healthcheck(self, value):
        """HEALTHCHECK [options] CMD [...]: the command, in exec form."""
        self.stage.commands["HEALTHCHECK"] = json.loads(value[value.index("CMD") + 3 :])


@dataclass
class Image:
    """A replayed runtime stage, ready to run as its user with its files read-only."""

    stage: Stage
    home: Path

    def environment(self, extra):
        """The stage's ENV with image paths mapped to the replay's folders, HOME and ``extra``."""
        env = {}
        for name, value in self.stage.env.items():
            env[name] = ":".join(self.mapped(part) for part in value.split(":"))
        return {**env, "HOME": str(self.home), **extra}

    def mapped(self, value):
        """An absolute image path that exists in the stage, as the replay's folder."""
        if value.startswith("/") and self.stage.path(value).exists():
            return str(self.stage.path(value))
        return value

    def as_user(self, argv):
        """``argv`` run as the image's user: setpriv when we are root, as is otherwise."""
        if not switches_user():
            return list(argv)
        uid, gid = self.stage.user
        return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--", *argv]

    def command(self, port):
        """CMD, listening on loopback at ``port`` instead of the image's address."""
        argv = list(self.stage.commands["CMD"])
        for option, value in (("--host", "127.0.0.1"), ("--port", str(port))):
            if option not in argv:
                raise ReplayError(f"the image's CMD has no {option}: {argv}")
            argv[argv.index(option) + 1] = value
        return self.as_user(argv)

    @contextlib.contextmanager
    def serving(self, port, extra_env, log):
        """Run the image's CMD until the block ends, once /health answers; yields its URL."""
        base = f"http://127.0.0.1:{port}"
        env = self.environment(extra_env)
        with loopback.running(self.command(port), self.stage.path("."), env, f"{base}/health", log):
            yield base

    def healthcheck_command(self, port):
        """HEALTHCHECK's command, calling ``port`` where it calls the exposed port."""
        exposed = f":{self.stage.commands['EXPOSE']}/"
        argv = [part.replace(exposed, f":{port}/") for part in self.stage.commands["HEALTHCHECK"]]
        return self.as_user(argv)

    def healthcheck(self, port, extra_env):
        """Run HEALTHCHECK's command once against ``port``; its CompletedProcess."""
        return subprocess.run(
            self.healthcheck_command(port),
            cwd=self.stage.path("."),
            env=self.environment(extra_env),
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )


def make_read_only(stage):
    """Every file of the stage read-only, but for the folders its user may write (theirs)."""
    for folder, _, files in os.walk(stage.root):
        for name in [folder, *(os.path.join(folder, file) for file in files)]:
            if not os.path.islink(name):
                mode = os.stat(name).st_mode
                os.chmod(name, mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    for folder, (uid, gid) in stage.writable:
        os.chmod(folder, 0o755)
        if switches_user():
            os.chown(folder, uid, gid)
        else:
            os.chmod(folder, 0o700)


def make_writable(root):
    """Undo make_read_only, so the replay's folder can be deleted."""
    for folder, _, files in os.walk(root):
        for name in [folder, *(os.path.join(folder, file) for file in files)]:
            if not os.path.islink(name):
                os.chmod(name, os.stat(name).st_mode | stat.S_IWUSR)


@contextlib.contextmanager
def built(project, interpreter):
    """The image of ``project`` replayed with ``interpreter``; deleted when the block ends.

    The folder is world-readable, as the image's files are, so its user reaches them.
    """
    root = Path(tempfile.mkdtemp(prefix="image-replay-"))
    try:
        root.chmod(0o755)
        stage = ImageReplay(project, root / "stages", interpreter).build()
        home = root / "home"
        home.mkdir()
        if switches_user():
            os.chown(home, *stage.user)
        make_read_only(stage)
        yield Image(stage, home)
    finally:
        make_writable(root)
        shutil.rmtree(root, ignore_errors=True)
