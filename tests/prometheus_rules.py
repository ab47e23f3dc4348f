"""A structural check of Prometheus rule files, against the metrics the generated API declares.

Prometheus's own checker, ``promtool check rules``, ships with the Prometheus binary and is
not installable from PyPI, so it cannot run offline here. This module is the substitute: it
does not evaluate PromQL, but it catches what makes an alert silently useless or rejected at
load time:

- the file's shape: ``groups`` of uniquely named groups holding ``rules``, each rule an alert
  or a recording rule with only the keys Prometheus knows;
- the fields an alert needs to be acted on: ``expr``, ``for``, ``labels.severity`` (one of
  ``SEVERITIES``), ``annotations.summary`` and ``annotations.description``;
- durations (``for``, ``keep_firing_for``, a group's ``interval``, ranges in ``[5m]``) in
  Prometheus's syntax;
- expressions: balanced parentheses, braces and brackets, only known PromQL functions and
  aggregations, and every metric name one the generated ``monitoring/metrics.py`` declares
  (read from its source with ``ast``, with the suffixes prometheus-client adds), and every
  label matched on a metric one of its declared labels. An alert on a misspelt metric or
  label is valid PromQL that never fires: this is the mistake worth catching.
"""

import ast
import re

import yaml

SEVERITIES = ("critical", "warning", "info")
ALERT_KEYS = {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}
RECORD_KEYS = {"record", "expr", "labels"}
GROUP_KEYS = {"name", "interval", "rules", "limit", "query_offset", "labels"}
REQUIRED_ANNOTATIONS = ("summary", "description")

# Prometheus's duration syntax (prometheus/common model.ParseDuration): units largest first,
# each at most once, or a bare 0.
DURATION_RE = re.compile(
    r"^(?!$)(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m(?!s))?(\d+s)?(\d+ms)?$|^0$", re.ASCII
)

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

AGGREGATIONS = {
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
    "bottomk", "topk", "quantile", "limitk", "limit_ratio",
}  # fmt: skip
FUNCTIONS = {
    "abs", "absent", "absent_over_time", "avg_over_time", "ceil", "changes", "clamp",
    "clamp_max", "clamp_min", "count_over_time", "day_of_month", "day_of_week", "day_of_year",
    "days_in_month", "delta", "deriv", "double_exponential_smoothing", "exp", "first_over_time",
    "floor", "histogram_avg", "histogram_count", "histogram_fraction", "histogram_quantile",
    "histogram_stddev", "histogram_stdvar", "histogram_sum", "hour", "idelta", "increase",
    "info", "irate", "label_join", "label_replace", "last_over_time", "ln", "log10", "log2",
    "mad_over_time", "max_over_time", "min_over_time", "minute", "month", "predict_linear",
    "present_over_time", "quantile_over_time", "rate", "resets", "round", "scalar", "sgn",
    "sort", "sort_by_label", "sort_by_label_desc", "sort_desc", "sqrt", "stddev_over_time",
    "stdvar_over_time", "sum_over_time", "time", "timestamp", "ts_of_max_over_time",
    "ts_of_min_over_time", "vector", "year", "acos", "acosh", "asin", "asinh", "atan", "atanh",
    "cos", "cosh", "deg", "pi", "rad", "sin", "sinh", "tan", "tanh", "start", "end",
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


def is_duration(value):
    """Whether a value is a Prometheus duration such as 5m, 1h30m or 2d."""
    return isinstance(value, str) and bool(DURATION_RE.match(value))


def tokenize(expr):
    """(kind, text) tokens of a PromQL expression, and the problems met on the way."""
    tokens, problems, position = [], [], 0
    while position < len(expr):
        match = TOKEN_RE.match(expr, position)
        if not match:
            problems.append(f"unexpected character {expr[position]!r} at {position}")
            position += 1
            continue
        if match.lastgroup != "space":
            tokens.append((match.lastgroup, match.group()))
        position = match.end()
    return tokens, problems


def bracket_problems(tokens):
    """Unbalanced or mismatched (), {} and []."""
    stack = []
    for kind, text in tokens:
        if kind == "open":
            stack.append(text)
        elif kind == "close":
            if not stack or stack.pop() != PAIRS[text]:
                return [f"unbalanced {text!r}"]
    return [f"unclosed {opening!r}" for opening in stack]


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
            elif kind == "number" and context and context[-1] == "range":
                self.problems.append(f"{text} in a range: expected a duration such as 5m")
            elif kind == "duration" and (not context or context[-1] != "range"):
                if previous[1].lower() != "offset":
                    self.problems.append(f"duration {text} outside a range or offset")
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
        """A label name in matchers, a keyword, a function or a metric name."""
        if where == "labels":
            return
        if where == "matchers":
            if following[1] in ("=", "!=", "=~", "!~"):
                self.label(text, selector)
            return
        if where == "range":
            self.problems.append(f"{text!r} in a range: expected a duration such as 5m")
        elif text.lower() in KEYWORDS:
            return
        elif text in AGGREGATIONS or following[1] == "(":
            if text not in AGGREGATIONS | FUNCTIONS:
                self.problems.append(f"unknown function {text}()")
        elif text not in self.metrics:
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
    """Problems of one PromQL expression, given the series the API exports."""
    if not isinstance(expr, str) or not expr.strip():
        return ["expr is missing or not a string"]
    tokens, problems = tokenize(expr)
    problems += bracket_problems(tokens)
    if problems:
        return problems
    walker = _Walker(metrics)
    walker.walk(tokens)
    return walker.problems


def rule_problems(rule, metrics):
    """Problems of one rule (an alert or a recording rule)."""
    if not isinstance(rule, dict):
        return ["a rule is not a mapping"]
    name = rule.get("alert") or rule.get("record") or "a rule"
    if ("alert" in rule) == ("record" in rule):
        return [f"{name}: a rule needs exactly one of alert and record"]
    allowed = ALERT_KEYS if "alert" in rule else RECORD_KEYS
    problems = [f"unknown key {key!r}" for key in sorted(set(rule) - allowed)]
    problems += [f"expr: {p}" for p in expression_problems(rule.get("expr"), metrics)]
    if "alert" in rule:
        problems += alert_field_problems(rule)
    return [f"{name}: {problem}" for problem in problems]


def alert_field_problems(rule):
    """The fields that make an alert actionable, and its durations."""
    problems = []
    for key in ("for", "keep_firing_for"):
        if key in rule and not is_duration(rule[key]):
            problems.append(f"{key}: {rule[key]!r} is not a duration such as 5m")
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


def group_problems(group, metrics):
    """Problems of one group and of its rules."""
    if not isinstance(group, dict):
        return ["a group is not a mapping"]
    name = group.get("name")
    problems = [f"unknown key {key!r}" for key in sorted(set(group) - GROUP_KEYS)]
    if not isinstance(name, str) or not name:
        problems.append("a group has no name")
    for key in ("interval", "query_offset"):
        if key in group and not is_duration(group[key]):
            problems.append(f"{key}: {group[key]!r} is not a duration such as 1m")
    rules = group.get("rules")
    if not isinstance(rules, list) or not rules:
        problems.append("no rules")
        rules = []
    alerts = [rule["alert"] for rule in rules if isinstance(rule, dict) and "alert" in rule]
    problems += [f"alert {a} is defined twice" for a in sorted(set(alerts)) if alerts.count(a) > 1]
    for rule in rules:
        problems += rule_problems(rule, metrics)
    return [f"group {name}: {problem}" for problem in problems]


def rule_file_problems(text, metrics):
    """Every problem of a rule file; ``metrics`` maps series names to their label names."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:  # the parse check reports it
        return []
    if not isinstance(document, dict) or not isinstance(document.get("groups"), list):
        return ["a rule file is a mapping with a list of groups"]
    problems = [f"unknown top-level key {key!r}" for key in sorted(set(document) - {"groups"})]
    names = [str(group.get("name")) for group in document["groups"] if isinstance(group, dict)]
    problems += [f"group {n} is defined twice" for n in sorted(set(names)) if names.count(n) > 1]
    for group in document["groups"]:
        problems += group_problems(group, metrics)
    return problems
