"""BOMs of any depth decide without a traceback, and with work that grows linearly with depth.

Issue 12: a BOM deeper than about 140 levels raised ``RecursionError`` in the case reader,
the engine's bottom-up walk and the explanation. The format promises "any depth". Work is
counted, not timed (the machine is noisy; ``bench/deep_bom_bench.py`` prints the times): a
BOM of depth d is assessed at most twice per intermediate material (the both-ways run of
``Decision.resolve``), however deep.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from origin import decision, registry, strict_json
from origin.agreement import Agreement
from origin.caseio import CaseFormatError, case_from_json, determination_to_json, load_case
from origin.cli import main
from origin.determination import Verdict
from origin.explain import explain
from origin.model import Case

DATE = dt.date(2025, 6, 1)


def date_for(agreement: Agreement) -> dt.date:
    """DATE, or the first day the agreement's law is encoded for when that is later."""
    start = agreement.law.coverage.start
    return max(DATE, start) if start is not None else DATE
STATUSES = ("undetermined", "originating", "non-originating")


def chain(levels: list[tuple[str, bool]]) -> dict[str, Any]:
    """A case whose one material holds a BOM ``len(levels)`` deep; each level is a
    material of the given status (self-produced or not) over the level below and one
    originating part."""
    node: dict[str, Any] = {
        "id": "leaf",
        "hs": "7208.10",
        "value": "10.00",
        "status": "non-originating",
    }
    for i, (status, self_produced) in enumerate(reversed(levels)):
        node = {
            "id": f"m{i}",
            "hs": ("9401.71", "9403.20")[i % 2],
            "value": f"{20 + i}.00",
            "status": status,
            "self_produced": self_produced,
            "components": [
                node,
                {"id": f"x{i}", "hs": "3926.90", "value": "1.00", "status": "originating"},
            ],
        }
    top = f"{100 + len(levels)}.00"
    return {
        "schema": "origin-case/1",
        "currency": "AUD",
        "psr": "CTH",
        "good": {
            "id": "TOP",
            "hs": "9401.71",
            "adjusted_value": top,
            "fob": top,
            "transaction_value": top,
            "produced_in": ["AU"],
            "last_process_in": "AU",
        },
        "materials": [node],
        "consignment": {"exported_from": "AU"},
    }


def _depth(data: object) -> int:
    """Nesting of JSON data, walked without recursion."""
    deepest, stack = 0, [(data, 0)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def test_a_bom_1000_deep_decides_from_its_file_under_every_agreement(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(strict_json.dumps(chain([("undetermined", False)] * 1000)), "utf-8")
    case = load_case(path)
    assert max(depth for depth, _ in case.walk()) == 1000
    for agreement in registry.all_agreements():
        d = agreement.determine(case, date_for(agreement))
        assert d.verdict in Verdict
        text = explain(d)
        assert text.startswith(d.agreement_title)
        data = determination_to_json(d)
        assert strict_json.loads(strict_json.dumps(data))["good"] == "TOP"


def test_the_cli_decides_a_bom_1000_deep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.json"
    path.write_text(strict_json.dumps(chain([("undetermined", True)] * 1000)), "utf-8")
    assert main(["determine", str(path), "--agreement", "anzcerta", "--date", "2025-06-01"]) == 0
    assert "VERDICT" in capsys.readouterr().out
    argv = ["determine", str(path), "--agreement", "anzcerta", "--date", "2025-06-01"]
    assert main([*argv, "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert _depth(strict_json.loads(out)) > 2000  # the steps nest as deep as the BOM
    assert out.count("\n") == 1  # written on one line: indenting by depth is quadratic


@settings(max_examples=12, deadline=None)
@given(
    levels=st.lists(
        st.tuples(st.sampled_from(STATUSES), st.booleans()), min_size=1, max_size=1000
    ),
    name=st.sampled_from(registry.names()),
)
@example(levels=[("undetermined", False)] * 1000, name="anzcerta")
@example(levels=[("undetermined", True)] * 1000, name="tpsep")
def test_deep_boms_decide_with_linear_work(levels: list[tuple[str, bool]], name: str) -> None:
    """Each intermediate is assessed at most twice (the both-ways run), at any depth; the
    recursive design assessed a pending level's whole sub-BOM again for every level above."""
    calls = 0
    assess = decision.assess

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return assess(*args, **kwargs)

    case = load_case_from(chain(levels))
    with mock.patch.object(decision, "assess", counted):
        agreement = registry.get(name)
        d = agreement.determine(case, date_for(agreement))
    assert d.verdict in Verdict
    assert calls <= 2 * (len(levels) + 1)
    explain(d)


def load_case_from(data: dict[str, Any]) -> Case:
    return case_from_json(strict_json.loads(strict_json.dumps(data)))


def test_depth_past_the_json_limit_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "deeper.json"
    path.write_text('{"schema": "origin-case/1", "materials": ' + "[" * 100_000, "utf-8")
    with pytest.raises(CaseFormatError, match=r"line 1, column \d+.*nested more than 4096"):
        load_case(path)


def test_a_workbook_bom_1000_deep_is_checked_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The workbook path: the template written from a 1,000-level case, read back by
    ``origin check``, decided, and its results workbook and broker export written."""
    from origin.workbook.template import write_template  # noqa: PLC0415

    case = load_case_from(chain([("undetermined", True)] * 1000))
    book = tmp_path / "deep.xlsx"
    write_template(book, registry.get("anzcerta"), [case])
    argv = ["check", str(book), "--agreement", "anzcerta", "--date", "2025-06-01"]
    out = tmp_path / "results.xlsx"
    export = tmp_path / "export.csv"
    code = main([*argv, "--out", str(out), "--export", "csv", "--export-file", str(export)])
    assert code in (0, 1), capsys.readouterr().err
    assert out.stat().st_size > 0
    rows = export.read_text("utf-8").splitlines()
    assert len(rows) == 2 and ",TOP," in rows[1]


def test_facts_of_an_intermediate_are_named_for_it() -> None:
    """"operations performed on the goods" became "… on intermediate material m0s …":
    "the good" was replaced inside "the goods"."""
    case = load_case_from(chain([("undetermined", True)] * 2))
    d = registry.get("anzcerta").determine(case, DATE)
    assert any("intermediate material m0 " in fact for fact in d.missing)
    assert not any("m0s" in fact or "m1s" in fact for fact in d.missing)


def test_a_schedule_gives_rules_to_a_bom_1000_deep() -> None:
    """``--schedule`` gives each intermediate material its rule; that walk recursed too."""
    from hs_data.apply import apply_schedule  # noqa: PLC0415
    from hs_data.schedule import Entry, Schedule, Source  # noqa: PLC0415

    source = Source("anzcerta", "Test schedule", "Example annex", "2.0", "2024-01-31", 2022)
    schedule = Schedule.of(
        source,
        [Entry.parsed("e94", "94", "CTH", "annex: CTH"), Entry.parsed("e72", "72", "CC", "CC")],
    )
    data = chain([("undetermined", True)] * 1000)
    data.pop("psr")
    ruled, provenance = apply_schedule(load_case_from(data), schedule)
    assert len(provenance) == 1001  # the goods and each of the 1,000 intermediates
    assert all(m.psr == "CTH" for _, m in ruled.walk() if m.components)


@pytest.mark.parametrize(
    "levels",
    [[("undetermined", True)] * 60, [("undetermined", True), ("non-originating", True)] * 30],
)
def test_each_intermediate_is_made_into_goods_once(levels: list[tuple[str, bool]]) -> None:
    """Issue 20: an intermediate's sub-case (which checks its whole BOM when made) was made
    three times, by the walk ordering the decisions, by the parent's assessment and by its
    own run; it is made once per parent case."""
    calls = 0
    make = decision._sub_case

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return make(*args, **kwargs)

    case = load_case_from(chain(levels))
    with mock.patch.object(decision, "_sub_case", counted):
        d = registry.get("anzcerta").determine(case, DATE)
    assert d.verdict in Verdict
    assert calls == len(levels)
