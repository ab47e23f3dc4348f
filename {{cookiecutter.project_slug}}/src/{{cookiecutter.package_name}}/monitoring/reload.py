"""Model reload without downtime: follow the registry's aliases and swap models atomically.

The watcher asks the registry which version each variant should serve, every
``interval`` seconds and whenever ``/admin/reload`` asks. When one moved, it loads that version
(by number, so an alias moving again during the load cannot mix versions up) in a thread, and
the app's slots swap the whole set of models in one assignment. The old models' batchers are
then drained, not stopped: a request routes and queues its rows with no ``await`` in between,
so everything that chose an old model is answered by it, and every later request sees the new
one. A version that fails to load leaves the old one serving; a registry outage only logs.
"""

import asyncio
import logging
from collections.abc import Callable
from typing import Any

LOGGER = logging.getLogger(__name__)
Versions = dict[str, str]
# Told of each load after an alias moved: the variant, and "loaded" or "failed".
Outcome = Callable[[str, str], None]


class ModelWatcher:
    """Polls the registry's aliases and swaps the served models when one moves."""

    def __init__(  # pylint: disable=too-many-arguments
        self,
        slots: Any,
        resolve: Callable[[], Versions],
        load: Callable[[str, str], Any],
        interval: float,
        on_outcome: Outcome,
    ):
        """``resolve()`` gives the version per variant; ``load(variant, version)`` a model."""
        self.slots = slots
        self.resolve = resolve
        self.load = load
        self.interval = interval
        self.on_outcome = on_outcome
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start polling on the running loop (not at all with an interval of 0)."""
        if self.task is None and self.interval > 0:
            self.task = asyncio.get_running_loop().create_task(self.poll_forever())

    async def stop(self) -> None:
        """Stop polling."""
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
            self.task = None

    async def poll_forever(self) -> None:
        """Reload every ``interval`` seconds; a failing registry is logged, not fatal."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.reload()
            except Exception as error:  # pylint: disable=broad-exception-caught
                LOGGER.warning("cannot read the registry's aliases: %s", error)

    async def reload(self) -> Versions:
        """Swap in what moved since the last look; the version each variant serves now.

        The slots' lock keeps this and the first-champion retry of ``/ready`` from loading at
        the same time.
        """
        async with self.slots.lock:
            wanted = await asyncio.to_thread(self.resolve)
            current = self.slots.models
            models = {}
            for variant, version in wanted.items():
                models[variant] = await self.model_for(variant, version, current.get(variant))
            models = {variant: model for variant, model in models.items() if model is not None}
            if models != current:
                await self.slots.swap(models)
            return {variant: model.version for variant, model in self.slots.models.items()}

    async def model_for(self, variant: str, version: str, served: Any) -> Any:
        """The model that is already served if it is ``version``, else ``version`` loaded.

        A version that cannot be loaded keeps the served one (None if there was none).
        """
        if served is not None and served.version == version:
            return served
        try:
            model = await asyncio.to_thread(self.load, variant, version)
        except Exception as error:  # pylint: disable=broad-exception-caught
            LOGGER.error("cannot load version %s as %s: %s", version, variant, error)
            self.on_outcome(variant, "failed")
            return served
        LOGGER.info("serving version %s as %s", version, variant)
        self.on_outcome(variant, "loaded")
        return model
