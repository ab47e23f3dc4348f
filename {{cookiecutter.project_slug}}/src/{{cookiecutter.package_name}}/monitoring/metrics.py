"""Prometheus metrics of the serving API, with prometheus-client.

- ``http_requests_total{endpoint,method,status,variant}`` and the
  ``http_request_duration_seconds{endpoint,method,variant}`` histogram come from a pure ASGI
  middleware (cheaper than Starlette's BaseHTTPMiddleware). ``endpoint`` is the route's path
  template, never the raw path, so unknown URLs cannot blow up the label set; ``variant`` is
  what the prediction handler put in ``request.state.variant``.
- ``predictions_total{variant,model_version,class}``, counted by the handler.
- ``model_info{variant,name,version,run_id}`` is 1 for each served model, set from the models
  served at each scrape, so a query sees only the live versions.
- ``model_reloads_total{variant,outcome}`` and ``prediction_log_dropped_total``.
- ``requests_shed_total``: prediction requests refused (503) at ``max_concurrent_requests``.
- ``data_drift_detected`` and ``data_drift_last_check_timestamp_seconds``, read at scrape time
  from the verdict ``make monitor`` leaves in the prediction log folder (absent before a check).

Each app has its own registry, so tests can build several apps in one process. One uvicorn
worker per pod: the counters live in the process.
"""

import collections
import json
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOGGER = logging.getLogger(__name__)
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
# The verdict `make monitor` copies next to the prediction log, where every pod can read it.
VERDICT_FILE = "drift.json"


def read_verdict(path: Path) -> tuple[float, float] | None:
    """(1 for drift else 0, time of the check) from a verdict file; None before any check."""
    try:
        verdict = json.loads(path.read_text(encoding="utf-8"))
        return float(bool(verdict["drift"])), float(verdict["checked_at"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        LOGGER.warning("cannot read the drift verdict %s: %s", path, error)
        return None


class ScrapeTimeCollector(Collector):  # pylint: disable=too-few-public-methods
    """Values read when Prometheus scrapes: the log's dropped count and the drift verdict."""

    def __init__(self, log_dropped: Callable[[], float], verdict_path: Path):
        self.log_dropped = log_dropped
        self.verdict_path = verdict_path

    def collect(self) -> Iterator[Metric]:
        """The dropped count; the drift gauges once a verdict can be read."""
        yield CounterMetricFamily(
            "prediction_log_dropped",
            "Predictions not logged because the writer fell behind",
            value=self.log_dropped(),
        )
        verdict = read_verdict(self.verdict_path)
        if verdict is None:
            return
        detected, checked = verdict
        yield GaugeMetricFamily(
            "data_drift_detected", "1 when the latest drift check found drift", value=detected
        )
        yield GaugeMetricFamily(
            "data_drift_last_check_timestamp_seconds",
            "Unix time of the latest drift check",
            value=checked,
        )


class ServingMetrics:
    """The metrics of one app, in their own registry."""

    def __init__(self, log_dropped: Callable[[], float], log_dir: Path):
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests",
            "HTTP requests answered",
            ["endpoint", "method", "variant", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time to answer a request",
            ["endpoint", "method", "variant"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.predictions = Counter(
            "predictions",
            "Predictions made, per predicted class (empty for a regressor's numbers)",
            ["variant", "model_version", "class"],
            registry=self.registry,
        )
        self.model_info = Gauge(
            "model_info",
            "The model versions being served (value 1)",
            ["variant", "name", "version", "run_id"],
            registry=self.registry,
        )
        self.reloads = Counter(
            "model_reloads",
            "Model loads after an alias moved, by outcome (loaded or failed)",
            ["variant", "outcome"],
            registry=self.registry,
        )
        self.shed = Counter(
            "requests_shed",
            "Prediction requests refused with 503 because the server was at its limit",
            registry=self.registry,
        )
        self.registry.register(ScrapeTimeCollector(log_dropped, Path(log_dir) / VERDICT_FILE))

    def serve_models(self, described: list[dict[str, Any]]) -> None:
        """Set model_info to exactly the models now served (``ServedModel.describe()``)."""
        self.model_info.clear()
        for model in described:
            labels = (model["variant"], model["name"], model["version"], model["run_id"])
            self.model_info.labels(*labels).set(1)

    def count_predictions(self, variant: str, version: str, predictions: list[Any]) -> None:
        """Count predictions per class (one increment per distinct class in the request); a
        regressor's numbers come as empty classes, so the label set stays bounded."""
        for label, count in collections.Counter(map(str, predictions)).items():
            self.predictions.labels(variant, version, label).inc(count)

    def response(self) -> Response:
        """The body of GET /metrics."""
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:  # pylint: disable=too-few-public-methods
    """Pure ASGI middleware: count and time every HTTP request by route template and variant."""

    def __init__(self, app: ASGIApp, metrics: ServingMetrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/metrics":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            endpoint = getattr(scope.get("route"), "path", None) or "unmatched"
            variant = scope.get("state", {}).get("variant", "")
            labels = (endpoint, scope["method"], variant)
            self.metrics.latency.labels(*labels).observe(time.perf_counter() - start)
            self.metrics.requests.labels(*labels, str(status)).inc()
