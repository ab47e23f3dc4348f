"""The serving API: liveness, readiness, predictions (one row or a batch) and model lineage.

Endpoints are ``async`` and rows go through a micro-batcher per model, so one worker serves
many concurrent requests with one model call per batch. Responses are serialised once, with
orjson, from plain values: the response models only document their shape in the OpenAPI
schema, since validating what the API itself built would cost time and catch nothing.
"""

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import orjson
from fastapi import FastAPI, Header, HTTPException, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError

{%- if cookiecutter.__monitoring == 'yes' %}
from ..monitoring.service import Monitoring
from ..monitoring.settings import DEFAULT_MONITOR_CONFIG, load_monitor_config
{%- endif %}
from ..pipeline.errors import PipelineError
{%- if cookiecutter.__monitoring == 'yes' %}
from .registry import (
    ServedModel,
    load_registry_models,
    load_version,
    registry_client,
    served_versions,
)
{%- else %}
from .registry import ServedModel, load_registry_models
{%- endif %}
from .routing import CHALLENGER, CHAMPION, Router
from .schemas import (
    BatchPrediction,
    ModelReport,
    Prediction,
    Status,
    batch_model,
    field_names,
    row_model,
)
from .settings import DEFAULT_SERVE_CONFIG, ServeSettings, load_serve_config

# The serving config of an app built by uvicorn (:func:`app_from_environment`): uvicorn's
# workers import the app in their own processes, so the command line hands it over this way.
CONFIG_VARIABLE = "SERVE_CONFIG"
{%- if cookiecutter.__monitoring == 'yes' %}
MONITOR_CONFIG_VARIABLE = "MONITOR_CONFIG"
{%- endif %}
# How often an app without a champion looks in the registry again, when asked if it is ready.
RETRY_SECONDS = 5.0
NO_CHAMPION = "no champion model is loaded: train, then run `make promote`"
LOGGER = logging.getLogger(__name__)
RoutingKey = Annotated[str | None, Header(alias="X-Routing-Key")]
ModelLoader = Callable[[], dict[str, ServedModel]]


def json_response(payload: dict[str, Any], status_code: int = 200) -> Response:
    """A JSON response serialised once, with orjson."""
    return Response(orjson.dumps(payload), status_code=status_code, media_type="application/json")


class ModelSlots:
    """The models being served, by variant, swapped as a whole so no request sees half a swap.

    An app that started before any model was promoted looks again, at most every
    ``RETRY_SECONDS``, when asked whether it is ready: it becomes ready without a restart.
    """

    def __init__(self, load_models: ModelLoader):
        self.load_models = load_models
        self.models: dict[str, ServedModel] = {}
        self.last_attempt = -RETRY_SECONDS
        self.lock = asyncio.Lock()

    def replace(self, models: dict[str, ServedModel]) -> None:
        """Serve a new set of models (the dict is swapped in one assignment)."""
        for model in models.values():
            model.batcher.start()
        self.models = models

    async def swap(self, models: dict[str, ServedModel]) -> None:
        """Serve ``models`` from now on; requests already queued on a replaced model finish on
        it (its batcher is drained), so a swap fails no request."""
        replaced = [
            model for variant, model in self.models.items() if models.get(variant) is not model
        ]
        self.replace(models)
        await asyncio.gather(*(model.batcher.drain() for model in replaced))

    def load(self) -> None:
        """Load the models now, in the event loop: at startup, before any request.

        A champion the configured features cannot feed stops the server here, with the reason,
        rather than leaving it up and never ready.
        """
        self.last_attempt = time.monotonic()
        self.replace(self.load_models())

    async def retry(self) -> None:
        """Without a champion, look in the registry again (in a thread) if it is time to."""
        async with self.lock:
            if CHAMPION in self.models or time.monotonic() - self.last_attempt < RETRY_SECONDS:
                return
            self.last_attempt = time.monotonic()
            try:
                models = await asyncio.to_thread(self.load_models)
            except PipelineError as error:
                LOGGER.error("cannot serve the champion: %s", error)
                return
            await self.swap(models)

    async def stop(self) -> None:
        """Stop every batcher; requests still queued get an error instead of hanging."""
        for model in self.models.values():
            await model.batcher.stop()

    def champion(self) -> ServedModel:
        """The champion; 503 when none is loaded yet."""
        model = self.models.get(CHAMPION)
        if model is None:
            raise HTTPException(503, NO_CHAMPION)
        return model


async def validation_error(_: Request, error: RequestValidationError) -> Response:
    """413 for a batch with too many rows; else 422 with FastAPI's details, naming the field.

    The details are written with orjson, which writes an infinite or NaN input back as null:
    the standard JSON encoder would fail on the very values the API refuses.
    """
    details = jsonable_encoder(error.errors())
    for detail in details:
        if detail["type"] == "too_long" and detail["loc"] == ["body", "rows"]:
            limit = detail["ctx"]["max_length"]
            return json_response({"detail": f"a batch may hold at most {limit} rows"}, 413)
    return json_response({"detail": details}, 422)


def add_status_routes(app: FastAPI, slots: ModelSlots, settings: ServeSettings) -> None:
    """/health, /ready and /model: what probes and people ask about the service."""

    @app.get("/health", response_model=Status)
    async def health() -> Response:
        """Liveness: the process answers, whether or not a model is loaded."""
        return json_response({"status": "ok"})

    @app.get("/ready", response_model=Status, responses={503: {"model": Status}})
    async def ready() -> Response:
        """Readiness: 200 only once a champion is loaded, so no traffic arrives before."""
        await slots.retry()
        if CHAMPION not in slots.models:
            return json_response({"status": NO_CHAMPION}, 503)
        return json_response({"status": "ready", "model_version": slots.champion().version})

    @app.get("/model", response_model=ModelReport, responses={503: {"description": NO_CHAMPION}})
    async def model_info() -> Response:
        """Name, version, alias, run and data hash of each served model: a prediction's lineage."""
        slots.champion()
        models = [model.describe() for model in slots.models.values()]
        return json_response({"challenger_share": settings.challenger_share, "models": models})
{%- if cookiecutter.__monitoring == 'yes' %}


def add_prediction_routes(
    app: FastAPI, slots: ModelSlots, settings: ServeSettings, monitoring: Monitoring
) -> None:
    """/predict and /predict/batch, with schemas derived from the configured features.

    Every answer is handed to ``monitoring``: metrics per variant and class, and the log.
    """
{%- else %}


def add_prediction_routes(app: FastAPI, slots: ModelSlots, settings: ServeSettings) -> None:
    """/predict and /predict/batch, with schemas derived from the configured features."""
{%- endif %}
    router = Router(settings.challenger_share)
    row_schema = row_model(settings.features, settings.max_abs_value)
    batch_schema = batch_model(row_schema, settings.max_batch_rows)
    names = field_names(settings.features)
    unavailable = {
        400: {"description": "the body is not valid JSON"},
        503: {"description": NO_CHAMPION},
    }

    def route(key: str | None) -> ServedModel:
        champion = slots.champion()
        variant = router.choose(key, has_challenger=CHALLENGER in slots.models)
        return slots.models.get(variant, champion)

    @app.post("/predict", response_model=Prediction, responses=unavailable)
{%- if cookiecutter.__monitoring == 'yes' %}
    async def predict(
        request: Request, row: row_schema, routing_key: RoutingKey = None
    ) -> Response:
        """Predict one row; the answer names the variant and the model version that gave it."""
        model = route(routing_key)
        values = [getattr(row, name) for name in names]
        (prediction,) = await model.batcher.submit([values])
        monitoring.observe(request, model, [dict(zip(settings.features, values))], [prediction])
{%- else %}
    async def predict(row: row_schema, routing_key: RoutingKey = None) -> Response:
        """Predict one row; the answer names the variant and the model version that gave it."""
        model = route(routing_key)
        (prediction,) = await model.batcher.submit([[getattr(row, name) for name in names]])
{%- endif %}
        return json_response(
            {"prediction": prediction, "variant": model.variant, "model_version": model.version}
        )

    @app.post(
        "/predict/batch",
        response_model=BatchPrediction,
        responses={413: {"description": "more rows than max_batch_rows"}, **unavailable},
    )
{%- if cookiecutter.__monitoring == 'yes' %}
    async def predict_batch(
        request: Request, batch: batch_schema, routing_key: RoutingKey = None
    ) -> Response:
        """Predict up to ``max_batch_rows`` rows at once, all with the same variant."""
        model = route(routing_key)
        rows = [[getattr(row, name) for name in names] for row in batch.rows]
        predictions = await model.batcher.submit(rows)
        logged = [dict(zip(settings.features, row)) for row in rows]
        monitoring.observe(request, model, logged, predictions)
{%- else %}
    async def predict_batch(batch: batch_schema, routing_key: RoutingKey = None) -> Response:
        """Predict up to ``max_batch_rows`` rows at once, all with the same variant."""
        model = route(routing_key)
        rows = [[getattr(row, name) for name in names] for row in batch.rows]
        predictions = await model.batcher.submit(rows)
{%- endif %}
        return json_response(
            {"predictions": predictions, "variant": model.variant, "model_version": model.version}
        )
{%- if cookiecutter.__monitoring == 'yes' %}


def create_app(
    settings: ServeSettings, load_models: ModelLoader, monitoring: Monitoring
) -> FastAPI:
    """The FastAPI app; ``load_models`` and ``monitoring`` read the registry (tests pass their
    own)."""
    slots = ModelSlots(load_models)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        slots.load()
        monitoring.start()
        yield
        await monitoring.stop()
        await slots.stop()
{%- else %}


def create_app(settings: ServeSettings, load_models: ModelLoader) -> FastAPI:
    """The FastAPI app; ``load_models`` reads the registry (tests pass their own)."""
    slots = ModelSlots(load_models)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        slots.load()
        yield
        await slots.stop()
{%- endif %}

    app = FastAPI(
        title="Model serving API",
        description="Predictions of the registry's champion, with A/B tests of the challenger.",
        lifespan=lifespan,
    )
    app.state.slots = slots
    app.add_exception_handler(RequestValidationError, validation_error)
    add_status_routes(app, slots, settings)
{%- if cookiecutter.__monitoring == 'yes' %}
    add_prediction_routes(app, slots, settings, monitoring)
    monitoring.attach(app, slots)
{%- else %}
    add_prediction_routes(app, slots, settings)
{%- endif %}
    return app


def app_from_environment() -> FastAPI:
    """The app of the serving config that ``SERVE_CONFIG`` names, serving the registry's models.

    uvicorn calls this factory in each worker process.
    """
    settings = load_serve_config(os.environ.get(CONFIG_VARIABLE) or DEFAULT_SERVE_CONFIG)
{%- if cookiecutter.__monitoring == 'yes' %}
    monitor_settings = load_monitor_config(
        os.environ.get(MONITOR_CONFIG_VARIABLE) or DEFAULT_MONITOR_CONFIG
    )
    client = registry_client()
    monitoring = Monitoring(
        monitor_settings,
        resolve=lambda: served_versions(client, settings.registered_model),
        load=lambda variant, version: load_version(client, variant, version, settings),
    )
    return create_app(settings, lambda: load_registry_models(settings), monitoring)
{%- else %}
    return create_app(settings, lambda: load_registry_models(settings))
{%- endif %}
