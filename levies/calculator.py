"""What one trigger document costs at the border, under which provision, by whom and by when.

From 1 April 2026 the Goods Management Levies Order 2025 applies (cl 2(1)): the document type
and facts pick at most one levy (cls 7–14), its rate comes from Schedule 2 or 3 (or cl 14(3)),
GST is added as an explicit treatment ("plus GST, if any"), and the due date follows the
schedule's column 3. Before 1 April 2026 the transaction fees of regs 13A, 24A, 28A and 29A
apply instead (GST-inclusive), and they keep applying to a document lodged before that day and
amended on or after it (Schedule 1 cl 2). Dates before the encoded fee amounts are refused.

Arithmetic is exact ``Decimal`` under a context that traps inexact results: nothing is
rounded, because neither the order nor the regulations say how a per-document amount is
rounded (decision 0009 §3).

>>> import datetime as dt
>>> from decimal import Decimal
>>> from levies.model import DocumentType, Entry, Mode
>>> r = compute(Entry("E1", DocumentType.EXPORT_ENTRY, dt.date(2026, 4, 1), Mode.SEA,
...                   Decimal("1000.01"), ses=True))
>>> r.charge.name, str(r.charge.rate_reference)
('high-value goods export levy', 'sch 3 high-value goods export levy')
>>> r.charge.amount, r.charge.gst, r.charge.total
(Decimal('3.76'), Decimal('0.5640'), Decimal('4.3240'))
>>> r.charge.due_date
datetime.date(2026, 5, 20)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Context, Decimal, Inexact, InvalidOperation

import attrs

from levies.dates import days_after, fifteenth_of_month_after, twentieth_of_month_after, years_after
from levies.model import (
    VESSEL_EXEMPTIONS,
    Adjustment,
    Charge,
    DeemedEntryKind,
    DocumentType,
    Entry,
    EntryResult,
    Mode,
    RowError,
    Status,
    Step,
)
from levies.provisions import order, regs
from levies.tables import LAW, ChargeTable, LevyLaw, Rate
from origin.citation import Citation

# Every multiplication and addition is exact or raises: money is never silently rounded.
EXACT = Context(prec=60, traps=[Inexact, InvalidOperation])
ONE = Decimal(1)
ZERO = Decimal(0)

# Excluded goods (cl 4) by levy family: our short name -> the paragraph that excludes it.
IMPORT_GOODS_EXCLUSIONS: Mapping[str, str] = {
    "short_landed": "cl 4(a)(i)",
    "accompanied_personal": "cl 4(a)(ii)",
    "recreational_craft": "cl 4(a)(iii)",
    "craft_stores": "cl 4(a)(iv)",
    "carnet": "cl 4(a)(v)",
    "diplomatic": "cl 4(a)(vi)",
    "human_remains": "cl 4(a)(vii)",
}
TRANSHIPPED_EXCLUSIONS: Mapping[str, str] = {
    "carnet": "cl 4(b)(i)",
    "diplomatic": "cl 4(b)(ii)",
    "human_remains": "cl 4(b)(iii)",
}
UPU_MAIL_EXCLUSIONS: Mapping[str, str] = {
    "remains_on_board": "cl 4(c)(i)",
    "transhipped_under_control": "cl 4(c)(ii)",
    "carnet": "cl 4(c)(iii)",
    "diplomatic": "cl 4(c)(iv)",
    "human_remains": "cl 4(c)(v)",
}
EXPORT_EXCLUSIONS: Mapping[str, str] = {
    "carnet": "cl 4(d)(ii)",
    "diplomatic": "cl 4(d)(iii)",
    "human_remains": "cl 4(d)(iv)",
}
# Import entry transaction fee not payable when the document relates only to these (r 24A(4)).
IMPORT_FEE_EXEMPTIONS: Mapping[str, str] = {
    "for_export": "r 24A(4)(a)",
    "between_controlled_areas": "r 24A(4)(b)",
    "short_landed": "r 24A(4)(c)",
    "incomplete_details": "r 24A(4)(d)",
    "accompanied_personal": "r 24A(4)(e)",
    "recreational_craft": "r 24A(4)(f)",
    "craft_stores": "r 24A(4)(f)",
}

STANDARD, ZERO_RATED, NO_GST, INCLUSIVE = "standard", "zero", "none", "inclusive"


def compute(entry: Entry, law: LevyLaw = LAW, made: EntryResult | None = None) -> EntryResult:
    """The levy or fee on one document as it now stands, with every step cited.

    ``made`` is the document as first made (its row in a batch), for an amendment: Schedule 1
    cl 2(1)(b) asks whether *that* document established a transaction fee, not the amended one.
    Due dates of a document read with its original date follow the original document (cl 5(2));
    only an increase by amendment is dated from the amendment (cl 5(3), see :func:`amend`).

    Raises ``RowError`` for facts the document type needs and the row lacks, and
    ``LawNotEncoded`` for a date before what is encoded.
    """
    law.check_date(entry.date)
    if (
        entry.document is DocumentType.DEEMED_ENTRY
        and entry.value is not None
        and entry.value > law.threshold("deemed_entry", entry.date).amount
    ):
        raise RowError(
            "value",
            f"{entry.value} is more than $1,000, but a deemed-entry document covers goods of total "
            "value $1,000 or less (reg 26(1)(c)); lodge an import entry instead",
        )
    steps: list[Step] = []
    notes: list[str] = []
    liability_date = _liability_date(entry, law, steps)
    if liability_date >= law.order_in_force:
        steps.append(
            Step(
                f"the order is in force on {liability_date.isoformat()}: levies apply",
                law.order_in_force_reference,
            )
        )
        charge = _levy(entry, liability_date, law, steps, notes)
    else:
        transitional = entry.status is Status.AMENDED and entry.date >= law.order_in_force
        steps.append(
            Step(
                f"{liability_date.isoformat()} is before the order comes into force: "
                "the transaction fees of the regulations apply",
                law.order_in_force_reference,
            )
        )
        charge = _fee(entry, liability_date, law, steps, notes)
        if charge is not None and charge.key in MONTHLY_FEE_KEYS and charge.due_date is None:
            notes.append(MONTHLY_NOTE)
        _fee_ignores(entry, charge, notes)
        if transitional:
            charge = _transitional(charge, made, steps, notes)
    if entry.status in (Status.CANCELLED, Status.DECLINED):
        return _cancelled(entry, charge, law, steps, notes)
    if entry.status is Status.AMENDED:
        notes.append(
            "amended document: the amount shown is for the document as amended; the difference "
            "from the original is computed when the original is in the same file (cl 5(2))"
        )
    return EntryResult(entry, charge, tuple(steps), tuple(notes))


def _fee_ignores(entry: Entry, charge: Charge | None, notes: list[str]) -> None:
    """Say so when a row's facts have no effect on a transaction fee (review finding 12)."""
    if charge is None:
        return
    if entry.gst is not None:
        notes.append(
            f"gst {entry.gst!r} ignored: the transaction fee includes GST ({charge.gst_reference})"
        )
    if entry.excluded and charge.key != "import_entry":  # r 24A(4) notes its own
        notes.append(
            f"excluded {', '.join(sorted(entry.excluded))} ignored: the regulations exempt no "
            f"goods from the {charge.name} ({charge.clause}); exclusions (cl 4) are the order's"
        )


def _transitional(
    charge: Charge | None, made: EntryResult | None, steps: list[Step], notes: list[str]
) -> Charge | None:
    """Schedule 1 cl 2: a document made before 1 April 2026 and amended on or after it.

    Whether the clause applies turns on the document as made (cl 2(1)(b): it "established
    liability to pay a transaction fee"); once it applies, the regulations govern the document
    as amended (cl 2(2)(a)), so the fee is the amended document's, possibly none.
    """
    if made is not None:
        established = made.charge is not None
        basis = "the original document"
    else:
        established = charge is not None
        basis = "the document (its original not given, taken to be alike)"
        notes.append(
            "the original document was not given: Schedule 1 cl 2(1)(b) is read as if it, like "
            "the amended document, "
            + ("established" if established else "established no")
            + " transaction fee"
        )
    if established:
        steps.append(
            Step(
                f"{basis}, made before 1 April 2026, established a transaction fee and is amended "
                "on or after that day: Schedule 1 cl 2 applies",
                order("sch 1 cl 2(1)"),
            )
        )
        steps.append(
            Step(
                "the regulations apply to the document as amended as if the order had not been "
                "made: "
                + (
                    "its transaction fee is payable, no levy"
                    if charge is not None
                    else "as amended it bears no transaction fee, and no levy"
                ),
                order("sch 1 cl 2(2)"),
            )
        )
        return charge
    # The fee computed for the amended document is not payable: drop its due-date advice.
    notes[:] = [n for n in notes if not n.startswith("due date not computed")]
    steps.append(
        Step(
            f"{basis} established no transaction fee, so Schedule 1 cl 2 does not "
            "apply; the amendment is part of a document made before the order came into force, "
            "not a separate trigger document (cl 5(2)): nothing payable",
            order("sch 1 cl 2(1)(b)"),
        )
    )
    notes.append(
        "doubtful: the order does not say how an amendment on or after 1 April 2026 of a "
        "document that carried no fee is treated; confirm with Customs (decision 0009 §10)"
    )
    return None


def _liability_date(entry: Entry, law: LevyLaw, steps: list[Step]) -> dt.date:
    """The date whose law applies: an amendment is part of the original document (cl 5(2))."""
    if entry.status is Status.LODGED:
        return entry.date
    if entry.original_date is None:
        steps.append(
            Step(
                f"no original_date given: the {entry.status.value} document is taken to be of "
                f"{entry.date.isoformat()}",
                order("cl 5(2)") if entry.status is Status.AMENDED else order("cl 5(1)(b)"),
            )
        )
        return entry.date
    if entry.original_date > entry.date:
        raise RowError(
            "original_date",
            f"{entry.original_date.isoformat()} is after the {entry.status.value} date "
            f"{entry.date.isoformat()}",
        )
    law.check_date(entry.original_date)
    if entry.status is Status.AMENDED:
        steps.append(
            Step(
                "the amendment is treated as part of the original document of "
                f"{entry.original_date.isoformat()}, not as a separate trigger document",
                order("cl 5(2)"),
            )
        )
    return entry.original_date


# --- levies (the order) -----------------------------------------------------------------------


def _levy(
    entry: Entry, day: dt.date, law: LevyLaw, steps: list[Step], notes: list[str]
) -> Charge | None:
    document = entry.document
    if document in (
        DocumentType.IMPORT_ENTRY,
        DocumentType.POSTAL_EXEMPTION,
        DocumentType.DEEMED_ENTRY,
    ):
        return _import_goods(entry, day, law, steps, notes)
    if document is DocumentType.TRANSHIPMENT_REQUEST:
        return _transhipped(entry, day, law, steps, notes)
    if document is DocumentType.CARRIER_INWARD_CARGO_REPORT:
        return _empty_containers(entry, day, law, steps, notes)
    if document in (DocumentType.EXPORT_ENTRY, DocumentType.EXPORT_EXEMPTION):
        return _export(entry, day, law, steps, notes)
    if document is DocumentType.UPU_MAIL_ARRIVAL:
        return _upu_mail(entry, day, law, steps, notes)
    if document is DocumentType.COMMERCIAL_VESSEL_ARRIVAL:
        return _vessel(entry, day, law, steps, notes)
    steps.append(
        Step(
            f"a {document.value.replace('_', ' ')} is not a trigger document of the order "
            "(its fee was revoked from 1 April 2026): no levy",
            order("cl 5(1)(a)"),
        )
    )
    return None


def _import_goods(
    entry: Entry, day: dt.date, law: LevyLaw, steps: list[Step], notes: list[str]
) -> Charge | None:
    value = _need_value(entry, "cl 7(2)(b) and cl 8(2)(b)")
    threshold = law.threshold("levy_high_value", day).amount
    postal = entry.document is DocumentType.POSTAL_EXEMPTION
    upu = entry.upu_mail or postal
    if postal and not entry.upu_mail:
        notes.append(
            "a postal article import entry exemption document covers UPU mail "
            "(reg 25(1)(i)(ia)); treated as UPU mail"
        )
    if value > threshold:
        steps.append(
            Step(f"combined Customs value {value} is more than $1,000", order("cl 7(2)(b)"))
        )
        if _excluded(entry, IMPORT_GOODS_EXCLUSIONS, "cl 7(2)(d)", steps, notes):
            return None
        table = law.levy("high_value_import")
        if upu:
            basis = "upu_mail"
            steps.append(Step("UPU mail: the air and UPU mail rate", table.rates[0].reference))
        else:
            basis = _need_mode(entry, "Schedule 2, high-value goods import levy").value
        document_words = (
            "postal article import entry exemption document is lodged"
            if postal
            else "import entry is made"
        )
        due_rule, due_date = _duty_based_due(entry, day, document_words, notes)
        return _levy_charge(
            entry,
            day,
            law,
            table,
            rate=table.rate(basis, day),
            quantity=ONE,
            responsible=f"the importer by or for whom the {document_words}",
            responsible_reference=order("cl 7(3)"),
            due_rule=due_rule,
            due_date=due_date,
        )
    steps.append(Step(f"combined Customs value {value} is $1,000 or less", order("cl 8(2)(b)")))
    if postal:
        steps.append(
            Step(
                "the low-value goods import levy covers only an import entry or deemed-entry "
                "document, and the high-value levy needs more than $1,000: no levy on this "
                "document (the carrier pays the UPU mail levy by weight, cl 11)",
                order("cl 8(2)(a)"),
            )
        )
        return None
    if upu and not (entry.excluded & set(UPU_MAIL_EXCLUSIONS)):
        steps.append(
            Step(
                "the goods are UPU mail, subject to the UPU mail levy: "
                "no low-value goods import levy",
                order("cl 8(2)(c)"),
            )
        )
        return None
    if _excluded(entry, IMPORT_GOODS_EXCLUSIONS, "cl 8(2)(d)", steps, notes):
        return None
    table = law.levy("low_value_import")
    basis = _need_mode(entry, "Schedule 2, low-value goods import levy").value
    if entry.document is DocumentType.IMPORT_ENTRY:
        due_rule, due_date = _duty_based_due(entry, day, "import entry is made", notes)
        responsible = "the importer by or for whom the import entry is made"
    else:
        responsible = "the person by or for whom the deemed-entry document is lodged"
        kind = entry.deemed_entry_kind
        if kind is DeemedEntryKind.WRITE_OFF_REQUEST:
            due_rule = (
                "the 20th day in the month following the month in which the document "
                "(reg 26(2)(b)(iii)) is lodged"
            )
            due_date = twentieth_of_month_after(day)
        elif kind is None:
            due_rule = (
                "for a reg 26(2)(b)(iii) write-off request, the 20th day of the following month; "
                "for a reg 26(2)(b)(i) or (ii) document, the due date of the first other duty "
                "(or, if none, under subpart 7 of Part 3 of the Act)"
            )
            due_date = None
            notes.append(
                "due date not computed: give deemed_entry_kind (i, ii or iii, reg 26(2)(b))"
            )
        else:
            due_rule, due_date = _duty_based_due(
                entry, day, "deemed-entry document is lodged", notes
            )
    return _levy_charge(
        entry,
        day,
        law,
        table,
        rate=table.rate(basis, day),
        quantity=ONE,
        responsible=responsible,
        responsible_reference=order("cl 8(3)"),
        due_rule=due_rule,
        due_date=due_date,
    )


def _transhipped(
    entry: Entry, day: dt.date, law: LevyLaw, steps: list[Step], notes: list[str]
) -> Charge | None:
    if entry.upu_mail:
        steps.append(
            Step(
                "a transhipment request relating solely to UPU mail is not an international "
                "transhipment request: no internationally transhipped goods levy",
                order("cl 3 international transhipment request (b)"),
            )
        )
        return None
    if _excluded(entry, TRANSHIPPED_EXCLUSIONS, "cl 9(2)(b)", steps, notes):
        return None
    table = law.levy("transhipped")
    basis = _need_mode(entry, "Schedule 2, internationally transhipped goods levy").value
    steps.append(
        Step("goods included in a single international transhipment request", order("cl 9(2)(a)"))
    )
    return _levy_charge(
        entry,
        day,
        law,
        table,
        rate=table.rate(basis, day),
        quantity=ONE,
        responsible="the person by or for whom the international transhipment request is made",
        responsible_reference=order("cl 9(3)"),
        due_rule="the 20th day in the month following the month in which the international "
        "transhipment request is made",
        due_date=twentieth_of_month_after(day),
    )


def _empty_containers(
    entry: Entry, day: dt.date, law: LevyLaw, steps: list[Step], notes: list[str]
) -> Charge | None:
    if entry.empty_containers is None:  # not stated: charged, and the result says so
        notes.append(
            "empty_containers not given: taken as yes (decision 0009 §9); give no for a report "
            "without empty containers exempt under reg 25(1)(h)(i), which bears no levy"
        )
    elif not entry.empty_containers:
        steps.append(
            Step(
                "the report does not cover empty bulk cargo containers exempt under "
                "reg 25(1)(h)(i) under one importer's covenants: no empty container levy "
                "(goods are levied on their own entries)",
                order("cl 10(2)(b)"),
            )
        )
        return None
    steps.append(
        Step(
            "empty bulk cargo containers in a single carrier inward cargo report, exempt from "
            "entry under reg 25(1)(h)(i) and covered by one importer's covenants",
            order("cl 10(2)"),
        )
    )
    table = law.levy("empty_container")
    return _levy_charge(
        entry,
        day,
        law,
        table,
        rate=table.rate("any", day),
        quantity=ONE,
        responsible="the craft owner or operator by or for whom the carrier inward cargo "
        "report is provided",
        responsible_reference=order("cl 10(3)"),
        due_rule="the 20th day in the month following the month in which the carrier inward "
        "cargo report is provided",
        due_date=twentieth_of_month_after(day),
    )


def _export(
    entry: Entry, day: dt.date, law: LevyLaw, steps: list[Step], notes: list[str]
) -> Charge | None:
    value = _need_value(entry, "cl 12(2)(b) and cl 13(2)(b)")
    if entry.upu_mail:
        steps.append(Step("UPU mail is excluded goods for the export levies", order("cl 4(d)(i)")))
        return None
    high = value > law.threshold("levy_high_value", day).amount
    exemption_document = entry.document is DocumentType.EXPORT_EXEMPTION
    if high:
        steps.append(
            Step(f"combined Customs value {value} is more than $1,000", order("cl 12(2)(b)"))
        )
        if exemption_document:
            steps.append(
                Step(
                    "the high-value goods export levy covers only an export entry, and the "
                    "low-value levy needs $1,000 or less: no levy on an export entry exemption "
                    "document",
                    order("cl 12(2)(a)"),
                )
            )
            return None
    else:
        steps.append(
            Step(f"combined Customs value {value} is $1,000 or less", order("cl 13(2)(b)"))
        )
    if _excluded(entry, EXPORT_EXCLUSIONS, "cl 12(2)(d)" if high else "cl 13(2)(d)", steps, notes):
        return None
    mode = _need_mode(entry, "Schedule 3")
    if high:
        table = law.levy("high_value_export")
        if mode is Mode.AIR:
            basis = "air"
        else:
            if entry.ses is None:
                raise RowError(
                    "ses",
                    "missing; the sea rate of the high-value goods export levy depends on whether "
                    "the goods are subject to a Customs-approved secure exports scheme "
                    "(Schedule 3): give yes or no (or an exporter profile)",
                )
            basis = "sea_ses" if entry.ses else "sea_non_ses"
            steps.append(
                Step(
                    "carried by sea and "
                    + ("subject to" if entry.ses else "not subject to")
                    + " a Customs-approved secure exports scheme",
                    table.rate(basis, day).reference,
                )
            )
        responsible, clause = "the exporter by or for whom the export entry is made", "cl 12(3)"
        due_rule = "the 20th day in the month following the month in which the export entry is made"
    else:
        table = law.levy("low_value_export")
        basis = mode.value
        if exemption_document:
            responsible = "the person by or for whom the export entry exemption document is lodged"
        else:
            responsible = "the exporter by or for whom the export entry is made"
        clause = "cl 13(3)"
        due_rule = (
            "the 20th day in the month following the month in which the export entry is made or "
            "the export entry exemption document is provided"
        )
    return _levy_charge(
        entry,
        day,
        law,
        table,
        rate=table.rate(basis, day),
        quantity=ONE,
        responsible=responsible,
        responsible_reference=order(clause),
        due_rule=due_rule,
        due_date=twentieth_of_month_after(day),
    )


def _upu_mail(
    entry: Entry, day: dt.date, law: LevyLaw, steps: list[Step], notes: list[str]
) -> Charge | None:
    if entry.weight_kg is None:
        raise RowError(
            "weight_kg",
            "missing; the UPU mail levy is charged per kilogram of mail and its bags or "
            "receptacles (Schedule 2)",
        )
    if _excluded(entry, UPU_MAIL_EXCLUSIONS, "cl 11(2)(b)", steps, notes):
        return None
    steps.append(
        Step(
            f"all UPU mail on a single craft arriving on a single occasion: {entry.weight_kg} kg",
            order("cl 11(2)(a)"),
        )
    )
    notes.append(
        "the owner and operator must give Customs an electronic return for the month by "
        f"{fifteenth_of_month_after(day).isoformat()} (cl 17(2)(b)) and keep records "
        "7 years (cl 18(1))"
    )
    table = law.levy("upu_mail")
    return _levy_charge(
        entry,
        day,
        law,
        table,
        rate=table.rate("any", day),
        quantity=entry.weight_kg,
        responsible="the owner and operator of the craft, jointly and severally",
        responsible_reference=order("cl 11(3)"),
        due_rule="30 days after an invoice for the levy is issued",
        due_date=days_after(entry.invoice_date, 30) if entry.invoice_date else None,
        due_missing="invoice_date",
        notes=notes,
    )


def _vessel(
    entry: Entry, day: dt.date, law: LevyLaw, steps: list[Step], notes: list[str]
) -> Charge | None:
    if entry.mode is Mode.AIR:
        raise RowError(
            "mode", "'air': a commercial vessel is a craft travelling by sea (cl 14(5)(a))"
        )
    if entry.vessel_exemption:
        for letter in sorted(entry.vessel_exemption):
            steps.append(
                Step(
                    f"exempt: {VESSEL_EXEMPTIONS[letter]}: no commercial vessel levy",
                    order(f"cl 15({letter})"),
                )
            )
        return None
    steps.append(Step("a commercial vessel arriving in New Zealand", order("cl 14(1)")))
    notes.append("records verifying the arrival must be kept at least 7 years (cl 18(2))")
    table = law.levy("commercial_vessel")
    return _levy_charge(
        entry,
        day,
        law,
        table,
        rate=table.rate("any", day),
        quantity=ONE,
        responsible="the owner and the operator of the commercial vessel, jointly and severally",
        responsible_reference=order("cl 14(2)"),
        due_rule="30 days after an invoice is issued for the levy (GST included)",
        due_date=days_after(entry.invoice_date, 30) if entry.invoice_date else None,
        due_reference=order("cl 14(4)"),
        due_missing="invoice_date",
        notes=notes,
    )


def _levy_charge(
    entry: Entry,
    day: dt.date,
    law: LevyLaw,
    table: ChargeTable,
    *,
    rate: Rate,
    quantity: Decimal,
    responsible: str,
    responsible_reference: Citation,
    due_rule: str,
    due_date: dt.date | None,
    due_reference: Citation | None = None,
    due_missing: str = "",
    notes: list[str] | None = None,
) -> Charge:
    """The levy at its rate plus GST by the entry's treatment ("plus GST, if any")."""
    try:
        amount = EXACT.multiply(rate.amount, quantity)
    except (Inexact, InvalidOperation):  # an Entry built in code, past from_row's bounds
        raise RowError(
            "weight_kg", f"{quantity} kg is beyond what can be computed exactly"
        ) from None
    treatment = entry.gst or law.gst_default_treatment
    if treatment == STANDARD:
        gst_rate = law.gst_rate(day)
        gst_value, gst_reference = EXACT.multiply(amount, gst_rate.value), gst_rate.reference
    else:
        gst_value, gst_reference = ZERO, rate.reference
    if due_date is None and due_missing and notes is not None:
        notes.append(f"due date not computed: give {due_missing}")
    return Charge(
        regime="levy",
        key=table.key,
        name=table.name,
        clause=table.clause,
        rate=rate.amount,
        rate_reference=rate.reference,
        rate_text=rate.text,
        quantity=quantity,
        amount=amount,
        gst_treatment=treatment,
        gst_rate=gst_rate.value if treatment == STANDARD else ZERO,
        gst_reference=gst_reference,
        gst=gst_value,
        responsible=responsible,
        responsible_reference=responsible_reference,
        due_rule=due_rule,
        due_reference=due_reference or rate.reference,
        due_date=due_date,
    )


def _duty_based_due(
    entry: Entry, day: dt.date, document_words: str, notes: list[str]
) -> tuple[str, dt.date | None]:
    """Schedule 2 column 3 for import goods: the first other duty's due date, else the Act's."""
    rule = (
        "(a) the due date for payment of the first other duty on the goods payable by the "
        f"importer; or (b) if there is none, or it fell due before the {document_words}, the due "
        "date under subpart 7 of Part 3 of the Act"
    )
    if entry.duty_due_date is None:
        notes.append(
            "due date not computed: give duty_due_date (the first other duty's due date), or see "
            "subpart 7 of Part 3 of the Act if no other duty is payable"
        )
        return rule, None
    if entry.duty_due_date < day:
        notes.append(
            "the other duty fell due before the document: paragraph (b) applies (subpart 7 of "
            "Part 3 of the Act, not encoded), so no due date is computed"
        )
        return rule, None
    return rule, entry.duty_due_date


def _excluded(
    entry: Entry,
    family: Mapping[str, str],
    condition: str,
    steps: list[Step],
    notes: list[str],
) -> bool:
    """True when a fact makes the goods excluded goods for this levy (cl 4)."""
    applying = sorted(name for name in entry.excluded if name in family)
    for name in sorted(entry.excluded - set(family)):
        notes.append(
            f"'{name}' does not make goods excluded for this levy (it is not listed in "
            f"{family[next(iter(family))].rsplit('(', 1)[0]}); ignored"
        )
    for name in applying:
        steps.append(
            Step(
                f"excluded goods ({name.replace('_', ' ')}): not leviable ({condition})",
                order(family[name]),
            )
        )
    return bool(applying)


def _need_value(entry: Entry, where: str) -> Decimal:
    if entry.value is None:
        raise RowError(
            "value",
            f"missing; a {entry.document.value.replace('_', ' ')} needs the combined Customs "
            f"value in NZD ({where}: more than $1,000 or $1,000 or less)",
        )
    return entry.value


def _need_mode(entry: Entry, where: str) -> Mode:
    if entry.mode is None:
        raise RowError("mode", f"missing; expected air or sea (the rate in {where} depends on it)")
    return entry.mode


# --- transaction fees (the regulations, before 1 April 2026) -----------------------------------


def _fee(
    entry: Entry, day: dt.date, law: LevyLaw, steps: list[Step], notes: list[str]
) -> Charge | None:
    document = entry.document
    if document in (
        DocumentType.IMPORT_ENTRY,
        DocumentType.POSTAL_EXEMPTION,
        DocumentType.TEMPORARY_IMPORT_SECURITY,
    ):
        return _import_entry_fee(entry, day, law, steps, notes)
    if document is DocumentType.CARRIER_INWARD_CARGO_REPORT:
        steps.append(Step("an inward cargo report given to Customs", regs("r 13A(1)(a)")))
        return _monthly_fee(
            entry,
            day,
            law,
            key="inward_cargo",
            basis="sea" if _fee_mode(entry) is Mode.SEA else "air",
            responsible="every person who gives Customs an inward cargo report",
            responsible_reference=regs("r 13A(1)(a)"),
            due_reference=regs("r 13A(4)"),
        )
    if document is DocumentType.DEEMED_ENTRY:
        kind = entry.deemed_entry_kind
        if kind is None:
            raise RowError(
                "deemed_entry_kind",
                "missing; before 1 April 2026 only an inward cargo report write-off request "
                "(reg 26(2)(b)(iii)) bears a fee (r 13A(1)(b)): give i, ii or iii",
            )
        if kind is not DeemedEntryKind.WRITE_OFF_REQUEST:
            steps.append(
                Step(
                    f"a reg 26(2)(b)({kind.value}) document bears no transaction fee "
                    "(only write-off requests do)",
                    regs("r 13A(1)(b)"),
                )
            )
            return None
        steps.append(
            Step(
                "a document of inward cargo report write-off requests (reg 26(2)(b)(iii)) "
                "for goods with no duty payable or a Customs value of $1,000 or less",
                regs("r 13A(1)(b)"),
            )
        )
        return _monthly_fee(
            entry,
            day,
            law,
            key="inward_cargo",
            basis="sea" if _fee_mode(entry) is Mode.SEA else "air",
            responsible="every person who lodges the document of write-off requests",
            responsible_reference=regs("r 13A(1)(b)"),
            due_reference=regs("r 13A(4)"),
        )
    if document is DocumentType.EXPORT_ENTRY:
        if entry.ses is None:
            raise RowError(
                "ses",
                "missing; the export entry transaction fee is $4.19 for goods entered under a "
                "Customs-approved secure exports scheme and $6.26 otherwise (r 28A(1)): give yes "
                "or no (or an exporter profile)",
            )
        steps.append(
            Step(
                "goods " + ("" if entry.ses else "not ") + "entered for export under a "
                "Customs-approved secure exports scheme",
                regs("r 28A(1)(a)" if entry.ses else "r 28A(1)(b)"),
            )
        )
        return _monthly_fee(
            entry,
            day,
            law,
            key="export_entry",
            basis="ses" if entry.ses else "non_ses",
            responsible="every person who makes the export entry",
            responsible_reference=regs("r 28A(1)"),
            due_reference=regs("r 28A(3)"),
        )
    if document is DocumentType.EXPORT_EXEMPTION:
        steps.append(
            Step(
                "a reg 29(1AAA)(a) document presented for permission to load the goods for export",
                regs("r 29A(2)(b)"),
            )
        )
        return _monthly_fee(
            entry,
            day,
            law,
            key="outward_cargo",
            basis=f"exemption_{_fee_mode(entry).value}",
            responsible="every person who delivers the document to Customs",
            responsible_reference=regs("r 29A(1)"),
            due_reference=regs("r 29A(5)"),
        )
    if document is DocumentType.OUTWARD_CARGO_REPORT:
        steps.append(Step("an outward cargo report (s 45 of the Act)", regs("r 29A(2)(a)")))
        return _monthly_fee(
            entry,
            day,
            law,
            key="outward_cargo",
            basis=f"report_{_fee_mode(entry).value}",
            responsible="every person who delivers the outward cargo report to Customs",
            responsible_reference=regs("r 29A(1)"),
            due_reference=regs("r 29A(5)"),
        )
    steps.append(
        Step(
            f"no transaction fee in regs 13A, 24A, 28A or 29A applies to a "
            f"{document.value.replace('_', ' ')}",
            regs("r 24A(1)")
            if document is DocumentType.TRANSHIPMENT_REQUEST
            else law.order_in_force_reference,
        )
    )
    return None


def _fee_mode(entry: Entry) -> Mode:
    if entry.mode is None:
        raise RowError(
            "mode", "missing; expected air or sea (the transaction fee differs by ship or aircraft)"
        )
    return entry.mode


def _import_entry_fee(
    entry: Entry, day: dt.date, law: LevyLaw, steps: list[Step], notes: list[str]
) -> Charge | None:
    value = _need_value(entry, "r 24A(1)")
    threshold = law.threshold("import_entry_fee", day)
    if value <= threshold.amount:
        steps.append(
            Step(
                f"Customs value {value} is not more than $1,000: no import entry transaction fee",
                threshold.reference,
            )
        )
        return None
    steps.append(Step(f"Customs value {value} is more than $1,000", threshold.reference))
    exempt = sorted(name for name in entry.excluded if name in IMPORT_FEE_EXEMPTIONS)
    if "accompanied_personal" in exempt:
        notes.append("r 24A(4)(e) covers goods accompanying a passenger (crew are not named)")
    for name in exempt:
        steps.append(
            Step(
                f"the document relates only to {name.replace('_', ' ')} goods: fee not payable",
                regs(IMPORT_FEE_EXEMPTIONS[name]),
            )
        )
    for name in sorted(entry.excluded - set(IMPORT_FEE_EXEMPTIONS)):
        notes.append(
            f"'{name}' is not an exemption from the import entry transaction fee "
            "(r 24A(4)); ignored"
        )
    if exempt:
        return None
    who = {
        DocumentType.IMPORT_ENTRY: ("every person who makes the import entry", "r 24A(1)(a)"),
        DocumentType.POSTAL_EXEMPTION: (
            "every person in respect of whom the reg 25(1)(i)(iv) document requirement is "
            "complied with",
            "r 24A(1)(b)",
        ),
        DocumentType.TEMPORARY_IMPORT_SECURITY: (
            "every person who gives security for temporarily imported goods (s 136(1) of the Act)",
            "r 24A(1)(c)",
        ),
    }[entry.document]
    table = law.fee("import_entry")
    if entry.duty_due_date is None:
        notes.append("due date not computed: give duty_due_date (the fee is payable with the duty)")
    return _fee_charge(
        table,
        table.rate("any", day),
        responsible=who[0],
        responsible_reference=regs(who[1]),
        due_rule="payable with the duty payable on the goods",
        due_reference=regs("r 24A(3)"),
        due_date=entry.duty_due_date,
    )


MONTHLY_FEE_KEYS = frozenset({"inward_cargo", "export_entry", "outward_cargo"})
MONTHLY_NOTE = (
    "due date not computed: a fee under $50 falls due by its payer's total of inward cargo, "
    "export entry and outward cargo fees (the $50 rule); compute a file of the payer's fees "
    "with a payer (or exporter) column to date it"
)

MONTHLY_RULE = (
    "the 20th day of the month after month A if the payer's inward cargo, export entry and "
    "outward cargo transaction fees total $50 or more on the last day of month A; otherwise the "
    "earlier of the 20th day of the month after the month the total reaches $50 and the 20th day "
    "of the third month after month A"
)


def _monthly_fee(
    entry: Entry,
    day: dt.date,
    law: LevyLaw,
    *,
    key: str,
    basis: str,
    responsible: str,
    responsible_reference: Citation,
    due_reference: Citation,
) -> Charge:
    """Fees due by the $50 monthly-total rule (rr 13A(4), 28A(3), 29A(5)).

    A fee of $50 or more alone makes the month's total $50 or more, so its due date is known
    from the document; smaller fees are dated in a batch, by payer (see ``levies.batch``).
    """
    table = law.fee(key)
    rate = table.rate(basis, day)
    due_date = None
    if rate.amount >= law.threshold("fee_monthly_total", day).amount:
        due_date = twentieth_of_month_after(day)
    return _fee_charge(
        table,
        rate,
        responsible=responsible,
        responsible_reference=responsible_reference,
        due_rule=MONTHLY_RULE,
        due_reference=due_reference,
        due_date=due_date,
    )


def _fee_charge(
    table: ChargeTable,
    rate: Rate,
    *,
    responsible: str,
    responsible_reference: Citation,
    due_rule: str,
    due_reference: Citation,
    due_date: dt.date | None,
) -> Charge:
    assert table.gst_inclusive is not None, f"{table.key}: fees state they include GST"
    return Charge(
        regime="fee",
        key=table.key,
        name=table.name,
        clause=table.clause,
        rate=rate.amount,
        rate_reference=rate.reference,
        rate_text=rate.text,
        quantity=ONE,
        amount=rate.amount,
        gst_treatment=INCLUSIVE,
        gst_rate=ZERO,
        gst_reference=table.gst_inclusive,
        gst=ZERO,
        responsible=responsible,
        responsible_reference=responsible_reference,
        due_rule=due_rule,
        due_reference=due_reference,
        due_date=due_date,
    )


# --- cancellation, refunds and amendments ---------------------------------------------------

FEE_CANCELLATION: Mapping[str, str] = {
    "inward_cargo": "r 13A(5)",
    "import_entry": "r 24A(5)",
    "export_entry": "r 28A(4)",
    "outward_cargo": "r 29A(6)",
}


def _cancelled(
    entry: Entry, charge: Charge | None, law: LevyLaw, steps: list[Step], notes: list[str]
) -> EntryResult:
    """A cancelled or declined document stops being a trigger document (cl 5(1)(b)); a paid
    levy is refunded (cl 20(1)); a fee is not payable or is refunded (rr 13A(5) ...)."""
    if charge is None:
        steps.append(
            Step(f"document {entry.status.value}: nothing was payable", order("cl 5(1)(b)"))
        )
        return EntryResult(entry, None, tuple(steps), tuple(notes))
    if charge.regime == "levy":
        steps.append(
            Step(
                f"document {entry.status.value} on {entry.date.isoformat()}: no longer a trigger "
                "document, no levy payable",
                order("cl 5(1)(b)"),
            )
        )
        reference = law.refund_reference
        refund_by = years_after(entry.paid_date, law.refund_years) if entry.paid_date else None
        text = (
            f"refund of the levy paid, within {law.refund_years} years after payment "
            "(later only on an application made within that time)"
        )
    else:
        reference = regs(FEE_CANCELLATION[charge.key])
        steps.append(
            Step(f"document {entry.status.value}: the {charge.name} is not payable", reference)
        )
        refund_by = None
        text = "the fee is not payable or, if already paid, must be refunded"
        notes.append(
            "the regulations need the cancellation to be with a Customs officer's permission "
            "(or, for an entry, under s 239 of the Act)"
        )
    adjustment = None
    if entry.paid_date is not None:
        adjustment = Adjustment("refund", charge.total, reference, text, refund_by=refund_by)
    else:
        notes.append(f"if {charge.total} was already paid: {text} ({reference})")
    return EntryResult(entry, None, tuple(steps), tuple(notes), adjustment)


def amend(original: EntryResult, amended: EntryResult, law: LevyLaw = LAW) -> EntryResult:
    """Attach the difference an amendment makes to what the original cost.

    Levies: the amendment is part of the original document (cl 5(2)); an increase is due by
    reference to the amendment's date (cl 5(3)); a reduction is refunded if paid (cl 20(2)).
    Fees kept by Schedule 1 cl 2: the regulations apply to the document as amended.
    """
    before, after = original.total, amended.total
    difference = EXACT.subtract(after, before)
    steps = list(amended.steps)
    notes = [n for n in amended.notes if not n.startswith("amended document:")]
    adjustment: Adjustment | None = None
    charge = amended.charge or original.charge
    is_levy = charge is None or charge.regime == "levy"
    # A fee amended on or after 1 April 2026 is governed by Schedule 1 cl 2(2)(a); amended
    # before then, by the regulation imposing it.
    fee_reference = (
        order("sch 1 cl 2(2)(a)")
        if amended.entry.date >= law.order_in_force or charge is None
        else charge.clause
    )
    if difference > 0:
        due = _amended_due(amended, law) if is_levy else None
        reference = order("cl 5(3)") if is_levy else fee_reference
        adjustment = Adjustment(
            "payable",
            difference,
            reference,
            f"the amendment raises the amount from {before} to {after}"
            + (
                "; the difference is due by reference to the date of the amendment"
                if is_levy
                else ""
            ),
            due_date=due,
        )
        steps.append(Step(f"amendment increases the amount payable by {difference}", reference))
    elif difference < 0:
        paid = amended.entry.paid_date or original.entry.paid_date
        reference = order("cl 20(2)") if is_levy else fee_reference
        adjustment = Adjustment(
            "refund",
            -difference,
            reference,
            f"the amendment lowers the amount from {before} to {after}; if already paid, the "
            "difference is refunded"
            + (f" (within {law.refund_years} years after payment)" if is_levy else ""),
            refund_by=years_after(paid, law.refund_years) if paid and is_levy else None,
        )
        steps.append(Step(f"amendment reduces the amount payable by {-difference}", reference))
    else:
        steps.append(Step("amendment does not change the amount payable", order("cl 5(2)")))
    return attrs.evolve(amended, steps=tuple(steps), notes=tuple(notes), adjustment=adjustment)


def _amended_due(amended: EntryResult, law: LevyLaw) -> dt.date | None:
    """cl 5(3): the schedule's due date read with the amendment in place of the document."""
    entry = amended.entry
    shifted = attrs.evolve(entry, status=Status.LODGED, original_date=None)
    try:
        recomputed = compute(shifted, law)
    except RowError:
        return None
    return recomputed.charge.due_date if recomputed.charge else None
