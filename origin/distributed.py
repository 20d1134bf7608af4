"""Beyond one machine: a parallel run on a Dask cluster (``pip install "origin[dask]"``).

:func:`origin.parallel.run` with ``scheduler=`` comes here: the items are cut into chunks,
one Dask task each, spread over the cluster's workers; each worker packs its chunk's
results as :func:`origin.parallel.pack` does for the local pool, and they are put back in
the items' order here. A task that raises for one item gives a
:class:`~origin.parallel.Failed` for that item; a chunk whose task is lost (its worker
died, more than Dask's allowed retries) gives one for each of its items.

The law files and schedules travel once per worker, not with each chunk: the task (with the
schedules and rate tables it holds) is scattered to every worker once, and the chunks refer
to it; the agreements in it travel by name, each worker loading its law files from its own
installed ``origin`` once (workers need the same version of ``origin`` installed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from origin import parallel
from origin.errors import InputError
from origin.parallel import Failed

T = TypeVar("T")
R = TypeVar("R")


def run(
    task: Callable[[T], R],
    items: Sequence[T],
    scheduler: Any,
    progress: Callable[[int], None] | None = None,
    chunk: int | None = None,
) -> list[R | Failed]:
    """``[task(item) for item in items]`` on a Dask cluster, in the items' order.

    ``scheduler``: the scheduler's address (``tcp://host:8786``), a ``distributed.Client``
    or a cluster (e.g. ``LocalCluster``). ``progress(n)`` as :func:`origin.parallel.run`."""
    if not items:
        return []
    client, own = _client(scheduler)
    try:
        # What is loaded here, and each chunk's results as they arrive, set aside from
        # garbage collection for the run (as the local pool does: each collection would
        # otherwise walk them all).
        with parallel.frozen():
            client.wait_for_workers(1)
            workers = max(1, len(client.scheduler_info()["workers"]))
            size = chunk or max(1, min(64, -(-len(items) // (workers * 8))))
            ranges = [(i, min(i + size, len(items))) for i in range(0, len(items), size)]
            shared = client.scatter(task, broadcast=True, hash=False)
            futures = [
                client.submit(
                    _decide, shared, parallel.pack(list(items[start:stop])), start, pure=False
                )
                for start, stop in ranges
            ]
            return _gather(client, futures, ranges, progress)
    finally:
        if own:
            client.close()


def _client(scheduler: Any) -> tuple[Any, bool]:
    """A client for ``scheduler``, and whether it is ours to close."""
    try:
        import distributed  # noqa: PLC0415 - optional: origin[dask]
    except ImportError:
        raise InputError(
            'a Dask scheduler needs Dask distributed: pip install "origin[dask]"'
        ) from None
    Client: Any = distributed.Client  # the class, untyped here
    if isinstance(scheduler, Client):
        return scheduler, False
    if isinstance(scheduler, str) or hasattr(scheduler, "scheduler_address"):
        try:
            return Client(scheduler, set_as_default=False), True
        except OSError as error:
            raise InputError(f"cannot reach the Dask scheduler {scheduler}: {error}") from None
    raise TypeError(f"scheduler: an address, a distributed.Client or a cluster, not {scheduler!r}")


def _decide(task: Callable[[Any], Any], items: bytes, start: int) -> bytes:
    """One chunk, on a worker: its items unpacked, decided, their results packed (a failing
    item as its Failed). Items and results travel packed by :func:`origin.parallel.pack`
    (attrs objects as their fields: cheaper than pickle's own way)."""
    with parallel.frozen():
        chunk = parallel.unpack(items, kept=True)
        results = parallel.decide_chunk(task, chunk, start, kept=True)
        return parallel.pack_chunk(results, start)


def _gather(
    client: Any,
    futures: list[Any],
    ranges: list[tuple[int, int]],
    progress: Callable[[int], None] | None,
) -> list[Any]:
    """The chunks' results in the items' order, each unpacked as it arrives; progress
    reported in order too."""
    import distributed  # noqa: PLC0415 - optional: origin[dask]

    as_completed: Any = distributed.as_completed

    place = {future: index for index, future in enumerate(futures)}
    parts: list[list[Any] | None] = [None] * len(futures)
    reported = 0
    try:
        for future in as_completed(futures, loop=client.loop):
            index = place[future]
            start, stop = ranges[index]
            try:
                parts[index] = parallel.unpack(future.result(), kept=True)
            except Exception as error:  # the task itself lost: said against each item
                why = f"the Dask task deciding it failed ({type(error).__name__}: {error})"
                parts[index] = [Failed(i, why) for i in range(start, stop)]
            while reported < len(parts) and parts[reported] is not None:
                if progress is not None:
                    first, last = ranges[reported]
                    progress(last - first)
                reported += 1
    finally:
        for future in futures:
            if not future.done():
                future.cancel()
    return [result for part in parts if part is not None for result in part]
