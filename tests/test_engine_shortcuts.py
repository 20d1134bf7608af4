"""The engine's shortcuts (issue 20) give what the plain computation gives.

Each shortcut keeps a result the slow way also reaches: a walk on its own stack, a
percentage compared in integers, a tariff-shift outcome found by the code object's identity,
a rule's text kept per rule object. Each is checked here against the plain computation.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest

from agreements.anzcerta import regime_at
from origin import psr
from origin.agreement import _scan
from origin.engine import all_materials, assess, percent, tariff_shift_step
from origin.hs import HSCode
from origin.model import Case, Good, Material, OriginStatus, Packaging
from origin.psr import parse_rule
from origin.trees import preorder

DATE = dt.date(2025, 6, 1)


def _tree(rng: random.Random, budget: list[int]) -> Material:
    budget[0] -= 1
    kids = (
        tuple(_tree(rng, budget) for _ in range(rng.randint(1, 3)))
        if budget[0] > 0 and rng.random() < 0.3
        else ()
    )
    return Material(
        id=f"m{budget[0]}",
        status=rng.choice(list(OriginStatus)),
        origin_country=rng.choice([None, "AU", "CN", "NZ"]),
        attributes=frozenset({"fungible"}) if rng.random() < 0.1 else frozenset(),
        components=kids,
    )


@pytest.mark.parametrize("seed", range(40))
def test_the_check_reads_a_bom_as_a_preorder_walk(seed: int) -> None:
    rng = random.Random(seed)
    budget = [400]
    materials = tuple(_tree(rng, budget) for _ in range(rng.randint(0, 8)))
    parties = frozenset(rng.sample(["AU", "CN", "NZ"], rng.randint(0, 3)))
    walked = [m for _, m in preorder(materials, lambda m: m.components)]
    expected = next(
        (
            m
            for m in walked
            if m.status is OriginStatus.ORIGINATING
            and m.origin_country is not None
            and m.origin_country not in parties
        ),
        None,
    )
    abroad, worded = _scan(materials, parties)
    assert abroad is expected
    assert [id(m) for m in worded] == [id(m) for m in walked if m.attributes or m.adjustments]


def test_percent_says_exact_only_when_it_is() -> None:
    rng = random.Random(20)
    values = [Fraction(rng.randint(-(10**6), 10**9), rng.randint(1, 10**6)) for _ in range(3000)]
    values += [Fraction(rng.randint(0, 10**6), 10 ** rng.randint(0, 8)) for _ in range(3000)]
    values += [Fraction(40), Fraction(0), Fraction(1, 3), Fraction(-1, 16), Fraction(200, 3)]
    for value in values:
        for places in (0, 2, 4, 6):
            quantum = Decimal(1).scaleb(-places)
            shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum)
            text = f"{shown.normalize():f}"
            plain = f"{text}%" if value == Fraction(shown) else f"{text}…%"
            assert percent(value, places) == plain


def test_the_tariff_shift_is_the_same_whether_lines_share_code_objects() -> None:
    """Lines are looked up by their code object's identity, then by the code: equal codes
    made apart (not through the parse cache) decide as the shared ones do."""
    rng = random.Random(7)
    digits = ["440711", "830242", "940391", "940330", "732690"]
    shared = {d: HSCode(d) for d in digits}
    rows = [
        (f"M{i}", rng.choice(digits), rng.choice(list(OriginStatus)), rng.randint(1, 999))
        for i in range(300)
    ]

    def case(apart: bool) -> Case:
        materials = tuple(
            Material(
                id=ident,
                hs=(HSCode(code) if apart else shared[code]) if i % 17 else None,
                value=Decimal(value).scaleb(-2),
                status=status,
            )
            for i, (ident, code, status, value) in enumerate(rows)
        )
        return Case(
            good=Good(id="G", hs=HSCode("940330"), adjusted_value=Decimal(5000)),
            currency="AUD",
            materials=materials,
        )

    rule = parse_rule("CTH")
    assert isinstance(rule, psr.TariffShift)
    regime = regime_at(DATE)
    decided = []
    for apart in (False, True):
        a = assess(case(apart), regime, DATE)
        step = tariff_shift_step(a, rule, regime.valuation)
        decided.append((step, list(a.rows()), a.last_shift))
    assert decided[0] == decided[1]
    assert decided[0][0].missing  # the lines without a code are asked for


def test_a_rules_text_is_its_own_after_the_cache_forgets() -> None:
    text = 'CTH except from 44.01-44.05 or RVC42.5 (build-down) and process "kiln drying"'
    rule = parse_rule(text)
    first = str(rule)
    twin = attrs.evolve(rule)  # an equal rule, another object
    assert twin is not rule and str(twin) == first
    psr._TEXTS.clear()
    gc.collect()
    assert str(rule) == first == psr.canonical(parse_rule(first))
    for _ in range(psr._TEXTS_MAX + 10):  # the cache stays bounded
        str(attrs.evolve(rule))
    assert len(psr._TEXTS) <= psr._TEXTS_MAX
    assert str(rule) == first


def test_every_material_is_that_of_the_case_asked_about() -> None:
    """all_materials remembers whether the last case had a sub-BOM: asked about another case
    (or the same materials in a new case) it answers for that one."""
    rng = random.Random(3)
    deep = Case(
        good=Good(id="G", hs=HSCode("940330")),
        currency="AUD",
        materials=tuple(_tree(rng, [60]) for _ in range(5)),
    )
    flat = attrs.evolve(
        deep, materials=tuple(attrs.evolve(m, components=()) for m in deep.materials)
    )
    assert any(m.components for m in deep.materials)
    for case in (flat, deep, deep, flat, attrs.evolve(deep), flat):
        walked = [m for _, m in case.walk()]
        assert [id(m) for m in all_materials(case)] == [id(m) for m in walked]


@pytest.mark.parametrize("name", ["anzcerta", "aanzfta", "china", "cptpp", "rcep", "tpsep"])
def test_a_material_table_sent_elsewhere_gives_the_same_rows(name: str) -> None:
    """A determination's material table is pickled as what its rows are built from
    (engine.RowSource), not as its rows; unpickled, it builds the same rows, accumulation
    notes and tariff-shift outcomes included (by code: object identities do not travel)."""
    import pickle  # noqa: PLC0415

    from origin import registry  # noqa: PLC0415
    from origin.engine import MaterialTable  # noqa: PLC0415

    agreement = registry.get(name)
    party, other = agreement.law.parties[0], agreement.law.parties[-1]  # accumulation
    materials = tuple(
        Material(
            f"M{i}",
            hs=HSCode.parse(("4407.11", "8302.42", "9403.30")[i % 3]),
            value=Decimal(10 + i),
            status=(OriginStatus.ORIGINATING, OriginStatus.NON_ORIGINATING)[i % 2],
            origin_country=(other, "US")[i % 2],
        )
        for i in range(12)
    )
    good = Good("G", HSCode.parse("9403.60"), adjusted_value=Decimal(400), produced_in=(party,))
    good = attrs.evolve(good, last_process_in=party, fob=Decimal(400), ex_works=Decimal(400))
    case = Case(good, "NZD", materials, psr="CTH or RVC40")
    d = agreement.determine(case, dt.date(2025, 6, 1))
    table = d.materials
    assert isinstance(table, MaterialTable)
    again = pickle.loads(pickle.dumps(table, pickle.HIGHEST_PROTOCOL))
    assert isinstance(again, MaterialTable)
    assert list(again) == list(table)
    assert any(row.tariff_shift is not None for row in again)
    if name == "anzcerta":  # made in Australia of New Zealand materials: r 33(3)
        assert any("deemed to originate" in " ".join(row.notes) for row in again)


def test_forum_island_rows_sent_elsewhere_give_the_same_rows() -> None:
    """FIC's cost-sheet rows travel as what they are built from (the BOM, its depth and the
    rows decided one by one), not as their rows; unpickled, they build the same rows."""
    import pickle  # noqa: PLC0415

    from agreements.fic.r46_factory_cost import Rows, plain_row  # noqa: PLC0415
    from origin import registry  # noqa: PLC0415

    agreement = registry.get("fic")
    party = "FJ"  # made in Fiji of Fijian materials: those rows are decided one by one
    materials = tuple(
        Material(
            f"M{i}",
            hs=HSCode.parse(("4407.11", "8302.42", "9403.30")[i % 3]),
            value=Decimal(10 + i),
            status=(OriginStatus.ORIGINATING, OriginStatus.NON_ORIGINATING)[i % 2],
            origin_country=(party, "US")[i % 2],
            packaging=(Packaging.NONE, Packaging.RETAIL)[i % 5 == 4],  # some decided alone
        )
        for i in range(12)
    )
    good = Good("G", HSCode.parse("9403.60"), adjusted_value=Decimal(400), produced_in=(party,))
    good = attrs.evolve(good, last_process_in=party, ex_works=Decimal(400))
    table = agreement.determine(Case(good, "NZD", materials, psr="CTH"), dt.date(2025, 6, 1))
    rows = table.materials
    assert isinstance(rows, Rows)
    again = pickle.loads(pickle.dumps(rows, pickle.HIGHEST_PROTOCOL))
    assert isinstance(again, Rows)
    assert list(again) == list(rows)
    assert len(again) == 12
    # some rows were decided one by one (not as plain lines), and travelled as such
    assert any(row != plain_row(m, 0) for row, m in zip(again, materials, strict=True))
