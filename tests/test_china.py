"""China (regs 51Z–51ZL): worked cases, thresholds at the cent, and provisions beyond them.

The plugin is imported directly (it is not in the registry). Every threshold is tested
exactly at the boundary and one cent on the wrong side; the arithmetic is in the comments,
from the regulation text.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import worked

from agreements import china
from agreements.china import AGREEMENT
from origin.agreement import FactError
from origin.caseio import case_from_json
from origin.determination import Determination, Outcome, Verdict
from origin.engine import CaseError
from origin.law import LawNotEncoded

DATE = dt.date(2025, 6, 1)
SAME_HEADING = "8516.80"  # heading 85.16, like the kettle: fails CTH
OTHER_HEADING = "3926.90"  # heading 39.26: changes heading


def _material(ident: str, hs: str | None, value: str, status: str, **extra: Any) -> dict[str, Any]:
    data = {"id": ident, "value": value, "status": status, "basis": "cif", **extra}
    if hs is not None:
        data["hs"] = hs
    return data


def _case(
    psr: str | None,
    materials: list[dict[str, Any]],
    *,
    facts: dict[str, Any] | None = None,
    consignment: dict[str, Any] | None = None,
    **good: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema": "origin-case/1",
        "currency": "CNY",
        "good": {
            "id": "KETTLE",
            "hs": "8516.79",
            "fob": "1000.00",
            "produced_in": ["CN"],
            "last_process_in": "CN",
            "operations": ["moulding", "assembly"],
            **good,
        },
        "materials": materials,
        "consignment": consignment or {"exported_from": "CN", "transit": []},
    }
    if psr is not None:
        data["psr"] = psr
    if facts:
        data["facts"] = facts
    return data


def _decide(data: dict[str, Any], date: dt.date = DATE) -> Determination:
    return AGREEMENT.determine(case_from_json(data), date)


# --------------------------------------------------------------------------- worked cases

CASES = worked.files(AGREEMENT)


def test_worked_cases_exist() -> None:
    assert len(CASES) >= 20
    verdicts = {worked.load(path)["expect"]["verdict"] for path in CASES}
    assert verdicts == {"originating", "not originating", "needs information"}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_worked_case(path: Path) -> None:
    worked.check(AGREEMENT, path)


# --------------------------------------------------------------------------- thresholds


@pytest.mark.parametrize(
    ("psr", "vnm", "verdict", "rvc"),
    [
        # r 51ZC(1): (1000.00 − 600.00) / 1000.00 × 100 = 40% — the PSR's 40%: passes.
        ("RVC40", "600.00", Verdict.ORIGINATING, Fraction(40)),
        # (1000.00 − 600.01) / 1000.00 × 100 = 39.999% — one cent short: fails.
        ("RVC40", "600.01", Verdict.NOT_ORIGINATING, Fraction(39999, 1000)),
        # RVC50: (1000.00 − 500.00) / 1000.00 × 100 = 50% passes; 500.01 gives 49.999%.
        ("RVC50", "500.00", Verdict.ORIGINATING, Fraction(50)),
        ("RVC50", "500.01", Verdict.NOT_ORIGINATING, Fraction(49999, 1000)),
    ],
)
def test_rvc_at_the_threshold(psr: str, vnm: str, verdict: Verdict, rvc: Fraction) -> None:
    d = _decide(_case(psr, [_material("E", SAME_HEADING, vnm, "non-originating")]))
    assert d.verdict is verdict
    assert [(r.method, r.value) for r in d.rvc] == [("fob-build-down", rvc)]


@pytest.mark.parametrize(
    ("value", "verdict"),
    [
        # r 51ZL(a): 100.00 does not exceed 10% × 1000.00 FOB: rescued.
        ("100.00", Verdict.ORIGINATING),
        # 100.01 exceeds 100.00 by one cent: not rescued.
        ("100.01", Verdict.NOT_ORIGINATING),
    ],
)
@pytest.mark.parametrize("status", ["non-originating", "undetermined"])
def test_de_minimis_at_ten_percent_of_fob(value: str, verdict: Verdict, status: str) -> None:
    d = _decide(_case("CTH", [_material("E", SAME_HEADING, value, status)]))
    assert d.verdict is verdict
    de_minimis = [s for top in d.steps for s in top.walk() if s.test == "de minimis"]
    assert [str(s.citation) for s in de_minimis] == ["r 51ZL(a)"]


def test_de_minimis_base_is_fob_not_adjusted_value() -> None:
    """r 51ZL(a) measures against FOB: an adjusted value alone does not decide it."""
    data = _case("CTH", [_material("E", SAME_HEADING, "50.00", "non-originating")])
    del data["good"]["fob"]
    data["good"]["adjusted_value"] = "1000.00"
    d = _decide(data)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert "FOB value of the good" in d.missing


def test_undetermined_origin_counts_in_vnm() -> None:
    """r 51ZC(1): VNM includes materials of undetermined origin."""
    material = _material("E", SAME_HEADING, "600.01", "undetermined")
    assert _decide(_case("RVC40", [material])).verdict is Verdict.NOT_ORIGINATING
    material["value"] = "600.00"
    assert _decide(_case("RVC40", [material])).verdict is Verdict.ORIGINATING


@pytest.mark.parametrize(
    ("basis", "verdict"),
    [
        ("cif", Verdict.ORIGINATING),
        ("earliest-ascertained-price", Verdict.ORIGINATING),
        ("customs-value", Verdict.NEEDS_INFORMATION),
        ("ex-works", Verdict.NEEDS_INFORMATION),
        ("accounting-cost", Verdict.NEEDS_INFORMATION),
    ],
)
def test_value_bases_of_r_51zc_2(basis: str, verdict: Verdict) -> None:
    d = _decide(
        _case("RVC40", [_material("E", SAME_HEADING, "600.00", "non-originating", basis=basis)])
    )
    assert d.verdict is verdict


def test_rvc_method_named_otherwise_is_refused() -> None:
    """r 51ZC names no method; "build-down" is not one of this agreement's methods."""
    with pytest.raises(CaseError, match="fob-build-down"):
        _decide(_case("RVC40 (build-down)", []))


# --------------------------------------------------------------------------- provisions


def test_new_zealand_materials_are_originating_with_a_note() -> None:
    """r 51ZA(a)(ii)-(iii), r 51ZD: New Zealand originating materials stay out of VNM."""
    wool = {
        "id": "W",
        "hs": "5105.29",
        "value": "300.00",
        "status": "originating",
        "origin_country": "NZ",
    }
    d = _decide(
        _case("RVC40", [wool, _material("N", "5402.45", "500.00", "non-originating")], hs="5109.90")
    )
    assert d.verdict is Verdict.ORIGINATING
    assert d.rvc[0].value == Fraction(50)
    assert any("r 51ZD" in note for note in d.notes)
    row = next(r for r in d.materials if r.id == "W")
    assert "r 51ZA(a)(ii)" in {str(c) for c in row.citations}
    assert "r 51ZD" not in {str(c) for c in row.citations}  # r 51ZD speaks of CN → NZ


def test_originating_material_of_a_non_party_is_refused() -> None:
    bad = {
        "id": "B",
        "hs": "3926.90",
        "value": "1.00",
        "status": "originating",
        "origin_country": "TH",
    }
    with pytest.raises(FactError, match="not a party"):
        _decide(_case("CTH", [bad]))


def test_minimal_operations_do_not_apply_to_wholly_obtained_goods() -> None:
    data = _case(None, [], hs="0703.20", wholly_obtained="plants", operations=["washing"])
    assert _decide(data).verdict is Verdict.ORIGINATING


@pytest.mark.parametrize(
    ("facts", "verdict"),
    [
        (None, Verdict.NEEDS_INFORMATION),  # r 51ZE(3): whether simple must be stated
        ({"operations_simple": True}, Verdict.NOT_ORIGINATING),  # r 51ZE(2)(b): minimal
        ({"operations_simple": False}, Verdict.ORIGINATING),  # not simple: beyond r 51ZE(2)
    ],
)
def test_simple_operations(facts: dict[str, Any] | None, verdict: Verdict) -> None:
    coil = _material("C", "7208.37", "700.00", "non-originating")
    data = _case("CTH", [coil], facts=facts, hs="7211.14", operations=["cutting", "packing"])
    assert _decide(data).verdict is verdict


def test_operations_never_simple_need_no_fact() -> None:
    """Packing and labelling are minimal whatever the equipment (r 51ZE(2)(d), (f))."""
    tea = _material("T", "0902.40", "600.00", "non-originating")
    d = _decide(_case("CTSH", [tea], hs="0902.30", operations=["packing", "labelling"]))
    assert d.verdict is Verdict.NOT_ORIGINATING


def _stored(**stop: Any) -> dict[str, Any]:
    transit = {"country": "SG", "operations": ["unloading", "storage"], "entered_commerce": False}
    return {"exported_from": "CN", "transit": [transit | stop]}


@pytest.mark.parametrize(
    ("facts", "verdict"),
    [
        (None, Verdict.NEEDS_INFORMATION),
        ({"transit_storage_within_6_months": True}, Verdict.ORIGINATING),
        ({"transit_storage_within_6_months": False}, Verdict.NOT_ORIGINATING),
    ],
)
def test_storage_in_transit(facts: dict[str, Any] | None, verdict: Verdict) -> None:
    """r 51ZF(2)(b): temporary storage of up to 6 months keeps the goods consigned directly."""
    data = _case("CTH", [], facts=facts, consignment=_stored())
    d = _decide(data)
    assert d.verdict is verdict
    if verdict is Verdict.NEEDS_INFORMATION:
        assert any("6 months" in fact for fact in d.missing)


def _storage_step(d: Determination) -> Any:
    return next(
        s for top in d.steps for s in top.walk() if s.test == "temporary storage in transit"
    )


@pytest.mark.parametrize(
    ("start", "end", "verdict", "days", "allowed"),
    [
        # Legislation Act 2019 s 56: 6 months from 2025-01-15 end immediately before
        # 2025-07-15, so 2025-07-14 is the last day within them (181 days); one day more fails.
        ("2025-01-15", "2025-07-14", Verdict.ORIGINATING, 181, 181),
        ("2025-01-15", "2025-07-15", Verdict.NOT_ORIGINATING, 182, 181),
        # No 31 February: 6 months from 2024-08-31 end with the last day of February 2025.
        ("2024-08-31", "2025-02-28", Verdict.ORIGINATING, 182, 182),
        ("2024-08-31", "2025-03-01", Verdict.NOT_ORIGINATING, 183, 182),
        # ... and with 29 February in a leap year.
        ("2023-08-31", "2024-02-29", Verdict.ORIGINATING, 183, 183),
        ("2023-08-31", "2024-03-01", Verdict.NOT_ORIGINATING, 184, 183),
        # 28 August has a 28 February: the period ends before it, with 27 February.
        ("2024-08-28", "2025-02-27", Verdict.ORIGINATING, 184, 184),
        ("2024-08-28", "2025-02-28", Verdict.NOT_ORIGINATING, 185, 184),
        # Across a year end; one day of storage.
        ("2025-09-30", "2026-03-29", Verdict.ORIGINATING, 181, 181),
        ("2025-06-01", "2025-06-01", Verdict.ORIGINATING, 1, 183),
    ],
)
def test_storage_dates_computed_in_calendar_months(
    start: str, end: str, verdict: Verdict, days: int, allowed: int
) -> None:
    """Issue 13: r 51ZF(2)(b) "temporary storage of up to 6 months" from the storage dates."""
    facts = {"transit_storage_start": start, "transit_storage_end": end}
    d = _decide(_case("CTH", [], facts=facts, consignment=_stored()), dt.date(2026, 6, 1))
    assert d.verdict is verdict
    step = _storage_step(d)
    assert (step.value, step.threshold, step.margin) == (days, allowed, allowed - days)
    assert str(step.citation) == "r 51ZF(2)(b)"


def test_last_day_within_months() -> None:
    assert china.last_day_within(dt.date(2025, 10, 31), 6) == dt.date(2026, 4, 30)
    assert china.last_day_within(dt.date(2025, 12, 1), 6) == dt.date(2026, 5, 31)
    assert china.last_day_within(dt.date(2025, 1, 29), 1) == dt.date(2025, 2, 28)
    assert china.last_day_within(dt.date(2025, 1, 28), 1) == dt.date(2025, 2, 27)


@pytest.mark.parametrize(
    ("facts", "missing"),
    [
        ({"transit_storage_start": "2025-01-15"}, "facts.transit_storage_end"),
        ({"transit_storage_end": "2025-07-14"}, "facts.transit_storage_start"),
    ],
)
def test_one_storage_date_needs_the_other(facts: dict[str, Any], missing: str) -> None:
    d = _decide(_case("CTH", [], facts=facts, consignment=_stored()))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any(missing in m for m in d.missing)


def test_storage_dates_and_the_old_fact_must_agree() -> None:
    """The yes/no fact still decides without dates; with both dates it must agree with them."""
    dates = {"transit_storage_start": "2025-01-15", "transit_storage_end": "2025-07-15"}
    with pytest.raises(CaseError, match="transit_storage_within_6_months"):
        _decide(
            _case(
                "CTH",
                [],
                facts={**dates, "transit_storage_within_6_months": True},
                consignment=_stored(),
            ),
            dt.date(2025, 8, 1),
        )
    agreed = {**dates, "transit_storage_within_6_months": False}
    data = _case("CTH", [], facts=agreed, consignment=_stored())
    assert _decide(data, dt.date(2025, 8, 1)).verdict is Verdict.NOT_ORIGINATING
    partial = {"transit_storage_start": "2025-01-15", "transit_storage_within_6_months": True}
    d = _decide(_case("CTH", [], facts=partial, consignment=_stored()))
    assert d.verdict is Verdict.ORIGINATING
    assert "only one storage date" in _storage_step(d).summary


@pytest.mark.parametrize(
    ("facts", "consignment", "match"),
    [
        (
            {"transit_storage_start": "2025-03-01", "transit_storage_end": "2025-02-01"},
            None,
            "before",
        ),
        (
            {"transit_storage_start": "2025-01-01", "transit_storage_end": "2025-02-01"},
            {"imported_on": "2025-01-20"},
            "after the importation",
        ),
        ({"transit_storage_start": "1 March 2025"}, None, "not a date"),
        (
            {"transit_storage_start": "2025-01-01", "transit_storage_end": "2025-02-01"},
            {
                "transit": [
                    {"country": "SG", "operations": ["unloading"], "entered_commerce": False}
                ]
            },
            "no transit stop",
        ),
    ],
)
def test_storage_dates_that_cannot_be_right_are_refused(
    facts: dict[str, Any], consignment: dict[str, Any] | None, match: str
) -> None:
    with pytest.raises(CaseError, match=match):
        _decide(_case("CTH", [], facts=facts, consignment=_stored() | (consignment or {})))


def test_storage_fact_not_needed_without_storage() -> None:
    data = _case("CTH", [], consignment=_stored(operations=["unloading", "reloading"]))
    assert _decide(data).verdict is Verdict.ORIGINATING


def test_direct_consignment_applies_to_wholly_obtained_goods() -> None:
    """r 51ZF(1) conditions preferential treatment of every class."""
    data = _case(
        None, [], hs="0703.20", wholly_obtained="plants", consignment=_stored(entered_commerce=True)
    )
    d = _decide(data)
    assert d.verdict is Verdict.NOT_ORIGINATING


def test_consignment_origin_must_be_stated() -> None:
    d = _decide(_case("CTH", [], consignment={"transit": []}))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("consigned" in fact for fact in d.missing)


def test_retail_packaging_out_of_shift_but_in_rvc() -> None:
    box = _material("BOX", SAME_HEADING, "150.00", "non-originating", packaging="retail")
    assert _decide(_case("CTH", [box])).verdict is Verdict.ORIGINATING  # r 51ZH(1)
    # r 51ZH(2): (1000.00 − 450.00 − 150.00) / 1000.00 × 100 = 40%; one cent more fails.
    element = _material("E", OTHER_HEADING, "450.00", "non-originating")
    assert _decide(_case("RVC40", [element, box])).verdict is Verdict.ORIGINATING
    element["value"] = "450.01"
    assert _decide(_case("RVC40", [element, box])).verdict is Verdict.NOT_ORIGINATING


def test_shipment_packing_is_not_taken_into_account() -> None:
    """r 51ZG: out of the shift (same heading, 50% of FOB) and out of VNM."""
    carton = _material("CTN", SAME_HEADING, "500.00", "non-originating", packaging="shipment")
    element = _material("E", OTHER_HEADING, "600.00", "non-originating")
    d = _decide(_case("CTH and RVC40", [carton, element]))
    assert d.verdict is Verdict.ORIGINATING
    assert d.rvc[0].value == Fraction(40)


@pytest.mark.parametrize(
    ("accessory", "facts", "verdict"),
    [
        (
            {"invoiced_separately": False, "customary": True},
            {"accessories_classified_with_goods": True},
            Verdict.ORIGINATING,
        ),
        # Not stated whether classified with the goods: the verdict turns on it.
        ({"invoiced_separately": False, "customary": True}, None, Verdict.NEEDS_INFORMATION),
        ({"invoiced_separately": True, "customary": True}, None, Verdict.NOT_ORIGINATING),
        ({"invoiced_separately": False, "customary": False}, None, Verdict.NOT_ORIGINATING),
        (
            {"invoiced_separately": False, "customary": True},
            {"accessories_classified_with_goods": False},
            Verdict.NOT_ORIGINATING,
        ),
    ],
)
def test_accessories(
    accessory: dict[str, Any], facts: dict[str, Any] | None, verdict: Verdict
) -> None:
    """r 51ZI(1), (3): relief only if classified with, not invoiced apart from, and customary."""
    spare = _material(
        "SPARE",
        SAME_HEADING,
        "150.00",
        "non-originating",
        accessory={"kind": "spare-part", **accessory},
    )
    assert _decide(_case("CTH", [spare], facts=facts)).verdict is verdict


def test_accessories_count_in_rvc() -> None:
    """r 51ZI(2): a relieved accessory still counts by its status in the RVC."""
    spare = _material(
        "SPARE",
        SAME_HEADING,
        "600.01",
        "non-originating",
        accessory={
            "kind": "instructional-material",
            "invoiced_separately": False,
            "customary": True,
        },
    )
    assert _decide(_case("RVC40", [spare])).verdict is Verdict.NOT_ORIGINATING
    # Not "exclusively" originating materials either (r 51ZA(a)(ii)), even without a rule.
    spare["value"] = "1.00"
    d = _decide(_case(None, [spare]))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert next(s for s in d.steps if "51ZA(a)(ii)" in s.test).outcome is Outcome.FAILS


def test_neutral_elements_left_out() -> None:
    """r 51ZJ(1): a neutral element of unknown origin and value does not affect the result."""
    lubricant = {"id": "L", "hs": SAME_HEADING, "status": "undetermined", "indirect": True}
    element = _material("E", OTHER_HEADING, "600.00", "non-originating")
    d = _decide(_case("CTH and RVC40", [element, lubricant]))
    assert d.verdict is Verdict.ORIGINATING
    assert d.rvc[0].value == Fraction(40)


@pytest.mark.parametrize(
    ("method", "outcome"),
    [
        (None, Outcome.NEEDS_INFO),
        ("physical-separation", Outcome.MEETS),
        ("averaging", Outcome.MEETS),
        ("fifo", Outcome.MEETS),
    ],
)
def test_interchangeable_materials(method: str | None, outcome: Outcome) -> None:
    resin = {
        "id": "R",
        "hs": "3902.10",
        "value": "200.00",
        "status": "originating",
        "origin_country": "CN",
        "attributes": ["fungible"],
    }
    d = _decide(_case("CTH", [resin], facts={"inventory_method": method} if method else None))
    step = next(s for s in d.steps if s.test == "fungible materials")
    assert step.outcome is outcome


def test_lifo_is_not_a_method_of_chinese_gaap() -> None:
    resin = {
        "id": "R",
        "hs": "3902.10",
        "value": "200.00",
        "status": "originating",
        "origin_country": "CN",
        "attributes": ["fungible"],
    }
    d = _decide(_case("CTH", [resin], facts={"inventory_method": "lifo"}))
    assert d.verdict is Verdict.NOT_ORIGINATING
    step = next(s for top in d.steps for s in top.walk() if s.test == "fungible materials")
    assert str(step.citation) == "r 51ZK(1)(b)" and "lifo" in step.summary
    with pytest.raises(CaseError, match="not one of"):
        _decide(_case("CTH", [resin], facts={"inventory_method": "guesswork"}))


def test_no_obligations() -> None:
    """Regs 51Z–51ZL set no record-keeping or declaration duty."""
    assert _decide(_case("CTH", [])).obligations == ()


# --------------------------------------------------------------------------- dates and facts


@pytest.mark.parametrize("date", [dt.date(2021, 12, 31), dt.date(2017, 1, 1), dt.date(2008, 10, 1)])
def test_dates_before_coverage_refused(date: dt.date) -> None:
    with pytest.raises(LawNotEncoded, match="2022-01-01"):
        _decide(_case("CTH", []), date)


def test_coverage_starts_at_the_latest_amendment() -> None:
    assert AGREEMENT.law.coverage.start == dt.date(2022, 1, 1)
    assert _decide(_case("CTH", []), dt.date(2022, 1, 1)).verdict is Verdict.ORIGINATING


def test_unknown_facts_refused() -> None:
    with pytest.raises(FactError, match="no_such_fact"):
        _decide(_case("CTH", [], facts={"no_such_fact": True}))


@pytest.mark.parametrize(
    "facts",
    [
        {"operations_simple": "yes"},
        {"transit_storage_within_6_months": 3},
        {"inventory_method": True},
    ],
)
def test_facts_of_the_wrong_type_refused(facts: dict[str, Any]) -> None:
    with pytest.raises(FactError):
        _decide(_case("CTH", [], facts=facts))


def test_plugin_shape() -> None:
    doc = inspect.getdoc(china) or ""
    assert AGREEMENT.regulations in doc and ">>>" in doc and "Interpretations" in doc
    assert AGREEMENT.name == AGREEMENT.law.name == "china"
    assert AGREEMENT.law.parties == ("CN", "NZ")
    assert AGREEMENT.law.value("de_minimis_share", DATE).value == Fraction(1, 10)
    for vocabulary in AGREEMENT.law.vocabularies.values():
        for term in vocabulary.values():
            assert str(term.reference).startswith("r 51Z"), term.key


# --------------------------------------------------------------------------- citations

# "r 51ZE(2)(b)", "r 51ZA(a)(ii)-(iii)": a provision named in text (both ends of a range).
_MENTION = re.compile(r"\br (\d+[A-Z]*)((?:\([0-9a-zA-Z]+\))*)(?:-\(([0-9a-zA-Z]+)\))?")
# Named in a note only to say it is not what the determination rests on (decision 0004 §4).
NOT_RELIED_ON = {"r 51ZD"}


def _uncited(d: Determination) -> set[str]:
    """Provisions named in a step's test, summary or missing facts, a note, the basis or an
    obligation that no structured citation (Determination.citations()) covers."""
    cited = {str(c) for c in d.citations()}
    texts = [*d.notes, *d.basis, *(o.text for o in d.obligations)]
    for top in d.steps:
        for step in top.walk():
            texts.extend((step.test, step.summary, *step.missing))
    named: set[str] = set()
    for text in texts:
        for number, path, upper in _MENTION.findall(text):
            named.add(f"r {number}{path}")
            if upper:
                named.add(f"r {number}{path[: path.rindex('(')]}({upper})")
    return {
        m
        for m in named - NOT_RELIED_ON
        if not any(c == m or c.startswith((f"{m}(", f"{m} ")) for c in cited)
    }


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_provision_relied_on_is_cited(path: Path) -> None:
    """Issue 13: every provision a determination names is in its structured citations."""
    assert _uncited(worked.run(AGREEMENT, path)) == set()


def test_provisions_once_only_in_text_are_cited() -> None:
    """Issue 13: the wholly-obtained paragraph, each minimal operation's paragraph, r 51ZE(3),
    r 51ZI(1) and r 51ZJ(1) were named only in summaries and notes."""
    cited = {
        str(c) for c in _decide(_case(None, [], hs="0703.20", wholly_obtained="plants")).citations()
    }
    assert "r 51ZB(a)" in cited
    packed = _decide(_case("CTSH", [], operations=["repacking", "labelling"]))
    assert {"r 51ZE(2)(d)", "r 51ZE(2)(f)"} <= {str(c) for c in packed.citations()}
    facts = {"operations_simple": True}
    slit = _decide(_case("CTSH", [], facts=facts, operations=["slitting"]))
    assert "r 51ZE(3)" in {str(c) for c in slit.citations()}
    neutral = {"id": "OIL", "value": "1.00", "indirect": True}
    spare = _material(
        "SPARE",
        SAME_HEADING,
        "10.00",
        "non-originating",
        accessory={"kind": "spare-part", "invoiced_separately": False, "customary": True},
    )
    d = _decide(_case("CTH", [neutral, spare], facts={"accessories_classified_with_goods": False}))
    assert {"r 51ZI(1)", "r 51ZJ(1)"} <= {str(c) for c in d.citations()}
