"""Tests of the drift check: shifted data is flagged, fresh samples of the reference are not.

The reference is the tests' classification data set (numbers, a category, a flag, empty
cells). The fresh samples are drawn from the reference itself (a smoothed bootstrap: resampled
rows, the numbers with a little noise), over many seeds: one lucky draw would prove nothing
about the false alarm rate.
"""

import functools

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.monitoring.drift import PREDICTION, detect_drift, prediction_drift

SEEDS = range(20)
NUMBERS = ["size", "weight (kg)"]


@pytest.fixture(name="reference", scope="module")
def fixture_reference(datasets, kinds) -> pd.DataFrame:
    """The features of the classification data set."""
    return datasets["classification"][list(kinds)]


@pytest.fixture(name="check", scope="module")
def fixture_check(reference, kinds):
    """The drift check of rows against the reference, with the features' kinds."""
    return functools.partial(detect_drift, reference, kinds=kinds)


def fresh_sample(reference: pd.DataFrame, seed: int, rows: int = 200) -> pd.DataFrame:
    """Rows from the reference's own distribution: resampled, the numbers with noise of 0.1 std."""
    generator = np.random.default_rng(seed)
    sample = reference.sample(n=rows, replace=True, random_state=seed).reset_index(drop=True)
    spread = reference[NUMBERS].std().to_numpy()
    sample[NUMBERS] = sample[NUMBERS] + generator.normal(0, 0.1, (rows, len(NUMBERS))) * spread
    return sample


def shifted_number(sample: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """The sample with size moved by one reference standard deviation."""
    return sample.assign(size=sample["size"] + reference["size"].std())


def shifted_category(sample: pd.DataFrame, _: pd.DataFrame) -> pd.DataFrame:
    """The sample with most of the reds served as blue."""
    colours = sample["colour"].where(~((sample["colour"] == "red") & (sample.index % 4 != 0)))
    return sample.assign(colour=colours.fillna("blue"))


def test_each_kind_gets_its_test(reference, check, kinds):
    """Kolmogorov-Smirnov for numbers, chi-square for categories and booleans."""
    verdict = check(fresh_sample(reference, 0))
    assert {feature.feature: feature.test for feature in verdict.features} == {
        "size": "ks",
        "weight (kg)": "ks",
        "colour": "chi2",
        "member": "chi2",
    }
    assert [feature.kind for feature in verdict.features] == [kind.value for kind in kinds.values()]


def test_kinds_are_inferred_when_not_given(reference):
    """Without the schema's kinds, the reference's columns say (text and flags: chi-square)."""
    verdict = detect_drift(reference, fresh_sample(reference, 0))
    assert [feature.test for feature in verdict.features] == ["ks", "ks", "chi2", "chi2"]


def test_fresh_samples_of_the_reference_are_not_flagged(reference, check):
    """At most one false alarm in twenty seeds (alpha 0.05 for the whole check)."""
    assert sum(check(fresh_sample(reference, seed)).drift for seed in SEEDS) <= 1


@pytest.mark.parametrize(
    ("shift", "feature"),
    [(shifted_number, "size"), (shifted_category, "colour")],
    ids=["numeric", "categorical"],
)
def test_shifted_samples_are_flagged_and_the_feature_named(reference, check, shift, feature):
    """A shifted number or a change in the categories' shares is caught every time, and named."""
    for seed in SEEDS:
        verdict = check(shift(fresh_sample(reference, seed), reference))
        assert verdict.drift
        assert verdict.drifted_features[0] == feature


def test_an_empty_cell_is_a_category_of_its_own(reference, check):
    """A column served empty far more often than in training has drifted."""
    current = fresh_sample(reference, 0)
    current.loc[current.index % 2 == 0, "member"] = None
    assert check(current).drifted_features == ["member"]


def test_the_share_rule_needs_enough_drifted_features(reference, check):
    """One of four features drifted: flagged at a share of 0.25, not at Evidently's 0.5."""
    current = shifted_number(fresh_sample(reference, 0), reference)
    assert check(current, rule="share", drift_share=0.25).drift
    assert not check(current, rule="share", drift_share=0.5).drift


# (what was served, given what the model predicts for the reference; numbers?, test, drifted?)
PREDICTIONS = {
    "numbers-alike": (lambda expected: expected, True, "ks", False),
    "numbers-moved": (lambda expected: expected + 2 * expected.std(), True, "ks", True),
    "classes-alike": (lambda expected: np.where(expected > 0, "yes", "no"), False, "chi2", False),
    "classes-moved": (lambda expected: np.full(len(expected), "yes"), False, "chi2", True),
}


@pytest.mark.parametrize("case", PREDICTIONS.values(), ids=PREDICTIONS.keys())
def test_prediction_drift_is_reported_beside_the_inputs(reference, check, case):
    """The predictions get the test of their kind, judged by alpha, and the verdict keeps it;
    they do not decide the verdict on the inputs."""
    served, numeric, test, drifted = case
    expected = np.random.default_rng(0).normal(0, 1, 300)
    served_values = served(np.random.default_rng(1).normal(0, 1, 200))
    reference_values = expected if numeric else np.where(expected > 0, "yes", "no")
    prediction = prediction_drift(reference_values, served_values, numeric=numeric)
    assert (prediction.feature, prediction.test) == (PREDICTION, test)
    verdict = check(fresh_sample(reference, 0), prediction=prediction)
    assert verdict.prediction.drifted is drifted
    assert verdict.as_dict()["prediction"]["test"] == test
    assert not verdict.drift


def test_the_verdict_is_plain_json_data(reference, check):
    """The verdict lists every feature's test and the threshold the rule used."""
    document = check(fresh_sample(reference, 0), alpha=0.05).as_dict()
    assert document["threshold"] == pytest.approx(0.05 / 4)
    assert [feature["feature"] for feature in document["features"]] == list(reference.columns)
    assert document["reference_rows"] == len(reference) and document["current_rows"] == 200
    assert document["prediction"] is None


def test_missing_features_are_named(reference, check):
    """Logged inputs without a feature cannot be compared: the error says which."""
    with pytest.raises(ValueError, match="colour"):
        check(fresh_sample(reference, 0).drop(columns="colour"))
