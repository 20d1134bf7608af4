"""Every core (issue #20): a parallel run gives the serial run's results, in input order,
byte for byte, and a failure is reported against its item, never lost."""

from __future__ import annotations

import datetime as dt
import io
import os
import pickle
import sys
from pathlib import Path

import pytest

from origin import parallel, registry
from origin.comparison import comparison_to_json, qualify, qualify_many
from origin.workbook import batch, export

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from engine_bench import generate

DATE = dt.date(2025, 6, 1)
COUNTRIES = ("AU", "TH", "CN", "KR", "GB", "JP")


def _boom(value: int) -> int:
    if value == 3:
        raise ValueError("three is not allowed")
    return value * 2


def _die(value: int) -> int:
    if value == 2:
        os._exit(1)  # a worker that dies without a word
    return value


def test_results_in_input_order_and_failures_in_place() -> None:
    results = parallel.run(_boom, list(range(6)), workers=2, chunk=1)
    assert results[:3] == [0, 2, 4] and results[4:] == [8, 10]
    assert results[3] == parallel.Failed(3, "ValueError: three is not allowed")
    assert parallel.run(_boom, [1, 2], workers=1) == [2, 4]  # in this process


def test_a_dying_worker_loses_only_its_items() -> None:
    results = parallel.run(_die, [0, 1, 2, 3], workers=2, chunk=2, share=False)
    failed = [r for r in results if isinstance(r, parallel.Failed)]
    assert failed and all("stopped" in f.message for f in failed)
    assert {f.index for f in failed} >= {2}
    assert len(results) == 4  # every item has its result or its failure


def test_qualify_many_is_the_serial_run_byte_for_byte() -> None:
    cases = [
        generate(20, seed=i, country=COUNTRIES[i % len(COUNTRIES)], psr="CTH or RVC40")
        for i in range(12)
    ]
    serial = [comparison_to_json(qualify(case, DATE)) for case in cases]
    many = qualify_many(cases, DATE, workers=2)
    assert [comparison_to_json(c) for c in many] == serial  # type: ignore[arg-type]


def test_folder_check_in_parallel_equals_serial(tmp_path: Path) -> None:
    from origin.workbook.template import write_template  # noqa: PLC0415

    agreement = registry.get("anzcerta")
    cases = [generate(15, seed=i, country="AU", psr="CTH or RVC40 (build-down)") for i in range(5)]
    for i, case in enumerate(cases):
        write_template(tmp_path / f"book-{i}.xlsx", agreement, [case])
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    paths = batch.workbooks(tmp_path)

    def exported(result: batch.Batch) -> str:
        out = io.StringIO()
        export.write(result.decided, "jsonl", out)
        return out.getvalue()

    serial = batch.check(paths, agreement, DATE)
    both = batch.check(paths, agreement, DATE, workers=2)
    assert exported(both) == exported(serial)
    assert [str(i) for i in both.issues] == [str(i) for i in serial.issues]
    assert both.failed_files == serial.failed_files == ["broken.xlsx"]
    assert both.ledger == serial.ledger
    every = registry.all_agreements()
    compared = batch.check(paths, every, DATE, workers=2)
    assert [comparison_to_json(c.comparison) for c in compared.compared] == [
        comparison_to_json(c.comparison) for c in batch.check(paths, every, DATE).compared
    ]


@pytest.mark.parametrize("workers", [None, 0])
def test_every_core_by_default(workers: int | None) -> None:
    assert parallel.workers_wanted(workers) >= 1


def test_check_command_with_workers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from origin.cli import main  # noqa: PLC0415
    from origin.workbook.template import write_template  # noqa: PLC0415

    agreement = registry.get("anzcerta")
    for i in range(3):
        case = generate(10, seed=i, country="AU", psr="CTH or RVC40 (build-down)")
        write_template(tmp_path / f"book-{i}.xlsx", agreement, [case])
    args = ["check", str(tmp_path), "--agreement", "anzcerta", "--export", "jsonl"]
    assert main(args) == 0
    serial = capsys.readouterr().out
    assert main([*args, "--workers", "2"]) == 0
    assert capsys.readouterr().out == serial


def _closure(value: int) -> object:
    if value == 1:
        return lambda: value  # cannot be sent back to this process
    return value


def test_a_result_that_cannot_travel_is_failed_against_its_item() -> None:
    results = parallel.run(_closure, [0, 1, 2, 3], workers=2, chunk=4, share=False)
    assert results[0] == 0 and results[2:] == [2, 3]
    failed = results[1]
    assert isinstance(failed, parallel.Failed) and failed.index == 1
    assert "could not be sent back" in failed.message


def test_progress_is_reported_in_order_and_counts_every_item() -> None:
    seen: list[int] = []
    results = parallel.run(_boom, list(range(50)), workers=2, progress=seen.append, chunk=7)
    assert sum(seen) == 50 and seen == [7] * 7 + [1]
    assert len(results) == 50 and isinstance(results[3], parallel.Failed)


def test_packed_results_come_back_equal_with_their_tables_lazy() -> None:
    cases = [generate(25, seed=i, country=c, psr="CTH or RVC40") for i, c in enumerate(COUNTRIES)]
    comparisons = [qualify(case, DATE) for case in cases]
    back_cases = parallel.unpack(parallel.pack(cases))  # fields converted when made: as they were
    assert back_cases == cases and [type(c.good.hs) for c in back_cases] == [
        type(c.good.hs) for c in cases
    ]
    back = parallel.unpack(parallel.pack(comparisons))
    assert [comparison_to_json(c) for c in back] == [comparison_to_json(c) for c in comparisons]
    for before, after in zip(comparisons, back, strict=True):
        assert after == before  # every field, the material rows too
        for row in after.rows:
            if row.determination is not None and row.determination.materials:
                table = row.determination.materials
                assert list(table[1:3]) == list(table)[1:3] and table[-1] == list(table)[-1]
    # A law constant repeated across determinations is sent once per packed chunk.
    citations = [
        step.citation
        for c in back
        for r in c.rows
        if r.determination
        for step in r.determination.steps
    ]
    assert len({id(c) for c in citations}) == len(set(citations))


def test_qualify_many_renders_in_the_worker() -> None:
    cases = [generate(10, seed=i, country="AU", psr="CTH or RVC40") for i in range(6)]
    texts = qualify_many(cases, DATE, workers=2, render=comparison_to_json)
    assert texts == [comparison_to_json(qualify(case, DATE)) for case in cases]


def test_the_serial_run_leaves_the_collector_as_it_was() -> None:
    import gc  # noqa: PLC0415

    frozen = gc.get_freeze_count()
    assert parallel.run(_boom, [1, 2], workers=1) == [2, 4]
    assert gc.get_freeze_count() == frozen and gc.isenabled()


def test_unpacked_results_kept_are_set_aside_from_collection_until_the_run_ends() -> None:
    """``unpack(kept=True)`` sets what it made aside before collection resumes (else the
    first collection walks it all); ``frozen`` puts it back; packing leaves nothing."""
    import gc  # noqa: PLC0415

    cases = [generate(10, seed=i, country="AU", psr="CTH or RVC40") for i in range(4)]
    packed = parallel.pack([qualify(case, DATE) for case in cases])
    before = gc.get_freeze_count()
    with parallel.frozen():
        during = gc.get_freeze_count()
        back = parallel.unpack(packed, kept=True)
        assert gc.get_freeze_count() > during + 100  # the comparisons' objects
        assert back == [qualify(case, DATE) for case in cases]
        loose = gc.get_freeze_count()
        parallel.unpack(packed)
        parallel.pack(back)
        assert gc.get_freeze_count() == loose and gc.isenabled()
    assert gc.get_freeze_count() == before and gc.isenabled()


class _Cycle:
    """An object that refers to itself: freed only by a collection."""

    me: object = None


def test_garbage_made_before_an_unpack_is_not_set_aside_with_its_results() -> None:
    """Another thread's cyclic garbage (a Dask client's event loop makes some) is collected
    before what is unpacked is set aside, not kept with it until the run ends."""
    import weakref  # noqa: PLC0415

    packed = parallel.pack([1, 2])
    with parallel.frozen():
        garbage = _Cycle()
        garbage.me = garbage
        gone = weakref.ref(garbage)
        del garbage
        assert parallel.unpack(packed, kept=True) == [1, 2]
        assert gone() is None


class _Loose(parallel.Failed):
    """A plain subclass of an attrs class."""


def test_packing_gives_back_what_plain_pickle_gives_back() -> None:
    values: list[object] = [len, parallel.Failed(2, "y"), _Loose(1, "x"), {1: [2, (3,)]}, None]
    back = parallel.unpack(parallel.pack(values))
    assert back == pickle.loads(pickle.dumps(values)) == values
    assert [type(v) for v in back] == [type(v) for v in values]


def test_spawned_workers_where_there_is_no_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    results = parallel.run(_boom, list(range(8)), workers=2, chunk=2, share=False)
    assert results[:3] == [0, 2, 4] and results[4:] == [8, 10, 12, 14]
    assert results[3] == parallel.Failed(3, "ValueError: three is not allowed")


def test_a_run_stopped_by_its_caller_stops() -> None:
    def stop(count: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        parallel.run(_boom, list(range(40)), workers=2, chunk=2, progress=stop)
