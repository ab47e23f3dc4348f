"""How long baking takes: the median bake per level, and the whole combination suite.

Baking every valid combination is what keeps the template honest, so its cost decides how
many components the template can afford before the suite needs sampling. This script times
the same in-process bakes and the same content checks the tests use (tests/template_model.py).

Usage: python benchmarks/bake_speed.py [--bakes N]
"""

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent.parent / "tests"


def load_template_model():
    """Import tests/template_model.py, which lives beside the tests and not in a package (and
    imports its neighbours, such as prometheus_rules, by name: the folder goes on the path)."""
    if str(TESTS_DIR) not in sys.path:
        sys.path.insert(0, str(TESTS_DIR))
    spec = importlib.util.spec_from_file_location("template_model", TESTS_DIR / "template_model.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def timed_bake(model, workdir, context, config_file):
    """Bake once into a fresh directory; return the seconds taken and the bake."""
    output = Path(tempfile.mkdtemp(dir=workdir))
    start = time.perf_counter()
    result = model.bake(output, context, config_file)
    elapsed = time.perf_counter() - start
    if result.exception is not None:
        raise SystemExit(f"bake failed for {context}: {result.exception!r}")
    return elapsed, result


def level_medians(model, config, workdir, config_file, bakes):
    """Median seconds per bake for each level preset (every component left at auto)."""
    medians = {}
    for level in model.levels(config):
        times = [
            timed_bake(model, workdir, {"maturity_level": level}, config_file)[0]
            for _ in range(bakes)
        ]
        medians[level] = statistics.median(times)
    return medians


def timed_check(checker, project_dir):
    """Check one bake; return the seconds taken and the number of problems found."""
    start = time.perf_counter()
    problems = len(checker.problems(project_dir))
    return time.perf_counter() - start, problems


def combination_suite(model, config, workdir, config_file):
    """Bake and check every valid combination, as test_combinations does; return timings."""
    checker = model.ProjectChecker()
    combinations = model.valid_combinations(config)
    levels = model.levels(config)
    totals = {"bake": 0.0, "check": 0.0, "problems": 0}
    for index, combination in enumerate(combinations):
        context = model.combination_context(config, combination, levels[index % len(levels)])
        bake_seconds, result = timed_bake(model, workdir, context, config_file)
        check_seconds, problems = timed_check(checker, result.project_dir)
        totals["bake"] += bake_seconds
        totals["check"] += check_seconds
        totals["problems"] += problems
    return {**totals, "combinations": len(combinations), "cache": (checker.hits, checker.misses)}


def parse_args(argv=None):
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bakes", type=int, default=10, help="bakes per level (default 10)")
    return parser.parse_args(argv)


def report(medians, suite, wall):
    """Print the results as a small plain-text table."""
    print("median bake time per level (all components auto):")
    for level, seconds in medians.items():
        print(f"  level {level}: {seconds * 1000:7.1f} ms")
    hits, misses = suite["cache"]
    print(f"valid combinations: {suite['combinations']}")
    print(f"combination suite wall time: {wall:.2f} s")
    print(f"  baking {suite['bake']:.2f} s, checking {suite['check']:.2f} s")
    print(f"  content checks: {misses} run, {hits} answered from the cache")
    print(f"  problems found: {suite['problems']}")


def main(argv=None):
    """Time the bakes and the combination suite in a scratch directory."""
    args = parse_args(argv)
    model = load_template_model()
    config = model.load_config()
    with tempfile.TemporaryDirectory(prefix="bake-speed-") as workdir:
        config_file = model.write_user_config(workdir)
        timed_bake(model, workdir, {}, config_file)  # warm imports and caches
        medians = level_medians(model, config, workdir, config_file, args.bakes)
        start = time.perf_counter()
        suite = combination_suite(model, config, workdir, config_file)
        wall = time.perf_counter() - start
    report(medians, suite, wall)
    return 0


if __name__ == "__main__":
    sys.exit(main())
