"""Benchmark: qualify 1,000 products of 30 BOM lines under every installed agreement.

Issue #17's target is ≥ 5,000 product-agreement decisions per second per core. Each
product is the engine bench's generated BOM (``bench/engine_bench.py``), made in one of
several countries in turn, so that some agreements apply and decide it and the others are
"not applicable" — as for a real catalogue. A decision is one row of one comparison,
whatever it says. Printed with min/median/max over the repeats, and as a ratio to a bare
pass measured in the same run (for each product and agreement, one loop reading every
line's status and value and summing the non-originating values exactly). Run::

    python bench/qualify_bench.py [PRODUCTS] [REPEATS]

It also times the same products on one worker and on two processes (``qualify_many``), and
prints the speed-up (issue #20's goal: ≥ 1.7 on 2 cores), beside what two processes deciding
the same products each on its own get (nothing sent: the machine's limit for this work):
returning the comparisons, and returning each one's JSON text made in the worker
(``render=``); then the same for a folder
check (``origin check FOLDER --agreement all``: ``batch.check``) of workbooks of 5 of these
products each (20 lines), one worker against two: a small folder (PRODUCTS / 25 workbooks)
and one of all the products (PRODUCTS / 5). The runs are interleaved. Last, what
sending a worker's results costs, measured in one process: packing and unpacking chunks
of comparisons (``origin.parallel.pack``) and plain pickle, each against deciding them.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import pickle
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import attrs
from engine_bench import bare, generate

from origin import parallel, registry
from origin.agreement import Agreement
from origin.comparison import Comparison, comparison_to_json, qualify, qualify_many
from origin.model import Case
from origin.workbook import batch
from origin.workbook.template import write_template

COUNTRIES = ("AU", "TH", "CN", "KR", "MY", "GB", "CA", "JP", "VN", "FJ")
DATE = dt.date(2025, 6, 1)


def main() -> None:
    products = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    agreements = registry.all_agreements()
    cases = [
        generate(30, seed=i, country=COUNTRIES[i % len(COUNTRIES)], psr="CTH or RVC40")
        for i in range(products)
    ]
    decisions = products * len(agreements)
    qualify(cases[0], DATE, agreements=agreements)  # law files and nomenclature load once
    timed: list[float] = []
    bared: list[float] = []
    statuses: dict[str, int] = {}
    for _ in range(repeats):
        start = time.perf_counter()
        for case in cases:
            for _agreement in agreements:
                bare(case)
        bared.append(time.perf_counter() - start)
        start = time.perf_counter()
        comparisons = [qualify(case, DATE, agreements=agreements) for case in cases]
        timed.append(time.perf_counter() - start)
    for comparison in comparisons:
        for row in comparison.rows:
            statuses[row.status] = statuses.get(row.status, 0) + 1
    # The same products under only the agreements that apply to each: what deciding costs
    # without the cheap "not applicable" rows.
    by_name = {a.name: a for a in agreements}
    applying = [
        [by_name[row.agreement] for row in comparison.rows if row.applies]
        for comparison in comparisons
    ]
    decided = sum(map(len, applying))
    applied: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        for case, chosen in zip(cases, applying, strict=True):
            qualify(case, DATE, agreements=chosen)
        applied.append(time.perf_counter() - start)
    rates = sorted(decisions / t for t in timed)
    ratios = sorted(t / b for t, b in zip(timed, bared, strict=True))
    print(
        f"{products} products × {len(agreements)} agreements = {decisions} decisions, "
        f"30 lines each, {repeats} runs"
    )
    print("decisions/s: " + _spread(rates, ",.0f"))
    print("ratio to the bare pass: " + _spread(ratios, ".1f"))
    print("rows: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    only = sorted(decided / t for t in applied)
    print(f"only the {decided} rows of agreements that apply, decisions/s: {_spread(only, ',.0f')}")
    # Every core (issue #20): the same products on one worker, then on two processes.
    print(
        f"this machine, two busy processes at once against one: {_spread(machine(repeats), '.2f')}"
    )
    print(
        "these products decided in two processes at once, each on its own (nothing sent), "
        f"against one: {_spread(twins(cases, agreements, repeats), '.2f')}"
    )
    for render, what in ((None, ""), (as_text, ", JSON text made in the workers")):
        one: list[float] = []
        two: list[float] = []
        for _ in range(repeats):
            for workers, times in ((1, one), (2, two)):
                start = time.perf_counter()
                qualify_many(cases, DATE, workers=workers, render=render, agreements=agreements)
                times.append(time.perf_counter() - start)
        speedups = [a / b for a, b in zip(one, two, strict=True)]
        print(
            f"two workers against one (qualify_many{what}), speed-up: {_spread(speedups, '.2f')}"
            f" (one {statistics.median(one):.2f} s, two {statistics.median(two):.2f} s, medians)"
        )
    # A small folder (a run of about half a second, where starting the worker and the last
    # workbook weigh), then one of as many products as above (of 20 lines), five to a book.
    for books in sorted({max(2, products // 25), max(2, products // 5)}):
        folder_check(agreements, books, repeats)
    sending(cases, agreements, repeats)


def sending(cases: Sequence[Case], agreements: Sequence[Agreement], repeats: int) -> None:
    """What a worker's results cost to send, in one process (so the machine's other load
    matters less): packing (in the worker) and unpacking (here) chunks of 16 comparisons
    against deciding them, by origin.parallel and by plain pickle."""
    packed: list[float] = []
    unpacked: list[float] = []
    dumped: list[float] = []
    loaded: list[float] = []
    with parallel.frozen():  # as in a run
        for _ in range(repeats):
            start = time.process_time()
            comparisons = [qualify(case, DATE, agreements=agreements) for case in cases]
            decide = time.process_time() - start
            chunks = [comparisons[i : i + 16] for i in range(0, len(comparisons), 16)]
            for pack, unpack, into, out in (
                (parallel.pack, parallel.unpack, packed, unpacked),
                (_dumps, pickle.loads, dumped, loaded),
            ):
                start = time.process_time()
                blobs = [pack(chunk) for chunk in chunks]
                into.append((time.process_time() - start) / decide)
                start = time.process_time()
                for blob in blobs:
                    unpack(blob)
                out.append((time.process_time() - start) / decide)
    print(
        f"sending comparisons, against deciding them: packed {_spread(packed, '.2f')}, "
        f"unpacked {_spread(unpacked, '.2f')}; plain pickle {_spread(dumped, '.2f')}, "
        f"{_spread(loaded, '.2f')}"
    )


def _dumps(value: object) -> bytes:
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def _busy(_: object = None) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(2_000_000):
        total += i * i
    return time.perf_counter() - start


def machine(repeats: int) -> list[float]:
    """What two processes can gain here and now: a busy loop alone, then two at once (the
    throughput ratio; 2.00 on two free cores). On a shared machine it says how far a
    two-worker figure could go."""
    gains: list[float] = []
    with multiprocessing.get_context("fork").Pool(2) as pool:
        for _ in range(repeats):
            alone = _busy()
            gains.append(2 * alone / max(pool.map(_busy, [0, 1])))
    return gains


_twin: tuple[Sequence[Case], Sequence[Agreement]] | None = None


def _decide_all(_: object = None) -> float:
    assert _twin is not None
    cases, agreements = _twin
    with parallel.frozen():  # as in a run
        start = time.perf_counter()
        for case in cases:
            qualify(case, DATE, agreements=agreements)
        return time.perf_counter() - start


def twins(cases: Sequence[Case], agreements: Sequence[Agreement], repeats: int) -> list[float]:
    """The throughput two processes get deciding these very products, each the whole list
    on its own, against one alone: what two workers could reach were sending results
    free (the machine's limit for this work, which the busy loop above only estimates)."""
    global _twin  # noqa: PLW0603 - handed to the forked processes
    _twin = (cases, agreements)
    gains: list[float] = []
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_decide_all, [0, 1])  # each process's first pass
        for _ in range(repeats):
            alone = _decide_all()
            gains.append(2 * alone / max(pool.map(_decide_all, [0, 1])))
    return gains


def as_text(comparison: Comparison) -> str:
    """What a caller writing JSON lines does with each comparison (``render=``)."""
    return json.dumps(comparison_to_json(comparison))


def folder_check(agreements: Sequence[Agreement], books: int, repeats: int) -> None:
    """``origin check FOLDER --agreement all --workers N`` on ``books`` workbooks of 5
    products each: two workers against one."""
    template = registry.get("anzcerta")
    with tempfile.TemporaryDirectory() as folder:
        for book in range(books):
            cases = [
                _named(
                    generate(20, seed=i, country=COUNTRIES[i % len(COUNTRIES)], psr="CTH or RVC40"),
                    f"P{i:05d}",
                )
                for i in range(book * 5, book * 5 + 5)
            ]
            write_template(Path(folder) / f"book-{book:04}.xlsx", template, cases)
        paths = batch.workbooks(Path(folder))
        batch.check(paths[:1], agreements, DATE)  # the reader's first use
        one: list[float] = []
        two: list[float] = []
        for _ in range(repeats):
            for workers, times in ((1, one), (2, two)):
                start = time.perf_counter()
                check = batch.check(paths, agreements, DATE, workers=workers)
                times.append(time.perf_counter() - start)
    assert not check.issues, check.issues[:3]  # every product read and decided
    speedups = [a / b for a, b in zip(one, two, strict=True)]
    print(
        f"folder check of {books} workbooks × 5 products, every agreement: two workers "
        f"against one, speed-up: {_spread(speedups, '.2f')} (one {statistics.median(one):.2f} s, "
        f"two {statistics.median(two):.2f} s, medians)"
    )


def _named(case: Case, name: str) -> Case:
    """The generated case with its own product id (one workbook holds several)."""
    return attrs.evolve(case, good=attrs.evolve(case.good, id=name))


def _spread(values: list[float], fmt: str) -> str:
    ordered = sorted(values)
    low, mid, high = ordered[0], statistics.median(ordered), ordered[-1]
    return f"min {low:{fmt}} median {mid:{fmt}} max {high:{fmt}}"


if __name__ == "__main__":
    main()
