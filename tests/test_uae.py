"""UAE (reg 51ZZO with UAE CEPA Chapter 3): dates covered, art 3.17 decided, the review of
what was not read, and no number applied for an article not read.

The worked cases in ``agreements/cases/uae/`` are run by ``tests/test_conformance.py``; the
tests here cover what a worked case cannot say (a refused date, that no threshold moves the
verdict).
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
from origin.law import LawNotEncoded

AGREEMENT = registry.get("uae")
CASES = Path(__file__).parents[1] / "agreements" / "cases" / "uae"
DATE = dt.date(2025, 9, 15)


def _worked(name: str) -> dict[str, Any]:
    return worked.load(CASES / f"{name}.json")


def test_a_date_before_28_august_2025_is_refused() -> None:
    case = case_from_json(_worked("09-non-alteration-processed-in-transit")["case"])
    with pytest.raises(LawNotEncoded, match="2025-08-28"):
        AGREEMENT.determine(case, dt.date(2025, 8, 27))
    assert AGREEMENT.determine(case, dt.date(2025, 8, 28)).verdict is Verdict.NOT_ORIGINATING


def test_the_cli_refuses_the_date_with_the_dates_covered(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(CASES / "09-non-alteration-processed-in-transit.json")
    assert main(["determine", path, "--agreement", "uae", "--date", "2025-08-27"]) == 2
    assert "2025-08-28" in capsys.readouterr().err


@pytest.mark.parametrize("vnm", ["0.00", "399.99", "400.00", "600.00", "600.01", "999.99"])
def test_no_rvc_threshold_is_applied(vnm: str) -> None:
    """art 3.4 was not read: whatever the figures, a value rule needs review naming it."""
    data = copy.deepcopy(_worked("03-rvc-figures-at-40-needs-review-art-3-4")["case"])
    data["materials"][0]["value"] = vnm
    d = AGREEMENT.determine(case_from_json(data), DATE)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("art 3.4" in m and m.startswith("review:") for m in d.missing)
    assert d.basis == ()


@pytest.mark.parametrize("operation", ["machining", "assembly", "processing", "painting"])
def test_an_operation_art_3_17_does_not_list_loses_the_status(operation: str) -> None:
    data = copy.deepcopy(_worked("11-transit-storing-only-keeps-status")["case"])
    data["consignment"]["transit"][0]["operations"] = ["unloading", operation]
    d = AGREEMENT.determine(case_from_json(data), DATE)
    assert d.verdict is Verdict.NOT_ORIGINATING
    cited = {str(c) for c in d.citations()}
    assert "art 3.17(2)(a)" in cited


@pytest.mark.parametrize(
    "operations",
    [
        ["unloading", "reloading"],
        ["separation_from_bulk", "splitting", "storing", "repacking"],
        ["labelling_required", "bottling_required", "marking_required"],
        ["preservation", "transport"],
    ],
)
def test_operations_art_3_17_lists_keep_the_status(operations: list[str]) -> None:
    data = copy.deepcopy(_worked("11-transit-storing-only-keeps-status")["case"])
    data["consignment"]["transit"][0]["operations"] = operations
    d = AGREEMENT.determine(case_from_json(data), DATE)
    route = next(s for s in d.steps if s.test == "non-alteration")
    assert route.outcome.name == "MEETS"
    assert d.verdict is Verdict.NEEDS_INFORMATION  # origin itself still turns on art 3.3


def test_never_originating_while_the_criteria_are_unread() -> None:
    for path in worked.files(AGREEMENT):
        d = worked.run(AGREEMENT, path)
        assert d.verdict is not Verdict.ORIGINATING, path.name
        if d.verdict is Verdict.NEEDS_INFORMATION:
            assert d.missing, path.name


def test_no_preference_code_is_invented() -> None:
    assert not AGREEMENT.law.preference_codes
    assert "no abbreviation" in AGREEMENT.law.preference_reference
