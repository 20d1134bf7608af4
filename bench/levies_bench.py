"""Benchmark: levies for a generated file of 100,000 entries.

Writes a CSV of mixed documents (imports, exports, transhipments, UPU mail, vessels, amendments
and cancellations, dates either side of 1 April 2026, some bad rows), then times reading and
computing the file (``compute_file``), the summary, and writing the CSV results. Prints
entries/s. With ``--xlsx`` the same entries are also written as a workbook and read through
the workbook reader. Run: ``python bench/levies_bench.py [ENTRIES] [REPEATS] [--xlsx]``.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from levies import output, reader
from levies.batch import compute_file

DOCUMENTS = [
    ("import_entry", 40),
    ("export_entry", 30),
    ("deemed_entry_document", 6),
    ("international_transhipment_request", 6),
    ("carrier_inward_cargo_report", 4),
    ("export_entry_exemption_document", 6),
    ("postal_article_import_entry_exemption_document", 4),
    ("upu_mail_arrival", 2),
    ("commercial_vessel_arrival", 1),
    ("imprt", 1),  # a typo: the row must come back as a located error
]
COLUMNS = [
    "id", "document", "date", "mode", "value", "ses", "weight_kg", "deemed_entry_kind",
    "status", "document_id", "duty_due_date", "invoice_date", "payer",
]  # fmt: skip


def generate(path: Path, entries: int, seed: int = 2026) -> None:
    rng = random.Random(seed)
    names = [d for d, _ in DOCUMENTS]
    weights = [w for _, w in DOCUMENTS]
    start = dt.date(2025, 10, 1)
    lodged: list[tuple[str, str, dt.date]] = []  # (document id, type, date) to amend or cancel
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(entries):
            document = rng.choices(names, weights)[0]
            day = start + dt.timedelta(days=rng.randrange(365))
            value = f"{rng.randint(0, 400_000) / 100:.2f}"
            if document == "deemed_entry_document":
                value = f"{rng.randint(0, 100_000) / 100:.2f}"
            status, document_id = "", ""
            if document in ("import_entry", "export_entry") and lodged and rng.random() < 0.05:
                # an amendment or cancellation of an earlier document, a few days later
                status = rng.choice(["amended", "cancelled"])
                document_id, document, original = rng.choice(lodged)
                day = original + dt.timedelta(days=rng.randrange(1, 20))
            elif document in ("import_entry", "export_entry"):
                document_id = f"D{i}"
                lodged.append((document_id, document, day))
            writer.writerow(
                [
                    f"E{i:06d}",
                    document,
                    day.isoformat(),
                    rng.choice(["air", "sea"]),
                    value,
                    rng.choice(["yes", "no"]),
                    f"{rng.randint(1, 5_000_000) / 1000:.3f}"
                    if document == "upu_mail_arrival"
                    else "",
                    rng.choice(["i", "ii", "iii"]) if document == "deemed_entry_document" else "",
                    status,
                    document_id,
                    (day + dt.timedelta(days=30)).isoformat() if rng.random() < 0.5 else "",
                    (day + dt.timedelta(days=5)).isoformat() if rng.random() < 0.8 else "",
                    f"P{rng.randrange(500)}",
                ]
            )


def to_xlsx(source: Path, target: Path) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Entries")
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    book.save(target)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    entries = int(args[0]) if args else 100_000
    repeats = int(args[1]) if len(args) > 1 else 3
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "entries.csv"
        began = time.perf_counter()
        generate(path, entries)
        size = path.stat().st_size
        print(
            f"generated {entries:,} entries in {time.perf_counter() - began:.2f} s ({size:,} bytes)"
        )
        compute_times, total_times = [], []
        for _ in range(repeats):
            began = time.perf_counter()
            batch = compute_file(path)
            computed = time.perf_counter()
            summary = batch.summary()
            output.to_csv(batch)
            done = time.perf_counter()
            compute_times.append(computed - began)
            total_times.append(done - began)
        assert len(batch.rows) + len(batch.blank_rows) == entries
        compute_median = statistics.median(compute_times)
        total_median = statistics.median(total_times)
        print(
            f"read + compute: {compute_median:.2f} s median of {repeats} "
            f"-> {entries / compute_median:,.0f} entries/s"
        )
        print(
            f"read + compute + summary + CSV out: {total_median:.2f} s "
            f"-> {entries / total_median:,.0f} entries/s"
        )
        print(
            f"{summary.charged:,} charged, {summary.nothing_payable:,} nothing payable, "
            f"{summary.errors:,} errors; total ${summary.total} (exact)"
        )
        if "--xlsx" in sys.argv:
            workbook = Path(directory) / "entries.xlsx"
            to_xlsx(path, workbook)
            reader_name = "python-calamine child" if reader.FAST_WORKBOOKS else "openpyxl"
            began = time.perf_counter()
            from_workbook = compute_file(workbook)
            elapsed = time.perf_counter() - began
            assert len(from_workbook.rows) == len(batch.rows)
            print(
                f"xlsx ({reader_name}) read + compute: {elapsed:.2f} s "
                f"-> {entries / elapsed:,.0f} entries/s"
            )


if __name__ == "__main__":
    main()
