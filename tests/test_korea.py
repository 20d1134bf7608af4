"""Korea (regs 51ZZC–51ZZD with the Korea FTA's Chapter 3): dates, the law file's values, the
art 3.7(3) reading for chapters 1–14, the build-up/build-down notation, non-qualifying
operations, direct transport and the art 3.4(4) lower bound.

The worked cases in ``agreements/cases/korea/`` are run by ``tests/test_conformance.py``; the
tests here cover what a worked case cannot say (a refused date, a fact changed both ways).
"""

from __future__ import annotations

import copy
import datetime as dt
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import worked

from origin import registry
from origin.caseio import case_from_json
from origin.cli import main
from origin.determination import Verdict
from origin.law import LawNotEncoded

AGREEMENT = registry.get("korea")
CASES = Path(__file__).parents[1] / "agreements" / "cases" / "korea"
DATE = dt.date(2025, 6, 1)


def _case(name: str) -> dict[str, Any]:
    return copy.deepcopy(worked.load(CASES / f"{name}.json")["case"])


def _decide(raw: dict[str, Any], date: dt.date = DATE) -> Any:
    return AGREEMENT.determine(case_from_json(raw), date)


# --------------------------------------------------------------------------- dates and law


def test_a_date_before_1_january_2022_is_refused() -> None:
    """r 51ZZD(b) was replaced on 1 January 2022 (SL 2021/422); the earlier wording is not
    encoded, so a date before it is refused with the dates covered."""
    case = case_from_json(_case("03-build-down-exactly-40"))
    with pytest.raises(LawNotEncoded, match="2022-01-01"):
        AGREEMENT.determine(case, dt.date(2021, 12, 31))
    assert AGREEMENT.determine(case, dt.date(2022, 1, 1)).verdict is Verdict.ORIGINATING


def test_the_cli_refuses_the_date_with_the_dates_covered(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(CASES / "03-build-down-exactly-40.json")
    assert main(["determine", path, "--agreement", "korea", "--date", "2015-12-20"]) == 2
    assert "from 2022-01-01" in capsys.readouterr().err


def test_law_preference_and_articles() -> None:
    law = AGREEMENT.law
    assert law.parties == ("NZ", "KR")
    assert law.preference_codes == ("KR",)
    share = law.value("de_minimis_share", DATE)
    assert share.value == Fraction(1, 10)
    assert str(share.reference) == "art 3.7(1)(a)"
    assert share.reference.instrument == "Korea FTA"
    assert law.value("proof_waiver_usd", DATE).value == 1000
    assert law.value("record_years", DATE).value == 5
    assert law.value("declaration_validity_years", DATE).value == 2


def test_the_regulation_and_the_articles_are_cited_apart() -> None:
    d = worked.run(AGREEMENT, CASES / "03-build-down-exactly-40.json")
    by_text = {str(c): c for c in d.citations()}
    assert by_text["r 51ZZD"].instrument == "Customs and Excise Regulations 1996"
    assert by_text["r 51ZZD(b)"].instrument == "Customs and Excise Regulations 1996"
    assert by_text["art 3.4(1)(a)"].instrument == "Korea FTA"


# --------------------------------------------------------------------------- RVC notation


def test_a_rule_naming_no_method_is_build_down_only() -> None:
    """Annex 3-A "RVC(40)" is build-down (MFAT Tariff Finder notation): a build-up of 100 %
    cannot meet it."""
    raw = _case("04-build-down-one-cent-below")
    d = _decide(raw)
    assert [r.method for r in d.rvc] == ["build-down"]
    assert d.verdict is Verdict.NOT_ORIGINATING


def test_rvc_30_40_is_either_method() -> None:
    raw = _case("05-build-up-exactly-30")
    raw["materials"][1]["value"] = "200.00"  # build-up 20 %: only build-down can meet it
    raw["materials"][0]["value"] = "600.00"  # build-down exactly 40 %
    d = _decide(raw)
    assert {r.method: r.value for r in d.rvc} == {"build-up": 20, "build-down": 40}
    assert d.verdict is Verdict.ORIGINATING


# --------------------------------------------------------------------------- art 3.7(3)


def test_chapters_1_to_14_more_than_simple_mixing_keeps_de_minimis() -> None:
    raw = _case("10-chapters-1-14-simple-mixing")
    raw["facts"] = {"more_than_simple_mixing": True}
    d = _decide(raw)
    assert d.verdict is Verdict.ORIGINATING
    assert any("de minimis" in b for b in d.basis)
    assert not any("read literally" in n for n in d.notes)


def test_the_literal_reading_is_noted_where_de_minimis_decides_outside_chapters_1_14() -> None:
    d = worked.run(AGREEMENT, CASES / "07-de-minimis-exactly-10.json")
    assert any("art 3.7(3)" in n and "read literally" in n for n in d.notes)
    over = worked.run(AGREEMENT, CASES / "08-de-minimis-one-cent-over.json")
    assert not any("read literally" in n for n in over.notes)


def test_textiles_have_their_own_de_minimis_without_the_note() -> None:
    d = worked.run(AGREEMENT, CASES / "09-de-minimis-by-weight-textile.json")
    assert d.verdict is Verdict.ORIGINATING
    assert not any("read literally" in n for n in d.notes)


# --------------------------------------------------------------------------- art 3.14, art 3.16


def test_simple_operations_need_the_fact_only_when_they_decide() -> None:
    raw = _case("12-non-qualifying-operations")
    raw["good"]["operations"] = ["packing", "labelling"]
    d = _decide(raw)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("facts.operations_simple" in m for m in d.missing)
    raw["facts"] = {"operations_simple": False}
    assert _decide(raw).verdict is Verdict.ORIGINATING


def test_transit_in_the_other_party_is_not_transit_through_a_non_party() -> None:
    raw = _case("15-transit-released-from-customs-control")
    raw["consignment"]["transit"][0]["country"] = "NZ"
    assert _decide(raw).verdict is Verdict.ORIGINATING


def test_transit_control_not_stated_is_asked_for() -> None:
    raw = _case("15-transit-released-from-customs-control")
    del raw["consignment"]["transit"][0]["entered_commerce"]
    d = _decide(raw)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("released from customs control in CN" in m for m in d.missing)


# --------------------------------------------------------------------------- art 3.4, art 3.5


def test_the_originating_content_deduction_lowers_vnm() -> None:
    """art 3.5(3)(d) (with art 3.4(4)): the cost of originating materials used to produce a
    non-originating material may be deducted from its value."""
    raw = _case("04-build-down-one-cent-below")
    raw["materials"][0]["adjustments"] = [{"kind": "originating_content", "amount": "0.01"}]
    d = _decide(raw)
    assert {r.method: r.value for r in d.rvc} == {"build-down": 40}
    assert d.verdict is Verdict.ORIGINATING


def test_a_customs_value_is_no_value_for_art_3_5() -> None:
    raw = _case("03-build-down-exactly-40")
    raw["materials"][0]["basis"] = "customs-value"
    d = _decide(raw)
    assert d.verdict is Verdict.NEEDS_INFORMATION
