"""Regressions from the independent review of the Thailand, China and AANZFTA plugins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from origin import registry
from origin.caseio import case_from_json
from origin.determination import Determination, Verdict

DATE = dt.date(2025, 6, 1)


def _decide(name: str, data: dict[str, Any]) -> Determination:
    return registry.get(name).determine(case_from_json(data), DATE)


def _case(psr: str, materials: list[dict[str, Any]], country: str, **good: Any) -> dict[str, Any]:
    return {
        "schema": "origin-case/1",
        "currency": "USD",
        "psr": psr,
        "good": {
            "id": "G",
            "hs": "8414.51",
            "fob": "1000.00",
            "produced_in": [country],
            "last_process_in": country,
            "operations": ["winding", "assembly"],
            **good,
        },
        "materials": materials,
        "consignment": {"exported_from": country, "transit": []},
    }


def test_aanzfta_direct_formula_takes_stated_values_of_originating_materials() -> None:
    """r 51ZP(a) sets no valuation basis for AANZFTA material cost (CIF is r 51ZP(b)'s):
    (200 + wages 100 + overhead 50 + profit 50) / 1000 = 40%."""
    data = _case(
        "RVC40 (direct)",
        [
            {
                "id": "O",
                "hs": "3926.90",
                "value": "200.00",
                "basis": "acquisition-cost",
                "status": "originating",
                "origin_country": "TH",
            }
        ],
        "TH",
    )
    data["facts"] = {"psr_document": "2022"}
    categories = registry.get("aanzfta").law.vocabulary("cost_categories")
    by_group = {term.group: key for key, term in categories.items()}
    data["costs"] = [
        {"id": f"C{i}", "category": by_group[group], "amount": amount, "incurred_in": "TH"}
        for i, (group, amount) in enumerate(
            [("labour", "100.00"), ("overhead", "50.00"), ("profit", "50.00")]
        )
    ]
    d = _decide("aanzfta", data)
    assert d.verdict is Verdict.ORIGINATING
    assert {r.method: r.value for r in d.rvc}["direct"] == 40


def test_zero_fob_needs_information_not_a_verdict() -> None:
    """A zero denominator cannot decide an RVC, nor a de minimis share of nothing."""
    motor = {"id": "M", "hs": "8501.10", "value": "0", "basis": "cif", "status": "non-originating"}
    assert _decide("china", _case("RVC40", [motor], "CN", fob="0")).verdict is (
        Verdict.NEEDS_INFORMATION
    )
    housing = {
        "id": "H",
        "hs": "8414.90",
        "value": "0",
        "basis": "cif",
        "status": "non-originating",
    }
    assert _decide("thailand", _case("CTH", [housing], "TH", fob="0")).verdict is (
        Verdict.NEEDS_INFORMATION
    )


def test_accumulation_is_cited_only_in_its_own_direction() -> None:
    """r 51G(2) deems New Zealand materials Thai in goods produced in Thailand; a Thai
    material in goods produced in New Zealand gets no r 51G(2) citation."""
    thai = {
        "id": "T",
        "hs": "3926.90",
        "value": "10.00",
        "basis": "cif",
        "status": "originating",
        "origin_country": "TH",
    }
    data = _case("CTH", [thai], "NZ")
    data["good"]["produced_in"] = ["TH", "NZ"]
    row = _decide("thailand", data).materials[0]
    assert "r 51G(2)" not in {str(c) for c in row.citations}
    kiwi = {**thai, "origin_country": "NZ"}
    row = _decide("thailand", _case("CTH", [kiwi], "TH")).materials[0]
    assert "r 51G(2)" in {str(c) for c in row.citations}


def test_exclusively_originating_needs_the_materials() -> None:
    """'Exclusively from originating materials' with no materials listed states nothing:
    it needs the BOM rather than passing (TPSEP r 51O(1)(b), ANZCERTA r 33(2)(b), ...)."""
    data = _case("CTH", [], "SG", transaction_value="1000.00")
    del data["psr"]
    d = _decide("tpsep", data)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("the materials used" in m for m in d.missing)


def test_wholly_obtained_goods_cannot_list_non_originating_materials() -> None:
    data = _case(
        "CTH",
        [
            {
                "id": "X",
                "hs": "2601.11",
                "value": "900.00",
                "basis": "cif",
                "status": "non-originating",
            }
        ],
        "SG",
        hs="2601.11",
        transaction_value="1000.00",
        wholly_obtained="minerals",
    )
    del data["psr"]
    assert _decide("tpsep", data).verdict is not Verdict.ORIGINATING


def test_tpsep_transaction_value() -> None:
    """r 51P(1): TV on an FOB basis (a stated FOB stands for it); r 51P(4): without the
    adjustment, de minimis (r 51O(3)) cannot use the unadjusted TV either."""
    housing = {
        "id": "H",
        "hs": "8413.91",
        "value": "100.00",
        "basis": "cif",
        "status": "non-originating",
    }
    by_fob = _case("CTH", [housing], "SG", hs="8413.70")
    assert _decide("tpsep", by_fob).verdict is Verdict.ORIGINATING  # FOB 1000.00: 10%
    indirect = _case("CTH", [housing], "SG", hs="8413.70", transaction_value="1000.00")
    indirect["facts"] = {"producer_exports_directly": False}
    assert _decide("tpsep", indirect).verdict is Verdict.NEEDS_INFORMATION
