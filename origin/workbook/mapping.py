"""Column mappings: how a workbook's sheets and headers map to the template's fields.

The template itself is one mapping (its sheet titles and headers); a user's ERP export is
another, written as a small TOML file (``docs/workbook.md`` documents the format)::

    schema = "origin-mapping/1"
    [format]
    decimal = ","          # text numbers like 1.234,50
    thousands = "."
    symbols = ["€", "EUR"]
    [rates]
    "EUR/NZD" = "1.8125"   # 1 EUR = 1.8125 NZD, exact
    [sheets.bom]
    names = ["Stückliste"]
    header_row = 2         # optional: otherwise found by its headers
    product = "PUMP-7"     # optional: every row is this product
    [sheets.bom.columns]
    part = ["Komponente", "Material"]
    value = { header = "Wert (Cent)", scale = "0.01" }
    [sheets.bom.values.status]
    J = "originating"

Header matching ignores case, spacing, punctuation and parenthesised units.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

from origin.errors import InputError
from origin.workbook.fields import FIELDS, ROLES, SHEET_TITLES, NumberFormat, normal

SCHEMA = "origin-mapping/1"
_TEMPLATE_ALIASES: Mapping[str, tuple[str, ...]] = {
    "product": ("product id", "good", "good id", "item"),
    "part": ("part", "material", "material id", "component", "id", "part number", "part no"),
    "parent": ("parent", "parent part"),
    "value": ("cost", "material value"),
    "cost": ("id", "line", "cost line"),
    "hs": ("hs code", "tariff", "tariff item", "hs 2022"),
    "origin_country": ("country of origin", "origin", "coo"),
    "amount": ("cost amount",),
    # Common spellings of cost sheets and ERP exports (issue 18): a header in the wrong
    # words must be read, or refused with a suggestion, never silently left out.
    "fob": ("fob value", "fob price", "free on board", "value fob"),
    "ex_works": ("exw", "ex-works", "ex works price", "ex-works price"),
    "adjusted_value": ("av",),
    "quantity": ("qty", "quantity used"),
    "unit": ("uom", "unit of measure"),
    "status": ("origin status", "originating status"),
    "currency": ("ccy", "currency code"),
    "description": ("desc", "item description", "part description"),
}


class MappingError(InputError):
    """A mapping file that cannot be used; the message names the file and the key."""


@attrs.frozen
class Column:
    """Where a field is found, and how its cells are turned into the field's value."""

    field: str
    headers: tuple[str, ...]  # normalised header spellings
    scale: Decimal | None = None  # units: cents → 0.01, grams → 0.001
    percent_of: str = ""  # a product amount field: the cell is a share of it
    percent: str = "points"  # "points" (12 = 12 %) or "fraction" (0.12 = 12 %)


@attrs.frozen
class SheetLayout:
    role: str
    names: tuple[str, ...]  # normalised sheet names
    columns: Mapping[str, Column]
    header_row: int | None = None  # 1-based
    product: str | None = None  # constant product id
    values: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)  # field → alias → word


@attrs.frozen
class Layout:
    """A complete mapping: sheets by role, number format, exchange rates."""

    name: str
    sheets: tuple[SheetLayout, ...]
    number_format: NumberFormat = attrs.field(factory=NumberFormat)
    rates: Mapping[tuple[str, str], Decimal] = attrs.field(factory=dict)
    ignore_sheets: tuple[str, ...] = ()

    def role_of(self, sheet_name: str) -> SheetLayout | None:
        key = normal(sheet_name)
        return next((s for s in self.sheets if key in s.names), None)


def template_layout() -> Layout:
    """The template's own layout: its sheet titles and column headers (plus plain aliases)."""
    sheets = []
    for role in ROLES:
        columns = {}
        for field in FIELDS[role]:
            aliases = _TEMPLATE_ALIASES.get(field.key, ())
            if role != "bom":  # "id" alone names the sheet's own line, not a part
                aliases = tuple(a for a in aliases if a != "id" or field.key != "part")
            spellings = (field.header, field.key, *aliases)
            columns[field.key] = Column(field.key, tuple(dict.fromkeys(map(normal, spellings))))
        sheets.append(SheetLayout(role, (normal(SHEET_TITLES[role]),), columns))
    return Layout("template", tuple(sheets), ignore_sheets=("instructions", "lists", "example"))


def load_layout(path: Path) -> Layout:
    """Read a mapping file; every mistake is one :class:`MappingError` naming the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise MappingError(f"{path.name}: cannot be read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise MappingError(f"{path.name}: not valid TOML: {error}") from None
    return layout_from_toml(data, path.name)


def layout_from_toml(data: Mapping[str, Any], source: str = "mapping") -> Layout:
    def fail(key: str, message: str) -> MappingError:
        return MappingError(f"{source}: {key}: {message}")

    if data.get("schema") != SCHEMA:
        raise fail("schema", f"{data.get('schema')!r} is not {SCHEMA!r}")
    unknown = set(data) - {"schema", "name", "format", "rates", "sheets", "ignore_sheets"}
    if unknown:
        raise fail(", ".join(sorted(unknown)), "unknown key")
    fmt = data.get("format", {})
    number_format = NumberFormat(
        decimal=str(fmt.get("decimal", ".")),
        thousands=str(fmt.get("thousands", ",")),
        symbols=tuple(str(s) for s in fmt.get("symbols", ())),
    )
    if number_format.decimal == number_format.thousands:
        raise fail("format", "decimal and thousands separators must differ")
    rates = {}
    for pair, value in data.get("rates", {}).items():
        parts = pair.upper().split("/")
        if len(parts) != 2 or not all(len(p) == 3 and p.isalpha() for p in parts):
            raise fail(f"rates.{pair}", "expected a key like 'USD/NZD'")
        rates[(parts[0], parts[1])] = _exact(value, lambda m, p=pair: fail(f"rates.{p}", m))
    template = {s.role: s for s in template_layout().sheets}
    sheets = []
    for role, spec in data.get("sheets", {}).items():
        if role not in FIELDS:
            raise fail(f"sheets.{role}", f"unknown sheet role (expected one of {', '.join(ROLES)})")
        where = f"sheets.{role}"
        extra = set(spec) - {"name", "names", "header_row", "product", "columns", "values"}
        if extra:
            raise fail(f"{where}.{sorted(extra)[0]}", "unknown key")
        names = spec.get("names", [spec["name"]] if "name" in spec else [SHEET_TITLES[role]])
        known = {f.key for f in FIELDS[role]}
        columns = dict(template[role].columns) if not spec.get("columns") else {}
        for key, given in spec.get("columns", {}).items():
            if key not in known:
                raise fail(
                    f"{where}.columns.{key}",
                    f"unknown field (expected one of: {', '.join(sorted(known))})",
                )
            columns[key] = _column(
                key, given, lambda m, k=key, w=where: fail(f"{w}.columns.{k}", m)
            )
            if columns[key].percent_of and key not in ("value", "amount"):
                raise fail(f"{where}.columns.{key}", "percent_of applies to value and amount only")
        values = {}
        for key, table in spec.get("values", {}).items():
            if key not in known:
                raise fail(f"{where}.values.{key}", "unknown field")
            values[key] = {normal(alias): str(word) for alias, word in table.items()}
        header_row = spec.get("header_row")
        if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
            raise fail(f"{where}.header_row", "expected a row number from 1")
        product = spec.get("product")
        sheets.append(
            SheetLayout(
                role,
                tuple(normal(n) for n in names),
                columns,
                header_row,
                None if product is None else str(product),
                values,
            )
        )
    return Layout(
        str(data.get("name", source)),
        tuple(sheets),
        number_format,
        rates,
        tuple(normal(n) for n in data.get("ignore_sheets", ())),
    )


def _column(key: str, given: object, fail: Any) -> Column:
    if isinstance(given, str):
        return Column(key, (normal(given),))
    if isinstance(given, list) and all(isinstance(g, str) for g in given):
        return Column(key, tuple(normal(g) for g in given))
    if not isinstance(given, dict):
        raise fail("expected a header, a list of headers, or a table with 'header'")
    extra = set(given) - {"header", "headers", "scale", "percent_of", "percent"}
    if extra:
        raise fail(f"unknown option {sorted(extra)[0]!r}")
    headers = given.get("headers", [given.get("header")])
    if not headers or not all(isinstance(h, str) for h in headers):
        raise fail("'header' (text) or 'headers' (list) is required")
    scale = _exact(given["scale"], fail) if "scale" in given else None
    percent = str(given.get("percent", "points"))
    if percent not in ("points", "fraction"):
        raise fail("percent must be 'points' or 'fraction'")
    percent_of = str(given.get("percent_of", ""))
    if percent_of and percent_of not in ("adjusted_value", "fob", "ex_works", "transaction_value"):
        raise fail("percent_of must be one of adjusted_value, fob, ex_works, transaction_value")
    return Column(key, tuple(normal(h) for h in headers), scale, percent_of, percent)


def _exact(value: object, fail: Any) -> Decimal:
    if isinstance(value, float | bool):
        raise fail('write exact numbers as strings, e.g. "1.6523" (TOML floats are binary)')
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise fail(f"{value!r} is not a number") from None
    if not number.is_finite() or number <= 0:
        raise fail(f"{value!r} must be a positive number")
    return number
