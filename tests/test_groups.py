"""Country groups (regs 43, 43A): dated membership, user lists, and the half-cost boundary."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from origin import registry
from origin.agreement import FactError
from origin.caseio import case_from_json
from origin.cli import main
from origin.determination import Verdict
from origin.groups import Membership, MembershipFileError
from origin.law import LawNotEncoded

LDC = registry.get("ldc")
LLDC = registry.get("lldc")
CANADA = registry.get("canada")
DATE = dt.date(2025, 6, 1)


def _shirt(country: str, originating: str, other: str, wages: str = "0.00") -> dict[str, Any]:
    return {
        "schema": "origin-case/1",
        "currency": "USD",
        "good": {
            "id": "S",
            "hs": "6205.20",
            "produced_in": [country],
            "last_process_in": country,
        },
        "materials": [
            {
                "id": "CLOTH",
                "hs": "5208.52",
                "value": originating,
                "status": "originating",
                "origin_country": country,
            },
            {"id": "BUTTONS", "hs": "9606.21", "value": other, "status": "non-originating"},
        ],
        "costs": [{"id": "W", "category": "wages", "amount": wages, "incurred_in": country}],
        "consignment": {"exported_from": country, "transit": []},
    }


def test_group_lists_match_the_working_tariff_document() -> None:
    """Spot checks against the WTD 1 Jan 2022 country list (marks *, † and ‡)."""
    ldc, lldc = LDC.membership, LLDC.membership
    assert ldc is not None and lldc is not None
    on = ldc.on(DATE), lldc.on(DATE)
    assert {"CN", "IN", "FJ", "TO", "VN", "TH"} <= on[0]
    assert {"BD", "KH", "WS", "VU", "NP"} <= on[1]
    assert not on[0] & on[1], "a country is less developed or least developed, not both"
    assert "NZ" not in on[0] | on[1] and "AU" not in on[0] | on[1]


@pytest.mark.parametrize("agreement", [LDC, LLDC], ids=["ldc", "lldc"])
def test_dates_before_the_encoded_list_are_refused(agreement: Any) -> None:
    case = case_from_json(_shirt("IN", "500.00", "500.00"))
    with pytest.raises(LawNotEncoded, match="2022-01-01"):
        agreement.determine(case, dt.date(2021, 12, 31))


@pytest.mark.parametrize(
    ("agreement", "country"), [(LDC, "IN"), (LLDC, "BD"), (CANADA, "CA")], ids=str
)
@settings(deadline=None)  # the shared machine's first examples can be slow
@given(originating=st.integers(1, 10**7), other=st.integers(1, 10**7))
def test_half_the_factory_or_works_cost_exactly(
    agreement: Any, country: str, originating: int, other: int
) -> None:
    """Passes exactly when area expenditure ≥ half the factory or works cost (cents)."""
    data = _shirt(country, str(Decimal(originating) / 100), str(Decimal(other) / 100))
    data["currency"] = "CAD" if country == "CA" else "USD"
    verdict = agreement.determine(case_from_json(data), DATE).verdict
    expected = Verdict.ORIGINATING if 2 * originating >= originating + other else None
    assert verdict is (expected or Verdict.NOT_ORIGINATING)


@pytest.mark.parametrize(("cloth", "verdict"), [("500.00", "originating"), ("499.99", "not")])
def test_one_cent_below_half_fails(cloth: str, verdict: str) -> None:
    other = str(Decimal("1000.00") - Decimal(cloth))
    d = LLDC.determine(case_from_json(_shirt("BD", cloth, other)), DATE)
    assert d.verdict.value.startswith(verdict)


def _write_list(tmp_path: Path, name: str, members: str) -> Path:
    path = tmp_path / "list.toml"
    path.write_text(
        f"""[group]
name = "{name}"
title = "Group 3: least developed countries (user list)"
source = "hypothetical list for a test: Vanuatu removed"

[group.coverage]
from = 2022-01-01
reference = "a test list"

[members]
{members}
""",
        encoding="utf-8",
    )
    return path


def test_a_user_list_replaces_the_encoded_one(tmp_path: Path) -> None:
    """Vanuatu is least developed in the encoded list; a user list without it decides
    Vanuatu's goods as not of Group 3 (last process outside, no qualifying content)."""
    case = case_from_json(_shirt("VU", "600.00", "400.00"))
    assert LLDC.determine(case, DATE).verdict is Verdict.ORIGINATING
    listed = _write_list(tmp_path, "lldc", 'BD = { name = "Bangladesh" }')
    updated = LLDC.with_membership(Membership.load(listed))
    d = updated.determine(
        case_from_json(_shirt("VU", "600.00", "400.00") | {"materials": []}), DATE
    )
    assert d.verdict is Verdict.NOT_ORIGINATING
    assert any("hypothetical list" in note for note in d.notes)


def test_a_member_window_ends(tmp_path: Path) -> None:
    listed = _write_list(
        tmp_path, "lldc", 'VU = { name = "Vanuatu", until = 2025-01-01 }\nBD = { name = "B" }'
    )
    membership = Membership.load(listed)
    assert "VU" in membership.on(dt.date(2024, 12, 31))
    assert "VU" not in membership.on(dt.date(2025, 1, 1))


def test_a_list_for_another_group_is_refused(tmp_path: Path) -> None:
    listed = _write_list(tmp_path, "ldc", 'IN = { name = "India" }')
    with pytest.raises(FactError, match="group 'ldc', not 'lldc'"):
        LLDC.with_membership(Membership.load(listed))
    with pytest.raises(FactError, match="no country group"):
        CANADA.with_membership(Membership.load(listed))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[members]\nIN = { name = 'India' }", "group: expected a table"),
        (
            "[group]\nname='x'\ntitle='t'\nsource='s'\n[group.coverage]\nfrom=2022-01-01\n"
            "reference='r'\n[members]\nindia = { name = 'India' }",
            "members.india: expected a two-letter ISO country code",
        ),
        (
            "[group]\nname='x'\ntitle='t'\nsource='s'\n[group.coverage]\nfrom='2022'\n"
            "reference='r'\n[members]\nIN = { name = 'India' }",
            "group.coverage.from: expected a TOML date",
        ),
        (
            "[group]\nname='x'\ntitle='t'\nsource='s'\n[group.coverage]\nreference='r'\n[members]",
            "members: the group lists no country",
        ),
        ("not = toml = at all", "not a TOML file"),
        (
            "[group]\nname='x'\ntitle='t'\nsource='s'\nas_at='2022'\n[group.coverage]\n"
            "reference='r'\n[members]\nIN = { name = 'India' }",
            "group.as_at: expected a TOML date",
        ),
    ],
)
def test_bad_membership_files_say_where(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MembershipFileError, match=message):
        Membership.load(path)


def test_cli_membership(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "case.json"
    data = _shirt("VU", "0", "0", wages="100.00") | {"materials": []}  # wages in Vanuatu
    case.write_text(json.dumps(data), encoding="utf-8")
    assert main(["determine", str(case), "--agreement", "lldc", "--date", "2025-06-01"]) == 0
    assert "VERDICT: ORIGINATING" in capsys.readouterr().out
    listed = _write_list(tmp_path, "lldc", 'BD = { name = "Bangladesh" }')
    args = ["determine", str(case), "--agreement", "lldc", "--date", "2025-06-01"]
    assert main([*args, "--membership", str(listed)]) == 0
    assert "VERDICT: NOT ORIGINATING" in capsys.readouterr().out
    (tmp_path / "bad.toml").write_text("[group]\n", encoding="utf-8")
    assert main([*args, "--membership", str(tmp_path / "bad.toml")]) == 2
    assert "bad.toml: group.coverage: expected a table" in capsys.readouterr().err
    assert main([*args, "--membership", str(tmp_path / "absent.toml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_canada_wholly_produce_must_be_of_canada() -> None:
    """r 40(1)(a) is goods wholly the produce *of Canada*: New Zealand produce is not."""
    data = {
        "schema": "origin-case/1",
        "currency": "CAD",
        "good": {
            "id": "G",
            "hs": "0303.42",
            "produced_in": ["NZ"],
            "wholly_obtained": "wholly_produce",
        },
        "consignment": {"exported_from": "CA", "transit": []},
    }
    d = CANADA.determine(case_from_json(data), DATE)
    assert d.verdict is not Verdict.ORIGINATING
    failed = [s.test for top in d.steps for s in top.walk() if s.outcome.value == "fails"]
    assert "wholly obtained in Canada" in failed


@pytest.mark.parametrize(("agreement", "country"), [(LDC, "IN"), (LLDC, "BD")], ids=str)
def test_the_list_used_is_a_cited_step(agreement: Any, country: str) -> None:
    """Issue 13: every Group 2 and Group 3 determination says which list it used — title,
    source and the date it is as at — in a step citing the provision defining the group."""
    d = agreement.determine(case_from_json(_shirt(country, "600.00", "400.00")), DATE)
    step = d.steps[-1]
    assert step.test == "group countries relied on"
    assert str(step.citation) == ("r 43(1)" if agreement is LDC else "r 43A(1)")
    inputs = dict(step.inputs)
    assert inputs["as at"] == dt.date(2022, 1, 1)
    assert "Working Tariff Document, 1 January 2022" in str(inputs["source"])
    assert country in str(inputs["countries"]).split(", ")
    assert str(step.citation) in {str(c) for c in d.citations()}
    assert any("as at 2022-01-01" in note for note in d.notes)


def test_a_user_list_is_named_with_its_date_or_without(tmp_path: Path) -> None:
    listed = _write_list(tmp_path, "lldc", 'BD = { name = "Bangladesh" }')
    membership = Membership.load(listed)
    assert membership.as_at is None
    d = LLDC.with_membership(membership).determine(
        case_from_json(_shirt("BD", "600.00", "400.00")), DATE
    )
    inputs = dict(d.steps[-1].inputs)
    assert inputs["list"] == "Group 3: least developed countries (user list)"
    assert inputs["as at"] == "not stated"
    assert inputs["countries"] == "BD"
    text = listed.read_text(encoding="utf-8").replace(
        'source = "', 'as_at = 2026-07-01\nsource = "'
    )
    listed.write_text(text, encoding="utf-8")
    assert Membership.load(listed).as_at == dt.date(2026, 7, 1)


def test_an_agreement_sent_to_another_process_carries_only_a_replaced_list(
    tmp_path: Path,
) -> None:
    """The registered list is loaded there from the law files (sent, it cost a fifth of
    unpacking a folder check's results); a user's list travels and is applied there."""
    import pickle  # noqa: PLC0415

    assert LLDC.membership is not None
    assert LLDC.__reduce__()[1][1] is None
    back = pickle.loads(pickle.dumps(LLDC))
    assert back is LLDC
    listed = _write_list(tmp_path, "lldc", 'BD = { name = "Bangladesh" }')
    updated = LLDC.with_membership(Membership.load(listed))
    assert updated.__reduce__()[1][1] == updated.membership
    moved = pickle.loads(pickle.dumps(updated))
    assert moved.membership == updated.membership != LLDC.membership
    case = case_from_json(_shirt("VU", "600.00", "400.00") | {"materials": []})
    assert moved.determine(case, DATE) == updated.determine(case, DATE)


def test_the_countries_of_a_day_are_found_once_and_leave_equality_alone() -> None:
    """Every determination asks for the group's countries on its date: the set is kept
    (a cache, out of equality and hashing), not found again among the dated members."""
    import attrs  # noqa: PLC0415

    membership = LLDC.membership
    assert membership is not None
    fresh = attrs.evolve(membership)
    first = membership.on(DATE)
    assert membership.on(DATE) is first
    assert fresh == membership and hash(fresh) == hash(membership)
    assert fresh.on(DATE) == first
    with pytest.raises(LawNotEncoded):
        membership.on(dt.date(2021, 12, 31))


_DAYS = st.dates(dt.date(2022, 1, 1), dt.date(2031, 12, 31))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.none() | _DAYS, st.none() | _DAYS), min_size=1, max_size=6),
    st.lists(_DAYS, min_size=1, max_size=30),
)
def test_the_countries_on_any_day_are_those_whose_window_holds_it(
    windows: list[tuple[dt.date | None, dt.date | None]], days: list[dt.date]
) -> None:
    """The countries are found once for each stretch between the days members join or
    leave: on any day they are exactly the members whose window holds that day, and what
    is kept grows with the list, not with the days asked."""
    import attrs  # noqa: PLC0415

    from origin.law import Window  # noqa: PLC0415

    base = LLDC.membership
    assert base is not None
    members = tuple(
        attrs.evolve(base.members[0], code=f"C{i}", window=Window(start, end))
        for i, (start, end) in enumerate(windows)
    )
    membership = attrs.evolve(base, members=members)
    for day in days:
        expected = {m.code for m in members if m.window.contains(day)}
        assert membership.on(day) == expected
    assert len(membership._by_stretch) <= 2 * len(windows) + 1
