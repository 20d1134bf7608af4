"""AANZFTA (regs 51ZM–51ZX): worked cases, thresholds, coverage and facts.

The plugin is not registered (origin/registry.py is not ours to edit), so it is imported
directly.
"""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import worked

from agreements.aanzfta import AGREEMENT, LAW, PARTIES_LIST, SECOND_PROTOCOL
from origin.agreement import FactError
from origin.caseio import case_from_json
from origin.determination import Determination, Outcome, Verdict
from origin.engine import CaseError
from origin.law import LawNotEncoded

DATE = dt.date(2025, 6, 1)
FILES = worked.files(AGREEMENT)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_worked_case(path: Path) -> None:
    worked.check(AGREEMENT, path)


def test_enough_worked_cases() -> None:
    assert len(FILES) >= 25


def _case(
    psr: str | None,
    materials: list[dict[str, Any]],
    *,
    facts: dict[str, Any] | None = None,
    costs: list[dict[str, Any]] | None = None,
    transit: list[dict[str, Any]] | None = None,
    **good: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema": "origin-case/1",
        "currency": "THB",
        "facts": {"psr_document": "2022", **(facts or {})},
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
        "costs": costs or [],
        "consignment": {"exported_from": "TH", "transit": transit or []},
    }
    if psr is not None:
        data["psr"] = psr
    return data


def _m(
    ident: str, hs: str, value: str, status: str = "non-originating", **kw: Any
) -> dict[str, Any]:
    return {"id": ident, "hs": hs, "value": value, "status": status, "basis": "cif", **kw}


def _decide(data: dict[str, Any], date: dt.date = DATE) -> Determination:
    return AGREEMENT.determine(case_from_json(data), date)


def _rvc(d: Determination, method: str) -> Fraction | None:
    return {r.method: r.value for r in d.rvc}[method]


# --------------------------------------------------------------------------- thresholds


@pytest.mark.parametrize(
    ("vnm", "verdict"),
    [("600.00", Verdict.ORIGINATING), ("600.01", Verdict.NOT_ORIGINATING)],
)
def test_indirect_threshold(vnm: str, verdict: Verdict) -> None:
    """r 51ZP(b): (FOB − VNM) / FOB × 100 at least 40; one cent more VNM fails."""
    d = _decide(_case("RVC40 (indirect)", [_m("M", "8501.10", vnm)]))
    assert d.verdict is verdict


@pytest.mark.parametrize(
    ("profit", "verdict"),
    [("50.00", Verdict.ORIGINATING), ("49.99", Verdict.NOT_ORIGINATING)],
)
def test_direct_threshold_counts_profit(profit: str, verdict: Verdict) -> None:
    """r 51ZP(a): profit is part of the numerator (unlike ANZCERTA's factory cost)."""
    costs = [
        {"id": "W", "category": "wages", "amount": "200.00"},
        {"id": "P", "category": "profit", "amount": profit},
        {"id": "T", "category": "port_handling", "amount": "50.00"},
    ]
    materials = [_m("H", "3926.90", "100.00", "originating"), _m("M", "8501.10", "500.00")]
    d = _decide(_case("RVC40 (direct)", materials, costs=costs))
    assert d.verdict is verdict
    assert _rvc(d, "direct") == (Fraction(350) + Fraction(profit)) / 10


def test_direct_without_cost_lines_is_a_lower_bound() -> None:
    """r 51ZP(a) needs the cost lines: without them the direct RVC cannot fail."""
    d = _decide(_case("RVC40 (direct)", [_m("M", "8501.10", "900.00")]))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("cost lines" in m for m in d.missing)


@pytest.mark.parametrize(
    ("value", "verdict"),
    [("100.00", Verdict.ORIGINATING), ("100.01", Verdict.NOT_ORIGINATING)],
)
def test_de_minimis_value_threshold(value: str, verdict: Verdict) -> None:
    """r 51ZS(a): failing materials up to 10% of FOB are forgiven."""
    d = _decide(_case("CTH", [_m("B", "8414.90", value)]))
    assert d.verdict is verdict


@pytest.mark.parametrize(
    ("weight", "verdict"),
    [("0.020", Verdict.ORIGINATING), ("0.021", Verdict.NOT_ORIGINATING)],
)
def test_de_minimis_weight_threshold_for_textiles(weight: str, verdict: Verdict) -> None:
    """r 51ZS(b)(i): 10% of the total weight for goods of chapters 50–63 (value is 15%)."""
    rib = _m("RIB", "6117.80", "3.00", weight=weight)
    data = _case("CC", [rib], hs="6109.10", fob="20.00", weight="0.200")
    assert _decide(data).verdict is verdict


def test_weight_test_only_for_chapters_50_to_63() -> None:
    """r 51ZS(a): a fan (chapter 84) has no weight alternative."""
    blade = _m("B", "8414.90", "150.00", weight="0.001")
    data = _case("CTH", [blade], weight="2.000")
    assert _decide(data).verdict is Verdict.NOT_ORIGINATING


# --------------------------------------------------------------------------- conditions


def test_minimal_operations_only_against_rvc() -> None:
    """r 51ZR applies where the claim is based solely on RVC."""
    motor = [_m("M", "8501.10", "300.00")]
    only_rvc = _decide(_case("RVC40", motor, operations=["packing"]))
    assert only_rvc.verdict is Verdict.NOT_ORIGINATING
    with_cth = _decide(_case("CTH or RVC40", motor, operations=["packing"]))
    assert with_cth.verdict is Verdict.ORIGINATING
    real_work = _decide(_case("RVC40", motor, operations=["assembly"]))
    assert real_work.verdict is Verdict.ORIGINATING


def test_final_process_needed_only_for_rvc_rules() -> None:
    """r 51ZN(b): the final process in a party is a condition of RVC rules only."""
    motor = [_m("M", "8501.10", "300.00")]
    unknown = _decide(_case("RVC40", motor, last_process_in=None))
    assert unknown.verdict is Verdict.NEEDS_INFORMATION
    assert any("final process" in m for m in unknown.missing)
    assert _decide(_case("CTH", motor, last_process_in=None)).verdict is Verdict.ORIGINATING


def test_value_on_fob_basis_is_no_value_for_vnm() -> None:
    """r 51ZP(b): VNM at CIF or the earliest ascertained price, not FOB."""
    motor = _m("M", "8501.10", "300.00", basis="fob")
    d = _decide(_case("RVC40 (indirect)", [motor]))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    earliest = _m("M", "8501.10", "300.00", basis="earliest-ascertained-price")
    assert _decide(_case("RVC40 (indirect)", [earliest])).verdict is Verdict.ORIGINATING


def test_transit_through_another_party_is_not_a_non_party() -> None:
    """r 51ZX(a): passing through Singapore (a party) is not transit through a non-party."""
    stop = {"country": "SG", "operations": ["repacking"], "entered_commerce": True}
    d = _decide(_case("CTH", [_m("M", "8501.10", "300.00")], transit=[stop]))
    assert d.verdict is Verdict.ORIGINATING


def test_transit_commerce_not_stated_needs_information() -> None:
    """r 51ZX(b)(ii): whether the goods entered commerce in the non-party must be shown."""
    stop = {"country": "HK", "operations": ["unloading"]}
    d = _decide(_case("CTH", [_m("M", "8501.10", "300.00")], transit=[stop]))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("commerce of HK" in m for m in d.missing)


def test_processing_in_non_party_fails() -> None:
    """r 51ZX(b)(i): only unloading, reloading, storing and preservation are allowed."""
    stop = {"country": "HK", "operations": ["painting"], "entered_commerce": False}
    d = _decide(_case("CTH", [_m("M", "8501.10", "300.00")], transit=[stop]))
    assert d.verdict is Verdict.NOT_ORIGINATING


# The second protocol commenced on 2025-04-21 (law file); 180 days later is 2025-10-18.
ANNEX_3B_FROM = dt.date(2025, 10, 18)
LATER = dt.date(2025, 11, 3)
NOTICE = {"second_protocol_notice": "test notice"}


def _motor_worked_in_malaysia() -> dict[str, Any]:
    return _m(
        "M",
        "8501.10",
        "620.00",
        produced_in="MY",
        adjustments=[{"kind": "value_added_in_participating_parties", "amount": "50.00"}],
    )


def test_commencement_is_the_law_files_dated_value() -> None:
    """Issue 13: the second protocol's commencement is the law's (r 51ZM second protocol)."""
    window, reference = LAW.window("second_protocol")
    assert window.start == dt.date(2025, 4, 21)
    assert str(reference) == "r 51ZM second protocol"
    assert "Article 2(2)" in SECOND_PROTOCOL.source
    assert SECOND_PROTOCOL.commenced + dt.timedelta(days=180) == ANNEX_3B_FROM


def test_commencement_stated_otherwise_is_refused() -> None:
    """Issue 13: a case may no longer supply its own commencement date (it was a case fact)."""
    data = _case("CTH", [], facts={"second_protocol_commenced": "2024-06-01"})
    with pytest.raises(CaseError, match="2025-04-21"):
        _decide(data)
    same = _case("CTH", [], facts={"second_protocol_commenced": "2025-04-21"})
    assert _decide(same).verdict is Verdict.ORIGINATING


def test_annex_3b_when_the_2022_document_no_longer_applies() -> None:
    """r 51ZM product specific rule (a)-(b): a 2022 rule after Annex 3B applies decides nothing."""
    motor = [_m("M", "8501.10", "300.00")]
    old = _decide(_case("CTH", motor, facts=NOTICE), LATER)
    assert old.verdict is Verdict.NEEDS_INFORMATION
    assert any("Annex 3B" in m for m in old.missing)
    new = _decide(_case("CTH", motor, facts={**NOTICE, "psr_document": "annex-3b"}), LATER)
    assert new.verdict is Verdict.ORIGINATING


@pytest.mark.parametrize(
    ("date", "verdict"),
    [(ANNEX_3B_FROM, Verdict.ORIGINATING), (ANNEX_3B_FROM - dt.timedelta(days=1), None)],
)
def test_annex_3b_boundary_is_180_days(date: dt.date, verdict: Verdict | None) -> None:
    """Annex 3B applies from the 180th day after commencement (imported on that day)."""
    facts = {"psr_document": "annex-3b", **NOTICE}
    d = _decide(_case("CTH", [_m("M", "8501.10", "300.00")], facts=facts), date)
    assert d.verdict is (verdict or Verdict.NEEDS_INFORMATION)


def test_unstated_notice_needs_information_after_180_days() -> None:
    """Issue 13: an unstated r 51ZPA notice was taken as not published (the fan originated);
    from 2025-10-18 the document turns on it, so it is needed, named."""
    d = _decide(_case("CTH", [_m("M", "8501.10", "300.00")]), LATER)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("r 51ZPA notice has been published for TH" in m for m in d.missing)
    before = _decide(_case("CTH", [_m("M", "8501.10", "300.00")]), ANNEX_3B_FROM - dt.timedelta(1))
    assert before.verdict is Verdict.ORIGINATING  # the 2022 document applies to every party


@pytest.mark.parametrize(
    ("facts", "verdict"),
    [
        ({"second_protocol_notice_published": False}, Verdict.ORIGINATING),
        ({"second_protocol_notice_published": True}, Verdict.NEEDS_INFORMATION),
        ({"extended_accumulation_parties": "TH"}, Verdict.NEEDS_INFORMATION),
    ],
)
def test_notice_stated_decides_the_document(facts: dict[str, Any], verdict: Verdict) -> None:
    """A 2022 rule: no notice keeps it (r 51ZM (a)); a notice, however stated, ends it (b)."""
    d = _decide(_case("CTH", [_m("M", "8501.10", "300.00")], facts=facts), LATER)
    assert d.verdict is verdict
    if verdict is Verdict.NEEDS_INFORMATION:
        assert any("Annex 3B" in m for m in d.missing)


@pytest.mark.parametrize(
    "facts",
    [
        {"second_protocol_notice_published": False, **NOTICE},
        {"second_protocol_notice_published": False, "extended_accumulation_parties": "TH,MY"},
    ],
)
def test_contradictory_notice_facts_refused(facts: dict[str, Any]) -> None:
    with pytest.raises(CaseError, match="second_protocol_notice_published"):
        _decide(_case("CTH", [], facts=facts), LATER)


def test_notice_obligations_listed_where_a_notice_decides() -> None:
    """r 51ZPA(2) cannot change a verdict (the rules turn on publication): it is listed, with
    r 51ZPA(1), wherever the determination turns on a notice."""
    facts = {"second_protocol_notice_published": False}
    d = _decide(_case("CTH", [_m("M", "8501.10", "300.00")], facts=facts), LATER)
    assert [str(o.citation) for o in d.obligations] == ["r 51ZPA(1)", "r 51ZPA(2)"]
    assert {"r 51ZPA(1)", "r 51ZPA(2)"} <= {str(c) for c in d.citations()}
    early = _decide(_case("CTH", [_m("M", "8501.10", "300.00")]), DATE)
    assert early.obligations == ()
    claimed = _case("RVC40 (indirect)", [_motor_worked_in_malaysia()])
    assert [str(o.citation) for o in _decide(claimed, DATE).obligations] == [
        "r 51ZPA(1)",
        "r 51ZPA(2)",
    ]


def test_parties_list_has_a_source_and_date_and_is_named() -> None:
    """Issue 13: the declared parties are a dated list with its source, and the determination
    says which list it used (a cited step with the source and date as inputs)."""
    assert PARTIES_LIST.as_at == dt.date(2022, 1, 1)
    assert "Working Tariff Document" in PARTIES_LIST.source
    d = _decide(_case("CTH", []))
    step = next(s for s in d.steps if s.test == "parties relied on")
    assert str(step.citation) == "r 51ZM party"
    inputs = dict(step.inputs)
    assert inputs["as at"] == dt.date(2022, 1, 1)
    assert inputs["list"] == PARTIES_LIST.source
    assert set(str(inputs["parties"]).split(", ")) == set(LAW.parties)
    assert any("2022-01-01" in n and "[parties_list]" in n for n in d.notes)


def test_transit_conditions_are_cited_per_non_party() -> None:
    """r 51ZX(b)(i) and (ii) are cited, not only named in a note."""
    stop = {"country": "HK", "operations": ["unloading"], "entered_commerce": True}
    d = _decide(_case("CTH", [_m("M", "8501.10", "300.00")], transit=[stop]))
    assert d.verdict is Verdict.NOT_ORIGINATING
    step = next(s for s in d.steps if s.test == "direct consignment")
    outcomes = {(str(c.citation), c.outcome) for c in step.children}
    assert outcomes == {("r 51ZX(b)(i)", Outcome.MEETS), ("r 51ZX(b)(ii)", Outcome.FAILS)}


def test_extended_accumulation_needs_the_good_finished_in_a_participating_party() -> None:
    """r 51ZQA(2): only for goods finished in a participating party."""
    facts = {"psr_document": "annex-3b", "extended_accumulation_parties": "TH,MY"}
    data = _case("RVC40 (indirect)", [_motor_worked_in_malaysia()], facts=facts)
    assert _decide(data, LATER).verdict is Verdict.ORIGINATING
    only_my = {"second_protocol_notice_published": False, "extended_accumulation_parties": "MY"}
    d = _decide(_case("RVC40 (indirect)", [_motor_worked_in_malaysia()], facts=only_my), LATER)
    assert d.verdict is Verdict.NOT_ORIGINATING
    assert _rvc(d, "indirect") == 38


def test_extended_accumulation_before_180_days_is_dropped() -> None:
    facts = {"extended_accumulation_parties": "TH,MY"}
    d = _decide(_case("RVC40 (indirect)", [_motor_worked_in_malaysia()], facts=facts))
    assert d.verdict is Verdict.NOT_ORIGINATING
    step = next(s for s in d.steps if s.test == "extended accumulation")
    assert step.outcome is Outcome.FAILS


def test_extended_accumulation_adds_to_direct_formula() -> None:
    """r 51ZQA(2) value added counts as originating content in r 51ZP(a) too."""
    facts = {"psr_document": "annex-3b", "extended_accumulation_parties": "TH,MY"}
    costs = [{"id": "W", "category": "wages", "amount": "350.00"}]
    data = _case("RVC40 (direct)", [_motor_worked_in_malaysia()], facts=facts, costs=costs)
    d = _decide(data, LATER)
    assert _rvc(d, "direct") == 40
    assert d.verdict is Verdict.ORIGINATING


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("date", [dt.date(2025, 4, 20), dt.date(2020, 1, 1)])
def test_dates_before_coverage_refused(date: dt.date) -> None:
    """SL 2025/42 took effect on 21 April 2025: earlier wordings are not encoded."""
    with pytest.raises(LawNotEncoded, match="2025-04-21"):
        _decide(_case("CTH", []), date)


def test_first_day_of_coverage_decided() -> None:
    assert _decide(_case("CTH", []), dt.date(2025, 4, 21)).verdict is Verdict.ORIGINATING


def test_unknown_fact_refused() -> None:
    data = _case("CTH", [])
    data["facts"]["no_such_fact"] = True
    with pytest.raises(FactError, match="no_such_fact"):
        _decide(data)


def test_wrongly_typed_fact_refused() -> None:
    with pytest.raises(FactError, match="accessories_raise_rvc"):
        _decide(_case("CTH", [], facts={"accessories_raise_rvc": "yes"}))


def test_unknown_psr_document_refused() -> None:
    with pytest.raises(CaseError, match="psr_document"):
        _decide(_case("CTH", [], facts={"psr_document": "2012"}))


def test_unknown_cost_category_refused() -> None:
    costs = [{"id": "X", "category": "royalties", "amount": "1.00"}]
    with pytest.raises(CaseError, match="royalties"):
        _decide(_case("RVC40 (direct)", [], costs=costs))


def test_originating_material_from_non_party_refused() -> None:
    material = _m("M", "8501.10", "300.00", "originating", origin_country="CN")
    with pytest.raises(FactError, match="not a party"):
        _decide(_case("CTH", [material]))


def test_law_file_parties_and_numbers() -> None:
    """r 51ZM lists twelve signatories; r 51ZS numbers are 10% and chapters 50–63."""
    assert len(LAW.parties) == 12
    assert set(LAW.vocabulary("parties")) == set(LAW.parties)
    assert LAW.value("de_minimis_share", DATE).value == Fraction(1, 10)
    assert LAW.value("textile_chapter_first", DATE).value == 50
    assert LAW.value("textile_chapter_last", DATE).value == 63
    assert LAW.coverage.start == dt.date(2025, 4, 21)


@pytest.mark.parametrize(
    ("date", "document", "verdict"),
    [
        (ANNEX_3B_FROM, "annex-3b", Verdict.ORIGINATING),
        (ANNEX_3B_FROM - dt.timedelta(days=1), "2022", Verdict.NOT_ORIGINATING),
    ],
)
def test_extended_accumulation_boundary_is_180_days(
    date: dt.date, document: str, verdict: Verdict
) -> None:
    """r 51ZQA(1): from the 180th day after commencement (2025-04-21 + 180 = 2025-10-18)."""
    facts = {"psr_document": document, "extended_accumulation_parties": "TH,MY"}
    data = _case("RVC40 (indirect)", [_motor_worked_in_malaysia()], facts=facts)
    assert _decide(data, date).verdict is verdict


# --------------------------------------------------------------------------- citations

# "r 51ZQA(1)", "r 51ZT(1)-(2)", "r 51ZM product specific rule (a)": a provision named in text.
_MENTION = re.compile(r"\br (\d+[A-Z]*)((?:\([0-9a-zA-Z]+\))*)(?:-\(([0-9a-zA-Z]+)\))?")


def mentioned(text: str) -> set[str]:
    """Each provision a text names (both ends of a range like ``r 51ZT(1)-(2)``)."""
    found: set[str] = set()
    for number, path, upper in _MENTION.findall(text):
        found.add(f"r {number}{path}")
        if upper:
            found.add(f"r {number}{path[: path.rindex('(')]}({upper})")
    return found


def uncited(d: Determination) -> set[str]:
    """Provisions named in a step's test, summary or missing facts, a note, the basis or an
    obligation that no structured citation covers (itself or a subdivision of it)."""
    cited = {str(c) for c in d.citations()}
    texts = [*d.notes, *d.basis, *(o.text for o in d.obligations)]
    for top in d.steps:
        for step in top.walk():
            texts.extend((step.test, step.summary, *step.missing))
    return {
        m
        for text in texts
        for m in mentioned(text)
        if not any(c == m or c.startswith((f"{m}(", f"{m} ")) for c in cited)
    }


def test_mentions_are_read() -> None:
    assert mentioned("r 51ZT(1)-(2) do not apply; r 51ZM product specific rule (a)") == {
        "r 51ZT(1)",
        "r 51ZT(2)",
        "r 51ZM",
    }


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_provision_relied_on_is_cited(path: Path) -> None:
    """Issue 13: every provision a determination names is in its structured citations."""
    assert uncited(worked.run(AGREEMENT, path)) == set()
