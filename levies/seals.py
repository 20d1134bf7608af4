"""Seal register check against the SES Exporter Minimum Standards, clauses 2.6–2.12.

A register is a table with one row per seal:

``seal_number, received_date, recorded_date, applied_date, container_number, applied_by,
status, replaced_by, reported_date, note``

``status`` is ``in_stock`` (default when not applied), ``applied`` (default when an applied
date is given), ``damaged``, ``broken``, ``lost`` or ``tampered``. The check reports findings,
each with its clause and the row it concerns:

* 2.6 — every seal has its number and received date; an applied seal has its applied date,
  container number and the identity of who applied it; a seal number appears once;
* 2.7 — recorded on receipt: a ``recorded_date`` later than ``received_date`` is flagged (and
  one earlier than it, a wrong date), and a seal cannot be applied before it was received;
* 2.10 — a damaged or broken seal names the new seal that replaced it (``replaced_by``), and
  that seal is in the register, applied (to the same container when both say), and named by
  no other damaged seal;
* 2.11 — with a stock count (seal numbers physically held), the register's seals in stock are
  reconciled with it: counted but unrecorded, recorded but missing, counted but marked applied,
  counted more than once;
* 2.12 — lost or tampered seals are listed for reporting to Customs, and flagged when no
  ``reported_date`` shows they were reported.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import attrs

from levies.model import RowError, _Cells
from levies.provisions import ses
from levies.reader import Row, read_table
from origin.citation import Citation
from origin.errors import InputError

REGISTER_COLUMNS = (
    "seal_number",
    "received_date",
    "recorded_date",
    "applied_date",
    "container_number",
    "applied_by",
    "status",
    "replaced_by",
    "reported_date",
    "note",
)
ALIASES = {
    "seal": "seal_number",
    "seal_no": "seal_number",
    "container": "container_number",
    "container_no": "container_number",
    "date_received": "received_date",
    "date_applied": "applied_date",
}
STATUSES = ("in_stock", "applied", "damaged", "broken", "lost", "tampered")
SPOILT = ("damaged", "broken")
REPORTABLE = ("lost", "tampered")


@attrs.frozen
class Seal:
    number: str
    received: dt.date | None
    recorded: dt.date | None
    applied: dt.date | None
    container: str
    applied_by: str
    status: str
    replaced_by: str
    reported: dt.date | None
    row: Row


@attrs.frozen
class Finding:
    severity: str  # error (the standard is not met) | report (must be reported to Customs) | info
    clause: Citation
    location: str
    seal: str
    message: str


@attrs.frozen
class SealCheck:
    source: str
    seals: int
    in_stock: tuple[str, ...]
    findings: tuple[Finding, ...]
    counted: bool

    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity != "info")


def _seal(row: Row) -> Seal:
    cells = _Cells(row.cells)
    status_text = cells.text("status").lower().replace(" ", "_").replace("-", "_")
    applied = cells.date("applied_date")
    if status_text and status_text not in STATUSES:
        raise RowError("status", f"{status_text!r} is not one of {', '.join(STATUSES)}")
    status = status_text or ("applied" if applied else "in_stock")
    return Seal(
        number=cells.text("seal_number"),
        received=cells.date("received_date"),
        recorded=cells.date("recorded_date"),
        applied=applied,
        container=cells.text("container_number"),
        applied_by=cells.text("applied_by"),
        status=status,
        replaced_by=cells.text("replaced_by"),
        reported=cells.date("reported_date"),
        row=row,
    )


def check_register(
    path: Path,
    *,
    sheet: str | None = None,
    stock_count: Iterable[str] | None = None,
    as_of: dt.date | None = None,
) -> SealCheck:
    table = read_table(
        path, REGISTER_COLUMNS, required=("seal_number",), sheet=sheet, aliases=ALIASES
    )
    seals: list[Seal] = []
    findings: list[Finding] = []
    for row in table.rows:
        try:
            seals.append(_seal(row))
        except RowError as error:
            findings.append(
                Finding("error", ses("cl 2.6"), row.where(error.column), "", error.detail)
            )
    findings.extend(check_seals(seals, stock_count, as_of or dt.date.today()))
    in_stock = tuple(s.number for s in seals if s.status == "in_stock" and s.number)
    return SealCheck(
        table.source, len(table.rows), in_stock, tuple(findings), stock_count is not None
    )


def check_seals(
    seals: list[Seal], stock_count: Iterable[str] | None, as_of: dt.date
) -> list[Finding]:
    findings: list[Finding] = []

    def add(
        severity: str, clause: str, seal: Seal | None, column: str | None, message: str
    ) -> None:
        where = seal.row.where(column) if seal else "stock count"
        findings.append(Finding(severity, ses(clause), where, seal.number if seal else "", message))

    numbers = Counter(s.number for s in seals if s.number)
    by_number = {s.number: s for s in seals if s.number}
    for seal in seals:
        if not seal.number:
            add("error", "cl 2.6", seal, "seal_number", "no individual seal number")
        elif numbers[seal.number] > 1:
            add(
                "error",
                "cl 2.6",
                seal,
                "seal_number",
                f"seal {seal.number} is recorded {numbers[seal.number]} times",
            )
        if seal.received is None:
            add("error", "cl 2.6", seal, "received_date", "no date received")
        if seal.recorded and seal.received and seal.recorded > seal.received:
            add(
                "error",
                "cl 2.7",
                seal,
                "recorded_date",
                f"received {seal.received}, recorded only on {seal.recorded}: seals must be "
                "recorded immediately on receipt",
            )
        elif seal.recorded and seal.received and seal.recorded < seal.received:
            add(
                "error",
                "cl 2.7",
                seal,
                "recorded_date",
                f"recorded {seal.recorded}, before it was received {seal.received}: a seal is "
                "recorded when received, so one of the dates is wrong",
            )
        if seal.status == "applied":
            for column, value, what in (
                ("applied_date", seal.applied, "date the seal was applied"),
                ("container_number", seal.container, "container number it was applied to"),
                ("applied_by", seal.applied_by, "identity of the person who applied it"),
            ):
                if not value:
                    add("error", "cl 2.6", seal, column, f"applied seal without the {what}")
        if seal.status == "in_stock" and (seal.applied or seal.container):
            add(
                "error",
                "cl 2.6",
                seal,
                "status",
                "marked in stock but has an applied date or container",
            )
        if seal.applied and seal.received and seal.applied < seal.received:
            add(
                "error",
                "cl 2.7",
                seal,
                "applied_date",
                f"applied {seal.applied} before it was received {seal.received}",
            )
        for column, day in (("received_date", seal.received), ("applied_date", seal.applied)):
            if day and day > as_of:
                add("error", "cl 2.6", seal, column, f"{day} is after the check date {as_of}")
        if seal.status in SPOILT:
            _check_replacement(seal, by_number, add)
        if seal.status in REPORTABLE:
            if seal.reported is None:
                add(
                    "report",
                    "cl 2.12",
                    seal,
                    "reported_date",
                    f"seal {seal.number} is {seal.status}: record it and report it to Customs "
                    "(no reported_date)",
                )
            else:
                add(
                    "info",
                    "cl 2.12",
                    seal,
                    "reported_date",
                    f"{seal.status} seal reported on {seal.reported}",
                )
    _check_shared_replacements(seals, add)
    _check_containers(seals, add)
    if stock_count is not None:
        counted = list(stock_count)
        for number, times in sorted(Counter(counted).items()):
            if times > 1:
                add(
                    "error",
                    "cl 2.11",
                    None,
                    None,
                    f"seal {number} is counted {times} times: a seal is held once, so the "
                    "count is wrong or two seals share a number",
                )
        _reconcile(seals, set(counted), by_number, add)
    return findings


def _check_shared_replacements(seals: list[Seal], add: _Add) -> None:
    """cl 2.10: each damaged or broken seal is replaced by a new seal of its own."""
    first: dict[str, Seal] = {}
    for seal in seals:
        if seal.status not in SPOILT or not seal.replaced_by:
            continue
        earlier = first.setdefault(seal.replaced_by, seal)
        if earlier is not seal:
            add(
                "error",
                "cl 2.10",
                seal,
                "replaced_by",
                f"replacement seal {seal.replaced_by} is also named for {earlier.number} "
                f"({earlier.row.location}): a new seal replaces one damaged seal",
            )


def _check_replacement(seal: Seal, by_number: dict[str, Seal], add: _Add) -> None:
    if not seal.replaced_by:
        add(
            "error",
            "cl 2.10",
            seal,
            "replaced_by",
            f"seal {seal.number} is {seal.status}: the new seal used must be recorded "
            "(replaced_by)",
        )
        return
    new = by_number.get(seal.replaced_by)
    if new is None:
        add(
            "error",
            "cl 2.10",
            seal,
            "replaced_by",
            f"replacement seal {seal.replaced_by} is not in the register",
        )
        return
    if new.status != "applied":
        add(
            "error",
            "cl 2.10",
            new,
            "status",
            f"replaces {seal.number} but is {new.status}, not applied",
        )
    if seal.container and new.container and seal.container != new.container:
        add(
            "error",
            "cl 2.10",
            new,
            "container_number",
            f"replaces {seal.number} on container {seal.container} but is recorded on "
            f"{new.container}",
        )


def _check_containers(seals: list[Seal], add: _Add) -> None:
    """Two good seals on one container with no replacement recorded: 2.10 not followed."""
    replaced = {s.replaced_by for s in seals if s.replaced_by}
    on: dict[str, list[Seal]] = {}
    for seal in seals:
        if seal.status == "applied" and seal.container:
            on.setdefault(seal.container, []).append(seal)
    for container, applied in on.items():
        unexplained = [s for s in applied if s.number not in replaced]
        if len(unexplained) > 1:
            numbers = ", ".join(s.number for s in unexplained)
            add(
                "error",
                "cl 2.10",
                unexplained[-1],
                "container_number",
                f"container {container} has seals {numbers} with no damaged seal recorded "
                "as replaced",
            )


def _reconcile(seals: list[Seal], counted: set[str], by_number: dict[str, Seal], add: _Add) -> None:
    """cl 2.11: the seals held must match the register."""
    for seal in seals:
        if seal.status == "in_stock" and seal.number and seal.number not in counted:
            add(
                "error",
                "cl 2.11",
                seal,
                "seal_number",
                f"seal {seal.number} is in stock in the register but was not counted: find it or "
                "record it lost and report it (cl 2.12)",
            )
    for number in sorted(counted):
        held = by_number.get(number)
        if held is None:
            add(
                "error",
                "cl 2.7",
                None,
                None,
                f"seal {number} was counted in stock but is not in the register",
            )
        elif held.status != "in_stock":
            add(
                "error",
                "cl 2.11",
                held,
                "status",
                f"seal {number} was counted in stock but is {held.status}",
            )


class _Add(Protocol):
    """The finding recorder's signature (for annotations)."""

    def __call__(
        self, severity: str, clause: str, seal: Seal | None, column: str | None, message: str
    ) -> None: ...


def read_stock_count(path: Path) -> list[str]:
    """A stock count: a table with a ``seal_number`` column, or a .txt of one number per line."""
    if path.suffix.lower() == ".txt":
        if not path.exists():
            raise InputError(f"{path}: no such file")
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise InputError(f"{path.name}: not UTF-8 text (byte {error.start})") from None
        return [
            line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
    table = read_table(path, ("seal_number", "note"), required=("seal_number",), aliases=ALIASES)
    out = []
    for row in table.rows:
        try:
            number = _Cells(row.cells).text("seal_number")
        except RowError as error:
            raise InputError(f"{row.where(error.column)}: {error.detail}") from None
        if not number:
            raise InputError(f"{row.where('seal_number')}: empty seal number")
        out.append(number)
    return out


def findings_rows(check: SealCheck) -> list[dict[str, str]]:
    return [
        {
            "severity": f.severity,
            "clause": str(f.clause),
            "seal": f.seal,
            "location": f.location,
            "message": f.message,
        }
        for f in check.findings
    ]


def check_text(check: SealCheck) -> str:
    lines = [f"Seal register check (SES Exporter Minimum Standards 2.6–2.12): {check.source}"]
    lines.append(f"{check.seals} seals recorded; {len(check.in_stock)} in stock by the register")
    if not check.counted:
        lines.append("No stock count given (--count): the 2.11 reconciliation was not done.")
    for f in check.findings:
        lines.append(f"  {f.severity.upper():6} [{f.clause}] {f.location}: {f.message}")
    errors = len(check.errors())
    lines.append(f"{errors} finding(s) needing action" if errors else "No findings needing action.")
    return "\n".join(lines)
