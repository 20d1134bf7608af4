"""Thailand (regs 51F–51M): provisions beyond the worked cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import worked
from anzcerta_cases import uncited

from origin import registry
from origin.caseio import case_from_json
from origin.determination import Verdict
from origin.law import LawNotEncoded

THAILAND = registry.get("thailand")
DATE = dt.date(2025, 6, 1)


def _case(psr: str | None, materials: list[dict[str, Any]], **good: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema": "origin-case/1",
        "currency": "THB",
        "good": {
            "id": "FAN",
            "hs": "8414.51",
            "fob": "1000.00",
            "produced_in": ["TH"],
            "last_process_in": "TH",
            "operations": ["assembly"],
            **good,
        },
        "materials": materials,
        "consignment": {"exported_from": "TH", "transit": []},
    }
    if psr:
        data["psr"] = psr
    return data


def _decide(data: dict[str, Any]) -> Verdict:
    return THAILAND.determine(case_from_json(data), DATE).verdict


def test_undetermined_origin_counts_in_vnm() -> None:
    """r 51L(1): VNM is the CIF value of non-originating materials; unknown origin counts."""
    motor = {
        "id": "M",
        "hs": "8501.10",
        "value": "600.01",
        "basis": "cif",
        "status": "undetermined",
    }
    assert _decide(_case("RVC40", [motor])) is Verdict.NOT_ORIGINATING
    assert _decide(_case("RVC40", [{**motor, "value": "600.00"}])) is Verdict.ORIGINATING


def test_wholly_obtained_needs_no_commerce_condition() -> None:
    """r 51G(1)(a) carries no condition on the route; r 51G(1)(b)(ii) belongs to class (b)."""
    data = _case(None, [], hs="0810.60", wholly_obtained="agricultural", operations=None)
    data["consignment"] = {"transit": [{"country": "SG", "entered_commerce": True}]}
    assert _decide(data) is Verdict.ORIGINATING


def test_minimal_operations_not_stated_do_not_block_an_rvc_alternative() -> None:
    """r 51G(4) yields to an RVC requirement, so the operations are not needed for it."""
    motor = {
        "id": "M",
        "hs": "8501.10",
        "value": "100.00",
        "basis": "cif",
        "status": "non-originating",
    }
    assert _decide(_case("CTH or RVC40", [motor], operations=None)) is Verdict.ORIGINATING
    assert _decide(_case("CTH", [motor], operations=None)) is Verdict.NEEDS_INFORMATION


def test_base_is_fob_not_adjusted_value() -> None:
    """r 51G(3)(a) measures de minimis against FOB: without FOB it cannot be decided."""
    housing = {
        "id": "H",
        "hs": "8414.90",
        "value": "50.00",
        "basis": "cif",
        "status": "non-originating",
    }
    data = _case("CTH", [housing])
    del data["good"]["fob"]
    data["good"]["adjusted_value"] = "1000.00"
    d = THAILAND.determine(case_from_json(data), DATE)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert "FOB value of the good" in d.missing


@pytest.mark.parametrize("date", [dt.date(2021, 12, 31), dt.date(2017, 1, 1)])
def test_dates_before_coverage_refused(date: dt.date) -> None:
    with pytest.raises(LawNotEncoded):
        THAILAND.determine(case_from_json(_case("CTH", [])), date)


def test_goods_must_be_produced_in_and_exported_from_thailand() -> None:
    """r 51G(1), (2) and (b)(ii): goods of Thailand, exported from Thailand."""
    motor = {
        "id": "M",
        "hs": "8501.10",
        "value": "100.00",
        "basis": "cif",
        "status": "non-originating",
    }
    elsewhere = _case("CTH", [motor], produced_in=["CN"], last_process_in="CN")
    assert _decide(elsewhere) is Verdict.NOT_ORIGINATING
    from_us = _case("CTH", [motor])
    from_us["consignment"]["exported_from"] = "US"
    assert _decide(from_us) is Verdict.NOT_ORIGINATING


def test_intermediate_material_needs_no_route() -> None:
    """r 51G(1)(b)(ii) concerns the goods' journey to New Zealand, not a material's."""
    sub = {
        "id": "SUB",
        "hs": "8414.90",
        "value": "600.00",
        "status": "undetermined",
        "self_produced": True,
        "psr": "CTH",
        "produced_in": "TH",
        "operations": ["moulding", "assembly"],
        "components": [
            {
                "id": "RESIN",
                "hs": "3907.40",
                "value": "100.00",
                "basis": "cif",
                "status": "non-originating",
            }
        ],
    }
    d = THAILAND.determine(case_from_json(_case("CTH", [sub])), DATE)
    assert d.verdict is Verdict.ORIGINATING
    assert d.materials[0].status == "originating"


def test_undecided_rvc_alternative_keeps_the_claim_open() -> None:
    """r 51G(4): with only packing done, CTH cannot carry the claim, but an RVC alternative
    still could: with the motor's value unknown the verdict needs it."""
    motor = {"id": "M", "hs": "8501.10", "status": "non-originating"}
    d = THAILAND.determine(
        case_from_json(_case("CTH or RVC40", [motor], operations=["packing"])), DATE
    )
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert "value of material M" in d.missing


# --------------------------------------------------------------------------- r 51I (issue 13)


def _fungible_fan(method: str, status: str = "originating") -> dict[str, Any]:
    """Fan of FOB 1000.00 under RVC40: motor parts 500.00 (CIF) and fungible wire 200.00.
    Wire originating: RVC = (1000.00 − 500.00) / 1000.00 × 100 = 50%; non-originating:
    (1000.00 − 700.00) / 1000.00 × 100 = 30%."""
    wire: dict[str, Any] = {
        "id": "W",
        "hs": "7408.11",
        "value": "200.00",
        "basis": "cif",
        "status": status,
        "attributes": ["fungible"],
    }
    motor = {
        "id": "M",
        "hs": "8503.00",
        "value": "500.00",
        "basis": "cif",
        "status": "non-originating",
    }
    data = _case("RVC40", [motor, wire])
    data["facts"] = {"inventory_method": method, "inventory_method_fiscal_year": "2025"}
    return data


@pytest.mark.parametrize(
    ("method", "cited"),
    [
        ("specific identification", "r 51I(1)(b)"),  # not named: an input error before issue 13
        ("Last-in and first-out", "r 51I(1)(b)"),  # the law's own words
        ("physical-separation", "r 51I(1)(a)"),
    ],
)
def test_any_inventory_method_is_accepted_as_stated(method: str, cited: str) -> None:
    """r 51I(1)(b): "any inventory management method, such as averaging, last-in and
    first-out, or first-in and first-out": the methods named are examples."""
    d = THAILAND.determine(case_from_json(_fungible_fan(method)), DATE)
    assert d.verdict is Verdict.ORIGINATING
    step = next(s for s in d.steps if s.test == "fungible materials")
    assert str(step.citation) == cited and ("method stated", method) in step.inputs


def test_fungible_origin_not_given_needs_information() -> None:
    """The wire's origin by FIFO is not given: 30% fails, 50% would pass (issue 13)."""
    d = THAILAND.determine(case_from_json(_fungible_fan("fifo", "undetermined")), DATE)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert "origin of fungible material W as identified by fifo (r 51I(1)(b))" in d.missing


# --------------------------------------------------------------------------- citations (issue 13)


def test_fiscal_year_averaging_is_a_cited_step() -> None:
    """r 51L(3) was named only in the RVC note before issue 13."""
    d = worked.run(THAILAND, THAILAND.cases / "14-fiscal-year-average.json")  # type: ignore[operator]
    assert "r 51L(3)" in {str(c) for c in d.citations()}
    step = next(
        s for top in d.steps for s in top.walk() if s.test == "averaged over the fiscal year"
    )
    assert ("fiscal year", "1 January - 31 December 2024") in step.inputs


@pytest.mark.parametrize("path", worked.files(THAILAND), ids=lambda p: p.stem)
def test_every_provision_named_is_cited(path: Any) -> None:
    """Every provision a worked case's determination names in its text is among its
    structured citations (steps, RVC results, obligations)."""
    assert uncited(worked.run(THAILAND, path)) == []


# --------------------------------------------------------------------------- r 51L(2) (issue 13)


def test_schedule_4_value_is_cited_only_for_vnm() -> None:
    """r 51L(2): a material in VNM given as a customs value is valued under the clauses of
    Schedule 4 after Part 1, and the RVC step cites it; an originating material's basis is
    not VNM's, so it is not listed. VNM = 600.00; RVC = (1000.00 − 600.00) / 1000.00 × 100
    = 40%."""
    motor = {
        "id": "M",
        "hs": "8501.10",
        "value": "600.00",
        "basis": "customs-value",
        "status": "non-originating",
    }
    blades = {**motor, "id": "B", "hs": "3926.90", "value": "80.00", "status": "originating"}
    d = THAILAND.determine(case_from_json(_case("RVC40", [motor, blades])), DATE)
    assert d.verdict is Verdict.ORIGINATING and d.rvc[0].value == 40
    step = next(s for top in d.steps for s in top.walk() if str(s.citation) == "r 51L(2)")
    assert ("materials", "M") in step.inputs
    plain = THAILAND.determine(case_from_json(_case("RVC40", [{**motor, "basis": "cif"}])), DATE)
    assert "r 51L(2)" not in {str(c) for c in plain.citations()}
