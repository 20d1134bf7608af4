"""Duty rates of the NZ Working Tariff Document, and the duty a preference saves, exactly.

The table read is a CSV of tariff items with at least the columns ``tariff_item``, ``normal``
and ``preferential`` (the shape of ``wtd_2022-01-01_tariff_items.csv``: the Preferential
Tariff column's printed lines joined with ``" | "``). How each column is read follows the
Working Tariff Document's own Introduction (``Introduction.txt`` of the 1 January 2022
edition); docs/tariff-rates.md quotes the words and lists what is *needs review*.

* "Rates of Duty": "A number without any other qualification in these columns signifies that
  an ad valorem duty applies at the percentage rate signified by the number. Thus “5” means
  that duty is payable at a rate of 5% of the Customs value of the goods concerned."
* "Preferential Tariff": "rates of duty are prefixed with one of the under mentioned
  abbreviations […]. A date (e.g., 1/2014) shown within a tariff listing indicates that as
  from the 1st day of that month the corresponding rate of duty applies." A date line with no
  abbreviation continues the abbreviation above it (a staged rate).
* Introduction, 2. Terms, Abbreviations and Symbols (Part I note 2): ".." in the Preferential
  Tariff column: "the duties payable under the Normal Tariff apply"; "Unless otherwise
  indicated, when the rate of duty of Free appears in the column headed Preferential Tariff
  without being prefixed by a date or preferential abbreviation, goods that are the produce or
  manufacture of countries in respect of which the following preferential abbreviations apply
  may be entered free of duty: AAN, AU, CN, CPT, HK, KR, LLDC, MY, Pac, PPP, RCEP, SG, TH, TPA
  or TW."; "The rate of duty of Free applies under the Tariff to all goods that are the produce
  or manufacture of Singapore."
* "Preferential Tariff", last paragraph: "In the absence of Preferential Tariff rates, goods
  of Canadian, United Kingdom, and Less Developed Countries origin, are liable to duty at the
  rates specified in the “Normal Tariff” duty column." An abbreviation listed for the item
  ("CA Free") is the "otherwise indicated" and overrides the general Free.

The preferential column is parsed strictly: a line that is not ``Free``/``..`` (first line
only), a ``*See Below`` marker, ``ABBR RATE`` or ``M/YYYY RATE`` makes the whole item *needs
review*, with the raw text shown; nothing is guessed. Specific and compound rates (``$``,
``¢``, ``per kg``, ``per l al``, ``plus …``) are kept as text and are *needs review*.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "wtd_2022-01-01_items.csv").write_text(
...     "tariff_item,normal,preferential\\n"
...     "0203.11.00,5,Free | *See Below | CA Free | LDC 4 | RCEP 4.5 | 1/2023 4\\n",
...     encoding="utf-8")
>>> table = TariffRates.load(folder / "wtd_2022-01-01_items.csv")
>>> rcep = table.rates("0203.11.00", "RCEP", dt.date(2023, 3, 1))
>>> rcep.preferential.text, rcep.amounts(Decimal("1000.00"))
('4', (Decimal('50.00'), Decimal('40.00'), Decimal('10.00')))
>>> gb = table.rates("0203.11.00", "GB", dt.date(2022, 1, 1))
>>> gb.preferential is None, gb.how.split(" (")[0]
(True, 'no GB rate listed: Normal Tariff applies')
>>> gb.amounts(Decimal("1000.00"))
(Decimal('50.00'), Decimal('50.00'), Decimal('0.00'))
>>> import shutil; shutil.rmtree(folder)
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Literal

import attrs

from hs_data._io import open_text
from hs_data.nz_tariff import NZCode, NZCodeError
from origin.errors import InputError

__all__ = [
    "ABBREVIATIONS",
    "GENERAL_FREE",
    "DutyRates",
    "Rate",
    "TariffRates",
    "exact_decimal",
]

#: The preferential abbreviations of the Introduction, "3. Preferential countries and
#: preferential abbreviations" (and the paragraphs under "Preferential Tariff").
ABBREVIATIONS: tuple[str, ...] = (
    "AAN", "AU", "CA", "CN", "CPT", "GB", "HK", "KR", "LDC", "LLDC", "MY", "Pac", "PPP",
    "RCEP", "SG", "TH", "TPA", "TW",
)  # fmt: skip

#: Introduction, 2. Terms, Abbreviations and Symbols (Part I note 2): the abbreviations a bare
#: "Free" in the Preferential Tariff column lets in free of duty.
GENERAL_FREE: frozenset[str] = frozenset(
    {"AAN", "AU", "CN", "CPT", "HK", "KR", "LLDC", "MY", "Pac", "PPP", "RCEP", "SG", "TH",
     "TPA", "TW"}
)  # fmt: skip

_INTRO = "Introduction"
_NOTE2 = f"{_INTRO}, Part I note 2"
_GENERAL_FREE_WORDS = ", ".join(sorted(GENERAL_FREE, key=ABBREVIATIONS.index))
_ABSENCE = (
    f'{_INTRO}, Preferential Tariff: "In the absence of Preferential Tariff rates, goods of '
    "Canadian, United Kingdom, and Less Developed Countries origin, are liable to duty at the "
    'rates specified in the Normal Tariff duty column"'
)
_SINGAPORE = (
    f'{_NOTE2}: "The rate of duty of Free applies under the Tariff to all goods that are the '
    'produce or manufacture of Singapore"'
)
_SPECIFIC = "specific or compound rate: needs review"

_NUMBER = r"\d+(?:\.\d+)?"
_AD_VALOREM = re.compile(rf"Free|{_NUMBER}")
_NORMAL_APPLIES = re.compile(r"\.\s?\.")
# "$1.87", "$ 1.7/kg", "$0.4/L al.", "47¢", "70.024¢ per g of Pb": a specific rate.
_SPECIFIC_RATE = re.compile(
    rf"(?:\$\s?\d[\d,]*(?:\.\d+)?|{_NUMBER}¢)(?:\s*/\s*[A-Za-z][A-Za-z .]*|\s+per\s+\S.*)?"
)
# Anything a normal column may print for a specific or compound rate: $, ¢, "per", "plus".
_SPECIFIC_HINT = re.compile(r"[$¢]|\bper\b|\bplus\b")
_MARKER = re.compile(r"\*\s?See [Bb]elow")
_ABBR = "|".join(ABBREVIATIONS)
_LISTED = re.compile(rf"(?P<abbr>{_ABBR})\s+(?P<rate>\S.*)")
_STAGED = re.compile(r"(?P<month>1[0-2]|0?[1-9])/(?P<year>\d{4})\s+(?P<rate>\S.*)")
_FILE_DATE = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")


class TariffRatesError(InputError):
    """A rates table that cannot be read, or a question it cannot be asked."""


def _percent(text: str) -> Fraction:
    """An ad valorem rate as printed ("Free", "5", "4.5") as an exact percentage."""
    return Fraction(0) if text == "Free" else Fraction(text)


def _check_percent(instance: object, attribute: object, value: Fraction | None) -> None:
    if value is None:
        return
    if not isinstance(value, Fraction):
        raise TypeError(f"Rate.percent must be a Fraction or None, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"Rate.percent must not be negative, got {value}")


@attrs.frozen
class Rate:
    """One rate as printed: its text, and its ad valorem percentage when it is one.

    ``percent`` is exact (``"Free"`` → 0, ``"4.5"`` → 9/2); None when the rate is not ad
    valorem (``"$1.87 per kg"``) or could not be read.
    """

    text: str
    percent: Fraction | None = attrs.field(validator=_check_percent)

    def duty(self, customs_value: Decimal) -> Fraction | None:
        """``percent`` % of the Customs value, exactly ("Rates of Duty"); None if not ad
        valorem."""
        if self.percent is None:
            return None
        return self.percent * Fraction(_value(customs_value)) / 100


def _value(customs_value: Decimal) -> Decimal:
    if not isinstance(customs_value, Decimal):
        raise TypeError(
            f"customs value must be a Decimal, not {type(customs_value).__name__} "
            "(money is exact: no float)"
        )
    if not customs_value.is_finite() or customs_value < 0:
        raise ValueError(f"customs value must be finite and at least 0, got {customs_value}")
    return customs_value


def exact_decimal(value: Fraction, places: int = 0) -> Decimal:
    """``value`` as a Decimal with no rounding at all, written with at least ``places``
    decimal places (trailing zeros only: ``Decimal("50.00") == 50``). Built from digits, so
    the decimal context's precision plays no part; ValueError when ``value`` has no finite
    decimal expansion (a denominator with a prime factor other than 2 and 5).

    >>> exact_decimal(Fraction(9, 2) * 1000 / 100), exact_decimal(Fraction(1, 8), 2)
    (Decimal('45'), Decimal('0.125'))
    >>> exact_decimal(Fraction(50), 2)
    Decimal('50.00')
    """
    numerator, denominator = value.numerator, value.denominator
    twos = fives = 0
    rest = denominator
    while rest % 2 == 0:
        rest //= 2
        twos += 1
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest != 1:
        raise ValueError(f"{value} has no finite decimal expansion")
    places = max(twos, fives, places)
    digits = abs(numerator) * 10**places // denominator
    sign = 1 if numerator < 0 else 0
    return Decimal((sign, tuple(int(d) for d in str(digits)), -places))


@attrs.frozen
class DutyRates:
    """The Normal and preferential rates of one tariff item, for one preference, on one date.

    ``preferential`` is None when no preferential rate applies to ``code`` on ``on`` (the
    Normal Tariff applies). When ``review`` is set the rates are what could be read, shown so
    a person can check them, and must not be used for duty: :meth:`amounts` gives None.
    """

    tariff_item: str
    code: str
    on: dt.date
    normal: Rate
    preferential: Rate | None
    how: str
    source: str
    review: str | None
    notes: tuple[str, ...] = ()

    def exact_amounts(self, customs_value: Decimal) -> tuple[Fraction, Fraction, Fraction] | None:
        """(normal duty, preferential duty, duty saved) as exact fractions, or None when
        ``review`` is set. Duty saved is normal − preferential: negative when the
        preferential rate is higher (then the preference saves nothing; it is not hidden)."""
        if self.review is not None or self.normal.percent is None:
            return None
        normal = self.normal.duty(customs_value)
        preferential = (
            normal if self.preferential is None else self.preferential.duty(customs_value)
        )
        if normal is None or preferential is None:
            return None
        return normal, preferential, normal - preferential

    def amounts(self, customs_value: Decimal) -> tuple[Decimal, Decimal, Decimal] | None:
        """(normal duty, preferential duty, duty saved) exactly, or None when ``review`` is
        set.

        Each duty is percent × value / 100 ("Rates of Duty": "5" means 5% of the Customs
        value), computed in Fraction and converted to Decimal without rounding: the table's
        percentages are printed decimals, so the results always have a finite decimal
        expansion (4.5 % of 100.01 is 4.50045). They are written with at least the customs
        value's decimal places (5 % of 1000.00 is 50.00). Nothing is rounded to cents: the
        Introduction states no rounding rule, so none is applied here. A Rate built by hand
        with a percentage such as 1/3 has no exact Decimal: ValueError, and
        :meth:`exact_amounts` gives the fractions.
        """
        exact = self.exact_amounts(customs_value)
        if exact is None:
            return None
        normal, preferential, saved = exact
        exponent = customs_value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return (
            exact_decimal(normal, places),
            exact_decimal(preferential, places),
            exact_decimal(saved, places),
        )


# ---------------------------------------------------------------- reading one item's columns

_Kind = Literal["ad valorem", "specific", "normal"]


@attrs.frozen
class _Step:
    """One rate of a listing: from ``start`` (None: as printed, without a date)."""

    start: dt.date | None
    start_text: str | None
    rate: Rate
    kind: _Kind


@attrs.frozen
class _Item:
    """One tariff item's columns as read from the table."""

    normal: Rate
    normal_problem: str | None
    general: Literal["Free", "..", None]
    listed: Mapping[str, tuple[_Step, ...]]
    problems: tuple[str, ...]
    raw_preferential: str
    line: int

    @property
    def review(self) -> str | None:
        """Why this item cannot be read for any preference, or None."""
        reasons = ([self.normal_problem] if self.normal_problem else []) + list(self.problems)
        return "; ".join(reasons) if reasons else None


def _rate_of(text: str) -> tuple[Rate, _Kind] | None:
    """A rate as printed in a listing, or None if it is not one."""
    if _AD_VALOREM.fullmatch(text):
        return Rate(text, _percent(text)), "ad valorem"
    if _NORMAL_APPLIES.fullmatch(text):
        return Rate(text, None), "normal"
    if _SPECIFIC_RATE.fullmatch(text):
        return Rate(text, None), "specific"
    return None


def _read_normal(text: str) -> tuple[Rate, str | None]:
    if _AD_VALOREM.fullmatch(text):
        return Rate(text, _percent(text)), None
    if not text:
        return Rate(text, None), "no Normal Tariff rate in the table"
    if _SPECIFIC_HINT.search(text):
        return Rate(text, None), f"{_SPECIFIC} (Normal Tariff {text!r})"
    return Rate(text, None), f"Normal Tariff not readable as a rate: {text!r}"


def _read_item(normal_text: str, preferential_text: str, line: int) -> _Item:
    """Read the two columns of one row strictly (module docstring, the grammar)."""
    normal, normal_problem = _read_normal(normal_text.strip())
    parts = [part.strip() for part in preferential_text.split(" | ")] if preferential_text else []
    general: Literal["Free", "..", None] = None
    listed: dict[str, list[_Step]] = {}
    bad: list[str] = []
    current: str | None = None
    for index, part in enumerate(parts):
        if index == 0 and part == "Free":
            general = "Free"
            continue
        if index == 0 and _NORMAL_APPLIES.fullmatch(part):
            general = ".."
            continue
        if _MARKER.fullmatch(part) and current is None and index <= 1:
            continue
        if (match := _LISTED.fullmatch(part)) is not None and (
            rate := _rate_of(match["rate"])
        ) is not None:
            current = match["abbr"]
            if current in listed:
                bad.append(f"{current} listed twice ({part!r})")
                continue
            listed[current] = [_Step(None, None, rate[0], rate[1])]
            continue
        if (
            (match := _STAGED.fullmatch(part)) is not None
            and current is not None
            and (rate := _rate_of(match["rate"])) is not None
        ):
            start = dt.date(int(match["year"]), int(match["month"]), 1)
            earlier = [step.start for step in listed[current] if step.start is not None]
            if earlier and start <= max(earlier):
                bad.append(f"{current}: dates not in order ({part!r})")
                continue
            start_text = f"{int(match['month'])}/{match['year']}"
            listed[current].append(_Step(start, start_text, rate[0], rate[1]))
            continue
        bad.append(repr(part))
    problems: tuple[str, ...] = ()
    if bad:
        problems = (
            "Preferential Tariff column not readable: "
            + ", ".join(bad)
            + f" (as printed: {preferential_text!r})",
        )
    return _Item(
        normal=normal,
        normal_problem=normal_problem,
        general=general,
        listed={abbr: tuple(steps) for abbr, steps in listed.items()},
        problems=problems,
        raw_preferential=preferential_text,
        line=line,
    )


# ---------------------------------------------------------------- the table


def _as_at_from_name(path: Path) -> dt.date:
    found = _FILE_DATE.findall(path.name)
    if len(found) != 1:
        raise TariffRatesError(
            f"{path}: the Working Tariff Document's date is not in the file name "
            f"({'several dates' if found else 'no YYYY-MM-DD'}); give it (as_at)"
        )
    try:
        return dt.date.fromisoformat(found[0])
    except ValueError:
        raise TariffRatesError(
            f"{path}: {found[0]!r} in the file name is not a date; give the document's date (as_at)"
        ) from None


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The CSV's rows with the line each starts on; refusals name the file and line."""
    with open_text(path, TariffRatesError) as handle:
        reader = csv.DictReader(handle)
        try:
            fields = reader.fieldnames
        except csv.Error as error:
            raise TariffRatesError(f"{path}: line 1: not a CSV file ({error})") from None
        needed = ("tariff_item", "normal", "preferential")
        if fields is None or any(name not in fields for name in needed):
            raise TariffRatesError(
                f"{path}: line 1: found columns {fields}; expected at least "
                "'tariff_item', 'normal' and 'preferential'"
            )
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise TariffRatesError(f"{path}: line {line}: not CSV ({error})") from None
            if None in row:
                raise TariffRatesError(
                    f"{path}: line {line}: more fields than the {len(fields)} columns"
                )
            missing = [name for name in needed if row.get(name) is None]
            if missing:
                raise TariffRatesError(f"{path}: line {line}: no {', '.join(missing)} field")
            yield line, row


@attrs.frozen
class TariffRates:
    """The duty rates of one Working Tariff Document, by tariff item."""

    as_at: dt.date
    source: str
    _file: str = attrs.field(repr=False, alias="file")
    _items: Mapping[str, _Item] = attrs.field(repr=False, alias="items")
    _conflicts: Mapping[str, str] = attrs.field(repr=False, alias="conflicts")

    @classmethod
    def load(cls, path: Path, as_at: dt.date | None = None) -> TariffRates:
        """Read a rates CSV; ``as_at`` is the document's date, by default the ``YYYY-MM-DD``
        in the file name (else TariffRatesError, an InputError, asks for it).

        A tariff item on several rows is read once if the rows agree; if their rates differ,
        every question about it is *needs review* naming the lines (no row is preferred).
        """
        if as_at is None:
            as_at = _as_at_from_name(path)
        elif not isinstance(as_at, dt.date) or isinstance(as_at, dt.datetime):
            raise TypeError(f"as_at must be a date, not {type(as_at).__name__}")
        items: dict[str, _Item] = {}
        printed: dict[str, list[tuple[int, str, str]]] = {}
        for line, row in _rows(path):
            try:
                item = NZCode.parse(row["tariff_item"]).tariff_item
            except NZCodeError as error:
                raise TariffRatesError(f"{path}: line {line}: {error}") from None
            normal, preferential = row["normal"].strip(), row["preferential"].strip()
            printed.setdefault(item, []).append((line, normal, preferential))
            if item not in items:
                items[item] = _read_item(normal, preferential, line)
        if not items:
            raise TariffRatesError(f"{path}: no tariff items (only a header)")
        conflicts: dict[str, str] = {}
        for item, rows in printed.items():
            if len({(normal, pref) for _, normal, pref in rows}) > 1:
                shown = " and ".join(
                    f"line {line}: normal {normal!r}, preferential {pref!r}"
                    for line, normal, pref in rows
                )
                conflicts[item] = (
                    f"tariff item {_dotted(item)} is listed {len(rows)} times with different "
                    f"rates ({shown})"
                )
        source = f"NZ Working Tariff Document as at {as_at.isoformat()} ({path})"
        return cls(as_at, source, file=str(path), items=items, conflicts=conflicts)

    @property
    def tariff_items(self) -> tuple[str, ...]:
        """The items in the table, 8 digits, in table order."""
        return tuple(self._items)

    def item_review(self, tariff_item: str) -> str | None:
        """Why an item cannot be read for any preference (normal rate, preferential column,
        rows that disagree), or None; a preference's own specific rate is not counted here."""
        item = NZCode.parse(tariff_item).tariff_item
        if item not in self._items:
            return f"tariff item {_dotted(item)} is not in {self.source}"
        reasons = [self._conflicts[item]] if item in self._conflicts else []
        if (review := self._items[item].review) is not None:
            reasons.append(review)
        return "; ".join(reasons) if reasons else None

    def rates(self, tariff_item: str, code: str, on: dt.date) -> DutyRates:
        """The Normal and ``code``'s preferential rate of an item on ``on``, read as the
        Introduction says (module docstring); anything not computable is in ``review``."""
        item = NZCode.parse(tariff_item).tariff_item
        abbr = _abbreviation(code)
        if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
            raise TypeError(f"on must be a date, not {type(on).__name__}")
        dotted = _dotted(item)
        source = (
            f"NZ Working Tariff Document as at {self.as_at.isoformat()}, tariff item {dotted}"
            f" ({self._file})"
        )
        notes: list[str] = []
        if on > self.as_at:
            notes.append(
                f"the table gives rates as at {self.as_at.isoformat()}: Tariff amendments "
                f"after that date are not reflected"
            )
        reviews: list[str] = []
        if on < self.as_at:
            reviews.append(f"the table gives rates as at {self.as_at.isoformat()}, not earlier")
        found = self._items.get(item)
        if found is None:
            reviews.append(f"tariff item {dotted} is not in {self.source}")
            return DutyRates(
                dotted, abbr, on, Rate("", None), None, "not read: item absent", source,
                "; ".join(reviews), tuple(notes),
            )  # fmt: skip
        if (item_review := self.item_review(item)) is not None:
            reviews.append(item_review)
        if found.problems or item in self._conflicts:
            preferential: Rate | None = Rate(found.raw_preferential, None)
            how = "not read: the Preferential Tariff column needs review (see review)"
        else:
            preferential, how, specific = _resolve(found, abbr, max(on, self.as_at))
            if specific:
                reviews.append(f"{_SPECIFIC} ({abbr} {preferential.text if preferential else ''})")
            elif (
                preferential is not None
                and preferential.percent is not None
                and found.normal.percent is not None
                and preferential.percent > found.normal.percent
            ):
                notes.append(
                    f"the {abbr} rate ({preferential.text}) is higher than the Normal Tariff "
                    f"({found.normal.text}), as printed: duty saved is negative"
                )
        return DutyRates(
            tariff_item=dotted,
            code=abbr,
            on=on,
            normal=found.normal,
            preferential=preferential,
            how=how,
            source=source,
            review="; ".join(reviews) if reviews else None,
            notes=tuple(notes),
        )


def _dotted(item: str) -> str:
    return str(NZCode(item))


def _abbreviation(code: str) -> str:
    for abbr in ABBREVIATIONS:
        if code.strip().casefold() == abbr.casefold():
            return abbr
    raise TariffRatesError(
        f"preference {code!r}: expected one of the Working Tariff Document's abbreviations "
        f"({', '.join(ABBREVIATIONS)})"
    )


def _resolve(item: _Item, abbr: str, on: dt.date) -> tuple[Rate | None, str, bool]:
    """(preferential rate or None for the Normal Tariff, how, whether it is specific)."""
    steps = item.listed.get(abbr)
    if steps is not None:
        applying = steps[0]
        for step in steps[1:]:
            if step.start is not None and step.start <= on:
                applying = step
        printed = f"{abbr} {steps[0].rate.text}"
        if len(steps) > 1:
            staged = ", ".join(f"from {step.start_text} {step.rate.text}" for step in steps[1:])
            printed = f"{printed}, {staged} (staged): {applying.rate.text} on {on.isoformat()}"
        if applying.kind == "normal":
            return None, f"{printed}: '..', the Normal Tariff applies ({_NOTE2})", False
        return applying.rate, f"{printed} (listed for {abbr})", applying.kind == "specific"
    if abbr == "SG" and item.general != "Free":
        return Rate("Free", Fraction(0)), f"Free, for all goods of Singapore ({_SINGAPORE})", False
    if item.general == "Free" and abbr in GENERAL_FREE:
        return (
            Rate("Free", Fraction(0)),
            f"Free, the general preferential rate ({_NOTE2}: {_GENERAL_FREE_WORDS})",
            False,
        )
    if abbr in {"CA", "GB", "LDC"}:
        return None, f"no {abbr} rate listed: Normal Tariff applies ({_ABSENCE})", False
    if item.general == "..":
        return None, f"'..': the Normal Tariff applies ({_NOTE2})", False
    return None, f"no {abbr} rate listed: Normal Tariff applies ({_INTRO}, Normal Tariff)", False
