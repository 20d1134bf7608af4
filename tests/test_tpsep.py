"""TPSEP (regs 51N–51Y): worked cases, boundaries, coverage and refusals."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import worked
from anzcerta_cases import uncited

from agreements import tpsep
from agreements.tpsep import AGREEMENT, PARTIES_LIST
from origin import registry
from origin.agreement import FactError
from origin.caseio import case_from_json
from origin.determination import Determination, Outcome, Step, Verdict
from origin.engine import CaseError
from origin.law import LawBook, LawFileError, LawNotEncoded

DATE = dt.date(2025, 6, 1)
CASES = worked.files(AGREEMENT)


def test_there_are_worked_cases() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_worked_case(path: Path) -> None:
    worked.check(AGREEMENT, path)


def _case(
    psr: str | None,
    materials: list[dict[str, Any]],
    facts: dict[str, Any] | None = None,
    **good: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema": "origin-case/1",
        "currency": "SGD",
        "good": {
            "id": "PUMP",
            "hs": "8413.70",
            "transaction_value": "1000.00",
            "produced_in": ["SG"],
            "last_process_in": "SG",
            "operations": ["machining", "assembly"],
            **good,
        },
        "materials": materials,
        "consignment": {"exported_from": "SG", "transit": []},
    }
    if psr:
        data["psr"] = psr
    if facts:
        data["facts"] = facts
    return data


def _material(value: str, hs: str = "8501.52", **extra: Any) -> dict[str, Any]:
    return {
        "id": "M",
        "hs": hs,
        "value": value,
        "basis": "cif",
        "status": "non-originating",
        **extra,
    }


def _decide(data: dict[str, Any], date: dt.date = DATE) -> Determination:
    return AGREEMENT.determine(case_from_json(data), date)


@pytest.mark.parametrize(
    ("value", "verdict"),
    [("550.00", Verdict.ORIGINATING), ("550.01", Verdict.NOT_ORIGINATING)],
)
def test_rvc_boundary(value: str, verdict: Verdict) -> None:
    """r 51P(1): (TV − VNM) / TV × 100 ≥ 45 exactly; one cent more VNM fails."""
    assert _decide(_case("RVC45", [_material(value)])).verdict is verdict


def test_rvc_measured_on_transaction_value_on_an_fob_basis() -> None:
    """r 51P(1): TV is the transaction value adjusted on an FOB basis, so a stated FOB value
    stands for it when no transaction value is given: (1000 − 100) / 1000 = 90%."""
    data = _case("RVC45", [_material("100.00")])
    del data["good"]["transaction_value"]
    data["good"]["fob"] = "1000.00"
    d = _decide(data)
    assert d.verdict is Verdict.ORIGINATING
    assert d.rvc[0].value == 90
    del data["good"]["fob"]
    d = _decide(data)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("transaction value of the good" in m for m in d.missing)


@pytest.mark.parametrize(
    ("value", "verdict"),
    [("100.00", Verdict.ORIGINATING), ("100.01", Verdict.NOT_ORIGINATING)],
)
def test_de_minimis_boundary(value: str, verdict: Verdict) -> None:
    """r 51O(3)(a): at most 10% of the transaction value may fail the change of heading."""
    assert _decide(_case("CTH", [_material(value, hs="8413.91")])).verdict is verdict


def _outward(costs: str, **facts: Any) -> dict[str, Any]:
    base = {
        "outward_processing": True,
        "outward_materials_qualified": True,
        "outward_same_producer": True,
        "outward_obtained_from_exported": True,
        "outward_last_process_transformed": True,
        "outward_other_added_materials": "150.00",
        "outward_costs_abroad": costs,
    }
    return _case(
        "CTH",
        [_material("300.00", hs="8414.90")],
        {**base, **facts},
        hs="8414.80",
        adjusted_value="1000.00",
    )


@pytest.mark.parametrize(
    ("costs", "verdict"),
    [("100.00", Verdict.ORIGINATING), ("100.01", Verdict.NOT_ORIGINATING)],
)
def test_outward_processing_boundary(costs: str, verdict: Verdict) -> None:
    """r 51U(2)(b), (3): 300.00 + 150.00 + costs ≤ 55% of 1000.00."""
    assert _decide(_outward(costs)).verdict is verdict


@pytest.mark.parametrize(
    "fact",
    [
        "outward_materials_qualified",
        "outward_same_producer",
        "outward_obtained_from_exported",
        "outward_last_process_transformed",
    ],
)
def test_each_outward_condition_is_required(fact: str) -> None:
    """r 51U(2)(c)–(f): each condition failing defeats r 51U."""
    assert _decide(_outward("100.00", **{fact: False})).verdict is Verdict.NOT_ORIGINATING
    data = _outward("100.00")
    del data["facts"][fact]
    d = _decide(data)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any(f"facts.{fact}" in m for m in d.missing)


def test_outward_restricted_subheading_needs_description() -> None:
    """Schedule 6 limits 8507.80 to nickel iron accumulators: the case must say so."""
    data = _outward("100.00")
    data["good"]["hs"] = "8507.80"
    data["materials"][0]["hs"] = "8507.90"
    d = _decide(data)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("nickel iron accumulators" in m for m in d.missing)
    data["facts"]["schedule_6_description_met"] = True
    assert _decide(data).verdict is Verdict.ORIGINATING


def test_outward_last_process_outside_party_fails() -> None:
    """r 51U(2)(f)(i): the last process must be performed in the party."""
    data = _outward("100.00")
    data["good"]["last_process_in"] = "MY"
    assert _decide(data).verdict is Verdict.NOT_ORIGINATING


def test_outward_amount_must_be_decimal() -> None:
    with pytest.raises(CaseError):
        _decide(_outward("a hundred"))


def test_records_until_three_years_after_import() -> None:
    """r 51W(2): records kept for not less than 3 years after importation."""
    data = _case("CTH", [_material("100.00")])
    data["consignment"]["imported_on"] = "2025-02-28"
    d = _decide(data)
    records = [o for o in d.obligations if str(o.citation) == "r 51W(2)"]
    assert records and records[0].until == dt.date(2028, 2, 28)
    assert "r 51W(1)" in {str(o.citation) for o in d.obligations}  # the duty to keep them


# ------------------------------------------------------------- parties (issue 13, item 1)
#
# r 51N party (a), (b): Brunei Darussalam and Chile are parties "if ... under the Tariff Act
# 1988, declared to be a specified TPA party". The NZ Working Tariff Document of 1 January 2022
# (Introduction, 'Rates of Duty', Preferential Tariff, TPA) records: "Brunei Darussalam and
# Chile are specified TPA Parties ... Singapore is not a specified TPA Party for the purposes of
# the Tariff Act 1988 and therefore goods the origin of Singapore do not receive TPA rates of
# duty. However, goods ... the origin of Singapore are entitled to be entered at the SG rate".
# Before issue 13 only NZ and SG were parties, and every verdict was entered under TPA.


def test_brunei_and_chile_are_parties_as_the_wtd_records() -> None:
    assert set(AGREEMENT.law.parties) == {"BN", "CL", "NZ", "SG"}
    assert PARTIES_LIST.as_at == dt.date(2022, 1, 1)
    assert "Brunei Darussalam and Chile are specified TPA Parties" in PARTIES_LIST.source


def test_chilean_goods_at_90_percent_originate() -> None:
    """A pump produced in Chile at (1000 − 100) / 1000 = 90% RVC originates; it was "not
    originating" while Chile was not a party."""
    data = _case("RVC45", [_material("100.00")], produced_in=["CL"], last_process_in="CL")
    data["consignment"]["exported_from"] = "CL"
    d = _decide(data)
    assert d.verdict is Verdict.ORIGINATING
    assert d.rvc[0].value == 90
    assert "r 51N party (b)" in {str(c) for c in d.citations()}


def test_bruneian_and_chilean_materials_are_originating() -> None:
    """r 51O(2): materials originating in Brunei or Chile count as originating in Singapore;
    they were refused as declared originating outside the parties."""
    brunei = _material("300.00", status="originating", origin_country="BN")
    chile = {**_material("300.00", hs="7325.99", status="originating", origin_country="CL")}
    chile["id"] = "C"  # ids are unique within the BOM
    d = _decide(_case("RVC45", [brunei, chile, {**_material("100.00"), "id": "X"}]))
    assert d.verdict is Verdict.ORIGINATING
    assert d.rvc[0].value == 90
    assert {"r 51N party (a)", "r 51N party (b)"} <= {str(c) for c in d.citations()}


def test_singapore_goods_cite_no_declaration() -> None:
    """Singapore is a party on the text (r 51N party (d)): no declared-party step."""
    d = _decide(_case("RVC45", [_material("100.00")]))
    assert not any(s.test == "specified TPA party" for s in d.steps)


@pytest.mark.parametrize(
    ("country", "codes"),
    [("SG", ("SG",)), ("CL", ("TPA",)), ("BN", ("TPA",)), ("NZ", ())],
)
def test_preference_code_turns_on_the_goods_country(country: str, codes: tuple[str, ...]) -> None:
    """Goods of Singapore are entered at the SG rate, not TPA; Brunei's and Chile's at TPA."""
    data = _case("RVC45", [_material("100.00")], produced_in=[country], last_process_in=country)
    law = AGREEMENT.law
    assert law.preference_codes_of(case_from_json(data)) == codes
    if codes:
        assert any(n.startswith(f"tariff preference: {codes[0]} ") for n in _decide(data).notes)


def test_preference_code_of_goods_of_unknown_country_names_both() -> None:
    data = _case("RVC45", [_material("100.00")], produced_in=["SG", "CL"])
    del data["good"]["last_process_in"]
    assert AGREEMENT.law.preference_codes_of(case_from_json(data)) == ("TPA", "SG")
    assert AGREEMENT.law.preference_codes_of(None) == ("TPA", "SG")


def test_preference_table_must_name_parties_and_codes(tmp_path: Path) -> None:
    """The law file's per-country table may name only parties and the agreement's codes."""
    text = (Path(tpsep.__file__).with_suffix(".toml")).read_text(encoding="utf-8")
    for bad in ('JP = { code = "TPA"', 'SG = { code = "CPT"'):
        path = tmp_path / "tpsep.toml"
        path.write_text(text.replace('SG = { code = "SG"', bad, 1), encoding="utf-8")
        with pytest.raises(LawFileError):
            LawBook.load(path)


def test_other_agreements_keep_one_code_for_every_country() -> None:
    anzcerta = registry.get("anzcerta").law
    data = _case("RVC45", [_material("100.00")], produced_in=["AU"], last_process_in="AU")
    assert anzcerta.preference_codes_of(case_from_json(data)) == anzcerta.preference_codes


def test_commerce_permitted_by_chief_executive() -> None:
    """r 51T: the chief executive may permit goods that entered a non-party's commerce."""
    data = _case("CTH", [_material("100.00")])
    data["consignment"]["transit"] = [
        {"country": "HK", "operations": ["unloading"], "entered_commerce": True}
    ]
    assert _decide(data).verdict is Verdict.NOT_ORIGINATING
    data["facts"] = {"commerce_permitted": "permission 2025/17, goods held under bond"}
    assert _decide(data).verdict is Verdict.ORIGINATING


def test_recovered_goods_need_schedule_4_subheading() -> None:
    """r 51N wholly obtained goods (j): the remanufactured goods must be of Schedule 4."""
    facts = {"remanufactured_goods_hs": "8413.70", "designed_for_automotive": False}
    data = _case(None, [], facts, hs="8413.91", wholly_obtained="recovered", operations=None)
    assert _decide(data).steps[0].outcome.value == "fails"
    data["facts"]["remanufactured_goods_hs"] = "8413.50"
    assert _decide(data).steps[0].outcome.value == "meets"
    del data["facts"]["remanufactured_goods_hs"]
    assert _decide(data).steps[0].outcome.value == "needs information"


@pytest.mark.parametrize("date", [dt.date(2021, 12, 31), dt.date(2017, 1, 1)])
def test_dates_before_coverage_refused(date: dt.date) -> None:
    with pytest.raises(LawNotEncoded):
        _decide(_case("CTH", []), date)


def test_coverage_starts_on_1_january_2022() -> None:
    assert _decide(_case("CTH", []), dt.date(2022, 1, 1)).verdict is Verdict.ORIGINATING


def test_unknown_fact_refused() -> None:
    with pytest.raises(FactError):
        _decide(_case("CTH", [], {"chief_executive_mood": "good"}))


def test_fact_of_wrong_type_refused() -> None:
    with pytest.raises(FactError):
        _decide(_case("CTH", [], {"outward_processing": "yes"}))


def test_undecided_rvc_alternative_keeps_the_claim_open() -> None:
    """r 51O(4): with only packing done, CTH cannot carry the claim, but the RVC alternative
    could: with the motor's value unknown the verdict needs it (not a definite failure)."""
    motor = {"id": "M", "hs": "8501.52", "status": "non-originating"}
    d = _decide(_case("CTH or RVC45", [motor], operations=["packing"]))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("value of material M" in m for m in d.missing)
    d = _decide(_case("CTH", [_material("100.00")], operations=["packing"]))
    assert d.verdict is Verdict.NOT_ORIGINATING


# ------------------------------------------------ accessories (issue 13, items 2 and 3)


def _with_spare(classified: bool | None = True, **accessory: Any) -> dict[str, Any]:
    """Originating motor and casing, and a Japanese spare impeller (84.13, 150.00)."""
    motor = _material("300.00", status="originating", origin_country="SG")
    casing = {**_material("200.00", hs="7325.99", status="originating"), "id": "C"}
    spare = {
        **_material("150.00", hs="8413.91", origin_country="JP"),
        "id": "SPARE",
        "accessory": {"kind": "spare-part", **accessory},
    }
    facts = None if classified is None else {"accessories_classified_with_goods": classified}
    return _case(None, [motor, casing, spare], facts)


def _class_b(d: Determination) -> Step:
    return next(s for s in d.steps if s.test.startswith("class 51O(1)(b)"))


def test_relieved_spare_part_is_treated_as_originating_for_class_b() -> None:
    """r 51Q(1): relieved spare parts "must be treated as originating goods", so the pump is
    made exclusively from originating materials (r 51O(1)(b)); the same words of r 39(1)
    are read so for ANZCERTA. Before issue 13 class (b) failed on the relieved impeller."""
    d = _decide(_with_spare(invoiced_separately=False, customary=True))
    assert _class_b(d).outcome is Outcome.MEETS
    assert d.verdict is Verdict.ORIGINATING
    # Without the relief (invoiced separately) the impeller is an ordinary material.
    d = _decide(_with_spare(invoiced_separately=True, customary=True))
    assert _class_b(d).outcome is Outcome.FAILS


def _pump_with_spare(classified: bool | None) -> dict[str, Any]:
    """CTH: motor and casing change heading; the spare impeller (8413.91, 150.00 of 1000.00)
    does not, and is over the 10% of r 51O(3)(a) unless relieved."""
    motor = _material("300.00")
    casing = {**_material("200.00", hs="7325.99"), "id": "C"}
    spare = {
        **_material("150.00", hs="8413.91", origin_country="JP"),
        "id": "SPARE",
        "accessory": {"kind": "spare-part", "invoiced_separately": False, "customary": True},
    }
    facts = None if classified is None else {"accessories_classified_with_goods": classified}
    return _case("CTH", [motor, casing, spare], facts)


@pytest.mark.parametrize(
    ("classified", "verdict"),
    [
        (True, Verdict.ORIGINATING),
        (False, Verdict.NOT_ORIGINATING),
        (None, Verdict.NEEDS_INFORMATION),
    ],
)
def test_spare_part_relief_needs_classification_with_the_goods(
    classified: bool | None, verdict: Verdict
) -> None:
    """r 51Q(1)(a): relief only for lines "classified with, and not invoiced separately from"
    the goods. Classified on its own, the impeller fails CTH and is 15% > 10% (r 51O(3)(a));
    not stated, the verdict turns on it and needs the fact. Before issue 13 the pump was
    originating whatever the classification."""
    d = _decide(_pump_with_spare(classified))
    assert d.verdict is verdict
    assert "r 51Q(1)(a)" in {str(c) for c in d.citations()}
    if classified is None:
        assert any("facts.accessories_classified_with_goods" in m for m in d.missing)


def test_classification_not_asked_when_it_cannot_change_the_verdict() -> None:
    """The impeller within de minimis (100.00 of 1000.00): the pump originates either way."""
    data = _pump_with_spare(None)
    data["materials"][2]["value"] = "100.00"
    d = _decide(data)
    assert d.verdict is Verdict.ORIGINATING
    assert not d.missing


def test_accessories_added_to_raise_rvc_are_cited() -> None:
    """r 51Q(2): no relief whatever the classification; the step cites it."""
    data = _pump_with_spare(True)
    data["facts"]["accessories_raise_rvc"] = True
    d = _decide(data)
    assert d.verdict is Verdict.NOT_ORIGINATING
    assert "r 51Q(2)" in {str(c) for c in d.citations()}


def test_classification_applies_to_accessories_of_intermediate_materials() -> None:
    """An accessory line inside an intermediate's own BOM loses the relief too when the
    case says accessories are not classified with the goods."""
    inner = _pump_with_spare(False)["materials"]
    sub = {
        "id": "SUB",
        "hs": "8413.91",
        "value": "900.00",
        "basis": "production-cost",
        "psr": "CTH",
        "operations": ["assembly"],
        "components": inner,
    }
    data = _case("CTH", [sub], {"accessories_classified_with_goods": False}, hs="8413.70")
    sub_step = next(s for s in _decide(data).steps if s.test == "intermediate material SUB")
    assert sub_step.outcome is Outcome.FAILS
    data["facts"]["accessories_classified_with_goods"] = True
    sub_step = next(s for s in _decide(data).steps if s.test == "intermediate material SUB")
    assert sub_step.outcome is Outcome.MEETS


# ------------------------------------------------ r 51P(3) and (5) (issue 13, item 4)


def _delivered_casing(deduction: str | None, *, acquired: bool = True) -> dict[str, Any]:
    """Motor 350.00 CIF; casing bought in Singapore at 220.00 delivered (worked case 29)."""
    casing: dict[str, Any] = {
        **_material("220.00", hs="7325.99", basis="acquisition-cost"),
        "id": "CASING",
    }
    if acquired:
        casing["attributes"] = ["acquired_in_territory"]
    if deduction is not None:
        casing["adjustments"] = [{"kind": "transport_to_producer", "amount": deduction}]
    return _case("RVC45", [_material("350.00"), casing])


@pytest.mark.parametrize(
    ("deduction", "verdict", "rvc"),
    [
        ("20.00", Verdict.ORIGINATING, Fraction(45)),
        ("19.99", Verdict.NOT_ORIGINATING, Fraction(44999, 1000)),
        (None, Verdict.NOT_ORIGINATING, Fraction(43)),
    ],
)
def test_transport_from_suppliers_warehouse_is_deducted(
    deduction: str | None, verdict: Verdict, rvc: Fraction
) -> None:
    """r 51P(5): (1000 − 350 − (220 − 20)) / 1000 = 45% exactly; a cent less deducted fails.
    Before issue 13 the deduction was refused as an unknown adjustment."""
    d = _decide(_delivered_casing(deduction))
    assert d.verdict is verdict
    assert d.rvc[0].value == rvc
    assert "r 51P(5)" in {str(c) for c in d.citations()}


def test_transport_deduction_needs_a_material_acquired_in_the_territory() -> None:
    with pytest.raises(CaseError, match="acquired_in_territory"):
        _decide(_delivered_casing("20.00", acquired=False))


def test_transport_deduction_is_for_the_rvc_only() -> None:
    """r 51P(5) is "for the purposes of the calculation required by subclause (1)": de
    minimis (r 51O(3)(a)) takes the value before it: 110.00 > 10% of 1000.00."""
    housing = {
        **_material("110.00", hs="8413.91", basis="acquisition-cost"),
        "attributes": ["acquired_in_territory"],
        "adjustments": [{"kind": "transport_to_producer", "amount": "10.00"}],
    }
    assert _decide(_case("CTH", [housing])).verdict is Verdict.NOT_ORIGINATING


def _impeller(blank_hs: str) -> dict[str, Any]:
    """Worked case 30: motor 300.00; impeller (400.00) made in Singapore from a 350.00 blank."""
    blank = {**_material("350.00", hs=blank_hs), "id": "BLANK"}
    impeller = {
        "id": "IMPELLER",
        "hs": "8413.91",
        "value": "400.00",
        "basis": "production-cost",
        "produced_in": "SG",
        "psr": "CTH",
        "operations": ["machining"],
        "components": [blank],
    }
    return _case("RVC45", [_material("300.00"), impeller])


def test_intermediate_made_in_a_party_is_counted_whole() -> None:
    """r 51P(3): the blank used in Singapore to make the impeller is not in VNM; the impeller
    counts whole by its own status: originating, VNM 300.00 (70%); non-originating (the blank
    of the same heading fails CTH), VNM 300.00 + 400.00 (30%), never 300.00 + 350.00."""
    d = _decide(_impeller("7325.99"))
    assert (d.verdict, d.rvc[0].value) == (Verdict.ORIGINATING, Fraction(70))
    d = _decide(_impeller("8413.91"))
    assert (d.verdict, d.rvc[0].value) == (Verdict.NOT_ORIGINATING, Fraction(30))
    assert "r 51P(3)" in {str(c) for c in d.citations()}
    data = _impeller("7325.99")
    data["materials"][1]["produced_in"] = "MY"  # made outside the parties: (a) not met
    d = _decide(data)
    assert "r 51P(3)" not in {str(c) for c in d.citations()}
    assert d.rvc[0].value == 30


# ------------------------------------------------------- citations (issue 13, item 5)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_provision_named_is_cited(path: Path) -> None:
    """Every provision a worked case's determination names in its text (steps, RVC notes,
    notes, obligations) is among its structured citations."""
    assert uncited(worked.run(AGREEMENT, path)) == []


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_provisions_applied_to_materials_are_cited(path: Path) -> None:
    """r 51O(2), r 51Q(1), r 51R, r 51S and r 51P(5) applied to a material line are steps,
    not only the row's citations (r 51P(1), each row's valuation, is cited where a value is
    relied on: by the RVC and de minimis)."""
    d = worked.run(AGREEMENT, path)
    cited = {str(c) for c in d.citations()}
    rows = {str(c) for row in d.materials for c in row.citations}
    assert rows - cited <= {"r 51P(1)"}


def test_rvc_rule_shows_that_minimal_operations_do_not_apply() -> None:
    """r 51O(4) "Except where goods are subject to a regional value content": under RVC45 the
    step says the exception applies (Thailand shows r 51G(4) likewise); it was missing."""
    d = _decide(_case("RVC45", [_material("550.00")], operations=["packing"]))
    assert d.verdict is Verdict.ORIGINATING
    step = next(s for top in d.steps for s in top.walk() if str(s.citation) == "r 51O(4)")
    assert step.outcome is Outcome.MEETS
    assert "regional value content" in step.summary


def test_minimal_operations_cite_their_paragraph() -> None:
    d = _decide(_case("CTH", [_material("100.00")], operations=["packing", "labelling"]))
    cited = {str(c) for c in d.citations()}
    assert "r 51N minimal operations or processes (b)(iv)" in cited
    assert "r 51N minimal operations or processes (b)(v)" in cited


def test_adjusted_transaction_value_is_cited_where_used() -> None:
    """r 51P(4) was named only in the RVC note: now a step under the RVC step and under the
    de minimis step (r 51O(3)(a): TV "calculated in accordance with regulation 51P")."""
    facts = {"producer_exports_directly": False, "tv_adjustment": "ex-factory plus delivery"}
    d = _decide(_case("RVC45", [_material("550.00")], facts))
    assert d.verdict is Verdict.ORIGINATING
    rvc = next(s for top in d.steps for s in top.walk() if s.test.startswith("RVC"))
    assert "r 51P(4)" in {str(c.citation) for c in rvc.children}
    d = _decide(_case("CTH", [_material("100.00", hs="8413.91")], facts))
    de_minimis = next(s for top in d.steps for s in top.walk() if s.test == "de minimis")
    assert {"r 51P(1)", "r 51P(4)"} <= {str(c.citation) for c in de_minimis.children}


def test_tv_adjustment_concerns_the_goods_not_an_intermediate() -> None:
    """r 51P(4) "When the producer of goods does not export the goods directly": a material
    decided in its own right is not exported; its own RVC is not held up for the goods' TV
    adjustment. The impeller (8413.91, the pump's heading) decides the pump's CTH."""
    sub = {
        "id": "IMPELLER",
        "hs": "8413.91",
        "value": "500.00",
        "basis": "production-cost",
        "psr": "RVC45",
        "operations": ["machining"],
        "components": [{**_material("100.00", hs="7325.99"), "id": "BLANK"}],
    }
    data = _case("CTH", [sub], {"producer_exports_directly": False})
    d = _decide(data)
    step = next(s for s in d.steps if s.test == "intermediate material IMPELLER")
    assert step.outcome is Outcome.MEETS  # (500 − 100) / 500 = 80%
    assert d.verdict is Verdict.ORIGINATING


def test_records_obligations_cite_both_subclauses() -> None:
    d = _decide(_case("CTH", [_material("100.00")]))
    assert {"r 51W(1)", "r 51W(2)", "r 51V"} <= {str(o.citation) for o in d.obligations}
