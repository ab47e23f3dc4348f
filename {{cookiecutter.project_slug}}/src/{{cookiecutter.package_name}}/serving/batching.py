"""Adaptive micro-batching: concurrent requests share one model call.

A scikit-learn ``predict`` costs about the same for one row as for a hundred (most of the
time is input checking), so under load the API collects the rows that arrive while the
previous batch is being predicted and predicts them together. Under light load a request
waits for nobody: a batch closes as soon as no other request is queued.

A large batch (THREAD_ROWS rows or more: a big /predict/batch request, or many concurrent
ones) is scored in a worker thread, so the event loop goes on answering health probes while it
runs. A smaller one is scored on the loop: it takes milliseconds, and handing it to a thread
would cost more than it saves, since requests arriving meanwhile would then close the next batch
early, a few rows at a time (measured: half the throughput at 16 connections).
"""

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

# A request's rows of feature values (numbers, or text for categorical features), and a queued
# request: its rows and the future its predictions are set on.
Rows = Sequence[Sequence[Any]]
Request = tuple[Rows, asyncio.Future[list[Any]]]
# Batches of this many rows and more are predicted in a worker thread.
THREAD_ROWS = 128
UNLOADED = "the model was unloaded: retry the request"


class Unloaded(RuntimeError):
    """The model was unloaded (the server is stopping) before it answered the request."""


class MicroBatcher:
    """Queues rows from concurrent requests and answers each from one shared prediction."""

    def __init__(
        self,
        predict: Callable[[Rows], Sequence[Any]],
        max_batch_size: int = 256,
        thread_rows: int = THREAD_ROWS,
    ):
        self.predict = predict
        self.max_batch_size = max_batch_size
        self.thread_rows = thread_rows
        self.queue: asyncio.Queue[Request] = asyncio.Queue()
        self.worker: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the batching loop on the running event loop (once)."""
        if self.worker is None:
            self.worker = asyncio.get_running_loop().create_task(self.run())

    async def stop(self) -> None:
        """Stop the loop; requests in hand or queued get :class:`Unloaded`, not a hang."""
        if self.worker is not None:
            self.worker.cancel()
            await asyncio.gather(self.worker, return_exceptions=True)
            self.worker = None
        queued = [self.queue.get_nowait() for _ in range(self.queue.qsize())]
        fail(queued, Unloaded(UNLOADED))

    async def drain(self) -> None:
        """Answer every request queued so far, then stop: nothing in flight fails.

        A marker with no rows joins the queue behind them; once it is answered, so is
        everything queued before it. A swap of models drains the old model's batcher this way.
        """
        if self.worker is not None:
            marker: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
            self.queue.put_nowait(([], marker))
            await marker
        await self.stop()

    async def submit(self, rows: Rows) -> list[Any]:
        """Predict ``rows`` (one request's worth) together with whatever else is queued."""
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((rows, future))
        return await future

    async def next_batch(self) -> list[Request]:
        """Wait for one request, then take every request queued behind it, up to the cap."""
        batch = [await self.queue.get()]
        size = len(batch[0][0])
        while size < self.max_batch_size:
            if self.queue.empty():
                await asyncio.sleep(0)  # let requests already read from sockets enqueue
                if self.queue.empty():
                    break
            request = self.queue.get_nowait()
            batch.append(request)
            size += len(request[0])
        return batch

    async def predicted(self, rows: Rows) -> Sequence[Any]:
        """The model's predictions of rows: in a worker thread for a large batch."""
        if not rows:
            return []
        if len(rows) < self.thread_rows:
            return self.predict(rows)
        return await asyncio.to_thread(self.predict, rows)

    async def run(self) -> None:
        """Predict batch after batch until stopped."""
        while True:
            batch = await self.next_batch()
            await self.answer(batch)

    async def answer(self, batch: list[Request]) -> None:
        """One prediction for the whole batch, sliced back to each request.

        Stopped while the model runs in its thread, the batch's requests get an error rather
        than a hang.
        """
        rows = [row for request_rows, _ in batch for row in request_rows]
        try:
            predictions = list(await self.predicted(rows))
        except asyncio.CancelledError:
            fail(batch, Unloaded(UNLOADED))
            raise
        except Exception as error:  # pylint: disable=broad-exception-caught
            fail(batch, error)
            return
        start = 0
        for request_rows, future in batch:
            end = start + len(request_rows)
            if not future.done():
                future.set_result(predictions[start:end])
            start = end


def fail(batch: list[Request], error: Exception) -> None:
    """Answer every request of ``batch`` still waiting with ``error``."""
    for _, future in batch:
        if not future.done():
            future.set_exception(error)
