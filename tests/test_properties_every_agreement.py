"""Properties every registered agreement's determinations keep, whatever the case.

``tests/test_properties.py`` checks ANZCERTA in depth; this module draws the same kind of
cases (:mod:`strategies`), moves them into each agreement (the good made in one of its
parties, every value of the good given, a product-specific rule any agreement can read, no
cost sheet or value adjustments: those are each agreement's own words) and
checks what no agreement's law could change:

- the same case decides the same way twice, and through a JSON round trip of the case;
- the order of the BOM's lines, components and cost lines does not matter;
- declaring one more material originating never turns an originating good into a
  non-originating one;
- a case an agreement refuses (a fact it cannot take) is refused the same way each time.

A new plugin is covered by registering it: nothing here names an agreement.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import cases

from origin import registry, strict_json
from origin.agreement import Agreement, FactError
from origin.caseio import case_from_json, case_to_json, determination_to_json
from origin.determination import Verdict
from origin.engine import CaseError

AGREEMENTS = registry.all_agreements()
IDS = [a.name for a in AGREEMENTS]
DATE = dt.date(2025, 6, 1)


def date_for(agreement: Agreement) -> dt.date:
    """DATE, or the first day the agreement's law is encoded for when that is later."""
    start = agreement.law.coverage.start
    return max(DATE, start) if start is not None else DATE


REFUSED = (FactError, CaseError)  # what an agreement says of a case it cannot take
RULES = ("CTH", "CTSH", "RVC40", "CTH or RVC40")
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _country(agreement: Agreement) -> str:
    """A country of the agreement on DATE other than New Zealand."""
    if agreement.membership is not None:
        found = sorted(agreement.membership.on(date_for(agreement)))
    else:
        found = sorted(agreement.law.parties)
    return next(c for c in found if c != "NZ")


def _moved(agreement: Agreement, document: dict[str, Any], rule: str) -> dict[str, Any]:
    """The drawn (ANZCERTA-shaped) case made in a party of ``agreement``."""
    moved = copy.deepcopy(document)
    country = _country(agreement)
    good = moved["good"]
    for key in ("fob", "ex_works", "transaction_value"):
        good[key] = good["adjusted_value"]
    good["produced_in"] = [country]
    good["last_process_in"] = country
    moved["consignment"]["exported_from"] = country
    moved["psr"] = rule
    lines = list(moved["materials"])
    while lines:  # each agreement has its own adjustment words and RVC methods
        line = lines.pop()
        line.pop("adjustments", None)
        if "psr" in line:
            line["psr"] = rule
        lines.extend(line.get("components", ()))
    return moved


def _outcome(agreement: Agreement, document: dict[str, Any]) -> str:
    """The determination as JSON text, or the refusal's message."""
    try:
        d = agreement.determine(case_from_json(document), date_for(agreement))
    except REFUSED as error:
        return f"refused: {error}"
    return strict_json.dumps(determination_to_json(d))


@pytest.mark.parametrize("agreement", AGREEMENTS, ids=IDS)
@SETTINGS
@given(document=cases(nested=True, with_costs=False), rule=st.sampled_from(RULES))
def test_decides_the_same_way_twice_and_after_a_round_trip(
    agreement: Agreement, document: dict[str, Any], rule: str
) -> None:
    moved = _moved(agreement, document, rule)
    first = _outcome(agreement, moved)
    assert _outcome(agreement, moved) == first
    again = case_to_json(case_from_json(moved))
    assert _outcome(agreement, again) == first


@pytest.mark.parametrize("agreement", AGREEMENTS, ids=IDS)
@SETTINGS
@given(
    data=st.data(),
    document=cases(nested=True, min_size=2, with_costs=False),
    rule=st.sampled_from(RULES),
)
def test_bom_order_does_not_matter(
    agreement: Agreement, data: st.DataObject, document: dict[str, Any], rule: str
) -> None:
    moved = _moved(agreement, document, rule)
    shuffled = copy.deepcopy(moved)
    shuffled["materials"] = data.draw(st.permutations(shuffled["materials"]), label="BOM")
    for line in shuffled["materials"]:
        if "components" in line:
            line["components"] = data.draw(st.permutations(line["components"]), label="sub")
    shuffled["costs"] = data.draw(st.permutations(shuffled["costs"]), label="costs")
    try:
        before = agreement.determine(case_from_json(moved), date_for(agreement))
    except REFUSED as error:
        with pytest.raises(type(error)):
            agreement.determine(case_from_json(shuffled), date_for(agreement))
        return
    after = agreement.determine(case_from_json(shuffled), date_for(agreement))
    assert after.verdict is before.verdict
    assert [(r.method, r.value, r.outcome) for r in after.rvc] == [
        (r.method, r.value, r.outcome) for r in before.rvc
    ]
    assert set(after.missing) == set(before.missing)


@pytest.mark.parametrize("agreement", AGREEMENTS, ids=IDS)
@SETTINGS
@given(
    document=cases(nested=False, min_size=1, with_costs=False),
    rule=st.sampled_from(RULES),
    choice=st.integers(min_value=0),
)
def test_an_originating_material_never_hurts(
    agreement: Agreement, document: dict[str, Any], rule: str, choice: int
) -> None:
    moved = _moved(agreement, document, rule)
    candidates = [i for i, m in enumerate(moved["materials"]) if m["status"] != "originating"]
    assume(candidates)
    flipped = copy.deepcopy(moved)
    flipped["materials"][candidates[choice % len(candidates)]]["status"] = "originating"
    try:
        before = agreement.determine(case_from_json(moved), date_for(agreement))
        after = agreement.determine(case_from_json(flipped), date_for(agreement))
    except REFUSED:
        assume(False)
        return
    if before.verdict is Verdict.ORIGINATING:
        assert after.verdict is Verdict.ORIGINATING, after.missing
