"""One measured training run of a generated project, run by ``train_scale.py`` in its virtualenv.

It calls the project's own ``run_training`` on a config, as ``make train`` does, after wrapping
the step functions that ``run_training`` calls through its module's globals (``load_csv``,
``validate_dataset``, ...), so the figures are those of the real pipeline with the real object
lifetimes: the benchmark never rewrites the order of the steps. The wrappers time each step and
read the kernel's exact high-water mark of resident memory (``VmHWM``) during it, reset at the
step's start through ``/proc/self/clear_refs``; a sampling thread would miss short peaks, such
as the copy ``np.hstack`` makes for a moment. Where the reset is refused (not Linux, or a locked
down /proc), each step reports the peak so far instead, and says so.

It prints one JSON document on its last line of stdout. It uses the standard library only, and
imports the project's package by name, which it learns on the command line.
"""

import argparse
import functools
import importlib
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

# Steps as the benchmark reports them -> the functions run_training calls for each. A function
# that another step's function calls (write_json inside evaluate_model) counts for the outer one.
STEPS = {
    "load": ("load_csv",),
    "validate": ("validate_dataset",),
    "split": ("split_dataset", "with_categories", "with_classes"),
    "train": ("build_pipeline", "train_model"),
    "save": ("collect_lineage", "save_model", "write_json"),
    "evaluate": ("evaluate_model",),
}
KIB = 1024


@dataclass
class StepFigures:
    """Wall and CPU time (every thread's) and resident memory of a step, over its calls."""

    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_bytes: int = 0
    start_bytes: int = 0
    calls: int = 0


def status_bytes(field: str) -> int:
    """A memory line of /proc/self/status (VmRSS, VmHWM), in bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * KIB
    raise RuntimeError(f"/proc/self/status has no {field}")


def reset_high_water() -> bool:
    """Reset VmHWM to the current RSS (Linux 4.0+); False where the kernel refuses."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


class Meter:
    """Per-step figures, and the peak of the whole run, gaps between the steps included."""

    def __init__(self) -> None:
        self.steps = {name: StepFigures() for name in STEPS}
        self.exact = reset_high_water()
        self.peak_bytes = status_bytes("VmHWM")
        self.active = False

    def measure(self, step: str, function):
        """``function`` wrapped to count for ``step`` unless another step is running."""

        @functools.wraps(function)
        def measured(*args, **kwargs):
            if self.active:
                return function(*args, **kwargs)
            return self.run(step, function, args, kwargs)

        return measured

    def run(self, step: str, function, args, kwargs):
        """Call ``function`` as part of ``step``, with its time and memory recorded."""
        figures = self.steps[step]
        self.peak_bytes = max(self.peak_bytes, status_bytes("VmHWM"))
        self.exact = reset_high_water()
        if not figures.calls:
            figures.start_bytes = status_bytes("VmRSS")
        self.active = True
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            figures.seconds += time.perf_counter() - started
            figures.cpu_seconds += time.process_time() - cpu_started
            self.active = False
            figures.calls += 1
            figures.peak_bytes = max(figures.peak_bytes, status_bytes("VmHWM"))
            self.peak_bytes = max(self.peak_bytes, figures.peak_bytes)
            reset_high_water()


def instrument(run_module, meter: Meter) -> None:
    """Replace the step functions in the run module's globals with measured ones."""
    for step, names in STEPS.items():
        for name in names:
            if not hasattr(run_module, name):
                raise SystemExit(
                    f"{run_module.__name__} no longer calls {name}: update STEPS in {__file__}"
                )
            setattr(run_module, name, meter.measure(step, getattr(run_module, name)))


def parse_args(argv):
    """The package to import and the training config to run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", help="the generated project's package name")
    parser.add_argument("config", type=Path, help="the training config, relative to the project")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    """Import the pipeline, instrument it, train once, print the figures as JSON."""
    args = parse_args(argv)
    run_module = importlib.import_module(f"{args.package}.pipeline.run")
    config_module = importlib.import_module(f"{args.package}.pipeline.config")
    imported_bytes = status_bytes("VmRSS")
    meter = Meter()
    instrument(run_module, meter)
    started, cpu_started = time.perf_counter(), time.process_time()
    result = run_module.run_training(config_module.load_config(args.config))
    total, cpu_total = time.perf_counter() - started, time.process_time() - cpu_started
    meter.peak_bytes = max(meter.peak_bytes, status_bytes("VmHWM"))
    report = {
        "steps": {name: asdict(figures) for name, figures in meter.steps.items()},
        "total_seconds": total,
        "total_cpu_seconds": cpu_total,
        "peak_bytes": meter.peak_bytes,
        "imported_bytes": imported_bytes,
        "exact_peaks": meter.exact,
        "task": str(result.schema.task),
        "metrics": result.evaluation.metrics,
        "notes": result.prepared.notes,
        "cpus": len(os.sched_getaffinity(0)),
        "versions": {name: metadata.version(name) for name in ("scikit-learn", "pandas")},
        "python": sys.version.split()[0],
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
