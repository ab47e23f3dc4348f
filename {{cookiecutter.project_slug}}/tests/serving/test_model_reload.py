"""Tests of model reload without downtime: under concurrent requests, none fails during a swap.

The registry is a stand-in whose aliases the test moves; loading a version takes a little time,
as a real load does, so requests keep arriving while the new model loads. Requests go through
the whole app (middleware, routing, micro-batching) in process, from many concurrent clients.
"""

import asyncio
import dataclasses
import time

import pytest

from {{ cookiecutter.package_name }}.monitoring.service import Monitoring
from {{ cookiecutter.package_name }}.serving.app import create_app
from {{ cookiecutter.package_name }}.serving.routing import CHAMPION

CLIENTS = 16


class MovingRegistry:
    """Aliases the test moves, and versions that take 50 ms to load."""

    def __init__(self, make_model, trained: dict):
        self.make_model = make_model
        self.trained = trained
        self.aliases = {CHAMPION: "1"}
        self.broken: set[str] = set()

    def resolve(self) -> dict[str, str]:
        """The version each variant should serve."""
        return dict(self.aliases)

    def load(self, variant: str, version: str):
        """A model of ``version``; versions marked broken fail, as a corrupt artifact would."""
        time.sleep(0.05)
        if version in self.broken:
            raise OSError(f"cannot read the files of version {version}")
        return self.make_model(variant, version, self.trained[version])

    def initial(self) -> dict:
        """What the app loads at start."""
        return {variant: self.load(variant, v) for variant, v in self.aliases.items()}


@pytest.fixture(name="registry")
def fixture_registry(served_model, classifier, constant) -> MovingRegistry:
    """Versions 1 and 3 are the classifier, 2 the constant model; the champion is 1."""
    return MovingRegistry(served_model, {"1": classifier, "2": constant, "3": classifier})


def monitored_app(settings, monitor_settings, registry: MovingRegistry, interval: float = 0):
    """An app following ``registry``, polling every ``interval`` seconds (0: only when asked)."""
    monitoring = Monitoring(
        dataclasses.replace(monitor_settings, reload_interval=interval),
        resolve=registry.resolve,
        load=registry.load,
    )
    return create_app(settings, registry.initial, [monitoring]), monitoring


async def under_load(running, app, row, during) -> list[list[tuple[int, str | None]]]:
    """Run ``during()`` while CLIENTS clients post /predict; each client's answers in order."""
    stop = asyncio.Event()
    async with running(app) as http:

        async def client() -> list[tuple[int, str | None]]:
            answers = []
            while not stop.is_set():
                response = await http.post("/predict", json=row)
                version = response.json().get("model_version")
                answers.append((response.status_code, version))
            return answers

        clients = [asyncio.create_task(client()) for _ in range(CLIENTS)]
        await asyncio.sleep(0.2)
        await during()
        await asyncio.sleep(0.2)
        stop.set()
        return await asyncio.gather(*clients)


def check_switch(answers: list[list[tuple[int, str | None]]], old: str, new: str) -> None:
    """Every request succeeded; each client saw the old version, then only the new one."""
    for client in answers:
        assert {status for status, _ in client} == {200}
        versions = [version for _, version in client]
        switch = versions.index(new)
        assert set(versions[:switch]) == {old} and set(versions[switch:]) == {new}


def test_a_forced_reload_swaps_the_champion_and_fails_no_request(
    settings, monitor_settings, registry, row, running
):
    """POST /admin/reload's path: the alias moves, the app reloads, every request is answered."""
    app, monitoring = monitored_app(settings, monitor_settings, registry)

    async def promote():
        registry.aliases[CHAMPION] = "2"
        assert await monitoring.reload() == {CHAMPION: "2"}

    check_switch(asyncio.run(under_load(running, app, row, promote)), "1", "2")


def test_polling_picks_up_a_promotion_by_itself(settings, monitor_settings, registry, row, running):
    """With polling on, a moved alias is served within a few intervals, with no call at all."""
    app, _ = monitored_app(settings, monitor_settings, registry, interval=0.05)

    async def promote():
        registry.aliases[CHAMPION] = "2"
        await asyncio.sleep(0.3)

    check_switch(asyncio.run(under_load(running, app, row, promote)), "1", "2")


def test_a_version_that_fails_to_load_leaves_the_old_one_serving(
    settings, monitor_settings, registry, row, running
):
    """A broken new version is counted as a failed reload; the champion keeps answering."""
    registry.broken.add("3")
    app, monitoring = monitored_app(settings, monitor_settings, registry)

    async def promote_broken():
        registry.aliases[CHAMPION] = "3"
        assert await monitoring.reload() == {CHAMPION: "1"}

    answers = asyncio.run(under_load(running, app, row, promote_broken))
    assert {answer for client in answers for answer in client} == {(200, "1")}
    registry_of_metrics = monitoring.metrics.registry
    labels = {"variant": CHAMPION, "outcome": "failed"}
    assert registry_of_metrics.get_sample_value("model_reloads_total", labels) == 1
