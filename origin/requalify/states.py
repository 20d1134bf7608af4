"""What one run said of each product, in a form an old file and a fresh run both give.

A results workbook, a broker export and a run in memory hold different amounts of detail:
a field a source does not hold is ``None`` (not known), never ``""`` (known to be empty),
so that the comparison only ever compares what both sides state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

import origin
from origin.determination import decisive_rvc, rvc_reading
from origin.workbook.export import Decided, percent_text, percent_text_up

if TYPE_CHECKING:
    from origin.workbook.batch import Batch

# (workbook, product, agreement): a product under one agreement.
Key = tuple[str, str, str]

# The fields of a BOM line that are compared, with the words the results workbook's
# Materials sheet heads them with (supplier columns only where the sheet has them).
MATERIAL_FIELDS: tuple[tuple[str, str], ...] = (
    ("description", "description"),
    ("hs", "HS"),
    ("status", "declared status"),
    ("counted", "status counted"),
    ("value", "value"),
    ("origin_country", "origin country"),
    ("basis", "valuation basis"),
    ("quantity", "quantity"),
    ("unit", "unit"),
    ("supplier", "supplier"),
    ("supplier_part", "supplier part"),
    ("declaration", "declaration"),
    ("declaration_use", "declaration use"),
)
AMOUNT_FIELDS = frozenset(("value", "quantity"))
# The good's values, named as the results workbook ("value as") and the broker export
# ("value_basis") name them.
GOOD_VALUE_FIELDS = (
    ("customs_value", "customs value"),
    ("adjusted_value", "adjusted value"),
    ("fob", "FOB"),
    ("ex_works", "ex-works price"),
    ("transaction_value", "transaction value"),
)


@attrs.frozen
class MaterialState:
    """One BOM line as a source shows it; ``None``: the source does not say."""

    id: str
    depth: int = 0
    description: str | None = None
    hs: str | None = None
    status: str | None = None  # as declared (typed by the user)
    counted: str | None = None  # as counted by the determination
    value: str | None = None  # an amount as normalised decimal text ("200" for 200.00)
    origin_country: str | None = None
    basis: str | None = None
    quantity: str | None = None
    unit: str | None = None
    supplier: str | None = None
    supplier_part: str | None = None
    declaration: str | None = None  # the declaration relied on (or named)
    declaration_use: str | None = None  # what the register said: backed, expired, …
    declaration_reason: str | None = None  # why, in words (not compared)


@attrs.frozen
class ProductState:
    """One product under one agreement: the outcome and the inputs a source shows."""

    workbook: str
    product: str
    agreement: str
    verdict: str  # a verdict word, "error" (not decided) or "not applicable"
    fingerprint: str | None = None
    rvc_method: str | None = None
    rvc: Fraction | None = None  # exact, when the source holds it exactly
    rvc_reading: str | None = None  # "exact", "at least", "at most", "" (none)
    rvc_text: str | None = None  # two places, as the broker export writes it
    psr: str | None = None
    hs: str | None = None
    tariff_item: str | None = None
    date: str | None = None  # the date whose law was applied
    law_version: str | None = None
    currency: str | None = None
    values: tuple[tuple[str, str], ...] | None = None  # (the good's value's name, amount)
    basis: str | None = None
    missing: str | None = None
    error: str | None = None
    materials: tuple[MaterialState, ...] | None = None  # None: the source does not list them
    materials_note: str = ""  # why the materials are not known, when they are not
    # With a declarations register: (material, use, declaration) for each line that needed
    # one (as the broker export's ``declarations`` fields list them); () without a register.
    declarations: tuple[tuple[str, str, str], ...] | None = None

    @property
    def key(self) -> Key:
        return (self.workbook, self.product, self.agreement)


@attrs.frozen
class Snapshot:
    """Every product of one run, as one source shows it."""

    source: str  # a file's name, or "this run"
    kind: str  # "results workbook", "broker export", "run"
    products: dict[Key, ProductState]
    toolkit: str | None = None
    unread: dict[str, str] = attrs.field(factory=dict)  # workbook → why it gave no product
    problems: tuple[str, ...] = ()  # what in the source could not be used, located
    amounts_as_doubles: bool = False  # the source's amounts went through a double (Excel)


def amount(value: Any) -> str | None:
    """An amount as normalised decimal text; a double (a spreadsheet cell) by its shortest
    text, which is the amount written wherever the amount has at most 15 digits."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    return format(number.normalize(), "f")  # 200.00 and 200 alike, never "2E+2"


def same_amount(old: str, new: str, doubles: bool) -> bool:
    """Equal amounts; where the old one went through a double, equal as doubles too (a
    17-digit amount cannot be told from its neighbour there: the file says no more)."""
    if old == new:
        return True
    try:
        if Decimal(old) == Decimal(new):
            return True
        return doubles and float(Decimal(old)) == float(Decimal(new))
    except (InvalidOperation, ValueError):
        return False


def rvc_text(value: Fraction | None, reading: str) -> str:
    """The figure as the broker export gives it: two places, a bound rounded so that it
    stays true (at least: down; at most: up), nothing for a figure that is neither."""
    if value is None or reading == "":
        return ""
    if reading == "at most":
        return f"at most {percent_text_up(value)}"
    shown = percent_text(value)
    return shown if reading == "exact" else f"{reading} {shown}"


def _text(value: Any) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def _materials(item: Decided) -> tuple[MaterialState, ...]:
    """The product's BOM lines, the same lines in the same order as the Materials sheet of
    the results workbook, with what the register said of each (with ``--declarations``)."""
    from origin.workbook.results import _lines  # noqa: PLC0415 - the sheet's own order

    d = item.determination
    if d is None:
        return ()
    uses = {use.material: use for use in getattr(d, "declarations", ())}
    states = []
    for row, material, depth, _parent in _lines(item.case, list(d.materials)):
        ident = row.id if row is not None else material.id if material is not None else ""
        use = uses.get(ident)
        named = getattr(material, "declaration", None) if material is not None else None
        declaration = use.declaration if use is not None and use.declaration else named
        states.append(
            MaterialState(
                id=ident,
                depth=depth,
                description=row.description
                if row is not None
                else _text(getattr(material, "description", "")),
                hs=row.hs if row is not None else _text(getattr(material, "hs", None)),
                status=row.declared_status
                if row is not None
                else _text(getattr(material, "status", None)),
                counted=row.status if row is not None else "",
                value=amount(row.value if row is not None else getattr(material, "value", None))
                or "",
                origin_country=_text(getattr(material, "origin_country", None)),
                basis=_text(getattr(material, "basis", None)),
                quantity=amount(getattr(material, "quantity", None)) or "",
                unit=_text(getattr(material, "unit", None)),
                supplier=_text(getattr(material, "supplier", None)),
                supplier_part=_text(getattr(material, "supplier_part", None)),
                declaration=declaration or "",
                declaration_use=use.use.value if use is not None else "",
                declaration_reason=use.reason if use is not None else "",
            )
        )
    return tuple(states)


def _good_values(item: Decided) -> tuple[tuple[str, str], ...]:
    case = item.case
    if case is None:
        return ()
    found = []
    for field, label in GOOD_VALUE_FIELDS:
        value = getattr(case.good, field, None)
        if value is not None:
            found.append((label, amount(value) or ""))
    return tuple(found)


def product_state(item: Decided, agreement: str | None = None) -> ProductState:
    """A product of this run, with everything the run knows."""
    d = item.determination
    name = item.agreement.name if agreement is None else agreement
    case = item.case
    common: dict[str, Any] = {
        "workbook": item.workbook,
        "product": item.product,
        "agreement": name,
        "currency": case.currency if case is not None else "",
        "values": _good_values(item),
        "tariff_item": (case.good.tariff_item or "") if case is not None else "",
    }
    if d is None:
        good = case.good if case is not None else None
        return ProductState(
            verdict="error",
            fingerprint="",
            error=item.error,
            hs=str(good.hs) if good is not None else item.hs,
            materials=None,  # not decided: no lines counted to compare
            materials_note="not decided",
            **common,
        )
    rvc = decisive_rvc(d)
    reading = rvc_reading(rvc) if rvc is not None else ""
    value = rvc.value if rvc is not None else None
    return ProductState(
        verdict=d.verdict.value,
        fingerprint=item.fingerprint,
        rvc_method=rvc.method if rvc is not None else "",
        rvc=value if reading else None,
        rvc_reading=reading,
        rvc_text=rvc_text(value, reading),
        psr=d.psr,
        hs=d.hs,
        date=d.date.isoformat(),
        law_version=d.law_version.isoformat(),
        basis="; ".join(d.basis),
        missing="; ".join(d.missing),
        error="",
        materials=_materials(item),
        declarations=tuple(
            (u.material, u.use.value, u.declaration)
            for u in getattr(d, "declarations", ())
            if u.use.value != "not needed"
        ),
        **common,
    )


def from_decided(
    items: Iterable[Decided], source: str = "this run", unread: dict[str, str] | None = None
) -> Snapshot:
    """A snapshot of products decided in Python (``Decided`` items, as ``batch.check``
    gives them); the first of a key given twice is kept, the rest named in ``problems``."""
    products: dict[Key, ProductState] = {}
    problems: list[str] = []
    for item in items:
        state = product_state(item)
        _add(products, problems, state, source)
    return Snapshot(
        source, "run", products, origin.__version__, dict(unread or {}), tuple(problems)
    )


def from_batch(batch: Batch, source: str = "this run") -> Snapshot:
    """A snapshot of ``origin check``'s run: each product under the agreement it was decided
    under; with ``--agreement all``, under every agreement (``not applicable`` included)."""
    from origin.workbook.export import unreadable  # noqa: PLC0415

    products: dict[Key, ProductState] = {}
    problems: list[str] = []
    for item in batch.decided:
        if batch.compared and item.case is not None:
            continue  # under every agreement: the comparison's rows, below
        _add(products, problems, product_state(item), source)
    for compared in batch.compared:
        for row in compared.comparison.rows:
            if row.status == "not applicable":
                state = ProductState(
                    workbook=compared.workbook,
                    product=compared.product,
                    agreement=row.agreement,
                    verdict="not applicable",
                    error=row.reason,
                )
            else:
                from origin import registry  # noqa: PLC0415

                item = Decided(
                    compared.workbook,
                    compared.product,
                    registry.get(row.agreement),
                    compared.case,
                    row.determination,
                    row.reason,
                )
                state = product_state(item)
            _add(products, problems, state, source)
    unread = {}
    if batch.decided or batch.compared or batch.failed_files:
        from origin import registry  # noqa: PLC0415

        agreement = batch.decided[0].agreement if batch.decided else registry.all_agreements()[0]
        unread = {item.workbook: item.error for item in unreadable(batch, agreement)}
    return Snapshot(source, "run", products, origin.__version__, unread, tuple(problems))


def _add(
    products: dict[Key, ProductState], problems: list[str], state: ProductState, source: str
) -> None:
    if state.key in products:
        problems.append(
            f"{source}: {state.workbook} {state.product} under {state.agreement or 'no agreement'}"
            " is given twice; the first is compared"
        )
        return
    products[state.key] = state


def date_text(value: Any) -> str | None:
    """A date cell or text as ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def cell_text(value: Any) -> str:
    """A cell as the text written into it (a number cell by its shortest text)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))
