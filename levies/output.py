"""Levy results as text (for people), CSV (one line per input row) and JSON (everything).

Amounts are computed exactly (``Decimal``, never rounded or converted to float) and JSON
carries them exactly, as strings, so that no reader turns 8.3260 into a binary fraction. Text
and CSV show money to the cent for people (:func:`cents`: half away from zero, display only):
the text beside the exact figure where rounding changed it, the CSV in the exact columns at
its end (``amount_exact``, ``gst_exact``, ``total_exact``, ``adjustment_amount_exact``). Totals
are the exact sums rounded once, never sums of rounded figures.

Every row, error rows included, carries the user's own id. Text the rows refuse (a control
character, a lone surrogate) can still reach a writer — as an error row's id, or in an
``Entry`` built in code — so every writer escapes it (``\\x00``, ``\\x1b``, ``\\ud800``) rather
than write it or fail on it (issue 12); JSON keeps it exactly, as a ``\\u`` escape.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from levies.batch import BatchResult, BatchRow, Summary
from levies.model import Charge, EntryResult
from levies.values import json_safe, printable

SCHEMA = "origin-levies/1"

CSV_COLUMNS = (
    "row",
    "id",
    "document",
    "date",
    "status",
    "superseded_by",
    "outcome",
    "regime",
    "charge",
    "clause",
    "rate",
    "rate_reference",
    "quantity",
    "amount",
    "gst_treatment",
    "gst_rate",
    "gst",
    "gst_reference",
    "total",
    "responsible",
    "responsible_reference",
    "due_date",
    "due_rule",
    "due_reference",
    "adjustment",
    "adjustment_amount",
    "adjustment_reference",
    "adjustment_date",
    "steps",
    "notes",
    "error",
    "amount_exact",
    "gst_exact",
    "total_exact",
    "adjustment_amount_exact",
)

# The money columns shown to the cent; each has its exact figure in the column ``NAME_exact``.
MONEY_COLUMNS = ("amount", "gst", "total", "adjustment_amount")

_CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    """``amount`` to the cent for display, half away from zero (84.9505 → 84.95, 0.565 →
    0.57, 0.5640 → 0.56; -3.8525 → -3.85). Display only: nothing is computed, compared or
    added up from it (decision 0009 §3: neither instrument says how an amount is rounded)."""
    with localcontext() as context:
        context.prec = 60  # up to 15 digits before the point: the quantize never overflows
        return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def outcome(row: BatchRow) -> str:
    if row.result is None:
        return "error"
    return "charged" if row.result.charge else "nothing payable"


def csv_rows(batch: BatchResult) -> Iterable[dict[str, str]]:
    for row in batch.rows:
        line = dict.fromkeys(CSV_COLUMNS, "")
        line["row"] = str(row.number)
        line["id"] = row.id
        line["outcome"] = outcome(row)
        line["error"] = row.error
        line["superseded_by"] = str(row.superseded_by) if row.superseded_by else ""
        result = row.result
        if result is not None:
            entry = result.entry
            line.update(
                id=entry.id,
                document=entry.document.value,
                date=entry.date.isoformat(),
                status=entry.status.value,
                steps=" | ".join(f"{s.citation}: {s.text}" for s in result.steps),
                notes=" | ".join(result.notes),
            )
            if result.charge is not None:
                line.update(_charge_cells(result.charge))
            if result.adjustment is not None:
                a = result.adjustment
                line.update(
                    adjustment=a.kind,
                    adjustment_amount=str(cents(a.amount)),
                    adjustment_amount_exact=str(a.amount),
                    adjustment_reference=str(a.reference),
                    adjustment_date=(a.due_date or a.refund_by or "")
                    and str(a.due_date or a.refund_by),
                )
        yield line


def _charge_cells(c: Charge) -> dict[str, str]:
    return {
        "regime": c.regime,
        "charge": c.name,
        "clause": str(c.clause),
        "rate": str(c.rate),
        "rate_reference": str(c.rate_reference),
        "quantity": str(c.quantity),
        "amount": str(cents(c.amount)),
        "amount_exact": str(c.amount),
        "gst_treatment": c.gst_treatment,
        "gst_rate": str(c.gst_rate),
        "gst": str(cents(c.gst)),
        "gst_exact": str(c.gst),
        "gst_reference": str(c.gst_reference),
        "total": str(cents(c.total)),
        "total_exact": str(c.total),
        "responsible": c.responsible,
        "responsible_reference": str(c.responsible_reference),
        "due_date": c.due_date.isoformat() if c.due_date else "",
        "due_rule": c.due_rule,
        "due_reference": str(c.due_reference),
    }


def to_csv(batch: BatchResult) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _no_formula(v) for k, v in line.items()} for line in csv_rows(batch))
    # Escaping the whole text once is escaping each cell (an escape is plain text, and no
    # formula starts with a control character), at a fraction of the cost for 100,000 rows.
    return printable(buffer.getvalue())


# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Quote text a spreadsheet would read as a formula (an id like ``=HYPERLINK(...)``) with a
    leading apostrophe; amounts are never negative, so no number is touched. Control characters
    and lone surrogates are written as escapes (a NUL or ESC in an id, issue 12)."""
    return _no_formula(printable(text))


def _no_formula(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def json_text(data: Any) -> str:
    """JSON as UTF-8 text, readable (not ASCII-escaped), that any writer can encode and any
    terminal can show: DEL, C1 controls and lone surrogates as ``\\u`` escapes (json.dumps
    escapes C0 controls itself), so the data read back is exactly the data written."""
    return json_safe(json.dumps(data, indent=2, ensure_ascii=False))


def row_id(row: BatchRow) -> str:
    """The user's id of a row: the entry's id, else (an error row) the id the row gave."""
    return row.result.entry.id if row.result is not None else row.id


def result_json(result: EntryResult) -> dict[str, Any]:
    entry = result.entry
    data: dict[str, Any] = {
        "id": entry.id,
        "document": entry.document.value,
        "date": entry.date.isoformat(),
        "status": entry.status.value,
        "charge": None,
        "steps": [{"text": s.text, "citation": s.citation.to_json()} for s in result.steps],
        "notes": list(result.notes),
        "adjustment": None,
    }
    c = result.charge
    if c is not None:
        data["charge"] = {
            "regime": c.regime,
            "key": c.key,
            "name": c.name,
            "clause": c.clause.to_json(),
            "rate": str(c.rate),
            "rate_reference": c.rate_reference.to_json(),
            "rate_text": c.rate_text,
            "quantity": str(c.quantity),
            "amount": str(c.amount),
            "gst": {
                "treatment": c.gst_treatment,
                "rate": str(c.gst_rate),
                "amount": str(c.gst),
                "reference": c.gst_reference.to_json(),
            },
            "total": str(c.total),
            "responsible": c.responsible,
            "responsible_reference": c.responsible_reference.to_json(),
            "due": {
                "rule": c.due_rule,
                "reference": c.due_reference.to_json(),
                "date": c.due_date.isoformat() if c.due_date else None,
            },
        }
    a = result.adjustment
    if a is not None:
        data["adjustment"] = {
            "kind": a.kind,
            "amount": str(a.amount),
            "reference": a.reference.to_json(),
            "text": a.text,
            "due_date": a.due_date.isoformat() if a.due_date else None,
            "refund_by": a.refund_by.isoformat() if a.refund_by else None,
        }
    return data


def summary_json(summary: Summary) -> dict[str, Any]:
    return {
        "rows": summary.rows,
        "charged": summary.charged,
        "nothing_payable": summary.nothing_payable,
        "superseded": summary.superseded,
        "errors": summary.errors,
        "blank_rows": list(summary.blank_rows),
        "by_charge": {
            name: {
                "count": t.count,
                "amount": str(t.amount),
                "gst": str(t.gst),
                "total": str(t.total),
            }
            for name, t in summary.by_charge.items()
        },
        "by_due_date": {k: str(v) for k, v in summary.by_due_date.items()},
        "by_payer": {k: str(v) for k, v in summary.by_payer.items()},
        "amount": str(summary.amount),
        "gst": str(summary.gst),
        "total": str(summary.total),
        "refunds": str(summary.refunds),
        "differences_payable": str(summary.differences_payable),
        "ses_saving_missed": {
            "entries": summary.ses_saving_entries,
            "amount": str(summary.ses_saving_missed),
        },
    }


def to_json(batch: BatchResult) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "source": batch.source,
        "rows": [
            {
                "row": r.number,
                "id": row_id(r),
                "location": r.location,
                "outcome": outcome(r),
                "superseded_by": r.superseded_by or None,
                "error": r.error or None,
            }
            | ({"result": result_json(r.result)} if r.result else {})
            for r in batch.rows
        ],
        "summary": summary_json(batch.summary()),
    }


def explain(result: EntryResult) -> str:
    """One document in full: every step with its provision, then the charge."""
    entry = result.entry
    name = printable(entry.id, breaks=True)
    lines = [f"{name}: {entry.document.value.replace('_', ' ')} of {entry.date.isoformat()}"]
    if entry.status.value != "lodged":
        lines[0] += f" ({entry.status.value})"
    lines.extend(f"  [{s.citation}] {s.text}" for s in result.steps)
    c = result.charge
    if c is None:
        lines.append("  Nothing payable.")
    else:
        unit = f" × {c.quantity} kg" if c.key == "upu_mail" else ""
        # The rate is the law's figure: shown as the instrument writes it, never rounded.
        lines.append(f"  {c.name} ({c.clause}): ${c.rate}{unit} [{c.rate_reference}]")
        if c.gst_treatment == "inclusive":
            lines.append(f"  GST: included in the fee [{c.gst_reference}]")
        elif c.gst_treatment == "standard":
            lines.append(
                f"  GST: {_exact(c.amount)} × {c.gst_rate} = {_exact(c.gst)} [{c.gst_reference}]"
            )
        else:
            lines.append(
                f"  GST: {c.gst_treatment} (rate is 'plus GST, if any') [{c.gst_reference}]"
            )
        lines.append(f"  Total: {_exact(c.total)}")
        lines.append(f"  Responsible: {c.responsible} [{c.responsible_reference}]")
        due = c.due_date.isoformat() if c.due_date else "not computed"
        lines.append(f"  Due: {due} — {c.due_rule} [{c.due_reference}]")
    a = result.adjustment
    if a is not None:
        when = a.due_date or a.refund_by
        lines.append(
            f"  {a.kind.capitalize()}: {_exact(a.amount)} [{a.reference}] {a.text}"
            + (f" (by {when.isoformat()})" if when else "")
        )
    lines.extend(f"  Note: {n}" for n in result.notes)
    shown = [c.amount, c.gst, c.total] if c is not None else []
    if a is not None:
        shown.append(a.amount)
    if any(cents(x) != x for x in shown):
        lines.append(f"  {ROUNDING_NOTE}")
    return printable("\n".join(lines))


def _money(amount: Decimal) -> str:
    """To the cent, for display (:func:`cents`)."""
    return f"${cents(amount)}"


def money_text(amount: Decimal) -> str:
    """To the cent, with the exact figure beside it when rounding changed it:
    ``$5.03 (exact $5.0255)``."""
    return _exact(amount)


def _exact(amount: Decimal) -> str:
    """To the cent, with the exact figure beside it when rounding changed it."""
    shown = cents(amount)
    return f"${shown}" if shown == amount else f"${shown} (exact ${amount})"


ROUNDING_NOTE = (
    "Money is shown to the cent, rounded half away from zero, for display only; the figures "
    "were computed and added up exactly (--format json gives them exactly)."
)


def to_text(batch: BatchResult) -> str:
    lines = [f"Levies and fees: {batch.source}"]
    for row in batch.rows:
        name = printable(row_id(row), breaks=True)
        if row.result is None:
            head = f"row {row.number} {name}" if name else f"row {row.number}"
            lines.append(f"{head}: ERROR {printable(row.error, breaks=True)}")
            continue
        c = row.result.charge
        e = row.result.entry
        head = f"row {row.number} {name} {e.document.value} {e.date.isoformat()}"
        if c is None:
            reason = row.result.steps[-1] if row.result.steps else None
            lines.append(f"{head}: nothing payable" + (f" [{reason.citation}]" if reason else ""))
        else:
            due = c.due_date.isoformat() if c.due_date else "date not computed"
            lines.append(
                f"{head}: {c.name} {_money(c.total)} ({c.gst_treatment} GST) "
                f"[{c.rate_reference}] due {due}"
            )
        if row.superseded_by:
            lines.append(f"    replaced by row {row.superseded_by}: not in the totals")
        if row.result.adjustment is not None:
            a = row.result.adjustment
            lines.append(f"    {a.kind}: {_money(a.amount)} [{a.reference}]")
    s = batch.summary()
    lines.append("")
    lines.append(
        f"{s.rows} rows: {s.charged} charged, {s.nothing_payable} nothing payable, "
        f"{s.errors} errors"
        + (f", {s.superseded} replaced by a later row" if s.superseded else "")
        + (f"; blank rows skipped: {', '.join(map(str, s.blank_rows))}" if s.blank_rows else "")
    )
    for name, t in s.by_charge.items():
        lines.append(
            f"  {name} on {t.count} document(s): {_money(t.amount)} + GST {_money(t.gst)} "
            f"= {_money(t.total)}"
        )
    lines.append(f"  Total: {_money(s.amount)} + GST {_money(s.gst)} = {_money(s.total)}")
    if any(cents(x) != x for x in (s.amount, s.gst, s.total)):
        lines.append(f"    exact: ${s.amount} + GST ${s.gst} = ${s.total}")
    for due, amount in s.by_due_date.items():
        lines.append(f"  due {due}: {_money(amount)}")
    for payer, amount in s.by_payer.items():
        lines.append(f"  payer {printable(payer, breaks=True)}: {_money(amount)}")
    if s.refunds:
        lines.append(f"  Refunds (if already paid): {_money(s.refunds)}")
    if s.differences_payable:
        lines.append(
            f"  of which increases by amendment (due from the amendment, cl 5(3)): "
            f"{_money(s.differences_payable)}"
        )
    if s.ses_saving_entries:
        lines.append(
            f"  SES: {s.ses_saving_entries} sea high-value exports not under SES; SES rates would "
            f"have saved {_money(s.ses_saving_missed)} (Schedule 3)"
        )
    lines.append(ROUNDING_NOTE)
    return printable("\n".join(lines))
