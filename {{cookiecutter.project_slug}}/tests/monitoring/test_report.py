"""Tests of the drift report: a plot per feature, drawn as its kind needs, and the verdict."""

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.monitoring import report
from {{ cookiecutter.package_name }}.monitoring.drift import detect_drift, prediction_drift


@pytest.fixture(name="frames", scope="module")
def fixture_frames(datasets, kinds) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reference and current rows of the tests' classification data set, without reds now."""
    features = datasets["classification"][list(kinds)]
    reference, current = features.iloc[:160], features.iloc[160:]
    return reference, current.assign(colour=current["colour"].replace("red", "blue"))


@pytest.fixture(name="drawn")
def fixture_drawn(monkeypatch) -> dict[str, list[str]]:
    """The features drawn as histograms and as bar charts, recorded as the report draws them."""
    drawn: dict[str, list[str]] = {"histogram": [], "bars": []}
    for name in drawn:
        draw = getattr(report, name)

        def recorded(axes, reference, current, draw=draw, name=name):
            drawn[name].append(str(reference.name))
            draw(axes, reference, current)

        monkeypatch.setattr(report, name, recorded)
    return drawn


def test_every_feature_gets_a_plot_of_its_kind(frames, kinds, drawn, tmp_path):
    """Histograms of numbers; bars of the categories' and the flags' shares; one image each."""
    reference, current = frames
    verdict = detect_drift(reference, current, kinds=kinds)
    path = report.write_report(verdict, reference, current, tmp_path / "out" / "report.html")
    page = path.read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 4
    assert sorted(drawn["histogram"]) == ["size", "weight (kg)"]
    assert sorted(drawn["bars"]) == ["colour", "member"]
    assert "Data drift report: drift detected" in page
    assert "Not compared: the model could not be loaded" in page


def test_the_predictions_get_their_own_plot(frames, kinds, drawn, tmp_path):
    """A classifier's predictions compared: a bar chart of the classes, under the features."""
    reference, current = frames
    expected = pd.Series(["yes", "no"] * 80, name="(prediction)")
    served = pd.Series(["yes"] * 80, name="(prediction)")
    prediction = prediction_drift(expected, served, numeric=False)
    verdict = detect_drift(reference, current, kinds=kinds, prediction=prediction)
    page = report.write_report(verdict, reference, current, tmp_path / "r.html", (expected, served))
    assert page.read_text(encoding="utf-8").count("data:image/png;base64,") == 5
    assert drawn["bars"][-1] == "(prediction)"
    assert "The predictions drifted: chi2 p-value" in page.read_text(encoding="utf-8")


def test_category_shares_sum_to_one_with_the_rare_ones_together():
    """The shown categories' shares and the rest as one bar: nothing lost, nothing counted twice."""
    column = pd.Series(["a"] * 5 + ["b"] * 3 + ["c", None])
    shares = report.shares(column, ["a", "b"])
    assert shares.to_dict() == pytest.approx({"a": 0.5, "b": 0.3, report.OTHER: 0.2})
