"""Canada (reg 40): provisions beyond the worked cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from origin import registry
from origin.caseio import case_from_json
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
