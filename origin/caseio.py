"""Case files (JSON, schema ``origin-case/1``) in and determinations out.

Reading is strict and complete: every problem in a file is collected with the path of the
field (``materials[3].value``) and what was expected, and reported together; nothing is
decided from a half-read case. Amounts are exact: JSON numbers are read as Decimal from
their text, and strings like ``"1234.50"`` are accepted; floats never appear.

>>> case = case_from_json({"schema": "origin-case/1", "currency": "NZD",
...                        "good": {"id": "g", "hs": "8471.30", "adjusted_value": 100}})
>>> case.good.adjusted_value, str(case.good.hs)
(Decimal('100'), '8471.30')
>>> case_from_json({"schema": "origin-case/1", "currency": "NZD",
...                 "good": {"id": "g", "hs": "8471.30", "adjusted_value": "1O0"}})
Traceback (most recent call last):
...
origin.caseio.CaseFormatError: case: 1 problem
  good.adjusted_value: '1O0' is not a number (expected a decimal amount such as 1234.50)
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

import attrs

from origin import build, fields, strict_json
from origin.citation import Citation
from origin.determination import (
    CostRow,
    Determination,
    MaterialRow,
    Obligation,
    RVCResult,
    Step,
)
from origin.hs import HSCode
from origin.model import (
    AccessoryKind,
    Case,
    Consignment,
    Cost,
    Good,
    Material,
    OriginStatus,
    Packaging,
    TransitStop,
    ValueBasis,
)
from origin.trees import rebuild

SCHEMA = "origin-case/1"
DETERMINATION_SCHEMA = "origin-determination/1"
E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")


@attrs.frozen
class Problem:
    """One thing wrong with an input, located by its field path."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class CaseFormatError(ValueError):
    """A case file that cannot be read; carries every problem found, not just the first."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {p}" for p in self.problems[:50])
        more = f"\n  … and {count - 50} more" if count > 50 else ""
        super().__init__(f"{source}: {count} problem{'s' if count != 1 else ''}\n{lines}{more}")


class _Reader(build.Build):
    """Reads typed fields off JSON objects (JSON's own types checked here, values by the
    rules of :mod:`origin.fields`), recording located problems instead of raising."""

    def obj(self, value: object, path: str, allowed: Sequence[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, found {_kind(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.fail(
                    f"{path}.{key}" if path else key,
                    f"unknown field (expected one of: {', '.join(allowed)})",
                )
        return value

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = False,
        default: str | None = None,
    ) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(_at(path, key), "is required")
            return default
        if not isinstance(value, str):
            self.fail(_at(path, key), f"expected text, found {_kind(value)}")
            return default
        if required and not value.strip():
            self.fail(_at(path, key), "is empty")
            return default
        return value

    def amount(
        self, data: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> Decimal | None:
        value = data.get(key)
        where = _at(path, key)
        if value is None:
            if required:
                self.fail(where, "is required")
            return None
        if not isinstance(value, Decimal | int | str):  # a bool is an int: the rule refuses it
            self.fail(where, f"expected a decimal amount, found {_kind(value)}")
            return None
        return self.rule(fields.amount, value, where)

    def flag(
        self, data: Mapping[str, Any], key: str, path: str, default: bool | None = False
    ) -> bool | None:
        value = data.get(key)
        if value is None:
            return default
        found = self.rule(fields.flag, value, _at(path, key))
        return default if found is None else found

    def choice(
        self, data: Mapping[str, Any], key: str, path: str, kind: type[E], default: E | None
    ) -> E | None:
        value = data.get(key)
        if value is None:
            return default
        found = self.rule(fields.choice, value, _at(path, key), kind)
        return default if found is None else found

    def country(self, value: object, where: str) -> str | None:
        if value is None:
            return None
        return self.rule(fields.country, value, where)

    def countries(self, data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
        return self.items(data, key, path, self.country)

    def words(self, data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...] | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(_at(path, key), f"expected a list of words, found {_kind(value)}")
            return None
        return tuple(value)

    def hs(
        self, data: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> HSCode | None:
        value = self.text(data, key, path, required=required)
        if value is None:
            return None
        return self.rule(fields.hs, value, _at(path, key))

    def date(self, data: Mapping[str, Any], key: str, path: str) -> dt.date | None:
        value = self.text(data, key, path)
        if value is None:
            return None
        return self.rule(fields.date, value, _at(path, key))

    def items(
        self, data: Mapping[str, Any], key: str, path: str, read: Callable[[object, str], T | None]
    ) -> tuple[T, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(_at(path, key), f"expected a list, found {_kind(value)}")
            return ()
        found = (read(item, f"{_at(path, key)}[{i}]") for i, item in enumerate(value))
        return tuple(item for item in found if item is not None)


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"{type(value).__name__} {value!r}"


_GOOD = (
    "id",
    "description",
    "hs",
    "adjusted_value",
    "fob",
    "ex_works",
    "transaction_value",
    "produced_in",
    "last_process_in",
    "operations",
    "wholly_obtained",
    "weight",
    "tariff_item",
    "customs_value",
)
_SUPPLIED = ("supplier", "supplier_part", "declaration")  # origin.declarations
_MATERIAL = (
    "id",
    "description",
    "hs",
    "quantity",
    "unit",
    "value",
    "basis",
    "origin_country",
    "status",
    "self_produced",
    "indirect",
    "packaging",
    "accessory",
    "weight",
    "adjustments",
    "attributes",
    "components",
    "costs",
    "psr",
    "produced_in",
    "operations",
    *_SUPPLIED,
)
_COST = ("id", "category", "amount", "description", "incurred_in", "originating")
_TOP = (
    "schema",
    "reference",
    "currency",
    "psr",
    "good",
    "materials",
    "costs",
    "consignment",
    "facts",
)


def _good(r: _Reader, value: object, path: str) -> Good | None:
    """The good's record: its fields read (JSON types, then the field rules), built by
    :func:`origin.build.good`."""
    data = r.obj(value, path, _GOOD)
    if data is None:
        return None
    ident = r.text(data, "id", path, required=True)
    hs = r.hs(data, "hs", path, required=True)
    values = {
        "description": r.text(data, "description", path, default="") or "",
        "adjusted_value": r.amount(data, "adjusted_value", path),
        "fob": r.amount(data, "fob", path),
        "ex_works": r.amount(data, "ex_works", path),
        "transaction_value": r.amount(data, "transaction_value", path),
        "produced_in": r.countries(data, "produced_in", path),
        "last_process_in": r.country(data.get("last_process_in"), _at(path, "last_process_in")),
        "operations": r.words(data, "operations", path),
        "wholly_obtained": r.text(data, "wholly_obtained", path),
        "weight": r.amount(data, "weight", path),
        "customs_value": r.amount(data, "customs_value", path),
    }
    text = r.text(data, "tariff_item", path)
    tariff = build.tariff_item(
        r, None if text is None else text.strip(), hs, _at(path, "tariff_item")
    )
    if not ident or hs is None:
        return None
    return build.good(ident, hs, values, tariff)


def _material(r: _Reader, value: object, path: str) -> Material | None:
    """A BOM line with its components, to any depth (:meth:`origin.build.Build.nested`:
    an explicit stack, not recursion). Each line's own problems come before its
    components' problems, in BOM order."""

    def components(node: tuple[object, str]) -> list[tuple[object, str]]:
        data, where = node
        kids = data.get("components") if isinstance(data, dict) else None
        if not isinstance(kids, list):
            return []
        return [(kid, f"{where}.components[{i}]") for i, kid in enumerate(kids)]

    def make(node: tuple[object, str], made: tuple[Material, ...]) -> Material | None:
        return _one_material(r, *node, made)

    (line,) = r.nested([(value, path)], components, make)
    return line


def _one_material(
    r: _Reader, value: object, path: str, components: tuple[Material, ...]
) -> Material | None:
    """One BOM line's record, its components already built."""
    data = r.obj(value, path, _MATERIAL)
    if data is None:
        return None
    ident = r.text(data, "id", path, required=True)
    values: dict[str, Any] = {}
    if data.get("accessory") is not None:
        acc = r.obj(
            data["accessory"], _at(path, "accessory"), ("kind", "invoiced_separately", "customary")
        )
        if acc is not None:
            where = _at(path, "accessory")
            kind = r.choice(acc, "kind", where, AccessoryKind, AccessoryKind.ACCESSORY)
            values["accessory"] = kind or AccessoryKind.ACCESSORY
            values["invoiced_separately"] = r.flag(acc, "invoiced_separately", where, None)
            values["customary"] = r.flag(acc, "customary", where, None)
    if data.get("components") is not None and not isinstance(data["components"], list):
        r.fail(_at(path, "components"), f"expected a list, found {_kind(data['components'])}")
    values["attributes"] = r.words(data, "attributes", path) or ()
    values["description"] = r.text(data, "description", path, default="") or ""
    values["hs"] = r.hs(data, "hs", path)
    values["quantity"] = r.amount(data, "quantity", path)
    values["unit"] = r.text(data, "unit", path)
    amount = r.amount(data, "value", path)
    values["basis"] = r.choice(data, "basis", path, ValueBasis, None)
    values["origin_country"] = r.country(data.get("origin_country"), _at(path, "origin_country"))
    values["status"] = r.choice(data, "status", path, OriginStatus, OriginStatus.UNDETERMINED)
    values["self_produced"] = bool(r.flag(data, "self_produced", path))
    values["indirect"] = bool(r.flag(data, "indirect", path))
    values["packaging"] = r.choice(data, "packaging", path, Packaging, Packaging.NONE)
    values["weight"] = r.amount(data, "weight", path)
    adjustments = r.items(data, "adjustments", path, lambda v, p: _adjustment(r, v, p))
    costs = r.items(data, "costs", path, lambda v, p: _cost(r, v, p))
    values["psr"] = r.text(data, "psr", path)
    values["produced_in"] = r.country(data.get("produced_in"), _at(path, "produced_in"))
    values["operations"] = r.words(data, "operations", path)
    supplied: dict[str, Any] = {k: v for k in _SUPPLIED if (v := r.text(data, k, path)) is not None}
    if not ident:
        return None
    line = build.material(ident, values, amount, adjustments, components=components, costs=costs)
    return attrs.evolve(line, **supplied) if supplied else line


#: Keys a plain line may give only as None or empty (more than that: not plain).
_EMPTY_KEYS = ("components", "adjustments", "costs")  # null or [], as if absent
_NULL_KEYS = ("accessory", *_EMPTY_KEYS)  # null, as if absent
_AMOUNT_TYPES = (Decimal, int, str)


class _NotPlain(Exception):
    """A line the column-wise reading leaves to the line-by-line reader (which locates it)."""


def _plain_lines(lines: list[Any]) -> list[Material] | None:
    """A flat list of plain lines read column by column, or None (then the line-by-line
    reader reads them and reports every problem, located and in order).

    Most BOMs are lists of plain lines; reading each field's column with its rule from
    :mod:`origin.fields` and making the materials with
    :func:`origin.build.materials_by_column` gives the same materials as the line-by-line
    reader (a test compares them), without the per-field bookkeeping that only a problem
    needs. Any value the rules refuse, any other JSON type, any other key: not plain."""
    count = len(lines)
    if not count:
        return None
    given: dict[str, list[Any]] = {}  # each key's values, line by line (None: not given)
    try:
        for at, line in enumerate(lines):
            if type(line) is not dict:
                raise _NotPlain
            for key, value in line.items():
                column = given.get(key)
                if column is None:
                    if key not in _RULES:  # an unknown key is not plain, even if null
                        if (value is None and key in _NULL_KEYS) or (
                            value == [] and key in _EMPTY_KEYS
                        ):
                            continue  # what an absent key means
                        raise _NotPlain  # an accessory, components, costs, or unknown
                    if value is None:
                        continue
                    column = given[key] = [None] * count
                column[at] = value
        ids = given.get("id")
        if ids is None:
            raise _NotPlain
        for ident in ids:
            if type(ident) is not str or not ident.strip():
                raise _NotPlain
        columns: dict[str, list[Any]] = {"id": ids}
        for key, column in given.items():
            read = _RULES[key]
            if read is not None:
                columns[key] = [None if v is None else read(v) for v in column]
        description = columns.get("description")
        if description is not None:
            columns["description"] = ["" if v is None else v for v in description]
    except (_NotPlain, fields.FieldError):
        return None
    return build.materials_by_column(columns, (), count)


def _as_text(value: object) -> str:
    if type(value) is not str:
        raise _NotPlain
    return value


def _as_amount(value: object) -> Decimal:
    if not isinstance(value, _AMOUNT_TYPES):
        raise _NotPlain
    return fields.amount(value)


def _as_words(value: object) -> tuple[str, ...]:
    if type(value) is not list or not all(type(v) is str for v in value):
        raise _NotPlain
    return tuple(value)


def _as_flag(value: object) -> bool:
    return bool(fields.flag(value))


_RULES: dict[str, Callable[[Any], Any] | None] = {
    "id": None,  # checked apart: required, not blank
    "description": _as_text,
    "hs": lambda v: fields.hs(_as_text(v)),
    "quantity": _as_amount,
    "unit": _as_text,
    "value": _as_amount,
    "basis": lambda v: fields.choice(v, ValueBasis),
    "origin_country": fields.country,
    "status": lambda v: fields.choice(v, OriginStatus),
    "self_produced": _as_flag,
    "indirect": _as_flag,
    "packaging": lambda v: fields.choice(v, Packaging),
    "weight": _as_amount,
    "attributes": _as_words,
    "psr": _as_text,
    "produced_in": fields.country,
    "operations": _as_words,
    **dict.fromkeys(_SUPPLIED, _as_text),
}


def _adjustment(r: _Reader, value: object, path: str) -> tuple[str, Decimal] | None:
    data = r.obj(value, path, ("kind", "amount"))
    if data is None:
        return None
    kind = r.text(data, "kind", path, required=True)
    amount = r.amount(data, "amount", path, required=True)
    return (kind, amount) if kind and amount is not None else None


def _cost(r: _Reader, value: object, path: str) -> Cost | None:
    data = r.obj(value, path, _COST)
    if data is None:
        return None
    ident = r.text(data, "id", path, required=True)
    category = r.text(data, "category", path, required=True)
    amount = r.amount(data, "amount", path, required=True)
    description = r.text(data, "description", path, default="") or ""
    incurred_in = r.country(data.get("incurred_in"), _at(path, "incurred_in"))
    originating = r.flag(data, "originating", path, None)
    if not (ident and category and amount is not None):
        return None
    return build.cost(ident, category, amount, description, incurred_in, originating)


def _stop(r: _Reader, value: object, path: str) -> TransitStop | None:
    data = r.obj(value, path, ("country", "operations", "entered_commerce"))
    if data is None:
        return None
    country = r.country(data.get("country"), _at(path, "country"))
    if country is None:
        if data.get("country") is None:
            r.fail(_at(path, "country"), "is required")
        return None
    return build.stop(
        country, r.words(data, "operations", path), r.flag(data, "entered_commerce", path, None)
    )


def _consignment(r: _Reader, value: object, path: str) -> Consignment | None:
    data = r.obj(value, path, ("exported_from", "imported_on", "transit"))
    if data is None:
        return None
    transit = (
        None
        if data.get("transit") is None
        else r.items(data, "transit", path, lambda v, p: _stop(r, v, p))
    )
    return build.consignment(
        r.country(data.get("exported_from"), _at(path, "exported_from")),
        r.date(data, "imported_on", path),
        transit,
    )


def _problems(r: _Reader) -> list[Problem]:
    return [Problem(where, message) for where, message in r.problems]


def case_from_json(data: object, source: str = "case") -> Case:
    """Build a :class:`Case` from parsed JSON, or raise :class:`CaseFormatError` listing all.

    The JSON's objects are read here as located records (path, JSON types); the case is
    built from them by :mod:`origin.build`."""
    r = _Reader()
    top = r.obj(data, "", _TOP)
    if top is None:
        raise CaseFormatError(source, _problems(r))
    schema = top.get("schema")
    if schema != SCHEMA:
        r.fail(
            "schema", f"{schema!r} is not a case format this version reads (expected {SCHEMA!r})"
        )
    currency = r.text(top, "currency", "", required=True)
    if currency is not None:
        r.rule(fields.currency, currency, "currency")
    good = _good(r, top.get("good"), "good") if "good" in top else None
    if "good" not in top:
        r.fail("good", "is required")
    lines = top.get("materials")
    plain = _plain_lines(lines) if isinstance(lines, list) else None
    materials = (  # else not all plain, or a problem to be found and located in order
        tuple(plain)
        if plain is not None
        else r.items(top, "materials", "", lambda v, p: _material(r, v, p))
    )
    costs = r.items(top, "costs", "", lambda v, p: _cost(r, v, p))
    consignment = (
        _consignment(r, top["consignment"], "consignment")
        if top.get("consignment") is not None
        else None
    )
    facts = top.get("facts")
    if facts is None:
        facts = {}
    elif not isinstance(facts, dict):
        r.fail("facts", f"expected an object, found {_kind(facts)}")
        facts = {}
    psr, per_agreement = _psr(r, top.get("psr"))
    reference = r.text(top, "reference", "", default="") or ""
    build.unique_ids(
        r,
        materials,
        [f"materials[{i}]" for i in range(len(materials))],
        lambda here, i: f"{here}.components[{i}]",
        lambda here: f"{here}.id",
    )
    build.unique_costs(r, costs, [f"costs[{i}].id" for i in range(len(costs))])
    if r.problems or good is None:
        raise CaseFormatError(source, _problems(r))
    return build.case(
        good, currency or "", materials, costs, consignment, facts, psr, reference, per_agreement
    )


def _psr(r: _Reader, value: object) -> tuple[str | None, dict[str, str]]:
    """``psr``: one rule text (for whichever agreement decides the case), or an object
    giving each agreement's rule by its name (``{"anzcerta": "CTH", "cptpp": "CC"}``), where
    ``"*"`` gives the rule for any agreement not named."""
    if value is None or isinstance(value, str):
        return value, {}
    if not isinstance(value, dict):
        r.fail(
            "psr",
            f"expected a rule text or an object of agreement: rule text, found {_kind(value)}",
        )
        return None, {}
    rules: dict[str, str] = {}
    for name, rule in value.items():
        if not isinstance(rule, str) or not rule.strip():
            found = _kind(rule) if not isinstance(rule, str) else "empty text"
            r.fail(f"psr.{name}", f"expected the rule text, found {found}")
            continue
        rules[name] = rule
    one = rules.pop(ANY_AGREEMENT, None)
    return one, rules


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def read_json(path: Path) -> object:
    """Parse a JSON file exactly (numbers as Decimal); failures name the file and position.
    A workbook given where a case file belongs is named as such, with the command for it."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        raise CaseFormatError(
            str(path),
            [
                Problem(
                    "(file)",
                    f"this is a workbook ({path.suffix}), not a JSON case file: decide it with "
                    f"'origin check {path} --agreement NAME' (or '--agreement all')",
                )
            ],
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CaseFormatError(str(path), [Problem("(file)", f"cannot be read: {error}")]) from None
    try:
        return strict_json.loads(text)
    except (json.JSONDecodeError, ValueError) as error:
        line = getattr(error, "lineno", "?")
        column = getattr(error, "colno", "?")
        message = getattr(error, "msg", str(error))
        raise CaseFormatError(
            str(path), [Problem(f"(line {line}, column {column})", f"not valid JSON: {message}")]
        ) from None


def load_case(path: Path) -> Case:
    """Read a case file; every failure is a :class:`CaseFormatError` naming the file."""
    return case_from_json(read_json(path), str(path))


def load_case_or_worked(path: Path) -> tuple[Case, dt.date | None]:
    """A case file, or a worked-case file (``case`` + ``date`` + ``expect``) with its date."""
    data = read_json(path)
    if isinstance(data, dict) and "case" in data and "schema" not in data:
        day = None
        if isinstance(data.get("date"), str):
            try:
                day = dt.date.fromisoformat(data["date"])
            except ValueError:
                raise CaseFormatError(
                    str(path), [Problem("date", f"{data['date']!r} is not YYYY-MM-DD")]
                ) from None
        return case_from_json(data["case"], f"{path} (case)"), day
    return case_from_json(data, str(path)), None


# --------------------------------------------------------------------------- writing


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out fields that are not stated (None). Empty lists stay: ``[]`` says "none",
    which differs from "not stated" (e.g. ``operations``); fields whose empty value is
    their default are set to None by the writers below, so they are left out too."""
    return {k: v for k, v in data.items() if v is not None}


def material_to_json(m: Material) -> dict[str, Any]:
    """The BOM line with its components, to any depth."""
    return rebuild([m], lambda line: line.components, _line_to_json)[0]


def _line_to_json(m: Material, components: list[dict[str, Any]]) -> dict[str, Any]:
    return _drop_empty(
        {
            "id": m.id,
            "description": m.description or None,
            "hs": str(m.hs) if m.hs else None,
            "quantity": _money(m.quantity),
            "unit": m.unit,
            "value": _money(m.value),
            "basis": m.basis.value if m.basis else None,
            "origin_country": m.origin_country,
            "status": m.status.value,
            "self_produced": m.self_produced or None,
            "indirect": m.indirect or None,
            "packaging": None if m.packaging is Packaging.NONE else m.packaging.value,
            "accessory": None
            if m.accessory is None
            else _drop_empty(
                {
                    "kind": m.accessory.kind.value,
                    "invoiced_separately": m.accessory.invoiced_separately,
                    "customary": m.accessory.customary,
                }
            ),
            "weight": _money(m.weight),
            "adjustments": [{"kind": a.kind, "amount": str(a.amount)} for a in m.adjustments]
            or None,
            "attributes": sorted(m.attributes) or None,
            "components": components or None,
            "costs": [_cost_to_json(c) for c in m.costs] or None,
            "psr": m.psr,
            "produced_in": m.produced_in,
            "operations": None if m.operations is None else list(m.operations),
            "supplier": m.supplier,
            "supplier_part": m.supplier_part,
            "declaration": m.declaration,
        }
    )


def _cost_to_json(c: Cost) -> dict[str, Any]:
    return _drop_empty(
        {
            "id": c.id,
            "category": c.category,
            "amount": str(c.amount),
            "description": c.description or None,
            "incurred_in": c.incurred_in,
            "originating": c.originating,
        }
    )


ANY_AGREEMENT = "*"  # in a ``psr`` object: the rule for every agreement not named


def _psr_to_json(case: Case) -> str | dict[str, str] | None:
    if not case.psr_by_agreement:
        return case.psr
    rules = dict(case.psr_by_agreement)
    if case.psr is not None:
        rules = {ANY_AGREEMENT: case.psr, **rules}
    return rules


def case_to_json(case: Case) -> dict[str, Any]:
    """The case in schema ``origin-case/1``; ``case_from_json`` reads it back unchanged."""
    g = case.good
    consignment = case.consignment
    return _drop_empty(
        {
            "schema": SCHEMA,
            "reference": case.reference or None,
            "currency": case.currency,
            "psr": _psr_to_json(case),
            "good": _drop_empty(
                {
                    "id": g.id,
                    "description": g.description or None,
                    "hs": str(g.hs),
                    "adjusted_value": _money(g.adjusted_value),
                    "fob": _money(g.fob),
                    "ex_works": _money(g.ex_works),
                    "transaction_value": _money(g.transaction_value),
                    "produced_in": list(g.produced_in) or None,
                    "last_process_in": g.last_process_in,
                    "operations": None if g.operations is None else list(g.operations),
                    "wholly_obtained": g.wholly_obtained,
                    "weight": _money(g.weight),
                    "tariff_item": g.tariff_item,
                    "customs_value": _money(g.customs_value),
                }
            ),
            "materials": [material_to_json(m) for m in case.materials] or None,
            "costs": [_cost_to_json(c) for c in case.costs],
            "consignment": None
            if consignment is None
            else {
                k: v
                for k, v in {
                    "exported_from": consignment.exported_from,
                    "imported_on": consignment.imported_on.isoformat()
                    if consignment.imported_on
                    else None,
                    "transit": None
                    if consignment.transit is None
                    else [
                        _drop_empty(
                            {
                                "country": s.country,
                                "operations": None if s.operations is None else list(s.operations),
                                "entered_commerce": s.entered_commerce,
                            }
                        )
                        for s in consignment.transit
                    ],
                }.items()
                if v is not None
            },
            "facts": dict(case.facts) or None,
        }
    )


def figure_json(value: object) -> object:
    """Exact figures for JSON: amounts as decimal strings, ratios as 'p/q' plus a reading."""
    kind = type(value)
    if kind is Decimal:
        return str(value)
    if value is None or kind is str or kind is int or kind is bool:
        return value
    if isinstance(value, Fraction):
        return {"exact": f"{value.numerator}/{value.denominator}", "decimal": _fraction_text(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Citation):
        return str(value)
    return value


def _fraction_text(value: Fraction, places: int = 6) -> str:
    quantum = Decimal(1).scaleb(-places)
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum))


def step_to_json(step: Step) -> dict[str, Any]:
    """The step with its children, to any depth."""
    if not step.children:  # most steps: no walk to set up
        return _one_step_to_json(step, [])
    return rebuild([step], lambda s: s.children, _one_step_to_json)[0]


def _one_step_to_json(step: Step, children: list[dict[str, Any]]) -> dict[str, Any]:
    return _drop_empty(
        {
            "test": step.test,
            "citation": step.citation.to_json(),
            "outcome": step.outcome.value,
            "summary": step.summary,
            "inputs": {name: figure_json(value) for name, value in step.inputs},
            "value": figure_json(step.value),
            "threshold": figure_json(step.threshold),
            "margin": figure_json(step.margin),
            "missing": list(step.missing),
            "children": children,
        }
    )


def _rvc_to_json(r: RVCResult) -> dict[str, Any]:
    return _drop_empty(
        {
            "method": r.method,
            "citation": str(r.citation),
            "formula": r.formula,
            "latex": r.latex,
            "inputs": {k: figure_json(v) for k, v in r.inputs},
            "value": figure_json(r.value),
            "threshold": figure_json(r.threshold),
            "outcome": r.outcome.value,
            "margin": figure_json(r.margin),
            "headroom": [
                {"input": s, "must_be": d, "bound": figure_json(b)} for s, d, b in r.headroom
            ],
            "note": r.note,
            "bound": r.bound or None,  # "at least" / "at most": the value is a bound
        }
    )


def _row_to_json(row: MaterialRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "depth": row.depth,
        "description": row.description,
        "hs": row.hs,
        "status": row.status,
        "declared_status": row.declared_status,
        "value": figure_json(row.value),
        "counted_as": row.counted_as,
        "vom_value": figure_json(row.vom_value),
        "vnm_value": figure_json(row.vnm_value),
        "tariff_shift": row.tariff_shift.value if row.tariff_shift else None,
        "de_minimis": row.de_minimis,
        "citations": [str(c) for c in row.citations],
        "notes": list(row.notes),
    }


def obligation_json(o: Obligation) -> dict[str, Any]:
    return _drop_empty(
        {
            "citation": str(o.citation),
            "text": o.text,
            "until": o.until.isoformat() if o.until else None,
        }
    )


def _cost_row_to_json(row: CostRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "category": row.category,
        "amount": str(row.amount),
        "status": row.status,
        "citation": str(row.citation),
        "place": row.place,
        "note": row.note,
    }


def determination_to_json(d: Determination) -> dict[str, Any]:
    """The full determination with stable field names (documented in docs/determination.md)."""
    return {
        "schema": DETERMINATION_SCHEMA,
        "agreement": d.agreement,
        "agreement_title": d.agreement_title,
        "date": d.date.isoformat(),
        "law_version": d.law_version.isoformat(),
        "good": d.good_id,
        "hs": d.hs,
        "psr": d.psr,
        "verdict": d.verdict.value,
        "basis": list(d.basis),
        "missing": list(d.missing),
        "rvc": [_rvc_to_json(r) for r in d.rvc],
        "steps": [step_to_json(s) for s in d.steps],
        "materials": [_row_to_json(m) for m in d.materials],
        "costs": [_cost_row_to_json(c) for c in d.costs],
        "citations": [str(c) for c in d.citations()],
        "obligations": [obligation_json(o) for o in d.obligations],
        "notes": list(d.notes),
        **({"declarations": [u.to_json() for u in d.declarations]} if d.declarations else {}),
    }
