"""Tests of the drift check: shifted data is flagged, fresh samples of the reference are not.

The fresh samples are drawn from the reference itself (a smoothed bootstrap: resampled rows plus
a little noise), over many seeds: one lucky draw would prove nothing about the false alarm rate.
"""

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.monitoring.drift import detect_drift

SEEDS = range(20)
SHIFTED = ["alcohol", "malic_acid", "color_intensity", "proline"]


@pytest.fixture(name="reference", scope="module")
def fixture_reference(wine) -> pd.DataFrame:
    """A training-sized sample of the wine features."""
    return wine.drop(columns="target").sample(frac=0.7, random_state=0)


def fresh_sample(reference: pd.DataFrame, seed: int, rows: int = 200) -> pd.DataFrame:
    """Rows from the reference's own distribution: resampled, with noise of 0.1 std."""
    generator = np.random.default_rng(seed)
    sample = reference.sample(n=rows, replace=True, random_state=seed).reset_index(drop=True)
    noise = generator.normal(0, 0.1, size=sample.shape) * reference.std().to_numpy()
    return sample + noise


def shifted(sample: pd.DataFrame, reference: pd.DataFrame, amount: float) -> pd.DataFrame:
    """The sample with four features moved by ``amount`` reference standard deviations."""
    moved = sample.copy()
    moved[SHIFTED] += amount * reference[SHIFTED].std()
    return moved


def test_fresh_samples_of_the_reference_are_not_flagged(reference):
    """At most one false alarm in twenty seeds (alpha 0.05 for the whole check)."""
    alarms = sum(detect_drift(reference, fresh_sample(reference, seed)).drift for seed in SEEDS)
    assert alarms <= 1


def test_shifted_samples_are_flagged_on_the_shifted_features(reference):
    """A shift of one standard deviation in four features is caught every time, and named."""
    for seed in SEEDS:
        verdict = detect_drift(reference, shifted(fresh_sample(reference, seed), reference, 1.0))
        assert verdict.drift
        assert set(verdict.drifted_features) <= set(SHIFTED)
        assert verdict.drifted_features


def test_the_share_rule_needs_enough_drifted_features(reference):
    """Four of thirteen features drifted: flagged at a share of 0.25, not at Evidently's 0.5."""
    current = shifted(fresh_sample(reference, 0), reference, 2.0)
    assert detect_drift(reference, current, rule="share", drift_share=0.25).drift
    assert not detect_drift(reference, current, rule="share", drift_share=0.5).drift


def test_the_verdict_is_plain_json_data(reference):
    """The verdict lists every feature's test and the threshold the rule used."""
    verdict = detect_drift(reference, fresh_sample(reference, 0), alpha=0.05)
    document = verdict.as_dict()
    assert document["threshold"] == pytest.approx(0.05 / reference.shape[1])
    assert [feature["feature"] for feature in document["features"]] == list(reference.columns)
    assert document["reference_rows"] == len(reference) and document["current_rows"] == 200


def test_missing_features_are_named(reference):
    """Logged inputs without a feature cannot be compared: the error says which."""
    with pytest.raises(ValueError, match="proline"):
        detect_drift(reference, fresh_sample(reference, 0).drop(columns="proline"))
