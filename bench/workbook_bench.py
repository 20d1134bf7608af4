"""Import of a generated 100,000-line BOM against a bare python-calamine read of the same file.

Prints the ratio with its spread over interleaved runs (goal ≤ 1.5, issues #6 and #20), peak
memory of each (fresh processes, so one does not warm the other; bench/memory_bench.py
measures both processes together) and the results-workbook write time, as a ratio to a
plain openpyxl write-only sheet of the same material rows written in the same run (goal
≤ 1.3, issues #18 and #20). The generated file keeps its text in the cells (openpyxl's
way); the same rows are also measured with a shared-string table (Excel's and
LibreOffice's way), which the import reads differently (decision 0011 §8 and §10). Last, a
small workbook (the 20-line template) imported in this process and through the reader
child, against a bare read of it.
Usage:

    python3 bench/workbook_bench.py [LINES] [REPEATS]
"""

from __future__ import annotations

import datetime as dt
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

BARE = """
import resource, sys, time
import python_calamine
t = time.perf_counter()
book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
rows = [book.get_sheet_by_name(n).to_python() for n in book.sheet_names]
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

IMPORT = """
import resource, sys, time
from pathlib import Path
from origin import registry
from origin.workbook.reader import import_workbook
law = registry.get("anzcerta").law
from origin.hs import HSCode; HSCode.parse("8471.30")  # the nomenclature loads once per process
import gc
t = time.perf_counter()
result = import_workbook(Path(sys.argv[1]), law=law)
# The import keeps the cyclic collector off while it builds its objects; the collector's
# first pass over them (all still in its youngest generation) comes after, and is counted
# here: the bare read pays the collector as it goes.
gc.collect(0)
elapsed = time.perf_counter() - t
assert not result.errors, result.errors[:3]
assert result.ledger.balanced()
rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
          resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(elapsed, rss, sum(1 for _ in result.products[0].case.walk()))
"""


def generate(path: Path, lines: int) -> None:
    from openpyxl import Workbook  # noqa: PLC0415

    from origin.hs import _nomenclature  # noqa: PLC0415 - real HS 2022 subheadings

    codes = sorted(c for c in _nomenclature() if len(c) == 6)
    rng = random.Random(6)
    book = Workbook(write_only=True)
    product = book.create_sheet("Product")
    product.append(
        [
            "product",
            "hs",
            "currency",
            "psr",
            "adjusted value",
            "produced in",
            "last process in",
            "operations",
        ]
    )
    product.append(
        ["BIG-1", "8471.30", "NZD", "CTH or RVC40 (build-down)", 10_000_000, "AU", "AU", "assembly"]
    )
    bom = book.create_sheet("BOM")
    bom.append(
        [
            "product",
            "part id",
            "description",
            "hs",
            "quantity",
            "unit",
            "value",
            "basis",
            "origin country",
            "status",
            "self produced",
            "indirect",
        ]
    )
    for i in range(lines):
        code = rng.choice(codes)
        country = rng.choice(("CN", "AU", "US"))
        status = "originating" if country == "AU" else "non-originating"
        bom.append(
            [
                "BIG-1",
                f"P{i:06d}",
                f"component {i}",
                f"{code[:4]}.{code[4:]}",
                rng.randint(1, 50),
                "pcs",
                round(rng.random() * 90 + 0.01, 2),
                "customs-value",
                country,
                status,
                "no",
                "no",
            ]
        )
    book.save(path)


_INLINE = re.compile(rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>(.*?)</t></is></c>')
_SST_TYPE = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_SST_CONTENT = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def shared_strings(source: Path, path: Path) -> None:
    """The same workbook with its text in a shared-string table, in order of first use."""
    index: dict[bytes, int] = {}

    def shared(match: re.Match[bytes]) -> bytes:
        at = index.setdefault(match.group(2), len(index))
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match.group(1), at)

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = _INLINE.sub(shared, data)
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Type="%s" Target="sharedStrings.xml" Id="rIdS"/>'
                    b"</Relationships>" % _SST_TYPE,
                )
            elif item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="%s"/></Types>'
                    % _SST_CONTENT,
                )
            new.writestr(item, data)
        strings = b"".join(b"<si><t>%s</t></si>" % text for text in index)
        new.writestr(
            "xl/sharedStrings.xml",
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'count="%d" uniqueCount="%d">%s</sst>' % (len(index), len(index), strings),
        )


def measure(path: Path, repeats: int) -> tuple[float, float, list[list[float]], list[list[float]]]:
    bare, ours = [], []
    for _ in range(repeats):  # interleaved, so that a busy moment moves both
        bare.append(run(BARE, path))
        ours.append(run(IMPORT, path))
    return (
        statistics.median(b[0] for b in bare),
        statistics.median(o[0] for o in ours),
        bare,
        ours,
    )


def spread(bare: list[list[float]], ours: list[list[float]]) -> str:
    """min, median and max of the runs' ratios, each run to the bare read beside it."""
    ratios = sorted(o[0] / b[0] for o, b in zip(ours, bare, strict=True))
    return f"min {ratios[0]:.2f} median {statistics.median(ratios):.2f} max {ratios[-1]:.2f}"


def run(code: str, path: Path) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True
    )
    return [float(x) for x in out.stdout.split()]


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bom.xlsx"
        t = time.perf_counter()
        generate(path, lines)
        print(
            f"generated {lines:,} BOM lines ({path.stat().st_size / 2**20:.1f} MiB) "
            f"in {time.perf_counter() - t:.1f} s"
        )
        bare_t, ours_t, bare, ours = measure(path, repeats)
        print(
            f"bare python-calamine read: {bare_t:.2f} s, "
            f"peak RSS {max(b[1] for b in bare) / 1024:.0f} MB"
        )
        print(
            f"origin import (cases built, rows accounted): {ours_t:.2f} s, peak RSS "
            f"{max(o[1] for o in ours) / 1024:.0f} MB (parent or reader child), "
            f"{int(ours[0][2]):,} materials"
        )
        print(f"ratio import / bare read: {spread(bare, ours)} (goal <= 1.5)")
        shared = Path(folder) / "bom-shared-strings.xlsx"
        shared_strings(path, shared)
        shared_bare, shared_ours, bare, ours = measure(shared, repeats)
        print(
            f"same rows with a shared-string table (as Excel saves them): bare read "
            f"{shared_bare:.2f} s, import {shared_ours:.2f} s, ratio {spread(bare, ours)}"
        )

        small_workbook(Path(folder), repeats)

        from origin import registry  # noqa: PLC0415
        from origin.workbook.export import Decided  # noqa: PLC0415
        from origin.workbook.reader import import_workbook  # noqa: PLC0415
        from origin.workbook.results import write_results  # noqa: PLC0415

        agreement = registry.get("anzcerta")
        result = import_workbook(path, law=agreement.law)
        case = result.products[0].case
        assert case is not None
        t = time.perf_counter()
        determination = agreement.determine(case, dt.date(2025, 6, 1))
        decide = time.perf_counter() - t
        print(f"determination: {decide:.2f} s")
        item = Decided(path.name, case.good.id, agreement, case, determination)
        out = Path(folder) / "results.xlsx"
        plain = Path(folder) / "plain.xlsx"
        ours_w, bare_w = [], []
        for _ in range(repeats):  # interleaved, so that a busy moment moves both
            t = time.perf_counter()
            write_results(out, [item])
            ours_w.append(time.perf_counter() - t)
            t = time.perf_counter()
            plain_write(plain, determination)
            bare_w.append(time.perf_counter() - t)
        ratios = sorted(o / b for o, b in zip(ours_w, bare_w, strict=True))
        print(
            f"results workbook ({len(determination.materials):,} material rows, live formulas, "
            f"every sheet): {statistics.median(ours_w):.2f} s, {out.stat().st_size / 2**20:.1f} "
            f"MiB; an openpyxl write-only sheet of the same material rows: "
            f"{statistics.median(bare_w):.2f} s; ratio min {ratios[0]:.2f} median "
            f"{statistics.median(ratios):.2f} max {ratios[-1]:.2f}"
        )


def small_workbook(folder: Path, repeats: int, times: int = 50) -> None:
    """The 20-line template (one product) imported in this process, as a small workbook
    is, and through the reader child, as it was (``cells.SMALL_FILE_BYTES`` set to 0), each
    against a bare python-calamine read of the same file; interleaved, ``times`` each."""
    import python_calamine  # noqa: PLC0415

    from origin import registry  # noqa: PLC0415
    from origin.workbook import cells  # noqa: PLC0415
    from origin.workbook.reader import import_workbook  # noqa: PLC0415
    from origin.workbook.template import write_template  # noqa: PLC0415

    sys.path.insert(0, str(Path(__file__).parent))
    from engine_bench import generate as bom  # noqa: PLC0415

    agreement = registry.get("anzcerta")
    path = folder / "template.xlsx"
    write_template(path, agreement, [bom(20, seed=1, country="AU", psr="CTH or RVC40")])
    small_limit = cells.SMALL_FILE_BYTES
    timed: dict[str, list[float]] = {"bare": [], "here": [], "child": []}
    for _ in range(repeats):
        for key, taken in timed.items():
            cells.SMALL_FILE_BYTES = 0 if key == "child" else small_limit
            t = time.perf_counter()
            for _ in range(times):
                if key == "bare":
                    book = python_calamine.CalamineWorkbook.from_path(str(path))
                    [book.get_sheet_by_name(n).to_python() for n in book.sheet_names]
                else:
                    import_workbook(path, law=agreement.law)
            taken.append((time.perf_counter() - t) / times * 1000)
    cells.SMALL_FILE_BYTES = small_limit
    here, child, bare = (sorted(timed[key]) for key in ("here", "child", "bare"))
    ratios = sorted(h / b for h, b in zip(timed["here"], timed["bare"], strict=True))
    print(
        f"the 20-line template ({path.stat().st_size / 1024:.0f} KiB): imported in this process "
        f"{statistics.median(here):.1f} ms (min {here[0]:.1f}, max {here[-1]:.1f}), through "
        f"the reader child {statistics.median(child):.1f} ms; bare read "
        f"{statistics.median(bare):.1f} ms; in-process import / bare read min {ratios[0]:.2f} "
        f"median {statistics.median(ratios):.2f} max {ratios[-1]:.2f}"
    )


def plain_write(path: Path, determination: Any) -> None:
    """The baseline for the results write: the Materials rows' values, one sheet, openpyxl's
    write-only mode, no styles, formulas or other sheets — the least such a write must do."""
    from openpyxl import Workbook  # noqa: PLC0415

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Materials")
    for row in determination.materials:
        sheet.append(
            [
                row.id, row.depth, row.description, row.hs, row.declared_status, row.status,
                row.value, row.counted_as, row.vom_value, row.vnm_value,
                "" if row.tariff_shift is None else row.tariff_shift.value,
                "yes" if row.de_minimis else "",
                "; ".join(str(c) for c in row.citations), "; ".join(row.notes),
            ]
        )  # fmt: skip
    book.save(path)


if __name__ == "__main__":
    main()
