"""Requalification against last cycle's results workbook, as a ratio to writing it.

``origin check --previous OLD --out NEW`` reads OLD, snapshots this run and compares; the
baseline is writing this run's results workbook (``--out``), measured in the same run,
interleaved, on the same decided products (ANZCERTA, PRODUCTS products of LINES BOM lines,
one line's value changed in every tenth product). Prints each side's min/median/max and
the ratio's.

    python3 bench/requalify_bench.py [PRODUCTS] [LINES] [REPEATS]
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from origin import registry, requalify
from origin.model import Case, Consignment, Good, Material
from origin.workbook.export import Decided
from origin.workbook.results import write_results

ANZCERTA = registry.get("anzcerta")
DAY = dt.date(2025, 6, 1)


def products(count: int, lines: int, bump: bool) -> list[Decided]:
    items = []
    for number in range(count):
        materials = tuple(
            Material(
                f"M{line}",
                hs="4407.11" if line % 2 else "8302.42",
                value=Decimal(10 + line) + (Decimal("0.01") if bump and line == 0 else 0),
                status="non-originating" if line % 3 else "originating",
                origin_country="US" if line % 3 else "AU",
            )
            for line in range(lines)
        )
        value = sum((m.value or Decimal(0) for m in materials), Decimal(0)) * 3
        case = Case(
            Good(f"P{number}", hs="9403.30", adjusted_value=value, produced_in=("AU",),
                 last_process_in="AU", operations=("assembly",)),
            "AUD",
            materials=materials,
            consignment=Consignment(exported_from="AU", imported_on=DAY, transit=()),
            psr="RVC50 (build-down)",
        )  # fmt: skip
        items.append(
            Decided("bench.xlsx", f"P{number}", ANZCERTA, case, ANZCERTA.determine(case, DAY))
        )
    return items


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    lines = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    old_items = products(count, lines, bump=False)
    new_items = [
        b if i % 10 else a
        for i, (a, b) in enumerate(zip(products(count, lines, bump=True), old_items, strict=True))
    ]
    writes, requalifies = [], []
    with tempfile.TemporaryDirectory() as folder:
        old = Path(folder) / "last.xlsx"
        write_results(old, old_items)
        for _ in range(repeats):
            t = time.perf_counter()
            write_results(Path(folder) / "this.xlsx", new_items)
            writes.append(time.perf_counter() - t)
            t = time.perf_counter()
            r = requalify.compare(old, new_items)
            requalifies.append(time.perf_counter() - t)
            assert r.counts()["changed"] == len(range(0, count, 10)), r.counts()
    ratios = sorted(q / w for q, w in zip(requalifies, writes, strict=True))

    def shown(values: list[float], unit: str = " s") -> str:
        return (
            f"min {min(values):.3f}{unit}, median {statistics.median(values):.3f}{unit}, "
            f"max {max(values):.3f}{unit}"
        )

    print(f"{count:,} products x {lines} lines, {repeats} runs interleaved")
    print(f"write the results workbook (baseline): {shown(writes)}")
    print(f"requalify against the old workbook:     {shown(requalifies)}")
    print(f"ratio requalify / write:                {shown(ratios, '')}")


if __name__ == "__main__":
    main()
