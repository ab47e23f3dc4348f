"""The serving API: liveness, readiness, predictions (one row or a batch) and model lineage.

A request is checked against the data schema of the champion being served (its features, their
kinds, which may be missing), so a newly promoted model of new data is served with the right
schema without a restart; the OpenAPI document shows the same schema. Endpoints are ``async`` and
rows go through a micro-batcher per model, so one worker serves many concurrent requests with
one model call per batch. Responses are serialised once, with orjson, from plain values: the
response models only document their shape in the OpenAPI schema, since validating what the API
itself built would cost time and catch nothing.

No request can stall or break the server: a body larger than the largest batch can be is refused
(413) before it is read; a large body is parsed and a large batch is scored in a worker thread,
so health probes are answered meanwhile; past ``max_concurrent_requests`` predictions at once, a
request is shed at once (503, ``Retry-After``) rather than queued without bound; and an error
repeats at most a short prefix of what it refuses, in JSON that always serialises.

Components of higher maturity levels extend the app through :class:`Extension` (level 4's
monitoring: metrics, the prediction log, model reload), so the app has one shape at every level.
"""

import asyncio
import contextlib
import gc
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any, Protocol

import orjson
from fastapi import FastAPI, Header, HTTPException, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from pydantic import ValidationError

from ..pipeline.errors import PipelineError
from .batching import Unloaded
from .registry import ServedModel, load_registry_models, servable
from .routing import CHALLENGER, CHAMPION, Router
from .schemas import BatchPrediction, ModelReport, Prediction, Problem, RequestSchemas, Status
from .settings import CONFIG_VARIABLE, DEFAULT_SERVE_CONFIG, ServeSettings, load_serve_config
{%- if cookiecutter.__monitoring == 'yes' %}
from ..monitoring.service import monitoring_from_environment
{%- endif %}

# How often an app without a champion looks in the registry again, when asked if it is ready.
RETRY_SECONDS = 5.0
NO_CHAMPION = "no champion model is loaded: train, then run `make promote`"
NO_PROBABILITIES = "this model gives no class probabilities (it is not a classifier that has them)"
OVERLOADED = "the server is at its limit of {limit} concurrent predictions: retry shortly"
# Seconds a shed or interrupted request is told to wait before it tries again.
RETRY_AFTER = "1"
# Characters of a refused input that an error repeats: enough to recognise it, never a whole body.
ECHO_CHARS = 80
# Bodies from this size on are parsed in a worker thread, so the event loop stays free; a
# smaller one is parsed in place, faster than handing it to a thread.
THREAD_PARSE_BYTES = 64 * 1024
ECHO_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)
LOGGER = logging.getLogger(__name__)
RoutingKey = Annotated[str | None, Header(alias="X-Routing-Key")]
ModelLoader = Callable[[], dict[str, ServedModel]]
# Before a champion is loaded, the features a request must send are not known yet.
UNKNOWN_ROW = {"type": "object", "description": "the champion's features (none is loaded yet)"}


class Extension(Protocol):
    """What a component adds to the app: routes and middleware, a life, and every answer."""

    def attach(self, app: FastAPI, slots: "ModelSlots") -> None:
        """Add routes or middleware to ``app``, serving the models of ``slots``."""

    def start(self) -> None:
        """Start background work, on the running event loop."""

    async def stop(self) -> None:
        """Stop background work."""

    def observe(
        self, request: Request, model: ServedModel, rows: list[dict[str, Any]], answers: list[Any]
    ) -> None:
        """Hear of one answered request: its model, its rows by feature, its predictions."""

    def shed(self, request: Request) -> None:
        """Hear of a prediction request refused because the server was at its limit."""


def json_response(payload: dict[str, Any], status_code: int = 200) -> Response:
    """A JSON response serialised once, with orjson."""
    return Response(orjson.dumps(payload), status_code=status_code, media_type="application/json")


class ModelSlots:
    """The models being served, by variant, swapped as a whole so no request sees half a swap,
    and the request schemas of the champion's features.

    An app that started before any model was promoted looks again, at most every
    ``RETRY_SECONDS``, when asked whether it is ready: it becomes ready without a restart. A
    champion it must refuse (trained on other features than the training config declares)
    leaves it unready, with the reason as its readiness status and in the log.
    """

    def __init__(self, load_models: ModelLoader, settings: ServeSettings):
        self.load_models = load_models
        self.settings = settings
        self.models: dict[str, ServedModel] = {}
        self.requests: RequestSchemas | None = None
        self.problem: str | None = None
        self.last_attempt = -RETRY_SECONDS
        self.lock = asyncio.Lock()

    def replace(self, models: dict[str, ServedModel]) -> None:
        """Serve a new set of models (the dict is swapped in one assignment)."""
        models = servable(models)
        for model in models.values():
            model.start()
        champion = models.get(CHAMPION)
        if champion is not None and champion is not self.models.get(CHAMPION):
            settings = self.settings
            self.requests = RequestSchemas.of(
                champion.schema, settings.max_abs_value, settings.max_batch_rows
            )
            self.problem = None
        self.models = models

    async def swap(self, models: dict[str, ServedModel]) -> None:
        """Serve ``models`` from now on; requests already queued on a replaced model finish on
        it (its batchers are drained), so a swap fails no request."""
        replaced = [
            model for variant, model in self.models.items() if models.get(variant) is not model
        ]
        self.replace(models)
        await asyncio.gather(*(model.drain() for model in replaced))

    def load(self) -> None:
        """Load the models now, in the event loop: at startup, before any request."""
        self.last_attempt = time.monotonic()
        try:
            self.replace(self.load_models())
        except PipelineError as error:
            self.refuse(error)

    def refuse(self, error: PipelineError) -> None:
        """Serve nothing, and say why: in the log, and in /ready's status."""
        self.problem = f"cannot serve the champion: {error}"
        LOGGER.error("%s", self.problem)

    async def retry(self) -> None:
        """Without a champion, look in the registry again (in a thread) if it is time to."""
        async with self.lock:
            if CHAMPION in self.models or time.monotonic() - self.last_attempt < RETRY_SECONDS:
                return
            self.last_attempt = time.monotonic()
            try:
                models = await asyncio.to_thread(self.load_models)
            except PipelineError as error:
                self.refuse(error)
                return
            await self.swap(models)

    async def stop(self) -> None:
        """Stop every batcher; requests still queued get an error instead of hanging."""
        for model in self.models.values():
            await model.stop()

    def champion(self) -> ServedModel:
        """The champion; 503 when none is loaded yet."""
        model = self.models.get(CHAMPION)
        if model is None:
            raise HTTPException(503, self.unready())
        return model

    def unready(self) -> str:
        """Why there is no champion to serve."""
        return self.problem or NO_CHAMPION

    def schemas(self) -> RequestSchemas:
        """The request schemas of the champion's features; 503 before a champion."""
        self.champion()
        assert self.requests is not None, "a champion always comes with its request schemas"
        return self.requests


def json_prefix(value: Any) -> str:
    """A little more than ``ECHO_CHARS`` of ``value`` written as JSON, without writing the rest
    (the encoder yields piece by piece); what an integer too long to write out stops at."""
    text = ""
    with contextlib.suppress(ValueError):
        for piece in ECHO_ENCODER.iterencode(value):
            text += piece
            if len(text) > ECHO_CHARS:
                break
    return text


def echoed(value: Any) -> Any:
    """A refused input as an error repeats it: a boolean, a number JSON can hold, or a short
    text as it was; anything longer, or that JSON cannot hold (a lone surrogate, raw bytes, an
    integer beyond 64 bits), as a text prefix. The answer to a 50 MB mistake stays small, and
    describing a mistake can never fail in turn."""
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**64 else f"an integer of {value.bit_length()} bits"
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = value if isinstance(value, str) else json_prefix(value)
    prefix = text[:ECHO_CHARS].encode("utf-8", "replace").decode("utf-8")
    return prefix if len(text) <= ECHO_CHARS else f"{prefix}..."


def error_details(
    errors: Sequence[Mapping[str, Any]], where: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Validation errors as FastAPI writes them, each naming its place from ``where`` down,
    with bounded echoes of the input it refuses and of the field names it was sent."""
    return [
        {"type": error["type"], "loc": [*where, *map(echoed, error["loc"])], "msg": error["msg"]}
        | ({"input": echoed(error["input"])} if "input" in error else {})
        | ({"ctx": jsonable_encoder(error["ctx"])} if "ctx" in error else {})
        for error in errors
    ]


def refusal(details: list[dict[str, Any]]) -> Response:
    """413 for a batch with too many rows; else 422 with the details, naming the field.

    The details are written with orjson, which writes an infinite or NaN input back as null:
    the standard JSON encoder would fail on the very values the API refuses.
    """
    for detail in details:
        if detail["type"] == "too_long" and detail["loc"] == ["body", "rows"]:
            limit = detail["ctx"]["max_length"]
            return json_response({"detail": f"a batch may hold at most {limit} rows"}, 413)
    return json_response({"detail": details}, 422)


async def body_error(_: Request, error: ValidationError) -> Response:
    """A request body that does not fit the champion's schema."""
    return refusal(error_details(error.errors(include_url=False), ("body",)))


async def parameter_error(_: Request, error: RequestValidationError) -> Response:
    """A query parameter or header FastAPI refused (its details already name the place)."""
    return refusal(error_details(list(error.errors()), ()))


async def unloaded_error(_: Request, error: Unloaded) -> Response:
    """A request whose model was unloaded before it answered (the server is stopping)."""
    response = json_response({"detail": str(error)}, 503)
    response.headers["Retry-After"] = RETRY_AFTER
    return response


class Admission:  # pylint: disable=too-few-public-methods
    """Lets at most ``limit`` prediction requests in at once, and sheds the rest at once.

    A shed request gets 503 with ``Retry-After`` and is reported to ``on_shed`` (level 4 counts
    it); the event loop is one thread, so a plain counter is exact.
    """

    def __init__(self, limit: int, on_shed: Callable[[Request], None]):
        self.limit = limit
        self.on_shed = on_shed
        self.active = 0

    @contextlib.contextmanager
    def admit(self, request: Request) -> Iterator[None]:
        """Hold one of the places while the request is worked on; 503 when none is free."""
        if self.active >= self.limit:
            self.on_shed(request)
            detail = OVERLOADED.format(limit=self.limit)
            raise HTTPException(503, detail, headers={"Retry-After": RETRY_AFTER})
        self.active += 1
        try:
            yield
        finally:
            self.active -= 1


def too_large(limit: int) -> HTTPException:
    """413 for a body over ``limit`` bytes, naming the limit and where it comes from."""
    return HTTPException(
        413,
        f"the request body is over {limit} bytes, the most this API reads: max_batch_rows rows "
        "of the longest values its features allow",
    )


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to be over ``limit`` bytes:
    from its Content-Length before any of it is read, else while it streams in."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def parse_rows(schemas: RequestSchemas, body: bytes, batch: bool) -> list[list[Any]]:
    """The rows of ``body``, parsed and checked in a worker thread when it is large."""
    if len(body) < THREAD_PARSE_BYTES:
        return schemas.parse(body, batch)
    return await asyncio.to_thread(schemas.parse, body, batch)


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
            return json_response({"status": slots.unready()}, 503)
        return json_response({"status": "ready", "model_version": slots.champion().version})

    @app.get("/model", response_model=ModelReport, responses={503: {"model": Problem}})
    async def model_info() -> Response:
        """Name, version, alias, run, data hash and features of each served model."""
        slots.champion()
        models = [model.describe() for model in slots.models.values()]
        return json_response({"challenger_share": settings.challenger_share, "models": models})


def request_body(schema_name: str) -> dict[str, Any]:
    """The OpenAPI request body of a route whose body is checked against a row schema."""
    reference = {"$ref": f"#/components/schemas/{schema_name}"}
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": reference}}}
    }


async def answer(model: ServedModel, rows: list[list[Any]], probabilities: bool) -> dict[str, Any]:
    """The predictions of ``rows`` (and their class probabilities when asked for)."""
    if not probabilities:
        return {"predictions": await model.batcher.submit(rows)}
    if not model.gives_probabilities:
        error = {"type": "no_probabilities", "loc": ("query", "probabilities"), "input": "true"}
        raise RequestValidationError([error | {"msg": NO_PROBABILITIES}])
    labelled = await model.probability_batcher.submit(rows)
    return {
        "predictions": [label for label, _ in labelled],
        "probabilities": [shares for _, shares in labelled],
    }


def add_prediction_routes(
    app: FastAPI, slots: ModelSlots, settings: ServeSettings, extensions: Sequence[Extension]
) -> None:
    """/predict and /predict/batch, checked against the champion's features.

    Every answer is handed to the extensions (at level 4: metrics per variant and class, and
    the prediction log).
    """
    router = Router(settings.challenger_share)

    def shed(request: Request) -> None:
        """Tell every extension of a request refused at the limit."""
        for extension in extensions:
            extension.shed(request)

    admission = Admission(settings.max_concurrent_requests, shed)
    errors: dict[int | str, dict[str, Any]] = {
        413: {"model": Problem, "description": "a body or batch over the limits"},
        503: {"model": Problem, "description": "no champion yet, or overloaded (Retry-After)"},
    }

    def route(key: str | None) -> ServedModel:
        champion = slots.champion()
        variant = router.choose(key, has_challenger=CHALLENGER in slots.models)
        return slots.models.get(variant, champion)

    async def predict_rows(
        request: Request, key: str | None, probabilities: bool, batch: bool
    ) -> tuple[ServedModel, dict[str, Any]]:
        with admission.admit(request):
            model = route(key)
            schemas = slots.schemas()
            body = await read_body(request, schemas.max_body_bytes)
            values = await parse_rows(schemas, body, batch)
            answered = await answer(model, values, probabilities)
        logged = [dict(zip(model.schema.names, row)) for row in values]
        for extension in extensions:
            extension.observe(request, model, logged, answered["predictions"])
        return model, answered

    @app.post(
        "/predict",
        response_model=Prediction,
        response_model_exclude_none=True,
        responses=errors,
        openapi_extra=request_body("Row"),
    )
    async def predict(
        request: Request, routing_key: RoutingKey = None, probabilities: bool = False
    ) -> Response:
        """Predict one row; the answer names the variant and the model version that gave it.

        ``?probabilities=true`` adds each class's probability (classifiers only).
        """
        model, answered = await predict_rows(request, routing_key, probabilities, batch=False)
        single = {key: values[0] for key, values in answered.items()}
        body = {"prediction": single.pop("predictions"), **single}
        return json_response({**body, "variant": model.variant, "model_version": model.version})

    @app.post(
        "/predict/batch",
        response_model=BatchPrediction,
        response_model_exclude_none=True,
        responses=errors,
        openapi_extra=request_body("Batch"),
    )
    async def predict_batch(
        request: Request, routing_key: RoutingKey = None, probabilities: bool = False
    ) -> Response:
        """Predict up to ``max_batch_rows`` rows at once, all with the same variant."""
        model, answered = await predict_rows(request, routing_key, probabilities, batch=True)
        return json_response({**answered, "variant": model.variant, "model_version": model.version})


def row_components(slots: ModelSlots) -> dict[str, Any]:
    """The Row and Batch schemas of the champion's features, for the OpenAPI document."""
    if slots.requests is None:
        return {"Row": UNKNOWN_ROW, "Batch": UNKNOWN_ROW}
    template = "#/components/schemas/{model}"
    batch = slots.requests.batch.model_json_schema(ref_template=template)
    components = batch.pop("$defs", {})
    return {**components, "Batch": batch}


def install_openapi(app: FastAPI, slots: ModelSlots) -> None:
    """Make the OpenAPI document show the request schema of the champion being served now."""

    def openapi() -> dict[str, Any]:
        document = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        document.setdefault("components", {}).setdefault("schemas", {}).update(
            row_components(slots)
        )
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def freeze_startup_heap() -> None:
    """Exempt what exists once the app has started (MLflow, pandas and scikit-learn's modules,
    the models) from the garbage collector's full passes.

    Those objects live as long as the process, yet each full collection walked all of them,
    stalling every request in flight: measured at 64 connections, p99 fell from about 230 ms
    (9x p50) to 30 ms, and throughput rose by a sixth. Models loaded later are collected as usual.
    """
    gc.collect()
    gc.freeze()


def create_app(
    settings: ServeSettings, load_models: ModelLoader, extensions: Sequence[Extension] = ()
) -> FastAPI:
    """The FastAPI app; ``load_models`` reads the registry (tests pass their own)."""
    slots = ModelSlots(load_models, settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        slots.load()
        for extension in extensions:
            extension.start()
        freeze_startup_heap()
        yield
        for extension in extensions:
            await extension.stop()
        await slots.stop()

    app = FastAPI(
        title="Model serving API",
        description="Predictions of the registry's champion, with A/B tests of the challenger.",
        lifespan=lifespan,
    )
    app.state.slots = slots
    # Starlette types every handler as taking any Exception; it calls each with its own kind.
    handlers: dict[type[Exception], Callable[..., Awaitable[Response]]] = {
        ValidationError: body_error,
        RequestValidationError: parameter_error,
        Unloaded: unloaded_error,
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, handler)
    add_status_routes(app, slots, settings)
    add_prediction_routes(app, slots, settings, extensions)
    for extension in extensions:
        extension.attach(app, slots)
    install_openapi(app, slots)
    return app


def app_from_environment() -> FastAPI:
    """The app of the serving config that ``SERVE_CONFIG`` names, serving the registry's models.

    uvicorn calls this factory in each worker process.
    """
    settings = load_serve_config(os.environ.get(CONFIG_VARIABLE) or DEFAULT_SERVE_CONFIG)
    extensions: list[Extension] = []
{%- if cookiecutter.__monitoring == 'yes' %}
    extensions.append(monitoring_from_environment(settings))
{%- endif %}
    return create_app(settings, lambda: load_registry_models(settings), extensions)
