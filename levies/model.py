"""Entries (one trigger document each) and the results the calculator returns.

An :class:`Entry` is built from a row by :meth:`Entry.from_row`, which checks every field and
raises :class:`RowError` naming the column and what was expected; readers add the file and
row. Results are frozen: a :class:`Charge` says what is payable, at which rate, under which
provision, by whom and by when; a :class:`Step` records each test applied, with its citation.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TypeVar

import attrs

from levies import values
from origin.citation import Citation
from origin.errors import InputError


class DocumentType(enum.Enum):
    """The documents that establish liability (cl 5(1)(a)), plus two that only carried fees."""

    IMPORT_ENTRY = "import_entry"
    POSTAL_EXEMPTION = "postal_article_import_entry_exemption_document"
    DEEMED_ENTRY = "deemed_entry_document"
    TRANSHIPMENT_REQUEST = "international_transhipment_request"
    CARRIER_INWARD_CARGO_REPORT = "carrier_inward_cargo_report"
    EXPORT_ENTRY = "export_entry"
    EXPORT_EXEMPTION = "export_entry_exemption_document"
    UPU_MAIL_ARRIVAL = "upu_mail_arrival"
    COMMERCIAL_VESSEL_ARRIVAL = "commercial_vessel_arrival"
    # Before 1 April 2026 only: r 29A(2)(a) outward cargo report; r 24A(1)(c) security given
    # for temporarily imported goods. Neither is a trigger document under the order.
    OUTWARD_CARGO_REPORT = "outward_cargo_report"
    TEMPORARY_IMPORT_SECURITY = "temporary_import_security"


DOCUMENT_ALIASES: Mapping[str, DocumentType] = {
    **{d.value: d for d in DocumentType},
    "import": DocumentType.IMPORT_ENTRY,
    "postal_exemption": DocumentType.POSTAL_EXEMPTION,
    "postal_article_exemption": DocumentType.POSTAL_EXEMPTION,
    "deemed_entry": DocumentType.DEEMED_ENTRY,
    "deemed": DocumentType.DEEMED_ENTRY,
    "postal": DocumentType.POSTAL_EXEMPTION,
    "transhipment": DocumentType.TRANSHIPMENT_REQUEST,
    "transhipment_request": DocumentType.TRANSHIPMENT_REQUEST,
    "carrier_report": DocumentType.CARRIER_INWARD_CARGO_REPORT,
    "inward_cargo_report": DocumentType.CARRIER_INWARD_CARGO_REPORT,
    "export": DocumentType.EXPORT_ENTRY,
    "export_exemption": DocumentType.EXPORT_EXEMPTION,
    "upu_mail": DocumentType.UPU_MAIL_ARRIVAL,
    "upu": DocumentType.UPU_MAIL_ARRIVAL,
    "vessel": DocumentType.COMMERCIAL_VESSEL_ARRIVAL,
    "commercial_vessel": DocumentType.COMMERCIAL_VESSEL_ARRIVAL,
    "outward_report": DocumentType.OUTWARD_CARGO_REPORT,
    "temporary_import": DocumentType.TEMPORARY_IMPORT_SECURITY,
}


class Mode(enum.Enum):
    AIR = "air"
    SEA = "sea"


class Status(enum.Enum):
    """The trigger document's state (cl 5): as lodged, amended, or cancelled/declined."""

    LODGED = "lodged"
    AMENDED = "amended"
    CANCELLED = "cancelled"
    DECLINED = "declined"


class DeemedEntryKind(enum.Enum):
    """Which document of reg 26(2)(b) was lodged: it decides the due date in Schedule 2."""

    REQUIRED_DOCUMENT = "i"
    SIMPLIFIED_ENTRY = "ii"
    WRITE_OFF_REQUEST = "iii"


# Excluded goods (cl 4) and fee exemptions (r 24A(4)) as short names a user can type. Which
# paragraph applies depends on the levy: see calculator.EXCLUSIONS.
EXCLUSION_NAMES = (
    "short_landed",
    "accompanied_personal",
    "recreational_craft",
    "craft_stores",
    "carnet",
    "diplomatic",
    "human_remains",
    "remains_on_board",
    "transhipped_under_control",
    "for_export",
    "between_controlled_areas",
    "incomplete_details",
)

# Commercial vessel exemptions, cl 15(a)–(j), by paragraph letter.
VESSEL_EXEMPTIONS: Mapping[str, str] = {
    "a": "exercising the right of innocent passage in the territorial sea",
    "b": "operated by the Defence Force or another government's defence force",
    "c": "used solely for diplomatic or ceremonial purposes of a government",
    "d": "used by a government solely for a humanitarian or emergency mission",
    "e": "official expedition of an Antarctic Contracting Party",
    "f": "carrying travellers subject to the Border Processing Levy Order 2015",
    "g": "arriving after having been rescued at sea",
    "h": "seeking temporary relief from stress of weather, departing as soon as practicable",
    "i": "fishing vessel returning without foreign port, contact or transfer",
    "j": "voyage starting and ending in NZ within the EEZ, without outside contact",
}

COLUMNS: Mapping[str, str] = {
    "id": "your reference for the row (default: the row number)",
    "document": "document type: " + ", ".join(d.value for d in DocumentType),
    "date": "date the document was made, lodged or provided (YYYY-MM-DD); for an amendment "
    "or cancellation, its own date",
    "mode": "air or sea",
    "value": "combined Customs value in NZD (decimal, not negative)",
    "ses": "yes/no: goods exported under a Customs-approved secure exports scheme",
    "upu_mail": "yes/no: the goods are UPU mail",
    "excluded": "excluded-goods facts (cl 4) or fee exemptions (r 24A(4)), separated by ';': "
    + ", ".join(EXCLUSION_NAMES),
    "vessel_exemption": "cl 15 paragraph letters a–j, separated by ';'",
    "weight_kg": "UPU mail weight in kg including bags (not bulk containers or ULDs)",
    "deemed_entry_kind": "i, ii or iii: the reg 26(2)(b) document lodged",
    "empty_containers": "yes/no (not given: taken as yes, with a note): the report covers "
    "empty containers exempt under reg 25(1)(h)(i), under one importer's covenants",
    "status": "lodged (default), amended, cancelled or declined",
    "document_id": "the trigger document's number: links an amendment to its original row",
    "original_date": "date of the original document (for an amendment or cancellation)",
    "paid_date": "date the levy or fee was paid (for refunds, cl 20)",
    "duty_due_date": "due date of the first other duty payable on the goods (Schedule 2; r 24A(3))",
    "invoice_date": "date Customs issued the invoice (UPU mail and commercial vessel levies)",
    "payer": "the person liable (groups fees for the $50 monthly total, rr 13A(4), 28A(3), 29A(5))",
    "exporter": "exporter id, looked up in an exporter profile file for SES status",
    "gst": "GST treatment override: standard, zero or none",
}


class RowError(InputError):
    """A field of one row is wrong; ``column`` names it, readers add file and row."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"column {column!r}: {message}")
        self.column = column
        self.detail = message


@attrs.frozen
class Entry:
    """One trigger document (or, before 1 April 2026, one fee-bearing document)."""

    id: str
    document: DocumentType
    date: dt.date
    mode: Mode | None = None
    value: Decimal | None = None
    ses: bool | None = None
    upu_mail: bool = False
    excluded: frozenset[str] = frozenset()
    vessel_exemption: frozenset[str] = frozenset()
    weight_kg: Decimal | None = None
    deemed_entry_kind: DeemedEntryKind | None = None
    empty_containers: bool | None = None  # None: not stated, taken as yes with a note
    status: Status = Status.LODGED
    document_id: str = ""
    original_date: dt.date | None = None
    paid_date: dt.date | None = None
    duty_due_date: dt.date | None = None
    invoice_date: dt.date | None = None
    payer: str = ""
    exporter: str = ""
    gst: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, object], default_id: str = "") -> Entry:
        """Build from text or typed cells; raise :class:`RowError` for the first bad field."""
        get = _Cells(row)
        present = get.row
        # Required fields first; optional ones are parsed only when the row has them (a
        # 100,000-row batch spends most of its time here).
        fields: dict[str, object] = {
            "id": get.text("id") or default_id,
            "document": get.document(),
            "date": get.required_date("date"),
        }
        for column, parse in _OPTIONAL.items():
            if column in present:
                fields[column] = parse(get)
        return cls(**fields)  # type: ignore[arg-type]  # each parser returns its field's type


_E = TypeVar("_E", bound=enum.Enum)

# Optional columns: how each is parsed; absent columns keep the Entry defaults.
_OPTIONAL: Mapping[str, Callable[[_Cells], object]] = {
    "mode": lambda get: get.choice("mode", Mode),
    "value": lambda get: get.amount("value"),
    "ses": lambda get: get.flag("ses"),
    "upu_mail": lambda get: bool(get.flag("upu_mail")),
    "excluded": lambda get: get.names("excluded", EXCLUSION_NAMES),
    "vessel_exemption": lambda get: get.names("vessel_exemption", tuple(VESSEL_EXEMPTIONS)),
    "weight_kg": lambda get: get.amount("weight_kg"),
    "deemed_entry_kind": lambda get: get.choice("deemed_entry_kind", DeemedEntryKind),
    "empty_containers": lambda get: get.flag("empty_containers"),
    "status": lambda get: get.choice("status", Status) or Status.LODGED,
    "document_id": lambda get: get.text("document_id"),
    "original_date": lambda get: get.date("original_date"),
    "paid_date": lambda get: get.date("paid_date"),
    "duty_due_date": lambda get: get.date("duty_due_date"),
    "invoice_date": lambda get: get.date("invoice_date"),
    "payer": lambda get: get.text("payer"),
    "exporter": lambda get: get.text("exporter"),
    "gst": lambda get: get.gst(),
}


def user_id(row: Mapping[str, object], default: str = "") -> str:
    """The row's own ``id`` as the user wrote it (else ``default``), never raising: error rows
    carry it too, so a row the toolkit refuses can still be found by its reference (issue 12).
    The id is not checked here; writers escape what they cannot write (``values.printable``)."""
    value = row.get("id")
    if isinstance(value, str):
        if not values.safe(value):  # as given: strip() would eat U+001C-U+001F
            return value
        return value.strip() or default
    if value is None or isinstance(value, list | tuple | dict):
        return default
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_YES = {"yes", "y", "true", "1", "ses"}
_NO = {"no", "n", "false", "0", "non-ses", "non_ses"}


class _Cells:
    """Typed access to one row's cells; every failure names the column and what it wanted."""

    def __init__(self, row: Mapping[str, object]) -> None:
        # Blank cells are dropped once here, so each getter is a dictionary lookup.
        cells: dict[str, object] = {}
        for column, value in row.items():
            if isinstance(value, str):
                if not values.safe(value):  # kept whole (strip() eats U+001C-U+001F), refused
                    cells[column] = value  # by whichever getter reads it
                elif text := value.strip():
                    cells[column] = text
            elif value is not None:
                cells[column] = value
        self.row = cells

    def raw(self, column: str) -> object:
        return self.row.get(column)

    def text(self, column: str) -> str:
        value = self.raw(column)
        if value is None:
            return ""
        if isinstance(value, str):
            try:
                return values.text(value)
            except values.BadValue as error:
                raise RowError(column, str(error)) from None
        if isinstance(value, list | tuple | dict):
            kind = "an object" if isinstance(value, dict) else "a list"
            raise RowError(column, f"{kind}; expected text")
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    def document(self) -> DocumentType:
        value = self.raw("document")
        if value is None:
            raise RowError("document", "missing; expected one of " + _listing(DocumentType))
        key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return DOCUMENT_ALIASES[key]
        except KeyError:
            raise RowError(
                "document",
                f"unknown document type {value!r}; expected one of {_listing(DocumentType)}",
            ) from None

    def date(self, column: str) -> dt.date | None:
        try:
            return values.date(self.raw(column))
        except values.BadValue as error:
            raise RowError(column, str(error)) from None

    def required_date(self, column: str) -> dt.date:
        value = self.date(column)
        if value is None:
            raise RowError(column, "missing; expected a date YYYY-MM-DD")
        return value

    def amount(self, column: str) -> Decimal | None:
        try:
            return values.amount(self.raw(column))
        except values.BadValue as error:
            raise RowError(column, str(error)) from None

    def flag(self, column: str) -> bool | None:
        value = self.raw(column)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        text = self.text(column).lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
        raise RowError(column, f"{value!r} is not yes or no")

    def choice(self, column: str, kind: type[_E]) -> _E | None:
        value = self.raw(column)
        if value is None:
            return None
        text = self.text(column).lower().replace("-", "_")
        member: _E | None = _members(kind).get(text)
        if member is None:
            raise RowError(column, f"{value!r} is not one of {_listing(kind)}")
        return member

    def names(self, column: str, allowed: tuple[str, ...]) -> frozenset[str]:
        value = self.raw(column)
        if value is None:
            return frozenset()
        if isinstance(value, list | tuple):  # a JSON list of names
            try:
                parts = [values.text(str(v)) for v in value]
            except values.BadValue as error:
                raise RowError(column, str(error)) from None
        else:
            parts = self.text(column).replace(",", ";").split(";")
        names = {p.strip().lower().replace("-", "_").replace(" ", "_") for p in parts if p.strip()}
        unknown = sorted(names - set(allowed))
        if unknown:
            raise RowError(
                column, f"unknown {', '.join(map(repr, unknown))}; expected {', '.join(allowed)}"
            )
        return frozenset(names)

    def gst(self) -> str | None:
        value = self.raw("gst")
        if value is None:
            return None
        text = self.text("gst").lower()
        if text not in {"standard", "zero", "none"}:
            raise RowError("gst", f"{value!r} is not one of standard, zero, none")
        return text


@functools.cache
def _members(kind: type[_E]) -> dict[str, _E]:
    return {str(member.value): member for member in kind}


def _listing(kind: type[enum.Enum]) -> str:
    return ", ".join(str(member.value) for member in kind)


@attrs.frozen
class Step:
    """One test applied: what was decided and the provision it rests on."""

    text: str
    citation: Citation


@attrs.frozen
class Charge:
    """A levy (order) or transaction fee (regulations) payable on one document."""

    regime: str  # "levy" or "fee"
    key: str
    name: str
    clause: Citation  # the clause imposing it
    rate: Decimal
    rate_reference: Citation
    rate_text: str
    quantity: Decimal  # 1 per document or arrival; kilograms for the UPU mail levy
    amount: Decimal  # levy before GST; for a fee, the GST-inclusive fee
    gst_treatment: str  # standard / zero / none / inclusive
    gst_rate: Decimal
    gst_reference: Citation
    gst: Decimal  # GST added on top (0 when inclusive, zero-rated or none)
    responsible: str
    responsible_reference: Citation
    due_rule: str
    due_reference: Citation
    due_date: dt.date | None = None

    @property
    def total(self) -> Decimal:
        return self.amount + self.gst


@attrs.frozen
class Adjustment:
    """An amendment's difference (cl 5(2)–(3), cl 20(2)) or a cancellation's refund (cl 20(1))."""

    kind: str  # "payable" or "refund"
    amount: Decimal  # positive: the difference payable or refundable, GST included
    reference: Citation
    text: str
    due_date: dt.date | None = None  # payable difference: due date from the amendment (cl 5(3))
    refund_by: dt.date | None = None  # last day to apply for a refund (4 years after payment)


@attrs.frozen
class EntryResult:
    entry: Entry
    charge: Charge | None
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()
    adjustment: Adjustment | None = None

    @property
    def total(self) -> Decimal:
        """What the document, as it now stands, costs (0 when nothing is payable)."""
        return self.charge.total if self.charge else Decimal(0)
