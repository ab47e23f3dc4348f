"""Tests of A/B routing: the configured share, stickiness per key, and no challenger."""

import random

import pytest

from {{ cookiecutter.package_name }}.serving.routing import CHALLENGER, CHAMPION, Router, key_position

REQUESTS = 20_000


def test_random_routing_gives_the_challenger_its_share():
    """Without keys, the challenger's share of many requests is close to the configured one."""
    router = Router(0.2, rng=random.Random(1234))
    choices = [router.choose(None, has_challenger=True) for _ in range(REQUESTS)]
    share = choices.count(CHALLENGER) / REQUESTS
    # Three standard deviations of a binomial share: fails by chance once in hundreds of runs,
    # and never with this seed.
    assert abs(share - 0.2) < 3 * (0.2 * 0.8 / REQUESTS) ** 0.5


def test_keys_are_sticky_and_split_in_the_configured_share():
    """A key always gets the same variant, in every router; keys split like random requests."""
    first, second = Router(0.3), Router(0.3)
    keys = [f"user-{number}" for number in range(REQUESTS)]
    choices = [first.choose(key, has_challenger=True) for key in keys]
    assert choices == [second.choose(key, has_challenger=True) for key in keys]
    assert choices == [first.choose(key, has_challenger=True) for key in keys]
    assert abs(choices.count(CHALLENGER) / REQUESTS - 0.3) < 3 * (0.3 * 0.7 / REQUESTS) ** 0.5


def test_key_positions_are_stable_across_processes():
    """A key's position is a SHA-256 prefix, not Python's salted hash(): it never changes, so
    every worker and every restart route a user alike."""
    assert key_position("user-42") == pytest.approx(0.4278761530135858, abs=1e-15)
    assert 0 <= key_position("") < 1


@pytest.mark.parametrize("share, has_challenger", [(0.5, False), (0.0, True)])
def test_everything_goes_to_the_champion_without_a_challenger_or_share(share, has_challenger):
    """No challenger loaded, or a share of 0: the champion answers every request."""
    router = Router(share, rng=random.Random(0))
    keys = [None, *(f"user-{number}" for number in range(200))]
    assert {router.choose(key, has_challenger) for key in keys} == {CHAMPION}


def test_a_share_of_one_sends_everything_to_the_challenger():
    """A share of 1 moves all traffic, for example to drain the champion."""
    router = Router(1.0)
    assert {router.choose(key, True) for key in (None, "a", "b")} == {CHALLENGER}


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_a_share_outside_zero_to_one_is_refused(share):
    """A share is a fraction of the traffic."""
    with pytest.raises(ValueError, match="challenger_share must be from 0 to 1"):
        Router(share)


def test_the_api_routes_each_key_to_one_variant(client, row):
    """Through the API: repeated requests with one key get the same variant and version."""
    for number in range(20):
        headers = {"X-Routing-Key": f"session-{number}"}
        answers = {
            (answer["variant"], answer["model_version"])
            for answer in (
                client.post("/predict", json=row, headers=headers).json() for _ in range(3)
            )
        }
        assert len(answers) == 1
        ((variant, version),) = answers
        assert version == {CHAMPION: "1", CHALLENGER: "2"}[variant]


def test_the_api_serves_the_champion_alone_without_a_challenger(make_client, classifier, row):
    """With only a champion loaded, every request gets it, whatever its key."""
    client = make_client({CHAMPION: ("1", classifier)}, challenger_share=0.9)
    variants = {
        client.post("/predict", json=row, headers={"X-Routing-Key": f"k{n}"}).json()["variant"]
        for n in range(30)
    }
    assert variants == {CHAMPION}
