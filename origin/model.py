"""The facts a determination is made from: the good, its bill of materials, costs, shipping.

Frozen attrs classes, money as :class:`~decimal.Decimal` in the case's one currency, no
logic in constructors. Each field converts and checks what it is given by the rules the case
readers use (:mod:`origin.fields`), on construction and on :func:`attrs.evolve`, so a Python
caller gets the message a JSON case or a workbook gives for the same value, after the class,
id and field (``Material 'motor' value: '-5' is negative (amounts are zero or more)``):

* enumerations take the member or its word (``status="originating"``);
* amounts take a :class:`~decimal.Decimal`, an ``int`` or text (``"1234.50"``), never a
  ``float`` (it cannot hold most cents exactly);
* HS codes take an :class:`~origin.hs.HSCode` or its text; countries, currencies and tariff
  items their codes; flags only ``True`` or ``False``; dates a :class:`datetime.date` or
  ``YYYY-MM-DD``;
* sequences take a tuple or a list (kept as a tuple), attributes a set, list or tuple of
  words (kept as a frozenset).

A value already of its field's type passes through a check or two (the readers build
100,000-line BOMs through these classes); :func:`from_columns` makes many objects from
values given column by column, checking each column once where its values need no
conversion (a workbook's BOM lines, converted by the reader's field rules already).

>>> Material("motor", value="12.50", status="originating").status
<OriginStatus.ORIGINATING: 'originating'>
>>> Material("motor", value=12.5)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
origin.model.ModelFieldError: Material 'motor' value: 12.5 is a float (give a Decimal or text ...

Agreement words (what counts as a minimal operation, which cost categories exist) are *keys*
here; their meaning and citation come from the agreement's law file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation, localcontext
from itertools import repeat
from typing import Any, TypeVar, cast

import attrs

from origin import fields
from origin.hs import HSCode
from origin.trees import preorder, rebuild

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")


class OriginStatus(enum.Enum):
    """What is known of a material's origin. Undetermined counts as non-originating."""

    ORIGINATING = "originating"
    NON_ORIGINATING = "non-originating"
    UNDETERMINED = "undetermined"


class Packaging(enum.Enum):
    """Whether a BOM line is packaging, and which kind (the agreements treat them apart)."""

    NONE = "none"
    RETAIL = "retail"  # classified with the goods, e.g. r 39B(1)-(2)
    SHIPMENT = "shipment"  # exclusively for transport, e.g. r 39B(3)


class ValueBasis(enum.Enum):
    """How a material's value was established; agreements accept different bases."""

    CUSTOMS_VALUE = "customs-value"  # value for duty where imported (r 38(1)(a))
    ACQUISITION_COST = "acquisition-cost"  # incl. transport to producer (r 38(1)(b))
    PRODUCTION_COST = (
        "production-cost"  # self-produced, incl. general expenses + profit (r 38(1)(c))
    )
    ACCOUNTING_COST = "accounting-cost"  # indirect materials (r 39C(1))
    CIF = "cif"
    FOB = "fob"
    EX_WORKS = "ex-works"
    EARLIEST_PRICE = "earliest-ascertained-price"


class AccessoryKind(enum.Enum):
    ACCESSORY = "accessory"
    SPARE_PART = "spare-part"
    TOOL = "tool"
    INSTRUCTIONS = "instructional-material"


# --------------------------------------------------------------------------- field checks
#
# Each checked field names a factory of its converter; _checked (the classes' field
# transformer) makes one per field, with the field's name in it, and attrs calls it with the
# instance being built, whose fields before it are already set (its id, for the message).
# The first test of each converter passes a value already of the field's type.

Check = Callable[[Any, Any], Any]  # (value, the instance being built) -> the field's value
Factory = Callable[[str, type], Check]  # (field name, its class) -> the field's Check


class ModelFieldError(fields.FieldError):
    """A model field given a value it does not take. The text is the class, its id where it
    has one, the field, then the field rule's own message (the words a JSON case or a
    workbook gives after its location); ``message`` is that rule's message alone."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message

    def __reduce__(self) -> tuple[type[ModelFieldError], tuple[str, str]]:
        return type(self), (self.where, self.message)


def _refused(owner: object, name: str, message: str) -> ModelFieldError:
    ident = getattr(owner, "id", None)  # set before the other fields, where the class has one
    where = type(owner).__name__
    if isinstance(ident, str) and ident:
        where = f"{where} {ident!r}"
    return ModelFieldError(f"{where} {name}", message)


def _by_rule(rule: Callable[[Any], Any], value: object, owner: object, name: str) -> Any:
    try:
        return rule(value)
    except fields.FieldError as error:
        raise _refused(owner, name, str(error)) from None


FLOAT_AMOUNT = (
    "is a float (give a Decimal or text such as '1234.50'; a float cannot hold most cents exactly)"
)


def _amount_rule(value: object, owner: object, name: str) -> Decimal:
    # fields.amount reads a float through its repr (a workbook cell's number); a Python
    # caller gives an exact amount.
    if isinstance(value, float):
        raise _refused(owner, name, f"{fields.shown(value)} {FLOAT_AMOUNT}")
    return _by_rule(fields.amount, value, owner, name)  # type: ignore[no-any-return]


def _amount(name: str, cls: type) -> Check:
    """An amount (fields.amount), never a float. The first test is fields.amount's own
    acceptance of a Decimal, made without a call into it."""

    def amount(value: Any, owner: Any) -> Decimal:
        if (
            type(value) is Decimal
            and value.is_finite()
            and not value.is_signed()
            and -12 <= value.adjusted() < 15
        ):
            return value
        return _amount_rule(value, owner, name)

    amount.keeps = _amounts_kept  # type: ignore[attr-defined]
    return amount


def _optional_amount(name: str, cls: type) -> Check:
    """An amount or None (not stated)."""

    def amount(value: Any, owner: Any) -> Decimal | None:
        if value is None or (
            type(value) is Decimal
            and value.is_finite()
            and not value.is_signed()
            and -12 <= value.adjusted() < 15
        ):
            return value
        return _amount_rule(value, owner, name)

    amount.keeps = _optional_amounts_kept  # type: ignore[attr-defined]
    return amount


_DECIMAL = frozenset((Decimal,))
_DECIMAL_OR_NONE = frozenset((Decimal, type(None)))
_SMALLEST, _BEYOND = Decimal("1E-12"), Decimal("1E+15")


def _amounts_kept(values: Sequence[Any], optional: bool = False) -> bool:
    """The amount check's first test over a column (see _keeps): Decimals from 10^-12 up to
    below 10^15 (so finite, positive and unsigned; a zero goes to the test of each distinct
    value, as does anything else). Two comparisons in C per value, not a call."""
    kinds = set(map(type, values))
    if kinds <= _DECIMAL:
        present = values
    elif optional and kinds <= _DECIMAL_OR_NONE:
        present = [v for v in values if v is not None]
    else:
        return False
    try:
        with localcontext() as context:  # a NaN refuses to be ordered, whatever the caller's
            context.traps[InvalidOperation] = True
            return bool(present) and min(present) >= _SMALLEST and max(present) < _BEYOND
    except ArithmeticError:
        return False


def _optional_amounts_kept(values: Sequence[Any]) -> bool:
    return _amounts_kept(values, optional=True)


def _choice(kind: type[E], optional: bool = False) -> Factory:
    """An enumeration's member, or its word (fields.choice)."""
    words = tuple(str(m.value) for m in kind)

    def factory(name: str, cls: type) -> Check:
        def choice(value: Any, owner: Any) -> E | None:
            if type(value) is kind:
                return value
            return by_word(value, owner)

        def optional_choice(value: Any, owner: Any) -> E | None:
            if value is None or type(value) is kind:
                return value
            return by_word(value, owner)

        def by_word(value: Any, owner: Any) -> E:
            try:
                return fields.choice(value, kind)
            except fields.FieldError as error:
                raise _refused(owner, name, str(error)) from None
            except TypeError:  # unhashable
                raise _refused(owner, name, str(fields.not_one_of(value, words))) from None

        choice.keeps = _of_types(kind)  # type: ignore[attr-defined]
        optional_choice.keeps = _of_types(kind, None)  # type: ignore[attr-defined]
        return optional_choice if optional else choice

    return factory


def _of_types(*kinds: type | None) -> Callable[[Sequence[Any]], bool]:
    """The column test of a check whose first test passes any value of these exact types
    (None for ``type(None)``): a set of the values' types (see _keeps)."""
    exact = frozenset(type(None) if kind is None else kind for kind in kinds)

    def keeps(values: Sequence[Any]) -> bool:
        return set(map(type, values)) <= exact

    return keeps


def _hs(name: str, cls: type) -> Check:
    """An HSCode, or its text (fields.hs)."""

    def hs(value: Any, owner: Any) -> HSCode | None:
        if value is None or type(value) is HSCode or isinstance(value, HSCode):
            return value
        return _by_rule(fields.hs, value, owner, name)  # type: ignore[no-any-return]

    hs.keeps = _of_types(HSCode, None)  # type: ignore[attr-defined]
    return hs


# What fields.country takes, so that a known code costs one look-up.
_LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
_COUNTRY_CODES = frozenset(a + b for a in _LETTERS for b in _LETTERS)
_CODES_OR_NONE = _COUNTRY_CODES | {None}
_STR_OR_NONE = frozenset((str, type(None)))


def _codes_or_none(values: Sequence[Any]) -> bool:
    """Whether the country check keeps every one of ``values`` as it is (see _keeps)."""
    return set(map(type, values)) <= _STR_OR_NONE and set(values) <= _CODES_OR_NONE


def _country(name: str, cls: type) -> Check:
    """A country code (fields.country) or None (not stated)."""

    def country(value: Any, owner: Any) -> str | None:
        if value is None or (type(value) is str and value in _COUNTRY_CODES):
            return value
        return _by_rule(fields.country, value, owner, name)  # type: ignore[no-any-return]

    country.keeps = _codes_or_none  # type: ignore[attr-defined]
    return country


def _required_country(name: str, cls: type) -> Check:
    def country(value: Any, owner: Any) -> str:
        if type(value) is str and value in _COUNTRY_CODES:
            return value
        return _by_rule(fields.country, value, owner, name)  # type: ignore[no-any-return]

    return country


def _countries(name: str, cls: type) -> Check:
    """Country codes, in a tuple or list."""

    def countries(value: Any, owner: Any) -> tuple[str, ...]:
        value = _sequence(value, owner, name)
        for item in value:
            if not (type(item) is str and item in _COUNTRY_CODES):
                _by_rule(fields.country, item, owner, name)
        return value  # type: ignore[no-any-return]

    return countries


def _currency(name: str, cls: type) -> Check:
    def currency(value: Any, owner: Any) -> str:
        return _by_rule(fields.currency, value, owner, name)  # type: ignore[no-any-return]

    return currency


def _flag(name: str, cls: type) -> Check:
    """True or False (fields.flag): not "yes", not 1."""

    def flag(value: Any, owner: Any) -> bool:
        if value is False or value is True:
            return value
        return _by_rule(fields.flag, value, owner, name)  # type: ignore[no-any-return]

    flag.keeps = _of_types(bool)  # type: ignore[attr-defined]
    return flag


def _optional_flag(name: str, cls: type) -> Check:
    """True, False or None (not stated)."""

    def flag(value: Any, owner: Any) -> bool | None:
        if value is None or value is False or value is True:
            return value
        return _by_rule(fields.flag, value, owner, name)  # type: ignore[no-any-return]

    flag.keeps = _of_types(bool, None)  # type: ignore[attr-defined]
    return flag


def _date(name: str, cls: type) -> Check:
    """A date, or its text (fields.date); not a datetime (a time of day is not a day)."""

    def date(value: Any, owner: Any) -> dt.date | None:
        if type(value) is dt.date or value is None:
            return value
        if isinstance(value, dt.datetime):
            raise _refused(owner, name, f"{value!s} is a date and time (expected a date)")
        if isinstance(value, dt.date):
            return value
        if not isinstance(value, str):
            raise _refused(owner, name, f"{_found(value)} is not a date (expected YYYY-MM-DD)")
        return _by_rule(fields.date, value, owner, name)  # type: ignore[no-any-return]

    return date


def _tariff_item(name: str, cls: type) -> Check:
    """An NZ tariff item within the good's HS code (fields.tariff_item); ``hs`` is set first."""

    def tariff_item(value: Any, owner: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            message = f"{fields.shown(value)} is not an NZ tariff item (NNNN.NN.NN)"
            raise _refused(owner, name, message)
        hs = getattr(owner, "hs", None)
        return _by_rule(  # type: ignore[no-any-return]
            lambda v: fields.tariff_item(v, hs), value, owner, name
        )

    tariff_item.alone = False  # type: ignore[attr-defined]  # it reads the good's hs too
    return tariff_item


_NONE = ()  # the empty tuple (one object in CPython: the first test of a sequence's check)


def _found(value: object) -> str:
    """What was found: its type, and the value itself where it is short."""
    if value is None or isinstance(value, str | int | float | Decimal):
        return f"{type(value).__name__} {fields.shown(value)}"
    return type(value).__name__


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "AEIOU" else f"a {noun}"


def _sequence(value: Any, owner: Any, name: str) -> tuple[Any, ...]:
    """A tuple, or a list kept as one (not text, a set or a mapping: no order, or no items)."""
    if type(value) is tuple:
        return value
    if isinstance(value, tuple | list):
        return tuple(value)
    raise _refused(owner, name, f"expected a tuple or list, found {_found(value)}")


def _items(kind: type | None, optional: bool = False) -> Factory:
    """A tuple (or list) of ``kind``: a model class, str for words, or None for the class
    being built (a material's components). A tuple's items are checked in one pass in C
    (the set of their types). ``None`` is "not stated" where ``optional``."""

    def factory(name: str, cls: type) -> Check:
        exact = frozenset((kind,)) if kind is not None else None

        def items(value: Any, owner: Any) -> tuple[Any, ...] | None:
            if value is _NONE or (value is None and optional):
                return value
            if type(value) is tuple and set(map(type, value)) <= (exact or {type(owner)}):
                return value
            of = kind or type(owner)
            value = _sequence(value, owner, name)
            for at, item in enumerate(value):
                if not isinstance(item, of):
                    noun = "word" if of is str else of.__name__
                    message = f"item {at} is {_found(item)}, not {_a(noun)}"
                    raise _refused(owner, name, message)
            return value  # type: ignore[no-any-return]

        return items

    return factory


_WORDS = frozenset((str,))
_NO_WORDS: frozenset[str] = frozenset()


def _attributes(name: str, cls: type) -> Check:
    """Words in no order: a frozenset, or a set, list or tuple of words (kept as a frozenset)."""

    def attributes(value: Any, owner: Any) -> frozenset[str]:
        if value is _NO_WORDS or (
            type(value) is frozenset and (not value or set(map(type, value)) <= _WORDS)
        ):
            return value
        if not isinstance(value, frozenset | set | tuple | list):
            message = f"expected a set or list of words, found {_found(value)}"
            raise _refused(owner, name, message)
        for item in value:
            if not isinstance(item, str):
                raise _refused(owner, name, f"{_found(item)} is not a word")
        return frozenset(value)

    return attributes


def _instance(kind: type, optional: bool = False) -> Factory:
    """An instance of a model class (no conversion)."""

    def factory(name: str, cls: type) -> Check:
        def instance(value: Any, owner: Any) -> Any:
            if (value is None and optional) or type(value) is kind or isinstance(value, kind):
                return value
            message = f"expected {_a(kind.__name__)}, found {_found(value)}"
            raise _refused(owner, name, message)

        instance.keeps = _of_types(kind, None) if optional else _of_types(kind)  # type: ignore[attr-defined]
        return instance

    return factory


_CHECK = "origin.model.check"


def _checks(check: Factory) -> dict[str, Factory]:
    """The metadata of a field whose values ``check(name, cls)`` converts and checks."""
    return {_CHECK: check}


def _checked(cls: type, found: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """The classes' field transformer: each checked field's converter, made for its name."""
    return [
        f.evolve(converter=attrs.Converter(f.metadata[_CHECK](f.name, cls), takes_self=True))
        if _CHECK in f.metadata
        else f
        for f in found
    ]


# --------------------------------------------------------------------------- many at once
#
# A reader that has converted a block of lines by the field rules (a workbook's BOM, column
# by column) makes its objects through from_columns: each checked field's column is checked
# once as a whole, and when the checks would keep every value as it is, the objects are made
# without a check per value (a Material's checks cost about 1 µs; the column tests a few
# ms per 100,000 lines). Anything else goes through the class's own constructor, which
# converts or refuses as it always does: the objects made are the same either way.


def _keeps(check: Check, probe: object, values: Sequence[Any]) -> bool:
    """Whether ``check`` keeps every one of ``values`` as it is: its column test where it
    has one (the test it makes of each value first, over the column), else the check of
    each distinct object (distinct by identity, not equality: Decimal('-0') equals 0 and
    Decimal('1.0') equals 1, yet the check refuses the one and keeps the other's digits)."""
    if getattr(check, "alone", True) is False:  # the check reads other fields too
        return False
    column_test = getattr(check, "keeps", None)
    if column_test is not None and column_test(values):
        return True
    try:
        distinct = dict(zip(map(id, values), values, strict=True)).values()
        return all(check(v, probe) is v for v in distinct)
    except Exception:  # refused: the constructor says why, with the object's id
        return False


def _unchecked(cls: type[T]) -> Callable[..., T]:
    """A constructor of ``cls`` setting its fields as given (positionally, all of them),
    through the slots themselves: only for values its checks keep as they are."""
    names = [f.name for f in attrs.fields(cast(Any, cls))]
    setters = {f"_set_{name}": cls.__dict__[name].__set__ for name in names}
    lines = [f"def unchecked({', '.join(names)}):", "    self = _new(cls)"]
    lines += [f"    _set_{name}(self, {name})" for name in names]
    lines.append("    return self")
    scope: dict[str, Any] = {"_new": object.__new__, "cls": cls, **setters}
    exec("\n".join(lines), scope)  # generated from the class's own field names
    return scope["unchecked"]  # type: ignore[no-any-return]


_UNCHECKED: dict[type, Callable[..., Any]] = {}


def from_columns(cls: type[T], columns: Mapping[str, Sequence[Any]], count: int) -> list[T]:
    """``count`` objects of ``cls`` from their fields' values given column by column
    (``columns[name][i]`` the field ``name`` of object ``i``; a field not given takes its
    default). Equal to ``[cls(**{name: column[i] ...}) for i in range(count)]``: when every
    checked field's values are kept by its check as they are, the objects are made without
    calling the checks again; otherwise by ``cls`` itself (which refuses the first value
    its check refuses, naming the object)."""
    found = attrs.fields(cast(Any, cls))
    unknown = sorted(columns.keys() - {field.name for field in found})
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {unknown[0]}")
    if not all(field.init for field in found):
        raise TypeError(f"{cls.__name__}: a field outside the constructor")
    args: list[Iterable[Any]] = []
    # Only the checks are left out: a class with validators or a post-init is made by itself.
    kept = not hasattr(cls, "__attrs_post_init__") and not any(f.validator for f in found)
    probe = object.__new__(cls)  # the object a check is told it builds (no field set)
    for field in found:
        given = columns.get(field.name)
        if given is None:
            default = field.default
            if default is attrs.NOTHING:
                raise TypeError(f"{cls.__name__}: no values for {field.name}")
            if hasattr(default, "factory"):  # attrs.Factory: a value of its own for each object
                if default.takes_self:
                    raise TypeError(f"{cls.__name__}.{field.name}: a default made from the object")
                given = [default.factory() for _ in range(count)]
                args.append(given)
            else:
                args.append(repeat(default, count))
                given = (default,)
        else:
            if len(given) != count:
                raise ValueError(f"{cls.__name__}.{field.name}: {len(given)} values, not {count}")
            args.append(given)
        converter = field.converter
        if kept and converter is not None:
            check = getattr(converter, "converter", None)  # the field's Check (see _checked)
            kept = check is not None and _keeps(check, probe, given)
    if not kept:
        return list(map(cls, *args))
    make = _UNCHECKED.get(cls)
    if make is None:
        make = _UNCHECKED[cls] = _unchecked(cls)
    return list(map(make, *args))


# --------------------------------------------------------------------------- the model


@attrs.frozen(field_transformer=_checked)
class Accessory:
    """A standard accessory, spare part or tool delivered with the goods (e.g. r 39)."""

    kind: AccessoryKind = attrs.field(metadata=_checks(_choice(AccessoryKind)))
    invoiced_separately: bool | None = attrs.field(default=None, metadata=_checks(_optional_flag))
    customary: bool | None = attrs.field(default=None, metadata=_checks(_optional_flag))


@attrs.frozen(field_transformer=_checked)
class Adjustment:
    """An optional adjustment to a material's value (e.g. r 38(2)-(3)); ``kind`` is a key."""

    kind: str
    amount: Decimal = attrs.field(metadata=_checks(_amount))


@attrs.frozen(field_transformer=_checked)
class Cost:
    """A line of the producer's cost sheet; ``category`` is a key of the agreement's table."""

    id: str
    category: str
    amount: Decimal = attrs.field(metadata=_checks(_amount))
    description: str = ""
    incurred_in: str | None = attrs.field(default=None, metadata=_checks(_country))
    originating: bool | None = attrs.field(default=None, metadata=_checks(_optional_flag))


@attrs.frozen(field_transformer=_checked)
class Material:
    """A BOM line. ``components`` makes it an intermediate material, decided bottom-up."""

    id: str
    description: str = ""
    hs: HSCode | None = attrs.field(default=None, metadata=_checks(_hs))
    quantity: Decimal | None = attrs.field(default=None, metadata=_checks(_optional_amount))
    unit: str | None = None
    value: Decimal | None = attrs.field(default=None, metadata=_checks(_optional_amount))
    basis: ValueBasis | None = attrs.field(
        default=None, metadata=_checks(_choice(ValueBasis, optional=True))
    )
    origin_country: str | None = attrs.field(default=None, metadata=_checks(_country))
    status: OriginStatus = attrs.field(
        default=OriginStatus.UNDETERMINED, metadata=_checks(_choice(OriginStatus))
    )
    self_produced: bool = attrs.field(default=False, metadata=_checks(_flag))
    indirect: bool = attrs.field(default=False, metadata=_checks(_flag))
    packaging: Packaging = attrs.field(default=Packaging.NONE, metadata=_checks(_choice(Packaging)))
    accessory: Accessory | None = attrs.field(
        default=None, metadata=_checks(_instance(Accessory, optional=True))
    )
    weight: Decimal | None = attrs.field(default=None, metadata=_checks(_optional_amount))
    adjustments: tuple[Adjustment, ...] = attrs.field(
        default=(), metadata=_checks(_items(Adjustment))
    )
    attributes: frozenset[str] = attrs.field(default=_NO_WORDS, metadata=_checks(_attributes))
    components: tuple[Material, ...] = attrs.field(default=(), metadata=_checks(_items(None)))
    # The material's own cost lines, with ``components``: its own factory or works cost,
    # for tests that look into a material made by someone else (e.g. r 47(d)(ii)).
    costs: tuple[Cost, ...] = attrs.field(default=(), metadata=_checks(_items(Cost)))
    psr: str | None = None
    produced_in: str | None = attrs.field(default=None, metadata=_checks(_country))
    operations: tuple[str, ...] | None = attrs.field(
        default=None, metadata=_checks(_items(str, optional=True))
    )
    # Who supplies it, their part number, and the supplier's declaration it relies on
    # (origin.declarations: with a register, an originating status needs a declaration).
    supplier: str | None = None
    supplier_part: str | None = None
    declaration: str | None = None


@attrs.frozen(field_transformer=_checked)
class Good:
    """The product whose origin is decided, with the values the agreements measure it by."""

    id: str
    hs: HSCode = attrs.field(metadata=_checks(_hs))
    description: str = ""
    adjusted_value: Decimal | None = attrs.field(default=None, metadata=_checks(_optional_amount))
    fob: Decimal | None = attrs.field(default=None, metadata=_checks(_optional_amount))
    ex_works: Decimal | None = attrs.field(default=None, metadata=_checks(_optional_amount))
    transaction_value: Decimal | None = attrs.field(
        default=None, metadata=_checks(_optional_amount)
    )
    produced_in: tuple[str, ...] = attrs.field(default=(), metadata=_checks(_countries))
    last_process_in: str | None = attrs.field(default=None, metadata=_checks(_country))
    operations: tuple[str, ...] | None = attrs.field(
        default=None, metadata=_checks(_items(str, optional=True))
    )
    wholly_obtained: str | None = None
    weight: Decimal | None = attrs.field(default=None, metadata=_checks(_optional_amount))
    # The NZ 8-digit tariff item (e.g. "3926.20.22"), where a provision names tariff items
    # rather than HS subheadings (r 45(2)(b)); its first six digits are ``hs``.
    tariff_item: str | None = attrs.field(default=None, metadata=_checks(_tariff_item))
    # The value duty is charged on at entry (in the case's currency): with a tariff rate
    # table, what a preference saves (origin.qualify). Not used by any origin test.
    customs_value: Decimal | None = attrs.field(default=None, metadata=_checks(_optional_amount))


@attrs.frozen(field_transformer=_checked)
class TransitStop:
    """A place outside the parties that the goods passed through on the way to New Zealand."""

    country: str = attrs.field(metadata=_checks(_required_country))
    operations: tuple[str, ...] | None = attrs.field(
        default=None, metadata=_checks(_items(str, optional=True))
    )
    entered_commerce: bool | None = attrs.field(default=None, metadata=_checks(_optional_flag))


@attrs.frozen(field_transformer=_checked)
class Consignment:
    """How the goods travelled. ``transit is None`` means the route was not stated."""

    exported_from: str | None = attrs.field(default=None, metadata=_checks(_country))
    imported_on: dt.date | None = attrs.field(default=None, metadata=_checks(_date))
    transit: tuple[TransitStop, ...] | None = attrs.field(
        default=None, metadata=_checks(_items(TransitStop, optional=True))
    )


@attrs.frozen(field_transformer=_checked)
class Case:
    """Everything a person supplies for one determination."""

    good: Good = attrs.field(metadata=_checks(_instance(Good)))
    currency: str = attrs.field(metadata=_checks(_currency))
    materials: tuple[Material, ...] = attrs.field(default=(), metadata=_checks(_items(Material)))
    costs: tuple[Cost, ...] = attrs.field(default=(), metadata=_checks(_items(Cost)))
    consignment: Consignment | None = attrs.field(
        default=None, metadata=_checks(_instance(Consignment, optional=True))
    )
    facts: Mapping[str, object] = attrs.field(factory=dict)
    psr: str | None = None
    reference: str = ""
    # The product-specific rule of each agreement (agreement name → rule text), where the
    # case gives one per agreement: it takes the place of ``psr`` for that agreement.
    psr_by_agreement: Mapping[str, str] = attrs.field(factory=dict)

    def with_rule_of(self, agreement: str) -> Case:
        """This case as decided under ``agreement``: with that agreement's own rule when
        the case gives one, else as it is (its one ``psr``, or none)."""
        rule = self.psr_by_agreement.get(agreement)
        return self if rule is None else attrs.evolve(self, psr=rule)

    def walk(self) -> Iterator[tuple[int, Material]]:
        """Every material with its BOM depth (0 = direct input), parents first."""
        return preorder(self.materials, lambda material: material.components)

    # ----- what-if: each returns a new case; the fields are checked as on construction

    def material(self, ident: str) -> Material:
        """The material with id ``ident``, at any depth of the BOM."""
        for _, material in self.walk():
            if material.id == ident:
                return material
        raise _no_material(self, ident)

    def with_material(self, ident: str, **changes: Any) -> Case:
        """This case with the material ``ident`` (at any depth) changed, e.g.
        ``case.with_material("THERMO", origin_country="TH", status="originating")``."""
        self.material(ident)  # a missing id is an error, not a case left as it was
        return self._rebuilt(
            lambda m, kids: (
                attrs.evolve(m, components=tuple(kids), **changes)
                if m.id == ident
                else _with_components(m, kids)
            )
        )

    def with_good(self, **changes: Any) -> Case:
        """This case with the good changed, e.g. ``case.with_good(fob="1200.00")``."""
        return attrs.evolve(self, good=attrs.evolve(self.good, **changes))

    def adding(self, material: Material, parent: str | None = None) -> Case:
        """This case with ``material`` added: a direct material, or a component of ``parent``."""
        if any(m.id == material.id for _, m in self.walk()):
            raise ModelFieldError(
                f"Case {self.good.id!r} materials", f"a material {material.id!r} is already there"
            )
        if parent is None:
            return attrs.evolve(self, materials=(*self.materials, material))
        self.material(parent)
        return self._rebuilt(
            lambda m, kids: (
                attrs.evolve(m, components=(*kids, material))
                if m.id == parent
                else _with_components(m, kids)
            )
        )

    def without(self, ident: str) -> Case:
        """This case without the material ``ident`` (and its components), at any depth."""
        self.material(ident)
        kept = tuple(m for m in self.materials if m.id != ident)
        return attrs.evolve(self, materials=kept)._rebuilt(
            lambda m, kids: _with_components(m, [k for k in kids if k.id != ident])
        )

    def with_route(self, **changes: Any) -> Case:
        """This case with the consignment changed (``exported_from``, ``transit``,
        ``imported_on``): ``transit=()`` is "shipped direct", ``transit=None`` "route not
        stated"."""
        current = self.consignment or Consignment()
        return attrs.evolve(self, consignment=attrs.evolve(current, **changes))

    def _rebuilt(self, build: Callable[[Material, list[Material]], Material]) -> Case:
        materials = rebuild(self.materials, lambda m: m.components, build)
        return attrs.evolve(self, materials=tuple(materials))


def _with_components(material: Material, kids: Sequence[Material]) -> Material:
    """The material with its (possibly rebuilt) components; itself when they are the same."""
    if len(kids) == len(material.components) and all(
        a is b for a, b in zip(kids, material.components, strict=True)
    ):
        return material
    return attrs.evolve(material, components=tuple(kids))


def _no_material(case: Case, ident: str) -> ModelFieldError:
    known = [m.id for _, m in case.walk()]
    close = difflib.get_close_matches(ident, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return ModelFieldError(f"Case {case.good.id!r}", f"no material {ident!r} in the BOM{hint}")
