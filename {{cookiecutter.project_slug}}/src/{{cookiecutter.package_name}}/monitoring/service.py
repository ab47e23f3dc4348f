"""Level 4's part of the API: metrics, the prediction log and model reload, in one object.

``create_app`` gets a :class:`Monitoring` and lets it add its middleware and routes; the
prediction routes hand it every answer. ``/metrics`` is for Prometheus; ``POST /admin/reload``
makes the API look at the registry's aliases now instead of at the next poll, for a pipeline
that just promoted a model. It answers a bearer token equal to ``ADMIN_TOKEN``. Without that
variable it answers only a caller on this machine, and only while the server listens on loopback
alone: the caller is the socket's peer, never what a forwarding header claims (``serve`` runs
uvicorn without proxy headers, and a forwarded request is not local whoever forwarded it).
"""

import hmac
import ipaddress
import os
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response

from ..pipeline.schema import Task
from ..serving.registry import load_version, registry_client, served_versions
from ..serving.schemas import Problem
from ..serving.settings import LISTEN_HOST_VARIABLE, ServeSettings
from .metrics import MetricsMiddleware, ServingMetrics
from .predlog import PredictionLogger
from .reload import ModelWatcher, Versions
from .settings import (
    DEFAULT_MONITOR_CONFIG,
    MONITOR_CONFIG_VARIABLE,
    MonitorSettings,
    load_monitor_config,
)

TOKEN_VARIABLE = "ADMIN_TOKEN"
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


class Monitoring:
    """The metrics, prediction log and model watcher of one app."""

    def __init__(
        self,
        settings: MonitorSettings,
        resolve: Callable[[], Versions],
        load: Callable[[str, str], Any],
    ):
        """``resolve`` and ``load`` read the registry: see :class:`.reload.ModelWatcher`."""
        self.settings = settings
        self.log = PredictionLogger(settings.log)
        self.metrics = ServingMetrics(lambda: self.log.dropped, settings.log.directory)
        self.resolve = resolve
        self.load = load
        self.watcher: ModelWatcher | None = None

    def attach(self, app: FastAPI, slots: Any) -> None:
        """Add the middleware and the routes to ``app``, watching the models of ``slots``."""
        self.watcher = ModelWatcher(
            slots, self.resolve, self.load, self.settings.reload_interval, self.count_reload
        )
        app.add_middleware(MetricsMiddleware, metrics=self.metrics)
        add_routes(app, self, slots)

    def count_reload(self, variant: str, outcome: str) -> None:
        """Count a model load after an alias moved."""
        self.metrics.reloads.labels(variant, outcome).inc()

    def start(self) -> None:
        """Start the log writer and the alias polling (on the running event loop)."""
        self.log.start()
        if self.watcher is not None:
            self.watcher.start()

    async def stop(self) -> None:
        """Stop polling and write what the log still holds."""
        if self.watcher is not None:
            await self.watcher.stop()
        self.log.close()

    def shed(self, _: Request) -> None:
        """Count a prediction request refused because the server was at its limit."""
        self.metrics.shed.inc()

    def observe(
        self, request: Request, model: Any, rows: list[dict[str, Any]], answers: list[Any]
    ) -> None:
        """Record an answer: its variant for the request metrics, its classes, its log lines."""
        request.state.variant = model.variant
        classes = answers if model.schema.task == Task.CLASSIFICATION else [""] * len(answers)
        self.metrics.count_predictions(model.variant, model.version, classes)
        self.log.log(rows, answers, model.variant, model.version)

    async def reload(self) -> Versions:
        """Look at the registry's aliases now; the version each variant then serves."""
        if self.watcher is None:
            raise RuntimeError("the monitoring is not attached to an app")
        return await self.watcher.reload()


def is_loopback(address: str) -> bool:
    """Whether ``address`` (an IP address as text) is this machine's loopback."""
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def listens_on_loopback_only() -> bool:
    """Whether this server listens on loopback alone (as `serve` reported to its workers)."""
    host = os.environ.get(LISTEN_HOST_VARIABLE, "")
    return host == "localhost" or is_loopback(host)


def is_local_caller(request: Request) -> bool:
    """Whether the socket's peer is this machine and no proxy forwarded the request."""
    forwarded = any(name in request.headers for name in FORWARDING_HEADERS)
    peer = request.scope.get("client")
    return not forwarded and peer is not None and is_loopback(peer[0])


def check_admin(request: Request) -> None:
    """403 unless the request carries the admin token or, with no token set, comes from this
    machine to a server that listens on loopback alone."""
    token = os.environ.get(TOKEN_VARIABLE)
    if token:
        offered = request.headers.get("authorization", "")
        if not hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
            raise HTTPException(403, "a valid admin token is needed (Authorization: Bearer ...)")
    elif not listens_on_loopback_only():
        raise HTTPException(403, f"this server listens beyond loopback: set {TOKEN_VARIABLE}")
    elif not is_local_caller(request):
        raise HTTPException(403, f"set {TOKEN_VARIABLE} to call this endpoint from elsewhere")


def add_routes(app: FastAPI, monitoring: Monitoring, slots: Any) -> None:
    """GET /metrics and POST /admin/reload."""

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus metrics; model_info is set from the models served at this moment."""
        monitoring.metrics.serve_models([model.describe() for model in slots.models.values()])
        return monitoring.metrics.response()

    @app.post("/admin/reload", responses={403: {"model": Problem, "description": "not allowed"}})
    async def reload(request: Request) -> dict[str, Versions]:
        """Swap in the versions the registry's aliases name now; the versions served after."""
        check_admin(request)
        return {"served": await monitoring.reload()}


def monitoring_from_environment(settings: ServeSettings) -> Monitoring:
    """The monitoring of the config ``MONITOR_CONFIG`` names, following the registry's aliases
    of the served model (uvicorn's workers build it in their own processes)."""
    monitor_settings = load_monitor_config(
        os.environ.get(MONITOR_CONFIG_VARIABLE) or DEFAULT_MONITOR_CONFIG
    )
    client = registry_client()
    return Monitoring(
        monitor_settings,
        resolve=lambda: served_versions(client, settings.registered_model),
        load=lambda variant, version: load_version(client, variant, version, settings),
    )
