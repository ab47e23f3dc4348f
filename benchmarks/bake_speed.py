"""How fast the template bakes: bakes per second per level, and the every-combination suite.

Baking every valid combination is what keeps the template honest, so its cost decides how
many components the template can afford. Two figures:

- bakes per second at each level (every component on auto), as a user's cookiecutter does it
  and as the tests do it (compiled Jinja code reused across bakes, tests/jinja_cache.py), in
  interleaved rounds, with the median and the spread;
- the wall time of the every-combination tests (``pytest -n 2 tests/test_combinations.py``,
  the valid combinations and level presets), run as ``make test`` runs them.

Usage: python benchmarks/bake_speed.py [--rounds N] [--bakes N] [--suite-runs N]
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# tests/ and scripts/ are folders of modules, not packages: the shared helpers go on the path.
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "scripts")]
# pylint: disable=wrong-import-position
import jinja_cache
import manifest
import template_model

# pylint: enable=wrong-import-position
SUITE = ["tests/test_combinations.py", "-k", "bakes_cleanly"]


def timed_bakes(workdir, level, config_file, bakes):
    """Seconds per bake, for ``bakes`` bakes of a level preset into fresh folders."""
    times = []
    for _ in range(bakes):
        output = Path(tempfile.mkdtemp(dir=workdir))
        start = time.perf_counter()
        result = template_model.bake(output, {"maturity_level": level}, config_file)
        times.append(time.perf_counter() - start)
        if result.exception is not None:
            raise SystemExit(f"bake of level {level} failed: {result.exception!r}")
    return times


def bake_rates(workdir, config_file, args):
    """(way, level) -> seconds of every bake; ways and levels interleaved in each round."""
    levels = manifest.levels(manifest.load_config())
    times = {}
    for _ in range(args.rounds):
        for way in ("cookiecutter", "tests"):
            with pytest.MonkeyPatch.context() as patch:
                if way == "tests":
                    jinja_cache.install(patch)
                for level in levels:
                    key = (way, level)
                    times.setdefault(key, []).extend(
                        timed_bakes(workdir, level, config_file, args.bakes)
                    )
    return times


def suite_seconds(runs):
    """Wall seconds of each run of the every-combination tests, and how many tests ran."""
    seconds, passed = [], None
    for _ in range(runs):
        start = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-m", "pytest", "-n", "2", "-q", "-p", "no:randomly", *SUITE],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds.append(time.perf_counter() - start)
        if completed.returncode != 0:
            raise SystemExit(f"the combination tests failed:\n{completed.stdout[-3000:]}")
        passed = completed.stdout.strip().splitlines()[-1]
    return seconds, passed


def spread(values):
    """Median, min and max, as one string."""
    return f"{statistics.median(values):6.2f} ({min(values):.2f}-{max(values):.2f})"


def report(times, seconds, passed):
    """Print the bake rates per level and way, then the suite's wall times."""
    print("bakes per second, median (min-max), every component on auto:")
    print("  level  cookiecutter          as the tests bake")
    for level in sorted({level for _, level in times}, key=int):
        plain = [1 / t for t in times[("cookiecutter", level)]]
        reused = [1 / t for t in times[("tests", level)]]
        print(f"  {level:>5}  {spread(plain)}   {spread(reused)}")
    valid = len(manifest.valid_combinations(manifest.load_config()))
    if seconds:
        print(f"every-combination suite ({valid} valid combinations and the presets, -n 2):")
        print(f"  wall seconds, median (min-max) of {len(seconds)} runs: {spread(seconds)}")
        print(f"  last run: {passed}")


def parse_args(argv=None):
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--bakes", type=int, default=3, help="bakes per level and round")
    parser.add_argument(
        "--suite-runs", type=int, default=2, help="runs of the suite (default 2; 0 skips it)"
    )
    args = parser.parse_args(argv)
    if min(args.rounds, args.bakes) < 1 or args.suite_runs < 0:
        parser.error("--rounds and --bakes must be at least 1, --suite-runs at least 0")
    return args


def main(argv=None):
    """Time the bakes in a scratch folder, then the suite."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bake-speed-") as workdir:
        config_file = template_model.write_user_config(workdir)
        timed_bakes(workdir, manifest.levels(manifest.load_config())[0], config_file, 1)
        times = bake_rates(workdir, config_file, args)
    report(times, *suite_seconds(args.suite_runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
