"""Benchmark: how deciding a deep BOM grows with its depth (issues 12 and 20).

A chain of self-produced intermediate materials, each over the level below and one
originating part, is decided under ANZCERTA at several depths; the work should grow
linearly, so the time per level stays about flat. The baseline, measured in the same run,
is the same number of BOM lines given flat (one level). Prints min/median/max of each.

Then issue 20's goal: a 5-level tree of about 100,000 lines (each level's self-produced
intermediates fan out into the next; the bottom ones hold the bought-in lines) decided
within 3 x the same lines given flat, interleaved, with min/median/max and the ratio (the
collector on, each run started from a collected heap).
Run: ``python bench/deep_bom_bench.py [REPEATS] [TREE_LINES]``.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal

import attrs

from origin import registry
from origin.caseio import case_from_json
from origin.explain import explain
from origin.hs import HSCode
from origin.model import Case, Consignment, Good, Material, OriginStatus

sys.path.insert(0, "tests")
from test_deep_boms import chain  # the tests own generator

DATE = dt.date(2025, 6, 1)
DEPTHS = (250, 500, 1000, 2000)
FAN_OUT = 4  # intermediates under each intermediate: 4 + 16 + 64 + 256 = 340 of them
LEVELS = 5  # four levels of intermediates, the bought-in lines on the fifth
LEAF_HS = ("4407.11", "8302.42", "3208.90", "7306.30", "5407.61", "7318.15", "3921.13")
RULE = "CTH or RVC40 (build-down)"
STATUS = (OriginStatus.ORIGINATING, OriginStatus.NON_ORIGINATING, OriginStatus.UNDETERMINED)


def tree(lines: int, seed: int = 2026) -> Case:
    """A 5-level BOM of about ``lines`` lines: intermediates (undetermined, self-produced,
    furniture parts, each with its rule and operations) fan out ``FAN_OUT`` ways for four
    levels, and each bottom intermediate holds an equal share of the bought-in lines (random
    status, code and value, as bench/engine_bench.py's). Each intermediate is valued at
    1.25 x its inputs."""
    rng = random.Random(seed)
    codes = [HSCode.parse(h) for h in LEAF_HS]
    parts = (HSCode.parse("9403.91"), HSCode.parse("9401.99"))
    bottoms = FAN_OUT ** (LEVELS - 1)
    intermediates = sum(FAN_OUT**level for level in range(1, LEVELS))
    per_bottom = max(1, (lines - intermediates) // bottoms)
    count = 0

    def leaf() -> Material:
        nonlocal count
        count += 1
        return Material(
            id=f"L{count:06d}",
            hs=rng.choice(codes),
            value=Decimal(rng.randint(1, 5_000)).scaleb(-2),
            status=rng.choice(STATUS),
        )

    def made(level: int, components: tuple[Material, ...]) -> Material:
        nonlocal count
        count += 1
        inputs = sum((m.value or Decimal(0) for m in components), Decimal(0))
        return Material(
            id=f"I{level}-{count:06d}",
            hs=parts[level % 2],
            value=inputs * Decimal("1.25"),
            status=OriginStatus.UNDETERMINED,
            self_produced=True,
            components=components,
            psr=RULE,  # as a schedule gives each intermediate its rule
            operations=("assembly",),
        )

    def level_of(level: int) -> tuple[Material, ...]:
        """The ``FAN_OUT`` intermediates of one parent at ``level`` (1: the goods' own)."""
        return tuple(
            made(
                level,
                level_of(level + 1)
                if level < LEVELS - 1
                else tuple(leaf() for _ in range(per_bottom)),
            )
            for _ in range(FAN_OUT)
        )

    materials = level_of(1)
    total = sum((m.value or Decimal(0) for m in materials), Decimal(0)) * Decimal("1.25")
    good = Good(
        id="TREE",
        hs=HSCode.parse("9403.30"),
        adjusted_value=total,
        fob=total,
        ex_works=total,
        transaction_value=total,
        produced_in=("AU",),
        last_process_in="AU",
        operations=("assembly",),
    )
    return Case(
        good=good,
        currency="AUD",
        materials=materials,
        psr=RULE,
        consignment=Consignment(exported_from="AU", transit=()),
    )


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


def tree_against_flat(lines: int, repeats: int) -> None:
    """The 5-level tree and the same lines flat, interleaved, each determined and explained."""
    anzcerta = registry.get("anzcerta")
    deep = tree(lines)
    level = flat(deep)
    count = sum(1 for _ in deep.walk())
    made = sum(1 for _, m in deep.walk() if m.components)
    deepest = max(depth for depth, _ in deep.walk()) + 1
    d = anzcerta.determine(deep, DATE)
    f = anzcerta.determine(level, DATE)
    deep_times: list[float] = []
    flat_times: list[float] = []
    for _ in range(repeats):
        # Each run starts from a collected heap: with both BOMs alive (200,000 materials) a
        # full collection costs ~0.3 s, and whichever run it fell in would take it alone.
        gc.collect()
        deep_times.append(spread(lambda: explain(anzcerta.determine(deep, DATE)), 1)[0])
        gc.collect()
        flat_times.append(spread(lambda: explain(anzcerta.determine(level, DATE)), 1)[0])
    ratios = sorted(t / b for t, b in zip(deep_times, flat_times, strict=True))
    print(
        f"{deepest}-level tree, {count:,} lines ({made} self-produced intermediates; "
        f"{d.verdict.value}; flat: {f.verdict.value}), determined and explained:\n"
        f"  tree {min(deep_times):.3f} / {statistics.median(deep_times):.3f} / "
        f"{max(deep_times):.3f} s; flat {min(flat_times):.3f} / "
        f"{statistics.median(flat_times):.3f} / {max(flat_times):.3f} s (min/median/max)\n"
        f"  tree / flat: median {statistics.median(ratios):.2f} x (min {ratios[0]:.2f}, "
        f"max {ratios[-1]:.2f}); goal <= 3 x"
    )


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    lines = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    tree_against_flat(lines, repeats)
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
