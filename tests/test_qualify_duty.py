"""Duty saved in the comparison, on real tariff items of the NZ Working Tariff Document as at
1 January 2022 (``../shared/reference/nz_tariff/wtd_2022-01-01_tariff_items.csv``, read at
test time; skipped where the reference data is not beside the repository).

The good is the bundled demo chair (goods of Australia, imported 2025-06-01, decided
originating under ANZCERTA), given a tariff item and a customs value of 260.00. The rates are
read as docs/tariff-rates.md says (WTD Introduction, "Preferential Tariff" and Part I note 2).
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from importlib import resources
from pathlib import Path

import attrs
import pytest

from hs_data.tariff_rates import TariffRates
from origin import registry, strict_json
from origin.caseio import case_from_json
from origin.comparison import Status, qualify
from origin.hs import HSCode
from origin.model import Case, OriginStatus

REFERENCE = Path(
    os.environ.get("ORIGIN_REFERENCE", Path(__file__).resolve().parents[2] / "shared/reference")
)
TABLE = REFERENCE / "nz_tariff" / "wtd_2022-01-01_tariff_items.csv"


@pytest.fixture(scope="module")
def rates() -> TariffRates:
    if not TABLE.exists():
        pytest.skip(f"reference data not here: {TABLE}")
    return TariffRates.load(TABLE)


def chair(item: str, value: str = "260.00") -> Case:
    text = resources.files("origin").joinpath("data/demo_case.json").read_text(encoding="utf-8")
    case = case_from_json(strict_json.loads(text), "demo")
    # The item's HS subheading is the good's code (the model refuses an item outside it).
    hs = HSCode.parse(item[:7])
    good = attrs.evolve(case.good, hs=hs, tariff_item=item, customs_value=Decimal(value))
    return attrs.evolve(case, good=good)


def rows(case: Case, rates: TariffRates, date: dt.date | None = None) -> dict[str, object]:
    return {row.agreement: row for row in qualify(case, date, rates=rates).rows}


def test_ad_valorem_item_free_under_the_general_preferential_rate(rates: TariffRates) -> None:
    # 9401.71.00 (upholstered seats with metal frames): Normal 5; Preferential "Free" (the
    # general Free, for AU among others), "CPT 1.4 | 1/2023 0.7 | 1/2024 Free",
    # "RCEP 4.7 | 1/2023 4.3".
    # ANZCERTA (AU): normal 260.00 × 5 % = 13.00; preferential Free = 0; saved 13.00.
    found = rows(chair("9401.71.00"), rates)
    anzcerta = found["anzcerta"]
    assert anzcerta.status == Status.ORIGINATING
    assert anzcerta.duty.code == "AU"
    assert (anzcerta.duty.normal, anzcerta.duty.preferential, anzcerta.duty.saved) == (
        Decimal("13.00"), Decimal("0.00"), Decimal("13.00"),
    )  # fmt: skip
    assert "9401.71.00" in anzcerta.duty.source and "2022-01-01" in anzcerta.duty.source
    # RCEP applies but needs information; its duty is shown as what a claim would save:
    # on 2025-06-01 the last staged rate, 4.3 (from 1/2023): 260.00 × 4.3 % = 11.18;
    # saved 13.00 − 11.18 = 1.82 (a note says later amendments are not reflected).
    rcep = found["rcep"]
    assert rcep.status == Status.NEEDS_INFORMATION
    assert (rcep.duty.preferential, rcep.duty.saved) == (Decimal("11.180"), Decimal("1.820"))
    assert rcep.duty.rates.notes  # the date is after the table's: said
    # The comparison is ranked with duty figures, and says so.
    comparison = qualify(chair("9401.71.00"), rates=rates)
    assert comparison.ranking.startswith("originating first, then by duty saved")


def test_staged_rate_on_two_dates(rates: TariffRates) -> None:
    # CPTPP's rate for 9401.71.00 is staged: 1.4 from the table's date, 0.7 from 1/2023,
    # Free from 1/2024. On 2022-06-01: 260.00 × 1.4 % = 3.64, saved 13.00 − 3.64 = 9.36.
    # On 2023-06-01: 260.00 × 0.7 % = 1.82, saved 11.18.
    for day, preferential, saved in (
        (dt.date(2022, 6, 1), "3.640", "9.360"),
        (dt.date(2023, 6, 1), "1.820", "11.180"),
    ):
        duty = rows(chair("9401.71.00"), rates, day)["cptpp"].duty
        assert (duty.preferential, duty.saved) == (Decimal(preferential), Decimal(saved)), day


def test_free_item_saves_nothing(rates: TariffRates) -> None:
    # 0101.21.00 (pure-bred breeding horses): Normal Free, Preferential Free: 0 saved.
    duty = rows(chair("0101.21.00"), rates)["anzcerta"].duty
    assert (duty.normal, duty.preferential, duty.saved) == (
        Decimal("0.00"), Decimal("0.00"), Decimal("0.00"),
    )  # fmt: skip


def test_specific_rate_is_needs_review_never_a_figure(rates: TariffRates) -> None:
    # 2208.50.06 (gin for further manufacture): Normal "per l al", a specific rate: the duty
    # cannot be computed from the customs value, so no figure, and the ranking says so.
    anzcerta = rows(chair("2208.50.06"), rates)["anzcerta"]
    assert anzcerta.duty.saved is None
    assert anzcerta.duty.review
    comparison = qualify(chair("2208.50.06"), rates=rates)
    assert comparison.ranking.startswith("by verdict")


def test_agreement_newer_than_the_table_is_needs_review(rates: TariffRates) -> None:
    # NZ–UK entered into force on 2023-05-31; the abbreviation GB was in use before for
    # goods of the UK, so the 2022 table's GB rates are not this agreement's (law file:
    # tariff_preference.rates_from).
    agreement = registry.get("nz-uk")
    case = chair("9401.71.00")
    case = attrs.evolve(
        case,
        good=attrs.evolve(case.good, produced_in=("GB",), last_process_in="GB"),
        consignment=attrs.evolve(case.consignment, exported_from="GB"),
        # The demo's Australian materials are not originating under NZ–UK.
        materials=tuple(
            attrs.evolve(m, status=OriginStatus.NON_ORIGINATING) for m in case.materials
        ),
    )
    (row,) = qualify(case, rates=rates, agreements=[agreement]).rows
    assert row.applies
    assert row.duty is not None and row.duty.saved is None
    assert "predates this agreement's preference" in row.duty.review


def test_without_customs_value_or_item_there_is_no_figure(rates: TariffRates) -> None:
    case = chair("9401.71.00")
    no_value = attrs.evolve(case, good=attrs.evolve(case.good, customs_value=None))
    assert "customs value" in rows(no_value, rates)["anzcerta"].duty.review
    no_item = attrs.evolve(case, good=attrs.evolve(case.good, tariff_item=None))
    assert "tariff item" in rows(no_item, rates)["anzcerta"].duty.review
    assert "tariff item is not given" in qualify(no_item, rates=rates).ranking
