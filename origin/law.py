"""Dated law: an agreement's parameter file, its coverage, and refusal of unencoded dates.

An agreement's numbers (de minimis share, tolerance, record-keeping years) and its
vocabularies (minimal operations, cost categories, wholly-obtained classes) live in a
TOML file beside its plugin. Every dated value carries a ``reference`` to the provision
it comes from, and the file states the window of dates its text covers. Asking for a
date outside that window raises :class:`LawNotEncoded` — the toolkit never guesses what
the law was (or will be) on a date it has not encoded.

Windows are half-open, ``[start, end)``, like Catala's: ``end`` is the first day the
value no longer applies.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from origin.citation import Citation, CitationError
from origin.model import Case

# The encoded text of an agreement is applied to dates up to this many years after its
# version, with a note from the version on (amendments since are not reflected). Beyond
# that the toolkit would be guessing: an amendment, a new HS edition or a new schedule is
# likely enough that a later date is refused, not decided on an old text.
HORIZON_YEARS = 2


class LawNotEncoded(LookupError):
    """The date asked for is outside what the toolkit encodes for this agreement."""


class LawFileError(ValueError):
    """An agreement's parameter file is malformed (a developer error, caught by tests)."""


@attrs.frozen
class Window:
    """Dates ``[start, end)``; ``None`` means unbounded on that side."""

    start: dt.date | None = None
    end: dt.date | None = None

    def contains(self, day: dt.date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day < self.end)

    def __str__(self) -> str:
        start = self.start.isoformat() if self.start else "…"
        end = f"before {self.end.isoformat()}" if self.end else "onwards"
        return f"from {start} {end}" if self.start else f"{end}"


@attrs.frozen
class DatedValue:
    window: Window
    value: Fraction
    reference: Citation
    note: str = ""


@attrs.frozen
class Parameter:
    """A number the law sets, possibly changing over time."""

    name: str
    description: str
    unit: str
    values: tuple[DatedValue, ...]

    def at(self, day: dt.date) -> DatedValue:
        for value in self.values:
            if value.window.contains(day):
                return value
        raise LawNotEncoded(
            f"parameter {self.name!r} has no value encoded for {day.isoformat()} "
            f"(encoded: {'; '.join(str(v.window) for v in self.values) or 'none'})"
        )


@attrs.frozen
class Term:
    """One entry of a vocabulary the law defines (an operation, a cost category, ...)."""

    key: str
    reference: Citation
    text: str
    group: str = ""


@attrs.frozen
class CountryPreference:
    """The preferential abbreviation goods of one country are entered under, and where the
    NZ tariff says so (e.g. Singapore's TPSEP goods: SG, not TPA)."""

    code: str
    reference: str


@attrs.frozen
class LawBook:
    """Everything an agreement's parameter file says, checked on load."""

    name: str
    title: str
    regulations: str
    instrument: str
    text_version: dt.date
    source: str
    coverage: Window
    coverage_reference: str
    parties: tuple[str, ...]
    # The NZ Working Tariff Document's preferential abbreviations (e.g. "AU") under which
    # goods qualifying here are entered, with where that is said; brokers' entries use them.
    preference_codes: tuple[str, ...]
    preference_reference: str
    parameters: Mapping[str, Parameter]
    vocabularies: Mapping[str, Mapping[str, Term]]
    windows: Mapping[str, tuple[Window, Citation]]
    # Where the code depends on the country whose goods they are (the law file's
    # ``[agreement.tariff_preference.by_country]``); empty: every party's goods use
    # ``preference_codes``.
    preference_by_country: Mapping[str, CountryPreference] = attrs.field(factory=dict)
    # From when the tariff's rates under ``preference_codes`` are this agreement's
    # (``tariff_preference.rates_from``), where the code was used before for another
    # preference (GB: goods of the UK, before the NZ–UK FTA); None: since the code began.
    preference_rates_from: dt.date | None = None
    # The law file's ``[regime]`` table as written: what the engine is told of the agreement's
    # material rules, read and checked by :class:`origin.regime.DeclaredRegime`.
    regime: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def horizon(self) -> dt.date:
        """The last date the encoded text is applied to (see :data:`HORIZON_YEARS`)."""
        version, year = self.text_version, self.text_version.year + HORIZON_YEARS
        try:
            return version.replace(year=year)
        except ValueError:  # 29 February
            return version.replace(year=year, day=28)

    def check_date(self, day: dt.date) -> None:
        if not self.coverage.contains(day):
            raise LawNotEncoded(
                f"{self.title} ({self.regulations}): the toolkit encodes the text as at "
                f"{self.text_version.isoformat()}, in force {self.coverage}; "
                f"{day.isoformat()} is outside that, so no determination is made. "
                f"({self.coverage_reference})"
            )
        if day > self.horizon:
            raise LawNotEncoded(
                f"{self.title} ({self.regulations}): the toolkit encodes the text as at "
                f"{self.text_version.isoformat()} and applies it up to "
                f"{self.horizon.isoformat()}; {day.isoformat()} is later, and how the law "
                "will stand then is not known here, so no determination is made"
            )

    def value(self, name: str, day: dt.date) -> DatedValue:
        self.check_date(day)
        try:
            return self.parameters[name].at(day)
        except KeyError:
            raise LawFileError(f"{self.name}: no parameter {name!r} in its law file") from None

    def vocabulary(self, name: str) -> Mapping[str, Term]:
        try:
            return self.vocabularies[name]
        except KeyError:
            raise LawFileError(f"{self.name}: no vocabulary {name!r} in its law file") from None

    def window(self, name: str) -> tuple[Window, Citation]:
        try:
            return self.windows[name]
        except KeyError:
            raise LawFileError(f"{self.name}: no window {name!r} in its law file") from None

    def preference_codes_for(self, country: str | None) -> tuple[str, ...]:
        """The NZ tariff preference abbreviation(s) goods of ``country`` are entered under.

        Without a per-country table, ``preference_codes`` whatever the country. With one, a
        country in it gets its own code, a country not in it none (its goods are not entered
        under this agreement's preference), and an unknown country (``None``) every code the
        agreement has, since which applies is not known.
        """
        if not self.preference_by_country:
            return self.preference_codes
        if country is None:
            return self.preference_codes
        entry = self.preference_by_country.get(country)
        return () if entry is None else (entry.code,)

    def preference_codes_of(self, case: Case | None) -> tuple[str, ...]:
        """The preference abbreviation(s) for ``case``'s goods (see :meth:`preference_codes_for`),
        by the country whose goods they are (:func:`goods_country`); ``None``: no case read."""
        return self.preference_codes_for(None if case is None else goods_country(case))

    def check_parties(self, group: str) -> None:
        """``[agreement].parties`` must be exactly the ``[vocabularies.parties]`` entries in
        ``group`` (e.g. the signatories declared specified parties): the two lists are kept
        apart in the file so a user can update a party's status, and must not drift."""
        recorded = {k for k, t in self.vocabulary("parties").items() if t.group == group}
        if recorded != set(self.parties):
            raise LawFileError(
                f"{self.name}: [agreement].parties {sorted(self.parties)} differ from the "
                f"entries in [vocabularies.parties] marked {group!r}: {sorted(recorded)}"
            )

    @classmethod
    def load(cls, path: Path) -> LawBook:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        try:
            return cls._from_toml(data)
        except (KeyError, TypeError, ValueError, CitationError) as error:
            raise LawFileError(f"{path.name}: {error}") from error

    @classmethod
    def _from_toml(cls, data: dict[str, Any]) -> LawBook:
        head = data["agreement"]
        instrument = head["instrument"]
        parameters = {
            name: Parameter(
                name=name,
                description=spec["description"],
                unit=spec["unit"],
                values=tuple(
                    DatedValue(
                        window=_window(item),
                        value=_exact(item["value"]),
                        reference=Citation.parse(item["reference"], instrument),
                        note=item.get("note", ""),
                    )
                    for item in spec["values"]
                ),
            )
            for name, spec in data.get("parameters", {}).items()
        }
        vocabularies = {
            name: {
                key: Term(
                    key=key,
                    reference=Citation.parse(entry["reference"], instrument),
                    text=entry["text"],
                    group=entry.get("group", ""),
                )
                for key, entry in entries.items()
            }
            for name, entries in data.get("vocabularies", {}).items()
        }
        windows = {
            name: (_window(spec), Citation.parse(spec["reference"], instrument))
            for name, spec in data.get("windows", {}).items()
        }
        return cls(
            name=head["name"],
            title=head["title"],
            regulations=head["regulations"],
            instrument=instrument,
            text_version=head["text_version"],
            source=head["source"],
            coverage=_window(head["coverage"]),
            coverage_reference=head["coverage"]["reference"],
            parties=tuple(head["parties"]),
            preference_codes=tuple(head["tariff_preference"]["codes"]),
            preference_reference=head["tariff_preference"]["reference"],
            parameters=parameters,
            vocabularies=vocabularies,
            windows=windows,
            preference_by_country=_by_country(head),
            preference_rates_from=head["tariff_preference"].get("rates_from"),
            regime=data.get("regime", {}),
        )


def goods_country(case: Case) -> str | None:
    """The country whose goods these are, for the tariff preference: the country of the last
    process of manufacture, else the one country they were produced in; ``None`` when
    neither says (produced in several countries, none named last)."""
    good = case.good
    if good.last_process_in:
        return good.last_process_in
    produced = set(good.produced_in)
    return produced.pop() if len(produced) == 1 else None


def _by_country(head: Mapping[str, Any]) -> dict[str, CountryPreference]:
    """``[agreement.tariff_preference.by_country]``: each entry a party of the agreement and
    one of its codes, with its reference."""
    preference = head["tariff_preference"]
    codes, parties = set(preference["codes"]), set(head["parties"])
    table: dict[str, CountryPreference] = {}
    for country, entry in preference.get("by_country", {}).items():
        code, reference = entry["code"], entry["reference"]
        if country not in parties:
            raise ValueError(f"tariff_preference.by_country: {country} is not a party")
        if code not in codes:
            raise ValueError(f"tariff_preference.by_country.{country}: {code!r} is not in codes")
        table[country] = CountryPreference(str(code), str(reference))
    return table


def _window(spec: Mapping[str, Any]) -> Window:
    start, end = spec.get("from"), spec.get("until")
    for bound in (start, end):
        if bound is not None and not isinstance(bound, dt.date):
            raise TypeError(f"window bound {bound!r} must be a TOML date")
    return Window(start=start, end=end)


def _exact(value: object) -> Fraction:
    """Numbers in law files are integers or decimal strings, never TOML floats."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"value {value!r} must be an integer or a decimal string, not a float")
    return Fraction(value)


def law_summary(agreement: Any) -> dict[str, Any]:
    """One agreement as ``origin agreements --format json`` lists it."""
    law = agreement.law
    return {
        "name": agreement.name,
        "title": agreement.title,
        "regulations": agreement.regulations,
        "instrument": law.instrument,
        "text_version": law.text_version.isoformat(),
        "coverage": _window_json(law.coverage),
        "coverage_reference": law.coverage_reference,
        "preference_codes": list(law.preference_codes),
    }


def law_to_json(agreement: Any) -> dict[str, Any]:
    """``origin law NAME --format json``: what the text output shows, as data (values exact,
    as ``p/q``; every dated value with its window and reference)."""
    law = agreement.law
    membership = agreement.membership
    return {
        **law_summary(agreement),
        "source": law.source,
        "horizon": law.horizon.isoformat(),
        "parties": list(law.parties),
        "group": None
        if membership is None
        else {
            "name": membership.name,
            "title": membership.title,
            "source": membership.source,
            "as_at": membership.as_at.isoformat() if membership.as_at else None,
            "members": [
                {"code": m.code, "name": m.name, **_window_json(m.window), "note": m.note}
                for m in membership.members
            ],
        },
        "preference_reference": law.preference_reference,
        "parameters": [
            {
                "name": p.name,
                "description": p.description,
                "unit": p.unit,
                "values": [
                    {
                        **_window_json(v.window),
                        "value": f"{v.value.numerator}/{v.value.denominator}",
                        "reference": str(v.reference),
                        "note": v.note,
                    }
                    for v in p.values
                ],
            }
            for p in law.parameters.values()
        ],
        "vocabularies": {
            name: [
                {"key": t.key, "group": t.group, "reference": str(t.reference), "text": t.text}
                for t in terms.values()
            ]
            for name, terms in law.vocabularies.items()
        },
    }


def _window_json(window: Window) -> dict[str, str | None]:
    return {
        "from": window.start.isoformat() if window.start else None,
        "until": window.end.isoformat() if window.end else None,
    }
