"""Run one task over many items on every core, results in input order, nothing lost.

A process pool from the standard library (``concurrent.futures``): the items are cut into
chunks, the workers and this process decide them, and the results come back in the order
the items were given, so a parallel run is the serial run's output byte for byte. A task
that raises for one item gives a :class:`Failed` for that item (its message, the item's
place), never an exception that loses the others; a worker that dies takes only its chunks
with it, each item of which is reported as failed.

Why it pays (issue #20): deciding a small product costs about as much as sending its
determination back with plain :mod:`pickle`, so a pool of two was slower than one process.
Three things make it pay:

- the task and the items travel once per worker, not with each chunk: workers are forked
  where the platform allows, inheriting them (and the law files and schedules loaded
  before) for nothing; elsewhere they are spawned and receive the task once each;
- results come back packed by :func:`pack`: attrs value objects as their field values
  (rebuilt by their own ``__init__``, four times cheaper than attrs' generic state
  protocol), law constants such as citations and obligations once per chunk, and the
  garbage collector paused while packing and unpacking (it otherwise walks every object
  already loaded, again and again, as the new ones pour in);
- this process decides a share of the chunks itself instead of idling, so ``workers=2``
  is this process and one worker; a worker hands its packed chunk over in a file (in
  memory, /dev/shm, where there is one) and only the file's name goes through the pool,
  so that it never waits for this process to read its results.

``scheduler=`` runs the same on a Dask cluster instead (:mod:`origin.distributed`).

>>> run(len, ["a", "bb", "ccc"], workers=1)
[1, 2, 3]
"""

from __future__ import annotations

import copyreg
import gc
import io
import multiprocessing
import operator
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from types import MemberDescriptorType
from typing import Any, Generic, TypeVar, cast

import attrs

from origin.citation import Citation
from origin.determination import Obligation

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
    # Results kept by this process to the end of the run (not packed and sent): each set
    # aside from garbage collection as it is made (inside :func:`frozen`), since every
    # collection would otherwise walk all the results kept so far — measured, 1,000
    # comparisons kept took 1.13-1.29 s against 0.85-0.90 s set aside as made.
    kept: bool = False

    def __call__(self) -> list[R | Failed]:
        out: list[R | Failed] = []
        kept = self.kept
        for offset, item in enumerate(self.items):
            try:
                out.append(self.task(item))
            except Exception as error:
                out.append(Failed(self.start + offset, f"{type(error).__name__}: {error}"))
            if kept:
                gc.freeze()  # a list splice: cheap, and undone at the run's end
        return out


def decide_chunk(
    task: Callable[[T], R], items: Sequence[T], start: int, *, kept: bool = False
) -> list[R | Failed]:
    """``task`` over ``items`` (the items from ``start`` on), a raising one as its Failed;
    ``kept``: each result set aside from garbage collection as made (see ``_Chunk.kept``)."""
    return _Chunk(task, items, start, kept)()


def workers_wanted(workers: int | None) -> int:
    """``None`` or 0: every core this process may use."""
    if workers:
        return max(1, workers)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


# --- Packing results -------------------------------------------------------------------

PROTOCOL = pickle.HIGHEST_PROTOCOL
# Value objects equal across determinations (the law's words): sent once per packed chunk,
# then as a reference to that first one.
_BY_VALUE: frozenset[type] = frozenset({Citation, Obligation})
_Getter = Callable[[Any], tuple[Any, ...]]
# How each attrs class travels: (rebuilt without running its converters again, how to read
# its fields), or None: pickle's own way.
_FIELDS: dict[type, tuple[bool, _Getter] | None] = {}
_BUILDERS: dict[type, Callable[..., Any]] = {}
_Reducer = Callable[[Any], Any]


def _same(value: T) -> T:
    """Unpickling a repeated law constant: the one already unpacked."""
    return value


def _fields_of(cls: type) -> tuple[bool, _Getter] | None:
    """How an attrs instance travels: its constructor's arguments, rebuilt by
    ``cls(*arguments)``; or, for a class whose fields are converted as they are made (the
    model's), every field, set again as it was (its converters and validators ran when it
    was made). None where neither would give it back: keyword-only or non-init fields that
    are not caches, an ``__init__`` or a pickling of its own (such as Agreement's)."""
    if cls in _FIELDS:
        return _FIELDS[cls]
    how: tuple[bool, _Getter] | None = None
    init = getattr(getattr(cls, "__init__", None), "__code__", None)
    if (
        attrs.has(cls)
        and "__attrs_attrs__" in cls.__dict__  # not a plain subclass with state of its own
        and init is not None
        and init.co_filename.startswith("<attrs generated")
        and cls.__reduce__ is object.__reduce__
        and cls.__reduce_ex__ is object.__reduce_ex__
        and cls not in copyreg.dispatch_table
    ):
        fields = attrs.fields(cls)
        given = [f for f in fields if f.init]
        # A field out of the constructor and out of equality is a cache (e.g. a citation's
        # text), written again when next read.
        caches = all(not f.eq for f in fields if not f.init)
        if given and caches and all(not f.kw_only and f.converter is None for f in given):
            how = (False, _getter([f.name for f in given]))
        elif fields and _settable(cls, [f.name for f in fields]):
            how = (True, _getter([f.name for f in fields]))
    _FIELDS[cls] = how
    return how


def _getter(names: list[str]) -> _Getter:
    if len(names) == 1:
        only = operator.attrgetter(names[0])
        return lambda obj: (only(obj),)
    return operator.attrgetter(*names)


def _settable(cls: type, names: list[str]) -> bool:
    """Whether an instance is exactly its fields, each in a slot: nothing else to restore
    and nothing computed after ``__init__``."""
    slots: set[str] = set()
    for klass in cls.__mro__:
        declared = klass.__dict__.get("__slots__", ())
        slots.update([declared] if isinstance(declared, str) else declared)
    slots.discard("__weakref__")
    return (
        not hasattr(cls, "__attrs_post_init__")
        and slots == set(names)
        and all(isinstance(getattr(cls, name, None), MemberDescriptorType) for name in names)
    )


def _build(cls: type, *values: Any) -> Any:
    """Unpacking an instance of such a class: its slots set as they were."""
    builder = _BUILDERS.get(cls)
    if builder is None:
        builder = _BUILDERS[cls] = _builder(cls)
    return builder(*values)


def _builder(cls: type) -> Callable[..., Any]:
    """``build(*values)`` for ``cls``, one slot write per field, unrolled (as attrs writes
    its ``__init__``), bypassing the frozen class's ``__setattr__`` as attrs does."""
    names = [f.name for f in attrs.fields(cls)]
    values = ", ".join(f"v{i}" for i in range(len(names)))
    writes = "".join(f"    set{i}(obj, v{i})\n" for i in range(len(names)))
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls}
    namespace.update({f"set{i}": getattr(cls, name).__set__ for i, name in enumerate(names)})
    exec(f"def build({values}):\n    obj = new(cls)\n{writes}    return obj\n", namespace)
    builder: Callable[..., Any] = namespace["build"]
    return builder


class _Reducers(dict[type, _Reducer]):
    """A packer's dispatch table, filled as each type is first met: the C pickler looks
    every object's type up here, so most objects never reach Python code of ours."""

    def __init__(self) -> None:
        super().__init__()
        self._first: dict[object, object] = {}

    def __missing__(self, cls: type) -> _Reducer:
        reducer = self._reducer(cls)
        if reducer is None:  # classes and the like: pickle's own way
            raise KeyError(cls)
        self[cls] = reducer
        return reducer

    def _reducer(self, cls: type) -> _Reducer | None:
        if issubclass(cls, type):
            return None
        if cls in copyreg.dispatch_table:
            return cast(_Reducer, copyreg.dispatch_table[cls])
        how = _fields_of(cls)
        if how is None:
            return operator.methodcaller("__reduce_ex__", PROTOCOL)  # the default, in C
        raw, getter = how
        if raw:
            return lambda obj: (_build, (cls, *getter(obj)))
        if cls in _BY_VALUE:
            first = self._first

            def once(obj: Any) -> Any:
                seen = first.setdefault(obj, obj)
                if seen is not obj:
                    return (_same, (seen,))
                return (cls, getter(obj))

            return once
        return lambda obj: (cls, getter(obj))


@contextmanager
def _collector_paused(kept: bool = False) -> Iterator[None]:
    """No garbage collection while a batch of objects is packed or unpacked: nothing they
    make is garbage, and each collection would walk everything loaded before. ``kept``:
    what was made is set aside from collection (:func:`gc.freeze`) before collection
    resumes, else the first collection after walks it all (measured: a sixth of
    unpacking); inside :func:`frozen` only, which puts it back at the run's end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if kept:
            gc.freeze()
        if enabled:
            gc.enable()


def pack(results: object) -> bytes:
    """``results`` as bytes for another process (:func:`unpack` reads them)."""
    buffer = io.BytesIO()
    packer = pickle.Pickler(buffer, PROTOCOL)
    packer.dispatch_table = _Reducers()
    with _collector_paused():
        packer.dump(results)
        # The memo's entries freed before collection resumes: else the first collection
        # after walks them all (measured: a sixth of packing).
        packer.clear_memo()
    return buffer.getvalue()


def pack_chunk(results: list[Any], start: int) -> bytes:
    """A chunk's results packed; one that cannot be (say, it holds a closure) is a
    :class:`Failed` in its place instead of losing the whole chunk."""
    try:
        return pack(results)
    except Exception:  # found out item by item below
        sendable: list[Any] = []
        for offset, result in enumerate(results):
            try:
                pack(result)
            except Exception as error:  # said against its item
                why = f"the result could not be sent back ({type(error).__name__}: {error})"
                result = Failed(start + offset, why)  # noqa: PLW2901
            sendable.append(result)
        return pack(sendable)


def unpack(data: bytes, *, kept: bool = False) -> Any:
    """What :func:`pack` packed (only ever from this program's own workers); ``kept``: to
    the end of the run, set aside from garbage collection (inside :func:`frozen` only),
    after a collection of the young objects (other threads' garbage, such as a Dask
    client's event loop's, would otherwise be set aside with them until the run ends)."""
    if kept:
        gc.collect(1)
    with _collector_paused(kept):
        return pickle.loads(data)  # our own workers' results


# --- The pool --------------------------------------------------------------------------

# Chunks given to each worker ahead: enough that it has the next one at hand while this
# process is busy deciding its own share (the pool's threads need this process's GIL to
# hand work over and take results back).
_AHEAD = 4
# What a worker was given once, when it started: the task, (forked) the items, and the
# folder its results are written to.
_given: tuple[Callable[[Any], Any], Sequence[Any], str] | None = None


def _install(task: Callable[[Any], Any], items: Sequence[Any], folder: str) -> None:
    global _given  # noqa: PLW0603 - one per worker process, set as it starts
    _given = (task, items, folder)
    gc.freeze()  # what it was given stays for its life: collections need not walk it


def _decide_range(start: int, stop: int) -> str:
    """In a forked worker: the items it inherited, from ``start`` to ``stop``."""
    assert _given is not None
    task, items, folder = _given
    # Each result set aside from collection as made, as in this process (the worker never
    # puts them back: they are freed when sent, and deciding makes no cyclic garbage).
    chunk = _Chunk(task, items[start:stop], start, kept=True)
    return _hand_over(pack_chunk(chunk(), start), folder)


def _decide_items(items: bytes, start: int) -> str:
    """In a spawned worker: the items sent with the chunk, packed."""
    assert _given is not None
    task, _, folder = _given
    chunk = _Chunk(task, unpack(items, kept=True), start, kept=True)
    return _hand_over(pack_chunk(chunk(), start), folder)


def _hand_over(packed: bytes, folder: str) -> str:
    """A chunk's packed results written to a file of the run's folder (in memory where
    /dev/shm is), its name what goes back through the pool: sent through the pool's pipe,
    a chunk's hundreds of kilobytes would stall the worker until this process's pool
    thread, which needs the interpreter lock this process holds while it decides its own
    share, had read them piece by piece."""
    handle, name = tempfile.mkstemp(dir=folder, suffix=".chunk")
    with os.fdopen(handle, "wb") as out:
        out.write(packed)
    return name


def _take_over(name: str) -> Any:
    """The results a worker handed over, unpacked; the file removed."""
    with open(name, "rb") as handed:
        packed = handed.read()
    os.unlink(name)
    return unpack(packed, kept=True)


def _run_folder() -> str:
    """A folder for one run's handed-over results, in memory where the system offers it."""
    shm = "/dev/shm"
    place = shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None
    return tempfile.mkdtemp(prefix="origin-run-", dir=place)


def run(
    task: Callable[[T], R],
    items: Sequence[T],
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    chunk: int | None = None,
    *,
    share: bool = True,
    scheduler: Any = None,
) -> list[R | Failed]:
    """``[task(item) for item in items]`` on ``workers`` processes (1: in this process).

    ``task`` must be a module-level function (or a picklable callable) and the items and
    results picklable. ``progress(n)`` is called, in the items' order, as each chunk of
    ``n`` items is done. ``share``: this process decides chunks too, as one of the
    ``workers`` (a task that kills its process outright, rather than raising, then takes
    the run with it, as in a serial run; False: ``workers`` processes besides this one).
    ``scheduler``: a Dask scheduler's address, ``distributed.Client`` or cluster; the
    items are then decided on its workers (:func:`origin.distributed.run`)."""
    if scheduler is not None:
        from origin.distributed import run as run_on  # noqa: PLC0415 - needs Dask

        on_cluster: list[R | Failed] = run_on(task, items, scheduler, progress, chunk)
        return on_cluster
    count = workers_wanted(workers)
    children = count - 1 if share else count
    with frozen():
        if count == 1 or len(items) < 2 or children < 1:
            alone = _Chunk(task, items, 0, kept=True)()
            if progress is not None:
                progress(len(items))
            return alone
        size = chunk or max(1, min(16, -(-len(items) // (count * 16))))
        return _Pool(task, items, children, share, progress, size).run()


@contextmanager
def frozen() -> Iterator[None]:
    """What is already loaded (the law files, schedules, the items) set aside from garbage
    collection for the run, then put back: collections during a run otherwise walk it all
    again and again (about a third of deciding a small product, measured)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class _Pool(Generic[T, R]):
    """One parallel run: chunks handed to the workers a few at a time, the rest decided
    here while they work; finished chunks unpacked as they come, reported in order."""

    def __init__(  # noqa: PLR0917 - run()'s options
        self,
        task: Callable[[T], R],
        items: Sequence[T],
        children: int,
        share: bool,
        progress: Callable[[int], None] | None,
        size: int,
    ) -> None:
        self.task, self.items, self.children, self.share = task, items, children, share
        self.progress = progress
        self.ranges = [(i, min(i + size, len(items))) for i in range(0, len(items), size)]
        self.parts: list[list[R | Failed] | None] = [None] * len(self.ranges)
        self.reported = 0

    def run(self) -> list[R | Failed]:
        forked = "fork" in multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if forked else "spawn")
        given = self.items if forked else ()
        pending: dict[Future[str], int] = {}
        folder = _run_folder()
        try:
            with ProcessPoolExecutor(
                self.children,
                mp_context=context,
                initializer=_install,
                initargs=(self.task, given, folder),
            ) as pool:
                try:
                    self._loop(pool, forked, pending)
                except BaseException:  # stopped (Ctrl-C, a failing progress callback)
                    for future in pending:  # the chunks not started are not waited for
                        future.cancel()
                    raise
        finally:
            shutil.rmtree(folder, ignore_errors=True)  # what a stopped run left
        return [result for part in self.parts if part is not None for result in part]

    def _loop(
        self, pool: ProcessPoolExecutor, forked: bool, pending: dict[Future[str], int]
    ) -> None:
        following = 0  # the next chunk not yet given to anyone
        broken = False
        while True:
            while not broken and following < len(self.ranges):
                if len(pending) >= _AHEAD * self.children:
                    break
                try:
                    pending[self._give(pool, following, forked)] = following
                except BrokenProcessPool:
                    broken = True
                    break
                following += 1
            finished = [future for future in pending if future.done()]
            for future in finished:
                self._done(pending.pop(future), future)
            if finished:
                continue
            if following < len(self.ranges) and (self.share or broken):
                self._here(following)
                following += 1
            elif self.share and (taken := _take_back(pending)) is not None:
                self._here(taken)  # the last chunks: whoever is free decides them
            elif pending:
                wait(pending, return_when=FIRST_COMPLETED)
            else:
                break

    def _give(self, pool: ProcessPoolExecutor, index: int, forked: bool) -> Future[str]:
        start, stop = self.ranges[index]
        if forked:  # the worker has the items already
            return pool.submit(_decide_range, start, stop)
        return pool.submit(_decide_items, pack(list(self.items[start:stop])), start)

    def _here(self, index: int) -> None:
        """A chunk decided in this process (or, the pool broken and no share wanted,
        reported as not decided)."""
        start, stop = self.ranges[index]
        if self.share:
            self._put(index, _Chunk(self.task, self.items[start:stop], start, kept=True)())
        else:
            self._put(index, _stopped(start, stop, "the workers stopped before deciding it"))

    def _done(self, index: int, future: Future[str]) -> None:
        start, stop = self.ranges[index]
        try:
            part = _take_over(future.result())
        except BrokenProcessPool as error:
            part = _stopped(start, stop, f"the worker deciding it stopped ({error})")
        except Exception as error:  # e.g. no room left to hand the results over
            why = f"its results could not be handed over ({type(error).__name__}: {error})"
            part = _stopped(start, stop, why)
        self._put(index, part)

    def _put(self, index: int, part: list[R | Failed]) -> None:
        self.parts[index] = part
        gc.freeze()  # kept to the end of the run (see _Chunk.kept)
        while self.reported < len(self.parts) and self.parts[self.reported] is not None:
            if self.progress is not None:
                start, stop = self.ranges[self.reported]
                self.progress(stop - start)
            self.reported += 1


def _take_back(pending: dict[Future[str], int]) -> int | None:
    """A chunk given to the workers but not yet started, taken back (the latest given):
    at the end of a run this process decides it instead of waiting for it."""
    for future in reversed(list(pending)):
        if future.cancel():
            return pending.pop(future)
    return None


def _stopped(start: int, stop: int, why: str) -> list[Any]:
    return [Failed(index, why) for index in range(start, stop)]
