"""Check workbooks (one file or a folder): import, decide each product, collect outcomes.

A file that cannot be read, or a product with errors, is an outcome too (with its located
messages); the command exits non-zero when any occurred.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

import attrs

from origin.agreement import Agreement, FactError
from origin.engine import CaseError
from origin.errors import InputError
from origin.law import LawNotEncoded
from origin.workbook.export import Decided
from origin.workbook.mapping import Layout
from origin.workbook.problems import Issue, Ledger, Severity, display_name
from origin.workbook.reader import import_workbook

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


@attrs.define
class Batch:
    decided: list[Decided] = attrs.field(factory=list)
    issues: list[Issue] = attrs.field(factory=list)
    ledger: Ledger = attrs.field(factory=Ledger)
    failed_files: list[str] = attrs.field(factory=list)

    @property
    def failed(self) -> bool:
        return (
            bool(self.failed_files)
            or any(d.determination is None for d in self.decided)
            or any(i.severity is Severity.ERROR for i in self.issues)
        )


def workbooks(target: Path) -> list[Path]:
    """The file itself, or the folder's workbooks (not Excel's ~$ lock files), sorted."""
    if target.is_dir():
        return sorted(
            p
            for p in target.iterdir()
            if p.suffix.lower() in SUFFIXES and not p.name.startswith("~$") and p.is_file()
        )
    return [target]


def check(
    paths: Iterable[Path],
    agreement: Agreement,
    date: dt.date,
    layout: Layout | None = None,
    progress: Callable[[Path], None] | None = None,
) -> Batch:
    batch = Batch()
    for path in paths:
        if progress is not None:
            progress(path)
        name = display_name(path)
        try:
            imported = import_workbook(path, layout, agreement.law)
        except InputError as error:
            batch.failed_files.append(name)
            message = str(error).removeprefix(f"{path.name}: ").removeprefix(f"{name}: ")
            batch.issues.append(Issue(name, message.replace(path.name, name)))
            continue
        batch.issues.extend(imported.issues)
        for sheet, count in imported.ledger.input_rows.items():
            key = f"{name}:{sheet}"
            batch.ledger.seen(key, count)
            batch.ledger.accept(key, imported.ledger.imported[sheet])
        for (sheet, row), reason in imported.ledger.reported.items():
            batch.ledger.report(f"{name}:{sheet}", row, reason)
        for product in imported.products:
            if product.case is None:
                batch.decided.append(
                    Decided(
                        name,
                        product.product,
                        agreement,
                        None,
                        None,
                        "not imported: see the problems listed for this product",
                        product.hs,
                    )
                )
                continue
            try:
                determination = agreement.determine(product.case, date)
            except (CaseError, FactError, LawNotEncoded, InputError) as error:
                batch.issues.append(
                    Issue(name, f"product {product.product}: {error}", product=product.product)
                )
                batch.decided.append(
                    Decided(name, product.product, agreement, product.case, None, str(error))
                )
                continue
            batch.decided.append(
                Decided(name, product.product, agreement, product.case, determination)
            )
        if not imported.products and not imported.errors:
            batch.issues.append(Issue(name, "no products found (the Product sheet is empty)"))
    return batch
