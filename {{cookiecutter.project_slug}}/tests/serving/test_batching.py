"""Tests of micro-batching: concurrent requests share model calls, and each gets its own rows."""

import asyncio
import threading

import pytest

from {{ cookiecutter.package_name }}.serving.batching import MicroBatcher, Unloaded


def counting_model():
    """A model that doubles each row's first value, and the list of its calls' sizes."""
    calls: list[int] = []

    def predict(rows):
        calls.append(len(rows))
        return [row[0] * 2 for row in rows]

    return predict, calls


async def submit_all(batcher: MicroBatcher, requests):
    """Submit every request at once, as concurrent clients would."""
    batcher.start()
    try:
        return await asyncio.gather(*(batcher.submit(rows) for rows in requests))
    finally:
        await batcher.stop()


def test_concurrent_requests_share_calls_and_get_their_own_answers():
    """Fifty requests, fewer model calls, and every request gets the answers of its rows."""
    model, calls = counting_model()
    requests = [[[number], [number + 0.5]] for number in range(50)]
    answers = asyncio.run(submit_all(MicroBatcher(model, max_batch_size=256), requests))
    assert answers == [[number * 2, number * 2 + 1] for number in range(50)]
    assert sum(calls) == 100
    assert len(calls) < 50


def test_the_size_cap_closes_a_batch():
    """The size cap closes a batch: calls stay near max_batch_size rows."""
    model, calls = counting_model()
    requests = [[[number]] for number in range(100)]
    asyncio.run(submit_all(MicroBatcher(model, max_batch_size=10), requests))
    assert max(calls) <= 10
    assert sum(calls) == 100


def test_a_failing_prediction_fails_every_request_of_its_batch():
    """An error reaches the callers instead of leaving them waiting."""

    def broken(rows):
        raise RuntimeError(f"cannot predict {len(rows)} rows")

    with pytest.raises(RuntimeError, match="cannot predict"):
        asyncio.run(submit_all(MicroBatcher(broken), [[[1.0]], [[2.0]]]))


def test_stopping_fails_requests_still_queued():
    """Requests queued when the batcher stops get an error, not a hang."""

    async def scenario():
        batcher = MicroBatcher(counting_model()[0])
        pending = asyncio.ensure_future(batcher.submit([[1.0]]))
        await asyncio.sleep(0)
        await batcher.stop()
        return await asyncio.gather(pending, return_exceptions=True)

    (outcome,) = asyncio.run(scenario())
    assert isinstance(outcome, Unloaded)


def test_only_large_batches_leave_the_event_loop():
    """A batch under thread_rows is predicted on the event loop (milliseconds, and no hand-off
    that would split the next batch); one of thread_rows or more in a worker thread."""
    on_event_loop = []

    def recording(rows):
        try:
            asyncio.get_running_loop()
            on_event_loop.append(True)
        except RuntimeError:
            on_event_loop.append(False)
        return rows

    async def scenario():
        batcher = MicroBatcher(recording, thread_rows=3)
        batcher.start()
        await batcher.submit([[1.0], [2.0]])
        await batcher.submit([[1.0], [2.0], [3.0]])
        await batcher.stop()

    asyncio.run(scenario())
    assert on_event_loop == [True, False]


def test_stopping_while_the_model_runs_fails_its_batch_instead_of_hanging():
    """The model runs in a worker thread; a stop meanwhile answers its requests with Unloaded
    (the API's 503), and the event loop was free all along."""
    release, finished = threading.Event(), threading.Event()

    def slow(rows):
        release.wait(5)
        finished.set()
        return rows

    async def scenario():
        batcher = MicroBatcher(slow, thread_rows=1)
        batcher.start()
        pending = asyncio.ensure_future(batcher.submit([[1.0]]))
        await asyncio.sleep(0.05)
        loop_was_free = not finished.is_set()
        await batcher.stop()
        release.set()
        return loop_was_free, await asyncio.gather(pending, return_exceptions=True)

    loop_was_free, (outcome,) = asyncio.run(scenario())
    assert loop_was_free and isinstance(outcome, Unloaded)


def test_draining_answers_requests_already_queued_then_stops():
    """A drained batcher answers what was queued before the drain, with no model call for the
    marker, and then accepts no more work: a model swap relies on this."""

    async def scenario():
        model, calls = counting_model()
        batcher = MicroBatcher(model)
        batcher.start()
        pending = [asyncio.ensure_future(batcher.submit([[float(n)]])) for n in range(20)]
        await asyncio.sleep(0)
        await batcher.drain()
        return await asyncio.gather(*pending), calls, batcher.worker

    answers, calls, worker = asyncio.run(scenario())
    assert answers == [[n * 2.0] for n in range(20)]
    assert sum(calls) == 20 and 0 not in calls
    assert worker is None
