"""The demo's steps (``make demo``) are the level's run the manifest declares, all described.

The demo itself takes minutes and is not run by the suite; what it would run is checked here
on each level's bake: ``install`` and ``data``, then the ``pipeline`` targets of the
components on at the level, each with the ``## `` description the demo prints from the
project's Makefile. A target the Makefile of that level does not describe would stop the
demo with a KeyError after the bake.
"""

import demo
import pytest

import manifest

CONFIG = manifest.load_config()


@pytest.mark.parametrize("level", manifest.levels(CONFIG))
def test_every_step_of_a_level_is_a_described_target_of_its_project(level, cookies):
    """The steps follow the manifest and each has the Makefile's description to print."""
    baked = cookies.bake(extra_context={"maturity_level": level})
    assert baked.exception is None, baked.exception
    steps = demo.demo_steps(baked.project_path, int(level))
    expected = [*demo.SETUP_TARGETS, *manifest.level_pipeline(CONFIG, level)]
    assert [target for target, _ in steps] == [
        target for target in expected if target not in demo.TRAFFIC_TARGETS
    ]
    assert all(what.strip() for _, what in steps), steps
