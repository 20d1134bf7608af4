"""Duty rates of the NZ Working Tariff Document and the duty a preference saves.

The real table (``wtd_2022-01-01_tariff_items.csv``) is read from ``../shared/reference`` at
test time (``ORIGIN_REFERENCE`` overrides the folder) and those tests are skipped when it is
absent; nothing of it is copied here. The edge cases of the reading are small CSVs built in
``tmp_path``.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hs_data.tariff_rates import (
    ABBREVIATIONS,
    GENERAL_FREE,
    DutyRates,
    Rate,
    TariffRates,
    exact_decimal,
)
from origin.errors import InputError

REFERENCE = Path(
    os.environ.get("ORIGIN_REFERENCE", Path(__file__).resolve().parents[2] / "shared/reference")
)
REAL = REFERENCE / "nz_tariff" / "wtd_2022-01-01_tariff_items.csv"
AS_AT = dt.date(2022, 1, 1)
VALUE = Decimal("1000.00")


@pytest.fixture(scope="module")
def wtd() -> TariffRates:
    if not REAL.is_file():
        pytest.skip(f"reference data not here: {REAL}")
    return TariffRates.load(REAL)


def table(tmp_path: Path, *rows: str, name: str = "wtd_2022-01-01_items.csv") -> TariffRates:
    path = tmp_path / name
    path.write_text(
        "tariff_item,normal,preferential\n" + "".join(r + "\n" for r in rows), encoding="utf-8"
    )
    return TariffRates.load(path)


# ---------------------------------------------------------------- the real table, worked


def test_real_table_date_from_file_name(wtd: TariffRates) -> None:
    assert wtd.as_at == AS_AT
    assert wtd.source.startswith("NZ Working Tariff Document as at 2022-01-01 (")
    assert len(wtd.tariff_items) == 8288  # 8,289 rows, 9404.40.00 twice


def test_ad_valorem_general_free(wtd: TariffRates) -> None:
    # 0203.11.00 pig carcasses: Normal 5; Preferential "Free | *See Below | CA Free | LDC 4 |
    # RCEP 4.5 | 1/2023 4". AU is not listed: the bare Free applies (Part I note 2).
    # Normal duty 5 % x 1000.00 = 50.00; AU duty 0 % x 1000.00 = 0.00; saved 50.00.
    au = wtd.rates("0203.11.00", "AU", AS_AT)
    assert au.normal == Rate("5", Fraction(5))
    assert au.preferential == Rate("Free", Fraction(0))
    assert au.how.startswith("Free, the general preferential rate (Introduction, Part I note 2")
    assert au.review is None and au.notes == ()
    assert au.amounts(VALUE) == (Decimal("50.00"), Decimal("0.00"), Decimal("50.00"))
    assert au.source == (
        f"NZ Working Tariff Document as at 2022-01-01, tariff item 0203.11.00 ({REAL})"
    )


def test_item_forms_accepted(wtd: TariffRates) -> None:
    # without dots, and with a statistical key: the item is used
    for form in ("02031100", "0203.11.00.02C", "0203.11.00 08B"):
        assert wtd.rates(form, "au", AS_AT).tariff_item == "0203.11.00"


def test_free_item_saves_nothing(wtd: TariffRates) -> None:
    # 0101.21.00 pure-bred breeding horses: Normal Free, Preferential Free.
    # 0 % x 1000.00 = 0.00 both ways; saved 0.00.
    rates = wtd.rates("0101.21.00", "RCEP", AS_AT)
    assert rates.normal.percent == 0
    assert rates.amounts(VALUE) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))


def test_staged_rcep(wtd: TariffRates) -> None:
    # 0203.11.00: "RCEP 4.5" then "1/2023 4" (the date line continues RCEP).
    # 2022-06-01: 4.5 % x 1000.00 = 45.00; saved 50.00 - 45.00 = 5.00.
    mid = wtd.rates("0203.11.00", "RCEP", dt.date(2022, 6, 1))
    assert mid.preferential == Rate("4.5", Fraction(9, 2))
    assert mid.how.startswith("RCEP 4.5, from 1/2023 4 (staged): 4.5 on 2022-06-01")
    assert mid.amounts(VALUE) == (Decimal("50.00"), Decimal("45.00"), Decimal("5.00"))
    assert any("not reflected" in note for note in mid.notes)  # after the document's date
    # 2023-01-01: 4 % x 1000.00 = 40.00; saved 10.00.
    later = wtd.rates("0203.11.00", "RCEP", dt.date(2023, 1, 1))
    assert later.amounts(VALUE) == (Decimal("50.00"), Decimal("40.00"), Decimal("10.00"))
    # 2022-12-31, the day before: still 4.5.
    assert wtd.rates("0203.11.00", "RCEP", dt.date(2022, 12, 31)).preferential == Rate(
        "4.5", Fraction(9, 2)
    )


def test_staged_cptpp_to_free(wtd: TariffRates) -> None:
    # 2933.61.00 melamine, Normal 5: "CPT 1.4 | 1/2023 0.7 | 1/2024 Free".
    cases = {
        # on: (CPT duty, saved) on 1000.00; normal duty 5 % = 50.00
        AS_AT: ("14.00", "36.00"),  # 1.4 % x 1000.00 = 14.00; 50.00 - 14.00
        dt.date(2023, 1, 1): ("7.00", "43.00"),  # 0.7 % = 7.00
        dt.date(2024, 1, 1): ("0.00", "50.00"),  # Free
        dt.date(2031, 5, 9): ("0.00", "50.00"),  # after the last date: the last rate
    }
    for on, (duty, saved) in cases.items():
        amounts = wtd.rates("2933.61.00", "CPT", on).amounts(VALUE)
        assert amounts == (Decimal("50.00"), Decimal(duty), Decimal(saved)), on


def test_ca_gb_ldc(wtd: TariffRates) -> None:
    # 0203.11.00 lists "CA Free" and "LDC 4" but no GB rate.
    ca = wtd.rates("0203.11.00", "CA", AS_AT)
    assert (ca.preferential, ca.how) == (Rate("Free", Fraction(0)), "CA Free (listed for CA)")
    ldc = wtd.rates("0203.11.00", "LDC", AS_AT)  # 4 % x 1000.00 = 40.00; saved 10.00
    assert ldc.amounts(VALUE) == (Decimal("50.00"), Decimal("40.00"), Decimal("10.00"))
    gb = wtd.rates("0203.11.00", "GB", AS_AT)  # Normal applies: 50.00 both ways, saved 0.00
    assert gb.preferential is None
    assert gb.how.startswith("no GB rate listed: Normal Tariff applies")
    assert "In the absence of Preferential Tariff rates" in gb.how
    assert gb.amounts(VALUE) == (Decimal("50.00"), Decimal("50.00"), Decimal("0.00"))
    # 8703.60.11 (Normal 10) lists CA Free and RCEP only: LDC pays the Normal Tariff,
    # 10 % x 1000.00 = 100.00, saved 0.00.
    ldc_car = wtd.rates("8703.60.11", "LDC", AS_AT)
    assert ldc_car.preferential is None
    assert ldc_car.amounts(VALUE) == (Decimal("100.00"), Decimal("100.00"), Decimal("0.00"))


def test_listed_gb_rate(wtd: TariffRates) -> None:
    # 8512.30.29, Normal 5, "GB 3.5": 3.5 % x 1000.00 = 35.00; saved 15.00.
    gb = wtd.rates("8512.30.29", "GB", AS_AT)
    assert gb.amounts(VALUE) == (Decimal("50.00"), Decimal("35.00"), Decimal("15.00"))


def test_specific_rate_is_review(wtd: TariffRates) -> None:
    # 6309.00.01 worn clothing: the Normal "$1.87 per kg" ran into the preferential column.
    worn = wtd.rates("6309.00.01", "RCEP", AS_AT)
    assert worn.normal == Rate("per kg", None)
    assert worn.review is not None
    assert worn.review.startswith("specific or compound rate: needs review")
    assert "'$1.87 Free'" in worn.review  # the raw text is shown
    assert worn.amounts(VALUE) is None
    # 2208.20.04 spirits, "per l al": review for every preference, SG included.
    for code in ABBREVIATIONS:
        spirits = wtd.rates("2208.20.04", code, AS_AT)
        assert spirits.review is not None and spirits.amounts(VALUE) is None


def test_garbled_items_are_review(wtd: TariffRates) -> None:
    # "*See Below LDC 4": two printed lines ran together; RCEP's own lines are fine but the
    # item is not guessed at.
    juice = wtd.rates("2009.69.19", "RCEP", AS_AT)
    assert juice.review is not None and "'*See Below LDC 4'" in juice.review
    assert juice.preferential == Rate("Free | *See Below LDC 4 | RCEP 4.5 | 1/2023 4", None)
    # "The rates applicable to the machine or appliance…": a text, not a rate.
    shafts = wtd.rates("8483.10.11", "AU", AS_AT)
    assert shafts.review is not None and "The rates applicable" in shafts.review
    # "5 Free": Normal and Preferential columns ran together (normal column empty).
    syrup = wtd.rates("2105.00.11", "AU", AS_AT)
    assert syrup.review is not None and "'5 Free'" in syrup.review
    for garbled in ("6108.21.02", "4016.99.79"):  # "*CA Free"; parts' wording
        assert wtd.rates(garbled, "CA", AS_AT).amounts(VALUE) is None


def test_repeated_item_with_different_rates_is_review(wtd: TariffRates) -> None:
    quilts = wtd.rates("9404.40.00", "RCEP", AS_AT)
    assert quilts.review is not None and "listed 2 times with different rates" in quilts.review


def test_date_before_document_and_absent_item(wtd: TariffRates) -> None:
    early = wtd.rates("0203.11.00", "AU", dt.date(2021, 12, 31))
    assert early.review == "the table gives rates as at 2022-01-01, not earlier"
    assert early.amounts(VALUE) is None
    absent = wtd.rates("0203.99.99", "AU", AS_AT)
    assert absent.review is not None and "0203.99.99 is not in" in absent.review


def test_preferential_above_normal_noted(wtd: TariffRates) -> None:
    # 8414.59.05 prints Normal 2.5 and RCEP 4.7 (source as printed): 2.5 % x 1000.00 = 25.00,
    # 4.7 % = 47.00, saved 25.00 - 47.00 = -22.00, with a note.
    fans = wtd.rates("8414.59.05", "RCEP", AS_AT)
    assert fans.amounts(VALUE) == (Decimal("25.00"), Decimal("47.00"), Decimal("-22.00"))
    assert any("higher than the Normal Tariff" in note for note in fans.notes)


def test_real_table_counts(wtd: TariffRates) -> None:
    # docs/tariff-rates.md reports these figures.
    review = [item for item in wtd.tariff_items if wtd.item_review(item) is not None]
    assert (len(wtd.tariff_items) - len(review), len(review)) == (8106, 182)


# ---------------------------------------------------------------- the reading, synthetic


def test_general_free_codes_and_singapore(tmp_path: Path) -> None:
    rates = table(tmp_path, "0101.21.00,5,Free", "0101.29.00,5,..", "0101.30.00,5,")
    for code in ABBREVIATIONS:
        general = rates.rates("0101.21.00", code, AS_AT)
        assert (general.preferential is not None) == (code in GENERAL_FREE), code
        # "..": the Normal Tariff applies; SG is Free for all goods (Part I note 2)
        dots = rates.rates("0101.29.00", code, AS_AT)
        assert (dots.preferential is not None) == (code == "SG"), code
        assert dots.review is None
        empty = rates.rates("0101.30.00", code, AS_AT)
        assert (empty.preferential is not None) == (code == "SG"), code


def test_listed_abbreviation_overrides_general_free(tmp_path: Path) -> None:
    rates = table(tmp_path, "0101.21.00,10,Free | *See below | AU 2.5 | RCEP .. | 1/2023 Free")
    # 2.5 % x 80.00 = 2.00; 10 % x 80.00 = 8.00; saved 6.00
    au = rates.rates("0101.21.00", "AU", AS_AT)
    assert au.amounts(Decimal("80.00")) == (Decimal("8.00"), Decimal("2.00"), Decimal("6.00"))
    rcep = rates.rates("0101.21.00", "RCEP", AS_AT)
    assert rcep.preferential is None and "'..', the Normal Tariff applies" in rcep.how
    assert rates.rates("0101.21.00", "RCEP", dt.date(2023, 1, 1)).preferential == Rate(
        "Free", Fraction(0)
    )


@pytest.mark.parametrize(
    "preferential",
    [
        "Free | CAFree",
        "Free | CA Fre",
        "Free | *CA Free",
        "Free | CA Free RCEP 5",
        "Free | RCEP 5 | plus $31.0891",
        "5 Free",
        "Free | The rates applicable to the machine",
        "Free | 1/2023 4",  # a date with no abbreviation above it
        "Free | RCEP 5 | 1/2023 4 | 1/2022 3",  # dates out of order
        "Free | RCEP 5 | RCEP 4",  # an abbreviation twice
        "Free | RCEP 5 | 13/2023 4",  # no month 13
        "Free | XX 5",
        "Free | CA Free | *See Below",  # the marker after a listing
        "RCEP 5 | Free",  # a bare Free after a listing
    ],
)
def test_strict_grammar(tmp_path: Path, preferential: str) -> None:
    rates = table(tmp_path, f'0101.21.00,5,"{preferential}"')
    for code in ("AU", "CA", "RCEP"):
        read = rates.rates("0101.21.00", code, AS_AT)
        assert read.review is not None and preferential in read.review
        assert read.preferential == Rate(preferential, None)
        assert read.amounts(VALUE) is None


def test_specific_preferential_rate_only_for_its_code(tmp_path: Path) -> None:
    rates = table(tmp_path, "6309.00.01,5,Free | RCEP $ 1.7/kg | 1/2023 $1.6/kg | CA 47¢")
    rcep = rates.rates("6309.00.01", "RCEP", dt.date(2023, 2, 1))
    assert rcep.preferential == Rate("$1.6/kg", None)
    assert rcep.review == "specific or compound rate: needs review (RCEP $1.6/kg)"
    assert rates.rates("6309.00.01", "CA", AS_AT).review is not None
    assert rates.rates("6309.00.01", "AU", AS_AT).review is None  # the general Free


def test_specific_normal_rate(tmp_path: Path) -> None:
    rates = table(tmp_path, "2208.20.04,$56.6251 per l al,..")
    read = rates.rates("2208.20.04", "CA", AS_AT)
    assert read.normal == Rate("$56.6251 per l al", None)
    assert read.review == (
        "specific or compound rate: needs review (Normal Tariff '$56.6251 per l al')"
    )


def test_dated_line_before_document(tmp_path: Path) -> None:
    # "AAN 5 | 1/2020 Free": already Free when the document was published.
    rates = table(tmp_path, "5407.20.01,5,Free | *See Below | AAN 5 | 1/2020 Free")
    assert rates.rates("5407.20.01", "AAN", AS_AT).preferential == Rate("Free", Fraction(0))


def test_repeated_rows(tmp_path: Path) -> None:
    same = table(tmp_path, "0101.21.00,5,Free", "01012100,5,Free")
    assert same.rates("0101.21.00", "AU", AS_AT).review is None
    differ = table(tmp_path, "0101.21.00,5,Free", "0101.21.00,10,Free")
    review = differ.rates("0101.21.00", "AU", AS_AT).review
    assert review is not None and "line 2" in review and "line 3" in review


def test_as_at(tmp_path: Path) -> None:
    plain = tmp_path / "rates.csv"
    plain.write_text("tariff_item,normal,preferential\n0101.21.00,5,Free\n")
    with pytest.raises(InputError, match="date is not in the file name"):
        TariffRates.load(plain)
    assert TariffRates.load(plain, dt.date(2024, 7, 1)).as_at == dt.date(2024, 7, 1)
    bad = tmp_path / "wtd_2022-13-01.csv"
    bad.write_text(plain.read_text())
    with pytest.raises(InputError, match="not a date"):
        TariffRates.load(bad)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tariff_item,normal\n0101.21.00,5\n", "line 1: found columns"),
        ("tariff_item,normal,preferential\n0101.21.00,5,Free\n01012,5,Free\n", "line 3: NZ code"),
        ("tariff_item,normal,preferential\n0101.21.00,5,Free,extra\n", "line 2: more fields"),
        ("tariff_item,normal,preferential\n0101.21.00,5\n", "line 2: no preferential field"),
        ("tariff_item,normal,preferential\n", "no tariff items"),
    ],
)
def test_bad_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "wtd_2022-01-01.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as raised:
        TariffRates.load(path)
    assert str(path) in str(raised.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        TariffRates.load(tmp_path / "wtd_2022-01-01.csv")
    binary = tmp_path / "wtd_2022-01-01.xlsx"
    binary.write_bytes(b"PK\x03\x04\xff\xfe")
    with pytest.raises(InputError, match="not UTF-8"):
        TariffRates.load(binary)


def test_questions_refused(tmp_path: Path) -> None:
    rates = table(tmp_path, "0101.21.00,5,Free")
    with pytest.raises(InputError, match="expected one of"):
        rates.rates("0101.21.00", "XX", AS_AT)
    with pytest.raises(InputError, match="NZ code"):
        rates.rates("0101.21", "AU", AS_AT)
    with pytest.raises(TypeError):
        rates.rates("0101.21.00", "AU", dt.datetime(2022, 1, 1))
    read = rates.rates("0101.21.00", "AU", AS_AT)
    with pytest.raises(TypeError, match="no float"):
        read.amounts(1000.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 0"):
        read.amounts(Decimal("-1"))


def test_exact_decimal() -> None:
    # 4.5 % of 100.01 = 450.045 / 100 = 4.50045, exactly (no rounding to cents)
    assert exact_decimal(Fraction(9, 2) * Fraction(Decimal("100.01")) / 100) == Decimal("4.50045")
    assert str(exact_decimal(Fraction(-7, 4), 3)) == "-1.750"
    with pytest.raises(ValueError, match="no finite decimal expansion"):
        exact_decimal(Fraction(1, 3))
    one_third = DutyRates(
        "0101.21.00", "AU", AS_AT, Rate("5", Fraction(5)), Rate("x", Fraction(1, 3)),
        "by hand", "test", None,
    )  # fmt: skip
    with pytest.raises(ValueError, match="no finite decimal expansion"):
        one_third.amounts(Decimal(1))
    assert one_third.exact_amounts(Decimal(1)) == (
        Fraction(1, 20), Fraction(1, 300), Fraction(1, 20) - Fraction(1, 300),
    )  # fmt: skip


# ---------------------------------------------------------------- property

_RATE = st.one_of(
    st.just("Free"),
    st.integers(0, 400).map(str),
    st.tuples(st.integers(0, 40), st.integers(0, 999)).map(lambda p: f"{p[0]}.{p[1]}"),
)
_VALUE = st.decimals(min_value=0, max_value=10**12, places=4, allow_nan=False)


@given(normal=_RATE, preferential=_RATE, value=_VALUE)
def test_duty_saved_exact(normal: str, preferential: str, value: Decimal) -> None:
    percent = {text: Fraction(0) if text == "Free" else Fraction(text)
               for text in (normal, preferential)}  # fmt: skip
    rates = DutyRates(
        "0101.21.00", "AU", AS_AT, Rate(normal, percent[normal]),
        Rate(preferential, percent[preferential]), "by hand", "test", None,
    )  # fmt: skip
    amounts = rates.amounts(value)
    assert amounts is not None
    normal_duty, preferential_duty, saved = amounts
    # exact: each is percent x value / 100 with no rounding, and saved is the difference
    assert Fraction(normal_duty) == percent[normal] * Fraction(value) / 100
    assert Fraction(preferential_duty) == percent[preferential] * Fraction(value) / 100
    assert saved == normal_duty - preferential_duty
    if percent[preferential] <= percent[normal]:
        assert saved >= 0
    # no preferential rate: the Normal Tariff, nothing saved
    no_preference = DutyRates(
        "0101.21.00", "GB", AS_AT, Rate(normal, percent[normal]), None, "", "test", None
    )
    assert no_preference.amounts(value) == (normal_duty, normal_duty, saved - saved)
