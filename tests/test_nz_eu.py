"""NZ–EU (regs 51ZZM–51ZZN with EU FTA Chapter 3): dates, the group's dated countries, MaxNOM
compared exactly, the review of what was not read, and the engine's properties here.

The worked cases in ``agreements/cases/nz-eu/`` are run by ``tests/test_conformance.py``; the
tests here cover what a worked case cannot say (a refused date, a replaced list, properties).
"""

from __future__ import annotations

import copy
import datetime as dt
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import worked
from hypothesis import given, settings
from hypothesis import strategies as st

from origin import registry
from origin.caseio import case_from_json
from origin.cli import main
from origin.determination import Verdict
from origin.groups import Membership
from origin.law import LawNotEncoded
from origin.psr import MaxNonOriginating, parse_rule

AGREEMENT = registry.get("nz-eu")
CASES = Path(__file__).parents[1] / "agreements" / "cases" / "nz-eu"
DATE = dt.date(2025, 6, 1)


def _worked(name: str) -> dict[str, Any]:
    return worked.load(CASES / f"{name}.json")


def _machine(motor: str, *, rule: str = "MaxNOM 50 % (EXW)", ex_works: str = "1000.00") -> Any:
    data = copy.deepcopy(_worked("03-maxnom-exactly-50")["case"])
    data["psr"] = rule
    data["good"]["ex_works"] = ex_works
    data["materials"][0]["value"] = motor
    return case_from_json(data)


# --------------------------------------------------------------------------- dates and law


def test_a_date_before_1_may_2024_is_refused() -> None:
    case = case_from_json(_worked("03-maxnom-exactly-50")["case"])
    with pytest.raises(LawNotEncoded, match="2024-05-01"):
        AGREEMENT.determine(case, dt.date(2024, 4, 30))
    assert AGREEMENT.determine(case, dt.date(2024, 5, 1)).verdict is Verdict.ORIGINATING


def test_the_cli_refuses_the_date_with_the_dates_covered(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(CASES / "03-maxnom-exactly-50.json")
    assert main(["determine", path, "--agreement", "nz-eu", "--date", "2024-04-30"]) == 2
    assert "from 2024-05-01" in capsys.readouterr().err


def test_the_group_and_the_unknown_preference_code() -> None:
    law = AGREEMENT.law
    assert law.parties == ("NZ",)  # the other Party; the group is the dated list
    assert AGREEMENT.membership is not None
    group = AGREEMENT.membership.on(DATE)
    assert len(group - {"AD", "MC", "SM", "EA"}) == 27  # the member states of the Union
    assert {"AD", "MC", "SM", "ES", "CY", "EA"} <= group
    assert "GB" not in group and "CH" not in group
    # The WTD of 1 January 2022 predates the FTA: no code is known, none is invented.
    assert law.preference_codes == ()
    assert law.preference_codes_of(None) == ()
    assert "predates" in law.preference_reference
    assert "tolerance_share" not in law.parameters  # the tolerance article was not read


def test_the_regulation_and_the_articles_are_cited_apart() -> None:
    d = worked.run(AGREEMENT, CASES / "09-insufficient-shelling.json")
    by_text = {str(c): c for c in d.citations()}
    assert by_text["r 51ZZN(2)"].instrument == "Customs and Excise Regulations 1996"
    assert by_text["art 3.6(1)(h)"].instrument == "EU FTA"


# --------------------------------------------------------------------------- MaxNOM


def test_the_annex_3b_wording_parses_as_maxnom_on_the_ex_works_price() -> None:
    rule = parse_rule("MaxNOM 50 % (EXW)")
    assert rule == MaxNonOriginating(Fraction(50), "EXW")


@pytest.mark.parametrize(
    ("motor", "verdict"),
    [("499.99", "originating"), ("500.00", "originating"), ("500.01", "not originating")],
)
def test_maxnom_is_compared_exactly_at_the_cap(motor: str, verdict: str) -> None:
    d = AGREEMENT.determine(_machine(motor), DATE)
    assert d.verdict.value == verdict
    step = next(s for t in d.steps for s in t.walk() if s.test.startswith("maximum non-orig"))
    assert step.value == Fraction(motor) / 10  # VNM / EXW × 100, exact


def test_a_tolerance_review_never_lifts_a_maxnom_cap() -> None:
    d = AGREEMENT.determine(_machine("500.01", rule="CTH and MaxNOM 50 % (EXW)"), DATE)
    assert d.verdict is Verdict.NOT_ORIGINATING


def test_a_failed_change_of_heading_is_never_decided_on_a_guessed_tolerance() -> None:
    for name in (
        "06-tolerance-at-10-percent-needs-review",
        "07-tolerance-one-cent-over-10-percent-needs-review",
    ):
        d = worked.run(AGREEMENT, CASES / f"{name}.json")
        assert d.verdict is Verdict.NEEDS_INFORMATION
        assert any(m.startswith("review: whether the tolerance") for m in d.missing)


# --------------------------------------------------------------------------- the group


def test_a_newer_list_of_the_group_replaces_the_declared_one() -> None:
    assert AGREEMENT.membership is not None
    newer = Membership.from_toml(
        {
            "group": {
                "name": "nz-eu",
                "title": "the EU FTA group",
                "source": "test list without Germany",
                "as_at": dt.date(2025, 1, 1),
                "coverage": {"from": dt.date(2024, 5, 1), "reference": "test"},
            },
            "members": {"FR": {"name": "France"}},
        }
    )
    data = copy.deepcopy(_worked("03-maxnom-exactly-50")["case"])
    data["materials"][1]["origin_country"] = "FR"  # the frame: French, in both lists
    case = case_from_json(data)
    assert AGREEMENT.determine(case, DATE).verdict is Verdict.ORIGINATING
    replaced = AGREEMENT.with_membership(newer)
    assert replaced.determine(case, DATE).verdict is Verdict.NOT_ORIGINATING


@pytest.mark.parametrize("country", ["SM", "MC"])
def test_goods_of_san_marino_and_monaco_need_review(country: str) -> None:
    data = copy.deepcopy(_worked("03-maxnom-exactly-50")["case"])
    data["good"]["produced_in"] = [country]
    data["good"]["last_process_in"] = country
    d = AGREEMENT.determine(case_from_json(data), DATE)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("review" in m for m in d.missing)


def test_production_in_new_zealand_declared_by_the_supplier_needs_review() -> None:
    data = copy.deepcopy(_worked("16-production-in-nz-needs-supplier-declaration")["case"])
    data["facts"] = {"supplier_declaration": True}
    d = AGREEMENT.determine(case_from_json(data), DATE)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("art 3.3(4), not read" in m for m in d.missing)
    data["facts"] = {"supplier_declaration": False}
    assert AGREEMENT.determine(case_from_json(data), DATE).verdict is Verdict.NOT_ORIGINATING


# --------------------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(
    motor=st.integers(min_value=0, max_value=100_000),
    frame=st.integers(min_value=0, max_value=100_000),
)
def test_one_more_originating_material_never_hurts(motor: int, frame: int) -> None:
    data = copy.deepcopy(_worked("03-maxnom-exactly-50")["case"])
    data["materials"][0]["value"] = f"{motor / 100:.2f}"
    data["materials"][1]["value"] = f"{frame / 100:.2f}"
    before = AGREEMENT.determine(case_from_json(data), DATE).verdict
    data["materials"].append(
        {
            "id": "EXTRA",
            "hs": "7318.15",
            "value": "10.00",
            "status": "originating",
            "origin_country": "FR",
            "basis": "customs-value",
        }
    )
    after = AGREEMENT.determine(case_from_json(data), DATE).verdict
    rank = {Verdict.NOT_ORIGINATING: 0, Verdict.NEEDS_INFORMATION: 1, Verdict.ORIGINATING: 2}
    assert rank[after] >= rank[before]
    expected = Verdict.ORIGINATING if motor <= 50_000 else Verdict.NOT_ORIGINATING
    assert before is expected  # VNM / 1000.00 × 100 ≤ 50 exactly when the motor ≤ 500.00
