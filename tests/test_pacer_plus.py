"""PACER Plus (regs 51ZZG–51ZZH): dates covered, the declared parties decided, the review of
Chapter 3 (not read), and no number applied for it.

The worked cases in ``agreements/cases/pacer-plus/`` are run by ``tests/test_conformance.py``;
the tests here cover what a worked case cannot say (a refused date, that no threshold moves the
verdict, the parties list replaced).
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import worked

from origin import registry
from origin.caseio import case_from_json
from origin.cli import main
from origin.determination import Verdict
from origin.groups import Membership
from origin.law import LawNotEncoded

AGREEMENT = registry.get("pacer-plus")
CASES = Path(__file__).parents[1] / "agreements" / "cases" / "pacer-plus"
DATE = dt.date(2022, 6, 1)


def _worked(name: str) -> dict[str, Any]:
    return worked.load(CASES / f"{name}.json")


def test_a_date_before_1_january_2022_is_refused() -> None:
    """r 51ZZH(d) was replaced on 1 January 2022; only the replaced wording is held."""
    case = case_from_json(_worked("07-fiji-not-a-declared-party")["case"])
    with pytest.raises(LawNotEncoded, match="2022-01-01"):
        AGREEMENT.determine(case, dt.date(2021, 12, 31))
    assert AGREEMENT.determine(case, dt.date(2022, 1, 1)).verdict is Verdict.NOT_ORIGINATING


def test_the_cli_refuses_the_date_with_the_dates_covered(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(CASES / "07-fiji-not-a-declared-party.json")
    assert main(["determine", path, "--agreement", "pacer-plus", "--date", "2021-12-31"]) == 2
    assert "2022-01-01" in capsys.readouterr().err


@pytest.mark.parametrize("vnm", ["0.00", "599.99", "600.00", "600.01", "999.99"])
def test_no_rvc_threshold_is_applied(vnm: str) -> None:
    """The RVC formula of Section A was not read: a value rule always needs review."""
    data = copy.deepcopy(_worked("03-rvc40-figures-at-threshold-needs-review")["case"])
    data["materials"][0]["value"] = vnm
    d = AGREEMENT.determine(case_from_json(data), DATE)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("regional value content" in m and m.startswith("review:") for m in d.missing)
    assert d.basis == ()


@pytest.mark.parametrize(
    ("country", "date", "verdict"),
    [
        ("AU", DATE, Verdict.NEEDS_INFORMATION),
        ("TV", dt.date(2022, 4, 2), Verdict.NOT_ORIGINATING),
        ("TV", dt.date(2022, 4, 3), Verdict.NEEDS_INFORMATION),
        ("VU", dt.date(2022, 10, 10), Verdict.NOT_ORIGINATING),
        ("VU", dt.date(2022, 10, 11), Verdict.NEEDS_INFORMATION),
        ("FJ", dt.date(2022, 10, 11), Verdict.NOT_ORIGINATING),
        ("PG", DATE, Verdict.NOT_ORIGINATING),
        ("NR", dt.date(2022, 10, 11), Verdict.NOT_ORIGINATING),
    ],
)
def test_the_declared_parties_on_their_dates(country: str, date: dt.date, verdict: Verdict) -> None:
    data = copy.deepcopy(_worked("01-wholly-obtained-samoa-needs-review")["case"])
    data["good"]["produced_in"] = [country]
    data["good"]["last_process_in"] = country
    data["consignment"]["exported_from"] = country
    d = AGREEMENT.determine(case_from_json(data), date)
    assert d.verdict is verdict
    party = next(s for s in d.steps if s.test == "PACER Plus party")
    assert party.outcome.name == ("FAILS" if verdict is Verdict.NOT_ORIGINATING else "MEETS")


def test_a_country_not_listed_after_the_version_read_needs_review() -> None:
    data = copy.deepcopy(_worked("07-fiji-not-a-declared-party")["case"])
    d = AGREEMENT.determine(case_from_json(data), dt.date(2024, 1, 1))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any(m.startswith("review: whether FJ was declared") for m in d.missing)


def test_a_newer_list_replaces_the_order() -> None:
    newer = Membership.from_toml(
        {
            "group": {
                "name": "pacer-plus",
                "title": "specified PACER Plus parties",
                "source": "a test list",
                "as_at": dt.date(2024, 1, 1),
                "coverage": {"from": dt.date(2020, 12, 13), "reference": "test"},
            },
            "members": {"FJ": {"name": "Fiji"}},
        }
    )
    assert AGREEMENT.bind_membership is not None
    decide = AGREEMENT.bind_membership(newer)
    case = case_from_json(_worked("07-fiji-not-a-declared-party")["case"])
    d = decide(case, DATE)
    party = next(s for s in d.steps if s.test == "PACER Plus party")
    assert party.outcome.name == "MEETS"


def test_never_originating_while_chapter_3_is_unread() -> None:
    for path in worked.files(AGREEMENT):
        d = worked.run(AGREEMENT, path)
        assert d.verdict is not Verdict.ORIGINATING, path.name
        if d.verdict is Verdict.NEEDS_INFORMATION:
            assert d.missing, path.name


def test_no_article_number_of_chapter_3_is_cited() -> None:
    """Chapter 3 was not read: every citation is of the regulation, never of an article."""
    for path in worked.files(AGREEMENT):
        d = worked.run(AGREEMENT, path)
        for citation in d.citations():
            assert str(citation).startswith("r 51ZZ"), (path.name, str(citation))


def test_the_preference_code_is_ppp() -> None:
    assert AGREEMENT.law.preference_codes == ("PPP",)
