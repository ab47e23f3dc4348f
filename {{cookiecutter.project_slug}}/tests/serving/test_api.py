"""Tests of the API's endpoints: answers, errors, and what each response says about its model."""

import json
import math

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.serving import app as app_module
from {{ cookiecutter.package_name }}.serving.routing import CHALLENGER, CHAMPION, key_position

JSON = {"content-type": "application/json"}


def key_for(variant: str, share: float) -> dict[str, str]:
    """A routing header that sends a request to ``variant`` when the challenger gets ``share``."""
    for number in range(1000):
        key = f"user-{number}"
        if (key_position(key) < share) == (variant == CHALLENGER):
            return {"X-Routing-Key": key}
    raise AssertionError(f"no key routes to the {variant}")


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


def test_predict_answers_with_variant_and_version(client, settings, classifier, row, wine_rows):
    """One row: the champion's prediction, and which model gave it."""
    headers = key_for(CHAMPION, settings.challenger_share)
    response = client.post("/predict", json=row, headers=headers)
    assert response.status_code == 200
    expected = classifier.predict(wine_rows.iloc[[0]]).tolist()[0]
    assert response.json() == {"prediction": expected, "variant": CHAMPION, "model_version": "1"}


def test_the_challenger_answers_its_share(client, settings, constant, row, wine_rows):
    """A request routed to the challenger gets its prediction, labelled with its version."""
    headers = key_for(CHALLENGER, settings.challenger_share)
    response = client.post("/predict", json=row, headers=headers)
    expected = constant.predict(wine_rows.iloc[[0]]).tolist()[0]
    assert response.json() == {"prediction": expected, "variant": CHALLENGER, "model_version": "2"}


def test_batch_predictions_keep_the_order_of_the_rows(client, settings, classifier, wine_rows):
    """A batch: one prediction per row, in order, all from one variant."""
    rows = wine_rows.iloc[[0, 70, 170]]
    response = client.post(
        "/predict/batch",
        json={"rows": rows.to_dict("records")},
        headers=key_for(CHAMPION, settings.challenger_share),
    )
    assert response.status_code == 200
    assert response.json() == {
        "predictions": classifier.predict(rows).tolist(),
        "variant": CHAMPION,
        "model_version": "1",
    }


@pytest.mark.parametrize(
    "change, error_type",
    [
        ({"hue": "pale"}, "float_type"),
        ({"hue": "1.5"}, "float_type"),
        ({"hue": True}, "float_type"),
        ({"hue": None}, "float_type"),
        ({"hue": 1e7}, "less_than_equal"),
        ({"hue": -1e7}, "greater_than_equal"),
        ({"hue": math.inf}, "finite_number"),
        ({"hue": math.nan}, "finite_number"),
        ({"colour": 1.0}, "extra_forbidden"),
    ],
)
def test_a_bad_value_gets_422_naming_the_field(client, row, change, error_type):
    """Not a number, out of bounds, infinite or unknown: the error names the column."""
    # json.dumps writes infinity as Infinity, which the API's JSON parser reads back.
    content = json.dumps({**row, **change})
    response = client.post("/predict", content=content, headers=JSON)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    field = next(iter(change))
    assert (error["loc"], error["type"]) == (["body", field], error_type)


def test_whole_numbers_are_numbers(client, row):
    """JSON has no separate float type: 13 is as good as 13.0."""
    response = client.post("/predict", json={**row, "magnesium": 127})
    assert response.status_code == 200


def test_a_missing_feature_is_named_with_its_exact_spelling(client, row):
    """A column name that is not a Python name keeps its spelling in the error."""
    feature = "od280/od315_of_diluted_wines"
    body = {name: value for name, value in row.items() if name != feature}
    response = client.post("/predict", json=body)
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["body", feature]]


def test_a_bad_row_of_a_batch_is_named_by_its_position(client, row):
    """In a batch, the error says which row and which column."""
    response = client.post("/predict/batch", json={"rows": [row, {**row, "ash": "x"}]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "rows", 1, "ash"]


def test_an_oversized_batch_gets_413(client, settings, row):
    """More rows than max_batch_rows: 413, with the limit in the message."""
    response = client.post("/predict/batch", json={"rows": [row] * (settings.max_batch_rows + 1)})
    assert response.status_code == 413
    assert str(settings.max_batch_rows) in response.json()["detail"]


def test_an_empty_batch_gets_422(client):
    """A batch needs at least one row."""
    assert client.post("/predict/batch", json={"rows": []}).status_code == 422


def test_model_reports_the_lineage_of_each_variant(client, settings):
    """/model: name, version, alias, run and data hash of the champion and the challenger."""
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
        "data_sha256": "0" * 64,
    }
    assert by_variant[CHALLENGER]["version"] == "2"


def test_openapi_documents_every_feature_and_endpoint(client, features):
    """The schema lists each configured feature with its bounds; the docs page renders it."""
    schema = client.get("/openapi.json").json()
    assert {"/health", "/ready", "/predict", "/predict/batch", "/model"} <= set(schema["paths"])
    row = schema["components"]["schemas"]["Row"]
    assert list(row["properties"]) == list(features)
    assert set(row["required"]) == set(features)
    assert row["properties"]["hue"]["maximum"] == 1e6
    assert schema["components"]["schemas"]["Batch"]["properties"]["rows"]["maxItems"] == 5
    assert client.get("/docs").status_code == 200
