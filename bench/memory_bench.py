"""Peak memory of a workbook import (issue #20): the importing process and its reader child
together, against a bare python-calamine read of the same file measured in the same run.

Each run is a fresh process. While it works, this process samples every process of its tree
(the run and the reader child it forks) from /proc every few milliseconds and keeps the
peak of their summed proportional set size (PSS: a page shared by the two, as a forked
child shares its parent's, is counted once between them) and of their summed resident set
size (RSS: shared pages counted in each, an upper bound). Each run also reports its own
``ru_maxrss`` and its children's. Goals: at most 300 MB for 100,000 lines across both
processes; a 1,000,000-line workbook decided (imported and determined) in under 2 GB.

Usage:

    python3 bench/memory_bench.py [LINES ...] [--repeats N] [--shared-strings]

LINES defaults to 100000; give 1000000 as well for the large workbook (generating it takes
a few minutes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import resource, sys
import python_calamine
book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
rows = [book.get_sheet_by_name(n).to_python() for n in book.sheet_names]
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 0, sum(map(len, rows)))
"""

DECIDE = """
import datetime, gc, resource, sys
from pathlib import Path
from origin import registry
from origin.workbook.reader import import_workbook
agreement = registry.get("anzcerta")
from origin.hs import HSCode; HSCode.parse("8471.30")  # the nomenclature loads once
result = import_workbook(Path(sys.argv[1]), law=agreement.law)
assert not result.errors, result.errors[:3]
case = result.products[0].case
del result
gc.collect()
lines = sum(1 for _ in case.walk())
if sys.argv[2] == "decide":
    determination = agreement.determine(case, datetime.date(2025, 6, 1))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, lines)
"""


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc (Linux)."""
    found, pending = [], [pid]
    while pending:
        at = pending.pop()
        found.append(at)
        try:
            for task in os.listdir(f"/proc/{at}/task"):
                with open(f"/proc/{at}/task/{task}/children") as handle:
                    pending.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def _memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in KiB; zeros once it has gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss


def run(code: str, path: Path, mode: str = "") -> dict[str, float]:
    """One fresh run of ``code``: peaks of the tree's summed PSS and RSS (sampled), the
    run's own and its children's ru_maxrss, in MB, and its wall time in seconds."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(path), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak_pss = peak_rss = 0
    while process.poll() is None:
        pss = rss = 0
        for pid in _tree(process.pid):
            one = _memory(pid)
            pss += one[0]
            rss += one[1]
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        time.sleep(0.005)
    out, err = process.communicate()
    if process.returncode:
        raise SystemExit(f"run failed ({process.returncode}):\n{err[-3000:]}")
    own, children, count = (int(x) for x in out.split())
    return {
        "pss": peak_pss / 1024,
        "rss": peak_rss / 1024,
        "own": own / 1024,
        "child": children / 1024,
        "wall": time.perf_counter() - started,
        "count": count,
    }


def _generate(folder: Path, lines: int, shared: bool) -> Path:
    """bench/workbook_bench.py's workbook (the same rows as the speed bench), made in a
    process of its own: a process started from this one
    reports this one's peak as its own ru_maxrss if that is larger (kept across exec)."""
    path = folder / f"bom-{lines}.xlsx"
    table = folder / f"bom-{lines}-shared.xlsx"
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import workbook_bench as w; "
        "from pathlib import Path; w.generate(Path(sys.argv[2]), int(sys.argv[3])); "
        "sys.argv[4] and w.shared_strings(Path(sys.argv[2]), Path(sys.argv[4]))"
    )
    here = str(Path(__file__).resolve().parent)
    wanted = str(table) if shared else ""
    subprocess.run([sys.executable, "-c", code, here, str(path), str(lines), wanted], check=True)
    return table if shared else path


def _spread(values: list[float]) -> str:
    return f"min {min(values):.0f} median {statistics.median(values):.0f} max {max(values):.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lines", nargs="*", type=int, default=[100_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--shared-strings", action="store_true", help="as Excel saves text")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for lines in args.lines:
            path = _generate(Path(folder), lines, args.shared_strings)
            print(f"{lines:,} BOM lines, {path.stat().st_size / 2**20:.1f} MiB ({path.name})")
            runs: dict[str, list[dict[str, float]]] = {"bare": [], "import": [], "decide": []}
            for _ in range(args.repeats):  # interleaved, so that a busy moment moves all
                runs["bare"].append(run(BARE, path))
                runs["import"].append(run(DECIDE, path, "import"))
                runs["decide"].append(run(DECIDE, path, "decide"))
            bare = statistics.median(r["pss"] for r in runs["bare"])
            for name, label in (
                ("bare", "bare python-calamine read"),
                ("import", "origin import (parent + reader child)"),
                ("decide", "import and determination"),
            ):
                found = runs[name]
                pss = [r["pss"] for r in found]
                print(
                    f"  {label}: peak PSS {_spread(pss)} MB "
                    f"(x{statistics.median(pss) / bare:.2f} the bare read); peak RSS summed "
                    f"{_spread([r['rss'] for r in found])} MB; ru_maxrss parent "
                    f"{_spread([r['own'] for r in found])}, child "
                    f"{_spread([r['child'] for r in found])} MB"
                )
            worst = max(r["pss"] for r in runs["import"])
            print(f"  goal (100,000 lines): import at most 300 MB: worst {worst:.0f} MB")
            worst = max(r["pss"] for r in runs["decide"])
            print(f"  goal (1,000,000 lines): decided under 2,048 MB: worst {worst:.0f} MB")


if __name__ == "__main__":
    main()
