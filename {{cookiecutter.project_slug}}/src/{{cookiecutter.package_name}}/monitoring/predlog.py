"""The prediction log: every prediction appended to JSON-lines files, off the request path.

A request only appends a small dict to an in-memory deque: no lock, no I/O. A daemon thread
wakes every ``flush_seconds``, serialises whatever is queued with orjson and appends it in one
write. Past ``max_bytes`` the file is rotated (``predictions.jsonl.1`` ... ``.<backups>``, the
oldest dropped), so the log is bounded. If the writer ever falls far behind, the oldest queued
records are dropped and counted rather than slowing requests down.

Each host writes into its own subfolder, so pods sharing one volume never write to the same
file; readers merge every subfolder by time. The subfolder is named after ``$HOSTNAME``, which
Kubernetes sets to the pod's name and Docker to the container's, or the machine's name when it
is unset: two servers on one machine (two ports, say) keep apart by setting it. The files
survive restarts: closing flushes what is queued, and a crash loses at most one flush interval
(a torn last line is skipped on reading).
"""

import collections
import heapq
import logging
import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from .settings import LogSettings

LOGGER = logging.getLogger(__name__)
FILE_NAME = "predictions.jsonl"
# Records a request may queue ahead of the writer before the oldest are dropped (a few MB).
MAX_PENDING = 100_000
# Names the subfolder a process writes in.
HOST_VARIABLE = "HOSTNAME"


def host_name() -> str:
    """This process's subfolder: ``$HOSTNAME`` when set, else the machine's name."""
    return os.environ.get(HOST_VARIABLE) or socket.gethostname()


class PredictionLogger:
    """Batched, rotating, non-blocking JSON-lines log of predictions."""

    def __init__(self, settings: LogSettings, host: str | None = None):
        self.settings = settings
        self.path = Path(settings.directory) / (host or host_name()) / FILE_NAME
        self.pending: collections.deque[dict[str, Any]] = collections.deque(maxlen=MAX_PENDING)
        self.dropped = 0
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def log(
        self, inputs: list[dict[str, Any]], outputs: list[Any], variant: str, version: str
    ) -> None:
        """Queue one record per row; never blocks (the oldest queued record goes when full)."""
        now = time.time()
        for row, output in zip(inputs, outputs):
            if len(self.pending) == MAX_PENDING:
                self.dropped += 1
            self.pending.append(
                {
                    "ts": now,
                    "variant": variant,
                    "model_version": version,
                    "inputs": row,
                    "output": output,
                }
            )

    def start(self) -> None:
        """Create the folder and start the background writer (once)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.thread is None:
            self.stopping.clear()
            self.thread = threading.Thread(target=self.run, name="prediction-log", daemon=True)
            self.thread.start()

    def close(self) -> None:
        """Stop the writer, then write everything still queued."""
        self.stopping.set()
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        self.flush()

    def run(self) -> None:
        """The writer thread: flush every interval until closed."""
        while not self.stopping.wait(self.settings.flush_seconds):
            self.flush()

    def flush(self) -> int:
        """Append every queued record now; the number written."""
        records = []
        while self.pending:
            records.append(self.pending.popleft())
        if not records:
            return 0
        chunk = b"".join(orjson.dumps(record) + b"\n" for record in records)
        try:
            with open(self.path, "ab") as file:
                file.write(chunk)
            if self.path.stat().st_size >= self.settings.max_bytes:
                self.rotate()
        except OSError as error:  # a full or vanished disk must not stop the writer thread
            self.dropped += len(records)
            LOGGER.error("cannot write %d predictions to %s: %s", len(records), self.path, error)
            return 0
        return len(records)

    def rotate(self) -> None:
        """predictions.jsonl becomes .1, .1 becomes .2 ...; the one past ``backups`` goes."""
        if self.settings.backups == 0:
            self.path.unlink()
            return
        for index in range(self.settings.backups - 1, 0, -1):
            older = self.path.with_name(f"{FILE_NAME}.{index}")
            if older.exists():
                os.replace(older, self.path.with_name(f"{FILE_NAME}.{index + 1}"))
        os.replace(self.path, self.path.with_name(f"{FILE_NAME}.1"))


def log_files(folder: Path) -> list[Path]:
    """One host's log files, oldest first."""
    rotated = sorted(folder.glob(f"{FILE_NAME}.*"), key=lambda path: -int(path.suffix[1:]))
    current = folder / FILE_NAME
    return rotated + ([current] if current.exists() else [])


def host_records(folder: Path) -> Iterator[dict[str, Any]]:
    """One host's records, oldest first; a torn last line (a crash mid-write) is skipped."""
    for path in log_files(folder):
        with open(path, "rb") as file:
            for line in file:
                try:
                    yield orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue


def read_records(directory: Path | str) -> Iterator[dict[str, Any]]:
    """Every host's records, merged oldest first."""
    folders: Iterable[Path] = sorted(p for p in Path(directory).glob("*") if p.is_dir())
    return heapq.merge(*(host_records(folder) for folder in folders), key=lambda r: r["ts"])


def newest_records(directory: Path | str, count: int) -> list[dict[str, Any]]:
    """The ``count`` newest records of every host together, oldest first."""
    return list(collections.deque(read_records(directory), maxlen=count))
