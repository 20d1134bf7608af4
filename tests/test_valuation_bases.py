"""One BOM, several agreements: the verdicts differ where the law measures differently.

ANZCERTA measures RVC and de minimis on the adjusted value (customs value, r 36, r 35);
Thailand on FOB with VNM at CIF (r 51L, r 51G(3)). For goods whose FOB exceeds their
adjusted value, or whose materials' CIF exceeds their customs value, the same figures
give different — and each correct — answers.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from origin import registry
from origin.caseio import case_from_json
from origin.determination import Verdict

DATE = dt.date(2025, 6, 1)


def _case(psr: str, *, basis: str) -> dict[str, Any]:
    """A fan: adjusted value 900.00, FOB 1000.00; one non-originating motor of 550.00."""
    return {
        "schema": "origin-case/1",
        "currency": "NZD",
        "psr": psr,
        "good": {
            "id": "FAN",
            "hs": "8414.51",
            "adjusted_value": "900.00",
            "fob": "1000.00",
            "produced_in": ["AU", "TH"],
            "last_process_in": "TH",
            "operations": ["winding", "assembly"],
        },
        "materials": [
            {
                "id": "MOTOR",
                "hs": "8501.10",
                "value": "550.00",
                "basis": basis,
                "status": "non-originating",
            }
        ],
        "consignment": {"exported_from": "TH", "transit": []},
    }


def _rvc(name: str, data: dict[str, Any]) -> tuple[Verdict, Fraction | None]:
    d = registry.get(name).determine(case_from_json(data), DATE)
    return d.verdict, d.rvc[0].value


def test_rvc_base_differs_adjusted_value_vs_fob() -> None:
    """RVC 45 on the same motor.

    ANZCERTA r 36(1): (900.00 − 550.00) / 900.00 × 100 = 38.88…% < 45%: fails.
    Thailand r 51L(1): (1000.00 − 550.00) / 1000.00 × 100 = 45% ≥ 45%: passes.
    """
    anz = _case("RVC45 (build-down)", basis="customs-value")
    anz["good"]["produced_in"] = ["AU"]
    anz["good"]["last_process_in"] = "AU"
    th = _case("RVC45", basis="cif")
    th["good"]["produced_in"] = ["TH"]
    assert _rvc("anzcerta", anz) == (Verdict.NOT_ORIGINATING, Fraction(350, 9))
    assert _rvc("thailand", th) == (Verdict.ORIGINATING, Fraction(45))


def test_de_minimis_base_differs() -> None:
    """A 94.00 housing of the fan's own heading against 10%.

    ANZCERTA r 35(a): 94.00 / 900.00 = 10.44…% of adjusted value: over, fails.
    Thailand r 51G(3)(a): 94.00 / 1000.00 = 9.4% of FOB: within, passes.
    """
    housing = {"id": "H", "hs": "8414.90", "value": "94.00", "status": "non-originating"}
    anz = _case("CTH", basis="customs-value")
    anz["good"]["produced_in"], anz["good"]["last_process_in"] = ["AU"], "AU"
    anz["materials"] = [{**housing, "basis": "customs-value"}]
    th = _case("CTH", basis="cif")
    th["good"]["produced_in"] = ["TH"]
    th["materials"] = [{**housing, "basis": "cif"}]
    assert registry.get("anzcerta").determine(case_from_json(anz), DATE).verdict is (
        Verdict.NOT_ORIGINATING
    )
    assert registry.get("thailand").determine(case_from_json(th), DATE).verdict is (
        Verdict.ORIGINATING
    )


def test_a_value_basis_one_agreement_uses_is_no_value_for_another() -> None:
    """Thailand's VNM is CIF (r 51L(1)); ANZCERTA values imported materials at customs value
    (r 38(1)(a)) and does not take a CIF figure for it."""
    th = _case("RVC40", basis="cif")
    th["good"]["produced_in"] = ["TH"]
    assert _rvc("thailand", th)[0] is Verdict.ORIGINATING
    anz = _case("RVC40 (build-down)", basis="cif")
    anz["good"]["produced_in"], anz["good"]["last_process_in"] = ["AU"], "AU"
    assert _rvc("anzcerta", anz)[0] is Verdict.NEEDS_INFORMATION


def test_china_takes_cif_or_earliest_price_only() -> None:
    """The same customs-value figure: Thailand accepts it where CIF cannot be determined
    (r 51L(2), the Schedule 4 value); China's VNM is CIF or the earliest ascertained price
    only (r 51ZC(2)), so there the RVC is a bound and needs the CIF value."""
    th = _case("RVC40", basis="customs-value")
    th["good"]["produced_in"] = ["TH"]
    cn = _case("RVC40", basis="customs-value")
    cn["good"].update(produced_in=["CN"], last_process_in="CN")
    cn["consignment"] = {"exported_from": "CN", "transit": []}
    assert _rvc("thailand", th) == (Verdict.ORIGINATING, Fraction(45))
    assert _rvc("china", cn)[0] is Verdict.NEEDS_INFORMATION
    cn["materials"][0]["basis"] = "earliest-ascertained-price"
    assert _rvc("china", cn) == (Verdict.ORIGINATING, Fraction(45))


def test_same_figures_four_ways() -> None:
    """Adjusted value 900.00, FOB 1000.00, motor 550.00 valued on each agreement's basis,
    rule RVC45: ANZCERTA (AV, r 36(1)) 38.88…% fails; Thailand (r 51L), China (r 51ZC) and
    AANZFTA's indirect formula (r 51ZP(b)) measure on FOB: 45% passes."""
    results = {}
    for name, basis, country in [
        ("anzcerta", "customs-value", "AU"),
        ("thailand", "cif", "TH"),
        ("china", "cif", "CN"),
        ("aanzfta", "cif", "TH"),
    ]:
        data = _case("RVC45", basis=basis)
        data["good"].update(produced_in=[country], last_process_in=country)
        data["consignment"] = {"exported_from": country, "transit": []}
        if name == "aanzfta":
            data["facts"] = {"psr_document": "2022"}  # r 51ZM: which PSR document applies
        d = registry.get(name).determine(case_from_json(data), DATE)
        by_method = {r.method: r.value for r in d.rvc}
        results[name] = (d.verdict, by_method.get("indirect", d.rvc[0].value))
    assert results == {
        "anzcerta": (Verdict.NOT_ORIGINATING, Fraction(350, 9)),
        "thailand": (Verdict.ORIGINATING, Fraction(45)),
        "china": (Verdict.ORIGINATING, Fraction(45)),
        "aanzfta": (Verdict.ORIGINATING, Fraction(45)),
    }
