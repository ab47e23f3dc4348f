"""Time to green of a generated project: `make install lint test` from a fresh virtualenv.

The loop a developer waits on after a clone or a change of requirements: the package cache is
warm (one install first), the virtualenv is not (each round deletes .venv). Rounds alternate
between the JOBS values asked for, so that a machine whose load drifts weighs on each alike.
The wall time depends on whatever else the machine runs; the CPU seconds (user and system, of
every process the round started) much less, so both are printed, with the share of the CPUs
that other processes took during each round. The rounds run as a developer's shell does, with
Python writing the bytecode of what it imports: PYTHONDONTWRITEBYTECODE, which some CI machines
set, is left out, since with it every process compiles each module it imports again.

Usage: python benchmarks/time_to_green.py [--level 4] [--rounds 3] [--jobs 1 2]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter
from train_scale import CpuClock, spread

import manifest  # train_scale puts scripts/ on sys.path
from project_env import project_env

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("install", "lint", "test")


def parse_args(argv=None):
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="4", help="maturity level to bake (default 4)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per JOBS value (default 3)")
    parser.add_argument(
        "--jobs", nargs="+", default=["1", "2"], help="JOBS values to compare (default: 1 2)"
    )
    parser.add_argument(
        "--python",
        default=manifest.load_config()["python_version"],
        help="python_version of the bake (default: the template's, what pressing Enter gives)",
    )
    return parser.parse_args(argv)


def bake(output, level, python):
    """Bake the level into ``output`` as a git repository (the pre-commit hook installs)."""
    extra = {"maturity_level": level, "python_version": python}
    project = Path(
        cookiecutter(str(TEMPLATE_ROOT), no_input=True, extra_context=extra, output_dir=str(output))
    )
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    return project


def run_make(project, arguments, log):
    """Run make in the project, its output to ``log``: the wall and CPU seconds it took, and the
    share of the CPUs the machine's other processes took meanwhile (what inflates wall time).

    The CPU seconds are those of make and every process it waited for.
    """
    before = CpuClock.now()
    with open(log, "w", encoding="utf-8") as output:
        completed = subprocess.run(
            ["make", *arguments],
            cwd=project,
            env=project_env(),
            stdout=output,
            stderr=output,
            check=False,
        )
    after = CpuClock.now()
    if completed.returncode != 0:
        tail = Path(log).read_text(encoding="utf-8")[-3000:]
        raise SystemExit(f"make {' '.join(arguments)} failed in {project}:\n{tail}")
    wall, cpu = after.wall - before.wall, after.children - before.children
    others = max(0.0, after.machine - before.machine - cpu) / (wall * os.cpu_count())
    return wall, cpu, others


def reset(project):
    """What a fresh clone lacks: the virtualenv, pytest's and mypy's caches, the coverage data
    and the bytecode of src and tests."""
    shutil.rmtree(project / ".venv", ignore_errors=True)
    for cache in (".pytest_cache", ".mypy_cache"):
        shutil.rmtree(project / cache, ignore_errors=True)
    for data in project.glob(".coverage*"):
        data.unlink()
    for folder in ("src", "tests"):
        for cache in list((project / folder).rglob("__pycache__")):
            shutil.rmtree(cache, ignore_errors=True)


def rounds(project, jobs_values, count, log):
    """Alternate the JOBS values ``count`` times; the (wall, cpu) pairs of each value."""
    results = {jobs: [] for jobs in jobs_values}
    for number in range(1, count + 1):
        for jobs in jobs_values:
            reset(project)
            wall, cpu, others = run_make(project, [*TARGETS, f"JOBS={jobs}"], log)
            results[jobs].append((wall, cpu))
            print(
                f"round {number} JOBS={jobs}: wall {wall:6.1f} s  cpu {cpu:6.1f} s  "
                f"(other processes: {others:.0%} of the {os.cpu_count()} CPUs)",
                flush=True,
            )
    return results


def report(results, level):
    """Print the median and the range (min-max) of each JOBS value's wall and CPU seconds."""
    print(f"\nlevel {level}, make {' '.join(TARGETS)}, seconds: median (min-max)")
    for jobs, pairs in results.items():
        walls = [wall for wall, _ in pairs]
        cpus = [cpu for _, cpu in pairs]
        print(f"  JOBS={jobs}: wall {spread(walls, 1, 1)}  cpu {spread(cpus, 1, 1)}")


def main(argv=None):
    """Bake, install once to warm the cache, then time the rounds."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="time-to-green-") as workdir:
        project = bake(workdir, args.level, args.python)
        log = Path(workdir, "make.log")
        run_make(project, ["install"], log)
        report(rounds(project, args.jobs, args.rounds, log), args.level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
