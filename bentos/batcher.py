"""In-process adaptive micro-batching for one serving process (asyncio + one worker thread).

Requests submit their items and await a future. One consumer task takes everything queued
(up to ``max_batch_size`` items, never splitting a request) and runs the batch function in the
batcher's own thread (a one-thread executor: cheaper to hand work to than anyio's pool); items
arriving meanwhile form the next batch. At low load a request is processed at
once (batch of one, no added latency); under load batches grow with the queue, which is what
adaptive batching is for. ``max_wait_ms`` > 0 additionally holds a non-full batch open that
long (useful on a GPU, where a bigger batch costs little more than a small one).

A batch is also capped by total ``cost`` (``max_batch_cost``; the service counts query
characters, ``QU_BATCH_MAX_CHARS``): a model batch is padded to its longest query, so a count
cap alone let a few long queries make one batch cost seconds and hold hundreds of MB.

Bounded: when more than ``max_queue`` items are waiting, :meth:`MicroBatcher.submit` raises
:class:`Overloaded` at once (the service answers 503) instead of letting latency grow without
limit.

Why not BentoML's own batching for /parse: reaching a ``batchable`` API from another API of
the same service goes through the service's in-process HTTP client, and in BentoML 1.4.40 that
client closes its session every 100 calls while other calls are in flight (bentoml/BentoML
issues #5540, #5544; fix proposed in PR #5698), which failed about 8% of requests at 16
concurrent clients here; the extra pass through the ASGI stack also cost about 40% of
throughput. (A ``QU_BATCHING=bentoml`` mode kept that path for comparison until issue 9
dropped it: the numbers above are in bentos/README.md.)
"""

from __future__ import annotations

import asyncio
import collections
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence

logger = logging.getLogger("bentoml.qu.batcher")


class Overloaded(RuntimeError):
    """The queue is full; retry later."""


class MicroBatcher:
    def __init__(
        self,
        fn: Callable[[list[Any]], Sequence[Any]],
        max_batch_size: int = 128,
        max_wait_ms: float = 0.0,
        max_queue: int = 2048,
        max_batch_cost: float = float("inf"),
        cost: Callable[[Any], float] = lambda item: 1,
    ) -> None:
        self.fn = fn
        self.max_batch_size = max_batch_size
        self.max_batch_cost = max_batch_cost
        self.cost = cost
        self.max_wait = max_wait_ms / 1000.0
        self.max_queue = max_queue
        self._queue: collections.deque[tuple[list[Any], asyncio.Future]] = collections.deque()
        self._queued_items = 0
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="qu-batcher")
        self.batches = 0
        self.items = 0
        self.largest_batch = 0

    def stats(self) -> dict:
        return {
            "batches": self.batches,
            "items": self.items,
            "largest_batch": self.largest_batch,
            "mean_batch": round(self.items / self.batches, 2) if self.batches else None,
            "queued_items": self._queued_items,
        }

    async def submit(self, items: list[Any]) -> list[Any]:
        """Results for ``items`` (in order), computed in some batch with other requests' items."""
        if not items:
            return []
        if self._queued_items + len(items) > self.max_queue:
            raise Overloaded(f"{self._queued_items} items already queued (limit {self.max_queue})")
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = loop.create_task(self._run())
        future: asyncio.Future = loop.create_future()
        self._queue.append((items, future))
        self._queued_items += len(items)
        assert self._wake is not None
        self._wake.set()
        return await future

    def _take(self) -> list[tuple[list[Any], asyncio.Future]]:
        jobs, size, spent = [], 0, 0.0
        while self._queue:
            items, future = self._queue[0]
            cost = sum(self.cost(item) for item in items)
            if jobs and (size + len(items) > self.max_batch_size or spent + cost > self.max_batch_cost):
                break
            self._queue.popleft()
            self._queued_items -= len(items)
            if future.cancelled():  # the client went away while queued
                continue
            jobs.append((items, future))
            size += len(items)
            spent += cost
        return jobs

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                if self.max_wait > 0 and self._queued_items < self.max_batch_size:
                    await asyncio.sleep(self.max_wait)
                jobs = self._take()
                if not jobs:
                    continue
                flat = [item for items, _ in jobs for item in items]
                self.batches += 1
                self.items += len(flat)
                self.largest_batch = max(self.largest_batch, len(flat))
                try:
                    results = await asyncio.get_running_loop().run_in_executor(self._thread, self.fn, flat)
                    if len(results) != len(flat):
                        raise RuntimeError(f"batch function returned {len(results)} results for {len(flat)} items")
                except Exception as exc:  # hand the error to every request of the batch
                    logger.exception("batch of %d items failed", len(flat))
                    for _, future in jobs:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                start = 0
                for items, future in jobs:
                    if not future.done():
                        future.set_result(list(results[start : start + len(items)]))
                    start += len(items)
