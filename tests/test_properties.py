"""Properties of ANZCERTA determinations that must hold for every case, not just worked ones.

Cases are drawn by :mod:`strategies` as origin-case/1 documents and read by the real
reader. Every property compares exact figures (Decimal amounts, Fraction ratios).
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import json
import math
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from strategies import (
    BOTH_VALUE_METHODS,
    DATE,
    GOOD_HS,
    MATERIAL_HS,
    OTHER_HEADING,
    PSRS,
    SAME_HEADING,
    case_document,
    cases,
    cents,
    goods,
    rich_cases,
    text_of,
)

from origin import registry
from origin.caseio import case_from_json, case_to_json, determination_to_json
from origin.determination import Determination, MaterialRow, Outcome, Verdict

ANZCERTA = registry.get("anzcerta")
VALUE_METHODS = ("build-down", "build-up")


def decide(document: dict[str, Any]) -> Determination:
    return ANZCERTA.determine(case_from_json(document), DATE)


def rvc_figures(d: Determination) -> tuple[tuple[str, Fraction | None, Outcome], ...]:
    return tuple((r.method, r.value, r.outcome) for r in d.rvc)


def rows_by_id(d: Determination) -> dict[str, MaterialRow]:
    return {row.id: row for row in d.materials}


def all_paths(document: dict[str, Any]) -> list[tuple[int, ...]]:
    """Index paths of every BOM line, components included: (i,) or (i, j)."""
    paths: list[tuple[int, ...]] = []
    for i, m in enumerate(document["materials"]):
        paths.append((i,))
        paths.extend((i, j) for j in range(len(m.get("components", ()))))
    return paths


def line_at(document: dict[str, Any], path: tuple[int, ...]) -> dict[str, Any]:
    line: dict[str, Any] = document["materials"][path[0]]
    for j in path[1:]:
        line = line["components"][j]
    return line


def plain_good(hs: str = "9403.30", av: str = "100.00") -> dict[str, Any]:
    return {
        "id": "GOOD",
        "hs": hs,
        "adjusted_value": av,
        "produced_in": ["AU"],
        "last_process_in": "AU",
        "operations": ["assembly"],
    }


# --------------------------------------------------------------------- 1. BOM order


@settings(max_examples=200, deadline=None)
@given(data=st.data(), document=cases(nested=True, min_size=2))
def test_bom_order_does_not_change_the_determination(
    data: st.DataObject, document: dict[str, Any]
) -> None:
    shuffled = copy.deepcopy(document)
    shuffled["materials"] = data.draw(st.permutations(shuffled["materials"]), label="BOM")
    for line in shuffled["materials"]:
        if "components" in line:
            line["components"] = data.draw(st.permutations(line["components"]), label="sub-BOM")
    shuffled["costs"] = data.draw(st.permutations(shuffled["costs"]), label="costs")
    before, after = decide(document), decide(shuffled)
    assert after.verdict is before.verdict
    assert rvc_figures(after) == rvc_figures(before)
    assert set(after.missing) == set(before.missing)
    assert rows_by_id(after) == rows_by_id(before)


# --------------------------------------------------------------------- 2. monotonicity


def _candidates(document: dict[str, Any]) -> list[tuple[int, ...]]:
    """Paths of the lines not declared originating."""
    return [p for p in all_paths(document) if line_at(document, p)["status"] != "originating"]


def _flip_one(document: dict[str, Any], choice: int) -> dict[str, Any]:
    """The same case with one non-originating or undetermined line declared originating."""
    candidates = _candidates(document)
    flipped = copy.deepcopy(document)
    line_at(flipped, candidates[choice % len(candidates)])["status"] = "originating"
    return flipped


def _check_monotone(document: dict[str, Any], choice: int) -> None:
    flipped = _flip_one(document, choice)
    before, after = decide(document), decide(flipped)
    if before.verdict is Verdict.ORIGINATING:
        assert after.verdict is Verdict.ORIGINATING, after.missing
    assert [r.method for r in after.rvc] == [r.method for r in before.rvc]
    for old, new in zip(before.rvc, after.rvc, strict=True):
        if old.method not in VALUE_METHODS:
            continue
        if old.outcome is Outcome.MEETS:
            assert new.outcome is Outcome.MEETS, (old.method, new.note)
        if old.value is not None and new.value is not None:
            assert new.value >= old.value, old.method


# Regression (fixed in 3bb294a): M0 self-produced, non-originating, value unknown, so r 36(1)
# leaves it out of VNM and build-down is 90%; declared originating, its unknown value used
# to blank build-down's VNM too.
_BUILD_DOWN_REGRESSION = case_document(
    plain_good(),
    "RVC40 (build-down)",
    [
        {"id": "M0", "hs": "4407.11", "status": "non-originating", "self_produced": True},
        {"id": "M1", "hs": "4407.11", "status": "non-originating", "value": "10.00"},
    ],
)
# Regression (fixed in dc9c1b5): the same under build-up. VOM is at least 60.00 whatever M0's
# value (amounts are never negative), so RVC ≥ 60% ≥ 50% is decided; the engine used to say
# "needs information".
_BUILD_UP_REGRESSION = case_document(
    plain_good(),
    "RVC50 (build-up)",
    [
        {"id": "M0", "hs": "4407.11", "status": "non-originating", "self_produced": True},
        {"id": "M1", "hs": "4407.11", "status": "originating", "value": "60.00"},
    ],
)


@settings(max_examples=40, deadline=None)
@given(document=cases(nested=True, min_size=1), choice=st.integers(min_value=0))
@example(document=_BUILD_UP_REGRESSION, choice=0)
def test_originating_material_never_hurts(document: dict[str, Any], choice: int) -> None:
    assume(_candidates(document))
    _check_monotone(document, choice)


def test_unknown_originating_value_does_not_block_build_down() -> None:
    _check_monotone(_BUILD_DOWN_REGRESSION, 0)


@settings(max_examples=60, deadline=None)
@given(document=cases(nested=True, min_size=1, value_known=True), choice=st.integers(0))
def test_originating_material_never_hurts_when_values_are_known(
    document: dict[str, Any], choice: int
) -> None:
    assume(_candidates(document))
    _check_monotone(document, choice)


# --------------------------------------------------------------------- 3. rows add up


@settings(max_examples=60, deadline=None)
@given(cases(psrs=st.just(BOTH_VALUE_METHODS), value_known=True, nested=True))
def test_material_rows_add_up_to_the_rvc_inputs(document: dict[str, Any]) -> None:
    d = decide(document)
    rows = list(d.materials)
    assert len(rows) == len(d.materials) == len(document["materials"])
    assert Counter(row.id for row in rows) == Counter(m["id"] for m in document["materials"])
    inputs = {r.method: dict(r.inputs) for r in d.rvc}
    assert set(inputs) == set(VALUE_METHODS)
    # Each row says what it adds to VOM and to VNM (None: unknown, e.g. a self-produced
    # material without its BOM); the known parts add up to the inputs the formulas used.
    vom = sum((row.vom_value or Decimal(0) for row in rows), Decimal(0))
    vnm = sum((row.vnm_value or Decimal(0) for row in rows), Decimal(0))
    assert inputs["build-up"]["VOM"] == Fraction(vom)
    assert inputs["build-down"]["VNM"] == Fraction(vnm)
    for row in rows:
        if row.counted_as == "VOM":
            assert row.vom_value == row.value and row.vnm_value == 0
        elif row.counted_as == "VNM":
            assert row.vnm_value == row.value and row.vom_value == 0
    av = Fraction(Decimal(document["good"]["adjusted_value"]))
    assert inputs["build-up"]["AV"] == inputs["build-down"]["AV"] == av


# --------------------------------------------------------------------- 4. JSON round trip


def _check_round_trip(document: dict[str, Any]) -> None:
    case = case_from_json(document)
    assert case_from_json(case_to_json(case)) == case
    text = json.dumps(case_to_json(case))
    assert case_from_json(json.loads(text, parse_float=Decimal)) == case


# Regression (fixed in 3bb294a): [] ("no operations", r 33A fails) used to come back absent
# ("not stated", needs information).
_EMPTY_OPERATIONS = case_document(
    {**plain_good(), "operations": []},
    "CTH",
    [],
)


@settings(max_examples=60, deadline=None)
@given(rich_cases(empty=True))
@example(_EMPTY_OPERATIONS)
def test_case_json_round_trip(document: dict[str, Any]) -> None:
    _check_round_trip(document)


@settings(max_examples=60, deadline=None)
@given(rich_cases(empty=False))
def test_case_json_round_trip_without_empty_fields(document: dict[str, Any]) -> None:
    _check_round_trip(document)


# --------------------------------------------------------------------- 5. no float


def floats_in(value: object, where: str = "d") -> list[str]:
    """Paths of every float reachable from ``value`` (attrs fields, sequences, mappings)."""
    if isinstance(value, float):
        return [where]
    if isinstance(value, str | bytes | int | Decimal | Fraction | dt.date | enum.Enum | None):
        return []
    found: list[str] = []
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            found += floats_in(getattr(value, field.name), f"{where}.{field.name}")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            found += floats_in(key, f"{where}[key]") + floats_in(item, f"{where}[{key!r}]")
    else:
        for i, item in enumerate(value):  # type: ignore[attr-defined]
            found += floats_in(item, f"{where}[{i}]")
    return found


@settings(max_examples=50, deadline=None)
@given(cases(nested=True))
def test_no_float_in_any_figure(document: dict[str, Any]) -> None:
    d = decide(document)
    assert floats_in(d) == []
    figures: list[object] = []
    for top in d.steps:
        for step in top.walk():
            figures += [step.value, step.threshold, step.margin, step.inputs]
    for r in d.rvc:
        figures += [r.value, r.threshold, r.margin, r.inputs, r.headroom]
    figures += [row.value for row in d.materials]
    assert floats_in(figures) == []
    assert floats_in(determination_to_json(d), "json") == []


# --------------------------------------------------------------------- 6. thresholds


@st.composite
def build_down_boundaries(draw: st.DrawFn) -> tuple[int, int, list[int]]:
    """(t, AV cents, VNM split in cents) with VNM exactly AV × (100 − t) / 100."""
    t = draw(st.integers(1, 99))
    step = 100 // math.gcd(100 - t, 100)  # AV must be a multiple of this for whole cents
    av = step * draw(st.integers(1, 10**7 // step))
    vnm = av * (100 - t) // 100
    assert av * (100 - t) == vnm * 100
    cuts = sorted(draw(st.lists(st.integers(0, vnm), max_size=3)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, vnm], strict=True)]
    return t, av, parts


@settings(max_examples=60, deadline=None)
@given(
    boundary=build_down_boundaries(),
    good_hs=st.sampled_from(GOOD_HS),
    originating=st.lists(cents(0, 10**7), max_size=3),
    data=st.data(),
)
def test_build_down_threshold_is_exact(
    boundary: tuple[int, int, list[int]],
    good_hs: str,
    originating: list[int],
    data: st.DataObject,
) -> None:
    t, av, parts = boundary
    bom = [
        {
            "id": f"N{i}",
            "hs": data.draw(st.sampled_from(MATERIAL_HS)),
            "value": text_of(c),
            "status": data.draw(st.sampled_from(("non-originating", "undetermined"))),
        }
        for i, c in enumerate(parts)
    ]
    bom += [
        {
            "id": f"O{i}",
            "hs": data.draw(st.sampled_from(MATERIAL_HS)),
            "value": text_of(c),
            "status": "originating",
        }
        for i, c in enumerate(originating)
    ]
    good = plain_good(good_hs, text_of(av))
    at = decide(case_document(good, f"RVC{t} (build-down)", bom))
    assert at.verdict is Verdict.ORIGINATING
    assert [r.value for r in at.rvc] == [Fraction(t)]
    over = copy.deepcopy(bom)
    k = data.draw(st.integers(0, len(parts) - 1), label="one cent more on")
    over[k]["value"] = text_of(parts[k] + 1)
    beyond = decide(case_document(good, f"RVC{t} (build-down)", over))
    assert beyond.verdict is Verdict.NOT_ORIGINATING
    assert beyond.rvc[0].value is not None and beyond.rvc[0].value < t


@settings(max_examples=60, deadline=None)
@given(
    good=goods(cents(1, 10**7).map(lambda c: 10 * c)),
    splits=st.lists(st.integers(0, 100), max_size=2),
    others=st.lists(
        st.tuples(
            st.sampled_from(OTHER_HEADING),
            st.sampled_from(("originating", "non-originating", "undetermined")),
            cents(0, 10**7),
        ),
        max_size=3,
    ),
)
def test_de_minimis_threshold_is_exact(
    good: dict[str, Any], splits: list[int], others: list[tuple[str, str, int]]
) -> None:
    av = int(Decimal(good["adjusted_value"]) * 100)
    limit = av // 10
    assert limit * 10 == av
    # The same-heading materials (failing CTH) total exactly 10% of the adjusted value.
    cuts = sorted(limit * s // 100 for s in splits)
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, limit], strict=True)]
    same = SAME_HEADING[good["hs"]]
    bom = [
        {"id": f"S{i}", "hs": same, "value": text_of(c), "status": "non-originating"}
        for i, c in enumerate(parts)
    ]
    bom += [
        {"id": f"X{i}", "hs": hs, "value": text_of(c), "status": status}
        for i, (hs, status, c) in enumerate(others)
    ]
    at = decide(case_document(good, "CTH", bom))
    assert at.verdict is Verdict.ORIGINATING, at.steps
    assert any("r 35" in b for b in at.basis)
    over = copy.deepcopy(bom)
    over[len(parts) - 1]["value"] = text_of(parts[-1] + 1)
    beyond = decide(case_document(good, "CTH", over))
    assert beyond.verdict is Verdict.NOT_ORIGINATING


# --------------------------------------------------------------------- 7. headroom


@settings(max_examples=60, deadline=None)
@given(cases(psrs=st.sampled_from([p for p in PSRS if "build" in p or p.endswith("45")])))
def test_headroom_agrees_with_the_outcome(document: dict[str, Any]) -> None:
    d = decide(document)
    for r in d.rvc:
        if r.method not in VALUE_METHODS or r.value is None:
            continue
        if r.bound or r.outcome is Outcome.NEEDS_INFO:
            # From known values only: a bound, decided by its side, and no headroom is given.
            assert not r.headroom
            if r.outcome is not Outcome.NEEDS_INFO:
                assert (r.bound == "at least") == (r.outcome is Outcome.MEETS)
            continue
        inputs = dict(r.inputs)
        bounds = {(symbol, direction): bound for symbol, direction, bound in r.headroom}
        meets = r.outcome is Outcome.MEETS
        assert meets == (r.value >= r.threshold)
        if r.method == "build-down":
            assert (inputs["VNM"] <= bounds["VNM", "at most"]) == meets
            assert (inputs["AV"] >= bounds["AV", "at least"]) == meets
        else:
            assert (inputs["VOM"] >= bounds["VOM", "at least"]) == meets
            assert (inputs["AV"] <= bounds["AV", "at most"]) == meets


# --------------------------------------------------------------------- 8. class (b) and rows


# Regression (fixed in dc9c1b5): M0 is self-produced and non-originating, left out of VNM by
# r 36(1); it used to be left out of r 33(2)(b) too, so (b) was met ("every material is
# originating") and the desk originating although CTH and de minimis (50%) both fail.
_CLASS_B_REGRESSION = case_document(
    plain_good(av="1000.00"),
    "CTH",
    [
        {
            "id": "M0",
            "hs": "9403.91",
            "status": "non-originating",
            "self_produced": True,
            "value": "500.00",
        }
    ],
)


@settings(max_examples=40, deadline=None)
@given(cases(nested=True))
@example(_CLASS_B_REGRESSION)
def test_class_b_only_when_every_material_row_is_originating(document: dict[str, Any]) -> None:
    d = decide(document)
    (class_b,) = [s for s in d.steps if s.test.startswith("class 33(2)(b)")]
    if class_b.outcome is not Outcome.MEETS:
        return
    shipment = {m["id"] for m in document["materials"] if m.get("packaging") == "shipment"}
    for row in d.materials:
        # r 39(1): a relieved standard accessory "must be treated as originating goods";
        # its row keeps its own status because RVC counts it so (r 39(1)(c)).
        relieved = "r 39(1)" in {str(c) for c in row.citations}
        assert row.status == "originating" or row.id in shipment or relieved, row


# --------------------------------------------------------------------- 9. missing facts


# Regression (fixed in dc9c1b5): M0 is a self-produced intermediate without its own value. It
# used to be counted "excluded", dropping its 900.00 of non-originating inputs from VNM: the
# desk was originating (100%), but not originating (10%) once M0's value was supplied.
_INTERMEDIATE_REGRESSION = case_document(
    plain_good(av="1000.00"),
    "RVC40 (build-down)",
    [
        {
            "id": "M0",
            "hs": "9403.91",
            "status": "undetermined",
            "self_produced": True,
            "psr": "CTH",
            "operations": ["assembly"],
            "components": [
                {"id": "M0.0", "hs": "9403.91", "status": "non-originating", "value": "900.00"}
            ],
        }
    ],
)


@settings(max_examples=60, deadline=None)
@given(document=cases(nested=True, min_size=1), fill=st.lists(cents(0, 10**7), min_size=1))
@example(document=_INTERMEDIATE_REGRESSION, fill=[10000])
def test_a_definite_verdict_does_not_depend_on_missing_values(
    document: dict[str, Any], fill: list[int]
) -> None:
    """A verdict given without some values must stand whatever those values turn out to be."""
    missing = [p for p in all_paths(document) if "value" not in line_at(document, p)]
    assume(missing)
    d = decide(document)
    if d.verdict is Verdict.NEEDS_INFORMATION:
        return
    filled = copy.deepcopy(document)
    for k, path in enumerate(missing):
        line_at(filled, path)["value"] = text_of(fill[k % len(fill)])
    assert decide(filled).verdict is d.verdict


# --------------------------------------------------------------------- 10. named missing facts

# Every case drawn by ``cases`` states these facts of the good; none may be asked for.
STATED_FACTS = (
    "adjusted value of the good",
    "product-specific rule",
    "operations performed on the goods",
    "consignment route",
    "countries where the goods were produced",
)


@settings(max_examples=60, deadline=None)
@given(cases(nested=True))
@example(_INTERMEDIATE_REGRESSION)
def test_missing_facts_never_ask_for_what_the_case_states(document: dict[str, Any]) -> None:
    d = decide(document)
    for fact in d.missing:
        assert not fact.startswith(STATED_FACTS), (fact, d.missing)
