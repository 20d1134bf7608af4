"""Check workbooks (one file or a folder): import, decide each product, collect outcomes.

A file that cannot be read, or a product with errors, is an outcome too (with its located
messages); the command exits non-zero when any occurred.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from origin import parallel
from origin.agreement import Agreement, FactError
from origin.caseio import WORKBOOK_SUFFIXES
from origin.comparison import Comparison, Status, dated_note, law_date, qualify
from origin.engine import CaseError
from origin.errors import InputError
from origin.law import LawBook, LawNotEncoded
from origin.model import Case
from origin.workbook.export import Decided
from origin.workbook.mapping import Layout
from origin.workbook.problems import Issue, Ledger, Severity, display_name
from origin.workbook.reader import import_workbook

SUFFIXES = WORKBOOK_SUFFIXES


@attrs.frozen
class Compared:
    """One product decided under every agreement (``origin check --agreement all``)."""

    workbook: str
    product: str
    case: Case
    comparison: Comparison


@attrs.define
class Batch:
    decided: list[Decided] = attrs.field(factory=list)
    # With several agreements: each product's comparison; ``decided`` then holds one item
    # per product and agreement that applies (a determination or an error).
    compared: list[Compared] = attrs.field(factory=list)
    files: int = 0  # workbooks given, read or not
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


def words_of(agreements: Sequence[Agreement]) -> LawBook:
    """A law book whose vocabularies hold every word of ``agreements``, for reading a
    workbook once to decide it under all of them: a fact any of them reads as yes/no is read
    so, and a word no agreement knows is refused where it stands. Each agreement still checks
    its own words when it decides (an unknown word then stops only its row)."""
    merged: dict[str, dict[str, Any]] = {}
    for agreement in agreements:
        for name, terms in agreement.law.vocabularies.items():
            known = merged.setdefault(name, {})
            for key, term in terms.items():
                known.setdefault(key, term)
    return attrs.evolve(agreements[0].law, vocabularies=merged)


def check(  # noqa: PLR0917 - the command's options, in its order
    paths: Iterable[Path],
    agreement: Agreement | Sequence[Agreement],
    date: dt.date | None,
    layout: Layout | None = None,
    progress: Callable[[Path], None] | None = None,
    compare: Mapping[str, Any] | None = None,
    workers: int = 1,
    scheduler: Any = None,
) -> Batch:
    """Decide every product of every workbook under one agreement, or under several
    (``qualify``: one comparison per product). ``date`` None: each product's importation
    date, else today (:func:`origin.comparison.law_date`), stated in its notes. ``compare``:
    further options of :func:`origin.qualify` (``schedules``, ``rates``, ``goods``).
    ``workers`` > 1 (0: every core) reads and decides the workbooks in that many processes
    (:mod:`origin.parallel`), ``scheduler`` on a Dask cluster (its address, client or
    cluster: :mod:`origin.distributed`); the result is the same, in the same order."""
    several = not isinstance(agreement, Agreement)
    agreements: Sequence[Agreement] = agreement if several else (agreement,)  # type: ignore[assignment]
    law = words_of(agreements) if several else agreements[0].law
    task = functools.partial(
        _one_file,
        agreements=tuple(agreements),
        several=several,
        law=law,
        date=date,
        layout=layout,
        compare=compare,
    )
    files = list(paths)
    batch = Batch(files=len(files))
    if scheduler is None and (parallel.workers_wanted(workers) == 1 or len(files) < 2):
        with parallel.frozen():  # the law loaded, and each workbook's results as kept
            for path in files:
                if progress is not None:
                    progress(path)
                _merge(batch, task(path))
                gc.freeze()  # see origin.parallel._Chunk.kept
        return batch
    done = iter(files)

    def step(count: int) -> None:
        for _ in range(count):
            path = next(done)
            if progress is not None:
                progress(path)

    parts = parallel.run(task, files, workers, step, chunk=1, scheduler=scheduler)
    for path, part in zip(files, parts, strict=True):
        if isinstance(part, parallel.Failed):  # a bug while reading or deciding: said, not lost
            name = display_name(path)
            batch.failed_files.append(name)
            batch.issues.append(Issue(name, f"not decided: internal error ({part.message})"))
            continue
        _merge(batch, part)
    return batch


def _merge(batch: Batch, part: Batch) -> None:
    batch.decided.extend(part.decided)
    batch.compared.extend(part.compared)
    batch.issues.extend(part.issues)
    batch.failed_files.extend(part.failed_files)
    batch.ledger.input_rows.update(part.ledger.input_rows)
    batch.ledger.imported.update(part.ledger.imported)
    for key, reason in part.ledger.reported.items():
        batch.ledger.reported.setdefault(key, reason)


def _one_file(
    path: Path,
    *,
    agreements: tuple[Agreement, ...],
    several: bool,
    law: LawBook,
    date: dt.date | None,
    layout: Layout | None,
    compare: Mapping[str, Any] | None,
) -> Batch:
    """One workbook read and its products decided (in this process or a worker)."""
    batch = Batch()
    name = display_name(path)
    try:
        imported = import_workbook(path, layout, law)
    except InputError as error:
        batch.failed_files.append(name)
        message = str(error).removeprefix(f"{path.name}: ").removeprefix(f"{name}: ")
        batch.issues.append(Issue(name, message.replace(path.name, name)))
        return batch
    batch.issues.extend(imported.issues)
    for sheet, count in imported.ledger.input_rows.items():
        key = f"{name}:{sheet}"
        batch.ledger.seen(key, count)
        batch.ledger.accept(key, imported.ledger.imported[sheet])
    for (sheet, row), reason in imported.ledger.reported.items():
        batch.ledger.report(f"{name}:{sheet}", row, reason)
    for product in imported.products:
        if product.case is None:  # one record, whichever agreement (the export says none)
            batch.decided.append(
                Decided(
                    name,
                    product.product,
                    agreements[0],
                    None,
                    None,
                    "not imported: see the problems listed for this product",
                    product.hs,
                )
            )
            continue
        if several:
            _compare(batch, name, product.product, product.case, agreements, date, compare)
            continue
        _decide(batch, name, product.product, product.case, agreements[0], date)
    if not imported.products and not imported.errors:
        batch.issues.append(Issue(name, "no products found (the Product sheet is empty)"))
    return batch


def _decide(  # noqa: PLR0917
    batch: Batch, name: str, product: str, case: Case, agreement: Agreement, date: dt.date | None
) -> None:
    day, why = law_date(case, date)
    try:
        determination = agreement.determine(case, day)
    except (CaseError, FactError, LawNotEncoded, InputError) as error:
        batch.issues.append(Issue(name, f"product {product}: {error}", product=product))
        batch.decided.append(Decided(name, product, agreement, case, None, str(error)))
        return
    if date is None:  # say which date was used, and why, where the reader looks
        note = dated_note(day, why)
        determination = attrs.evolve(determination, notes=(note, *determination.notes))
    batch.decided.append(Decided(name, product, agreement, case, determination, date_reason=why))


def _compare(  # noqa: PLR0917
    batch: Batch,
    name: str,
    product: str,
    case: Case,
    agreements: Sequence[Agreement],
    date: dt.date | None,
    options: Mapping[str, Any] | None,
) -> None:
    comparison = qualify(case, date, agreements=agreements, **(options or {}))
    batch.compared.append(Compared(name, product, case, comparison))
    by_name = {a.name: a for a in agreements}
    note = dated_note(comparison.date, comparison.date_reason)
    for row in comparison.rows:
        if row.status == Status.NOT_APPLICABLE:
            continue
        agreement = by_name[row.agreement]
        d = row.determination
        if d is None:
            # An error of the case for this agreement only: a row of the comparison (and of
            # the export), listed as a warning; the product is decided under the others.
            batch.issues.append(
                Issue(
                    name,
                    f"product {product}: {row.agreement}: {row.reason}",
                    product=product,
                    severity=Severity.WARNING,
                )
            )
            continue
        d = attrs.evolve(d, notes=(note, *d.notes))
        batch.decided.append(
            Decided(name, product, agreement, case, d, date_reason=comparison.date_reason)
        )
