"""Broker export: one stable row per decided product (schema ``origin-broker/1``).

Field names, order and meanings are documented in ``docs/broker-export.md``; adding a field
needs a new schema version, so a broker's import never breaks silently.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, TextIO

import attrs

import origin
from origin.agreement import Agreement
from origin.caseio import case_to_json
from origin.determination import Determination, Outcome, RVCResult
from origin.model import Case

SCHEMA = "origin-broker/1"
FIELDS = (
    "schema",
    "workbook",
    "product_id",
    "hs",
    "agreement",
    "preference_code",
    "verdict",
    "claim_preference",
    "basis",
    "psr",
    "rvc_percent",
    "rvc_method",
    "rvc_citation",
    "determination_date",
    "law_version",
    "records_kept_until",
    "missing",
    "fingerprint",
    "toolkit_version",
)


_AMOUNTS = frozenset(
    (
        "adjusted_value",
        "fob",
        "ex_works",
        "transaction_value",
        "weight",
        "quantity",
        "value",
        "amount",
    )
)


def canonical(data: Any) -> Any:
    """The case JSON with every amount normalised ("200.00" → "2E+2"), so that a cell read as
    200 and a JSON "200.00" fingerprint alike: equal inputs, equal fingerprint."""
    if isinstance(data, dict):
        return {
            key: str(Decimal(value).normalize())
            if key in _AMOUNTS and isinstance(value, str)
            else canonical(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [canonical(item) for item in data]
    return data


def fingerprint(case: Case, agreement: str, date: dt.date) -> str:
    """SHA-256 of the inputs (the case as ``origin-case/1`` JSON, amounts normalised),
    agreement, date and toolkit version: equal inputs always give the same value."""
    payload = {
        "case": canonical(case_to_json(case)),
        "agreement": agreement,
        "date": date.isoformat(),
        "toolkit": origin.__version__,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def decisive_rvc(d: Determination) -> RVCResult | None:
    """The RVC method reported: the highest passing one, else the highest computed one."""
    computed = [r for r in d.rvc if r.value is not None]
    passing = [r for r in computed if r.outcome is Outcome.MEETS]
    pool = passing or computed
    return max(pool, key=lambda r: r.value or 0) if pool else None


def percent_text(value: Fraction, places: int = 2) -> str:
    """Rounded toward minus infinity (a negative RVC too), so the export never states more
    content than there is. Exact: the rounding is done on the fraction, not on a
    28-digit Decimal quotient."""
    scale = 10**places
    floor = value.numerator * scale // value.denominator
    sign = "-" if floor < 0 else ""
    whole, part = divmod(abs(floor), scale)
    return f"{sign}{whole}.{part:0{places}d}" if places else f"{sign}{whole}"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _inert(value: str) -> str:
    """A text value a spreadsheet would run as a formula (it starts with = + - @, tab or CR)
    gets a leading apostrophe (the OWASP advice for CSV injection); plain numbers such as a
    negative ``rvc_percent`` are left as they are."""
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


@attrs.frozen
class Decided:
    """One product's outcome, as the results workbook and the export need it."""

    workbook: str
    product: str
    agreement: Agreement
    case: Case | None
    determination: Determination | None
    error: str = ""  # why no determination was made
    hs: str = ""  # the good's HS / tariff item as read, for records without a case

    @property
    def fingerprint(self) -> str:
        if self.case is None or self.determination is None:
            return ""
        return fingerprint(self.case, self.agreement.name, self.determination.date)


def broker_row(item: Decided) -> dict[str, str]:
    d = item.determination
    law = item.agreement.law
    row = dict.fromkeys(FIELDS, "")
    row.update(
        schema=SCHEMA,
        workbook=item.workbook,
        product_id=item.product,
        agreement=item.agreement.name,
        preference_code=";".join(law.preference_codes),
        toolkit_version=origin.__version__,
    )
    if d is None:
        good = item.case.good if item.case is not None else None
        hs = str(good.tariff_item or good.hs) if good is not None else item.hs
        row.update(hs=hs, verdict="error", claim_preference="no", missing=item.error)
        return row
    rvc = decisive_rvc(d)
    until = [o.until for o in d.obligations if o.until is not None]
    tariff_item = item.case.good.tariff_item if item.case is not None else None
    row.update(
        hs=tariff_item or d.hs,
        verdict=d.verdict.value,
        claim_preference="yes" if d.verdict.value == "originating" else "no",
        basis="; ".join(d.basis),
        psr=d.psr,
        rvc_percent=percent_text(rvc.value) if rvc and rvc.value is not None else "",
        rvc_method=rvc.method if rvc else "",
        rvc_citation=str(rvc.citation) if rvc else "",
        determination_date=d.date.isoformat(),
        law_version=d.law_version.isoformat(),
        records_kept_until=max(until).isoformat() if until else "",
        missing="; ".join(d.missing),
        fingerprint=item.fingerprint,
    )
    return row


def write(items: Iterable[Decided], fmt: str, out: TextIO) -> None:
    """``csv`` (header row, RFC 4180 quoting) or ``jsonl`` (one object per line); in both,
    text that a spreadsheet would run as a formula is made inert (see :func:`_inert`)."""
    rows = ({k: _inert(v) for k, v in broker_row(item).items()} for item in items)
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:  # pragma: no cover - argparse restricts the choice
        raise ValueError(f"unknown export format {fmt!r}")


def read_csv(text: str) -> list[Mapping[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))
