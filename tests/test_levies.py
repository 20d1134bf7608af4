"""Levies (Goods Management Levies Order 2025) and transaction fees (regs 13A, 24A, 28A, 29A).

Every rate test quotes the figure from the instrument's text; where the seed texts are present
(shared/seeds) the quote is also checked against them, so a mistyped rate cannot pass.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from levies.calculator import compute
from levies.model import DeemedEntryKind, DocumentType, Entry, EntryResult, Mode, RowError, Status
from levies.tables import LAW
from origin.law import LawNotEncoded

D = Decimal
SEEDS = Path("/work/shared/seeds")
APRIL = dt.date(2026, 4, 1)
MARCH = dt.date(2026, 3, 31)


def _seed(prefix: str) -> str:
    files = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.exists() else []
    if not files:
        pytest.skip(f"law text {prefix}_*.txt not found under {SEEDS}")
    text = files[0].read_text(encoding="utf-8").replace("\\$", "$")
    return re.sub(r"\s+", " ", text)


def entry(document: DocumentType, day: dt.date = APRIL, **facts: Any) -> Entry:
    return Entry("T", document, day, **facts)


def charged(document: DocumentType, day: dt.date = APRIL, **facts: Any) -> EntryResult:
    result = compute(entry(document, day, **facts))
    assert result.charge is not None, [s.text for s in result.steps]
    return result


def nothing(document: DocumentType, day: dt.date = APRIL, **facts: Any) -> EntryResult:
    result = compute(entry(document, day, **facts))
    assert result.charge is None, result.charge
    return result


IMPORT = DocumentType.IMPORT_ENTRY
EXPORT = DocumentType.EXPORT_ENTRY
AIR, SEA = Mode.AIR, Mode.SEA

# (quote from the order, document, facts, expected levy name, figure)
LEVY_RATES = [
    (
        "7.24 (plus GST, if any) per leviable importation of high-value goods for goods carried "
        "by air and UPU mail",
        IMPORT,
        {"mode": AIR, "value": D("1500")},
        "high-value goods import levy",
        "7.24",
    ),
    (
        "7.24 (plus GST, if any) per leviable importation of high-value goods for goods carried "
        "by air and UPU mail",
        IMPORT,
        {"mode": SEA, "value": D("1500"), "upu_mail": True},
        "high-value goods import levy",
        "7.24",
    ),
    (
        "7.24 (plus GST, if any) per leviable importation of high-value goods for goods carried "
        "by air and UPU mail",
        DocumentType.POSTAL_EXEMPTION,
        {"value": D("1500")},
        "high-value goods import levy",
        "7.24",
    ),
    (
        "73.87 (plus GST, if any) per leviable importation of high-value goods for goods carried "
        "by sea excluding UPU mail",
        IMPORT,
        {"mode": SEA, "value": D("1500")},
        "high-value goods import levy",
        "73.87",
    ),
    (
        "1.46 (plus GST, if any) per leviable importation of low-value goods for goods "
        "carried by air",
        IMPORT,
        {"mode": AIR, "value": D("500")},
        "low-value goods import levy",
        "1.46",
    ),
    (
        "1.34 (plus GST, if any) per leviable importation of low-value goods for goods "
        "carried by sea",
        IMPORT,
        {"mode": SEA, "value": D("500")},
        "low-value goods import levy",
        "1.34",
    ),
    (
        "1.46 (plus GST, if any) per leviable importation of low-value goods for goods "
        "carried by air",
        DocumentType.DEEMED_ENTRY,
        {"mode": AIR, "value": D("500"), "deemed_entry_kind": DeemedEntryKind.WRITE_OFF_REQUEST},
        "low-value goods import levy",
        "1.46",
    ),
    (
        "1.46 (plus GST, if any) per leviable importation of internationally transhipped goods "
        "for goods carried by air",
        DocumentType.TRANSHIPMENT_REQUEST,
        {"mode": AIR},
        "internationally transhipped goods levy",
        "1.46",
    ),
    (
        "1.34 (plus GST, if any) per leviable importation of internationally transhipped goods "
        "for goods carried by sea",
        DocumentType.TRANSHIPMENT_REQUEST,
        {"mode": SEA},
        "internationally transhipped goods levy",
        "1.34",
    ),
    (
        "1.34 (plus GST, if any) per leviable importation of empty containers",
        DocumentType.CARRIER_INWARD_CARGO_REPORT,
        {},
        "empty container levy",
        "1.34",
    ),
    (
        "0.40 (plus GST, if any) per kilogram of UPU mail",
        DocumentType.UPU_MAIL_ARRIVAL,
        {"weight_kg": D("1")},
        "UPU mail levy",
        "0.40",
    ),
    (
        "3.35 (plus GST, if any) per leviable exportation of high-value goods carried by air",
        EXPORT,
        {"mode": AIR, "value": D("1500")},
        "high-value goods export levy",
        "3.35",
    ),
    (
        "8.13 (plus GST, if any) per leviable exportation of high-value goods carried by sea and "
        "not subject to a Customs-approved secure exports scheme",
        EXPORT,
        {"mode": SEA, "value": D("1500"), "ses": False},
        "high-value goods export levy",
        "8.13",
    ),
    (
        "3.76 (plus GST, if any) per leviable exportation of high-value goods carried by sea and "
        "subject to a Customs-approved secure exports scheme",
        EXPORT,
        {"mode": SEA, "value": D("1500"), "ses": True},
        "high-value goods export levy",
        "3.76",
    ),
    (
        "2.48 (plus GST, if any) per leviable exportation of low-value goods carried by air",
        EXPORT,
        {"mode": AIR, "value": D("500")},
        "low-value goods export levy",
        "2.48",
    ),
    (
        "3.22 (plus GST, if any) per leviable exportation of low-value goods carried by sea",
        EXPORT,
        {"mode": SEA, "value": D("500")},
        "low-value goods export levy",
        "3.22",
    ),
    (
        "2.48 (plus GST, if any) per leviable exportation of low-value goods carried by air",
        DocumentType.EXPORT_EXEMPTION,
        {"mode": AIR, "value": D("500")},
        "low-value goods export levy",
        "2.48",
    ),
    (
        "at the rate of $3,717 per arrival (plus GST, if any)",
        DocumentType.COMMERCIAL_VESSEL_ARRIVAL,
        {"mode": SEA},
        "commercial vessel levy",
        "3717",
    ),
]


@pytest.mark.parametrize(("quote", "document", "facts", "name", "figure"), LEVY_RATES)
def test_levy_rate_quotes_the_order(
    quote: str, document: DocumentType, facts: dict[str, Any], name: str, figure: str
) -> None:
    assert quote in _seed("003")
    result = charged(document, **facts)
    assert result.charge is not None
    assert result.charge.name == name
    assert result.charge.rate == D(figure)
    assert result.charge.amount == D(figure)  # one document (or 1 kg)
    assert result.charge.gst_treatment == "standard"
    assert result.charge.gst == D(figure) * D("0.15")
    assert result.charge.total == D(figure) * D("1.15")


# (quote from the regulations, document, date, facts, fee name, figure, rate reference)
FEE_RATES = [
    (
        "relates to cargo or goods carried on a ship or boat, $238.66",
        DocumentType.CARRIER_INWARD_CARGO_REPORT,
        {"mode": SEA},
        "inward cargo transaction fee",
        "238.66",
        "r 13A(2)(a)",
    ),
    (
        "relates to cargo or goods carried on an air-craft, $120.01",
        DocumentType.CARRIER_INWARD_CARGO_REPORT,
        {"mode": AIR},
        "inward cargo transaction fee",
        "120.01",
        "r 13A(2)(b)",
    ),
    (
        "relates to cargo or goods carried on a ship or boat, $238.66",
        DocumentType.DEEMED_ENTRY,
        {"mode": SEA, "value": D("10"), "deemed_entry_kind": DeemedEntryKind.WRITE_OFF_REQUEST},
        "inward cargo transaction fee",
        "238.66",
        "r 13A(2)(a)",
    ),
    (
        "An import entry transaction fee of $53.44 must be paid in relation to goods that have a "
        "Customs value of more than $1,000",
        IMPORT,
        {"mode": SEA, "value": D("1000.01")},
        "import entry transaction fee",
        "53.44",
        "r 24A(1)",
    ),
    (
        "An import entry transaction fee of $53.44 must be paid",
        DocumentType.POSTAL_EXEMPTION,
        {"value": D("2000")},
        "import entry transaction fee",
        "53.44",
        "r 24A(1)",
    ),
    (
        "An import entry transaction fee of $53.44 must be paid",
        DocumentType.TEMPORARY_IMPORT_SECURITY,
        {"value": D("2000")},
        "import entry transaction fee",
        "53.44",
        "r 24A(1)",
    ),
    (
        "under a Customs-approved secure exports scheme, pay an export entry transaction "
        "fee of $4.19",
        EXPORT,
        {"ses": True},
        "export entry transaction fee",
        "4.19",
        "r 28A(1)(a)",
    ),
    (
        "in any other case, pay an export entry transaction fee of $6.26",
        EXPORT,
        {"ses": False},
        "export entry transaction fee",
        "6.26",
        "r 28A(1)(b)",
    ),
    (
        "(i) a ship or boat, $42.56",
        DocumentType.OUTWARD_CARGO_REPORT,
        {"mode": SEA},
        "outward cargo transaction fee",
        "42.56",
        "r 29A(3)(a)(i)",
    ),
    (
        "(ii) an aircraft, $45.53",
        DocumentType.OUTWARD_CARGO_REPORT,
        {"mode": AIR},
        "outward cargo transaction fee",
        "45.53",
        "r 29A(3)(a)(ii)",
    ),
    (
        "(i) a ship or boat, $13.19",
        DocumentType.EXPORT_EXEMPTION,
        {"mode": SEA},
        "outward cargo transaction fee",
        "13.19",
        "r 29A(3)(b)(i)",
    ),
    (
        "(ii) an aircraft, $69.94",
        DocumentType.EXPORT_EXEMPTION,
        {"mode": AIR},
        "outward cargo transaction fee",
        "69.94",
        "r 29A(3)(b)(ii)",
    ),
]


@pytest.mark.parametrize(
    "case", FEE_RATES, ids=[case[-1] + " " + case[1].value for case in FEE_RATES]
)
def test_fee_quotes_the_regulations(
    case: tuple[str, DocumentType, dict[str, Any], str, str, str],
) -> None:
    quote, document, facts, name, figure, reference = case
    assert quote in _seed("004")
    result = charged(document, MARCH, **facts)
    assert result.charge is not None
    c = result.charge
    assert (c.regime, c.name, c.amount, str(c.rate_reference)) == (
        "fee",
        name,
        D(figure),
        reference,
    )
    # GST-inclusive (rr 13A(6), 24A(6), 28A(5), 29A(7)): nothing added on top.
    assert (c.gst_treatment, c.gst, c.total) == ("inclusive", D(0), D(figure))
    assert c.gst_reference.number == reference.split()[1].split("(", maxsplit=1)[0]


def test_fees_say_they_include_gst() -> None:
    text = _seed("004")
    for fee in ("inward cargo", "import entry", "export entry", "outward cargo"):
        assert f"The {fee} transaction fee is inclusive of goods and services tax." in text


def test_every_encoded_rate_is_tested() -> None:
    """No rate in levies.toml escapes the quote tests above."""
    tested = {(name, D(figure)) for *_, name, figure in LEVY_RATES}
    tested |= {(name, D(figure)) for _, _, _, name, figure, _ in FEE_RATES}
    encoded = {
        (table.name, rate.amount)
        for tables in (LAW.levies, LAW.fees)
        for table in tables.values()
        for rate in table.rates
    }
    assert encoded == tested


# --- the $1,000 boundary ("more than $1,000" v "$1,000 or less") ------------------------------


@pytest.mark.parametrize(
    ("value", "name"),
    [("1000.00", "low-value goods import levy"), ("1000.01", "high-value goods import levy")],
)
def test_import_boundary(value: str, name: str) -> None:
    result = charged(IMPORT, mode=SEA, value=D(value))
    assert result.charge is not None and result.charge.name == name
    assert str(result.steps[-1].citation) in ("cl 7(2)(b)", "cl 8(2)(b)")


@pytest.mark.parametrize(
    ("value", "name", "figure"),
    [
        ("1000.00", "low-value goods export levy", "3.22"),
        ("1000.01", "high-value goods export levy", "8.13"),
    ],
)
def test_export_boundary(value: str, name: str, figure: str) -> None:
    result = charged(EXPORT, mode=SEA, value=D(value), ses=False)
    assert result.charge is not None
    assert (result.charge.name, result.charge.amount) == (name, D(figure))


@pytest.mark.parametrize(("value", "fee"), [("1000.00", None), ("1000.01", D("53.44"))])
def test_import_entry_fee_boundary(value: str, fee: Decimal | None) -> None:
    result = compute(entry(IMPORT, MARCH, mode=SEA, value=D(value)))
    assert (result.charge.amount if result.charge else None) == fee


def test_export_exemption_document_over_1000_bears_no_levy() -> None:
    """cl 12(2)(a) covers only an export entry; cl 13(2)(b) needs $1,000 or less."""
    result = nothing(DocumentType.EXPORT_EXEMPTION, mode=AIR, value=D("1000.01"))
    assert str(result.steps[-1].citation) == "cl 12(2)(a)"


def test_postal_document_at_1000_bears_no_import_goods_levy() -> None:
    result = nothing(DocumentType.POSTAL_EXEMPTION, value=D("1000.00"))
    assert str(result.steps[-1].citation) == "cl 8(2)(a)"


def test_deemed_entry_over_1000_is_bad_input() -> None:
    with pytest.raises(RowError, match=r"reg 26\(1\)\(c\)") as error:
        compute(entry(DocumentType.DEEMED_ENTRY, mode=AIR, value=D("1000.01")))
    assert error.value.column == "value"


# --- dates: 2026-03-31 fees, 2026-04-01 levies, before 2025-07-01 refused ------------------------

SWITCH = [
    (
        IMPORT,
        {"mode": SEA, "value": D("5000")},
        "import entry transaction fee",
        "high-value goods import levy",
    ),
    (
        EXPORT,
        {"mode": SEA, "value": D("5000"), "ses": True},
        "export entry transaction fee",
        "high-value goods export levy",
    ),
    (
        DocumentType.CARRIER_INWARD_CARGO_REPORT,
        {"mode": AIR},
        "inward cargo transaction fee",
        "empty container levy",
    ),
    (
        DocumentType.EXPORT_EXEMPTION,
        {"mode": SEA, "value": D("5")},
        "outward cargo transaction fee",
        "low-value goods export levy",
    ),
    (
        DocumentType.TRANSHIPMENT_REQUEST,
        {"mode": SEA},
        None,
        "internationally transhipped goods levy",
    ),
    (DocumentType.UPU_MAIL_ARRIVAL, {"weight_kg": D("10")}, None, "UPU mail levy"),
    (DocumentType.COMMERCIAL_VESSEL_ARRIVAL, {"mode": SEA}, None, "commercial vessel levy"),
    (DocumentType.OUTWARD_CARGO_REPORT, {"mode": SEA}, "outward cargo transaction fee", None),
]


@pytest.mark.parametrize(("document", "facts", "before", "after"), SWITCH)
def test_march_31_fee_april_1_levy(
    document: DocumentType, facts: dict[str, Any], before: str | None, after: str | None
) -> None:
    march = compute(entry(document, MARCH, **facts))
    april = compute(entry(document, APRIL, **facts))
    assert (march.charge.name if march.charge else None) == before
    assert (april.charge.name if april.charge else None) == after
    if march.charge:
        assert march.charge.regime == "fee"
    if april.charge:
        assert april.charge.regime == "levy"


def test_dates_before_encoded_fees_are_refused() -> None:
    compute(entry(EXPORT, dt.date(2025, 7, 1), ses=True))
    with pytest.raises(LawNotEncoded, match="2025-06-30"):
        compute(entry(EXPORT, dt.date(2025, 6, 30), ses=True))


def test_fee_windows_end_when_revoked() -> None:
    """cls 22–25 revoke regs 13A, 24A, 28A and 29A from 1 April 2026."""
    text = _seed("003")
    for number in ("13A", "24A", "28A", "29A"):
        assert f"Revoke regulation {number}." in text
    for table in LAW.fees.values():
        assert all(rate.window.end == APRIL for rate in table.rates)
    assert "This order comes into force on 1 April 2026." in text
    assert LAW.order_in_force == APRIL


# --- GST ----------------------------------------------------------------------------------


def test_gst_standard_is_exact_and_cited() -> None:
    c = charged(IMPORT, mode=SEA, value=D("1500")).charge
    assert c is not None
    # 73.87 × 0.15 = 11.0805 exactly; nothing rounded.
    assert (c.gst, c.total) == (D("11.0805"), D("84.9505"))
    assert (str(c.gst_reference), c.gst_reference.instrument) == (
        "s 8(1)",
        "Goods and Services Tax Act 1985",
    )


@pytest.mark.parametrize("treatment", ["zero", "none"])
def test_gst_if_any_can_be_nil(treatment: str) -> None:
    c = charged(IMPORT, mode=SEA, value=D("1500"), gst=treatment).charge
    assert c is not None
    assert (c.gst_treatment, c.gst, c.total) == (treatment, D(0), D("73.87"))
    assert str(c.gst_reference) == "sch 2 high-value goods import levy"


def test_upu_mail_levy_per_kilogram() -> None:
    c = charged(DocumentType.UPU_MAIL_ARRIVAL, weight_kg=D("1234.567")).charge
    assert c is not None
    assert c.amount == D("493.8268")  # 0.40 × 1234.567
    assert c.quantity == D("1234.567")


# --- responsible persons and due dates --------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "facts", "clause"),
    [
        (IMPORT, {"mode": SEA, "value": D("1500")}, "cl 7(3)"),
        (IMPORT, {"mode": SEA, "value": D("15")}, "cl 8(3)"),
        (DocumentType.TRANSHIPMENT_REQUEST, {"mode": SEA}, "cl 9(3)"),
        (DocumentType.CARRIER_INWARD_CARGO_REPORT, {}, "cl 10(3)"),
        (DocumentType.UPU_MAIL_ARRIVAL, {"weight_kg": D("1")}, "cl 11(3)"),
        (EXPORT, {"mode": AIR, "value": D("1500")}, "cl 12(3)"),
        (EXPORT, {"mode": AIR, "value": D("15")}, "cl 13(3)"),
        (DocumentType.COMMERCIAL_VESSEL_ARRIVAL, {}, "cl 14(2)"),
    ],
)
def test_who_is_responsible(document: DocumentType, facts: dict[str, Any], clause: str) -> None:
    c = charged(document, **facts).charge
    assert c is not None and str(c.responsible_reference) == clause


@pytest.mark.parametrize(
    ("document", "facts", "day", "due"),
    [
        (EXPORT, {"mode": AIR, "value": D("1500")}, dt.date(2026, 12, 31), dt.date(2027, 1, 20)),
        (EXPORT, {"mode": SEA, "value": D("1")}, dt.date(2026, 4, 20), dt.date(2026, 5, 20)),
        (
            DocumentType.TRANSHIPMENT_REQUEST,
            {"mode": AIR},
            dt.date(2026, 4, 30),
            dt.date(2026, 5, 20),
        ),
        (DocumentType.CARRIER_INWARD_CARGO_REPORT, {}, dt.date(2026, 6, 1), dt.date(2026, 7, 20)),
        (
            DocumentType.DEEMED_ENTRY,
            {"mode": AIR, "value": D("9"), "deemed_entry_kind": DeemedEntryKind.WRITE_OFF_REQUEST},
            dt.date(2026, 4, 2),
            dt.date(2026, 5, 20),
        ),
        (
            DocumentType.UPU_MAIL_ARRIVAL,
            {"weight_kg": D("3"), "invoice_date": dt.date(2026, 5, 15)},
            dt.date(2026, 5, 2),
            dt.date(2026, 6, 14),
        ),
        (
            DocumentType.COMMERCIAL_VESSEL_ARRIVAL,
            {"invoice_date": dt.date(2026, 12, 10)},
            dt.date(2026, 12, 1),
            dt.date(2027, 1, 9),
        ),
        (
            IMPORT,
            {"mode": SEA, "value": D("1500"), "duty_due_date": dt.date(2026, 5, 20)},
            dt.date(2026, 4, 8),
            dt.date(2026, 5, 20),
        ),
        (IMPORT, {"mode": SEA, "value": D("1500")}, dt.date(2026, 4, 8), None),
    ],
)
def test_due_dates(
    document: DocumentType, facts: dict[str, Any], day: dt.date, due: dt.date | None
) -> None:
    c = charged(document, day, **facts).charge
    assert c is not None and c.due_date == due


def test_duty_due_before_the_entry_falls_to_the_act() -> None:
    """Schedule 2 column 3 (b): the other duty's due date preceded the entry."""
    result = charged(
        IMPORT, dt.date(2026, 5, 1), mode=SEA, value=D("1500"), duty_due_date=dt.date(2026, 4, 20)
    )
    assert result.charge is not None and result.charge.due_date is None
    assert any("paragraph (b)" in note for note in result.notes)


def test_upu_mail_return_date_is_noted() -> None:
    result = charged(DocumentType.UPU_MAIL_ARRIVAL, dt.date(2026, 12, 3), weight_kg=D("1"))
    assert any("2027-01-15 (cl 17(2)(b))" in note for note in result.notes)


def test_fee_of_50_or_more_is_due_the_20th_of_next_month() -> None:
    """rr 13A(4)(a), 29A(5)(a): a fee of $50 or more alone reaches the monthly total."""
    c = charged(DocumentType.EXPORT_EXEMPTION, dt.date(2026, 1, 15), mode=AIR).charge
    assert c is not None and (c.amount, c.due_date) == (D("69.94"), dt.date(2026, 2, 20))
    small = charged(EXPORT, dt.date(2026, 1, 15), ses=False).charge
    assert small is not None and small.due_date is None  # needs the payer's month (batch)


# --- excluded goods (cl 4), exemptions (cl 15, r 24A(4)) ---------------------------------------


@pytest.mark.parametrize(
    ("document", "facts", "name", "clause"),
    [
        (IMPORT, {"mode": SEA, "value": D("5000")}, "short_landed", "cl 4(a)(i)"),
        (IMPORT, {"mode": SEA, "value": D("5000")}, "accompanied_personal", "cl 4(a)(ii)"),
        (IMPORT, {"mode": SEA, "value": D("5000")}, "recreational_craft", "cl 4(a)(iii)"),
        (IMPORT, {"mode": SEA, "value": D("50")}, "craft_stores", "cl 4(a)(iv)"),
        (IMPORT, {"mode": SEA, "value": D("50")}, "carnet", "cl 4(a)(v)"),
        (IMPORT, {"mode": AIR, "value": D("50")}, "diplomatic", "cl 4(a)(vi)"),
        (IMPORT, {"mode": AIR, "value": D("5000")}, "human_remains", "cl 4(a)(vii)"),
        (DocumentType.TRANSHIPMENT_REQUEST, {"mode": SEA}, "carnet", "cl 4(b)(i)"),
        (DocumentType.TRANSHIPMENT_REQUEST, {"mode": SEA}, "diplomatic", "cl 4(b)(ii)"),
        (DocumentType.TRANSHIPMENT_REQUEST, {"mode": SEA}, "human_remains", "cl 4(b)(iii)"),
        (DocumentType.UPU_MAIL_ARRIVAL, {"weight_kg": D("5")}, "remains_on_board", "cl 4(c)(i)"),
        (
            DocumentType.UPU_MAIL_ARRIVAL,
            {"weight_kg": D("5")},
            "transhipped_under_control",
            "cl 4(c)(ii)",
        ),
        (DocumentType.UPU_MAIL_ARRIVAL, {"weight_kg": D("5")}, "carnet", "cl 4(c)(iii)"),
        (DocumentType.UPU_MAIL_ARRIVAL, {"weight_kg": D("5")}, "diplomatic", "cl 4(c)(iv)"),
        (DocumentType.UPU_MAIL_ARRIVAL, {"weight_kg": D("5")}, "human_remains", "cl 4(c)(v)"),
        (EXPORT, {"mode": SEA, "value": D("5000"), "ses": False}, "carnet", "cl 4(d)(ii)"),
        (EXPORT, {"mode": SEA, "value": D("50")}, "diplomatic", "cl 4(d)(iii)"),
        (EXPORT, {"mode": AIR, "value": D("50")}, "human_remains", "cl 4(d)(iv)"),
    ],
)
def test_excluded_goods(
    document: DocumentType, facts: dict[str, Any], name: str, clause: str
) -> None:
    result = nothing(document, excluded=frozenset({name}), **facts)
    assert clause in [str(s.citation) for s in result.steps]


def test_exclusion_of_another_levy_does_not_exclude() -> None:
    """cl 4(b) does not list recreational craft: the transhipment levy still applies."""
    result = charged(
        DocumentType.TRANSHIPMENT_REQUEST, mode=SEA, excluded=frozenset({"recreational_craft"})
    )
    assert any("recreational_craft" in note for note in result.notes)


def test_upu_mail_exports_are_excluded() -> None:
    result = nothing(EXPORT, mode=AIR, value=D("5000"), upu_mail=True)
    assert str(result.steps[-1].citation) == "cl 4(d)(i)"


def test_upu_mail_import_below_1000_pays_no_low_value_levy() -> None:
    """cl 8(2)(c): goods subject to the UPU mail levy."""
    result = nothing(IMPORT, mode=AIR, value=D("999"), upu_mail=True)
    assert str(result.steps[-1].citation) == "cl 8(2)(c)"


def test_transhipment_request_solely_of_upu_mail() -> None:
    result = nothing(DocumentType.TRANSHIPMENT_REQUEST, mode=AIR, upu_mail=True)
    assert str(result.steps[-1].citation) == "cl 3 international transhipment request (b)"


def test_carrier_report_without_empty_containers() -> None:
    result = nothing(DocumentType.CARRIER_INWARD_CARGO_REPORT, empty_containers=False)
    assert str(result.steps[-1].citation) == "cl 10(2)(b)"


@pytest.mark.parametrize("letter", list("abcdefghij"))
def test_commercial_vessel_exemptions(letter: str) -> None:
    result = nothing(DocumentType.COMMERCIAL_VESSEL_ARRIVAL, vessel_exemption=frozenset({letter}))
    assert str(result.steps[-1].citation) == f"cl 15({letter})"
    assert f"({letter})" in _seed("003")


def test_commercial_vessel_travels_by_sea() -> None:
    with pytest.raises(RowError, match=r"cl 14\(5\)\(a\)"):
        compute(entry(DocumentType.COMMERCIAL_VESSEL_ARRIVAL, mode=AIR))


@pytest.mark.parametrize(
    ("name", "clause"),
    [
        ("for_export", "r 24A(4)(a)"),
        ("between_controlled_areas", "r 24A(4)(b)"),
        ("short_landed", "r 24A(4)(c)"),
        ("incomplete_details", "r 24A(4)(d)"),
        ("accompanied_personal", "r 24A(4)(e)"),
        ("recreational_craft", "r 24A(4)(f)"),
        ("craft_stores", "r 24A(4)(f)"),
    ],
)
def test_import_entry_fee_exemptions(name: str, clause: str) -> None:
    result = nothing(IMPORT, MARCH, mode=SEA, value=D("5000"), excluded=frozenset({name}))
    assert str(result.steps[-1].citation) == clause


def test_deemed_entry_kinds_before_april() -> None:
    """r 13A(1)(b): only a document of write-off requests (reg 26(2)(b)(iii)) bears the fee."""
    nothing(
        DocumentType.DEEMED_ENTRY,
        MARCH,
        mode=SEA,
        deemed_entry_kind=DeemedEntryKind.SIMPLIFIED_ENTRY,
    )
    with pytest.raises(RowError, match="deemed_entry_kind"):
        compute(entry(DocumentType.DEEMED_ENTRY, MARCH, mode=SEA))


# --- cancellation, amendment, transition (cl 5, cl 20, Schedule 1) ------------------------------


def test_cancelled_levy_is_refunded_within_4_years() -> None:
    result = nothing(
        EXPORT,
        dt.date(2026, 6, 1),
        mode=AIR,
        value=D("5000"),
        status=Status.CANCELLED,
        original_date=dt.date(2026, 5, 1),
        paid_date=dt.date(2026, 5, 20),
    )
    assert result.adjustment is not None
    assert (result.adjustment.kind, result.adjustment.amount) == ("refund", D("3.8525"))
    assert str(result.adjustment.reference) == "cl 20(1)(a)"
    assert result.adjustment.refund_by == dt.date(2030, 5, 20)
    assert "cl 5(1)(b)" in [str(s.citation) for s in result.steps]


def test_declined_fee_is_not_payable() -> None:
    result = nothing(EXPORT, MARCH, ses=False, status=Status.DECLINED, paid_date=MARCH)
    assert result.adjustment is not None
    assert (result.adjustment.amount, str(result.adjustment.reference)) == (D("6.26"), "r 28A(4)")


def test_amendment_reads_with_the_original_date() -> None:
    """Schedule 1 cl 2: lodged 2026-03-31, amended 2026-04-01 — the fee, not the levy."""
    result = charged(
        IMPORT, APRIL, mode=SEA, value=D("5000"), status=Status.AMENDED, original_date=MARCH
    )
    assert result.charge is not None and result.charge.name == "import entry transaction fee"
    assert "sch 1 cl 2(2)" in [str(s.citation) for s in result.steps]


def test_amendment_of_a_fee_free_document_after_april_is_flagged() -> None:
    result = nothing(
        IMPORT, APRIL, mode=SEA, value=D("500"), status=Status.AMENDED, original_date=MARCH
    )
    assert str(result.steps[-1].citation) == "sch 1 cl 2(1)(b)"
    assert any(note.startswith("doubtful") for note in result.notes)


def test_original_after_amendment_is_bad_input() -> None:
    with pytest.raises(RowError, match="original_date"):
        compute(
            entry(
                IMPORT,
                APRIL,
                mode=SEA,
                value=D("5"),
                status=Status.AMENDED,
                original_date=dt.date(2026, 4, 2),
            )
        )


# --- missing facts are located ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "facts", "column"),
    [
        (IMPORT, {"value": D("5")}, "mode"),
        (IMPORT, {"mode": SEA}, "value"),
        (EXPORT, {"mode": SEA, "value": D("5000")}, "ses"),
        (DocumentType.UPU_MAIL_ARRIVAL, {}, "weight_kg"),
        (DocumentType.TRANSHIPMENT_REQUEST, {}, "mode"),
    ],
)
def test_missing_facts_name_their_column(
    document: DocumentType, facts: dict[str, Any], column: str
) -> None:
    with pytest.raises(RowError) as error:
        compute(entry(document, **facts))
    assert error.value.column == column


def test_air_export_needs_no_ses_answer() -> None:
    charged(EXPORT, mode=AIR, value=D("5000"))
