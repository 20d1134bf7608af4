"""Benchmark: decide a generated flat BOM of 100,000 lines under ANZCERTA.

Prints lines/s for the engine itself (the case is built before the clock starts), for
the whole determination including the per-material table, and the time of one headroom
solve per product. Run: ``python bench/engine_bench.py [LINES] [REPEATS]``.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from decimal import Decimal
from fractions import Fraction

from agreements.anzcerta import regime_at as anzcerta_regime
from origin import registry
from origin.engine import assess, percent
from origin.hs import HSCode
from origin.model import Case, Consignment, Good, Material, OriginStatus

HS = ["4407.11", "8302.42", "3208.90", "7306.30", "5407.61", "7318.15", "3921.13", "9403.91"]


def generate(lines: int, seed: int = 2026) -> Case:
    rng = random.Random(seed)
    codes = [HSCode.parse(h) for h in HS]
    materials = tuple(
        Material(
            id=f"M{i:06d}",
            hs=rng.choice(codes),
            value=Decimal(rng.randint(1, 5_000)).scaleb(-2),
            status=rng.choice(
                (OriginStatus.ORIGINATING, OriginStatus.NON_ORIGINATING, OriginStatus.UNDETERMINED)
            ),
        )
        for i in range(lines)
    )
    total = sum((m.value or Decimal(0) for m in materials), Decimal(0))
    good = Good(
        id="BENCH",
        hs=HSCode.parse("9403.30"),
        adjusted_value=total * 2,
        produced_in=("AU",),
        last_process_in="AU",
        operations=("assembly",),
    )
    return Case(
        good=good,
        currency="AUD",
        materials=materials,
        psr="CTH or RVC40 (build-down)",
        consignment=Consignment(exported_from="AU", transit=()),
    )


def best(fn: object, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    anzcerta = registry.get("anzcerta")
    date = dt.date(2025, 6, 1)
    case = generate(lines)
    regime = anzcerta_regime(date)

    d = anzcerta.determine(case, date)  # warm caches (HS set, PSR grammar, sympy solves)
    shown = percent(d.rvc[0].value) if d.rvc and d.rvc[0].value is not None else "n/a"
    print(f"BOM lines: {lines:,}; verdict {d.verdict.value}; build-down RVC {shown}")

    t_min, t_med = best(lambda: assess(case, regime, date), repeats)
    print(
        f"valuation + treatment pass (assess): {lines / t_min:,.0f} lines/s "
        f"(best of {repeats}; median {lines / t_med:,.0f})"
    )
    t_min, t_med = best(lambda: anzcerta.determine(case, date), repeats)
    print(
        f"full determination (verdict, steps, RVC, headroom): {lines / t_min:,.0f} lines/s "
        f"(best {t_min * 1000:.1f} ms; median {t_med * 1000:.1f} ms)"
    )
    rows_min, _ = best(lambda: list(d.materials), repeats)
    print(
        f"per-material table, every row built: {lines / rows_min:,.0f} rows/s "
        f"(best {rows_min * 1000:.1f} ms); determination + all rows: "
        f"{lines / (t_min + rows_min):,.0f} lines/s"
    )

    method = regime.rvc_methods["build-down"]
    values = {"AV": Fraction(case.good.adjusted_value or 0), "VNM": Fraction(1000)}
    n = 10_000
    start = time.perf_counter()
    for _ in range(n):
        method.formula.headroom("VNM", Fraction(40), values)
    per = (time.perf_counter() - start) / n
    print(f"headroom per product (solved once, compiled): {per * 1e6:.1f} µs")


if __name__ == "__main__":
    main()
