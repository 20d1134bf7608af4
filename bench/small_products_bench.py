"""Small products end to end: 20-line cases parsed from JSON, decided, written as JSON.

Issue #20's goal: ≥ 5,000 products/s per core for ANZCERTA and AANZFTA. Each product is a
generated 20-line BOM (bench/engine_bench.py's generator) written as ``origin-case/1`` JSON
text once; the clock runs over parse (``case_from_json``), ``determine`` and
``determination_to_json`` + ``json.dumps``, one core. The baseline, in the same run, is a
bare ``json.loads`` of the same texts. Prints min/median/max products/s and the ratio. Run::

    python bench/small_products_bench.py [PRODUCTS] [REPEATS]
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from engine_bench import generate

from origin import registry, strict_json
from origin.caseio import case_from_json, case_to_json, determination_to_json

DATE = dt.date(2025, 6, 1)
SETUPS = {"anzcerta": ("AU", "CTH or RVC40 (build-down)"), "aanzfta": ("TH", "CTH or RVC40")}


def main() -> None:
    products = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    for name, (country, rule) in SETUPS.items():
        agreement = registry.get(name)
        texts = [
            json.dumps(case_to_json(generate(20, seed=i, country=country, psr=rule)))
            for i in range(products)
        ]
        ours: list[float] = []
        bare: list[float] = []
        for _ in range(repeats):
            start = time.perf_counter()
            for text in texts:
                json.loads(text)
            bare.append(time.perf_counter() - start)
            start = time.perf_counter()
            for text in texts:
                case = case_from_json(strict_json.loads(text))
                d = agreement.determine(case, DATE)
                json.dumps(determination_to_json(d))
            ours.append(time.perf_counter() - start)
        rates = sorted(products / t for t in ours)
        ratios = sorted(o / b for o, b in zip(ours, bare, strict=True))
        print(
            f"{name}: {products} products of 20 lines, parse + determine + JSON: "
            f"min {rates[0]:,.0f} median {statistics.median(rates):,.0f} max {rates[-1]:,.0f} "
            f"products/s; {statistics.median(ratios):.0f} x a bare json.loads "
            f"(min {ratios[0]:.0f}, max {ratios[-1]:.0f}); goal >= 5,000 products/s"
        )


if __name__ == "__main__":
    main()
