"""schemathesis against a served API: every answer must keep the contract of its OpenAPI document.

Both serving slow tests (level 3, and level 4 with /metrics and /admin/reload) call
:func:`check_contract` or :func:`contract_problems` on a server they started on loopback. It
runs ``st run`` on the served ``/openapi.json`` once per generation mode, so a failure says
whether a valid request (positive) or an invalid one (negative) caused it, and then sends a few
hostile bodies that the generators rarely or never write. Every failure of every run is
gathered into one message: the check, the operation, the status and a curl command that
reproduces it.

The runs are deterministic: a fixed seed, no example database and no schemathesis cache (its
crash replays would make a run depend on the runs before it), and one worker. They may call
POST /admin/reload (level 4): from loopback it needs no token, and nothing moves the registry's
aliases while they run, so a reload keeps serving the same versions; its answers are part of
the contract too.
"""

import json
import time
from pathlib import Path
from xml.etree import ElementTree

import schemathesis
import template_model
from installed_projects import completed_run
from schemathesis import checks
from schemathesis.errors import FailureGroup

# Test cases per operation and mode, on top of the fixed cases of schemathesis' coverage phase
# (about 170 positive and 240 negative ones for the level 4 API). Measured on the 2-core
# machine against the level 4 API: positive 50 takes 10-14 s (its cases are predictions, and
# generating valid rows is slow), negative 150 about 8 s; about 20 s together on an idle
# machine, and under a minute while the other pytest worker runs the level 4 load test.
# Negative cases are cheaper and are where the bugs were (malformed values that the refusal
# must describe), so they get the larger share.
EXAMPLES = {"positive": 50, "negative": 150}
SEED = 1
# The checks that verify the API's own contract. Left out: use_after_free and
# ensure_resource_availability (stateful: the API creates no resources), ignored_auth (the
# document declares no security scheme; /admin/reload checks the client's address),
# object_level_authorization (no objects per user), max_response_time (a loaded machine would
# make it flaky; the serving benchmark measures latency).
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
)
# What `st run` options cannot say. negative_data_rejection accepts schemathesis' default
# statuses plus 413: /predict/batch documents it for more rows than max_batch_rows, which the
# batch schema's maxItems also states. 5xx stays in the list so a server error is reported
# once, by not_a_server_error.
CONFIG = """\
[cache]
enabled = false

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428",
                     "429", "5xx"]
"""
# A hung server must not hang the suite: a mode took at most 27 s here, on a loaded machine.
RUN_TIMEOUT = 300
# Characters of a report line shown in the assertion message (a curl body can be 100 kB).
LINE_CHARS = 500
# The checks of the hostile bodies: the response checks of CHECKS (the request checks need
# schemathesis' own generated cases), plus: a hostile body is refused with a 4xx.
HOSTILE_CHECKS = (
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
)
BIG = 2**64
REQUEST_TIMEOUT = 30


def st_command(base, mode, workdir):
    """The ``st run`` command line of one mode, writing its reports into ``workdir``."""
    return [
        template_model.tool("st"),
        "--config-file",
        workdir / "schemathesis.toml",
        "run",
        f"{base}/openapi.json",
        "--mode",
        mode,
        "--max-examples",
        EXAMPLES[mode],
        "--seed",
        SEED,
        "--checks",
        ",".join(CHECKS),
        "--workers",
        1,
        "--generation-database",
        "none",
        # A slow generation on a loaded machine is not the API's fault.
        "--suppress-health-check",
        "too_slow",
        # Find every distinct failure of an operation, not only the first.
        "--continue-on-failure",
        # Show the X-Routing-Key header in reproducers (it looks like a secret to schemathesis).
        "--output-sanitize",
        "false",
        "--no-color",
        "--report",
        "junit,json",
        "--report-junit-path",
        workdir / f"{mode}.xml",
        "--report-json-path",
        workdir / f"{mode}.json",
    ]


def shortened(text):
    """``text`` with every line cut to ``LINE_CHARS`` characters, saying how long it was."""
    return "\n".join(
        line if len(line) <= LINE_CHARS else f"{line[:LINE_CHARS]}... ({len(line)} characters)"
        for line in text.splitlines()
    )


def junit_problems(report):
    """``operation: failure text`` of every failure and error of a JUnit report."""
    problems = []
    for case in ElementTree.parse(report).iter("testcase"):
        for problem in [*case.iter("failure"), *case.iter("error")]:
            text = problem.text or problem.get("message", "")
            problems.append(f"{case.get('name')}: {shortened(text)}")
    return problems


def fuzz(base, mode, workdir):
    """Run schemathesis in ``mode`` against ``base``: its problems, and a line on the run."""
    started = time.monotonic()
    completed = completed_run(st_command(base, mode, workdir), workdir, timeout=RUN_TIMEOUT)
    seconds = time.monotonic() - started
    junit, summary = workdir / f"{mode}.xml", workdir / f"{mode}.json"
    if completed.returncode not in (0, 1) or not junit.exists() or not summary.exists():
        output = shortened((completed.stdout + completed.stderr)[-6000:])
        return [f"st exited with {completed.returncode}:\n{output}"], f"{mode}: no report"
    cases = json.loads(summary.read_text(encoding="utf-8"))["test_cases"]["generated"]
    return junit_problems(junit), f"{mode}: {cases} cases in {seconds:.1f} s"


def hostile_bodies(feature):
    """(path, what it is, body): bodies of /predict and /predict/batch that the generators
    rarely or never write (schemathesis sends valid UTF-8 JSON, and found a 64-bit overflow only
    with some seeds). Each is a way to make the refusal fail while it describes the mistake, so
    each is sent on every run, whatever the seed finds.

    Rows name ``feature`` (a numeric feature, so its own type check is what refuses them).
    """
    rows = {
        "an integer beyond 64 bits": {feature: BIG},
        "an integer beyond 64 bits in a list": {feature: [BIG]},
        "an unknown field holding an integer beyond 64 bits": {"unknown": BIG},
        "a lone surrogate in a string": {feature: "\ud800"},
        "a lone surrogate as a field name": {"\ud800": 1.0},
    }
    quoted = json.dumps(feature).encode()
    raw = {
        "invalid JSON": b"{",
        "bytes that are not UTF-8": b"{" + quoted + b': "\xff"}',
        "a surrogate encoded in UTF-8 bytes": b"{" + quoted + b': "\xed\xa0\x80"}',
        "JSON nested 10000 deep": b"{" + quoted + b": " + b"[" * 10000 + b"]" * 10000 + b"}",
    }
    for name, row in rows.items():
        yield "/predict", name, row
        yield "/predict/batch", name, {"rows": [row]}
    for name, body in raw.items():
        yield "/predict", name, body
        yield "/predict/batch", name, body


def takes_numbers(field):
    """Whether a row field's JSON schema takes numbers (it may also take null)."""
    return "number" in [field.get("type"), *(kind.get("type") for kind in field.get("anyOf", []))]


def hostile_problems(base):
    """Send the hostile bodies; each must get a documented 4xx that keeps the contract."""
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    features = schema.raw_schema["components"]["schemas"]["Row"]["properties"]
    numeric = [name for name, field in features.items() if takes_numbers(field)]
    problems = []
    for path, name, body in hostile_bodies((numeric or list(features))[0]):
        case = schema[path]["POST"].Case(body=body, media_type="application/json")
        response = case.call(timeout=REQUEST_TIMEOUT)
        where = f"POST {path}, {name}"
        try:
            case.validate_response(response, checks=HOSTILE_CHECKS)
        except FailureGroup as failures:
            problems.append(f"{where}: {shortened(failures.message)}")
        if response.status_code < 400:
            problems.append(f"{where}: accepted with {response.status_code}, not refused")
    return problems


def contract_problems(base, workdir):
    """Fuzz the API at ``base`` in both modes, then send it the hostile bodies: every problem
    found, by mode, as one message ("" when there is none). ``workdir`` (created) keeps the
    reports for a closer look."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "schemathesis.toml").write_text(CONFIG, encoding="utf-8")
    started = time.monotonic()
    found, runs = {}, []
    for mode in EXAMPLES:
        found[mode], run = fuzz(base, mode, workdir)
        runs.append(run)
    found["hostile bodies"] = hostile_problems(base)
    seconds = time.monotonic() - started
    print(f"schemathesis on {base}: {'; '.join(runs)}; {seconds:.1f} s with the hostile bodies")
    report = [f"[{where}] {problem}" for where, problems in found.items() for problem in problems]
    if not report:
        return ""
    return f"{len(report)} contract problems (reports in {workdir}):\n\n" + "\n\n".join(report)


def check_contract(base, workdir):
    """Fail with every problem :func:`contract_problems` finds in the API at ``base``."""
    problems = contract_problems(base, workdir)
    assert not problems, problems
