"""Run one task over many items on every core, results in input order, nothing lost.

A process pool from the standard library (``concurrent.futures``): the items are cut into
chunks, each worker decides its chunk, and the results come back in the order the items
were given, so a parallel run is the serial run's output byte for byte. A task that raises
for one item gives a :class:`Failed` for that item (its message, the item's place), never an
exception that loses the others; a worker that dies takes only its chunk with it, each item
of which is reported as failed.

Workers are forked where the platform allows (the law files and schedules loaded before are
shared, not loaded again); elsewhere they are spawned and load them once each.

>>> run(len, ["a", "bb", "ccc"], workers=1)
[1, 2, 3]
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Generic, TypeVar

import attrs

T = TypeVar("T")
R = TypeVar("R")


@attrs.frozen
class Failed:
    """An item the task could not finish: where it was and why (a bug: please report)."""

    index: int
    message: str


@attrs.frozen
class _Chunk(Generic[T, R]):
    task: Callable[[T], R]
    items: Sequence[T]
    start: int

    def __call__(self) -> list[R | Failed]:
        out: list[R | Failed] = []
        for offset, item in enumerate(self.items):
            try:
                out.append(self.task(item))
            except Exception as error:
                out.append(Failed(self.start + offset, f"{type(error).__name__}: {error}"))
        return out


def _call(chunk: _Chunk[T, R]) -> list[R | Failed]:
    return chunk()


def workers_wanted(workers: int | None) -> int:
    """``None`` or 0: every core this process may use."""
    if workers:
        return max(1, workers)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def run(
    task: Callable[[T], R],
    items: Sequence[T],
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    chunk: int | None = None,
) -> list[R | Failed]:
    """``[task(item) for item in items]`` on ``workers`` processes (1: in this process).

    ``task`` must be a module-level function (or a picklable callable) and the items and
    results picklable. ``progress(n)`` is called as each chunk of ``n`` items finishes."""
    count = workers_wanted(workers)
    if count == 1 or len(items) < 2:
        alone = _Chunk(task, items, 0)()
        if progress is not None:
            progress(len(items))
        return alone
    size = chunk or max(1, min(64, -(-len(items) // (count * 4))))
    chunks = [_Chunk(task, items[i : i + size], i) for i in range(0, len(items), size)]
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    results: list[list[R | Failed]] = []
    with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context(method)) as pool:
        futures: list[Future[list[R | Failed]]] = [pool.submit(_call, c) for c in chunks]
        for future, part in zip(futures, chunks, strict=True):
            try:
                done = future.result()
            except BrokenProcessPool as error:
                done = [
                    Failed(part.start + i, f"the worker deciding it stopped ({error})")
                    for i in range(len(part.items))
                ]
            results.append(done)
            if progress is not None:
                progress(len(part.items))
    return [result for part in results for result in part]
