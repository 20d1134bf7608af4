"""The columns a workbook may have, what each means, which provision uses it, and how a
cell becomes an exact value.

Numbers arrive from the reader as binary doubles (Excel stores 4.11 as a double); they become
``Decimal`` through their shortest ``repr``, which gives back what was typed ("4.11"), never
``Decimal(float)`` (which gives 4.1100000000000003197…). Text numbers are read by the
layout's declared separators, not guessed.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, localcontext
from typing import Any

import attrs

from origin import fields as rules
from origin.hs import HSCode
from origin.model import AccessoryKind, OriginStatus, Packaging, ValueBasis

ROLES = ("product", "bom", "costs", "consignment", "transit", "facts", "rules", "rates")
SHEET_TITLES = {
    "product": "Product",
    "bom": "BOM",
    "costs": "Costs",
    "consignment": "Consignment",
    "transit": "Transit",
    "facts": "Facts",
    "rules": "Rules",
    "rates": "Rates",
}


class CellError(rules.FieldError):
    """A cell that does not hold what its column needs; the text says what was expected."""


@attrs.frozen
class Field:
    """One column: its key, kind of value, template header, meaning and provision."""

    key: str
    kind: str
    header: str
    meaning: str
    provision: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()  # fixed choices; agreement words are added per agreement
    vocabulary: str = ""  # law vocabulary giving the choices, e.g. "cost_categories"
    example_width: int = 14


def _f(key: str, kind: str, header: str, meaning: str, provision: str = "", **kw: Any) -> Field:
    return Field(key, kind, header, meaning, provision, **kw)


_STATUS = tuple(s.value for s in OriginStatus)
_BASIS = tuple(b.value for b in ValueBasis)
_PACKAGING = tuple(p.value for p in Packaging)
_ACCESSORY = tuple(a.value for a in AccessoryKind)
_PRODUCT = _f(
    "product", "id", "product", "Product id: links the rows of every sheet.", required=True
)

FIELDS: Mapping[str, tuple[Field, ...]] = {
    "product": (
        _PRODUCT,
        _f("description", "text", "description", "What the good is."),
        _f(
            "hs",
            "hs",
            "hs",
            "HS 2022 code of the good (text, e.g. 9401.71).",
            "tariff-shift rules, e.g. r 33(2)(c)",
            required=True,
        ),
        _f(
            "currency",
            "currency",
            "currency",
            "ISO 4217 currency of every amount of this product.",
            "valuation, e.g. r 38",
            required=True,
        ),
        _f(
            "psr",
            "text",
            "psr",
            "Product-specific rule as the schedule writes it, e.g. 'CTH or RVC40 (build-down)'.",
            "e.g. r 33(2)(c) with Annex G",
        ),
        _f(
            "adjusted_value",
            "amount",
            "adjusted value",
            "Adjusted value of the goods (AV).",
            "r 36(1)-(2); r 35",
        ),
        _f("fob", "amount", "fob", "FOB value of the goods.", "e.g. r 51ZP, r 51G"),
        _f("ex_works", "amount", "ex works", "Ex-works price of the goods."),
        _f(
            "transaction_value",
            "amount",
            "transaction value",
            "Transaction value of the goods.",
            "e.g. r 51P (TPSEP)",
        ),
        _f(
            "produced_in",
            "countries",
            "produced in",
            "Countries where the goods were produced (two-letter codes, comma-separated).",
            "e.g. r 33(2)",
        ),
        _f(
            "last_process_in",
            "country",
            "last process in",
            "Country of the last process of manufacture.",
            "e.g. r 33(2)(e)(i), r 33(3)",
        ),
        _f(
            "operations",
            "words",
            "operations",
            "Operations performed (comma-separated); 'none' for none; blank = not stated.",
            "minimal operations, e.g. r 33A",
        ),
        _f(
            "wholly_obtained",
            "choice",
            "wholly obtained",
            "Wholly-obtained category, if claimed.",
            "e.g. r 33(2)(a)",
            vocabulary="wholly_obtained",
        ),
        _f("weight", "amount", "weight", "Weight of the goods (for weight-based de minimis)."),
        _f(
            "tariff_item",
            "text",
            "tariff item",
            "NZ 8-digit tariff item NNNN.NN.NN within the HS subheading, where a provision "
            "names tariff items.",
            "e.g. r 45(2)(b)",
        ),
        _f(
            "customs_value",
            "amount",
            "customs value",
            "Customs value of the goods (duty is charged on it): only for the duty a preference "
            "saves (check --agreement all --rates).",
        ),
        _f("reference", "text", "reference", "Free text: file number, who prepared the case."),
    ),
    "bom": (
        _PRODUCT,
        _f(
            "level",
            "level",
            "level",
            "BOM level: 1 for direct materials, 2 (or .2) for their "
            "components, and so on. Leave blank for a flat BOM.",
            "r 33(2) (bottom-up)",
        ),
        _f(
            "part",
            "id",
            "part id",
            "Material id, unique within the product across all levels.",
            required=True,
        ),
        _f(
            "parent",
            "id",
            "parent id",
            "Id of the intermediate material this line is a component of (instead of level).",
            "r 33(2) (bottom-up)",
        ),
        _f("description", "text", "description", "What the material is."),
        _f("hs", "hs", "hs", "HS 2022 code of the material (text).", "tariff shift"),
        _f("quantity", "amount", "quantity", "Quantity used (recorded only)."),
        _f("unit", "text", "unit", "Unit of the quantity (recorded only)."),
        _f(
            "value",
            "amount",
            "value",
            "Value of the material in the product's currency.",
            "valuation, e.g. r 38(1); RVC",
        ),
        _f(
            "currency",
            "currency",
            "currency",
            "Currency of this line's value, if not the product's (needs a rate).",
        ),
        _f(
            "basis",
            "choice",
            "basis",
            "How the value was established.",
            "e.g. r 38(1)(a)-(c)",
            choices=_BASIS,
        ),
        _f(
            "origin_country",
            "country",
            "origin country",
            "Where the material comes from.",
            "accumulation, e.g. r 33(3)",
        ),
        _f(
            "status",
            "choice",
            "status",
            "Declared origin; blank = undetermined (counted as non-originating).",
            "e.g. r 36",
            choices=_STATUS,
        ),
        _f(
            "self_produced",
            "flag",
            "self produced",
            "Made by the producer of the good.",
            "e.g. r 36(1), r 38(1)(c)",
        ),
        _f("indirect", "flag", "indirect", "An indirect material.", "e.g. r 39C"),
        _f(
            "packaging",
            "choice",
            "packaging",
            "Packaging kind: retail or shipment.",
            "e.g. r 39B",
            choices=_PACKAGING,
        ),
        _f(
            "accessory",
            "choice",
            "accessory",
            "Accessory, spare part, tool or instructions delivered with the goods.",
            "e.g. r 39",
            choices=_ACCESSORY,
        ),
        _f(
            "invoiced_separately",
            "tristate",
            "invoiced separately",
            "For an accessory: invoiced separately from the goods?",
            "e.g. r 39(1)(a)",
        ),
        _f(
            "customary",
            "tristate",
            "customary",
            "For an accessory: customary quantity and value?",
            "e.g. r 39(1)(b)",
        ),
        _f("weight", "amount", "weight", "Weight of the material (weight-based de minimis)."),
        _f(
            "attributes",
            "words",
            "attributes",
            "Words of the agreement's material_attributes, comma-separated.",
            "e.g. r 33(2)(d), r 39A",
            vocabulary="material_attributes",
        ),
        _f(
            "adjustments",
            "adjustments",
            "adjustments",
            "Value adjustments as 'kind=amount; …', e.g. 'freight=20.00'.",
            "e.g. r 38(2)-(3)",
        ),
        _f("psr", "text", "psr", "Product-specific rule of an intermediate material."),
        _f("produced_in", "country", "produced in", "Where an intermediate material was made."),
        _f(
            "operations",
            "words",
            "operations",
            "Operations on an intermediate material; 'none' for none.",
        ),
        _f("supplier", "text", "supplier", "Who supplies the material (declarations register)."),
        _f("supplier_part", "text", "supplier part", "The supplier's part number."),
        _f(
            "declaration",
            "text",
            "declaration",
            "The supplier's declaration it relies on (a register's reference), with "
            "--declarations.",
            "e.g. r 32, r 39E(2)",
        ),
    ),
    "costs": (
        _PRODUCT,
        _f("cost", "id", "cost id", "Cost line id, unique within the product.", required=True),
        _f(
            "part",
            "id",
            "part id",
            "For a material's own cost sheet: the BOM part id the line belongs to; blank = "
            "the product's cost sheet.",
            "e.g. r 47(d)(ii)",
        ),
        _f(
            "category",
            "choice",
            "category",
            "Cost category of the agreement's law.",
            "e.g. r 32 allowable expenditure",
            required=True,
            vocabulary="cost_categories",
        ),
        _f(
            "amount",
            "amount",
            "amount",
            "Cost attributable to the goods.",
            "e.g. r 32",
            required=True,
        ),
        _f("currency", "currency", "currency", "Currency of the amount, if not the product's."),
        _f("description", "text", "description", "What the cost is."),
        _f(
            "incurred_in",
            "country",
            "incurred in",
            "Where the cost was incurred; blank = the last process's country.",
            "e.g. r 32 qualifying expenditure (b)",
        ),
        _f(
            "originating",
            "tristate",
            "originating",
            "For inner containers: do they originate in a party?",
            "e.g. r 32 qualifying expenditure",
        ),
    ),
    "consignment": (
        _PRODUCT,
        _f("exported_from", "country", "exported from", "Country of exportation."),
        _f(
            "imported_on",
            "date",
            "imported on",
            "Date of importation into New Zealand.",
            "records, e.g. r 39E(3)",
        ),
        _f(
            "route",
            "choice",
            "route",
            "'direct' when shipped directly; 'via transit' when the "
            "Transit sheet lists the stops; blank = not stated.",
            "consignment, e.g. r 34",
            choices=("direct", "via transit"),
        ),
    ),
    "transit": (
        _PRODUCT,
        _f(
            "country",
            "country",
            "country",
            "A place outside the parties the goods passed through.",
            "e.g. r 34(1)",
            required=True,
        ),
        _f(
            "operations",
            "words",
            "operations",
            "What was done there; 'none' for nothing.",
            "e.g. r 34(2)",
            vocabulary="transit_operations",
        ),
        _f(
            "entered_commerce",
            "tristate",
            "entered commerce",
            "Did the goods enter that country's commerce?",
        ),
    ),
    "facts": (
        _PRODUCT,
        _f(
            "fact",
            "choice",
            "fact",
            "A case fact the agreement's law names.",
            required=True,
            vocabulary="facts",
        ),
        _f("value", "text", "value", "The fact's value: true/false or text.", required=True),
    ),
    "rules": (
        _PRODUCT,
        _f(
            "agreement",
            "text",
            "agreement",
            "An agreement's name (origin agreements), e.g. anzcerta, cptpp.",
            required=True,
        ),
        _f(
            "rule",
            "text",
            "rule",
            "That agreement's product-specific rule for the good, as its annex writes it; it "
            "takes the place of the Product sheet's psr for that agreement.",
            "e.g. r 51ZZF (CPTPP Annex 3-D)",
            required=True,
        ),
    ),
    "rates": (
        _f("from", "currency", "from currency", "Currency of the lines to convert.", required=True),
        _f("to", "currency", "to currency", "The product's currency.", required=True),
        _f("rate", "amount", "rate", "Exact rate: 1 'from' = rate 'to'.", required=True),
        _f(
            "reference",
            "text",
            "reference",
            "Where the rate comes from (e.g. customs rate of exchange and its date).",
        ),
    ),
}

KEY_FIELD = {
    "product": "product",
    "bom": "part",
    "costs": "cost",
    "consignment": "product",
    "transit": "country",
    "facts": "fact",
    "rules": "agreement",
    "rates": "from",
}


def normal(text: object) -> str:
    """Header and choice matching ignores case, spacing, punctuation and (units)."""
    return _normal(str(text))


@functools.lru_cache(maxsize=4096)  # choice columns repeat a handful of words
def _normal(text: str) -> str:
    value = re.sub(r"\(.*?\)", "", str(text).lower())
    return re.sub(r"[^0-9a-z%]+", "", value)


# --------------------------------------------------------------------------- cell values
# What a cell holds becomes a field value in two steps: the cell's own conventions here
# (blank cells, surrounding spaces, Excel error values, date cells, HS codes stored as
# numbers), then the rule every input shares (origin.fields), whose message the column
# header is put before: "value '-5' is negative (amounts are zero or more)".

_EXCEL_ERRORS = frozenset(
    ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!")
)
FLAG_WORDS = rules.FLAG_WORDS
NumberFormat = rules.NumberFormat  # where mappings declare their separators


def empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


describe = rules.shown


def float_decimal(value: float) -> Decimal:
    """The number as typed: shortest repr, so 4.11 stays 4.11."""
    try:
        return rules.float_decimal(value)
    except rules.FieldError as error:
        raise CellError(str(error)) from None


def amount(
    value: object, fmt: NumberFormat, pattern: re.Pattern[str], what: str = "amount"
) -> Decimal | None:
    """A non-negative exact amount (origin.fields.amount), or None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if value in _EXCEL_ERRORS:
            raise CellError(f"{what}: the cell holds the Excel error {value}")
    try:
        return rules.amount(value, fmt, pattern)
    except rules.FieldError as error:
        raise CellError(f"{what} {error}") from None


def scaled(number: Decimal, factor: Decimal) -> Decimal:
    """Exact product (units, percent, rates): no rounding happens at 60 digits."""
    with localcontext() as context:
        context.prec = 60
        return (number * factor).normalize() if number else Decimal(0)


def text(value: object, what: str = "text") -> str | None:
    """Text as typed; a whole number typed into a text column reads as its digits."""
    if value is None:
        return None
    if isinstance(value, str):
        stripped = value.strip()
        if stripped in _EXCEL_ERRORS:
            raise CellError(f"{what}: the cell holds the Excel error {stripped}")
        return stripped or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


_HS_CACHE: dict[str, HSCode | str] = {}
HS_OK: dict[str, HSCode] = {}  # valid codes as typed (unstripped), for the hot loop


def hs(value: object) -> HSCode | None:
    """HS 2022 code from text; a number is accepted only when no leading zero can be lost."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise CellError(
                f"HS code {describe(value)} is stored as a number, which drops trailing and "
                "leading zeros; format the column as text (e.g. '0101.21')"
            )
        digits = str(int(value))
        if len(digits) not in (2, 4, 6, 8):
            raise CellError(
                f"HS code {digits} is stored as a number with {len(digits)} digits (a leading "
                "zero lost?); format the column as text"
            )
        value = digits
    raw = text(value, "HS code")
    if raw is None:
        return None
    found = _HS_CACHE.get(raw)
    if found is None:
        try:
            found = rules.hs(raw)
        except rules.FieldError as error:
            found = str(error)
        if len(_HS_CACHE) < 200_000:
            _HS_CACHE[raw] = found
    if isinstance(found, str):
        raise CellError(found)
    if isinstance(value, str) and len(HS_OK) < 200_000:
        HS_OK[value] = found
    return found


def country(value: object, what: str = "country") -> str | None:
    raw = text(value, what)
    if raw is None:
        return None
    try:
        return rules.country(raw)
    except rules.FieldError as error:
        raise CellError(f"{what} {error}") from None


def countries(value: object, what: str = "countries") -> tuple[str, ...] | None:
    raw = text(value, what)
    if raw is None:
        return None
    return tuple(c for part in re.split(r"[,;/\s]+", raw) if (c := country(part, what)))


def currency(value: object, what: str = "currency") -> str | None:
    raw = text(value, what)
    if raw is None:
        return None
    try:
        return rules.currency(raw)
    except rules.FieldError as error:
        raise CellError(f"{what} {error}") from None


def words(value: object, what: str = "list") -> tuple[str, ...] | None:
    """Comma- or semicolon-separated words; 'none' (or '-') is the empty list."""
    raw = text(value, what)
    if raw is None:
        return None
    if raw.lower() in ("none", "-", "[]"):
        return ()
    return tuple(w.strip() for w in re.split(r"[,;\n]+", raw) if w.strip())


def flag(value: object, what: str = "flag") -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return rules.flag(value, words=True)
    except rules.FieldError as error:
        raise CellError(f"{what} {error}") from None


_MARCH_1900 = dt.date(1900, 3, 1)
_LAST_SERIAL = 2_958_465  # Excel's serial for 9999-12-31, the last date it (and Python) has


def _serial_guess(value: float) -> str:
    """What an Excel serial (1900 date system) would be as a date, for a message; '' when
    no day has that serial (past 9999-12-31, before 1900, not finite)."""
    if not math.isfinite(value) or not 1 <= value < _LAST_SERIAL + 1:
        return ""
    days = int(value)
    if days == 60:
        return "29 February 1900, a day that never was"
    start = dt.date(1899, 12, 31) if days < 60 else dt.date(1899, 12, 30)
    return (start + dt.timedelta(days=days)).isoformat()


def date(value: object, what: str = "date") -> dt.date | None:
    """A date cell or YYYY-MM-DD text. A number is not a date (the cell lost its date format);
    a date cell before 1 March 1900 is refused: Excel counts a 29 February 1900 that never
    was (its serial 60), so its serials before March 1900 mean a day other programs (and the
    reader, which gives serial 60 as 28 February) do not agree on."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if value < _MARCH_1900:
            raise CellError(
                f"{what} {value.isoformat()} is a date cell before 1 March 1900, where Excel's "
                "dates are off by a day (it counts a 29 February 1900 that never was); write "
                "the date as text YYYY-MM-DD"
            )
        return value
    if isinstance(value, float | int) and not isinstance(value, bool):
        guess = _serial_guess(float(value))
        hint = f" (an Excel serial for {guess}?)" if guess else " (no Excel date has that serial)"
        raise CellError(
            f"{what} {describe(value)} is a number, not a date{hint}; format the cell as a "
            "date or write YYYY-MM-DD"
        )
    raw = text(value, what) or ""
    try:
        return rules.date(raw)
    except rules.FieldError as error:
        raise CellError(f"{what} {error}") from None


MAX_LEVEL = 1_048_576  # a BOM cannot be deeper than a sheet has rows


def level(value: object) -> int | None:
    """1, 2, … or the ERP style 1 / .2 / ..3 (dots one fewer than the level); any depth a
    sheet can hold."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float | int) and not isinstance(value, bool):
        if float(value).is_integer() and 0 <= value <= MAX_LEVEL:
            return int(value)
        raise CellError(f"level {describe(value)} is not a whole number from 0")
    raw = str(value).strip()
    match = re.fullmatch(r"(\.*)\s*([0-9]{1,7})", raw)
    if match is None or int(match.group(2)) > MAX_LEVEL:
        raise CellError(f"level {raw[:40]!r} is not a BOM level (expected 1, 2 or .2, ..3)")
    dots, number = len(match.group(1)), int(match.group(2))
    if dots and dots != number - 1:
        raise CellError(
            f"level {raw[:40]!r}: {dots} dot(s) before {number} (the style is 1, .2, ..3)"
        )
    return number


def choice(
    value: object, allowed: Mapping[str, str], what: str, aliases: Mapping[str, str]
) -> str | None:
    """``allowed`` maps normalised spellings to the canonical word."""
    raw = text(value, what)
    if raw is None:
        return None
    key = normal(raw)
    if key in aliases:
        return aliases[key]
    if key in allowed:
        return allowed[key]
    raise CellError(f"{what} {rules.not_one_of(raw, allowed.values())}")


Converter = Callable[[object], object]


# --------------------------------------------------------------------------- fast paths
# The same conversions with the common case first: a 100,000-line BOM converts ~1.2 million
# cells, and the general functions above cost several isinstance checks each.


def fast_amount(fmt: NumberFormat, pattern: re.Pattern[str], what: str) -> Converter:
    def convert(value: object) -> object:
        if type(value) is float and (value == 0 or 1e-12 <= value < 1e15):
            if value.is_integer():
                return Decimal(int(value))
            return Decimal(repr(value))
        return amount(value, fmt, pattern, what)

    return convert


def fast_text(what: str) -> Converter:
    def convert(value: object) -> object:
        if type(value) is str:
            stripped = value.strip()
            if stripped and stripped[0] != "#":
                return stripped
        return text(value, what)

    return convert


def fast_hs(value: object) -> object:
    if type(value) is str:
        found = HS_OK.get(value)
        if found is not None:
            return found
    return hs(value)


def fast_code(slow: Callable[[object, str], str | None], what: str) -> Converter:
    """Country and currency codes: a valid code seen once is accepted at a dict lookup."""
    seen: dict[str, str] = {}

    def convert(value: object) -> object:
        if type(value) is str:
            found = seen.get(value)
            if found is not None:
                return found
        result = slow(value, what)
        if type(value) is str and result is not None and len(seen) < 1000:
            seen[value] = result
        return result

    return convert


def fast_flag(what: str) -> Converter:
    def convert(value: object) -> object:
        if type(value) is str:
            found = FLAG_WORDS.get(value)
            if found is not None:
                return found
        return flag(value, what)

    return convert
