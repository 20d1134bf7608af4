"""The one case builder (origin.build, issue 14): both readers build through it, the same
values give the same model objects whichever way they come in, and BOM trees of any depth
are built and checked without recursion."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple
from unittest import mock

import openpyxl
import pytest

from origin import build, registry
from origin.caseio import case_from_json
from origin.hs import HSCode
from origin.model import AccessoryKind, Adjustment, Material, OriginStatus, ValueBasis
from origin.workbook.reader import import_workbook

LAW = registry.get("anzcerta").law


class Line(NamedTuple):
    """A flat located record, as a reader would hand one over."""

    values: dict[str, Any]

    @property
    def place(self) -> str:
        return f"line {self.values['part']}"

    def at(self, key: str) -> str:
        return f"{self.values['part']}.{key}"


def _chain(depth: int, by: str) -> list[Line]:
    lines = []
    for i in range(depth):
        values: dict[str, Any] = {"part": f"m{i}"}
        if by == "parent" and i:
            values["parent"] = f"m{i - 1}"
        if by == "level":
            values["level"] = i + 1
        lines.append(Line(values))
    return lines


@pytest.mark.parametrize("by", ["parent", "level"])
def test_a_flat_bom_5000_deep_is_built_without_recursion(by: str) -> None:
    b = build.Build()
    lines = _chain(5000, by)
    made = {line.values["part"]: Material(line.values["part"]) for line in lines}
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # far below the depth: any recursion would fail
    try:
        children = build.flat_tree(b, "P", lines, by == "parent", by == "level")
        assert children is not None
        (top,) = build.assemble(made, children, {})
    finally:
        sys.setrecursionlimit(old)
    assert b.problems == []
    depth = 1
    while top.components:
        (top,) = top.components
        depth += 1
    assert depth == 5000


def test_problems_are_data_located_by_the_reader() -> None:
    b = build.Build()
    lines = [
        Line({"part": "a", "parent": "c"}),
        Line({"part": "b", "parent": "a"}),
        Line({"part": "c", "parent": "b"}),
        Line({"part": "d", "parent": "x"}),
    ]
    assert build.flat_tree(b, "P", lines, True, False) is None
    assert b.problems == [
        ("d.parent", "parent id 'x' is not a part of product P"),
        (
            "a.parent",
            "part 'a' is its own ancestor (a cycle through the parent ids: 'a' → 'c' → 'b' → 'a')",
        ),
        (
            "b.parent",
            "part 'b' is its own ancestor (a cycle through the parent ids: 'a' → 'c' → 'b' → 'a')",
        ),
        (
            "c.parent",
            "part 'c' is its own ancestor (a cycle through the parent ids: 'a' → 'c' → 'b' → 'a')",
        ),
    ]
    b = build.Build()
    twice = [Line({"part": "a"}), Line({"part": "a"})]
    assert build.unique_parts(b, "P", twice, lambda line: Material(line.values["part"])) is None
    assert b.problems == [("a.part", "part id 'a' is used twice in product P (first at line a)")]


def test_column_by_column_builds_what_line_by_line_builds() -> None:
    hs = HSCode.parse("8471.30")
    columns: dict[str, list[Any]] = {
        "part": ["a", "b", "c"],
        "description": ["bolt", None, "nut"],
        "hs": [hs, None, hs],
        "value": [Decimal("1.50"), None, Decimal(3)],
        "status": ["originating", None, "non-originating"],
        "basis": [None, "fob", None],
        "indirect": [True, None, False],
        "attributes": [("steel",), None, ()],
    }
    by_column = build.materials_by_column(columns, ["description", "hs", "value"], 3, "part")
    rows = [{k: v[i] for k, v in columns.items() if v[i] is not None} for i in range(3)]
    by_line = [build.material(r["part"], r, r.get("value")) for r in rows]
    assert by_column == by_line
    assert by_line[1].basis is ValueBasis.FOB
    assert by_line[0].status is OriginStatus.ORIGINATING


def test_a_choice_is_taken_as_its_word_or_its_member() -> None:
    words = {"status": "originating", "accessory": "spare-part", "customary": True}
    members = {
        "status": OriginStatus.ORIGINATING,
        "accessory": AccessoryKind.SPARE_PART,
        "customary": True,
    }
    made = [build.material("a", v, Decimal(1), [("freight", Decimal(2))]) for v in (words, members)]
    assert made[0] == made[1]
    assert made[0].adjustments == (Adjustment("freight", Decimal(2)),)


def test_json_and_workbook_build_through_the_builder(tmp_path: Path) -> None:
    """Both readers make their Materials with origin.build.material (or its column-wise
    twin), and give the same case for the same BOM."""
    case = case_from_json(
        {
            "schema": "origin-case/1",
            "currency": "NZD",
            "good": {"id": "P1", "hs": "9401.71", "adjusted_value": "100"},
            "materials": [
                {"id": "frame", "hs": "7306.30", "value": "20", "status": "non-originating"},
                {"id": "seat", "hs": "9401.99", "value": "30", "status": "originating"},
            ],
            "costs": [],
        }
    )
    book = openpyxl.Workbook()
    product = book.active
    assert product is not None
    product.title = "Product"
    product.append(["product", "hs", "currency", "adjusted value"])
    product.append(["P1", "9401.71", "NZD", 100])
    bom = book.create_sheet("BOM")
    bom.append(["product", "part id", "hs", "value", "status", "currency"])
    bom.append(["P1", "frame", "7306.30", 20, "non-originating", "NZD"])
    bom.append(["P1", "seat", "9401.99", 30, "originating", "NZD"])
    book.create_sheet("Costs").append(["product", "cost id", "category", "amount"])
    path = tmp_path / "chair.xlsx"
    book.save(path)
    calls: list[str] = []
    original = build.material

    def spy(ident: str, *args: Any, **kwargs: Any) -> Material:
        calls.append(ident)
        return original(ident, *args, **kwargs)

    with mock.patch.object(build, "material", spy):
        result = import_workbook(path, law=LAW)
    assert not result.errors, result.errors
    assert calls == ["frame", "seat"]  # a currency column: each line built when rates are known
    (imported,) = result.products
    assert imported.case is not None
    assert imported.case.materials == case.materials
    assert imported.case.good == case.good
