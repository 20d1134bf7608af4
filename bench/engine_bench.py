"""Benchmark: decide a generated flat BOM of 100,000 lines under ANZCERTA (or other agreements).

Prints lines/s for the engine itself (the case is built before the clock starts), for
the whole determination including the per-material table, and the time of one headroom
solve per product; each with min/median/max, and the determination as a ratio to a bare
pass measured in the same run (one loop reading every line's status and value and summing
the non-originating values exactly: the least any determination must do), so that a busy
machine moves both. Run::

    python bench/engine_bench.py [LINES] [REPEATS] [AGREEMENT ...|all]

Other agreements decide the same BOM made in one of their parties (RVC40 or CTH), the
good's every value given; the figure printed for each is its full determination.
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


def generate(
    lines: int, seed: int = 2026, country: str = "AU", psr: str = "CTH or RVC40 (build-down)"
) -> Case:
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
        fob=total * 2,
        ex_works=total * 2,
        transaction_value=total * 2,
        produced_in=(country,),
        last_process_in=country,
        operations=("assembly",),
    )
    return Case(
        good=good,
        currency="AUD",
        materials=materials,
        psr=psr,
        consignment=Consignment(exported_from=country, transit=()),
    )


def bare(case: Case) -> Decimal:
    """The baseline: one pass reading each line's status and value, summing exactly."""
    total = Decimal(0)
    non = OriginStatus.ORIGINATING
    for m in case.materials:
        if m.status is not non and m.value is not None:
            total += m.value
    return total


def best(fn: object, repeats: int) -> tuple[float, float]:
    times = timed(fn, repeats)
    return min(times), statistics.median(times)


def timed(fn: object, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return times


def spread(times: list[float]) -> str:
    return (
        f"min {min(times) * 1000:.1f} / median {statistics.median(times) * 1000:.1f} / "
        f"max {max(times) * 1000:.1f} ms"
    )


# A rule with every method an agreement's own rules name, where "CTH or RVC40" would not
# reach them (CPTPP's focused value counts only the materials of the listed headings).
RULES = {
    "cptpp": "CTH or RVC30 (build-up) or RVC40 (build-down) or RVC50 (focused value of 94.03)",
}


def others(names: list[str], lines: int, repeats: int, date: dt.date) -> None:
    """The full determination of the same BOM under each named agreement."""
    if names == ["all"]:
        names = [n for n in registry.names() if n != "anzcerta"]
    for name in names:
        agreement = registry.get(name)
        countries = (
            sorted(agreement.law.parties)
            if agreement.membership is None
            else sorted(agreement.membership.on(date))
        )
        country = next((c for c in countries if c != "NZ"), "NZ")
        case = generate(lines, country=country, psr=RULES.get(name, "CTH or RVC40"))
        try:
            d = agreement.determine(case, date)
        except Exception as error:  # a bench reports, it does not stop
            print(f"{name}: not measured ({type(error).__name__}: {error})")
            continue
        base: list[float] = []
        times: list[float] = []
        for _ in range(repeats):  # interleaved, so that a busy machine moves both alike
            base += timed(lambda c=case: bare(c), 1)
            times += timed(lambda a=agreement, c=case: a.determine(c, date), 1)
        ratios = sorted(t / b for t, b in zip(times, base, strict=True))
        print(
            f"{name} (made in {country}; {case.psr}; {d.verdict.value}): "
            f"{lines / statistics.median(times):,.0f} lines/s ({spread(times)}); "
            f"{statistics.median(ratios):.1f} x the bare pass (min {ratios[0]:.1f}, "
            f"max {ratios[-1]:.1f})"
        )


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
    base = timed(lambda: bare(case), repeats)
    print(f"bare pass (status and value of every line, summed): {spread(base)}")
    times = timed(lambda: anzcerta.determine(case, date), repeats)
    t_min = min(times)
    print(
        f"full determination (verdict, steps, RVC, headroom): "
        f"{lines / statistics.median(times):,.0f} lines/s median ({spread(times)}); "
        f"{statistics.median(times) / statistics.median(base):.1f} x the bare pass"
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
    if len(sys.argv) > 3:
        others(sys.argv[3:], lines, repeats, date)


if __name__ == "__main__":
    main()
