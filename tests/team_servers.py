"""The servers a team runs beside its projects, started for one test: PostgreSQL and MLflow.

PostgreSQL comes from Debian's package (``.ci/run`` installs it); a cluster is made in a
temporary folder on a free loopback port and deleted afterwards. The MLflow tracking server
is the project's own ``make tracking-server``, run from the project's virtualenv with that
database as its store and a temporary folder as its artifact store, exactly as the generated
README tells a team to run it; ``make mlflow-ui`` starts the same way (mlflow_server).
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import loopback
import pytest
from installed_projects import subprocess_env


def postgres_bin_dir():
    """The folder of initdb and pg_ctl: Debian keeps them out of PATH, per major version."""
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if installed:
        return installed[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary folder, on a free loopback port, trusting local users.

    PostgreSQL refuses to run as root, so under root its commands run as the ``postgres``
    user the Debian package creates, which then owns the folder.
    """

    def __init__(self, bin_dir):
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="template-postgres-"))
        self.data = self.folder / "data"
        self.port = loopback.free_port()

    def command(self, program, *args):
        """A PostgreSQL program's command line, as the postgres user when we are root."""
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return [*as_postgres, str(self.bin_dir / program), *map(str, args)]

    def run(self, program, *args):
        """Run a PostgreSQL program; raise CalledProcessError with its output when it fails."""
        subprocess.run(
            self.command(program, *args),
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )

    def start(self):
        """Create and start the cluster with a database for MLflow; return its URI."""
        if os.geteuid() == 0:
            shutil.chown(self.folder, user="postgres")
        self.run("initdb", "--pgdata", self.data, "--username=postgres", "--auth=trust", "-N")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        log = self.folder / "server.log"
        self.run("pg_ctl", "--pgdata", self.data, "--log", log, "-o", options, "-w", "start")
        self.run("createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "mlflow")
        return f"postgresql://postgres@127.0.0.1:{self.port}/mlflow"

    def stop(self):
        """Stop the server at once and delete the cluster."""
        self.run("pg_ctl", "--pgdata", self.data, "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def unavailable(reason):
    """In CI a missing server is a failure (.ci/run installs it); elsewhere, a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must provide it (.ci/run installs it)")
    pytest.skip(reason)


@contextlib.contextmanager
def throwaway_postgresql():
    """The URI of a database on a throwaway PostgreSQL server, stopped when the block ends."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        unavailable("PostgreSQL is not installed (apt-get install -y postgresql)")
    server = ThrowawayPostgres(bin_dir)
    try:
        uri = server.start()
    except (OSError, subprocess.SubprocessError) as error:
        output = getattr(error, "stderr", "") or ""
        shutil.rmtree(server.folder, ignore_errors=True)
        unavailable(f"PostgreSQL did not start: {error} {output}".strip())
    try:
        yield uri
    finally:
        server.stop()


@contextlib.contextmanager
def mlflow_server(project, venv, targets, env, log_folder):
    """The make ``targets`` of ``project`` that start an MLflow server (the tracking server, or
    the UI), run on ``venv`` with ``env`` added and a free loopback port as MLFLOW_PORT, until
    the block ends; yields its URI and its process (the leader of its session) once /health
    answers. Its output goes to a log in ``log_folder``, named by its last target and port."""
    port = loopback.free_port()
    command = ["make", *targets, f"VENV={venv}", f"MLFLOW_PORT={port}"]
    uri = f"http://127.0.0.1:{port}"
    log = Path(log_folder) / f"{targets[-1]}-{port}.log"
    with loopback.running(command, project, subprocess_env(env), f"{uri}/health", log) as server:
        yield uri, server


@contextlib.contextmanager
def tracking_server(project, venv, store_uri, artifacts, targets=("tracking-server",)):
    """The make ``targets`` of ``project`` that run its tracking server, on a free loopback
    port, storing runs and models in ``store_uri`` and artifacts under ``artifacts``; yields
    its URI until the block ends.

    One worker: the tests send a handful of requests, and each worker costs an MLflow import.
    """
    env = {
        "MLFLOW_BACKEND_STORE_URI": store_uri,
        "MLFLOW_ARTIFACTS_DESTINATION": str(artifacts),
        "MLFLOW_WORKERS": "1",
    }
    with mlflow_server(project, venv, targets, env, Path(artifacts).parent) as (uri, _):
        yield uri
