"""Tests of the API's endpoints: answers, errors, and what each response says about its model.

The classifier's features: size (a number that may not be missing), "weight (kg)" (a number),
colour (a category) and member (a boolean); the last three may be missing.
"""

import asyncio
import gc
import json
import math

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.serving import app as app_module
from {{ cookiecutter.package_name }}.serving.app import ECHO_CHARS, NO_PROBABILITIES
from {{ cookiecutter.package_name }}.serving.batching import THREAD_ROWS
from {{ cookiecutter.package_name }}.serving.routing import CHALLENGER, CHAMPION, key_position

JSON = {"content-type": "application/json"}


def key_for(variant: str, share: float) -> dict[str, str]:
    """A routing header that sends a request to ``variant`` when the challenger gets ``share``."""
    for number in range(1000):
        key = f"user-{number}"
        if (key_position(key) < share) == (variant == CHALLENGER):
            return {"X-Routing-Key": key}
    raise AssertionError(f"no key routes to the {variant}")


def expected(trained, *rows: dict) -> list:
    """What the trained pipeline answers for raw rows, as plain values."""
    return trained.model.predict(pd.DataFrame(list(rows))).tolist()


def test_health_answers_without_a_model(make_client):
    """Liveness does not depend on the registry: the process is up."""
    client = make_client({})
    response = client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_not_ready_and_no_predictions_before_a_champion(make_client, row):
    """Without a champion: /ready, /predict, /predict/batch and /model answer 503."""
    client = make_client({})
    ready = client.get("/ready")
    assert ready.status_code == 503
    assert "make promote" in ready.json()["status"]
    assert client.post("/predict", json=row).status_code == 503
    assert client.post("/predict/batch", json={"rows": [row]}).status_code == 503
    assert client.get("/model").status_code == 503
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert "none is loaded yet" in schemas["Row"]["description"]


def test_becomes_ready_once_a_champion_is_promoted(
    make_app, served_model, classifier, row, monkeypatch
):
    """An app started before the first promotion finds the champion when the probe asks again."""
    monkeypatch.setattr(app_module, "RETRY_SECONDS", 0.0)
    loaded = {}
    with TestClient(make_app(lambda: dict(loaded))) as client:
        assert client.get("/ready").status_code == 503
        loaded[CHAMPION] = served_model(CHAMPION, "4", classifier)
        assert client.get("/ready").json() == {"status": "ready", "model_version": "4"}
        assert client.post("/predict", json=row).json()["model_version"] == "4"


def test_ready_names_the_champion_version(client):
    """Readiness reports the version, which a person can check against the registry."""
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "model_version": "1"}


def test_predict_answers_with_variant_and_version(client, settings, classifier, row):
    """One row: the champion's prediction, and which model gave it."""
    headers = key_for(CHAMPION, settings.challenger_share)
    response = client.post("/predict", json=row, headers=headers)
    assert response.status_code == 200
    (label,) = expected(classifier, row)
    assert response.json() == {"prediction": label, "variant": CHAMPION, "model_version": "1"}


def test_the_challenger_answers_its_share(client, settings, constant, row):
    """A request routed to the challenger gets its prediction, labelled with its version."""
    headers = key_for(CHALLENGER, settings.challenger_share)
    response = client.post("/predict", json=row, headers=headers)
    (label,) = expected(constant, row)
    assert response.json() == {"prediction": label, "variant": CHALLENGER, "model_version": "2"}


@pytest.mark.filterwarnings("ignore:Found unknown categories")
def test_a_raw_row_with_gaps_and_a_new_category_is_answered(client, settings, classifier, row):
    """Empty cells where they are allowed (null or left out) and an unseen category: 200."""
    raw = {"size": row["size"], "weight (kg)": None, "colour": "ultraviolet"}
    response = client.post(
        "/predict", json=raw, headers=key_for(CHAMPION, settings.challenger_share)
    )
    assert response.status_code == 200
    (label,) = expected(classifier, {**raw, "member": None})
    assert response.json()["prediction"] == label


def test_batch_predictions_keep_the_order_of_the_rows(client, settings, classifier, datasets):
    """A batch: one prediction per row, in order, all from one variant."""
    frame = datasets["classification"].drop(columns="outcome")
    labels = pd.Series(classifier.model.predict(frame))
    picked = [labels[labels == "yes"].index[0], *labels[labels == "no"].index[:2], 9]
    rows = frame.loc[picked].astype(object).where(frame.loc[picked].notna(), None)
    rows = rows.to_dict("records")
    answers = expected(classifier, *rows)
    assert answers[:3] == ["yes", "no", "no"]
    response = client.post(
        "/predict/batch", json={"rows": rows}, headers=key_for(CHAMPION, settings.challenger_share)
    )
    assert response.status_code == 200
    assert response.json() == {"predictions": answers, "variant": CHAMPION, "model_version": "1"}


@pytest.mark.parametrize(
    ("change", "error_type"),
    [
        ({"size": "pale"}, "float_type"),
        ({"size": "1.5"}, "float_type"),
        ({"size": True}, "float_type"),
        ({"size": None}, "float_type"),
        ({"weight (kg)": 1e7}, "less_than_equal"),
        ({"weight (kg)": -1e7}, "greater_than_equal"),
        ({"weight (kg)": math.inf}, "finite_number"),
        ({"weight (kg)": math.nan}, "finite_number"),
        ({"colour": 5}, "string_type"),
        ({"colour": ["red"]}, "string_type"),
        ({"member": "yes"}, "bool_type"),
        ({"member": 1}, "bool_type"),
        ({"shape": "round"}, "extra_forbidden"),
    ],
)
def test_a_bad_value_gets_422_naming_the_field(client, row, change, error_type):
    """The wrong type for the kind, out of bounds, infinite, null where the config forbids
    missing values, or unknown: the error names the column, spelt as in the data."""
    # json.dumps writes infinity as Infinity, which the API's JSON parser reads back.
    content = json.dumps({**row, **change})
    response = client.post("/predict", content=content, headers=JSON)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    field = next(iter(change))
    assert (error["loc"], error["type"]) == (["body", field], error_type)


def test_a_feature_that_may_not_be_missing_must_be_sent(client, row):
    """Left out, size (listed in forbid_missing) is a 422 naming it; the others may be."""
    response = client.post("/predict", json={"colour": "red"})
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["body", "size"]]
    assert client.post("/predict", json={"size": row["size"]}).status_code == 200


def test_whole_numbers_are_numbers_and_nulls_fill_what_may_be_missing(client, row):
    """JSON has no separate float type: 52 is as good as 52.0; null is a missing value."""
    body = {**row, "size": 52, "weight (kg)": None, "colour": None, "member": None}
    assert client.post("/predict", json=body).status_code == 200


def test_a_bad_row_of_a_batch_is_named_by_its_position(client, row):
    """In a batch, the error says which row and which column."""
    response = client.post("/predict/batch", json={"rows": [row, {**row, "colour": 3}]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "rows", 1, "colour"]


def test_an_oversized_batch_gets_413(client, settings, row):
    """More rows than max_batch_rows: 413, with the limit in the message."""
    response = client.post("/predict/batch", json={"rows": [row] * (settings.max_batch_rows + 1)})
    assert response.status_code == 413
    assert str(settings.max_batch_rows) in response.json()["detail"]


@pytest.mark.parametrize("body", [b"{not json", b"S\xff\xfe", b""], ids=["text", "bytes", "empty"])
@pytest.mark.parametrize("path", ["/predict", "/predict/batch?probabilities=true"])
def test_a_body_that_is_not_json_gets_422_not_a_server_error(client, path, body):
    """Not JSON, not even UTF-8, or nothing: 422 saying so, never a 500 (which would page the
    on-call person for a client's mistake)."""
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_an_empty_batch_gets_422(client):
    """A batch needs at least one row."""
    assert client.post("/predict/batch", json={"rows": []}).status_code == 422


def test_probabilities_on_request_from_a_classifier(client, settings, classifier, row):
    """``?probabilities=true``: each class's probability, keyed by the class, beside the label."""
    headers = key_for(CHAMPION, settings.challenger_share)
    single = client.post("/predict?probabilities=true", json=row, headers=headers).json()
    (shares,) = classifier.model.predict_proba(pd.DataFrame([row])).tolist()
    assert single["probabilities"] == pytest.approx(dict(zip(["no", "yes"], shares)))
    assert single["prediction"] == max(single["probabilities"], key=single["probabilities"].get)
    batch = client.post(
        "/predict/batch?probabilities=true", json={"rows": [row, row]}, headers=headers
    ).json()
    assert batch["predictions"] == [single["prediction"]] * 2
    assert batch["probabilities"] == [single["probabilities"]] * 2
    assert "probabilities" not in client.post("/predict", json=row, headers=headers).json()


def test_a_regressor_answers_numbers_and_no_probabilities(make_client, regressor, row):
    """Regression answers are numbers; asking a regressor for probabilities is a 422."""
    client = make_client({CHAMPION: ("7", regressor)})
    response = client.post("/predict", json=row)
    assert response.status_code == 200
    (number,) = expected(regressor, row)
    assert isinstance(response.json()["prediction"], float)
    assert response.json()["prediction"] == pytest.approx(number)
    refused = client.post("/predict?probabilities=true", json=row)
    (error,) = refused.json()["detail"]
    assert refused.status_code == 422
    assert (error["loc"], error["msg"]) == (["query", "probabilities"], NO_PROBABILITIES)
    batch = client.post("/predict/batch", json={"rows": [row, {**row, "size": 70.0}]}).json()
    assert batch["predictions"] == pytest.approx(expected(regressor, row, {**row, "size": 70.0}))


def test_model_reports_the_lineage_task_and_features_of_each_variant(client, settings, classifier):
    """/model: name, version, alias, run, data hash, task and features of every served model."""
    response = client.get("/model")
    assert response.status_code == 200
    report = response.json()
    assert report["challenger_share"] == settings.challenger_share
    by_variant = {model["variant"]: model for model in report["models"]}
    assert by_variant[CHAMPION] == {
        "variant": CHAMPION,
        "name": settings.registered_model,
        "version": "1",
        "alias": CHAMPION,
        "run_id": "run-1",
        "data_sha256": classifier.lineage["data_sha256"],
        "task": "classification",
        "features": ["size", "weight (kg)", "colour", "member"],
    }
    assert by_variant[CHALLENGER]["version"] == "2"


def test_a_challenger_of_other_features_is_not_served(make_client, classifier, narrow, row):
    """The request schema is the champion's: a challenger that cannot answer it gets no share."""
    client = make_client(
        {CHAMPION: ("1", classifier), CHALLENGER: ("2", narrow)}, challenger_share=1
    )
    assert [model["version"] for model in client.get("/model").json()["models"]] == ["1"]
    assert {client.post("/predict", json=row).json()["variant"] for _ in range(5)} == {CHAMPION}


def row_schema(client) -> dict:
    """The OpenAPI schema of a row, as the docs show it."""
    return client.get("/openapi.json").json()["components"]["schemas"]["Row"]


def test_openapi_documents_the_champions_features_by_kind(client, features, classifier):
    """Row lists the champion's features: bounded numbers, strings with the categories seen in
    training as examples, booleans; only what may not be missing is required."""
    document = client.get("/openapi.json").json()
    assert {"/health", "/ready", "/predict", "/predict/batch", "/model"} <= set(document["paths"])
    row = row_schema(client)
    assert list(row["properties"]) == list(features)
    assert row["required"] == ["size"]
    assert row["properties"]["size"]["type"] == "number"
    assert row["properties"]["size"]["maximum"] == 1e6
    weight = row["properties"]["weight (kg)"]["anyOf"]
    assert {"type": "null"} in weight and weight[0]["maximum"] == 1e6
    colour = row["properties"]["colour"]
    assert colour["anyOf"][0]["type"] == "string"
    categories = classifier.schema.features[features.index("colour")].categories
    assert colour["examples"] == list(categories) and "red" in categories
    assert row["properties"]["member"]["anyOf"][0]["type"] == "boolean"
    assert document["components"]["schemas"]["Batch"]["properties"]["rows"]["maxItems"] == 5
    assert client.get("/docs").status_code == 200


def test_openapi_follows_the_champion_being_served(make_client, narrow):
    """Another champion, another Row: the schema comes from the model, not from a config."""
    client = make_client({CHAMPION: ("3", narrow)})
    assert list(row_schema(client)["properties"]) == ["size", "colour"]


def batch_of(row_bytes: bytes, count: int) -> bytes:
    """A /predict/batch body of ``count`` copies of one row's JSON."""
    return b'{"rows": [' + b",".join([row_bytes] * count) + b"]}"


HOSTILE_ROWS = {
    "integer of 2^64": b'{"size": 18446744073709551616}',
    "integer below -2^63": b'{"size": -9223372036854775809}',
    "5000-digit integer": b'{"size": 1' + b"0" * 5000 + b"}",
    "lone surrogate": b'{"size": 1.0, "colour": "\\ud800"}',
    "surrogate as raw bytes": b'{"size": 1.0, "colour": "\xed\xa0\x80"}',
    "long category": b'{"size": 1.0, "colour": "' + b"x" * 5000 + b'"}',
    "long field name": b'{"size": 1.0, "' + b"k" * 5000 + b'": 1}',
    "not an object": b"[" + b"1," * 2000 + b"1]",
}


@pytest.mark.parametrize("batch", [False, True], ids=["row", "batch"])
@pytest.mark.parametrize("body", list(HOSTILE_ROWS.values()), ids=list(HOSTILE_ROWS))
def test_no_input_gets_a_server_error_and_errors_stay_short(client, body, batch):
    """Numbers JSON libraries cannot hold, surrogates, long texts and names: a 4xx whose details
    repeat at most a short prefix of the input, never a 500 or the whole input back."""
    path, content = ("/predict/batch", batch_of(body, 1)) if batch else ("/predict", body)
    response = client.post(path, content=content, headers=JSON)
    assert response.status_code == 422
    assert len(response.content) < 4 * ECHO_CHARS + 1000
    for error in response.json()["detail"]:
        for echo in [error.get("input"), *error["loc"]]:
            assert not isinstance(echo, str) or len(echo) <= ECHO_CHARS + len("...")


def longest_row(classifier) -> dict:
    """A row whose every value is as long as the schema lets it be: the largest valid row."""
    schema = classifier.schema
    (colour,) = [feature for feature in schema.features if feature.name == "colour"]
    longest = max([200, *map(len, colour.categories)])
    return {
        "size": -123456.78901234567,
        "weight (kg)": -0.00012345678901234567,
        "colour": "\u00e9" * longest,
        "member": False,
    }


def body_limit(app) -> int:
    """The largest body a started app reads, as derived from its champion's schema."""
    return app.state.slots.requests.max_body_bytes


def test_the_largest_valid_batch_fits_the_body_limit(client, settings, classifier):
    """Every row as long as can be, pretty-printed, max_batch_rows of them: not refused for its
    size. The limit is derived from the schema, so it can never refuse a valid batch."""
    rows = [longest_row(classifier)] * settings.max_batch_rows
    content = json.dumps({"rows": rows}, indent=4, ensure_ascii=False).encode()
    assert len(content) > body_limit(client.app) / 4
    assert client.post("/predict/batch", content=content, headers=JSON).status_code == 200


async def stream(chunks_read: list, size: int, chunk: bytes):
    """A request body of ``size`` bytes in chunks, counting in ``chunks_read`` what was read."""
    for _ in range(size // len(chunk)):
        chunks_read.append(len(chunk))
        yield chunk


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_body_over_the_limit_gets_413_before_it_is_read(
    make_app, served_model, classifier, running, declared
):
    """A declared length over the limit is refused before any byte is read; a streamed body as
    soon as it passes the limit. The 413 names the limit."""
    app = make_app(lambda: {CHAMPION: served_model(CHAMPION, "1", classifier)})
    chunk = b" " * 65536
    chunks_read: list[int] = []

    async def post():
        async with running(app) as http:
            size = 100 * body_limit(app)
            headers = {**JSON, "content-length": str(size)} if declared else JSON
            content = stream(chunks_read, size, chunk)
            return await http.post("/predict/batch", content=content, headers=headers)

    response = asyncio.run(post())
    limit = body_limit(app)
    assert response.status_code == 413
    assert f"over {limit} bytes" in response.json()["detail"]
    assert sum(chunks_read) <= (0 if declared else limit + 2 * len(chunk))


def test_probes_are_answered_while_a_batch_is_scored(held_app, running, row):
    """A large batch is scored in a worker thread: meanwhile, /health and /ready answer."""
    app, held = held_app(max_batch_rows=THREAD_ROWS)

    async def scenario():
        async with running(app) as http:
            body = {"rows": [row] * THREAD_ROWS}
            scored = asyncio.create_task(http.post("/predict/batch", json=body))
            await asyncio.to_thread(held.wait_until_scoring)
            probes = [(await http.get(path)).status_code for path in ("/health", "/ready")]
            still_scoring = not held.finished.is_set()
            held.released.set()
            return probes, still_scoring, (await scored).status_code

    assert asyncio.run(scenario()) == ([200, 200], True, 200)


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running in this thread; None in a worker thread."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def test_a_large_body_is_parsed_off_the_event_loop(make_client, classifier, row, monkeypatch):
    """A body past THREAD_PARSE_BYTES is parsed and checked in a worker thread; a small one on
    the event loop, where it costs less than a thread's hand-off."""
    on_event_loop = []
    parse = app_module.RequestSchemas.parse

    def recording_parse(schemas, body, batch):
        on_event_loop.append(running_loop() is not None)
        return parse(schemas, body, batch)

    monkeypatch.setattr(app_module.RequestSchemas, "parse", recording_parse)
    # Enough rows that a body padded past THREAD_PARSE_BYTES is within the body limit.
    client = make_client({CHAMPION: ("1", classifier)}, max_batch_rows=500)
    padding = b" " * app_module.THREAD_PARSE_BYTES
    large = client.post("/predict", content=json.dumps(row).encode() + padding, headers=JSON)
    small = client.post("/predict", json=row)
    assert (large.status_code, small.status_code, on_event_loop) == (200, 200, [False, True])


def test_a_started_app_exempts_its_long_lived_objects_from_collection(make_client, classifier):
    """Once started, the app freezes what it has loaded, so the collector's full passes no
    longer walk it (they stalled requests: the p99 tail)."""
    gc.unfreeze()
    make_client({CHAMPION: ("1", classifier)})
    assert gc.get_freeze_count() > 0


def test_past_the_concurrency_limit_requests_are_shed(held_app, running, row):
    """At max_concurrent_requests predictions in flight, one more gets 503 with Retry-After at
    once, probes still answer, and the next request after is served."""
    app, held = held_app(max_concurrent_requests=1, max_batch_rows=THREAD_ROWS)

    async def scenario():
        async with running(app) as http:
            # A batch large enough to be scored in a thread, so the loop serves the rest.
            body = {"rows": [row] * THREAD_ROWS}
            first = asyncio.create_task(http.post("/predict/batch", json=body))
            await asyncio.to_thread(held.wait_until_scoring)
            shed = await http.post("/predict", json=row)
            health = await http.get("/health")
            held.released.set()
            first_status = (await first).status_code
            served = [first_status, (await http.post("/predict", json=row)).status_code]
{%- if cookiecutter.__monitoring == 'yes' %}
            assert "requests_shed_total 1.0" in (await http.get("/metrics")).text
{%- endif %}
            return shed, health.status_code, served

    shed, health, served = asyncio.run(scenario())
    assert (shed.status_code, shed.headers["retry-after"]) == (503, "1")
    assert (health, served) == (200, [200, 200])
    assert "limit of 1 concurrent" in shed.json()["detail"]


DOCUMENTED_STATUSES = {
    ("/health", "get"): {"200"},
    ("/ready", "get"): {"200", "503"},
    ("/model", "get"): {"200", "503"},
    ("/predict", "post"): {"200", "413", "422", "503"},
    ("/predict/batch", "post"): {"200", "413", "422", "503"},
}


def test_openapi_documents_every_status_the_api_answers(client):
    """Each route lists the statuses its code can answer (the template's fuzzing checks that
    none other comes back); errors other than 422 document their one-sentence detail."""
    paths = client.get("/openapi.json").json()["paths"]
    for (path, method), statuses in DOCUMENTED_STATUSES.items():
        responses = paths[path][method]["responses"]
        assert set(responses) == statuses, path
    problem = paths["/predict"]["post"]["responses"]["413"]["content"]["application/json"]
    assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}
