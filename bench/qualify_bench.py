"""Benchmark: qualify 1,000 products of 30 BOM lines under every installed agreement.

Issue #17's target is ≥ 5,000 product-agreement decisions per second per core. Each
product is the engine bench's generated BOM (``bench/engine_bench.py``), made in one of
several countries in turn, so that some agreements apply and decide it and the others are
"not applicable" — as for a real catalogue. A decision is one row of one comparison,
whatever it says. Printed with min/median/max over the repeats, and as a ratio to a bare
pass measured in the same run (for each product and agreement, one loop reading every
line's status and value and summing the non-originating values exactly). Run::

    python bench/qualify_bench.py [PRODUCTS] [REPEATS]
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from engine_bench import bare, generate  # noqa: E402 - the bench folder is not a package

from origin import registry  # noqa: E402
from origin.qualify import qualify  # noqa: E402

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
    rates = sorted(decisions / t for t in timed)
    ratios = sorted(t / b for t, b in zip(timed, bared, strict=True))
    print(
        f"{products} products × {len(agreements)} agreements = {decisions} decisions, "
        f"30 lines each, {repeats} runs"
    )
    print(
        "decisions/s: min {:,.0f} median {:,.0f} max {:,.0f}".format(
            rates[0], statistics.median(rates), rates[-1]
        )
    )
    print(
        "ratio to the bare pass: min {:.1f} median {:.1f} max {:.1f}".format(
            ratios[0], statistics.median(ratios), ratios[-1]
        )
    )
    print("rows: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))


if __name__ == "__main__":
    main()
