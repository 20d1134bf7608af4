"""The levy and fee tables, loaded from ``levies.toml`` and checked on load.

Amounts are ``Decimal`` read from decimal strings (a TOML float is refused, as in
``origin.law``). Windows are ``origin.law.Window`` (``[from, until)``); a date no window covers
raises ``origin.law.LawNotEncoded`` naming what is encoded, never a guess.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import attrs

from levies.provisions import reference
from origin.citation import Citation, CitationError
from origin.law import LawFileError, LawNotEncoded, Window

_T = TypeVar("_T")

LAW_FILE = Path(__file__).with_name("levies.toml")


@attrs.frozen
class Rate:
    """One row of a rate table: an amount for a basis (air, sea, SES ...) over a window."""

    basis: str
    window: Window
    amount: Decimal
    reference: Citation
    text: str


@attrs.frozen
class ChargeTable:
    """A levy of the order or a transaction fee of the regulations, with its dated rates."""

    key: str
    name: str
    clause: Citation
    unit: str
    rates: tuple[Rate, ...]
    # The regulation saying the fee is inclusive of GST; None for levies ("plus GST, if any").
    gst_inclusive: Citation | None = None

    def rate(self, basis: str, day: dt.date) -> Rate:
        for rate in self.rates:
            if rate.basis == basis and rate.window.contains(day):
                return rate
        encoded = "; ".join(f"{r.basis} {r.window}" for r in self.rates) or "none"
        raise LawNotEncoded(
            f"{self.name} ({self.clause}): no rate encoded for {basis!r} on {day.isoformat()} "
            f"(encoded: {encoded})"
        )


@attrs.frozen
class Threshold:
    amount: Decimal
    window: Window
    reference: Citation


@attrs.frozen
class GstRate:
    window: Window
    value: Decimal
    reference: Citation
    note: str = ""


@attrs.frozen
class LevyLaw:
    """Everything ``levies.toml`` says."""

    coverage: Window
    coverage_reference: str
    order_in_force: dt.date
    order_in_force_reference: Citation
    gst_default_treatment: str
    gst_default_reference: Citation
    gst_treatments: tuple[str, ...]
    gst_rates: tuple[GstRate, ...]
    levies: Mapping[str, ChargeTable]
    fees: Mapping[str, ChargeTable]
    thresholds: Mapping[str, Threshold]
    refund_years: int
    refund_reference: Citation

    def check_date(self, day: dt.date) -> None:
        """Refuse a date before what is encoded (the fee amounts as set on 1 July 2025)."""
        if not self.coverage.contains(day):
            raise LawNotEncoded(
                f"levies and fees are encoded {self.coverage}; {day.isoformat()} is outside "
                f"that, so nothing is computed ({self.coverage_reference})"
            )

    def levy(self, key: str) -> ChargeTable:
        return _get(self.levies, key, "levy")

    def fee(self, key: str) -> ChargeTable:
        return _get(self.fees, key, "fee")

    def threshold(self, key: str, day: dt.date) -> Threshold:
        threshold = _get(self.thresholds, key, "threshold")
        if not threshold.window.contains(day):
            raise LawNotEncoded(
                f"threshold {key!r} ({threshold.reference}) is encoded {threshold.window}, "
                f"not for {day.isoformat()}"
            )
        return threshold

    def gst_rate(self, day: dt.date) -> GstRate:
        for rate in self.gst_rates:
            if rate.window.contains(day):
                return rate
        raise LawNotEncoded(f"no GST rate encoded for {day.isoformat()}")

    @classmethod
    def load(cls, path: Path = LAW_FILE) -> LevyLaw:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        try:
            return cls._from_toml(data)
        except (KeyError, TypeError, ValueError, CitationError) as error:
            raise LawFileError(f"{path.name}: {error}") from error

    @classmethod
    def _from_toml(cls, data: dict[str, Any]) -> LevyLaw:
        instruments: dict[str, str] = data["instruments"]
        order, regulations = instruments["order"], instruments["regulations"]
        gst = data["gst"]
        treatments = tuple(gst["treatments"])
        if gst["default_treatment"] not in treatments:
            raise ValueError(f"gst.default_treatment must be one of {treatments}")
        thresholds = {
            key: Threshold(
                amount=_decimal(spec["amount"]),
                window=_window(spec),
                reference=reference(
                    spec["reference"], _instrument_of(spec["reference"], order, regulations)
                ),
            )
            for key, spec in data["thresholds"].items()
        }
        return cls(
            coverage=_window(data["coverage"]),
            coverage_reference=data["coverage"]["reference"],
            order_in_force=data["order_in_force"]["from"],
            order_in_force_reference=reference(data["order_in_force"]["reference"], order),
            gst_default_treatment=gst["default_treatment"],
            gst_default_reference=reference(gst["default_reference"], order),
            gst_treatments=treatments,
            gst_rates=tuple(
                GstRate(
                    window=_window(item),
                    value=_decimal(item["value"]),
                    reference=reference(item["reference"], instruments[item["instrument"]]),
                    note=item.get("note", ""),
                )
                for item in gst["rates"]
            ),
            levies={k: _table(k, spec, order) for k, spec in data["levies"].items()},
            fees={k: _table(k, spec, regulations) for k, spec in data["fees"].items()},
            thresholds=thresholds,
            refund_years=int(data["refund"]["years"]),
            refund_reference=reference(data["refund"]["reference"], order),
        )


def _instrument_of(text: str, order: str, regulations: str) -> str:
    """Clauses (``cl``) and schedules are the order's; regulations (``r``) the 1996 regulations'."""
    return regulations if text.startswith("r ") else order


def _table(key: str, spec: Mapping[str, Any], instrument: str) -> ChargeTable:
    rates = tuple(
        Rate(
            basis=item["basis"],
            window=_window(item),
            amount=_decimal(item["amount"]),
            reference=reference(item["reference"], instrument),
            text=item["text"],
        )
        for item in spec["rates"]
    )
    for i, rate in enumerate(rates):
        for other in rates[i + 1 :]:
            if rate.basis == other.basis and _overlap(rate.window, other.window):
                raise ValueError(f"{key}: two {rate.basis!r} rates overlap")
    inclusive = spec.get("gst_inclusive")
    return ChargeTable(
        key=key,
        name=spec["name"],
        clause=reference(spec["clause"], instrument),
        unit=spec.get("unit", "per document"),
        rates=rates,
        gst_inclusive=reference(inclusive, instrument) if inclusive else None,
    )


def _overlap(a: Window, b: Window) -> bool:
    a_end, b_end = a.end or dt.date.max, b.end or dt.date.max
    a_start, b_start = a.start or dt.date.min, b.start or dt.date.min
    return a_start < b_end and b_start < a_end


def _get(mapping: Mapping[str, _T], key: str, what: str) -> _T:
    try:
        return mapping[key]
    except KeyError:
        raise LawFileError(f"levies.toml: no {what} {key!r}") from None


def _window(spec: Mapping[str, Any]) -> Window:
    start, end = spec.get("from"), spec.get("until")
    for bound in (start, end):
        if bound is not None and not isinstance(bound, dt.date):
            raise TypeError(f"window bound {bound!r} must be a TOML date")
    return Window(start=start, end=end)


def _decimal(value: object) -> Decimal:
    """Amounts are integers or decimal strings, never TOML floats (binary fractions)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"amount {value!r} must be an integer or a decimal string, not a float")
    return Decimal(value)


LAW = LevyLaw.load()
