"""The JSON reader's column-wise path for plain BOM lines builds exactly what the line-by-line
reader builds (issue #20: small products end to end), and leaves every problem to it.

``origin.caseio._plain_lines`` reads a flat list of plain lines field by field; whenever it
declines (a key it does not take, a value a field rule refuses, another JSON type) the
line-by-line reader reads the list and locates each problem. Both ways are compared here over
generated documents, valid and spoilt, with the column-wise path switched off for the second.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from origin import caseio, fields
from origin.caseio import CaseFormatError, case_from_json
from tests.strategies import rich_cases

# Values that are wrong, odd, or right in a way the column-wise path does not take, for any
# material field: each must give what the line-by-line reader gives.
ODD_VALUES: tuple[Any, ...] = (
    None,
    "",
    " ",
    "x",
    "AU",
    "au",
    "12.50",
    "1E+3",
    "-1",
    "1,000.00",
    "0.0000000000001",
    "1000000000000000",
    12,
    0,
    True,
    False,
    1.5,
    [],
    ["assembly"],
    [1],
    {},
    {"kind": "accessory"},
    "originating",
    "customs-value",
    "retail",
    "8471.30",
    "9999.99",
    "D-17",
)
FIELDS = (*caseio._MATERIAL, "unknown")  # the supplied fields too


def _read(document: dict[str, Any]) -> object:
    try:
        return case_from_json(document)
    except CaseFormatError as error:
        return ("problems", [str(p) for p in error.problems])


def _both_ways(document: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    fast = _read(copy.deepcopy(document))
    with monkeypatch.context() as patch:
        patch.setattr(caseio, "_plain_lines", lambda lines: None)
        slow = _read(copy.deepcopy(document))
    return fast, slow


def _flat(document: dict[str, Any]) -> dict[str, Any]:
    for line in document["materials"]:
        line.pop("components", None)
    return document


@settings(max_examples=150, deadline=None)
@given(document=rich_cases())
def test_valid_documents_read_the_same_both_ways(document: dict[str, Any]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, slow = _both_ways(_flat(document), monkeypatch)
    assert fast == slow


@settings(max_examples=600, deadline=None)
@given(
    document=rich_cases(),
    spoil=st.lists(
        st.tuples(st.integers(0, 50), st.sampled_from(FIELDS), st.sampled_from(ODD_VALUES)),
        min_size=1,
        max_size=3,
    ),
)
def test_spoilt_documents_read_the_same_both_ways(
    document: dict[str, Any], spoil: list[tuple[int, str, Any]]
) -> None:
    lines = _flat(document)["materials"]
    for at, key, value in spoil:
        if lines:
            lines[at % len(lines)][key] = value
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, slow = _both_ways(document, monkeypatch)
    assert fast == slow


def test_plain_lines_are_read_column_wise() -> None:
    """The path is taken for a plain BOM (else the comparisons above compare a path with
    itself) and declined for a line with more than plain fields."""
    lines: list[dict[str, Any]] = [
        {"id": "a", "hs": "8471.30", "value": "10.00", "status": "originating"},
        {"id": "b", "value": "2.5", "origin_country": "CN", "components": [], "supplier": "S"},
    ]
    made = caseio._plain_lines(copy.deepcopy(lines))
    assert made is not None
    assert [m.id for m in made] == ["a", "b"]
    assert made[1].value == Decimal("2.5")
    assert made[1].origin_country == "CN"
    assert (made[1].supplier, made[0].supplier) == ("S", None)
    lines[1]["accessory"] = {"kind": "accessory"}
    assert caseio._plain_lines(lines) is None
    lines[1].pop("accessory")
    lines[1]["accessory"] = None
    assert caseio._plain_lines(lines) is not None
    lines[1]["accessory"] = []
    assert caseio._plain_lines(lines) is None
    lines[1].pop("accessory")
    lines[1]["unknown"] = None  # an unknown field, even null, is the line reader's to report
    assert caseio._plain_lines(lines) is None
    lines[1].pop("unknown")
    lines[0]["value"] = "-1"
    assert caseio._plain_lines(lines) is None


@given(
    st.from_regex(r"[0-9]{1,18}(\.[0-9]{1,14})?", fullmatch=True)
    | st.from_regex(r"[0-9]{1,15}\.?[0-9]{0,13}[eE]?[+-]?[0-9]?", fullmatch=True)
)
def test_the_short_amount_path_reads_as_the_full_rules(text: str) -> None:
    """``fields.amount`` reads a short plain amount at once; the full rules (a format equal
    to the plain one but not it) give the same number, written the same, or refuse it."""
    other = fields.NumberFormat(thousands="")
    assert other == fields.PLAIN and other is not fields.PLAIN
    try:
        full = fields.amount(text, other)
    except fields.FieldError as error:
        with pytest.raises(fields.FieldError) as again:
            fields.amount(text)
        assert str(again.value) == str(error)
        return
    assert fields.amount(text).as_tuple() == full.as_tuple()
