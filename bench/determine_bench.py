"""Small products, ``determine`` alone: 20-line cases decided, the cases built before the clock.

Issue #20's per-product cost has three parts (parse, determine, JSON); this measures the
engine's part, for ANZCERTA and AANZFTA as bench/small_products_bench.py sets them up. The
baseline, interleaved with it in the same run, is a bare ``json.loads`` of the same cases
written as ``origin-case/1`` text (the least any path from a file must do). Prints µs per
product and products/s with min/median/max, and the ratio to the baseline. Run::

    python bench/determine_bench.py [PRODUCTS] [REPEATS]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from engine_bench import generate
from small_products_bench import DATE, SETUPS

from origin import registry
from origin.caseio import case_to_json


def main() -> None:
    products = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    for name, (country, rule) in SETUPS.items():
        agreement = registry.get(name)
        cases = [generate(20, seed=i, country=country, psr=rule) for i in range(products)]
        texts = [json.dumps(case_to_json(case)) for case in cases]
        for case in cases:  # warm: the law's caches (parsed rules, solved formulas)
            agreement.determine(case, DATE)
        ours: list[float] = []
        bare: list[float] = []
        for _ in range(repeats):
            start = time.perf_counter()
            for text in texts:
                json.loads(text)
            bare.append(time.perf_counter() - start)
            start = time.perf_counter()
            for case in cases:
                agreement.determine(case, DATE)
            ours.append(time.perf_counter() - start)
        each = sorted(t / products * 1e6 for t in ours)
        ratios = sorted(o / b for o, b in zip(ours, bare, strict=True))
        print(
            f"{name}: determine, {products} products of 20 lines: "
            f"min {each[0]:.0f} / median {statistics.median(each):.0f} / max {each[-1]:.0f} µs "
            f"per product ({1e6 / statistics.median(each):,.0f} products/s); "
            f"{statistics.median(ratios):.1f} x a bare json.loads of the case "
            f"(min {ratios[0]:.1f}, max {ratios[-1]:.1f})"
        )


if __name__ == "__main__":
    main()
