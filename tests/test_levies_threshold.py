"""Reg 70: duty need not be collected on goods worth $1,000 or less (and its exceptions)."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib
import re
from decimal import Decimal
from pathlib import Path

import pytest

from levies.threshold import ALCOHOL_HEADINGS, TOBACCO_HEADINGS, Circumstance, duty_threshold
from origin.errors import InputError
from origin.law import LawNotEncoded

D = Decimal
SEEDS = Path("/work/shared/seeds")
DAY = dt.date(2026, 1, 15)


def _regulations() -> str:
    files = sorted(SEEDS.glob("004_*.txt")) if SEEDS.exists() else []
    if not files:
        pytest.skip(f"Customs and Excise Regulations (004_*.txt) not found under {SEEDS}")
    return re.sub(r"\s+", " ", files[0].read_text(encoding="utf-8").replace("\\$", "$"))


TOBACCO = (
    "any tobacco products, that is, any goods specified in headings 24.02, 24.03, 99.60 and 99.65 "
    "of the Excise and Excise-equivalent Duties Table"
)
ALCOHOL = (
    "any alcoholic beverages, that is any goods specified in headings 22.03, 22.04, 22.05, 22.06, "
    "22.08, 99.10, 99.20, 99.25, 99.30, 99.45, and 99.50"
)


def test_headings_are_the_regulation_s() -> None:
    text = _regulations()
    assert TOBACCO in text and ALCOHOL in text
    assert set(re.findall(r"\d\d\.\d\d", TOBACCO)) == TOBACCO_HEADINGS
    assert set(re.findall(r"\d\d\.\d\d", ALCOHOL)) == ALCOHOL_HEADINGS


def test_threshold_quotes_r_70_1() -> None:
    assert (
        "Duty need not be collected on goods that have a Customs value equal to or less than "
        "$1,000." in _regulations()
    )
    assert duty_threshold(D("1000.00"), DAY).need_not_collect
    assert not duty_threshold(D("1000.01"), DAY).need_not_collect


@pytest.mark.parametrize(
    ("heading", "clause"),
    [("2402.10", "r 70(3)(aa)"), ("99.65", "r 70(3)(aa)"), ("2208", "r 70(3)(ab)")],
)
def test_excluded_headings(heading: str, clause: str) -> None:
    result = duty_threshold(D("10"), DAY, heading=heading)
    assert not result.need_not_collect and result.preference_matters
    assert str(result.steps[-1].citation) == clause


def test_other_heading_and_circumstances() -> None:
    assert duty_threshold(D("10"), DAY, heading="2207.10").need_not_collect  # 22.07 is not listed
    assert duty_threshold(D("10"), DAY, circumstance=Circumstance.CREW).need_not_collect
    other = duty_threshold(D("10"), DAY, circumstance=Circumstance.OTHER)
    assert not other.need_not_collect and str(other.steps[-1].citation) == "r 70(2)"


def test_anti_dumping_permission_is_cited_when_relied_on() -> None:
    """Issue 13: r 70(3)(b) takes goods under an anti-dumping or countervailing determination
    out of r 70 "except with the permission of the Minister of Commerce". With the permission
    duty still need not be collected, and that result rests on r 70(3)(b): it is cited."""
    refused = duty_threshold(D("10"), DAY, anti_dumping=True)
    assert not refused.need_not_collect
    assert str(refused.steps[-1].citation) == "r 70(3)(b)"
    permitted = duty_threshold(D("10"), DAY, anti_dumping=True, minister_permission=True)
    assert permitted.need_not_collect
    assert "r 70(3)(b)" in {str(s.citation) for s in permitted.steps}
    plain = duty_threshold(D("10"), DAY)
    assert "r 70(3)(b)" not in {str(s.citation) for s in plain.steps}


def test_levies_are_collected_whatever_the_value_from_april_2026() -> None:
    """cl 26 inserts r 70(3)(c): levies prescribed under s 414A(3)."""
    before = duty_threshold(D("10"), dt.date(2026, 3, 31))
    after = duty_threshold(D("10"), dt.date(2026, 4, 1))
    assert "cl 26" not in [str(s.citation) for s in before.steps]
    assert str(after.steps[-1].citation) == "cl 26"


def test_bad_input() -> None:
    with pytest.raises(InputError, match="negative"):
        duty_threshold(D("-1"), DAY)
    with pytest.raises(InputError, match="4-digit heading"):
        duty_threshold(D("1"), DAY, heading="wine")
    with pytest.raises(LawNotEncoded):
        duty_threshold(D("1"), dt.date(2019, 11, 30))


@pytest.mark.parametrize(
    "module", ["levies.provisions", "levies.dates", "levies.calculator", "levies.threshold"]
)
def test_docstring_examples(module: str) -> None:
    """The levies package is outside pytest's doctest paths: run its examples here."""
    failures, tried = doctest.testmod(importlib.import_module(module))
    assert tried > 0 and failures == 0
