"""Canada (reg 40): provisions beyond the worked cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from origin import registry
from origin.caseio import case_from_json
from origin.citation import cite
from origin.determination import Verdict
from origin.engine import CaseError
from origin.law import LawNotEncoded

CANADA = registry.get("canada")
DATE = dt.date(2025, 6, 1)


def _case(facts: dict[str, Any] | None = None, **good: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema": "origin-case/1",
        "currency": "CAD",
        "good": {
            "id": "G",
            "hs": "8903.99",
            "produced_in": ["CA"],
            "last_process_in": "CA",
            **good,
        },
        "materials": [
            {
                "id": "S",
                "hs": "7606.12",
                "value": "420.00",
                "status": "originating",
                "origin_country": "CA",
            },
            {"id": "R", "hs": "7616.10", "value": "580.00", "status": "non-originating"},
        ],
        "consignment": {"exported_from": "CA", "transit": []},
    }
    if facts:
        data["facts"] = facts
    return data


def _verdict(data: dict[str, Any], date: dt.date = DATE) -> Verdict:
    return CANADA.determine(case_from_json(data), date).verdict


@pytest.mark.parametrize(
    ("facts", "verdict"),
    [
        (None, Verdict.NOT_ORIGINATING),  # 420 / 1000 = 42% < half
        ({"lower_share": "42; CE determination 2025/9"}, Verdict.ORIGINATING),  # 42% ≥ 42%
        ({"lower_share": "42.01%"}, Verdict.NOT_ORIGINATING),
    ],
)
def test_lower_share_determined_by_the_chief_executive(
    facts: dict[str, Any] | None, verdict: Verdict
) -> None:
    assert _verdict(_case(facts)) is verdict


def test_lower_share_must_start_with_a_percentage() -> None:
    with pytest.raises(CaseError, match="lower_share"):
        _verdict(_case({"lower_share": "CE determination 2025/9"}))


def test_exported_from_elsewhere_fails() -> None:
    """r 40(2): exported directly from Canada."""
    data = _case({"lower_share": "40"})
    data["consignment"]["exported_from"] = "US"
    assert _verdict(data) is Verdict.NOT_ORIGINATING


def test_dates_before_coverage_refused() -> None:
    with pytest.raises(LawNotEncoded, match="2018-10-01"):
        _verdict(_case(), dt.date(2018, 9, 30))


def test_valuation_and_category_are_structured_citations() -> None:
    """Issue 13: materials are valued "as received into factory, excluding" duties
    (r 40(3)(a)) and wholly produced goods rest on r 40(1)(a): both are in the
    determination's structured citations, not only on its rows and in summaries. Canada has
    no country list, so no list step."""
    d = CANADA.determine(case_from_json(_case()), DATE)
    cited = {str(c) for c in d.citations()}
    assert "r 40(3)(a)" in cited
    valuation = next(s for top in d.steps for s in top.walk() if s.citation == cite("r 40(3)(a)"))
    assert dict(valuation.inputs)["materials"] == 2
    assert not [s for s in d.steps if s.test == "group countries relied on"]
    packed = _case()
    packed["materials"].append(
        {"id": "CRATE", "hs": "4415.10", "value": "10.00", "packaging": "shipment"}
    )
    d = CANADA.determine(case_from_json(packed), DATE)
    assert "r 40(4)(c)" in {str(c) for c in d.citations()}
