"""Start a generated project's server on loopback and talk to it, with the standard library only.

The demo, the serving benchmark and the serving tests all start servers in a subprocess and
wait for them to be ready; they share this module so the waiting, the port choice and the
shutdown behave the same everywhere (and a server is never left running).
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STARTUP_SECONDS = 120


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: its status and decoded JSON body (None when the body is not JSON)."""

    status: int
    body: Any


def free_port(ports: range | None = None) -> int:
    """A loopback port that nothing listens on right now: one the OS picks, or the first free
    one of ``ports`` (where a firewall or a shared machine allows only some)."""
    candidates = ports if ports is not None else range(1)  # port 0: the OS chooses
    for port in candidates:
        with socket.socket() as probe, contextlib.suppress(OSError):
            probe.bind(("127.0.0.1", port))
            return probe.getsockname()[1]
    raise RuntimeError(f"no free loopback port from {candidates.start} to {candidates.stop - 1}")


def request(url: str, payload: object = None, headers: dict | None = None) -> Answer:
    """GET ``url``, or POST ``payload`` as JSON; error statuses are answers, not exceptions."""
    data = None if payload is None else json.dumps(payload).encode()
    sent = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    for name, value in (headers or {}).items():
        sent.add_header(name, value)
    try:
        with urllib.request.urlopen(sent, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return Answer(status, json.loads(raw))
    except ValueError:
        return Answer(status, None)


def text(url: str) -> str:
    """GET ``url`` and return its body as text (Prometheus metrics, for example)."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


def wait_until_ready(url: str, server: subprocess.Popen, seconds: float = STARTUP_SECONDS) -> None:
    """Poll ``url`` until it answers 200; fail early if the server exits, or after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode} before {url} was ready")
        with contextlib.suppress(OSError):
            if request(url).status == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer 200 within {seconds:.0f} s")


@contextlib.contextmanager
def running(
    command: Sequence[str], cwd: Path, env: dict, ready_url: str, log: Path
) -> Iterator[subprocess.Popen]:
    """Run ``command`` until the block ends, once ``ready_url`` answers 200; the block gets the
    server's process (its pid is also its session's id).

    The server gets a session of its own, so stopping it also stops what it started (make
    starts python, uvicorn may start workers). Its output goes to ``log``, which a failure
    message names, so access logs do not drown the caller's output.
    """
    with (
        log.open("w", encoding="utf-8") as output,
        subprocess.Popen(
            list(command),
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ) as server,
    ):
        try:
            try:
                wait_until_ready(ready_url, server)
            except RuntimeError as error:
                raise RuntimeError(f"{error}; its output is in {log}") from error
            yield server
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
