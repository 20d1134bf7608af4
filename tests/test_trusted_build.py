"""Objects made column by column (origin.model.from_columns, the workbook's BOM blocks) are
the objects the classes' own constructors make: a column whose values every check keeps as
they are is made without a check per value; anything else goes through the constructor,
which converts or refuses as always. The constructors and attrs.evolve still check."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from origin import build
from origin.hs import HSCode
from origin.model import (
    Cost,
    Good,
    Material,
    ModelFieldError,
    OriginStatus,
    Packaging,
    ValueBasis,
    from_columns,
)

HS = HSCode.parse("8471.30")

# Values of each field: ones its check keeps as they are, ones it converts (a word, a
# list, an int, text), and ones it refuses.
VALUES: dict[str, list[Any]] = {
    "description": ["bolt", ""],
    "hs": [HS, None, "8471.30", "8471.3X", 847130],
    "quantity": [Decimal(2), None, Decimal("0E-20"), 3, "4.5", Decimal("-0"), 1.5, Decimal("NaN")],
    "value": [
        Decimal("12.34"),
        Decimal(0),
        None,
        Decimal("1.0"),
        "7",
        Decimal("-1"),
        Decimal("1E+15"),
        Decimal("1E-13"),
        0.1,
    ],
    "basis": [ValueBasis.FOB, None, "cif", "by guess"],
    "origin_country": ["AU", None, "au", "AUS", 12],
    "status": [OriginStatus.ORIGINATING, "non-originating", "made up", None],
    "self_produced": [False, True, "yes", 1],
    "indirect": [False, True, None],
    "packaging": [Packaging.NONE, "retail", "box"],
    "attributes": [frozenset(), frozenset({"steel"}), ["steel"], frozenset({1})],
    "operations": [None, ("cutting",), ["cutting"], ("cutting", 2)],
    "produced_in": [None, "NZ", "nz"],
    "weight": [None, Decimal("0.5")],
}


def one_by_one(cls: type, columns: dict[str, list[Any]], count: int) -> list[Any] | str:
    try:
        return [cls(**{k: v[i] for k, v in columns.items()}) for i in range(count)]
    except (ModelFieldError, TypeError) as error:
        return f"{type(error).__name__}: {error}"


def at_once(cls: type, columns: dict[str, list[Any]], count: int) -> list[Any] | str:
    try:
        return from_columns(cls, columns, count)
    except (ModelFieldError, TypeError) as error:
        return f"{type(error).__name__}: {error}"


def same_objects(a: list[Any] | str, b: list[Any] | str) -> None:
    """Equal, field by field with the same digits (Decimal('1.0') == Decimal(1), but a
    determination prints them apart), or the same refusal."""
    assert a == b
    assert (a if isinstance(a, str) else list(map(repr, a))) == (
        b if isinstance(b, str) else list(map(repr, b))
    )


@st.composite
def material_columns(draw: st.DrawFn) -> tuple[dict[str, list[Any]], int]:
    count = draw(st.integers(1, 6))
    keys = draw(st.sets(st.sampled_from(sorted(VALUES))))
    columns: dict[str, list[Any]] = {"id": [f"m{i}" for i in range(count)]}
    for key in keys:
        columns[key] = draw(st.lists(st.sampled_from(VALUES[key]), min_size=count, max_size=count))
    return columns, count


@given(material_columns())
def test_column_by_column_makes_what_the_constructor_makes(
    drawn: tuple[dict[str, list[Any]], int],
) -> None:
    columns, count = drawn
    same_objects(at_once(Material, columns, count), one_by_one(Material, columns, count))


@pytest.mark.parametrize("key", sorted(VALUES))
@given(data=st.data())
def test_each_column_alone_makes_what_the_constructor_makes(key: str, data: st.DataObject) -> None:
    count = data.draw(st.integers(1, 5))
    column = data.draw(st.lists(st.sampled_from(VALUES[key]), min_size=count, max_size=count))
    columns: dict[str, list[Any]] = {"id": [f"m{i}" for i in range(count)], key: column}
    same_objects(at_once(Material, columns, count), one_by_one(Material, columns, count))


def test_kept_values_are_the_same_objects_and_the_defaults_are_set() -> None:
    value = Decimal("12.34")
    made = from_columns(
        Material,
        {"id": ["a", "b"], "hs": [HS, None], "value": [value, value], "origin_country": ["AU"] * 2},
        2,
    )
    assert made == [
        Material("a", hs=HS, value=value, origin_country="AU"),
        Material("b", value=value, origin_country="AU"),
    ]
    assert made[0].value is value
    assert made[1].status is OriginStatus.UNDETERMINED
    assert made[1].components == ()
    assert made[1].attributes == frozenset()
    assert hash(made[0]) == hash(Material("a", hs=HS, value=value, origin_country="AU"))


def test_a_refused_value_names_the_object_as_the_constructor_does() -> None:
    columns: dict[str, list[Any]] = {"id": ["a", "b"], "value": [Decimal(1), 2.5]}
    with pytest.raises(ModelFieldError, match=r"Material 'b' value: 2\.5 is a float"):
        from_columns(Material, columns, 2)
    columns = {"id": ["a", "b"], "value": [Decimal(1), Decimal("-0")]}
    with pytest.raises(ModelFieldError, match="Material 'b' value"):
        from_columns(Material, columns, 2)


def test_a_converted_value_is_converted() -> None:
    made = from_columns(Material, {"id": ["a"], "status": ["originating"], "value": ["3"]}, 1)
    assert made[0].status is OriginStatus.ORIGINATING
    assert made[0].value == Decimal(3)


def test_made_objects_still_check_on_evolve() -> None:
    made = from_columns(Material, {"id": ["a"], "value": [Decimal(1)]}, 1)[0]
    with pytest.raises(ModelFieldError, match="Material 'a' value"):
        attrs.evolve(made, value=1.5)  # type: ignore[arg-type]
    evolved = attrs.evolve(made, status="originating")  # type: ignore[arg-type]
    assert evolved.status is OriginStatus.ORIGINATING


def test_a_required_field_must_be_given_and_columns_must_be_as_long() -> None:
    with pytest.raises(TypeError, match="no values for id"):
        from_columns(Material, {"value": [Decimal(1)]}, 1)
    with pytest.raises(ValueError, match="1 values, not 2"):
        from_columns(Material, {"id": ["a"]}, 2)


def test_a_check_that_reads_another_field_is_made_by_the_constructor() -> None:
    # The good's tariff item must lie within its own code: checked for each good.
    columns: dict[str, list[Any]] = {
        "id": ["g1", "g2"],
        "hs": [HS, HSCode.parse("9403.30")],
        "tariff_item": ["8471.30.00", "8471.30.00"],
    }
    with pytest.raises(ModelFieldError, match="Good 'g2' tariff_item"):
        from_columns(Good, columns, 2)
    assert from_columns(Good, {**columns, "hs": [HS, HS]}, 2) == [
        Good("g1", HS, tariff_item="8471.30.00"),
        Good("g2", HS, tariff_item="8471.30.00"),
    ]


def test_other_classes() -> None:
    columns: dict[str, list[Any]] = {
        "id": ["c1", "c2"],
        "category": ["labour", "overhead"],
        "amount": [Decimal(5), "6"],
        "originating": [None, True],
    }
    assert from_columns(Cost, columns, 2) == one_by_one(Cost, columns, 2)


def test_the_builder_takes_the_readers_columns() -> None:
    columns: dict[str, list[Any]] = {
        "part": ["a", "b"],
        "description": ["bolt", None],
        "hs": [HS, None],
        "value": [Decimal("1.50"), None],
        "status": ["originating", None],
        "basis": [None, "fob"],
        "origin_country": ["CN", "AU"],
        "self_produced": [True, None],
        "attributes": [("steel",), None],
    }
    made = build.materials_by_column(columns, ["description", "hs", "value"], 2, "part")
    rows = [{k: v[i] for k, v in columns.items() if v[i] is not None} for i in range(2)]
    assert made == [build.material(r["part"], r, r.get("value")) for r in rows]


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(TypeError, match="Material has no field colour"):
        from_columns(Material, {"id": ["a"], "colour": ["red"]}, 1)


def test_a_nan_is_refused_whatever_the_decimal_context() -> None:
    from decimal import InvalidOperation, localcontext  # noqa: PLC0415

    columns: dict[str, list[Any]] = {
        "id": ["a", "b", "c"],
        "value": [Decimal(5), Decimal("NaN"), Decimal(6)],
    }
    with localcontext() as context:
        context.traps[InvalidOperation] = False
        with pytest.raises(ModelFieldError, match="Material 'b' value"):
            from_columns(Material, columns, 3)
