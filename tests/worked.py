"""Worked legal cases: JSON files per agreement, each with its source or arithmetic.

A worked case file holds ``title``, ``provisions`` (citations it exercises), ``arithmetic``
(the sums, from the regulation text), ``date``, ``case`` (an origin-case/1 document) and
``expect``: ``verdict``, optionally ``basis`` (each expected label must appear), ``rvc``
(method → exact value ``"p/q"`` or integer text), ``missing`` (substrings that must appear
among the missing facts), ``fails`` (tests that must fail), ``citations`` (must be cited),
``costs`` (cost line → status as counted) and ``materials`` (material → how it was counted).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path
from typing import Any

from origin import strict_json
from origin.agreement import Agreement
from origin.caseio import case_from_json
from origin.determination import Determination, Outcome


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = strict_json.loads(path.read_text(encoding="utf-8"))
    return data


def files(agreement: Agreement) -> list[Path]:
    return sorted(agreement.cases.glob("*.json")) if agreement.cases else []


def run(agreement: Agreement, path: Path) -> Determination:
    data = load(path)
    case = case_from_json(data["case"], str(path))
    return agreement.determine(case, dt.date.fromisoformat(data["date"]))


def check(agreement: Agreement, path: Path) -> None:
    data = load(path)
    for key in ("title", "provisions", "arithmetic", "date", "case", "expect"):
        assert key in data, f"{path.name}: worked case lacks {key!r}"
    d = run(agreement, path)
    expect = data["expect"]
    assert d.verdict.value == expect["verdict"], (
        f"{path.name}: {d.verdict.value} ≠ {expect['verdict']}"
    )
    for label in expect.get("basis", []):
        assert any(label in b for b in d.basis), f"{path.name}: basis {d.basis} lacks {label!r}"
    results = {r.method: r for r in d.rvc}
    for method, value in expect.get("rvc", {}).items():
        assert method in results, f"{path.name}: no {method} RVC computed"
        assert results[method].value == Fraction(value), (
            f"{path.name}: {method} = {results[method].value} ≠ {value}"
        )
    for fact in expect.get("missing", []):
        assert any(fact in m for m in d.missing), f"{path.name}: missing {d.missing} lacks {fact!r}"
    failing = [s.test for top in d.steps for s in top.walk() if s.outcome is Outcome.FAILS]
    for test in expect.get("fails", []):
        assert any(test in f for f in failing), f"{path.name}: {test!r} not among failed {failing}"
    cited = (
        {str(c) for c in d.citations()}
        | {str(c) for row in d.materials for c in row.citations}
        | {str(r.citation) for r in d.rvc}
    )
    for citation in expect.get("citations", []):
        assert citation in cited, f"{path.name}: {citation} not cited (cited: {sorted(cited)})"
    statuses = {row.id: row.status for row in d.costs}
    for cost, status in expect.get("costs", {}).items():
        assert statuses.get(cost) == status, f"{path.name}: cost {cost} is {statuses.get(cost)}"
    counted = {row.id: row.counted_as for row in d.materials}
    for material, counted_as in expect.get("materials", {}).items():
        assert counted.get(material) == counted_as, (
            f"{path.name}: material {material} counted as {counted.get(material)}"
        )
