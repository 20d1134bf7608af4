"""Benchmark: look up 10,000 random HS codes in a loaded PSR schedule.

Builds the NZ–UK Annex 3A schedule transposed to HS 2022 from the reference data (or loads
a schedule file given on the command line), then times lookups of random HS 2022
subheadings, NZ tariff items and statistical keys (the forms users hold), and the load of
the schedule file itself. Prints codes/s. Run:
``python bench/psr_lookup_bench.py [SCHEDULE.json] [CODES] [REPEATS]``.
Reference data: ``../shared/reference`` or $ORIGIN_REFERENCE.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from hs_data.correlation import Correlation
from hs_data.editions import nomenclature
from hs_data.importers import import_nz_uk
from hs_data.schedule import Schedule
from hs_data.transpose import transpose

REFERENCE = Path(
    os.environ.get("ORIGIN_REFERENCE", Path(__file__).resolve().parents[2] / "shared/reference")
)


def build() -> Schedule:
    source = REFERENCE / "psr" / "nz-uk" / "nz_uk_annex3A_psr_hs2017.csv"
    table = REFERENCE / "hs" / "correlation" / "HS2022toHS2017_correlation.csv"
    if not source.exists() or not table.exists():
        sys.exit(f"reference data not found under {REFERENCE} (set ORIGIN_REFERENCE)")
    old, _ = import_nz_uk(source)
    return transpose(old, Correlation.load(table), nomenclature(2022))


def codes(count: int, seed: int = 2026) -> list[str]:
    """Random codes as users write them: a third subheadings, items, statistical keys."""
    rng = random.Random(seed)
    subheadings = nomenclature(2022).subheadings
    out = []
    for i in range(count):
        s = rng.choice(subheadings)
        out.append((f"{s[:4]}.{s[4:]}", f"{s[:4]}.{s[4:]}.00", f"{s[:4]}.{s[4:]}.00.00K")[i % 3])
    return out


def main() -> None:
    args = sys.argv[1:]
    path = Path(args.pop(0)) if args and args[0].endswith(".json") else None
    count = int(args[0]) if args else 10_000
    repeats = int(args[1]) if len(args) > 1 else 5
    if path is None:
        started = time.perf_counter()
        schedule = build()
        print(f"built NZ–UK schedule in HS 2022: {time.perf_counter() - started:.2f} s")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "nz-uk-2022.json"
            schedule.save(path)
            started = time.perf_counter()
            schedule = Schedule.load(path)
            print(
                f"loaded schedule file ({path.stat().st_size:,} bytes): "
                f"{time.perf_counter() - started:.2f} s"
            )
    else:
        started = time.perf_counter()
        schedule = Schedule.load(path)
        print(f"loaded {path}: {time.perf_counter() - started:.2f} s")
    print(f"{len(schedule.entries):,} entries, HS {schedule.edition}")
    sample = codes(count)
    timings = []
    statuses: dict[str, int] = {}
    for _ in range(repeats):
        started = time.perf_counter()
        for code in sample:
            found = schedule.lookup(code)
            statuses[found.status] = statuses.get(found.status, 0) + 1
        timings.append(time.perf_counter() - started)
    best, median = min(timings), statistics.median(timings)
    print(
        f"{count:,} lookups x {repeats}: best {best * 1000:.1f} ms "
        f"({count / best:,.0f} codes/s), median {count / median:,.0f} codes/s"
    )
    print("statuses: " + ", ".join(f"{k} {v // repeats}" for k, v in sorted(statuses.items())))


if __name__ == "__main__":
    main()
