"""Benchmark: how deciding a deep BOM grows with its depth (issue 12).

A chain of self-produced intermediate materials, each over the level below and one
originating part, is decided under ANZCERTA at several depths; the work should grow
linearly, so the time per level stays about flat. The baseline, measured in the same run,
is the same number of BOM lines given flat (one level). Prints min/median/max of each.
Run: ``python bench/deep_bom_bench.py [REPEATS]``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable

import attrs

from origin import registry
from origin.caseio import case_from_json
from origin.explain import explain
from origin.model import Case

sys.path.insert(0, "tests")
from test_deep_boms import chain  # the tests own generator

DATE = dt.date(2025, 6, 1)
DEPTHS = (250, 500, 1000, 2000)


def flat(case: Case) -> Case:
    """The same lines, every one a direct input of the goods."""
    lines = [m for _, m in case.walk()]
    return Case(
        good=case.good,
        currency=case.currency,
        materials=tuple(attrs.evolve(m, components=()) for m in lines),
        consignment=case.consignment,
        psr=case.psr,
    )


def spread(fn: Callable[[], object], repeats: int) -> tuple[float, float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), max(times)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    anzcerta = registry.get("anzcerta")
    print("depth  lines  deep min/median/max s      flat median s  ratio  µs per level")
    for depth in DEPTHS:
        deep = case_from_json(chain([("undetermined", True)] * depth))
        level = flat(deep)
        lo, mid, hi = spread(lambda c=deep: explain(anzcerta.determine(c, DATE)), repeats)
        base = spread(lambda c=level: explain(anzcerta.determine(c, DATE)), repeats)[1]
        lines = sum(1 for _ in deep.walk())
        print(
            f"{depth:5d}  {lines:5d}  {lo:6.3f} / {mid:6.3f} / {hi:6.3f}      {base:8.4f}"
            f"  {mid / base:6.1f}  {mid / depth * 1e6:8.0f}"
        )


if __name__ == "__main__":
    main()
