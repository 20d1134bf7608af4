"""Checking a declarations register against the products that rely on it (issue 21).

Goal: checking a 100,000-line register against 10,000 products takes at most 2 × reading the
register. A CSV register of generated declarations (suppliers' parts, each for one or two
agreements, periods of one year starting on different days, some renewed, some expired) is
written once. Each repeat, interleaved: the baseline reads it (``origin.declarations.read``:
every field through the case readers' rules); then ``origin.declarations.check.check`` runs
over a fresh register of the same declarations (so its indexes are built inside the clock)
and 10,000 products of 10 BOM lines each, every line looked up by supplier part. Prints
min/median/max of both and of their ratio. Run::

    python bench/declarations_bench.py [LINES] [PRODUCTS] [REPEATS]
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from origin.declarations import Declaration, Register, read
from origin.declarations.check import check
from origin.declarations.reader import write_csv
from origin.model import Case, Good, Material, OriginStatus

START = dt.date(2024, 1, 1)
AS_OF = dt.date(2025, 6, 1)


def declarations(lines: int, seed: int = 7) -> list[Declaration]:
    rng = random.Random(seed)
    out = []
    for i in range(lines):
        begin = START + dt.timedelta(days=rng.randrange(0, 700))
        out.append(
            Declaration(
                reference=f"D-{i:06d}",
                agreements=("anzcerta",) if i % 3 else ("anzcerta", "aanzfta"),
                status=OriginStatus.ORIGINATING if i % 7 else OriginStatus.NON_ORIGINATING,
                valid_from=begin,
                valid_to=begin + dt.timedelta(days=364),
                supplier=f"Supplier {i % 997}",
                supplier_part=f"P-{i // 2:06d}",  # two declarations per part: renewals
                origin_country="AU",
                document=f"LTSD-{i}",
                kept_at=f"archive/declarations/D-{i:06d}.pdf",
            )
        )
    return out


def products(count: int, lines: int, parts: int) -> list[tuple[str, Case]]:
    out = []
    for p in range(count):
        materials = tuple(
            Material(
                f"M{j}",
                value="1.00",
                status="originating",
                supplier=f"Supplier {((p * lines + j) * 2) % parts % 997}",
                supplier_part=f"P-{((p * lines + j) * 2) % parts // 2:06d}",
            )
            for j in range(lines)
        )
        good = Good(f"G{p}", hs="9403.30", adjusted_value="100.00")
        out.append((f"book{p // 100}.xlsx", Case(good, "NZD", materials=materials)))
    return out


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    made = declarations(lines)
    relying = products(count, 10, lines)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.csv"
        write_csv(made, path)
        reading: list[float] = []
        checking: list[float] = []
        findings = 0
        for _ in range(repeats):
            start = time.perf_counter()
            result = read(path)
            reading.append(time.perf_counter() - start)
            assert result.ok and len(result.declarations) == lines
            fresh = Register(result.declarations)  # its indexes built inside the clock
            start = time.perf_counter()
            report = check(fresh, AS_OF, 60, relying)
            checking.append(time.perf_counter() - start)
            findings = len(report.findings)
    relied = sum(len(f.relied_on_by) for f in report.findings)
    ratios = sorted(c / r for c, r in zip(checking, reading, strict=True))
    print(
        f"register of {lines:,} lines, {count:,} products of 10 lines "
        f"({findings:,} findings, {relied:,} materials relying on them); {repeats} runs"
    )
    for name, times in (("read the register (baseline)", reading), ("check", checking)):
        ordered = sorted(times)
        print(
            f"  {name}: min {ordered[0] * 1000:,.0f} median "
            f"{statistics.median(ordered) * 1000:,.0f} max {ordered[-1] * 1000:,.0f} ms"
        )
    print(
        f"  check / read: median {statistics.median(ratios):.2f} x (min {ratios[0]:.2f}, max "
        f"{ratios[-1]:.2f}); goal <= 2 x"
    )


if __name__ == "__main__":
    main()
