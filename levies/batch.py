"""A file of entries in, one result per row out — every input row accounted for.

Each row is computed on its own (``levies.calculator.compute``); a row whose data is wrong
becomes an error row naming file, row and column, and the rest carry on. Two things need
the whole file:

* **Amendments and cancellations** (cl 5, cl 20): a row with ``status`` amended or cancelled
  and the same ``document`` type and ``document_id`` as an earlier row is read against that
  row — the original's date decides the law and the due date (cl 5(2)); whether Schedule 1
  cl 2 applies is asked of the document as first made; the difference is payable (due from
  the amendment, cl 5(3)) or refundable (cl 20(2)). The earlier row is then
  ``superseded_by`` the later one and left out of the totals: each document counts once, as
  it now stands (decision 0009 §16). A second *lodged* row of one document is an error.
* **The $50 monthly total** for inward cargo, export entry and outward cargo transaction fees
  (rr 13A(4), 28A(3), 29A(5)): with a ``payer`` (else ``exporter``) column, a fee below $50 is
  dated from that payer's live fees in the file, which is assumed to hold all of them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

import attrs

from levies import headers
from levies.calculator import EXACT, MONTHLY_FEE_KEYS, MONTHLY_NOTE, amend, compute
from levies.dates import twentieth_of_month_after
from levies.model import COLUMNS, Entry, EntryResult, RowError, Status, Step, user_id
from levies.profiles import ExporterProfile, resolve_ses, ses_hint
from levies.reader import Row, read_table
from levies.tables import LAW, LevyLaw
from origin.law import LawNotEncoded

MONTHLY_FEES = MONTHLY_FEE_KEYS
ZERO = Decimal(0)


@attrs.frozen
class BatchRow:
    number: int
    location: str
    result: EntryResult | None
    error: str = ""
    column: str = ""
    # Row number of the amendment or cancellation that replaced this document (cl 5(1)(b),
    # 5(2)): the row is kept and shown, but only the document's latest state counts in totals.
    superseded_by: int = 0
    # The user's own id (the ``id`` column, else the row number), error rows included (issue
    # 12); empty only for a line that could not be split into cells.
    id: str = ""


@attrs.frozen
class ChargeTotal:
    count: int
    amount: Decimal
    gst: Decimal
    total: Decimal


@attrs.frozen
class Summary:
    rows: int
    charged: int
    nothing_payable: int
    superseded: int  # rows replaced by a later amendment or cancellation, not in the totals
    errors: int
    blank_rows: tuple[int, ...]
    by_charge: Mapping[str, ChargeTotal]
    by_due_date: Mapping[str, Decimal]  # ISO date or "not computed" -> total payable
    by_payer: Mapping[str, Decimal]  # payer column (or exporter) -> total payable
    amount: Decimal
    gst: Decimal
    total: Decimal
    refunds: Decimal
    differences_payable: Decimal  # increases by amendment: already inside ``total``
    ses_saving_missed: Decimal  # sea high-value exports without SES: what SES rates would save
    ses_saving_entries: int


@attrs.frozen
class BatchResult:
    source: str
    rows: tuple[BatchRow, ...]
    blank_rows: tuple[int, ...] = ()

    def summary(self, law: LevyLaw = LAW) -> Summary:
        by_charge: dict[str, list[Decimal | int]] = {}
        by_due: dict[str, Decimal] = defaultdict(lambda: ZERO)
        by_payer: dict[str, Decimal] = defaultdict(lambda: ZERO)
        amount = gst = refunds = payable = missed = ZERO
        charged = nothing = errors = missed_count = superseded = 0
        for row in self.rows:
            result = row.result
            if result is None:
                errors += 1
                continue
            if row.superseded_by:
                # Replaced by a later amendment or cancellation: the document counts once, as
                # it now stands (cl 5(2)); its adjustment is carried by the replacing row.
                superseded += 1
                continue
            if result.adjustment is not None:
                if result.adjustment.kind == "refund":
                    refunds += result.adjustment.amount
                else:
                    payable += result.adjustment.amount
            charge = result.charge
            if charge is None:
                nothing += 1
                continue
            charged += 1
            totals = by_charge.setdefault(charge.name, [0, ZERO, ZERO, ZERO])
            totals[0] = int(totals[0]) + 1
            totals[1] = EXACT.add(totals[1], charge.amount)
            totals[2] = EXACT.add(totals[2], charge.gst)
            totals[3] = EXACT.add(totals[3], charge.total)
            amount, gst = EXACT.add(amount, charge.amount), EXACT.add(gst, charge.gst)
            due = charge.due_date.isoformat() if charge.due_date else "not computed"
            by_due[due] = EXACT.add(by_due[due], charge.total)
            payer = payer_of(result.entry)
            if payer:
                by_payer[payer] = EXACT.add(by_payer[payer], charge.total)
            if charge.key == "high_value_export" and result.entry.ses is False:
                saving = _ses_saving(charge.amount, charge.gst_rate, result.entry.date, law)
                missed, missed_count = EXACT.add(missed, saving), missed_count + 1
        return Summary(
            rows=len(self.rows),
            charged=charged,
            nothing_payable=nothing,
            superseded=superseded,
            errors=errors,
            blank_rows=self.blank_rows,
            by_charge={
                name: ChargeTotal(int(t[0]), Decimal(t[1]), Decimal(t[2]), Decimal(t[3]))
                for name, t in sorted(by_charge.items())
            },
            by_due_date=dict(sorted(by_due.items())),
            by_payer=dict(sorted(by_payer.items())),
            amount=amount,
            gst=gst,
            total=EXACT.add(amount, gst),
            refunds=refunds,
            differences_payable=payable,
            ses_saving_missed=missed,
            ses_saving_entries=missed_count,
        )


def _ses_saving(amount: Decimal, gst_rate: Decimal, day: dt.date, law: LevyLaw) -> Decimal:
    if amount == ZERO:
        return ZERO
    ses_rate = law.levy("high_value_export").rate("sea_ses", day).amount
    if ses_rate >= amount:  # an air export: SES changes nothing
        return ZERO
    return EXACT.multiply(EXACT.subtract(amount, ses_rate), 1 + gst_rate)


def compute_file(
    path: Path,
    sheet: str | None = None,
    profiles: Mapping[str, ExporterProfile] | None = None,
    law: LevyLaw = LAW,
    columns: Mapping[str, str] | None = None,
) -> BatchResult:
    """Every row of a file of entries. ``columns`` maps the file's own headers to the entry
    columns (``levies.headers.mapping``); common synonyms are recognised without it."""
    table = read_table(
        path,
        tuple(COLUMNS),
        required=("document", "date"),
        sheet=sheet,
        aliases=columns,
        row_errors=True,
        synonyms=headers.SYNONYMS,
        hint=headers.HINT,
    )
    rows = compute_rows(table.rows, profiles, law)
    if table.bad_rows:  # rows the reader could not split into cells: error rows, in file order
        unreadable = [
            BatchRow(
                bad.number,
                bad.location,
                None,
                f"{bad.location}{', ' if bad.column else ': '}{bad.problem}",
                bad.column,
                id=user_id(bad.cells, str(bad.number) if bad.cells else ""),
            )
            for bad in table.bad_rows
        ]
        rows = tuple(sorted((*rows, *unreadable), key=lambda row: row.number))
    return BatchResult(table.source, rows, table.blank_rows)


def compute_rows(
    rows: Iterable[Row],
    profiles: Mapping[str, ExporterProfile] | None = None,
    law: LevyLaw = LAW,
) -> tuple[BatchRow, ...]:
    profiles = profiles or {}
    out: list[BatchRow] = []
    # (document type, document_id) -> (index in ``out`` of its latest row, that row's result)
    latest: dict[tuple[str, str], tuple[int, EntryResult]] = {}
    made: dict[tuple[str, str], EntryResult] = {}  # the document as first made
    first_row: dict[tuple[str, str], int] = {}  # where each document first appears
    for row in rows:
        try:
            entry = Entry.from_row(row.cells, default_id=str(row.number))
            ses = resolve_ses(
                entry.ses, entry.exporter, entry.original_date or entry.date, profiles
            )
            if ses is not entry.ses:
                entry = attrs.evolve(entry, ses=ses)
            key = (entry.document.value, entry.document_id)
            if entry.document_id and entry.status is Status.LODGED and key in first_row:
                raise RowError(
                    "document_id",
                    f"{entry.document_id!r} is already lodged at row {first_row[key]}: a document "
                    "is lodged once; give a change as status amended (cl 5(2))",
                )
            if entry.document_id:
                first_row.setdefault(key, row.number)
            previous = latest.get(key) if entry.document_id else None
            original = previous[1] if previous is not None else None
            if original is not None and entry.status is not Status.LODGED:
                entry = attrs.evolve(
                    entry,
                    original_date=entry.original_date
                    or original.entry.original_date
                    or original.entry.date,
                    paid_date=entry.paid_date or original.entry.paid_date,
                )
            try:
                result = compute(entry, law, made.get(key) if original is not None else None)
            except RowError as error:
                if error.column == "ses" and entry.ses is None:
                    day = entry.original_date or entry.date
                    hint = ses_hint(entry.exporter, day, profiles)
                    raise RowError("ses", error.detail + hint) from None
                raise
            if original is not None and entry.status is Status.AMENDED:
                result = amend(original, result, law)
            if previous is not None and entry.status is not Status.LODGED:
                index = previous[0]
                replaced = out[index]
                assert replaced.result is not None
                note = (
                    f"replaced by row {row.number} ({entry.status.value}): not counted in the "
                    "totals, which take each document as it now stands (cl 5)"
                )
                out[index] = attrs.evolve(
                    replaced,
                    superseded_by=row.number,
                    result=attrs.evolve(replaced.result, notes=(*replaced.result.notes, note)),
                )
            if entry.document_id:
                if entry.status is Status.LODGED or (
                    entry.status is Status.AMENDED and key not in made
                ):
                    made[key] = result
                if entry.status in (Status.LODGED, Status.AMENDED):
                    latest[key] = (len(out), result)
                else:  # cancelled or declined: the document is gone
                    latest.pop(key, None)
            out.append(BatchRow(row.number, row.location, result, id=entry.id))
        except RowError as error:
            out.append(
                BatchRow(
                    row.number,
                    row.location,
                    None,
                    f"{row.where(error.column)}: {error.detail}",
                    error.column,
                    id=user_id(row.cells, str(row.number)),
                )
            )
        except LawNotEncoded as error:
            out.append(
                BatchRow(
                    row.number,
                    row.location,
                    None,
                    f"{row.location}: {error}",
                    "date",
                    id=user_id(row.cells, str(row.number)),
                )
            )
    return _date_monthly_fees(out, law)


def payer_of(entry: Entry) -> str:
    """Who pays: the ``payer`` column, else the exporter (who makes the export entry, r 28A(1)).

    The same person groups the summary and the $50 monthly total (decision 0009 §5)."""
    return entry.payer or entry.exporter


def _month(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_date(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def _date_monthly_fees(rows: list[BatchRow], law: LevyLaw) -> tuple[BatchRow, ...]:
    """Due dates of fees by the payer's running total (rr 13A(4), 28A(3), 29A(5)).

    The payer's fees not yet fallen due are carried from month to month (decision 0009 §5):
    at the end of a month in which they total $50 or more, all of them fall due on the 20th
    of the next month — paragraph (a) for that month's own fees, (b)(i) for earlier ones; a
    fee still under the total at the end of the second month after its own falls due on the
    20th of the third month after it ((b)(ii)).
    """
    by_payer: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, row in enumerate(rows):
        charge = row.result.charge if row.result else None
        if (
            row.result
            and charge
            and charge.regime == "fee"
            and charge.key in MONTHLY_FEES
            and not row.superseded_by
        ):
            entry = row.result.entry
            if payer_of(entry):
                by_payer[payer_of(entry)][_month(entry.original_date or entry.date)].append(index)
    dated: dict[int, tuple[dt.date, tuple[str, ...], str]] = {}
    for months in by_payer.values():
        outstanding: list[tuple[int, int, Decimal]] = []  # (row index, month A, amount)
        month, last = min(months), max(months) + 2
        while month <= last:
            for index in months.get(month, []):
                charge = rows[index].result.charge  # type: ignore[union-attr]
                assert charge is not None
                outstanding.append((index, month, charge.amount))
            limit = law.threshold(
                "fee_monthly_total", min(_month_date(month), _last_fee_day(law))
            ).amount
            total = sum((amount for _, _, amount in outstanding), ZERO)
            due = twentieth_of_month_after(_month_date(month))
            if outstanding and total >= limit:
                for index, month_a, _ in outstanding:
                    path: tuple[str, ...] = ("a",) if month_a == month else ("b", "i")
                    dated[index] = (
                        due,
                        path,
                        f"the payer's fees not yet due total {total} at the "
                        f"end of {_month_date(month):%B %Y}, $50 or more",
                    )
                outstanding = []
            else:
                for item in [o for o in outstanding if o[1] == month - 2]:
                    dated[item[0]] = (
                        due,
                        ("b", "ii"),
                        "the payer's fees stayed under $50 to the "
                        "end of the second month after month A",
                    )
                    outstanding.remove(item)
            month += 1
    out: list[BatchRow] = []
    for index, row in enumerate(rows):
        result = row.result
        charge = result.charge if result else None
        if (
            result is None
            or charge is None
            or charge.key not in MONTHLY_FEES
            or charge.regime != "fee"
        ):
            out.append(row)
            continue
        if index not in dated:  # the calculator's note says why there is no date
            out.append(row)
            continue
        due, path, text = dated[index]
        result = attrs.evolve(result, notes=tuple(n for n in result.notes if n != MONTHLY_NOTE))
        reference = attrs.evolve(charge.due_reference, path=(*charge.due_reference.path, *path))
        step = Step(text + " (from this file's fees for the payer)", reference)
        updated = attrs.evolve(
            result, charge=attrs.evolve(charge, due_date=due), steps=(*result.steps, step)
        )
        out.append(attrs.evolve(row, result=updated))
    return tuple(out)


def _last_fee_day(law: LevyLaw) -> dt.date:
    """The $50 total is encoded while the fees are: read it on a day it covers."""
    return law.order_in_force - dt.timedelta(days=1)
