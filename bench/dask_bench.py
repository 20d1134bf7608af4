"""Benchmark: batch qualify on a Dask LocalCluster, two workers against one (issue #20).

The products of ``bench/qualify_bench.py`` (30 BOM lines each, made in one of several
countries in turn) are compared under every installed agreement with
``qualify_many(..., scheduler=cluster)`` on a LocalCluster of one worker process and on one
of two (one thread each), the runs interleaved so that both see the same machine; each
cluster is warmed up first (its workers load the law files once). Printed: the speed-up of
two workers over one, with min/median/max over the repeats, the products per second of
each, and the same for ``render=`` (each comparison's JSON text made on the workers, so
only text comes back). For scale, the one-worker cluster is also compared with
``qualify_many(workers=1)`` in this process. Issue #20's goal: two workers ≥ 1.5 × one.
Run::

    python bench/dask_bench.py [PRODUCTS] [REPEATS]

Needs ``pip install "origin[dask]"``.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from engine_bench import generate
from qualify_bench import machine

from origin import registry
from origin.comparison import Comparison, comparison_to_json, qualify_many

COUNTRIES = ("AU", "TH", "CN", "KR", "MY", "GB", "CA", "JP", "VN", "FJ")
DATE = dt.date(2025, 6, 1)


def as_text(comparison: Comparison) -> str:
    """What a caller writing JSON lines would do with each comparison, on the workers."""
    return json.dumps(comparison_to_json(comparison))


def main() -> None:
    try:
        from distributed import LocalCluster  # noqa: PLC0415
    except ImportError:
        sys.exit('dask_bench: needs Dask (pip install "origin[dask]")')
    products = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    agreements = registry.all_agreements()
    cases = [
        generate(30, seed=i, country=COUNTRIES[i % len(COUNTRIES)], psr="CTH or RVC40")
        for i in range(products)
    ]
    options: dict[str, Any] = {"agreements": agreements}
    print(f"{products} products × {len(agreements)} agreements, 30 lines each, {repeats} runs")
    print(
        f"this machine, two busy processes at once against one: {_spread(machine(repeats), '.2f')}"
    )
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as one,
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as two,
    ):
        for cluster in (one, two):  # each worker loads the law files once
            qualify_many(cases[:20], DATE, scheduler=cluster, **options)
        for render in (None, as_text):
            timed: dict[str, list[float]] = {"here": [], "one": [], "two": []}
            where = {"here": {"workers": 1}, "one": {"scheduler": one}, "two": {"scheduler": two}}
            for _ in range(repeats):
                for key, how in where.items():
                    start = time.perf_counter()
                    qualify_many(cases, DATE, render=render, **how, **options)
                    timed[key].append(time.perf_counter() - start)
            what = "comparisons" if render is None else "JSON text rendered on the workers"
            speedups = [a / b for a, b in zip(timed["one"], timed["two"], strict=True)]
            print(f"{what}:")
            print(f"  two Dask workers against one, speed-up: {_spread(speedups, '.2f')}")
            labels = {"here": "this process", "one": "one worker", "two": "two workers"}
            for key, label in labels.items():
                rates = [products / t for t in timed[key]]
                print(f"  {label}, products/s: {_spread(rates, ',.0f')}")
            overhead = [a / b for a, b in zip(timed["one"], timed["here"], strict=True)]
            print(f"  one Dask worker against this process alone, time: {_spread(overhead, '.2f')}")


def _spread(values: list[float], fmt: str) -> str:
    ordered = sorted(values)
    low, mid, high = ordered[0], statistics.median(ordered), ordered[-1]
    return f"min {low:{fmt}} median {mid:{fmt}} max {high:{fmt}}"


if __name__ == "__main__":
    main()
