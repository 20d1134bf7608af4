"""The model checks its own fields by the readers' rules (issues 14 and 19): a Python caller
building or evolving a case gets, after the class, id and field, the message a JSON case
gives for the same value; strings become enums, lists tuples; a float amount is refused."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
from collections.abc import Callable
from decimal import Decimal
from importlib import resources
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from origin import fields, registry
from origin.caseio import CaseFormatError, case_from_json
from origin.hs import HSCode
from origin.model import (
    Accessory,
    AccessoryKind,
    Adjustment,
    Case,
    Consignment,
    Cost,
    Good,
    Material,
    ModelFieldError,
    OriginStatus,
    Packaging,
    TransitStop,
    ValueBasis,
)

GOOD = Good("P1", HSCode.parse("9403.30"), adjusted_value=Decimal(100))
MOTOR = Material("motor", value=Decimal(10))


def _refused(build: Callable[[], object]) -> ModelFieldError:
    with pytest.raises(ModelFieldError) as caught:
        build()
    return caught.value


# ----------------------------------------------------------------- the same words as JSON

_CASE: dict[str, Any] = {
    "schema": "origin-case/1",
    "currency": "NZD",
    "good": {"id": "P1", "hs": "9403.30", "adjusted_value": "100", "produced_in": ["AU"]},
    "materials": [
        {
            "id": "motor",
            "value": "10",
            "adjustments": [{"kind": "freight", "amount": "1"}],
            "accessory": {"kind": "tool"},
        }
    ],
    "costs": [{"id": "C1", "category": "labour", "amount": "5"}],
    "consignment": {"transit": [{"country": "SG"}]},
}

# field: (JSON path, the model built with the value, where the model's message puts it)
_FIELDS: dict[str, tuple[tuple[str | int, ...], Callable[[Any], object], str]] = {
    "value": (
        ("materials", 0, "value"),
        lambda v: Material("motor", value=v),
        "Material 'motor' value",
    ),
    "quantity": (
        ("materials", 0, "quantity"),
        lambda v: Material("motor", quantity=v),
        "Material 'motor' quantity",
    ),
    "weight": (
        ("materials", 0, "weight"),
        lambda v: attrs.evolve(MOTOR, weight=v),
        "Material 'motor' weight",
    ),
    "material_hs": (
        ("materials", 0, "hs"),
        lambda v: Material("motor", hs=v),
        "Material 'motor' hs",
    ),
    "origin_country": (
        ("materials", 0, "origin_country"),
        lambda v: attrs.evolve(MOTOR, origin_country=v),
        "Material 'motor' origin_country",
    ),
    "material_produced_in": (
        ("materials", 0, "produced_in"),
        lambda v: Material("motor", produced_in=v),
        "Material 'motor' produced_in",
    ),
    "status": (
        ("materials", 0, "status"),
        lambda v: attrs.evolve(MOTOR, status=v),
        "Material 'motor' status",
    ),
    "basis": (
        ("materials", 0, "basis"),
        lambda v: Material("motor", basis=v),
        "Material 'motor' basis",
    ),
    "packaging": (
        ("materials", 0, "packaging"),
        lambda v: Material("motor", packaging=v),
        "Material 'motor' packaging",
    ),
    "self_produced": (
        ("materials", 0, "self_produced"),
        lambda v: attrs.evolve(MOTOR, self_produced=v),
        "Material 'motor' self_produced",
    ),
    "indirect": (
        ("materials", 0, "indirect"),
        lambda v: Material("motor", indirect=v),
        "Material 'motor' indirect",
    ),
    "adjustment_amount": (
        ("materials", 0, "adjustments", 0, "amount"),
        lambda v: Adjustment("freight", v),
        "Adjustment amount",
    ),
    "accessory_kind": (
        ("materials", 0, "accessory", "kind"),
        Accessory,
        "Accessory kind",
    ),
    "customary": (
        ("materials", 0, "accessory", "customary"),
        lambda v: Accessory(AccessoryKind.TOOL, customary=v),
        "Accessory customary",
    ),
    "hs": (("good", "hs"), lambda v: Good("P1", v), "Good 'P1' hs"),
    "adjusted_value": (
        ("good", "adjusted_value"),
        lambda v: attrs.evolve(GOOD, adjusted_value=v),
        "Good 'P1' adjusted_value",
    ),
    "fob": (("good", "fob"), lambda v: attrs.evolve(GOOD, fob=v), "Good 'P1' fob"),
    "ex_works": (
        ("good", "ex_works"),
        lambda v: attrs.evolve(GOOD, ex_works=v),
        "Good 'P1' ex_works",
    ),
    "transaction_value": (
        ("good", "transaction_value"),
        lambda v: attrs.evolve(GOOD, transaction_value=v),
        "Good 'P1' transaction_value",
    ),
    "good_weight": (("good", "weight"), lambda v: attrs.evolve(GOOD, weight=v), "Good 'P1' weight"),
    "last_process_in": (
        ("good", "last_process_in"),
        lambda v: attrs.evolve(GOOD, last_process_in=v),
        "Good 'P1' last_process_in",
    ),
    "produced_in": (
        ("good", "produced_in", 0),
        lambda v: attrs.evolve(GOOD, produced_in=["AU", v]),
        "Good 'P1' produced_in",
    ),
    "tariff_item": (
        ("good", "tariff_item"),
        lambda v: attrs.evolve(GOOD, tariff_item=v),
        "Good 'P1' tariff_item",
    ),
    "cost_amount": (("costs", 0, "amount"), lambda v: Cost("C1", "labour", v), "Cost 'C1' amount"),
    "incurred_in": (
        ("costs", 0, "incurred_in"),
        lambda v: Cost("C1", "labour", Decimal(5), incurred_in=v),
        "Cost 'C1' incurred_in",
    ),
    "originating": (
        ("costs", 0, "originating"),
        lambda v: Cost("C1", "labour", Decimal(5), originating=v),
        "Cost 'C1' originating",
    ),
    "exported_from": (
        ("consignment", "exported_from"),
        lambda v: Consignment(exported_from=v),
        "Consignment exported_from",
    ),
    "imported_on": (
        ("consignment", "imported_on"),
        lambda v: Consignment(imported_on=v),
        "Consignment imported_on",
    ),
    "transit_country": (
        ("consignment", "transit", 0, "country"),
        TransitStop,
        "TransitStop country",
    ),
    "entered_commerce": (
        ("consignment", "transit", 0, "entered_commerce"),
        lambda v: TransitStop("SG", entered_commerce=v),
        "TransitStop entered_commerce",
    ),
    "currency": (("currency",), lambda v: Case(GOOD, v), "Case currency"),
}

_BAD = [
    # amounts, as text and as exact numbers
    ("value", "-5"),
    ("value", Decimal("-5")),
    ("value", "-0"),
    ("value", Decimal("-0")),
    ("value", "(5)"),
    ("value", "abc"),
    ("value", "1O0"),
    ("value", "12.5.1"),
    ("value", "1,000"),
    ("value", "1e20"),
    ("value", Decimal("1e20")),
    ("value", "1e-20"),
    ("value", Decimal("1e-20")),
    ("value", "12345678901234567890"),
    ("value", 10**20),
    ("value", -5),
    ("value", "NaN"),
    ("value", Decimal("NaN")),
    ("value", Decimal("sNaN")),
    ("value", "Infinity"),
    ("value", Decimal("Infinity")),
    ("value", "-Infinity"),
    ("value", True),
    ("value", " 5"),
    ("quantity", "-1"),
    ("weight", "abc"),
    ("adjusted_value", "-100.50"),
    ("adjusted_value", "100 NZD"),
    ("fob", Decimal("-0.01")),
    ("ex_works", "1e15"),
    ("transaction_value", "x"),
    ("good_weight", "-2"),
    ("adjustment_amount", "-1"),
    ("adjustment_amount", Decimal("-3.5")),
    ("cost_amount", "-5"),
    ("cost_amount", "five"),
    # country and currency codes
    ("origin_country", "nz"),
    ("origin_country", "NZL"),
    ("origin_country", "China"),
    ("origin_country", "N"),
    ("origin_country", ""),
    ("material_produced_in", "au"),
    ("last_process_in", "au"),
    ("produced_in", "Australia"),
    ("incurred_in", "cn"),
    ("exported_from", "A1"),
    ("transit_country", "sg"),
    ("currency", "nzd"),
    ("currency", "NZ"),
    # dates
    ("imported_on", "01/06/2025"),
    ("imported_on", "2025-6-1"),
    ("imported_on", "2025-02-30"),
    ("imported_on", "2025-06-01T10:00"),
    # enumeration words
    ("status", "yes"),
    ("status", "originated"),
    ("status", "ORIGINATING"),
    ("basis", "invoice"),
    ("packaging", "box"),
    ("accessory_kind", "gadget"),
    # flags
    ("self_produced", "yes"),
    ("self_produced", "true"),
    ("self_produced", 1),
    ("indirect", "no"),
    ("customary", "maybe"),
    ("originating", "yes"),
    ("entered_commerce", 0),
    # HS codes and tariff items
    ("hs", "9"),
    ("hs", "94AB"),
    ("hs", "9999"),
    ("hs", "8471.99"),
    ("material_hs", "77"),
    ("material_hs", "8471.30.00.00K"),
    ("tariff_item", "9403.30"),
    ("tariff_item", "9403.3000"),
    ("tariff_item", "8471.30.00"),
]


def _json_message(field: str, value: object) -> str:
    keys, _, _ = _FIELDS[field]
    case = copy.deepcopy(_CASE)
    target: Any = case
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    with pytest.raises(CaseFormatError) as caught:
        case_from_json(case)
    path = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys).lstrip(".")
    found = [p.message for p in caught.value.problems if p.path == path]
    assert len(found) == 1, caught.value.problems
    return found[0]


@pytest.mark.parametrize(("field", "value"), _BAD, ids=[f"{f}={v!r}" for f, v in _BAD])
def test_model_gives_the_json_readers_message(field: str, value: object) -> None:
    """The text after the model's class, id and field is the JSON reader's, word for word."""
    _, build, where = _FIELDS[field]
    json_message = _json_message(field, value)
    error = _refused(lambda: build(value))
    assert str(error) == f"{where}: {json_message}"
    assert (error.where, error.message) == (where, json_message)
    assert isinstance(error, fields.FieldError)
    assert isinstance(error, ValueError)


def test_the_example_of_the_issue() -> None:
    error = _refused(lambda: Material("motor", value="-5"))
    assert str(error) == "Material 'motor' value: '-5' is negative (amounts are zero or more)"
    # a material without an id yet is named by its class alone
    assert str(_refused(lambda: Material("", value="-5"))).startswith("Material value: ")


def test_the_error_survives_pickling() -> None:
    error = _refused(lambda: Material("motor", status="yes"))
    copied = pickle.loads(pickle.dumps(error))
    assert (str(copied), copied.where, copied.message) == (str(error), error.where, error.message)


# ----------------------------------------------------------------- amounts

_AMOUNTS: list[tuple[str, Callable[[Any], object]]] = [
    ("Material 'motor' value", lambda v: Material("motor", value=v)),
    ("Material 'motor' quantity", lambda v: Material("motor", quantity=v)),
    ("Material 'motor' weight", lambda v: Material("motor", weight=v)),
    ("Good 'P1' adjusted_value", lambda v: attrs.evolve(GOOD, adjusted_value=v)),
    ("Good 'P1' fob", lambda v: attrs.evolve(GOOD, fob=v)),
    ("Good 'P1' ex_works", lambda v: attrs.evolve(GOOD, ex_works=v)),
    ("Good 'P1' transaction_value", lambda v: attrs.evolve(GOOD, transaction_value=v)),
    ("Good 'P1' weight", lambda v: attrs.evolve(GOOD, weight=v)),
    ("Cost 'C1' amount", lambda v: Cost("C1", "labour", v)),
    ("Adjustment amount", lambda v: Adjustment("freight", v)),
]
_AMOUNT_IDS = [where for where, _ in _AMOUNTS]


@pytest.mark.parametrize(("where", "build"), _AMOUNTS, ids=_AMOUNT_IDS)
@pytest.mark.parametrize("value", [4.11, 0.1, 100.0, 0.0, float("nan"), float("inf"), -1.5])
def test_a_float_amount_is_refused_saying_why(
    where: str, build: Callable[[Any], object], value: float
) -> None:
    error = _refused(lambda: build(value))
    assert str(error) == (
        f"{where}: {fields.shown(value)} is a float (give a Decimal or text such as "
        "'1234.50'; a float cannot hold most cents exactly)"
    )


@pytest.mark.parametrize(("where", "build"), _AMOUNTS, ids=_AMOUNT_IDS)
def test_amounts_take_decimal_int_and_text(where: str, build: Callable[[Any], object]) -> None:
    name = where.rsplit(maxsplit=1)[-1]
    for given_, kept in [
        (Decimal("1234.50"), Decimal("1234.50")),
        ("1234.50", Decimal("1234.50")),
        ("1E+3", Decimal("1E+3")),
        (12, Decimal(12)),
        (0, Decimal(0)),
        ("0.000", Decimal("0.000")),
    ]:
        got = getattr(build(given_), name)
        assert type(got) is Decimal
        assert got == kept and str(got) == str(kept)


def test_required_amounts_refuse_none() -> None:
    assert str(_refused(lambda: Cost("C1", "labour", None))) == (
        "Cost 'C1' amount: None is not a number"
    )
    assert "Adjustment amount: " in str(_refused(lambda: Adjustment("freight", None)))


_DECIMALS = st.decimals(allow_nan=True, allow_infinity=True) | st.decimals(
    min_value=0, max_value=Decimal("1e15"), places=12
)


@given(_DECIMALS)
def test_a_decimal_is_taken_exactly_when_the_field_rule_takes_it(value: Decimal) -> None:
    """The model's quick test of a Decimal decides as fields.amount does, for any Decimal."""
    try:
        expected: Decimal | str = fields.amount(value)
    except fields.FieldError as error:
        expected = str(error)
    try:
        got: Decimal | str = Material("m", value=value).value  # type: ignore[assignment]
    except ModelFieldError as error:
        got = error.message
    if isinstance(expected, Decimal):
        assert got is value  # the same object, as it came
    else:
        assert got == expected


@given(st.decimals(min_value=0, max_value=Decimal("999999999999999"), places=4))
def test_any_decimal_amount_in_range_survives(value: Decimal) -> None:
    material = Material("m", value=value, quantity=value, weight=value)
    assert material.value is value
    assert attrs.evolve(material, status="originating").value is value
    assert Cost("c", "labour", value).amount is value
    assert Adjustment("freight", str(value)).amount == value


@given(st.floats())
def test_any_float_is_refused(value: float) -> None:
    error = _refused(lambda: Material("m", value=value))
    assert error.where == "Material 'm' value"
    assert "a float cannot hold most cents exactly" in error.message


@given(st.integers(min_value=0, max_value=10**15 - 1))
def test_any_int_amount_in_range_becomes_its_decimal(value: int) -> None:
    got = Good("g", "9403.30", fob=value).fob
    assert type(got) is Decimal and got == value


# ----------------------------------------------------------------- words become enumerations

_ENUMS: list[tuple[str, type[Any], Callable[[Any], object]]] = [
    ("status", OriginStatus, lambda v: attrs.evolve(MOTOR, status=v)),
    ("packaging", Packaging, lambda v: attrs.evolve(MOTOR, packaging=v)),
    ("basis", ValueBasis, lambda v: attrs.evolve(MOTOR, basis=v)),
    ("kind", AccessoryKind, Accessory),
]


@pytest.mark.parametrize(("name", "kind", "build"), _ENUMS, ids=[n for n, _, _ in _ENUMS])
def test_every_word_becomes_its_member(
    name: str, kind: type[Any], build: Callable[[Any], object]
) -> None:
    for member in kind:
        assert getattr(build(member.value), name) is member
        assert getattr(build(member), name) is member


@given(st.sampled_from(OriginStatus), st.sampled_from(Packaging))
def test_evolve_with_words_equals_evolve_with_members(
    status: OriginStatus, packaging: Packaging
) -> None:
    by_word = attrs.evolve(MOTOR, status=status.value, packaging=packaging.value)
    assert by_word == attrs.evolve(MOTOR, status=status, packaging=packaging)
    assert by_word.status is status


@given(st.text())
def test_a_word_outside_the_list_is_refused_listing_the_words(word: str) -> None:
    if word in {s.value for s in OriginStatus}:
        return
    error = _refused(lambda: attrs.evolve(MOTOR, status=word))
    assert error.message == (
        f"{fields.shown(word)} is not one of: originating, non-originating, undetermined"
    )


def test_a_status_given_as_a_word_changes_the_determination() -> None:
    """The notebook's way (attrs.evolve with a plain string) decides as the enum does; it
    was silently ignored before (issue 19)."""
    text = resources.files("origin").joinpath("data", "demo_case.json").read_text()
    case = case_from_json(json.loads(text, parse_float=Decimal))
    anzcerta = registry.get("anzcerta")
    at = next(i for i, m in enumerate(case.materials) if m.status is not OriginStatus.ORIGINATING)

    def decided(status: object) -> object:
        materials = list(case.materials)
        materials[at] = attrs.evolve(materials[at], status=status, origin_country="AU")
        d = anzcerta.determine(attrs.evolve(case, materials=materials), dt.date(2025, 6, 1))
        return d.verdict, [(r.method, r.value) for r in d.rvc]

    before = decided(case.materials[at].status)
    assert decided("originating") == decided(OriginStatus.ORIGINATING) != before


# ----------------------------------------------------------------- codes, flags, dates


def test_hs_codes_are_parsed() -> None:
    code = HSCode.parse("8471.30")
    assert Material("m", hs="847130").hs == code
    assert Material("m", hs=code).hs is code
    assert Good("g", "8471.30").hs == code
    assert str(_refused(lambda: Good("g", 847130))) == (
        "Good 'g' hs: HS code 847130 is not text (expected e.g. 8471.30)"
    )


@given(st.from_regex(r"[A-Z]{2}", fullmatch=True))
def test_any_two_capitals_are_a_country(code: str) -> None:
    assert Material("m", origin_country=code).origin_country == code
    assert TransitStop(code).country == code


@given(st.text().filter(lambda t: not (len(t) == 2 and t.isascii() and t.isupper())))
def test_anything_else_is_not_a_country(text: str) -> None:
    if len(text) == 2 and all("A" <= c <= "Z" for c in text):
        return
    error = _refused(lambda: Material("m", origin_country=text))
    with pytest.raises(fields.FieldError) as rule:
        fields.country(text)
    assert error.message == str(rule.value)


@pytest.mark.parametrize("value", ["yes", "true", "True", 1, 0, None])
def test_a_flag_is_true_or_false(value: object) -> None:
    error = _refused(lambda: Material("m", self_produced=value))
    assert error.where == "Material 'm' self_produced"
    assert "is not true or false" in error.message
    assert Material("m", self_produced=True).self_produced is True


def test_optional_flags_take_none() -> None:
    assert Cost("c", "labour", 1).originating is None
    assert TransitStop("SG", entered_commerce=False).entered_commerce is False
    assert Accessory("tool", invoiced_separately=True).invoiced_separately is True


def test_dates() -> None:
    day = dt.date(2025, 6, 1)
    assert Consignment(imported_on=day).imported_on is day
    assert Consignment(imported_on="2025-06-01").imported_on == day
    error = _refused(lambda: Consignment(imported_on=dt.datetime(2025, 6, 1, 10)))
    assert error.message == "2025-06-01 10:00:00 is a date and time (expected a date)"
    assert _refused(lambda: Consignment(imported_on=20250601)).message == (
        "int 20250601 is not a date (expected YYYY-MM-DD)"
    )


def test_tariff_item_lies_within_the_goods_code() -> None:
    assert Good("g", "9403.30", tariff_item="9403.30.90").tariff_item == "9403.30.90"
    assert _refused(lambda: Good("g", "9403.30", tariff_item="8471.30.00")).message == (
        "8471.30.00 is not within the good's code 9403.30"
    )
    assert _refused(lambda: Good("g", "9403.30", tariff_item=94033090)).message == (
        "94033090 is not an NZ tariff item (NNNN.NN.NN)"
    )


# ----------------------------------------------------------------- sequences and models


def test_lists_become_tuples_and_attributes_a_frozenset() -> None:
    stop = TransitStop("SG", operations=["unloading"])
    cost = Cost("c", "labour", 1)
    part = Material("m", components=[MOTOR], costs=[cost], adjustments=[Adjustment("f", 1)])
    part = attrs.evolve(part, attributes=["recycled", "recycled"], operations=["cutting"])
    good = Good("g", "9403.30", produced_in=["AU", "NZ"], operations=["assembly"])
    case = Case(good, "NZD", materials=[part], costs=[cost])
    consignment = Consignment(transit=[stop])
    assert case.materials == (part,) and case.costs == (cost,)
    assert part.components == (MOTOR,) and part.costs == (cost,)
    assert part.adjustments == (Adjustment("f", Decimal(1)),)
    assert part.attributes == frozenset({"recycled"}) and part.operations == ("cutting",)
    assert good.produced_in == ("AU", "NZ") and good.operations == ("assembly",)
    assert consignment.transit == (stop,) and stop.operations == ("unloading",)
    assert [type(x) for x in (case.materials, part.components, consignment.transit)] == [tuple] * 3
    # None still means "not stated", apart from () "none"
    assert Consignment(transit=None).transit is None and Consignment(transit=[]).transit == ()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Material("m", components=MOTOR), "expected a tuple or list, found Material"),
        (lambda: Material("m", components="abc"), "expected a tuple or list, found str 'abc'"),
        (lambda: Material("m", components=[MOTOR, "x"]), "item 1 is str 'x', not a Material"),
        (lambda: Material("m", costs=[MOTOR]), "item 0 is Material, not a Cost"),
        (lambda: Material("m", adjustments=[("f", 1)]), "item 0 is tuple, not an Adjustment"),
        (lambda: Material("m", operations="cutting"), "expected a tuple or list, found str"),
        (lambda: Material("m", operations=["a", 1]), "item 1 is int 1, not a word"),
        (lambda: Material("m", attributes="recycled"), "expected a set or list of words"),
        (lambda: Material("m", attributes=[1]), "int 1 is not a word"),
        (lambda: Material("m", accessory="tool"), "expected an Accessory, found str 'tool'"),
        (lambda: Case(GOOD, "NZD", materials={MOTOR}), "expected a tuple or list, found set"),
        (lambda: Case("P1", "NZD"), "expected a Good, found str 'P1'"),
        (lambda: Case(GOOD, "NZD", consignment={}), "expected a Consignment, found dict"),
        (lambda: Consignment(transit=["SG"]), "item 0 is str 'SG', not a TransitStop"),
        (lambda: Good("g", "9403.30", produced_in="AU"), "expected a tuple or list"),
    ],
)
def test_wrong_shapes_are_named(build: Callable[[], object], message: str) -> None:
    assert message in str(_refused(build))


def test_every_checked_field_names_itself() -> None:
    """Each converter is made for its field: a wrong value names that field, not another."""
    wrong = object()
    built: list[tuple[type[Any], dict[str, Any]]] = [
        (Accessory, {"kind": AccessoryKind.TOOL}),
        (Adjustment, {"kind": "freight", "amount": Decimal(1)}),
        (Cost, {"id": "c", "category": "labour", "amount": Decimal(1)}),
        (Material, {"id": "m"}),
        (Good, {"id": "g", "hs": HSCode.parse("9403.30")}),
        (TransitStop, {"country": "SG"}),
        (Consignment, {}),
        (Case, {"good": GOOD, "currency": "NZD"}),
    ]
    checked = 0
    for cls, given_ in built:
        instance = cls(**given_)
        for field in attrs.fields(cls):
            if field.converter is None:
                continue
            checked += 1
            with pytest.raises(ModelFieldError) as caught:
                attrs.evolve(instance, **{field.name: wrong})
            ident = getattr(instance, "id", "")
            assert caught.value.where == (
                f"{cls.__name__} {ident!r} {field.name}"
                if ident
                else f"{cls.__name__} {field.name}"
            )
    assert checked == 46  # Good.customs_value (issue 17) is the 46th


def test_values_of_the_right_type_are_kept_as_they_are() -> None:
    """The readers build 100,000-line BOMs: a value already right is the same object after."""
    code = HSCode.parse("8471.30")
    value = Decimal("12.34")
    components = (MOTOR,)
    attributes = frozenset({"recycled"})
    m = Material(
        "m",
        hs=code,
        value=value,
        status=OriginStatus.ORIGINATING,
        components=components,
        attributes=attributes,
    )
    assert m.hs is code and m.value is value and m.components is components
    assert m.attributes is attributes
    assert attrs.evolve(m).components is components
