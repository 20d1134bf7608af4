"""Hong Kong, China (regs 51ZY–51ZZ with the CEP Agreement's Chapter 4): dates, the law file's
values, art 7(2) (minimal operations counted in the RVC), the chapter 61–62 certificate of
r 51ZZ(2), the six months of storage in transit (art 9(b)) and the build-up cost lines.

The worked cases in ``agreements/cases/hong-kong/`` are run by ``tests/test_conformance.py``; the
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

AGREEMENT = registry.get("hong-kong")
CASES = Path(__file__).parents[1] / "agreements" / "cases" / "hong-kong"
DATE = dt.date(2025, 6, 1)


def _case(name: str) -> dict[str, Any]:
    return copy.deepcopy(worked.load(CASES / f"{name}.json")["case"])


def _decide(raw: dict[str, Any], date: dt.date = DATE) -> Any:
    return AGREEMENT.determine(case_from_json(raw), date)


# --------------------------------------------------------------------------- dates and law


def test_a_date_before_1_january_2022_is_refused() -> None:
    """r 51ZZ(1)(b) was replaced on 1 January 2022 (SL 2021/422); the earlier wording is not
    encoded, so a date before it is refused with the dates covered."""
    case = case_from_json(_case("04-build-down-exactly-40"))
    with pytest.raises(LawNotEncoded, match="2022-01-01"):
        AGREEMENT.determine(case, dt.date(2021, 12, 31))
    assert AGREEMENT.determine(case, dt.date(2022, 1, 1)).verdict is Verdict.ORIGINATING


def test_the_cli_refuses_the_date_with_the_dates_covered(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(CASES / "04-build-down-exactly-40.json")
    assert main(["determine", path, "--agreement", "hong-kong", "--date", "2011-01-01"]) == 2
    assert "from 2022-01-01" in capsys.readouterr().err


def test_law_preference_and_articles() -> None:
    law = AGREEMENT.law
    assert law.parties == ("NZ", "HK")
    assert law.preference_codes == ("HK",)
    share = law.value("de_minimis_share", DATE)
    assert share.value == Fraction(1, 10)
    assert str(share.reference) == "art 8(a)"
    assert share.reference.instrument == "CEP Agreement"
    assert law.value("proof_waiver_usd", DATE).value == 1000
    assert law.value("hk_record_years", DATE).value == 7
    assert law.value("transit_storage_months", DATE).value == 6


def test_the_regulation_and_the_articles_are_cited_apart() -> None:
    d = worked.run(AGREEMENT, CASES / "04-build-down-exactly-40.json")
    by_text = {str(c): c for c in d.citations()}
    assert by_text["r 51ZZ(1)"].instrument == "Customs and Excise Regulations 1996"
    assert by_text["r 51ZZ(1)(b)"].instrument == "Customs and Excise Regulations 1996"
    assert by_text["art 5(b)"].instrument == "CEP Agreement"


# --------------------------------------------------------------------------- art 5


def test_a_rule_naming_no_method_is_met_by_either_formula() -> None:
    d = worked.run(AGREEMENT, CASES / "02-build-up-exactly-40.json")
    assert [r.method for r in d.rvc] == ["build-up", "build-down"]
    assert d.verdict is Verdict.ORIGINATING


def test_build_up_without_cost_lines_asks_for_them_only_when_they_decide() -> None:
    raw = _case("02-build-up-exactly-40")
    del raw["costs"]
    d = _decide(raw)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("cost lines" in m for m in d.missing)
    assert _decide(_case("04-build-down-exactly-40") | {"costs": []}).verdict is (
        Verdict.ORIGINATING
    )


def test_an_unknown_cost_category_is_refused() -> None:
    raw = _case("02-build-up-exactly-40")
    raw["costs"][0]["category"] = "royalties"
    with pytest.raises(Exception, match="royalties"):
        _decide(raw)


def test_materials_acquired_in_the_party_lose_their_inland_freight() -> None:
    """art 5(vi): a non-originating material acquired within the Party does not include the
    freight from the supplier's warehouse to the producer."""
    raw = _case("05-build-down-one-cent-below")
    raw["materials"][0]["adjustments"] = [{"kind": "freight", "amount": "0.01"}]
    d = _decide(raw)
    assert {r.method: r.value for r in d.rvc}["build-down"] == 40
    assert d.verdict is Verdict.ORIGINATING


# --------------------------------------------------------------------------- art 7


def test_art_7_2_saves_only_an_rvc_alternative() -> None:
    raw = _case("09-minimal-operations-rvc")
    raw["materials"][0]["value"] = "600.01"  # build-down below 40: only the CTSH is left
    d = _decide(raw)
    assert d.verdict is Verdict.NOT_ORIGINATING


def test_an_rvc_only_rule_is_not_defeated_by_minimal_operations() -> None:
    raw = _case("09-minimal-operations-rvc")
    raw["psr"] = "RVC40"
    d = _decide(raw)
    assert d.verdict is Verdict.ORIGINATING
    assert any(str(c) == "art 7(2)" for c in d.citations())


def test_simple_processes_need_the_fact_only_when_they_decide() -> None:
    raw = _case("08-minimal-operations-ctc")
    raw["good"]["operations"] = ["cutting", "packaging"]
    d = _decide(raw)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("facts.operations_simple" in m for m in d.missing)
    raw["facts"] = {"operations_simple": False}
    assert _decide(raw).verdict is Verdict.ORIGINATING


# --------------------------------------------------------------------------- r 51ZZ(2), art 9


def test_the_certificate_is_asked_only_for_chapters_61_and_62() -> None:
    raw = _case("12-needs-certificate-fact")
    raw["good"]["hs"] = "6307.90"  # chapter 63: no certificate condition
    assert _decide(raw).verdict is Verdict.ORIGINATING
    raw["good"]["hs"] = "6110.20"
    raw["materials"][0]["hs"] = "5208.52"
    d = _decide(raw)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("facts.certificate_of_origin_before_entry" in m for m in d.missing)


def test_storage_over_six_months_loses_the_status() -> None:
    raw = _case("15-needs-storage-six-months")
    raw["facts"] = {"transit_storage_within_six_months": False}
    assert _decide(raw).verdict is Verdict.NOT_ORIGINATING
    raw["consignment"]["transit"][0]["operations"] = ["unloading", "reloading"]
    del raw["facts"]
    assert _decide(raw).verdict is Verdict.ORIGINATING


def test_transit_in_new_zealand_is_not_transit_through_a_non_party() -> None:
    raw = _case("14-transit-entered-commerce")
    raw["consignment"]["transit"][0]["country"] = "NZ"
    assert _decide(raw).verdict is Verdict.ORIGINATING


def test_an_operation_beyond_art_9_b_ii_loses_the_status() -> None:
    raw = _case("16-transit-storage-within-six-months")
    raw["consignment"]["transit"][0]["operations"].append("painting")
    assert _decide(raw).verdict is Verdict.NOT_ORIGINATING
