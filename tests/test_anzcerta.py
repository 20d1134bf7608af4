"""ANZCERTA thresholds at the cent, and provisions not covered by the worked cases.

Every threshold is tested exactly at the boundary and one cent on the wrong side; the
arithmetic is in each test's docstring or ids, from the regulation text.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import attrs
import pytest
from anzcerta_cases import ANZCERTA, DATE, case, decide, material

from origin.agreement import FactError
from origin.caseio import CaseFormatError, case_from_json
from origin.determination import Outcome, Verdict
from origin.engine import CaseError
from origin.law import LawNotEncoded

TIMBER = "4407.11"  # heading 44.07: changes heading to 94.03
PANELS = "9403.91"  # heading 94.03: same heading as the desk


@pytest.mark.parametrize(
    ("vnm", "verdict", "rvc"),
    [
        # r 36(1): (1000.00 − 500.00) / 1000.00 × 100 = 50% — not less than 50%: passes.
        ("500.00", Verdict.ORIGINATING, Fraction(50)),
        # (1000.00 − 500.01) / 1000.00 × 100 = 49.999% — one cent short: fails.
        ("500.01", Verdict.NOT_ORIGINATING, Fraction(49999, 1000)),
    ],
)
def test_build_down_at_50(vnm: str, verdict: Verdict, rvc: Fraction) -> None:
    d = decide(
        case("RVC50 (build-down)", materials=[material("T", TIMBER, vnm, "non-originating")])
    )
    assert d.verdict is verdict
    assert d.rvc[0].value == rvc


@pytest.mark.parametrize(
    ("vom", "verdict"),
    [
        ("350.00", Verdict.ORIGINATING),  # r 36(2): 350.00 / 1000.00 × 100 = 35%
        ("349.99", Verdict.NOT_ORIGINATING),  # 34.999%
    ],
)
def test_build_up_at_35(vom: str, verdict: Verdict) -> None:
    # A non-originating material too, so class 33(2)(b) (all originating) cannot apply.
    d = decide(
        case(
            "RVC35 (build-up)",
            materials=[
                material("T", TIMBER, vom, "originating"),
                material("F", "8302.42", "1.00", "non-originating"),
            ],
        )
    )
    assert d.verdict is verdict


@pytest.mark.parametrize(
    ("orig", "verdict"),
    [
        # FC = 500.00 + 300.00 + wages 200.00 = 1000.00; QE = 300.00 + 200.00 = 500.00 → 50%.
        ("300.00", Verdict.ORIGINATING),
        # FC = 999.99, QE = 499.99: 499.99/999.99 = 49.9997…% < 50%.
        ("299.99", Verdict.NOT_ORIGINATING),
    ],
)
def test_factory_cost_at_50(orig: str, verdict: Verdict) -> None:
    d = decide(
        case(
            "RVC50 (factory-cost)",
            materials=[
                material("T", TIMBER, "500.00", "non-originating"),
                material("F", "8302.42", orig, "originating"),
            ],
            costs=[{"id": "W", "category": "wages", "amount": "200.00", "incurred_in": "AU"}],
        )
    )
    assert d.verdict is verdict


@pytest.mark.parametrize(
    ("failing", "verdict"),
    [
        ("100.00", Verdict.ORIGINATING),  # r 35(a): 100.00 / 1000.00 = 10% does not exceed 10%
        ("100.01", Verdict.NOT_ORIGINATING),  # 10.001% exceeds 10%
    ],
)
def test_de_minimis_at_10(failing: str, verdict: Verdict) -> None:
    d = decide(case("CTH", materials=[material("P", PANELS, failing, "non-originating")]))
    assert d.verdict is verdict


@pytest.mark.parametrize(
    ("qe_material", "statement", "verdict"),
    [
        # FC 1000.00; QE = orig + wages 200.00. r 37(2)(a): 48% ≤ RVC < 50% can be covered.
        ("280.00", True, Verdict.ORIGINATING),  # exactly 48%: covered by the statement
        ("279.99", True, Verdict.NOT_ORIGINATING),  # 47.999…%: below the band, no statement helps
        ("280.00", False, Verdict.NOT_ORIGINATING),  # 48% without a statement
    ],
)
def test_tolerance_band_edges(qe_material: str, statement: bool, verdict: Verdict) -> None:
    # Keep FC at 1000.00: non-originating = 800.00 − originating.
    orig_cents = int(qe_material.replace(".", ""))
    non_orig = f"{(80000 - orig_cents) // 100}.{(80000 - orig_cents) % 100:02d}"
    d = decide(
        case(
            "RVC50 (factory-cost)",
            materials=[
                material("T", TIMBER, non_orig, "non-originating"),
                material("F", "8302.42", qe_material, "originating"),
            ],
            costs=[{"id": "W", "category": "wages", "amount": "200.00", "incurred_in": "AU"}],
            facts={"r37_statement": "CE 2025/1"} if statement else None,
        )
    )
    assert d.verdict is verdict
    fc = next(r for r in d.rvc if r.method == "factory-cost")
    assert dict(fc.inputs)["FC"] == 1000


def test_tolerance_only_for_50_percent_factory_cost() -> None:
    """r 37(1): the statement relieves a 50% factory-cost requirement, not a 45% one."""
    d = decide(
        case(
            "RVC45 (factory-cost)",
            materials=[
                material("T", TIMBER, "570.00", "non-originating"),
                material("F", "8302.42", "230.00", "originating"),
            ],
            costs=[{"id": "W", "category": "wages", "amount": "200.00", "incurred_in": "AU"}],
            facts={"r37_statement": "CE 2025/1"},
        )
    )  # QE 430 / FC 1000 = 43% < 45%
    assert d.verdict is Verdict.NOT_ORIGINATING


def test_every_method_reported_when_rule_names_none() -> None:
    """Issue: evaluate every allowed RVC method and report all; any passing one suffices."""
    d = decide(
        case(
            "RVC60",
            materials=[
                material("T", TIMBER, "300.00", "non-originating"),
                material("F", "8302.42", "100.00", "originating"),
            ],
            costs=[{"id": "W", "category": "wages", "amount": "100.00", "incurred_in": "AU"}],
        )
    )
    methods = {r.method: r for r in d.rvc}
    assert set(methods) == {"build-down", "build-up", "factory-cost"}
    assert methods["build-down"].value == 70  # (1000 − 300) / 1000
    assert methods["build-up"].value == 10  # 100 / 1000
    assert methods["factory-cost"].value == 40  # (100 + 100) / (300 + 100 + 100)
    assert d.verdict is Verdict.ORIGINATING


def test_headroom_build_down() -> None:
    """At 40% build-down with AV 1000.00 the VNM may reach 600.00 (= AV × (1 − 40/100))."""
    d = decide(
        case("RVC40 (build-down)", materials=[material("T", TIMBER, "450.00", "non-originating")])
    )
    bounds = {symbol: (direction, bound) for symbol, direction, bound in d.rvc[0].headroom}
    assert bounds["VNM"] == ("at most", Fraction(600))
    assert bounds["AV"] == ("at least", Fraction(750))  # 450 / (1 − 0.4)


def test_excluded_costs_are_listed_not_dropped() -> None:
    d = decide(
        case(
            "RVC50 (factory-cost)",
            materials=[material("T", TIMBER, "100.00", "originating")],
            costs=[
                {"id": "P", "category": "profit", "amount": "70.00"},
                {"id": "X", "category": "processing_outside_parties", "amount": "5.00"},
            ],
        )
    )
    assert any("P 70.00" in n and "(c)(viii)" in n for n in d.notes)
    assert any("X 5.00" in n and "(c)(x)" in n for n in d.notes)


def test_allowable_costs_abroad_count_in_factory_cost_not_in_qe() -> None:
    """r 32: allowable expenditure relates to processing the goods (a), wherever incurred;
    qualifying expenditure (b) takes only what was incurred in a party. Design done in the US:
    FC = 40 + 50 + 10 + 10 = 110; QE = 40 + 10 = 50; 50 / 110 = 45.45…% < 50%."""
    d = decide(
        case(
            "RVC50 (factory-cost)",
            materials=[
                material("O", "8302.42", "40.00", "originating"),
                material("N", TIMBER, "50.00", "non-originating"),
            ],
            costs=[
                {"id": "W", "category": "wages", "amount": "10.00", "incurred_in": "AU"},
                {"id": "D", "category": "research_design", "amount": "10.00", "incurred_in": "US"},
            ],
        )
    )
    fc = next(r for r in d.rvc if r.method == "factory-cost")
    assert dict(fc.inputs) == {"QE": 50, "FC": 110}
    assert fc.value == Fraction(500, 11)
    assert d.verdict is Verdict.NOT_ORIGINATING
    assert any("D incurred outside the parties" in n for n in d.notes)


def test_unknown_cost_category_is_an_error() -> None:
    with pytest.raises(CaseError, match="unknown category 'wage'"):
        decide(case("RVC50 (factory-cost)", costs=[{"id": "W", "category": "wage", "amount": "1"}]))


def test_duplicate_cost_line_is_an_error() -> None:
    """A cost counted twice is an error: the reader names the repeat; the engine refuses one
    built in Python (e.g. in a notebook) that skipped the reader."""
    line = {"id": "W", "category": "wages", "amount": "1", "incurred_in": "AU"}
    with pytest.raises(CaseFormatError, match=r"costs\[1\]\.id: cost line id 'W' is used twice"):
        decide(case("RVC50 (factory-cost)", costs=[line, line]))
    built = case_from_json(case("RVC50 (factory-cost)", costs=[line]))
    doubled = attrs.evolve(built, costs=built.costs * 2)
    with pytest.raises(CaseError, match="appears twice"):
        ANZCERTA.determine(doubled, DATE)


def test_unknown_material_value_needs_information() -> None:
    d = decide(
        case(
            "RVC40 (build-down)", materials=[{"id": "T", "hs": TIMBER, "status": "non-originating"}]
        )
    )
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("value of material T" in m for m in d.missing)


def test_undetermined_counts_as_non_originating() -> None:
    d = decide(
        case("RVC50 (build-down)", materials=[material("T", TIMBER, "600.00", "undetermined")])
    )
    assert d.verdict is Verdict.NOT_ORIGINATING
    assert d.materials[0].counted_as == "VNM"


def test_material_hs_too_coarse_needs_information() -> None:
    d = decide(case("CTSH", materials=[material("T", "94.03", "10.00", "non-originating")]))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("subheading" in m for m in d.missing)


def test_exception_in_rule() -> None:
    """CTH except from 44.07: timber of 44.07 changes heading but is excepted."""
    d = decide(
        case(
            "CTH except from 44.07", materials=[material("T", TIMBER, "300.00", "non-originating")]
        )
    )
    assert d.verdict is Verdict.NOT_ORIGINATING


def test_undeclared_operations_need_information() -> None:
    d = decide(case("CTH", operations=None))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert "operations performed on the goods in the parties" in d.missing


def test_inventory_method_needs_fiscal_year() -> None:
    """r 39A(2): averaging, LIFO or FIFO must run through the producer's fiscal year."""
    fungible = material("T", TIMBER, "300.00", "originating", attributes=["fungible"])
    d = decide(case("CTH", materials=[fungible], facts={"inventory_method": "averaging"}))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    d = decide(
        case(
            "CTH",
            materials=[fungible],
            facts={"inventory_method": "averaging", "inventory_method_fiscal_year": "FY2025"},
        )
    )
    assert d.verdict is Verdict.ORIGINATING


def test_date_before_coverage_refused() -> None:
    with pytest.raises(LawNotEncoded, match="2022-01-01"):
        decide(case("CTH"), dt.date(2021, 12, 31))


def test_record_keeping_until() -> None:
    """r 39E(3): at least 5 years after importation (2025-06-01 → 2030-06-01)."""
    data = case("CTH")
    data["consignment"]["imported_on"] = "2025-06-01"
    d = decide(data)
    assert any(
        str(o.citation) == "r 39E(3)" and o.until == dt.date(2030, 6, 1) for o in d.obligations
    )


def test_steps_all_carry_citations() -> None:
    d = decide(
        case(
            "CTH or RVC40 (build-down)",
            materials=[material("P", PANELS, "300.00", "non-originating")],
        )
    )
    for top in d.steps:
        for step in top.walk():
            assert str(step.citation).startswith("r ")
            assert isinstance(step.outcome, Outcome)


def test_value_on_a_basis_r38_does_not_use_is_no_value() -> None:
    """r 38(1) values materials at customs value, acquisition cost or production cost: a CIF
    figure is not one of them, so the build-down test needs the material's r 38 value."""
    d = decide(
        case(
            "RVC40 (build-down)",
            materials=[material("T", TIMBER, "300.00", "non-originating", basis="cif")],
        )
    )
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert "value of material T" in d.missing
    assert any("cif basis" in note for note in d.materials[0].notes)
    ok = decide(
        case(
            "RVC40 (build-down)",
            materials=[material("T", TIMBER, "300.00", "non-originating", basis="customs-value")],
        )
    )
    assert ok.verdict is Verdict.ORIGINATING


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"election_33_2_e": "yes"}, "expected true or false"),
        ({"r37_statement": ""}, "non-empty text"),
        ({"r37_statment": "x"}, "unknown case fact"),
    ],
)
def test_fact_values_are_checked(facts: dict[str, object], message: str) -> None:
    with pytest.raises(FactError, match=message):
        decide(case("CTH", facts=facts))


def test_misspelt_attribute_is_an_error_not_ignored() -> None:
    with pytest.raises(FactError, match="unknown attribute"):
        decide(
            case(
                "CTH",
                materials=[material("T", TIMBER, "1", "originating", attributes=["fungibel"])],
            )
        )


def test_unknown_adjustment_is_an_error_even_without_a_value() -> None:
    with pytest.raises(FactError, match="unknown adjustment"):
        decide(
            case(
                "CTH",
                materials=[
                    {
                        "id": "T",
                        "hs": TIMBER,
                        "status": "originating",
                        "adjustments": [{"kind": "frieght", "amount": "1"}],
                    }
                ],
            )
        )


def test_default_place_of_cost_is_stated() -> None:
    d = decide(
        case(
            "RVC50 (factory-cost)",
            materials=[material("T", TIMBER, "10", "originating")],
            costs=[{"id": "W", "category": "wages", "amount": "5"}],
        )
    )
    assert any("W state no incurred_in: taken as incurred in AU" in n for n in d.notes)


def test_similar_goods_statement() -> None:
    """r 37(3)(b): a statement also covers similar goods in a later shipment."""
    d = decide(
        case(
            "RVC50 (factory-cost)",
            materials=[
                material("T", TIMBER, "520.00", "non-originating"),
                material("F", "8302.42", "280.00", "originating"),
            ],
            costs=[{"id": "W", "category": "wages", "amount": "200.00", "incurred_in": "AU"}],
            facts={"r37_statement": "CE 2025/1", "r37_similar_goods": True},
        )
    )
    assert d.verdict is Verdict.ORIGINATING
    assert "r 37(3)(b)" in d.rvc[0].note


def test_de_minimis_fails_when_known_values_already_exceed() -> None:
    """r 35(a): 150.00 of 1000.00 already exceeds 10%; a missing value can only add to it."""
    d = decide(
        case(
            "CTH",
            materials=[
                material("P", PANELS, "150.00", "non-originating"),
                {"id": "Q", "hs": PANELS, "status": "non-originating"},
            ],
        )
    )
    assert d.verdict is Verdict.NOT_ORIGINATING


@pytest.mark.parametrize(
    ("psr", "verdict"),
    [
        ("RVC50 (build-up)", Verdict.ORIGINATING),  # known 60% ≥ 50%: unknowns only add
        ("RVC70 (build-up)", Verdict.NEEDS_INFORMATION),  # 60% < 70%: U's value decides
    ],
)
def test_build_up_bound_decides_when_known_vom_already_passes(psr: str, verdict: Verdict) -> None:
    """r 36(2): known VOM 600.00 of 1000.00 is 60%; an unknown originating value can only
    raise VOM, so the known figure is a lower bound."""
    d = decide(
        case(
            psr,
            materials=[
                material("T", TIMBER, "600.00", "originating"),
                {"id": "U", "hs": TIMBER, "status": "originating"},
                material("N", "8302.42", "1.00", "non-originating"),
            ],
        )
    )
    assert d.verdict is verdict
    assert d.rvc[0].bound == "at least"
    assert ("value of material U" in d.missing) == (verdict is Verdict.NEEDS_INFORMATION)


def test_self_produced_non_originating_is_not_exclusively_originating() -> None:
    """r 36(1) leaves it out of VNM; it is still non-originating for r 33(2)(b)."""
    d = decide(
        case(
            "CTH",
            materials=[material("M", PANELS, "500.00", "non-originating", self_produced=True)],
        )
    )
    assert d.verdict is Verdict.NOT_ORIGINATING
    assert d.materials[0].counted_as == "inputs in VNM (roll-down)"
    assert d.materials[0].vnm_value is None  # its inputs are not given


_PARTS = [material("P", PANELS, "150.00", "non-originating")]


@pytest.mark.parametrize(
    ("drawers", "verdict"),
    [
        # No BOM: r 36(1) counts the non-originating materials acquired to make DR, unknown
        # here. Known VNM 400.00 gives at most 60%: not yet decided.
        ({"self_produced": True}, Verdict.NEEDS_INFORMATION),
        # Its BOM given; under CC (9403.91 → 9403.99, same chapter) it is non-originating:
        # VNM = 400.00 + 150.00 = 550.00, (1000 − 550) / 1000 = 45% < 50%.
        ({"self_produced": True, "components": _PARTS, "psr": "CC"}, Verdict.NOT_ORIGINATING),
        # Under CTSH (9403.91 → 9403.99 changes subheading) it is originating, and its
        # acquired inputs still count in VNM: the same 550.00, 45%.
        ({"self_produced": True, "components": _PARTS, "psr": "CTSH"}, Verdict.NOT_ORIGINATING),
        # Declared non-originating with its BOM: the same 550.00.
        (
            {"self_produced": True, "components": _PARTS, "status": "non-originating"},
            Verdict.NOT_ORIGINATING,
        ),
    ],
    ids=["no-bom", "bom-non-originating", "bom-originating", "declared-with-bom"],
)
def test_self_produced_roll_down(drawers: dict[str, object], verdict: Verdict) -> None:
    """r 36(1): VNM excludes self-produced materials but includes the non-originating
    materials acquired and used to make them, whatever the self-produced material's origin."""
    dr = {
        "id": "DR",
        "hs": "9403.99",
        "value": "200.00",
        "status": "undetermined",
        "produced_in": "AU",
        "operations": ["joinery"],
        **drawers,
    }
    d = decide(
        case(
            "RVC50 (build-down)", materials=[material("T", TIMBER, "400.00", "non-originating"), dr]
        )
    )
    assert d.verdict is verdict
    vnm = {r.method: dict(r.inputs) for r in d.rvc}["build-down"]["VNM"]
    assert vnm == (400 if verdict is Verdict.NEEDS_INFORMATION else 550)
    rows = list(d.materials)
    assert rows[1].status == ("originating" if drawers.get("psr") == "CTSH" else "non-originating")
    if verdict is not Verdict.NEEDS_INFORMATION:
        assert sum(r.vnm_value or 0 for r in rows) == 550  # the table reconciles


def test_standard_accessory_is_treated_as_originating_for_class_b() -> None:
    """r 39(1): a customary tool delivered with the goods and not invoiced separately 'must be
    treated as originating goods', so it does not defeat r 33(2)(b); in RVC it still counts by
    its own status (r 39(1)(c))."""
    tool = material(
        "K",
        "8205.40",
        "10.00",
        "non-originating",
        accessory={"kind": "tool", "invoiced_separately": False, "customary": True},
    )
    timber = material("T", TIMBER, "300.00", "originating", origin_country="AU")
    d = decide(case(None, materials=[timber, tool]))
    assert d.verdict is Verdict.ORIGINATING
    assert "r 33(2)(b)" in d.basis
    billed = {**tool, "accessory": {"kind": "tool", "invoiced_separately": True, "customary": True}}
    assert decide(case(None, materials=[timber, billed])).verdict is Verdict.NEEDS_INFORMATION


def test_originating_material_from_a_non_party_is_an_error() -> None:
    with pytest.raises(FactError, match="declared originating but comes from CN"):
        decide(
            case(
                "CTH",
                materials=[material("F", "8302.42", "1.00", "originating", origin_country="CN")],
            )
        )


@pytest.mark.parametrize("amount", ["1E+5000", "1E+999999", "1000000000000000"])
def test_absurd_amounts_are_located_errors(amount: str) -> None:
    with pytest.raises(CaseFormatError, match=r"good\.adjusted_value: .* out of range"):
        decide(case("CTH", av=amount))


def test_minimal_operation_synonyms() -> None:
    """r 33A(1)(c)-(d): repacking and relabelling are minimal, as they are under r 34(2)."""
    d = decide(
        case(
            "CTH",
            operations=["repacking", "relabelling"],
            materials=[material("D", "9403.30", "700.00", "originating", origin_country="AU")],
        )
    )
    assert d.verdict is Verdict.NOT_ORIGINATING


def test_class_d_cites_the_sub_paragraph_and_checks_origin() -> None:
    """r 33(2)(d)(ii): materials wholly manufactured *in the parties*; a material from a
    non-party cannot be one."""
    made = material(
        "P",
        "4412.31",
        "300.00",
        "undetermined",
        origin_country="NZ",
        attributes=["wholly_manufactured_in_parties"],
    )
    d = decide(case(None, materials=[made]))
    assert d.verdict is Verdict.ORIGINATING
    assert "r 33(2)(d)(ii)" in {str(c) for c in d.citations()}
    foreign = {**made, "origin_country": "CN"}
    assert decide(case(None, materials=[foreign])).verdict is not Verdict.ORIGINATING


# --------------------------------------------------------------------------- r 39A (issue 13)

FITTINGS = "8302.42"


def _fungible_desk(method: str | None, timber_status: str, **timber: object) -> dict[str, object]:
    """A desk under RVC40 (build-down): AV 1000.00, fittings 350.00 non-originating, and
    fungible timber 300.00 drawn from a mixed stock. With the timber originating VNM = 350.00
    and RVC = (1000.00 − 350.00) / 1000.00 × 100 = 65%; with it non-originating VNM = 650.00
    and RVC = 35% < 40%: the verdict turns on the timber's origin by the method."""
    facts: dict[str, object] = {"inventory_method_fiscal_year": "2024-07-01 to 2025-06-30"}
    if method is not None:
        facts["inventory_method"] = method
    return case(
        "RVC40 (build-down)",
        materials=[
            material("T", TIMBER, "300.00", timber_status, attributes=["fungible"], **timber),
            material("F", FITTINGS, "350.00", "non-originating", origin_country="CN"),
        ],
        facts=facts,
    )


@pytest.mark.parametrize(
    "method", ["specific identification", "weighted average cost", "standard cost (GAAP)"]
)
def test_any_inventory_method_is_accepted_as_stated(method: str) -> None:
    """r 39A(1)(b): "any inventory management method, such as averaging, last in and first
    out, or first in and first out": the three are examples, so another stated method is
    recorded as stated and cited, not refused (before issue 13: an input error)."""
    d = decide(_fungible_desk(method, "originating", origin_country="AU"))
    assert d.verdict is Verdict.ORIGINATING
    assert d.rvc[0].value == 65
    step = next(s for s in d.steps if s.test == "fungible materials")
    assert str(step.citation) == "r 39A(1)(b)" and step.outcome is Outcome.MEETS
    assert ("method stated", method) in step.inputs
    cited = {str(c) for c in d.citations()}
    assert {"r 39A(1)(b)", "r 39A(2)"} <= cited


@pytest.mark.parametrize(
    ("method", "words"),
    [
        ("Last in and first out", "last in and first out"),
        ("LIFO", "last in and first out"),
        ("first-in, first-out", "first in and first out"),
        ("Physical separation", "physical separation of each of the goods or materials"),
    ],
)
def test_the_named_methods_in_any_spelling(method: str, words: str) -> None:
    """The law's own words, or the key, in any case or punctuation name the same method."""
    d = decide(_fungible_desk(method, "originating", origin_country="AU"))
    step = next(s for s in d.steps if s.test == "fungible materials")
    assert words in step.summary and d.verdict is Verdict.ORIGINATING


def test_physical_separation_needs_no_fiscal_year() -> None:
    """r 39A(2) binds a method "selected under subclause (1)(b)"; separation is (1)(a)."""
    data = _fungible_desk("physical-separation", "originating", origin_country="AU")
    data["facts"] = {"inventory_method": "physical-separation"}
    d = decide(data)
    assert d.verdict is Verdict.ORIGINATING
    step = next(s for s in d.steps if s.test == "fungible materials")
    assert str(step.citation) == "r 39A(1)(a)"


def test_another_method_also_runs_through_the_fiscal_year() -> None:
    """r 39A(2) applies to any method selected under (1)(b), named or not."""
    data = _fungible_desk("specific identification", "originating", origin_country="AU")
    data["facts"] = {"inventory_method": "specific identification"}
    d = decide(data)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("fiscal year for the inventory method (r 39A(2))" in m for m in d.missing)


def test_origin_by_the_method_not_given_needs_information() -> None:
    """The method's result is which timber is originating. Not given, the timber counts as
    non-originating (RVC 35%) and would fail; counted originating (RVC 65%) it would pass:
    the verdict asks for the timber's origin by the method (before issue 13: not
    originating)."""
    d = decide(_fungible_desk("fifo", "undetermined"))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert "origin of fungible material T as identified by fifo (r 39A(1)(b))" in d.missing
    assert any("fungible material(s) T" in n for n in d.notes)


def test_origin_by_the_method_not_needed_when_the_goods_pass_anyway() -> None:
    """Timber of unknown origin counted non-originating: VNM = 300.00 + 50.00 = 350.00, RVC
    65% ≥ 40%. The goods pass either way, so nothing more is asked."""
    data = _fungible_desk("fifo", "undetermined")
    data["materials"][1]["value"] = "50.00"  # type: ignore[index]
    d = decide(data)
    assert d.verdict is Verdict.ORIGINATING and d.rvc[0].value == 65


def test_fungible_from_a_non_party_is_not_asked_about() -> None:
    """Timber stated to come from the US cannot be originating (r 32 "originating
    materials"): counted non-originating, RVC 35%, the goods fail without asking."""
    d = decide(_fungible_desk("fifo", "undetermined", origin_country="US"))
    assert d.verdict is Verdict.NOT_ORIGINATING
