"""Broker export: one stable row per decided product (schema ``origin-broker/4``).

Field names, order and meanings are documented in ``docs/broker-export.md``; adding a field
needs a new schema version, so a broker's import never breaks silently. ``origin-broker/2``
(issue 12) gives an RVC that is only a bound in its own fields (``rvc_bound``,
``rvc_bound_percent``) instead of as ``rvc_percent``; ``origin-broker/3`` (issue 17) says why
the law date was chosen, and, for ``check --agreement all``, gives each product × agreement
its rank, the duty the claim saves, and ``not applicable`` records. ``origin-broker/4``
(issue 18) appends what a broker's system keys an entry on: the goods' country, the NZ tariff
item (and an always-empty statistical key), the currency and a value with its basis, and
the user's reference; and an input file that could not be read at all is an ``error``
record too (:func:`unreadable`), so that no input is without one. ``origin-broker/5``
(issue 21) appends, with a declarations register, the supplier's declaration behind each
originating material and the materials no declaration backed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TextIO

import attrs

import origin
from origin import registry, strict_json
from origin.agreement import Agreement
from origin.caseio import case_to_json
from origin.determination import Determination, RVCResult, Verdict, decisive_rvc, rvc_reading
from origin.law import goods_country
from origin.model import Case
from origin.trees import rebuild
from origin.workbook.output import visible
from origin.workbook.problems import Severity

if TYPE_CHECKING:
    from origin.workbook.batch import Batch, Compared

SCHEMA = "origin-broker/5"
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
    "rvc_bound",
    "rvc_bound_percent",
    "rvc_method",
    "rvc_citation",
    "determination_date",
    "date_reason",
    "law_version",
    "records_kept_until",
    "missing",
    "fingerprint",
    "toolkit_version",
    "rank",
    "duty_saved",
    # origin-broker/4
    "country_of_origin",
    "tariff_item",
    "statistical_key",
    "currency",
    "value",
    "value_basis",
    "reference",
    # origin-broker/5
    "declarations",
    "declarations_not_backed",
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
    200 and a JSON "200.00" fingerprint alike: equal inputs, equal fingerprint. Built without
    recursion (a BOM may be any number of levels deep)."""

    def children(node: Any) -> list[Any]:
        if isinstance(node, dict):
            return list(node.values())
        return node if isinstance(node, list) else []

    def build(node: Any, kids: list[Any]) -> Any:
        if isinstance(node, dict):
            return {
                key: str(Decimal(value).normalize())
                if key in _AMOUNTS and isinstance(value, str)
                else kid
                for (key, value), kid in zip(node.items(), kids, strict=True)
            }
        return kids if isinstance(node, list) else node

    return rebuild([data], children, build)[0]


def fingerprint(case: Case, agreement: str, date: dt.date) -> str:
    """SHA-256 of the inputs (the case as ``origin-case/1`` JSON, amounts normalised),
    agreement, date and toolkit version: equal inputs always give the same value."""
    payload = {
        "case": canonical(case_to_json(case)),
        "agreement": agreement,
        "date": date.isoformat(),
        "toolkit": origin.__version__,
    }
    text = strict_json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # surrogatepass: a lone surrogate (from a JSON "\\ud800") is hashed, not a crash; every
    # other text encodes as plain UTF-8, so fingerprints are unchanged.
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def percent_text(value: Fraction, places: int = 2) -> str:
    """Rounded toward minus infinity (a negative RVC too), so the export never states more
    content than there is. Exact: the rounding is done on the fraction, not on a
    28-digit Decimal quotient."""
    return _fixed(value.numerator * 10**places // value.denominator, places)


def percent_text_up(value: Fraction, places: int = 2) -> str:
    """Rounded toward plus infinity: an upper bound stays an upper bound ("at most
    86.666…" is "at most 86.67", never the untrue "at most 86.66")."""
    return _fixed(-(-value.numerator * 10**places // value.denominator), places)


def _fixed(units: int, places: int) -> str:
    """``units`` hundredths (for two places) as text: -1234 → "-12.34"."""
    scale = 10**places
    sign = "-" if units < 0 else ""
    whole, part = divmod(abs(units), scale)
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
    date_reason: str = ""  # why the law date was that one (origin.comparison.law_date)
    # The fingerprint, hashed on first use: the results workbook, the export and
    # requalification each ask for it (not part of equality or the constructor).
    _fingerprint: str | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @property
    def fingerprint(self) -> str:
        found = self._fingerprint
        if found is None:
            found = ""
            if self.case is not None and self.determination is not None:
                found = fingerprint(self.case, self.agreement.name, self.determination.date)
            object.__setattr__(self, "_fingerprint", found)
        return found


def broker_row(item: Decided) -> dict[str, str]:
    d = item.determination
    law = item.agreement.law
    # By the goods' country where the agreement's codes differ by country (TPSEP: SG for
    # Singapore goods, TPA for Brunei's and Chile's); all of them where that is not known.
    codes = law.preference_codes_of(item.case)
    row = dict.fromkeys(FIELDS, "")
    row.update(
        schema=SCHEMA,
        workbook=item.workbook,
        product_id=item.product,
        agreement=item.agreement.name,
        preference_code=";".join(codes),
        toolkit_version=origin.__version__,
        date_reason=item.date_reason,
    )
    rvc = decisive_rvc(d) if d is not None else None
    if item.case is not None:
        row.update(_entry(item.case, item.agreement, rvc))
    if d is None:
        good = item.case.good if item.case is not None else None
        hs = str(good.tariff_item or good.hs) if good is not None else item.hs
        row.update(hs=hs, verdict="error", claim_preference="no", missing=item.error)
        return row
    reading = rvc_reading(rvc) if rvc is not None else ""
    figure = rvc.value if rvc is not None else None
    until = [o.until for o in d.obligations if o.until is not None]
    tariff_item = item.case.good.tariff_item if item.case is not None else None
    # A preference is claimed only on a complete originating determination: the verdict
    # and no fact still needed (a verdict word alone is not enough), under exactly one
    # preference code (with two, which one the entry may use is not known).
    complete = d.verdict is Verdict.ORIGINATING and not d.missing and len(codes) == 1
    row.update(
        hs=tariff_item or d.hs,
        verdict=d.verdict.value,
        claim_preference="yes" if complete else "no",
        basis="; ".join(d.basis),
        psr=d.psr,
        # Never a bound as the RVC: an "at least" rounded down, an "at most" rounded up.
        rvc_percent=percent_text(figure) if figure is not None and reading == "exact" else "",
        rvc_bound=reading if reading in ("at least", "at most") else "",
        rvc_bound_percent=""
        if figure is None
        else percent_text(figure)
        if reading == "at least"
        else percent_text_up(figure)
        if reading == "at most"
        else "",
        rvc_method=rvc.method if rvc else "",
        rvc_citation=str(rvc.citation) if rvc else "",
        determination_date=d.date.isoformat(),
        law_version=d.law_version.isoformat(),
        records_kept_until=max(until).isoformat() if until else "",
        missing="; ".join(d.missing),
        fingerprint=item.fingerprint,
    )
    if d.declarations:  # with a declarations register (origin.declarations)
        from origin.declarations.resolve import broker_fields  # noqa: PLC0415

        row.update(broker_fields(d.declarations))
    return row


# Where a method's value of the good comes from, by the law file's symbol source.
_GOOD_SOURCE = "good."
_VALUE_NAMES = {
    "customs_value": "customs value",
    "adjusted_value": "adjusted value",
    "fob": "FOB",
    "ex_works": "ex-works price",
    "transaction_value": "transaction value",
}


def measured_value(agreement: Agreement, rvc: RVCResult | None) -> str:
    """The good's value the agreement measures it by: the value in the reported RVC
    method's formula (``good.fob`` for AANZFTA's indirect method), else the base of the
    agreement's de minimis test; "" when the law file names neither (FIC)."""
    regime = agreement.law.regime or {}
    if rvc is not None:
        symbols = (regime.get("rvc", {}).get(rvc.method) or {}).get("symbols") or {}
        for symbol in symbols.values():
            source = str(symbol.get("from", ""))
            if source.startswith(_GOOD_SOURCE):
                return source.removeprefix(_GOOD_SOURCE)
    return str((regime.get("de_minimis") or {}).get("base", ""))


def _entry(case: Case, agreement: Agreement, rvc: RVCResult | None) -> dict[str, str]:
    """The fields a broker's system keys an entry on, from the case as given (also for a
    product the agreement could not decide): the goods' country, tariff item, currency,
    the value (the customs value when given, else the value the agreement measures the good
    by, ``value_basis`` saying which) and the user's reference."""
    good = case.good
    basis = "customs_value" if good.customs_value is not None else measured_value(agreement, rvc)
    value = getattr(good, basis) if basis else None
    return {
        "country_of_origin": goods_country(case) or "",
        "tariff_item": good.tariff_item or "",
        "currency": case.currency,
        "value": "" if value is None else format(value, "f"),
        "value_basis": _VALUE_NAMES[basis] if value is not None else "",
        "reference": case.reference,
    }


def unreadable(batch: Batch, agreement: Agreement) -> list[Decided]:
    """One ``error`` item (no product) for each input file that gave no product at all: a
    file that could not be read, or one whose products could not be found (an empty or
    unreadable Product sheet); its error messages are the reason. ``agreement`` is the one
    the check was for (under ``--agreement all`` any: :func:`unread_rows` blanks it)."""
    recorded = {item.workbook for item in batch.decided}
    recorded |= {item.workbook for item in batch.compared}
    names = dict.fromkeys([*batch.failed_files, *(issue.workbook for issue in batch.issues)])
    items = []
    for name in names:
        if name in recorded:
            continue
        issues = [i for i in batch.issues if i.workbook == name]
        errors = [i for i in issues if i.severity is Severity.ERROR] or issues
        reason = "; ".join(f"{i.where}: {i.message}" if i.where else i.message for i in errors)
        items.append(Decided(name, "", agreement, None, None, reason or "not read"))
    return items


def write(items: Iterable[Decided | dict[str, str]], fmt: str, out: TextIO) -> list[str]:
    """``csv`` (header row, RFC 4180 quoting) or ``jsonl`` (one object per line); in both,
    text that a spreadsheet would run as a formula is made inert (see :func:`_inert`), and
    control characters (NUL, ESC, …) are written as visible escapes (``\\x00``; see
    :func:`origin.workbook.output.visible`), the same in both formats. Returns one note for
    each record whose text was escaped, naming its fields."""
    notes: list[str] = []

    def safe(row: dict[str, str]) -> dict[str, str]:
        shown = {key: visible(value) for key, value in row.items()}
        changed = [key for key in row if shown[key] != row[key]]
        if changed:
            notes.append(
                f"export: {shown['workbook']} {shown['product_id']}: control characters in "
                f"{', '.join(changed)} written as visible escapes (\\xNN), not dropped"
            )
        return {key: _inert(value) for key, value in shown.items()}

    rows = (safe(item if isinstance(item, dict) else broker_row(item)) for item in items)
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:  # pragma: no cover - argparse restricts the choice
        raise ValueError(f"unknown export format {fmt!r}")
    return notes


def read_csv(text: str) -> list[Mapping[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def compared_rows(compared: Iterable[Compared], best: bool = False) -> Iterator[dict[str, str]]:
    """``check --agreement all``: every product's comparison, one record per agreement in
    rank order (``best``: only the first originating one, or the first row when none is)."""
    for item in compared:
        comparison = item.comparison
        rows = comparison.rows[:1] if best else comparison.rows
        for rank, row in enumerate(rows, 1):
            agreement = registry.get(row.agreement)
            common = {
                "rank": str(rank),
                "date_reason": comparison.date_reason,
                "determination_date": comparison.date.isoformat(),
            }
            saved = row.duty.saved if row.duty is not None else None
            if saved is not None:
                common["duty_saved"] = str(saved)
            record = broker_row(
                Decided(
                    item.workbook,
                    item.product,
                    agreement,
                    item.case,
                    row.determination,
                    row.reason,
                )
            )
            record.update(common)
            if row.status == "not applicable":
                record["verdict"] = "not applicable"
            yield record


def unread_rows(items: Iterable[Decided]) -> Iterator[dict[str, str]]:
    """Products that could not be read, under ``check --agreement all``: one ``error``
    record each, for no agreement in particular (``agreement`` is empty)."""
    for item in items:
        record = broker_row(item)
        record.update(agreement="", preference_code="")
        yield record
