"""Issue 14: an agreement of the common families needs only its law file and a short module.

``tests/plugin_example/`` declares build-down/build-up RVC on FOB, de minimis by value, a list
of minimal operations and bilateral accumulation in ``example.toml``; ``example.py`` holds only
the agreement's classes. Registered here, it decides worked cases like a built-in agreement.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
from plugin_example.example import AGREEMENT, LAW

from origin import registry
from origin.caseio import case_from_json, determination_to_json
from origin.determination import Verdict
from origin.engine import Assessment, RVCInputs
from origin.law import LawFileError
from origin.regime import DeclaredRegime

DATE = dt.date(2025, 6, 1)


def _case(psr: str, operations: list[str], materials: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schema": "origin-case/1",
        "currency": "NZD",
        "psr": psr,
        "good": {
            "id": "chair",
            "hs": "9401.61",
            "fob": "100.00",
            "produced_in": ["EX"],
            "last_process_in": "EX",
            "operations": operations,
        },
        "materials": materials,
        "consignment": {"exported_from": "EX", "transit": []},
    }


FRAME = {"id": "frame", "hs": "4409.10", "value": "30.00", "status": "non-originating"}
CUSHION = {
    "id": "cushion",
    "hs": "9404.90",
    "value": "20.00",
    "status": "originating",
    "origin_country": "NZ",
}
FITTING = {"id": "fitting", "hs": "9401.99", "value": "8.00", "status": "non-originating"}


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the plugin as a third party would (an entry point), for this test only."""
    table = registry.build(registry.BUILTIN, [("example", "plugin_example.example:AGREEMENT")])
    monkeypatch.setattr(registry, "table", lambda: table)


@pytest.mark.usefixtures("registered")
def test_registered_plugin_decides_rvc_with_accumulation() -> None:
    agreement = registry.get("example")
    assert agreement is AGREEMENT
    case = case_from_json(_case("RVC40", ["assembly"], [FRAME, CUSHION]))
    d = agreement.determine(case, DATE)
    assert d.verdict is Verdict.ORIGINATING
    # Both declared methods, on FOB: (100 - 30) / 100 and 20 / 100.
    assert [(r.method, r.value) for r in d.rvc] == [
        ("build-down", Fraction(70)),
        ("build-up", Fraction(20)),
    ]
    assert [str(r.citation) for r in d.rvc] == ["art 3(1)", "art 3(2)"]
    cushion = next(row for row in d.materials if row.id == "cushion")
    assert "art 2(c)" in [str(c) for c in cushion.citations]  # accumulation, bilateral
    assert determination_to_json(d)["verdict"] == "originating"


@pytest.mark.usefixtures("registered")
def test_registered_plugin_rescues_by_de_minimis_and_refuses_minimal_operations() -> None:
    agreement = registry.get("example")
    case = case_from_json(_case("CTH", ["assembly"], [FRAME, FITTING]))
    d = agreement.determine(case, DATE)
    assert d.verdict is Verdict.ORIGINATING
    de_minimis = next(s for t in d.steps for s in t.walk() if s.test == "de minimis")
    assert str(de_minimis.citation) == "art 4" and de_minimis.value == Fraction(8)
    minimal = case_from_json(_case("CTH", ["packing"], [FRAME]))
    assert agreement.determine(minimal, DATE).verdict is Verdict.NOT_ORIGINATING


def test_the_module_is_a_few_dozen_lines() -> None:
    source = Path(__file__).parent / "plugin_example" / "example.py"
    code = [
        line
        for line in source.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert len(code) <= 60


def _unused(a: Assessment) -> RVCInputs:
    return RVCInputs({})


def _with_regime(**changes: Any) -> Any:
    return attrs.evolve(LAW, regime={**LAW.regime, **changes})


def test_declared_regime_refuses_what_it_cannot_read() -> None:
    down = LAW.regime["rvc"]["build-down"]
    bad_source = {**down, "symbols": {**down["symbols"], "FOB": {"means": "x", "from": "eval"}}}
    with pytest.raises(LawFileError, match="a value comes from"):
        DeclaredRegime.read(_with_regime(rvc={"build-down": bad_source}))
    unregistered = {k: v for k, v in down.items() if k != "unknown"} | {"inputs": "mystery"}
    unregistered["symbols"] = {s: {"means": e["means"]} for s, e in down["symbols"].items()}
    with pytest.raises(LawFileError, match="does not register"):
        DeclaredRegime.read(_with_regime(rvc={"build-down": unregistered}))
    with pytest.raises(LawFileError, match="named by no RVC method"):
        DeclaredRegime.read(LAW, {"unused": _unused})
    with pytest.raises(LawFileError, match="unknown keys"):
        DeclaredRegime.read(_with_regime(tolerance={"reference": "art 9"}))
    with pytest.raises(LawFileError, match="names no method"):
        DeclaredRegime.read(_with_regime(default_methods=["factory-cost"]))


def test_declared_regime_is_dated() -> None:
    declared = DeclaredRegime.read(LAW)
    assert declared.at(DATE).de_minimis_share == Fraction(1, 10)
    with pytest.raises(LookupError):
        declared.at(dt.date(2024, 12, 31))
