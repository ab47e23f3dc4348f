"""What promtool cannot check in Prometheus rule files: the metrics they use, and the team's
alert fields.

``promtool check rules`` (run by the content checks, tests/template_model.py) rejects what
Prometheus would refuse to load: the file's shape, unknown keys, PromQL syntax, unknown
functions, durations. It cannot know which metrics the API exports, and an alert on a misspelt
metric or label is valid PromQL that never fires (or, under ``absent()``, always fires). So this
module checks:

- every metric name an expression uses is one the generated ``monitoring/metrics.py`` declares
  (read from its source with ``ast``, with the suffixes prometheus-client adds), and every label
  matched on a metric one of its declared labels;
- the fields an alert needs to be acted on: ``for``, ``labels.severity`` (one of
  ``SEVERITIES``), ``annotations.summary`` and ``annotations.description``.

A file promtool would reject is left to promtool: what cannot be read here is skipped.
"""

import ast
import re

import yaml

SEVERITIES = ("critical", "warning", "info")
REQUIRED_ANNOTATIONS = ("summary", "description")

# The series each metric class exports for a declared name, as prometheus-client writes them
# (a counter's name loses a trailing _total before the suffixes are added).
SERIES_SUFFIXES = {
    "Counter": ("_total", "_created"),
    "Gauge": ("",),
    "Histogram": ("_bucket", "_sum", "_count", "_created"),
    "Summary": ("", "_sum", "_count", "_created"),
    "Info": ("_info",),
    "Enum": ("",),
    # Families a custom collector yields (values read at scrape time).
    "CounterMetricFamily": ("_total",),
    "GaugeMetricFamily": ("",),
}
# Families take their label names as the ``labels`` keyword, constructors as ``labelnames``.
LABELS_KEYWORD = {"CounterMetricFamily": "labels", "GaugeMetricFamily": "labels"}
# Labels every scraped series gets from Prometheus, and the one histogram buckets add.
TARGET_LABELS = {"job", "instance"}
BUCKET_LABEL = "le"
# Series Prometheus writes itself for every scrape target.
SCRAPE_SERIES = {
    "up": set(),
    "scrape_duration_seconds": set(),
    "scrape_samples_scraped": set(),
    "scrape_samples_post_metric_relabeling": set(),
    "scrape_series_added": set(),
}

# Aggregations may be followed by ``by (...)`` rather than by their parenthesis, so they are
# told from metric names by name; any other name followed by "(" is a function.
AGGREGATIONS = {
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
    "bottomk", "topk", "quantile", "limitk", "limit_ratio",
}  # fmt: skip
# Keywords followed by a parenthesised list of label names, not an expression.
LABEL_LIST_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
KEYWORDS = LABEL_LIST_KEYWORDS | {"and", "or", "unless", "bool", "offset", "atan2", "inf", "nan"}

TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
    |(?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
    |(?P<duration>\d+(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*(?![\w.]))
    |(?P<number>0x[0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)
    |(?P<open>[({[])
    |(?P<close>[)}\]])
    |(?P<operator>==|!=|=~|!~|>=|<=|[-+*/%^<>=,:@])
    """,
    re.VERBOSE,
)
PAIRS = {")": "(", "}": "{", "]": "["}


def declared_metrics(source):
    """Series name -> its declared label names (None when not literal), from metrics.py.

    A metric is a call ``Counter("name", "help", [labels])`` (any of SERIES_SUFFIXES, also
    as ``prometheus_client.Counter``, and the metric families a custom collector yields) whose
    first argument is a string literal; its labels are the ``labelnames`` keyword or third
    argument (a family's ``labels`` keyword) when it is a literal list or tuple of strings.
    """
    series = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        kind = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        first = node.args[0]
        if kind not in SERIES_SUFFIXES or not isinstance(first, ast.Constant):
            continue
        if not isinstance(first.value, str):
            continue
        labels = literal_labels(node, LABELS_KEYWORD.get(kind, "labelnames"))
        counter = kind in ("Counter", "CounterMetricFamily")
        base = first.value.removesuffix("_total") if counter else first.value
        for suffix in SERIES_SUFFIXES[kind]:
            extra = {BUCKET_LABEL} if suffix == "_bucket" else set()
            series[base + suffix] = None if labels is None else labels | extra
    return series


def literal_labels(call, keyword="labelnames"):
    """The label names of a metric constructor call, or None when they are not literal."""
    labels = next((kw.value for kw in call.keywords if kw.arg == keyword), None)
    if labels is None and keyword == "labelnames" and len(call.args) >= 3:
        labels = call.args[2]
    if labels is None:
        return set()
    try:
        value = ast.literal_eval(labels)
    except ValueError:
        return None
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return set(value)
    return None


def tokenize(expr):
    """(kind, text) tokens of a PromQL expression, or None when it is not PromQL (promtool
    reports that): an unknown character or unbalanced brackets."""
    tokens, position, stack = [], 0, []
    while position < len(expr):
        match = TOKEN_RE.match(expr, position)
        if not match:
            return None
        kind, text = match.lastgroup, match.group()
        if kind == "open":
            stack.append(text)
        elif kind == "close" and (not stack or stack.pop() != PAIRS[text]):
            return None
        if kind != "space":
            tokens.append((kind, text))
        position = match.end()
    return None if stack else tokens


class _Walker:  # pylint: disable=too-few-public-methods
    """Classifies each name of an expression by where it stands, and checks it."""

    def __init__(self, metrics):
        self.metrics = {**SCRAPE_SERIES, **metrics}
        self.problems = []

    def walk(self, tokens):
        """Check every name token; tokens must have balanced brackets."""
        context = []  # what each open bracket holds: "expr", "labels", "matchers", "range"
        selector = None  # the metric whose {matchers} are open
        for index, (kind, text) in enumerate(tokens):
            following = tokens[index + 1] if index + 1 < len(tokens) else ("", "")
            previous = tokens[index - 1] if index else ("", "")
            if kind == "open":
                context.append(self.opened(text, previous))
                if text == "{":
                    selector = previous[1] if previous[0] == "name" else None
            elif kind == "close":
                context.pop()
            elif kind == "name":
                where = context[-1] if context else "expr"
                self.name(text, where, following, selector)

    @staticmethod
    def opened(bracket, previous):
        """What a bracket opened after the previous token holds."""
        if bracket == "[":
            return "range"
        if bracket == "{":
            return "matchers"
        if previous[0] == "name" and previous[1].lower() in LABEL_LIST_KEYWORDS:
            return "labels"
        return "expr"

    def name(self, text, where, following, selector):
        """A label name in matchers is checked against its metric; in an expression, a name
        that is no keyword, aggregation or function call must be a metric the API exports."""
        if where == "matchers" and following[1] in ("=", "!=", "=~", "!~"):
            self.label(text, selector)
        if where != "expr" or text.lower() in KEYWORDS or text in AGGREGATIONS:
            return
        if following[1] != "(" and text not in self.metrics:
            self.problems.append(f"unknown metric {text}: monitoring/metrics.py declares no such")

    def label(self, label, metric):
        """A label matched on a metric must be one it has."""
        labels = self.metrics.get(metric)
        if labels is None or label == "__name__":
            return
        if label not in labels | TARGET_LABELS:
            known = ", ".join(sorted(labels | TARGET_LABELS))
            self.problems.append(f"{metric} has no label {label!r} (it has {known})")


def expression_problems(expr, metrics):
    """Unknown metrics and labels of one PromQL expression, given the series the API exports."""
    tokens = tokenize(expr) if isinstance(expr, str) else None
    if tokens is None:
        return []
    walker = _Walker(metrics)
    walker.walk(tokens)
    return walker.problems


def alert_field_problems(rule):
    """The fields that make an alert actionable."""
    problems = []
    if "for" not in rule:
        problems.append("no 'for': say how long the condition must hold before firing")
    labels = rule.get("labels") if isinstance(rule.get("labels"), dict) else {}
    if labels.get("severity") not in SEVERITIES:
        problems.append(f"labels.severity must be one of {', '.join(SEVERITIES)}")
    annotations = rule.get("annotations") if isinstance(rule.get("annotations"), dict) else {}
    for key in REQUIRED_ANNOTATIONS:
        if not isinstance(annotations.get(key), str) or not annotations[key].strip():
            problems.append(f"no annotations.{key}")
    return problems


def rules_of(text):
    """Every rule mapping of a rule file, or none when it is not one (promtool reports that)."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:  # the parse check reports it
        return []
    groups = document.get("groups") if isinstance(document, dict) else None
    return [
        rule
        for group in (groups if isinstance(groups, list) else [])
        if isinstance(group, dict) and isinstance(group.get("rules"), list)
        for rule in group["rules"]
        if isinstance(rule, dict)
    ]


def alert_names(text):
    """The names of a rule file's alerts."""
    return [str(rule["alert"]) for rule in rules_of(text) if "alert" in rule]


def rule_file_problems(text, metrics):
    """What promtool cannot see in a rule file; ``metrics`` maps series names to label names."""
    problems = []
    for rule in rules_of(text):
        name = rule.get("alert") or rule.get("record") or "a rule"
        found = [f"expr: {p}" for p in expression_problems(rule.get("expr"), metrics)]
        if "alert" in rule:
            found += alert_field_problems(rule)
        problems += [f"{name}: {problem}" for problem in found]
    return problems
