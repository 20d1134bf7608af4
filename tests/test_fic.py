"""Forum Island Countries (regs 44–51): thresholds, bounds, provisions beyond the worked cases."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
import worked
from hypothesis import given, settings
from hypothesis import strategies as st

from origin import registry
from origin.agreement import FactError
from origin.caseio import case_from_json
from origin.determination import Verdict
from origin.engine import CaseError
from origin.groups import Membership

FIC = registry.get("fic")
DATE = dt.date(2025, 6, 1)
QAC = "qualifying-area-content"
COST_AGREEMENTS = [registry.get(n) for n in ("canada", "ldc", "lldc", "fic")]


def _case(
    *,
    hs: str = "7308.90",
    foreign: str = "500.00",
    wages: str = "500.00",
    materials: list[dict[str, Any]] | None = None,
    costs: list[dict[str, Any]] | None = None,
    facts: dict[str, str] | None = None,
    **good: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema": "origin-case/1",
        "currency": "FJD",
        "good": {"id": "G", "hs": hs, "produced_in": ["FJ"], "last_process_in": "FJ", **good},
        "materials": [{"id": "STEEL", "hs": "7216.10", "value": foreign, "origin_country": "CN"}]
        + (materials or []),
        "costs": [{"id": "W", "category": "wages_benefits", "amount": wages}] + (costs or []),
        "consignment": {"exported_from": "FJ", "transit": []},
    }
    if facts:
        data["facts"] = facts
    return data


def _decide(data: dict[str, Any], date: dt.date = DATE) -> Any:
    return FIC.determine(case_from_json(data), date)


cents = st.integers(min_value=1, max_value=10**8)
# r 51(2)(b), r 51(4): a later shipment is covered when it is of similar goods.
SIMILAR = {"tolerance_similar_goods": True}


@settings(deadline=None)  # the first example pays for imports and sympy compilation
@given(foreign=cents, wages=cents)
def test_fifty_percent_exactly(foreign: int, wages: int) -> None:
    """r 45(1)(b)(ii): originating exactly when QAC ≥ 50% of FWC, computed in cents."""
    d = _decide(_case(foreign=str(Decimal(foreign) / 100), wages=str(Decimal(wages) / 100)))
    assert d.rvc[0].value == Fraction(100 * wages, foreign + wages)
    assert (d.verdict is Verdict.ORIGINATING) is (wages >= foreign)


@given(foreign=cents, wages=cents)
def test_forty_five_percent_for_listed_apparel(foreign: int, wages: int) -> None:
    """r 45(2)(b)(iv): heading 61.09 is read against 45%."""
    data = _case(hs="6109.10", foreign=str(Decimal(foreign) / 100), wages=str(Decimal(wages) / 100))
    d = _decide(data)
    assert (d.verdict is Verdict.ORIGINATING) is (100 * wages >= 45 * (foreign + wages))


@pytest.mark.parametrize(
    ("wages", "facts", "verdict"),
    [
        ("480.00", None, Verdict.NOT_ORIGINATING),
        ("480.00", {"tolerance_determination": "CE 1; 2025-01-01 to 2025-12-31"} | SIMILAR, "orig"),
        ("479.99", {"tolerance_determination": "CE 1; 2025-01-01 to 2025-12-31"} | SIMILAR, "not"),
        ("480.00", {"tolerance_determination": "CE 1; 2024-01-01 to 2024-12-31"} | SIMILAR, "not"),
        ("400.00", {"lower_share": "40; CE 2025/3"}, "originating"),
        ("399.99", {"lower_share": "40"}, "not"),
    ],
)
def test_forty_eight_percent_and_lower_shares(
    wages: str, facts: dict[str, str] | None, verdict: Any
) -> None:
    """r 51(2) (48% within the determination's period) and r 45(2)(a) (lower share)."""
    foreign = str(Decimal(1000) - Decimal(wages))
    d = _decide(_case(foreign=foreign, wages=wages, facts=facts))
    expected = verdict.value if isinstance(verdict, Verdict) else verdict
    assert d.verdict.value.startswith(expected)


def _australian(cotton: str, wages: str, dye: str) -> dict[str, Any]:
    return _case(
        foreign=dye,
        wages=wages,
        materials=[
            {
                "id": "COTTON",
                "hs": "5201.00",
                "value": cotton,
                "origin_country": "AU",
                "attributes": ["unmanufactured_raw_product"],
            }
        ],
    )


@pytest.mark.parametrize(
    ("cotton", "wages", "verdict", "fic"),
    [
        ("550.00", "250.00", Verdict.ORIGINATING, Fraction(25)),  # exactly 25%
        ("550.01", "249.99", Verdict.NOT_ORIGINATING, Fraction(24999, 1000)),  # one cent short
    ],
)
def test_twenty_five_percent_forum_island_content(
    cotton: str, wages: str, verdict: Verdict, fic: Fraction
) -> None:
    """r 45(3): with Australian raw cotton counted, Forum Island content ≥ 25% (cents)."""
    d = _decide(_australian(cotton, wages, "200.00"))
    results = {r.method: r for r in d.rvc}
    assert results[QAC].value == 80
    assert results["forum-island-content"].value == fic
    assert d.verdict is verdict


def test_no_australian_material_no_twenty_five_percent_test() -> None:
    d = _decide(_case(foreign="500.00", wages="500.00"))
    assert [r.method for r in d.rvc] == [QAC]


def test_a_cost_counted_twice_is_an_error() -> None:
    """r 46(3): a cost is included once only."""
    case = case_from_json(_case())
    twice = attrs.evolve(
        case, costs=(*case.costs, attrs.evolve(case.costs[0], amount=Decimal("1")))
    )
    with pytest.raises(CaseError, match=r"r 46\(3\)"):
        FIC.determine(twice, DATE)


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"cross_references": "maybe"}, "not one of former-rules, full, none"),
        ({"tolerance_determination": "CE 2025/1"}, "should give the determination and its period"),
        ({"tolerance_determination": "CE; 2025-02-30 to 2025-03-01"}, "day is out of range"),
        ({"lower_share": "about forty"}, "should start with a percentage"),
    ],
)
def test_malformed_facts_are_errors(facts: dict[str, str], message: str) -> None:
    with pytest.raises(CaseError, match=message):
        _decide(_case(facts=facts))


def test_free_supply_needs_its_transport_cost() -> None:
    """r 50(1)(b): transport into the factory is added whoever paid it; without it the
    material's expenditure is unknown (a foreign material can only lower the share)."""
    free: dict[str, Any] = {
        "id": "RESIN",
        "hs": "3907.30",
        "value": "100.00",
        "origin_country": "US",
        "attributes": ["supplied_free_or_reduced"],
    }
    d = _decide(_case(foreign="400.00", wages="500.00", materials=[free]))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("r 50(1)(b)" in fact for fact in d.missing)
    free["adjustments"] = [{"kind": "transport_to_factory", "amount": "0.00"}]
    d = _decide(_case(foreign="400.00", wages="500.00", materials=[free]))
    assert d.verdict is Verdict.ORIGINATING and d.rvc[0].value == 50


def test_market_value_excess_cannot_exceed_the_cost() -> None:
    excess = {"kind": "excess_over_market_value", "amount": "600.00"}
    data = _case()
    data["materials"][0]["adjustments"] = [excess]
    with pytest.raises(CaseError, match=r"r 50\(4\)"):
        _decide(data)


def test_unknown_values_give_bounds() -> None:
    """A material of unknown value can pull the share only towards its own share."""
    unknown_foreign = {"id": "X", "hs": "7318.15", "origin_country": "CN"}
    d = _decide(_case(foreign="400.00", wages="600.00", materials=[unknown_foreign]))
    assert d.verdict is Verdict.NEEDS_INFORMATION  # at most 60%, perhaps below 50%
    assert any("cost of material X" in fact for fact in d.missing)
    d = _decide(_case(foreign="600.00", wages="400.00", materials=[unknown_foreign]))
    assert d.verdict is Verdict.NOT_ORIGINATING  # at most 40%
    assert d.rvc[0].bound == "at most"
    unknown_fijian = {
        "id": "Y",
        "hs": "1701.14",
        "origin_country": "FJ",
        "attributes": ["wholly_obtained"],
    }
    d = _decide(_case(foreign="400.00", wages="600.00", materials=[unknown_fijian]))
    assert d.verdict is Verdict.ORIGINATING  # at least 60%
    assert d.rvc[0].bound == "at least"


def _fijian(ident: str, value: str, inner: list[dict[str, Any]], wages: str) -> dict[str, Any]:
    return {
        "id": ident,
        "hs": "5208.52",
        "value": value,
        "produced_in": "FJ",
        "components": inner,
        "costs": [{"id": f"{ident}-W", "category": "wages_benefits", "amount": wages}],
    }


def test_partial_qualification_recurses() -> None:
    """Three levels: yarn (20% Fijian) in cloth in shirts; each level's share is its own
    qualifying area content (r 47(d)(ii)), exact all the way down."""
    fibre = {"id": "FIBRE", "hs": "5201.00", "value": "80.00", "origin_country": "IN"}
    yarn = _fijian("YARN", "100.00", [fibre], "20.00")  # 20 / 100 = 20%
    cloth = _fijian("CLOTH", "300.00", [yarn], "50.00")  # (20% × 100 + 50) / 150 = 7/15
    data = _case(foreign="100.00", wages="300.00", materials=[cloth])
    d = _decide(data)
    # cloth counts 7/15 × 300 = 140; FWC = 100 + 300 + 300 = 700; QAC = 300 + 140 = 440
    assert d.rvc[0].value == Fraction(100 * 440, 700)
    rows = {row.id: row for row in d.materials}
    assert rows["CLOTH"].vom_value == 140
    assert rows["CLOTH"].status == "partly qualifying"


def test_material_in_its_own_right_counts_in_full() -> None:
    fibre = {"id": "FIBRE", "hs": "5201.00", "value": "50.00", "origin_country": "IN"}
    cloth = _fijian("CLOTH", "300.00", [fibre], "50.00")  # own QAC 50% ≥ 50%
    d = _decide(_case(foreign="500.00", wages="200.00", materials=[cloth]))
    assert {row.id: row.vom_value for row in d.materials}["CLOTH"] == 300
    assert d.rvc[0].value == 50


@given(wages=cents, overhead=cents, abroad=st.booleans())
def test_qualifying_a_cost_never_lowers_the_share(wages: int, overhead: int, abroad: bool) -> None:
    """Moving an overhead from China to Fiji can only raise QAC (monotone)."""
    line = {"id": "O", "category": "premises", "amount": str(Decimal(overhead) / 100)}
    here = _decide(_case(wages=str(Decimal(wages) / 100), costs=[line | {"incurred_in": "FJ"}]))
    there = _decide(_case(wages=str(Decimal(wages) / 100), costs=[line | {"incurred_in": "CN"}]))
    assert here.rvc[0].value >= there.rvc[0].value
    assert {c.id: c.status for c in there.costs}["O"] == "non-qualifying"
    del abroad


def test_a_user_list_without_fiji(tmp_path: Path) -> None:
    listed = tmp_path / "fic.toml"
    listed.write_text(
        '[group]\nname = "fic"\ntitle = "Forum Island Countries (test)"\nsource = "test"\n'
        '[group.coverage]\nfrom = 2022-01-01\nreference = "test"\n'
        '[members]\nWS = { name = "Samoa" }\n',
        encoding="utf-8",
    )
    data = _case(foreign="100.00", wages="900.00")
    assert FIC.determine(case_from_json(data), DATE).verdict is Verdict.ORIGINATING
    other = FIC.with_membership(Membership.load(listed))
    assert other.determine(case_from_json(data), DATE).verdict is Verdict.NOT_ORIGINATING


@pytest.mark.parametrize("agreement", COST_AGREEMENTS, ids=lambda a: a.name)
def test_every_cost_line_is_explained(agreement: Any) -> None:
    """Each worked case's cost lines appear once each, with a status and a provision."""
    for path in worked.files(agreement):
        data = worked.load(path)
        d = worked.run(agreement, path)
        given_ids = [c["id"] for c in data["case"].get("costs", [])]
        assert [c.id for c in d.costs] == given_ids, path.name
        for row in d.costs:
            assert row.status in {"qualifying", "non-qualifying", "counted", "excluded"}
            assert str(row.citation).startswith("r ")


# ---------------------------------------------------------------- review regressions
# Each case below was found by an independent review (2026-11-23) to be decided wrongly.


def _data(materials: list[dict[str, Any]], costs: list[dict[str, Any]], **good: Any) -> Any:
    return {
        "schema": "origin-case/1",
        "currency": "FJD",
        "good": {
            "id": "G",
            "hs": "8516.10",
            "produced_in": ["FJ"],
            "last_process_in": "FJ",
        }
        | good,
        "materials": materials,
        "costs": costs,
        "consignment": {"exported_from": "FJ", "transit": []},
    }


def _base(materials: list[dict[str, Any]], costs: list[dict[str, Any]], **good: Any) -> Any:
    return _decide(_data(materials, costs, **good))


def _w(amount: str, **more: Any) -> dict[str, Any]:
    return {"id": f"W{amount}", "category": "wages_benefits", "amount": amount} | more


def _m(ident: str, value: str | None, **more: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": ident} | more
    if value is not None:
        data["value"] = value
    return data


def test_shipping_packaging_is_left_out() -> None:
    """r 46(2)(c): shipping containers are not in the factory or works cost."""
    d = _base(
        [
            _m("CTN", "200", origin_country="CN", packaging="shipment"),
            _m("B", "400", origin_country="CN"),
        ],
        [_w("400")],
    )
    assert d.verdict is Verdict.ORIGINATING and d.rvc[0].value == 50
    assert {r.id: r.status for r in d.materials}["CTN"] == "excluded"


def test_indirect_materials_are_overheads() -> None:
    """r 44 "materials" excludes materials treated as overheads; r 46(1)(c)(viii)."""
    d = _base(
        [
            _m("LUBE", "100", origin_country="CN", indirect=True),
            _m("B", "500", origin_country="CN"),
        ],
        [_w("400")],
    )
    assert d.verdict is Verdict.ORIGINATING and d.rvc[0].value == 50


def test_inner_containers_of_wholly_obtained_goods() -> None:
    """r 45(5): the containers take the goods' origin."""
    d = _base(
        [_m("BOX", "5", origin_country="CN", packaging="retail")],
        [],
        hs="0302.31",
        wholly_obtained="sea_fishing",
    )
    assert d.verdict is Verdict.ORIGINATING


@pytest.mark.parametrize(
    ("good", "verdict"),
    [
        ({"hs": "3926.20.22"}, Verdict.ORIGINATING),  # an 8-digit code is its own item: 45%
        ({"hs": "3926.20", "tariff_item": "3926.20.22"}, Verdict.ORIGINATING),
        ({"hs": "3926.20.99"}, Verdict.NOT_ORIGINATING),  # not listed: 50%
        ({"hs": "42.03"}, Verdict.NEEDS_INFORMATION),  # may be 4203.10 (45%)
        ({"hs": "42.03", "tariff_item": "4203.10.00"}, Verdict.ORIGINATING),
        ({"hs": "42.02"}, Verdict.NOT_ORIGINATING),
    ],
)
def test_listed_goods_at_any_code_level(good: dict[str, str], verdict: Verdict) -> None:
    """r 45(2)(b) names headings, a subheading and 8-digit items: 47% decides only where
    the code says which applies."""
    d = _base([_m("M", "530", origin_country="CN")], [_w("470")], **good)
    assert d.verdict is verdict


def test_former_rules_material_needs_its_place_of_last_process() -> None:
    """r 47(a)(iv) (former r 35): last process in Australia or NZ; in Australia it brings
    in the 25% test (r 45(3)(c))."""
    a = _m("A", "600", attributes=["anzcerta_qualifying_full"])
    rest = [_m("B", "200", origin_country="CN")]
    assert _base([a, *rest], [_w("200")]).verdict is Verdict.NEEDS_INFORMATION
    assert _base([a | {"produced_in": "AU"}, *rest], [_w("200")]).verdict is (
        Verdict.NOT_ORIGINATING
    )  # Forum Island content 20% < 25%
    assert _base([a | {"produced_in": "NZ"}, *rest], [_w("200")]).verdict is Verdict.ORIGINATING
    assert _base([a | {"produced_in": "CN"}, *rest], [_w("200")]).verdict is (
        Verdict.NOT_ORIGINATING
    )


def test_undecidable_paragraphs_ask() -> None:
    """A Fijian material of unknown last process, a raw product of unknown origin, and a
    material with a cost sheet but no place ask for the fact instead of failing."""
    fijian = _base([_m("M", "500", origin_country="FJ")], [_w("400")])
    assert fijian.verdict is Verdict.NEEDS_INFORMATION
    raw = _base([_m("R", "600", attributes=["unmanufactured_raw_product"])], [_w("400")])
    assert raw.verdict is Verdict.NEEDS_INFORMATION
    assert any("country of origin of material R" in f for f in raw.missing)
    sheet = _m("S", "600", components=[_m("Y", "100", origin_country="IN")], costs=[_w("50")])
    placeless = _base([sheet], [_w("400")])
    assert placeless.verdict is Verdict.NEEDS_INFORMATION
    assert any("country of the last process of material S" in f for f in placeless.missing)


def test_former_partial_share_is_australian_new_zealand_content_only() -> None:
    """r 47(c) read with former r 35(c)(ii): Forum Island materials in an NZ-made panel are
    not Australian/New Zealand content."""
    panel = _m(
        "P",
        "500",
        produced_in="NZ",
        attributes=["anzcerta_qualifying_partial"],
        components=[
            _m("FJX", "300", origin_country="FJ", attributes=["wholly_obtained"]),
            _m("CNX", "100", origin_country="CN"),
        ],
        costs=[_w("100", incurred_in="NZ")],
    )
    d = _base([panel, _m("B", "200", origin_country="CN")], [_w("300")])
    assert d.rvc[0].value == 40  # panel counts 20%: (100 + 300) / 1000
    assert d.verdict is Verdict.NOT_ORIGINATING


def test_contracting_out_abroad_is_counted_not_qualifying() -> None:
    """Work sent abroad comes back in what the factory receives (r 44, r 46(1)(a))."""
    abroad = {"id": "CO", "category": "contracting_out", "amount": "600", "incurred_in": "CN"}
    d = _base([], [_w("400"), abroad])
    assert d.rvc[0].value == 40 and d.verdict is Verdict.NOT_ORIGINATING


def test_a_material_tariff_item_is_asked_for_when_it_decides() -> None:
    made = _m(
        "C",
        "600",
        hs="3926.20",
        produced_in="FJ",
        components=[_m("Y", "53", origin_country="IN")],
        costs=[_w("47")],
    )
    d = _base([made, _m("B", "300", origin_country="CN")], [_w("100")])
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("NZ tariff item of material C" in f for f in d.missing)


def test_no_stray_steps_or_results() -> None:
    """A material qualifying in full under r 47(a)(iii) shows no own-sheet step; with the
    chief executive's permission the 25% result is not listed."""
    tuna = _m("TUNA", "500", origin_country="FJ", produced_in="FJ", attributes=["wholly_obtained"])
    d = _base([tuna], [_w("500")])
    assert not [s for top in d.steps for s in top.walk() if s.test.startswith("own cost sheet")]
    path = Path(__file__).parents[1] / "agreements/cases/fic/10-australian-content-permitted.json"
    d = worked.run(FIC, path)
    assert [r.method for r in d.rvc] == [QAC]


def test_an_empty_own_cost_sheet_asks_for_amounts() -> None:
    made = _m("C", "600", produced_in="FJ", components=[_m("Y", "0", origin_country="IN")])
    d = _base([made], [_w("400")])
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("amounts in the cost sheet of material C" in f for f in d.missing)


@pytest.mark.parametrize(
    ("facts", "outcome"),
    [
        (
            {"tolerance_determination": "CE 2025-01-05; 2025-01-01 to 2025-12-31"} | SIMILAR,
            "originating",
        ),
        ({"tolerance_determination": "CE 2024/9; 2024-01-01 to 2024-06-30"}, "not"),
        (
            {
                "tolerance_determination": "CE 2024/9; 2024-01-01 to 2024-06-30",
                "tolerance_for_this_shipment": True,
            },
            "originating",
        ),
    ],
)
def test_tolerance_determination_dates(facts: dict[str, Any], outcome: str) -> None:
    """r 51(2)(a) covers the affected shipment; (b) similar goods within the period."""
    d = _decide(_case(foreign="520.00", wages="480.00", facts=facts))
    assert d.verdict.value.startswith(outcome)


def test_reversed_tolerance_period_is_an_error() -> None:
    facts = {"tolerance_determination": "CE 1; 2025-12-31 to 2025-01-01"}
    with pytest.raises(CaseError, match="ends"):
        _decide(_case(facts=facts))


def test_forum_island_list_cannot_name_australia(tmp_path: Path) -> None:
    listed = tmp_path / "fic.toml"
    listed.write_text(
        '[group]\nname = "fic"\ntitle = "FIC (test)"\nsource = "test"\n'
        '[group.coverage]\nfrom = 2022-01-01\nreference = "test"\n'
        '[members]\nAU = { name = "Australia" }\nFJ = { name = "Fiji" }\n',
        encoding="utf-8",
    )
    with pytest.raises(FactError, match=r"r 44"):
        FIC.with_membership(Membership.load(listed))


# ----- issue 13: legal fidelity review

REFERENCE = Path(
    os.environ.get("ORIGIN_REFERENCE", Path(__file__).resolve().parents[2] / "shared/reference")
)
SUCCESSORS = {
    "3926.20.23": "3926.20.22",
    "3926.20.32": "3926.20.31",
    "3926.20.42": "3926.20.41",
    "3926.20.55": "3926.20.61",
    "3926.20.62": "3926.20.61",
}


def _reference(*parts: str) -> Path:
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not found: {path} (set ORIGIN_REFERENCE)")
    return path


def test_the_items_of_r_45_2_b_i_are_gone_from_the_2022_tariff() -> None:
    """r 45(2)(b)(i) names 3926.20.22, .31, .41 and .61. The WTD of 1 January 2022 has none
    of them, and has the items the law file pairs them with; its tariff item correlation
    2021-2022 lists no 3926.20 item (the renumbering predates it)."""
    items = _reference("nz_tariff", "wtd_2022-01-01_tariff_items.csv")
    with items.open(encoding="utf-8") as handle:
        current = {row["tariff_item"] for row in csv.DictReader(handle)}
    in_3926_20 = {item for item in current if item.startswith("3926.20.")}
    assert in_3926_20 == {"3926.20.01", "3926.20.11", *SUCCESSORS}
    named = [k for k, t in FIC.law.vocabulary("listed_goods").items() if k.startswith("3926")]
    assert sorted(named) == ["3926.20.22", "3926.20.31", "3926.20.41", "3926.20.61"]
    assert not set(named) & current
    successors = FIC.law.vocabulary("listed_goods_successors")
    assert {key: term.group for key, term in successors.items()} == SUCCESSORS
    correlation = _reference("nz_tariff", "wtd_2022-01-01_tariff_item_correlation_2021_to_2022.txt")
    assert "3926.20" not in correlation.read_text(encoding="utf-8")


@pytest.mark.parametrize(("item", "named"), sorted(SUCCESSORS.items()))
def test_a_renumbered_item_needs_review_naming_both_codes(item: str, named: str) -> None:
    """r 45(2)(b)(i): goods at a current item that may hold a named item's goods are never
    silently read against 50% (as before issue 13) nor 45%: at 47% the share decides, so the
    verdict needs the reviewed answer, which names both codes."""
    data = _case(hs="3926.20", tariff_item=item, foreign="530.00", wages="470.00")
    d = _decide(data)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any(item in fact and named in fact for fact in d.missing), d.missing
    step = next(s for top in d.steps for s in top.walk() if str(s.citation) == "r 45(2)(b)(i)")
    assert dict(step.inputs)["tariff item"] == item
    assert dict(step.inputs)["item named in r 45(2)(b)(i)"] == named
    assert "r 45(2)(b)(i)" in {str(c) for c in d.citations()}
    reviewed = _decide(data | {"facts": {"successor_item_listed": True}})
    assert reviewed.verdict is Verdict.ORIGINATING and reviewed.rvc[0].threshold == 45
    refused = _decide(data | {"facts": {"successor_item_listed": False}})
    assert refused.verdict is Verdict.NOT_ORIGINATING and refused.rvc[0].threshold == 50
    clear = _decide(_case(hs="3926.20", tariff_item=item, foreign="400.00", wages="600.00"))
    assert clear.verdict is Verdict.ORIGINATING  # 60% meets either share: no review needed


def test_a_subheading_names_the_renumbered_items_it_may_hold() -> None:
    d = _decide(_case(hs="3926.20", foreign="530.00", wages="470.00"))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("3926.20.23, which may succeed 3926.20.22" in fact for fact in d.missing)


def test_a_material_at_a_renumbered_item_asks_for_the_review() -> None:
    """r 47(d): a Fijian-made material at 3926.20.62 with 47% of its own content qualifies in
    its own right at 45% only: the review decides whether it counts in full."""
    made = _m(
        "C",
        "600",
        hs="3926.20.62",
        produced_in="FJ",
        components=[_m("Y", "53", origin_country="IN")],
        costs=[_w("47")],
    )
    d = _base([made, _m("B", "300", origin_country="CN")], [_w("100")])
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("material C" in f and "3926.20.61" in f for f in d.missing), d.missing
    data = _data([made, _m("B", "300", origin_country="CN")], [_w("100")])
    reviewed = _decide(data | {"facts": {"successor_item_listed": True}})
    assert reviewed.verdict is Verdict.ORIGINATING  # (600 + 100) / 1000


@pytest.mark.parametrize(
    ("facts", "verdict"),
    [
        ({}, Verdict.NEEDS_INFORMATION),
        ({"tolerance_similar_goods": True}, Verdict.ORIGINATING),
        ({"tolerance_similar_goods": False}, Verdict.NOT_ORIGINATING),
        ({"tolerance_for_this_shipment": True}, Verdict.ORIGINATING),
        (
            {"tolerance_similar_goods": True, "tolerance_revoked": "2025-06-01; CE 2025/15"},
            Verdict.NOT_ORIGINATING,
        ),
        (
            {"tolerance_similar_goods": True, "tolerance_revoked": "2025-06-02; CE 2025/15"},
            Verdict.ORIGINATING,
        ),
        (
            {"tolerance_for_this_shipment": True, "tolerance_revoked": "2025-01-01"},
            Verdict.NOT_ORIGINATING,
        ),
    ],
)
def test_similar_goods_and_revocation(facts: dict[str, Any], verdict: Verdict) -> None:
    """r 51(2)(b) with r 51(4): a later shipment is covered only if of similar goods (not
    stated: open; before issue 13 it was covered unasked). r 51(3): a revocation ends the
    determination for goods imported from the day it takes effect."""
    all_facts = {"tolerance_determination": "CE 1; 2025-01-01 to 2025-12-31"} | facts
    d = _decide(_case(foreign="520.00", wages="480.00", facts=all_facts))
    assert d.verdict is verdict
    cited = {str(c) for c in d.citations()}
    assert "r 51(1)" in cited
    # r 51(3) is cited where a revocation is stated, and listed wherever r 51 may apply.
    relied = "tolerance_revoked" in facts or verdict is not Verdict.NOT_ORIGINATING
    assert ("r 51(3)" in cited) is relied


def test_a_revocation_without_a_date_is_an_error() -> None:
    facts = {"tolerance_determination": "CE 1; 2025-01-01 to 2025-12-31", "tolerance_revoked": "x"}
    with pytest.raises(CaseError, match="tolerance_revoked"):
        _decide(_case(facts=facts))


def test_an_earlier_supply_revalued_needs_its_transport() -> None:
    """r 50(2)(c): the chief executive applied r 50(1) to an earlier free supply: valued as
    r 50(1) values it, so the transport into the factory must be stated (r 50(1)(b))."""
    cloth = {
        "id": "CLOTH",
        "hs": "5208.52",
        "value": "300.00",
        "origin_country": "CN",
        "attributes": ["earlier_supply_revalued"],
    }
    d = _decide(_case(foreign="100.00", wages="500.00", materials=[cloth]))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("transport of material CLOTH" in f for f in d.missing)
    carried = cloth | {"adjustments": [{"kind": "transport_to_factory", "amount": "100.00"}]}
    d = _decide(_case(foreign="100.00", wages="500.00", materials=[carried]))
    assert d.rvc[0].value == 50  # 500 / (100 + 400 + 500)
    assert {"r 50(1)", "r 50(2)(c)"} <= {str(c) for c in d.citations()}


def test_depreciation_is_listed_as_an_obligation() -> None:
    """r 46(4): depreciation by GAAP as the manufacturer applies them: taken as stated and
    listed, for the goods' cost lines and a material's own."""
    plant = {"id": "DEP", "category": "tooling_plant", "amount": "10.00"}
    d = _decide(_case(costs=[plant]))
    assert [str(o.citation) for o in d.obligations] == ["r 46(4)"]
    assert "DEP" in d.obligations[0].text
    assert not _decide(_case()).obligations
    rent = {"id": "RENT", "category": "premises", "amount": "5.00"}
    made = _m("C", "600", produced_in="FJ", costs=[_w("47"), rent])
    nested = _base([made], [_w("400")])
    assert "RENT" in nested.obligations[0].text


def _determinations() -> list[tuple[str, Any]]:
    return [
        (f"{a.name}/{p.stem}", worked.run(a, p)) for a in COST_AGREEMENTS for p in worked.files(a)
    ]


PROVISION = re.compile(r"\br (\d+[A-Z]*(?:\([0-9a-zA-Z]+\))*)")


def _mentioned(d: Any) -> set[str]:
    """Every provision a determination names anywhere in its text, and its rows' citations."""
    texts = [*d.notes, *(r.note for r in d.rvc), *(o.text for o in d.obligations)]
    for top in d.steps:
        for step in top.walk():
            texts += [step.test, step.summary, *(str(v) for _, v in step.inputs)]
    rows: set[str] = set()
    for row in d.materials:
        texts += [*row.notes, row.counted_as]
        rows |= {str(c) for c in row.citations}
    texts += [row.note for row in d.costs]
    return {f"r {found}" for text in texts for found in PROVISION.findall(text)} | rows


def test_every_provision_named_is_a_structured_citation() -> None:
    """Issue 13: every provision a Canada, Group 2, Group 3 or Forum Island determination
    relies on — named in a step, note, row or obligation — is in Determination.citations()
    (steps, RVC results, obligations, cost rows), for every worked case."""
    for name, d in _determinations():
        cited = {str(c) for c in d.citations()}
        assert _mentioned(d) <= cited, f"{name}: {sorted(_mentioned(d) - cited)}"


@pytest.mark.parametrize("name", ["ldc", "lldc", "fic"])
def test_every_group_determination_names_its_list(name: str) -> None:
    """Issue 13: the list of countries a determination used — title, source, date — is a
    cited step (r 43(1), r 43A(1), r 44), in every worked case of the group."""
    agreement = registry.get(name)
    assert agreement.membership is not None and agreement.membership.as_at == dt.date(2022, 1, 1)
    defined = {"ldc": "r 43(1)", "lldc": "r 43A(1)", "fic": "r 44"}[name]
    for path in worked.files(agreement):
        d = worked.run(agreement, path)
        step = next(s for s in d.steps if s.test == "group countries relied on")
        assert str(step.citation) == defined
        inputs = dict(step.inputs)
        assert inputs["list"] == agreement.membership.title
        assert inputs["source"] == agreement.membership.source
        assert inputs["as at"] == dt.date(2022, 1, 1)
        assert inputs["applied on"] == d.date
