"""Tests of the prediction log: nothing lost across a restart, bounded size, every host read."""

import dataclasses
import socket

from {{ cookiecutter.package_name }}.monitoring import predlog
from {{ cookiecutter.package_name }}.monitoring.predlog import (
    FILE_NAME,
    HOST_VARIABLE,
    PredictionLogger,
    newest_records,
    read_records,
)


def log_rows(logger: PredictionLogger, count: int, start: int = 0) -> None:
    """Log ``count`` one-row predictions whose input ``x`` numbers them."""
    for number in range(start, start + count):
        logger.log([{"x": float(number)}], [number % 3], "champion", "1")


def kept_backups(count: int) -> set[str]:
    """The names of ``count`` rotated files."""
    return {f"{FILE_NAME}.{index}" for index in range(1, count + 1)}


def test_the_log_survives_a_restart(monitor_settings):
    """Records written before a stop are still there after a new logger appends to the files."""
    first = PredictionLogger(monitor_settings.log, host="pod-a")
    first.start()
    log_rows(first, 50)
    first.close()
    second = PredictionLogger(monitor_settings.log, host="pod-a")
    second.start()
    log_rows(second, 10, start=50)
    second.close()
    records = list(read_records(monitor_settings.log.directory))
    assert [record["inputs"]["x"] for record in records] == [float(n) for n in range(60)]
    assert records[0]["variant"] == "champion" and records[0]["model_version"] == "1"


def test_the_writer_thread_flushes_without_being_closed(monitor_settings):
    """A running service's records reach the disk within a flush interval or so."""
    logger = PredictionLogger(monitor_settings.log, host="pod-a")
    logger.start()
    log_rows(logger, 5)
    for _ in range(100):
        if len(list(read_records(monitor_settings.log.directory))) == 5:
            break
        logger.stopping.wait(monitor_settings.log.flush_seconds)
    assert len(list(read_records(monitor_settings.log.directory))) == 5
    logger.close()


def test_rotation_bounds_the_log_and_keeps_the_newest(monitor_settings):
    """Past max_bytes the file rotates; at most backups + 1 files remain, the newest rows kept."""
    settings = dataclasses.replace(monitor_settings.log, max_bytes=2_000, backups=2)
    logger = PredictionLogger(settings, host="pod-a")
    logger.path.parent.mkdir(parents=True)
    for start in range(0, 1000, 20):
        log_rows(logger, 20, start)
        logger.flush()
    files = {path.name for path in logger.path.parent.iterdir()}
    assert kept_backups(2) <= files <= {FILE_NAME, *kept_backups(2)}
    assert sum(path.stat().st_size for path in logger.path.parent.iterdir()) < 3 * 2_000 + 2_000
    numbers = [record["inputs"]["x"] for record in read_records(settings.directory)]
    assert numbers[-1] == 999.0 and numbers == sorted(numbers) and len(numbers) < 1000


def test_hosts_are_merged_by_time_and_a_torn_line_is_skipped(monitor_settings):
    """Two pods' logs read as one stream, oldest first; a crash's half line is ignored."""
    loggers = [PredictionLogger(monitor_settings.log, host=host) for host in ("a", "b")]
    for logger in loggers:
        logger.path.parent.mkdir(parents=True)
    for number in range(10):
        loggers[number % 2].log([{"x": float(number)}], [0], "champion", "1")
        loggers[number % 2].pending[-1]["ts"] = 1000.0 + number
    for logger in loggers:
        logger.flush()
    with open(loggers[0].path, "ab") as file:
        file.write(b'{"ts": 2000, "inputs": {"x"')
    numbers = [record["inputs"]["x"] for record in read_records(monitor_settings.log.directory)]
    assert numbers == [float(n) for n in range(10)]
    newest = newest_records(monitor_settings.log.directory, 3)
    assert [record["inputs"]["x"] for record in newest] == [7.0, 8.0, 9.0]


def test_each_host_writes_in_the_folder_its_host_name_names(monitor_settings, monkeypatch):
    """$HOSTNAME (a pod's name) names the subfolder; without it, the machine's name does, so
    replicas sharing a volume never share a file."""
    monkeypatch.setenv(HOST_VARIABLE, "replica-b")
    assert PredictionLogger(monitor_settings.log).path.parent.name == "replica-b"
    monkeypatch.delenv(HOST_VARIABLE)
    assert PredictionLogger(monitor_settings.log).path.parent.name == socket.gethostname()


def test_a_full_queue_drops_the_oldest_and_counts_them(monitor_settings, monkeypatch):
    """Requests never wait for the disk: past the queue's bound the oldest records go, counted."""
    monkeypatch.setattr(predlog, "MAX_PENDING", 10)
    logger = PredictionLogger(monitor_settings.log, host="pod-a")
    logger.path.parent.mkdir(parents=True)
    log_rows(logger, 15)
    assert logger.dropped == 5
    logger.flush()
    numbers = [record["inputs"]["x"] for record in read_records(monitor_settings.log.directory)]
    assert numbers == [float(n) for n in range(5, 15)]


def test_a_write_that_fails_drops_and_counts_the_records(monitor_settings):
    """An unwritable folder loses records, counted, and leaves the writer able to go on."""
    logger = PredictionLogger(monitor_settings.log, host="pod-a")
    log_rows(logger, 4)
    assert logger.flush() == 0 and logger.dropped == 4
    logger.path.parent.mkdir(parents=True)
    log_rows(logger, 2, start=4)
    assert logger.flush() == 2
    numbers = [record["inputs"]["x"] for record in read_records(monitor_settings.log.directory)]
    assert numbers == [4.0, 5.0]
